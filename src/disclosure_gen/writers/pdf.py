"""Markup → PDF with WeasyPrint.

Nothing outside `assets` is ever fetched: the URL fetcher serves asset names (and data: URIs) and
refuses everything else (http, https, file, ftp, paths on disk…) without touching the network or
the disk. Output is deterministic: fixed PDF identifier (derived from the input), creation and
modification dates from SOURCE_DATE_EPOCH (else 2000-01-01).
"""
from __future__ import annotations

import base64
import hashlib
import logging
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes

from .markup import DRAFT_TEXT, build_datetime, is_draft, strip_illegal

from ..render.styles import base_css_path

# Relative URLs in the markup resolve against this base; the host is under the reserved .invalid TLD
# and is never contacted: the fetcher maps it back to names in `assets`.
ASSET_BASE = "https://assets.disclosure-gen.invalid/"

_MIME = {
    "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
    "gif": "image/gif", "webp": "image/webp", "css": "text/css", "otf": "font/otf", "ttf": "font/ttf",
    "woff": "font/woff", "woff2": "font/woff2",
}
_ALTERNATES = {"svg": ("png",), "png": ("svg",)}

log = logging.getLogger(__name__)


class FetchRefused(ValueError):
    """A resource outside the given assets was requested."""


def base_css() -> str:
    """The shared print CSS (templates/_base/base.css)."""
    return base_css_path().read_text(encoding="utf-8")


def draft_css() -> str:
    return (
        "@page { @top-center { content: \"%s\"; color: #c00000; font-size: 14pt;"
        " font-family: \"SimHei\", \"黑体\", \"Noto Sans CJK SC\", sans-serif;"
        " vertical-align: bottom; padding-bottom: 4mm; } }\n" % DRAFT_TEXT
    )


def asset_lookup(assets: dict[str, bytes], name: str) -> tuple[str, bytes] | None:
    """The asset for `name`; an .svg request may be served by the .png of the same stem and vice versa."""
    if name in assets:
        return name, assets[name]
    stem, dot, ext = name.rpartition(".")
    if dot:
        for alt in _ALTERNATES.get(ext.lower(), ()):
            other = f"{stem}.{alt}"
            if other in assets:
                return other, assets[other]
    return None


def _decode_data_uri(url: str) -> tuple[str, bytes]:
    header, sep, payload = url[5:].partition(",")
    if not sep:
        raise FetchRefused("malformed data: URI")
    parts = header.split(";")
    mime = parts[0] or "text/plain"
    if "base64" in parts[1:]:
        return mime, base64.b64decode(unquote(payload))
    return mime, unquote_to_bytes(payload)


def make_url_fetcher(assets: dict[str, bytes], calls: list | None = None):
    """A WeasyPrint URL fetcher serving only `assets` (and data: URIs). `calls` records every URL asked."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetFetcher(URLFetcher):
        def __init__(self):
            super().__init__(timeout=1, allow_redirects=False, fail_on_errors=False)

        def fetch(self, url, headers=None):          # noqa: D401 - WeasyPrint API
            if calls is not None:
                calls.append(url)
            if url.startswith("data:"):
                mime, body = _decode_data_uri(url)
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            if url.startswith(ASSET_BASE):
                name = unquote(url[len(ASSET_BASE):].split("#", 1)[0].split("?", 1)[0])
                found = asset_lookup(assets, name)
                if found is not None:
                    served, body = found
                    mime = _MIME.get(served.rpartition(".")[2].lower(), "application/octet-stream")
                    return URLFetcherResponse(url, body, {"Content-Type": mime})
            log.debug("refused to fetch %s", url)
            raise FetchRefused(f"not an asset of this document (nothing is fetched): {url}")

        def open(self, url, data=None, timeout=None):   # never fall back to urllib
            return self.fetch(url if isinstance(url, str) else url.full_url)

    return AssetFetcher()


def layout(html: str, assets: dict[str, bytes], css: list[str]):
    """The WeasyPrint document of `html` laid out with the style sheets `css` (their texts)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = make_url_fetcher(assets)
    font_config = FontConfiguration()
    sheets = [CSS(string=t, base_url=ASSET_BASE, url_fetcher=fetcher, font_config=font_config) for t in css]
    return HTML(string=html, base_url=ASSET_BASE, url_fetcher=fetcher).render(
        font_config=font_config, stylesheets=sheets)


def page_maps(htmls: list[str], assets: dict[str, bytes], css: list[str], *, draft: bool = False, pool=None,
              holding: str = ""):
    """Where each anchor of each markup lands (writers/pagemap.PageMap), from the layout of its
    sections without a joined file (render/pagefill.py tries chart sizes with it); None for a
    markup not laid out by section."""
    from . import sections
    sheets = _sheets(css, bool(htmls) and is_draft(htmls[0], draft))
    return sections.page_maps([strip_illegal(h) for h in htmls], assets or {}, sheets, pool=pool, holding=holding)


def _sheets(css: list[str], draft: bool) -> list[str]:
    """The style sheets' texts as laid out: cleaned, with the draft mark when it is a draft."""
    return [strip_illegal(c) for c in css] + ([draft_css()] if draft else [])


def render_pdf(html: str, assets: dict[str, bytes], css: list[str], *, draft: bool = False,
               parts: bool = True, pool=None, progress=None) -> bytes:
    """Render the markup to PDF bytes. `css`: base.css first, then the style's print.css.
    By sections (sections.py) unless `parts=False` or the markup is not a run of sections; `pool`:
    processes to lay the sections out in (pdfpool.py); `progress(done, total)`."""
    html = strip_illegal(html)
    sheets_text = _sheets(css, is_draft(html, draft))
    when = build_datetime().strftime("%Y-%m-%dT%H:%M:%SZ")
    meta = {"created": when, "modified": when}
    if parts:
        from . import sections
        try:
            data = sections.render(html, assets or {}, sheets_text, meta, pool=pool, progress=progress)
        except sections.Mismatch as e:
            log.warning("PDF laid out whole: %s", e)
            data = None
        if data is not None:
            return data
    doc = layout(html, assets or {}, sheets_text)
    for k, v in meta.items():
        if not getattr(doc.metadata, k, None):
            setattr(doc.metadata, k, v)
    h = hashlib.sha256()
    for part in (html, *sheets_text):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return doc.write_pdf(pdf_identifier=h.hexdigest()[:32].encode("ascii"), pdf_variant="pdf/ua-1")
