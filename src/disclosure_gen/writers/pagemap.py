"""Where the PDF put each anchor: the DOCX takes its contents page numbers and its page breaks from it.

WeasyPrint writes a named destination for every element with an id: [page /XYZ left top zoom]. An anchor
whose top lies within `TOP_SLACK` points of the page's top margin opens its page (the PDF broke the
page right before it). Read with pikepdf (already a dependency); nothing is changed in the PDF.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

TOP_SLACK = 10.0          # points below the top margin that still count as "the first thing on the page"


@dataclass
class PageMap:
    pages: dict[str, int] = field(default_factory=dict)      # id → page index (0-based)
    gaps: dict[str, float] = field(default_factory=dict)     # id → distance (pt) of its top from the page's top edge
    landscape: dict[int, bool] = field(default_factory=dict)  # page index → wider than high
    count: int = 0                                           # pages of the PDF

    def __bool__(self) -> bool:
        return bool(self.pages)

    def opens(self, name: str, top_margin: dict[str, float]) -> bool:
        """Whether the anchor is the first thing on its page: its top within TOP_SLACK of the page's top
        margin (`top_margin`: points, by orientation)."""
        if name not in self.gaps:
            return False
        orient = "landscape" if self.landscape.get(self.pages[name]) else "portrait"
        return self.gaps[name] - top_margin[orient] <= TOP_SLACK


def page_map(pdf: bytes | None) -> PageMap:
    """The page of every named destination of a PDF; an empty map if the PDF cannot be read."""
    if not pdf:
        return PageMap()
    try:
        import pikepdf
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            index = {p.obj.objgen: i for i, p in enumerate(doc.pages)}
            names = doc.Root.get("/Names")
            dests = names.get("/Dests") if names is not None else None
            out = PageMap(count=len(doc.pages))
            if dests is None:
                return out
            heights = {}
            for i, p in enumerate(doc.pages):
                x0, y0, x1, y1 = (float(v) for v in p.mediabox)
                heights[i] = y1
                out.landscape[i] = (x1 - x0) > (y1 - y0)
            for name, dest in pikepdf.NameTree(dests).items():
                try:
                    page = index[dest[0].objgen]
                    y = float(dest[3]) if len(dest) > 3 and dest[1] == pikepdf.Name.XYZ else None
                except (KeyError, IndexError, TypeError, ValueError, AttributeError):
                    continue
                out.pages[str(name)] = page
                if y is not None:
                    out.gaps[str(name)] = heights[page] - y
            return out
    except Exception:          # a PDF we cannot read gives a DOCX without prefilled numbers, never an error
        return PageMap()
