"""No page holding a few lines only because a page of the other orientation follows.

Every <section> starts a page, and a landscape section (the 绩效目标表 of a Shanxi part 3, a wide table)
cannot share a page with the portrait text before it. When that text runs a few lines onto a new page,
the page holds those lines and nothing else (gaoping: three lines, then the landscape tables). Text cannot
flow around the switch, so the text before it has to end a page earlier: what can give room without
changing a word is the charts, whose blocks are the tallest unbreakable things in a text (a chart and its
caption never split, base.css).

The PDF is laid out once with an empty marker at the start and the end of every portrait section that a
section of another orientation follows; the named destinations of the markers (pagemap.py) tell on which
page the section's text ends and how far down. If the last page holds less than `SHORT_TAIL` of a page,
and the section has charts, it is laid out again with its charts smaller (`SCALES`, in turn) and the
smaller version is kept when the section then ends a page earlier. The charts' size is written into the
markup (`style="width:…mm"` on the img), so the DOCX draws them at the same size and paginates alike.
Sections are cached by their markup (writers/sections.py), so a retry lays out only the changed section.
"""
from __future__ import annotations

import re

SCALES = (0.85, 0.75)          # chart sizes tried, of the style's width
SHORT_TAIL = 0.2               # a last page filled less than this (of the text height) is a short tail
CHART_WIDTH_MM = 140.0         # the chart width when the markup gives none (DOCX: 14 cm; Shanxi print.css)

_SECTION = re.compile(r'<section\b[^>]*>.*?</section>', re.S)
_CLASS = re.compile(r'^<section\b[^>]*\bclass="([^"]*)"')
_CHART_IMG = re.compile(r'(<figure class="chart[^"]*">(?:(?!</figure>).)*?<img\b)([^>]*>)', re.S)
START, END = "flow-start-", "flow-end-"


def _orient(block: str) -> str:
    m = _CLASS.match(block)
    cls = m.group(1).split() if m else []
    if "cover" in cls or "toc" in cls:
        return "front"
    return "landscape" if "landscape" in cls else "portrait"


def candidates(html: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the portrait body sections followed by a section of another orientation
    that hold a chart."""
    blocks = list(_SECTION.finditer(html))
    out = []
    for a, b in zip(blocks, blocks[1:]):
        if _orient(a.group(0)) == "portrait" and _orient(b.group(0)) not in ("portrait", "front") \
                and _CHART_IMG.search(a.group(0)):
            out.append((a.start(), a.end()))
    return out


def mark(html: str) -> tuple[str, list[str]]:
    """The markup with empty markers at the start and end of each candidate section; the markers' numbers."""
    spans = candidates(html)
    if not spans:
        return html, []
    out, pos, names = [], 0, []
    for i, (s, e) in enumerate(spans):
        block = html[s:e]
        head = re.match(r"<section\b[^>]*>", block).group(0)
        body = block[len(head):-len("</section>")]
        out += [html[pos:s], head[:-1] + ' data-layout="alone">', f'<div class="flow-mark" id="{START}{i}"></div>', body,
                f'<div class="flow-mark" id="{END}{i}"></div>', "</section>"]
        pos = e
        names.append(str(i))
    out.append(html[pos:])
    return "".join(out), names


def short_tails(pdf, names: list[str], text_height: float = 842 - 133) -> list[str]:
    """The marked sections whose text ends on a page of its own holding less than SHORT_TAIL of a page
    (`pdf`: the PDF, or its PageMap)."""
    from ..writers.pagemap import PageMap, page_map
    pm = pdf if isinstance(pdf, PageMap) else page_map(pdf)
    if not pm:
        return []
    portrait_tops = [g for n, g in pm.gaps.items() if not pm.landscape.get(pm.pages[n])]
    top = min(portrait_tops) if portrait_tops else 0.0
    out = []
    for n in names:
        s, e = START + n, END + n
        if s not in pm.pages or e not in pm.pages or e not in pm.gaps:
            continue
        if pm.pages[e] > pm.pages[s] and (pm.gaps[e] - top) < SHORT_TAIL * text_height:
            out.append(n)
    return out


def scale_charts(html: str, n: str, scale: float) -> str:
    """The markup with the charts of marked section `n` drawn at `scale` of their width."""
    s = html.find(f'id="{START}{n}"')
    e = html.find(f'id="{END}{n}"')
    if s < 0 or e < 0:
        return html

    def one(m):
        attrs = m.group(2)
        width = re.search(r"width:\s*([\d.]+)mm", attrs)
        base = float(width.group(1)) if width else CHART_WIDTH_MM
        style = f"width:{base * scale:.1f}mm"
        if 'style="' in attrs:
            attrs = re.sub(r'style="[^"]*"', f'style="{style}"', attrs, count=1)
        else:
            attrs = f' style="{style}"' + attrs
        return m.group(1) + attrs

    return html[:s] + _CHART_IMG.sub(one, html[s:e]) + html[e:]


def unmark(html: str) -> str:
    html = re.sub(r'<div class="flow-mark" id="flow-(?:start|end)-\d+"></div>', "", html)
    return re.sub(r'(<section\b[^>]*?) data-layout="alone">', r"\1>", html)


def fill(html: str, lay_out, probe=None, ahead: bool = False) -> tuple[str, bytes]:
    """(markup, PDF): the markup laid out by `lay_out` (markup → PDF bytes), with the charts of a section
    made smaller where that keeps the section's last lines off a page of their own. `probe` (markups →
    a PageMap or None for each) tells where the anchors land without making the PDF; the marked
    sections are laid out on their own, so the trials lay out those sections only, all at once. With
    `ahead` (processes to spare) the trials are asked for with the first layout, before it is known
    whether they are needed. The markup returned is the one the PDF was made from, markers left out
    (for the DOCX)."""
    marked, names = mark(html)
    if not names:
        return html, lay_out(marked)
    from ..writers.pagemap import page_map
    look = probe or (lambda hs: [None] * len(hs))
    early = [scale_charts(marked, n, s) for n in names for s in SCALES] if ahead and probe else []
    first = look([marked, *early])[0]
    pdf = None if first else lay_out(marked)
    for n in short_tails(first or pdf, names):
        before = (first or page_map(pdf)).pages.get(END + n)
        trials = [scale_charts(marked, n, scale) for scale in SCALES]
        seen = look(trials)
        for trial, pm in zip(trials, seen):
            trial_pdf = None if pm else lay_out(trial)
            after = (pm or page_map(trial_pdf)).pages.get(END + n)
            if before is not None and after is not None and after < before:
                marked, pdf = trial, trial_pdf
                break
    return unmark(marked), pdf if pdf is not None else lay_out(marked)
