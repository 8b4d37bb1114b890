"""Document properties (title, author, subject, dates) carried by the markup's <head> and written into
the DOCX core and application properties (WeasyPrint reads the same <meta> names for the PDF).

The markup says <title>, <meta name="author">, <meta name="description"> (the subject) and
<meta name="dcterms.created"/"dcterms.modified"> (ISO dates). A missing date falls back to
SOURCE_DATE_EPOCH / the fixed build date (markup.build_datetime).
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from .markup import build_datetime

_CN_DATE = re.compile(r"(\d{4})\s*(?:年|[-./])\s*(\d{1,2})\s*(?:月|[-./])?\s*(?:(\d{1,2})\s*日?)?")


def iso_date(text: str | None) -> str | None:
    """'2024年6月09日' / '2024-06-09' / '2024年6月' → '2024-06-09' / '2024-06-01'; None if not a date."""
    m = _CN_DATE.search(text or "")
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
    try:
        return _dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


def document_date(publish_date: str | None, year: int) -> str:
    """The date a disclosure is dated: its publish date, else 1 January of its budget year."""
    return iso_date(publish_date) or _dt.date(int(year), 1, 1).isoformat()


@dataclass
class Meta:
    title: str = ""
    author: str = ""
    subject: str = ""
    keywords: str = ""
    created: _dt.datetime | None = None
    modified: _dt.datetime | None = None


def _when(value: str | None) -> _dt.datetime | None:
    if not value:
        return None
    try:
        d = _dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        iso = iso_date(value)
        if not iso:
            return None
        d = _dt.datetime.fromisoformat(iso)
    if d.tzinfo is not None:
        d = d.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    if not 1980 <= d.year <= 2107:
        return None
    return d


def from_markup(root, plain_text) -> Meta:
    """The properties an lxml HTML tree states in its <head>."""
    head = root.find(".//head")
    meta = Meta()
    t = root.find(".//title")
    meta.title = plain_text(t) if t is not None else ""
    if head is None:
        return meta
    by_name = {}
    for m in head.iter("meta"):
        name = (m.get("name") or "").strip().lower()
        if name and name not in by_name:
            by_name[name] = (m.get("content") or "").strip()
    meta.author = by_name.get("author", "")
    meta.subject = by_name.get("description", "") or by_name.get("subject", "")
    meta.keywords = by_name.get("keywords", "")
    meta.created = _when(by_name.get("dcterms.created"))
    meta.modified = _when(by_name.get("dcterms.modified")) or meta.created
    return meta


def dates(meta: Meta) -> tuple[_dt.datetime, _dt.datetime]:
    fallback = build_datetime().replace(tzinfo=None)
    return meta.created or fallback, meta.modified or meta.created or fallback


APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Template>Normal.dotm</Template><TotalTime>0</TotalTime><Application>disclosure-gen</Application>"
    "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
    "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def set_app_properties(doc):
    """Replace python-docx's template app.xml (it names "Microsoft Macintosh Word" 14.0) with ours."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    for rel in doc.part.package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES and not rel.is_external:
            rel.target_part._blob = APP_XML.encode("utf-8")
