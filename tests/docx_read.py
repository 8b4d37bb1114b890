"""A DOCX read the way Word resolves it: each run's font and size come from the run's own properties,
else its character style, else its paragraph's style (and the styles it is based on), else the document
defaults. Used to check that restyling works: no run overrides its style."""
from __future__ import annotations

import io
import zipfile

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
DIRECT_RUN_PROPS = {"b", "bCs", "rStyle"}          # what the markup means; nothing else on a run


def parts(data) -> dict[str, bytes]:
    src = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    with zipfile.ZipFile(src) as z:
        return {n: z.read(n) for n in z.namelist()}


class Styles:
    def __init__(self, styles_xml: bytes):
        root = etree.fromstring(styles_xml)
        self.by_id = {s.get(f"{W}styleId"): s for s in root.iter(f"{W}style")}
        self.names = {sid: s.find(f"{W}name").get(f"{W}val") for sid, s in self.by_id.items()}
        self.defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.default_para = next((sid for sid, s in self.by_id.items()
                                  if s.get(f"{W}type") == "paragraph" and s.get(f"{W}default") == "1"), None)

    def chain(self, sid):
        seen = []
        while sid and sid in self.by_id and sid not in seen:
            seen.append(sid)
            b = self.by_id[sid].find(f"{W}basedOn")
            sid = b.get(f"{W}val") if b is not None else None
        return seen

    def style_rpr(self, sid, tag, attr=None):
        for s in self.chain(sid):
            el = self.by_id[s].find(f"{W}rPr/{W}{tag}")
            if el is not None and (attr is None or el.get(f"{W}{attr}") is not None):
                return el.get(f"{W}{attr or 'val'}")
        return None

    def style_ppr(self, sid, tag, attr="val"):
        for s in self.chain(sid):
            el = self.by_id[s].find(f"{W}pPr/{W}{tag}")
            if el is not None and el.get(f"{W}{attr}") is not None:
                return el.get(f"{W}{attr}")
        return None


def para_style(p) -> str | None:
    st = p.find(f"{W}pPr/{W}pStyle")
    return st.get(f"{W}val") if st is not None else None


def effective(styles: Styles, p, r, tag: str, attr: str | None = None):
    """The value of run property `tag` (attribute `attr`, default w:val) as Word applies it."""
    own = r.find(f"{W}rPr/{W}{tag}")
    if own is not None and own.get(f"{W}{attr or 'val'}") is not None:
        return own.get(f"{W}{attr or 'val'}")
    rs = r.find(f"{W}rPr/{W}rStyle")
    if rs is not None:
        v = styles.style_rpr(rs.get(f"{W}val"), tag, attr)
        if v is not None:
            return v
    v = styles.style_rpr(para_style(p) or styles.default_para, tag, attr)
    if v is not None:
        return v
    el = styles.defaults.find(f"{W}{tag}") if styles.defaults is not None else None
    return el.get(f"{W}{attr or 'val'}") if el is not None else None


def text_runs(data, story: str = "word/document.xml"):
    """(paragraph, run, text) for every run with text in a story."""
    root = etree.fromstring(parts(data)[story])
    for p in root.iter(f"{W}p"):
        for r in p.iterfind(f".//{W}r"):
            text = "".join(t.text or "" for t in r.iter(f"{W}t"))
            if text:
                yield p, r, text


def run_overrides(r) -> set[str]:
    """Run properties set on the run itself beyond what the markup means (bold, a character style)."""
    rpr = r.find(f"{W}rPr")
    if rpr is None:
        return set()
    return {etree.QName(c).localname for c in rpr} - DIRECT_RUN_PROPS
