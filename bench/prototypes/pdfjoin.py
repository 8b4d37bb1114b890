"""PROTOTYPE, not used by disclosure-gen (see bench/results.md, "Tried and not kept"); needs pikepdf.

A long PDF laid out in parallel processes and joined with correct page numbers (speed, issue 6).

Every `<section>` of the markup starts a new page, so the body can be cut between sections into
parts that WeasyPrint lays out and paints independently: one part in this process, the others in
forked children (WeasyPrint is already imported, so a child starts at once). The parts are rendered
without margin boxes. A third, light document then gives what depends on the whole: the front
pages (cover, table of contents) and, for every body page, an empty page of the same page type
carrying that page's anchors — so WeasyPrint itself numbers the pages (`counter(page)`, the front
pages not counting) and fills the table of contents (`target-counter`). The join (pikepdf) puts
each body page under its numbered margin, keeps the front pages with their links, gathers the
named destinations of all parts, and rebuilds the outline from the parts' bookmarks in document
order with WeasyPrint's own algorithm.

`render_pdf` returns None whenever the markup or the CSS uses something a cut could change
(page-based selectors, running elements, cross references between parts…), when pikepdf or
fork() is missing, or when a part fails: the caller then renders the whole document serially.
"""
from __future__ import annotations

import io
import multiprocessing
import sys
import time
import os
import pickle
import re

# The share of the body this process lays out itself, by number of processes: it also lays out the
# front and numbered pages and joins, work worth about a third of a small document's body.
FIRST_SHARE = {2: 0.36, 3: 0.25, 4: 0.19}
# Below this much body markup the fork and the join cost more than they save.
MIN_BODY_CHARS = 20_000
_SECTION = re.compile(r"<section\b[^>]*>.*?</section>", re.S)
_OPEN = re.compile(r"<section\b([^>]*)>")
_CLASS = re.compile(r"""\bclass\s*=\s*["']([^"']*)["']""")
_ID_OR_NAME = re.compile(r"""\b(?:id|name)\s*=\s*["']([^"']+)["']""")
_HREF = re.compile(r"""\bhref\s*=\s*["']#([^"']+)["']""")
_MARGIN_BOX = re.compile(r"@((?:top|bottom|left|right)-[a-z-]+)")
# CSS a cut between sections could change: page selectors that depend on the page's position,
# running elements and named strings, counters other than the page counter.
_UNSAFE_CSS = re.compile(r"@page[^{]*:(?:first|left|right|blank|nth)|string-set|running\(|element\(|"
                         r"counter-(?:reset|set)|counter-increment\s*:(?!\s*page\b)|(?<![\w-])counter\(\s*(?!pages?\s*\))"
                         r"|counters\(|target-text|bookmark-state|footnote")


_T0 = time.perf_counter()


def _debug(what: str) -> None:
    if os.environ.get("DISCLOSURE_GEN_PDF_DEBUG"):
        print(f"pdfjoin {os.getpid()} {time.perf_counter() - _T0:7.3f} {what}", file=sys.stderr, flush=True)


def enabled(n_jobs: int | None = None) -> int:
    """How many processes to lay out with (1 = not in parallel)."""
    env = os.environ.get("DISCLOSURE_GEN_PDF_JOBS", "").strip()
    if env.isdigit():
        n = int(env)
    else:
        n = n_jobs or min(os.cpu_count() or 1, 4)
    if n < 2 or not hasattr(os, "fork"):
        return 1
    if multiprocessing.parent_process() is not None:   # a batch worker: the cores are taken
        return 1
    try:
        import pikepdf  # noqa: F401
    except ImportError:
        return 1
    return n


def split(html: str):
    """(head, front sections, body sections, tail), or None when the markup is not flat sections."""
    found = list(_SECTION.finditer(html))
    if len(found) < 3:
        return None
    secs = [m.group(0) for m in found]
    if any(s.count("<section") != 1 for s in secs):
        return None                                       # nested sections
    for a, b in zip(found, found[1:]):
        if html[a.end():b.start()].strip():
            return None                                   # content between sections
    head, tail = html[:found[0].start()], html[found[-1].end():]
    front = []
    for s in secs:
        classes = set((_CLASS.search(_OPEN.match(s).group(1)) or [None, ""])[1].split())
        if classes & {"cover", "toc"} and len(front) == secs.index(s):
            front.append(s)
        else:
            break
    return head, front, secs[len(front):], tail


def _cut(body: list[str], n: int, first_share: float | None = None) -> list[list[str]]:
    """n contiguous runs of sections; the first holds about `first_share` of the markup, the others
    share the rest equally (markup length stands for layout work)."""
    n = max(1, min(n, len(body)))
    first_share = 1 / n if first_share is None else first_share
    total = sum(len(s) for s in body)
    bounds = [first_share + (1 - first_share) * i / (n - 1) for i in range(n - 1)] if n > 1 else []
    parts, cur, acc = [], [], 0
    for i, s in enumerate(body):
        cur.append(s)
        acc += len(s)
        left_parts = n - len(parts) - 1
        if left_parts and len(body) - i - 1 >= left_parts and (
                acc >= total * bounds[len(parts)] or len(body) - i - 1 == left_parts):
            parts.append(cur)
            cur = []
    if cur:
        parts.append(cur)
    return parts


def _no_margin_boxes_css(css: list[str]) -> str:
    boxes = sorted({m.group(1) for c in css for m in _MARGIN_BOX.finditer(c)})
    return "@page { %s }" % " ".join("@%s { content: none !important; }" % b for b in boxes)


def _render_part(html: str, assets: dict, css: list[str], base_url: str, on_layout=None):
    """Lay out and paint one part. Returns (pdf bytes, pages, glyphs): pages = [(width, height, page
    name, anchor names, bookmarks)] as WeasyPrint gives them (CSS px), glyphs = {font key: (glyph id →
    text, glyph id → width)}. `on_layout(pages)` is called between layout and painting."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from disclosure_gen.writers.pdf import make_url_fetcher
    fetcher = make_url_fetcher(assets)
    fc = FontConfiguration()
    sheets = [CSS(string=t, base_url=base_url, url_fetcher=fetcher, font_config=fc) for t in css]
    _debug("part: layout")
    doc = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(font_config=fc, stylesheets=sheets)
    _debug(f"part: {len(doc.pages)} pages laid out")
    pages = [(p.width, p.height, p._page_box.page_type.name or "", list(p.anchors), list(p.bookmarks))
             for p in doc.pages]
    if on_layout is not None:
        on_layout(pages)
    data = doc.write_pdf()
    _debug("part: painted")
    glyphs: dict[str, tuple[dict, dict]] = {}
    for font in doc.fonts.values():
        to_unicode, widths = glyphs.setdefault(font.hash, ({}, {}))
        to_unicode.update(font.to_unicode)
        widths.update(font.widths)
    return data, pages, glyphs


def _send(fh, kind, value) -> None:
    data = pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(len(data).to_bytes(8, "little") + data)
    fh.flush()


class _Child:
    """A forked child rendering one part; its messages (pages after layout, then the result) are
    read by a thread as they come, so the child never waits on a full pipe."""

    def __init__(self, *args):
        import threading
        r, w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:                                   # pragma: no cover - runs in the child
            status = 0
            try:
                os.close(r)
                with os.fdopen(w, "wb") as fh:
                    try:
                        _send(fh, "done", _render_part(*args, on_layout=lambda pages: _send(fh, "pages", pages)))
                    except BaseException as e:              # noqa: BLE001 - reported to the parent
                        _send(fh, "error", f"{type(e).__name__}: {e}")
                        status = 1
            finally:
                os._exit(status)
        os.close(w)
        self.messages: dict[str, object] = {}
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(r,), daemon=True)
        self.thread.start()

    def _read(self, r):
        with os.fdopen(r, "rb") as fh:
            while True:
                head = fh.read(8)
                if len(head) < 8:
                    break
                kind, value = pickle.loads(fh.read(int.from_bytes(head, "little")))
                with self.cond:
                    self.messages[kind] = value
                    self.cond.notify_all()
        with self.cond:
            self.messages.setdefault("error", "PDF part process ended without a result")
            self.cond.notify_all()

    def get(self, kind):
        with self.cond:
            self.cond.wait_for(lambda: kind in self.messages or "error" in self.messages)
            if kind in self.messages:
                return self.messages[kind]
            raise RuntimeError(self.messages["error"])

    def reap(self):
        self.thread.join()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def render_pdf(html: str, assets: dict[str, bytes], css: list[str], base_url: str, metadata,
               identifier: bytes | None = None, n_jobs: int | None = None) -> bytes | None:
    """The joined PDF, or None when this document should be rendered serially.

    `css` is the complete list of style sheets (base, style, draft); `metadata(doc)` sets the
    document metadata (dates) on the WeasyPrint document of the front/number pages."""
    n = enabled(n_jobs)
    if n < 2 or any(_UNSAFE_CSS.search(c) for c in css):
        return None
    parts_ = split(html)
    if parts_ is None:
        return None
    head, front, body, tail = parts_
    if sum(len(s) for s in body) < MIN_BODY_CHARS or len(body) < 2:
        return None
    # this process also lays out the front and numbered pages and joins: it takes a smaller share
    share = float(os.environ.get("DISCLOSURE_GEN_PDF_SHARE", "0") or 0) or FIRST_SHARE.get(n, 1 / n)
    parts = _cut(body, n, first_share=share)
    if len(parts) < 2:
        return None
    # cross references must stay inside their part (only the front may point anywhere)
    for sections in parts:
        text = "".join(sections)
        ids = set(_ID_OR_NAME.findall(text))
        if any(h not in ids for h in _HREF.findall(text)):
            return None

    part_css = css + [_no_margin_boxes_css(css)]
    children = [_Child(head + "\n".join(p) + tail, assets, part_css, base_url) for p in parts[1:]]
    try:
        first = _render_part(head + "\n".join(parts[0]) + tail, assets, part_css, base_url)
        return _join(head, front, tail, first, children, assets, css, base_url, metadata, identifier)
    except Exception:                                      # noqa: BLE001 - fall back to one process
        return None
    finally:
        for c in children:
            c.reap()


def _numbers_markup(head, front, tail, all_pages) -> str:
    """The front sections, then one empty page per body page of the same page type, holding that
    page's anchors: WeasyPrint numbers these pages and resolves the table of contents."""
    out = [head] + front
    k = 0
    for pages in all_pages:
        for _w, _h, name, anchors, _bm in pages:
            stubs = f'<a id="pdfjoin-p{k}"></a>' + "".join(f'<a id="{_attr(a)}"></a>' for a in anchors)
            k += 1
            style = f' style="page: {name}"' if name else ""
            out.append(f'<section class="pdfjoin-page"{style}>{stubs}</section>')
    out.append(tail)
    return "\n".join(out)


def _attr(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _join(head, front, tail, first, children, assets, css, base_url, metadata, identifier) -> bytes | None:
    import pikepdf
    from weasyprint import CSS, HTML
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix
    from weasyprint.text.fonts import FontConfiguration

    from disclosure_gen.writers.pdf import make_url_fetcher

    fetcher = make_url_fetcher(assets)
    fc = FontConfiguration()
    stub_css = "section.pdfjoin-page { break-before: page; margin: 0; padding: 0; border: 0; }"
    sheets = [CSS(string=t, base_url=base_url, url_fetcher=fetcher, font_config=fc) for t in css + [stub_css]]
    _debug("numbers: waiting for the parts' pages")
    all_pages = [first[1]] + [c.get("pages") for c in children]
    _debug("numbers: layout")
    doc = HTML(string=_numbers_markup(head, front, tail, all_pages), base_url=base_url,
               url_fetcher=fetcher).render(font_config=fc, stylesheets=sheets)
    n_front = len(doc.pages) - sum(len(pages) for pages in all_pages)
    if n_front < 0 or n_front > len(front) * 20:
        return None
    # page sizes must agree, page for page
    body_sizes = [(w, h) for pages in all_pages for w, h, *_ in pages]
    if any(abs(p.width - w) > 0.01 or abs(p.height - h) > 0.01 or f"pdfjoin-p{i}" not in p.anchors
           for i, (p, (w, h)) in enumerate(zip(doc.pages[n_front:], body_sizes))):
        return None
    metadata(doc)
    front_bookmarks = [(p.height, list(p.bookmarks)) for p in doc.pages[:n_front]]
    _debug("numbers: waiting for the parts' glyphs")
    results = [first] + [c.get("done") for c in children]
    _debug("numbers: paint")
    numbers = pikepdf.Pdf.open(io.BytesIO(_write_with_glyphs(doc, [g for _pdf, _pages, g in results])))
    del doc
    _debug("join: pages")
    shared_fonts = {}                                     # font key -> the one font dictionary
    for page in numbers.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font") if "/Resources" in page.obj else None
        if fonts is not None:
            for key, font in fonts.items():
                shared_fonts.setdefault(key, font)

    out = pikepdf.Pdf.new()
    out.docinfo = _copy(out, numbers, numbers.docinfo)
    for key in ("/Lang", "/ViewerPreferences", "/PageMode", "/MarkInfo"):
        if key in numbers.Root:
            out.Root[key] = _copy(out, numbers, numbers.Root[key])
    for i in range(n_front):
        out.pages.append(numbers.pages[i])
    names: dict[str, object] = {}
    k = n_front
    parts = []
    for pdf_bytes, pages, _g in results:
        part = pikepdf.Pdf.open(io.BytesIO(pdf_bytes))
        parts.append(part)
        for i, page in enumerate(part.pages):
            out.pages.append(page)
            new = out.pages[-1]
            fonts = new.obj.Resources.get("/Font") if "/Resources" in new.obj else None
            if fonts is not None:
                for key in list(fonts.keys()):
                    if key in shared_fonts:           # one subset of each font for the whole file
                        fonts[key] = out.copy_foreign(shared_fonts[key])
            new.add_overlay(numbers.pages[k + i])
        k += len(part.pages)
        # named destinations: copied after the pages, so they point at the copies
        tree = part.Root.get("/Names", {}).get("/Dests") if "/Names" in part.Root else None
        if tree is not None:
            for name, dest in pikepdf.NameTree(tree).items():
                if name not in names:
                    names[name] = _copy(out, part, dest)
    for name, dest in pikepdf.NameTree(numbers.Root.Names.Dests).items() if (
            "/Names" in numbers.Root and "/Dests" in numbers.Root.Names) else ():
        if name not in names:                              # anchors of the front pages
            names[name] = _copy(out, numbers, dest)
    if names:
        arr = pikepdf.Array()
        for name in sorted(names):
            arr.append(pikepdf.String(name))
            arr.append(names[name])
        out.Root.Names = pikepdf.Dictionary(Dests=out.make_indirect(pikepdf.Dictionary(Names=arr)))

    # outline: WeasyPrint's algorithm over the bookmarks of all pages in order
    class _P:
        def __init__(self, height, bookmarks):
            self.height, self.bookmarks = height, bookmarks
    all_pages = front_bookmarks + [(h, bm) for pages in all_pages for _w, h, _n, _a, bm in pages]
    root, skipped, last_by_depth, previous = [], [], None, 0
    last_by_depth = [root]
    scale = 0.75
    for number, (height, bm) in enumerate(all_pages):
        previous = make_page_bookmark_tree(_P(height, bm), skipped, last_by_depth, previous, number,
                                           Matrix(a=scale, d=-scale, f=height * scale))
    if root:
        _outlines(out, root)

    _debug("join: save")
    buf = io.BytesIO()
    out.save(buf, deterministic_id=identifier is None, static_id=False,
             object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=True,
             stream_decode_level=pikepdf.StreamDecodeLevel.none)
    data = buf.getvalue()
    if identifier is not None:
        fixed = pikepdf.Pdf.open(io.BytesIO(data))
        fixed.trailer.ID = pikepdf.Array([pikepdf.String(identifier), pikepdf.String(identifier)])
        buf = io.BytesIO()
        fixed.save(buf, static_id=True, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                   stream_decode_level=pikepdf.StreamDecodeLevel.none)
        data = buf.getvalue()
    _debug("join: done")
    return data


def _write_with_glyphs(doc, glyph_sets) -> bytes:
    """doc.write_pdf(), its font subsets also holding the glyphs the parts use (same glyph ids:
    WeasyPrint subsets with retained glyph ids), so that one subset of each font serves all pages."""
    import weasyprint.pdf as wpdf
    original = wpdf.build_fonts_dictionary

    def build(pdf, fonts, *args, **kwargs):
        for font in fonts.values():
            for glyphs in glyph_sets:
                if font.hash in glyphs:
                    to_unicode, widths = glyphs[font.hash]
                    font.to_unicode.update(to_unicode)
                    font.widths.update(widths)
        return original(pdf, fonts, *args, **kwargs)

    wpdf.build_fonts_dictionary = build
    try:
        return doc.write_pdf()
    finally:
        wpdf.build_fonts_dictionary = original


def _copy(out, src, obj):
    """`obj` of pdf `src` in pdf `out` (arrays and dictionaries through an indirect copy)."""
    import pikepdf
    if isinstance(obj, (pikepdf.Array, pikepdf.Dictionary)) or (
            isinstance(obj, pikepdf.Object) and obj._type_code in (pikepdf.ObjectType.array,
                                                                   pikepdf.ObjectType.dictionary)):
        if not obj.is_indirect:
            obj = src.make_indirect(obj)
        return out.copy_foreign(obj)
    return obj


def _outlines(pdf, tree) -> None:
    """The outline dictionaries, as weasyprint.pdf.anchors.add_outlines writes them."""
    import pikepdf

    def add(items, parent):
        count = len(items)
        made = []
        for title, (page, x, y), children, state in items:
            o = pdf.make_indirect(pikepdf.Dictionary(
                Title=pikepdf.String(title),
                Dest=pikepdf.Array([pdf.pages[page].obj, pikepdf.Name.XYZ, x, y, 0])))
            kids, kids_count = add(children, o)
            o.Count = -kids_count if state == "closed" else kids_count
            if state != "closed":
                count += kids_count
            if made:
                o.Prev = made[-1]
                made[-1].Next = o
            if kids:
                o.First, o.Last = kids[0], kids[-1]
            if parent is not None:
                o.Parent = parent
            made.append(o)
        return made, count

    made, count = add(tree, None)
    top = pdf.make_indirect(pikepdf.Dictionary(Count=count, First=made[0], Last=made[-1]))
    for o in made:
        o.Parent = top
    pdf.Root.Outlines = top
