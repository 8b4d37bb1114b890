"""Column widths from content, for tables a template marks `class="… fit"`.

The template's colgroup percentages suit typical figures; a 部门 file's 10,376.05 in a 4.66 % column
runs across the borders (PDF) or breaks inside the number (DOCX), and always-empty columns take as much
room as used ones. For a fit table the colgroup is rewritten before either writer sees the markup, so
the PDF and the DOCX get the same widths:

- a column never gets less than its widest unbreakable text (amounts, codes: td.num / td.code) needs;
- a column whose cells are all empty gets only what its header needs at two characters a line;
- what is left is shared by the columns whose text wraps, in proportion to how much longer their
  text is than their minimum.

Widths are estimated from character classes (CJK 1 em, digits and Latin 0.55 em) at the table's font
size; the result is in percent, as the templates write it.
"""
from __future__ import annotations

import re

_TABLE = re.compile(r'<table\b[^>]*\bclass="[^"]*\bfit\b[^"]*"[^>]*>.*?</table>', re.S)
_COLGROUP = re.compile(r"<colgroup>.*?</colgroup>", re.S)
_SECTION_OPEN = re.compile(r'<section\b[^>]*class="([^"]*)"')

# geometry of the two page kinds (base.css): text width in pt, table font size in pt
TEXT_WIDTH = {"portrait": 481.9, "landscape": 739.8}
FONT = 8.0                        # compact tables (base.css table.compact; docx compact_size 16)
PAD = 2 * 1.5 + 0.5               # cell padding left + right (table.compact: 1.5 pt), and the border, in pt


def text_em(text: str) -> float:
    """Width of a text in em."""
    w = 0.0
    for ch in text:
        o = ord(ch)
        if ch.isspace():
            w += 0.3
        elif o < 0x2000:
            w += 0.55
        else:
            w += 1.0
    return w


def _cells(table):
    """(row index, column, colspan, cell) of every cell, rowspans resolved."""
    rows = [tr for tr in table.iter("tr")]
    taken: set[tuple[int, int]] = set()
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            cs = max(1, int(cell.get("colspan", "1") or 1))
            rs = max(1, int(cell.get("rowspan", "1") or 1))
            for dr in range(rs):
                for dc in range(cs):
                    taken.add((r + dr, c + dc))
            yield r, c, cs, cell
            c += cs


def lone_last(n: int, k: int) -> bool:
    """A text of n characters at k a line leaves one character alone on its last line."""
    return k > 0 and n > k and n % k == 1


def fit_widths(table_html: str, orient: str, font: float = FONT) -> list[float] | None:
    """Percent widths of the columns of one table (None if it cannot be read). Columns are whole
    characters wide (plus padding and a little slack), so the lines of each cell are known: a width that
    would leave one character alone on a cell's last line is changed by a character."""
    import math

    import lxml.html
    try:
        table = lxml.html.fragment_fromstring(table_html)
    except Exception:
        return None
    cells = list(_cells(table))
    if not cells:
        return None
    n = max(c + cs for _r, c, cs, _cell in cells)
    em = font
    k_min = [2] * n                      # an empty column: its header two characters a line
    k_pref = [2] * n
    wrapping: list[list[int]] = [[] for _ in range(n)]     # lengths (em) of the texts that wrap there
    used: set[int] = set()                                 # columns with data
    for _r, c, cs, cell in cells:
        text = re.sub(r"\s+", " ", cell.text_content()).strip()
        if cs != 1 or not text:
            continue
        cls = set((cell.get("class") or "").split())
        length = math.ceil(text_em(text) - 1e-9)
        if cell.tag == "td" and cls & {"num", "code"} and "wrap" not in cls:
            k_min[c] = max(k_min[c], length)                # never broken
        else:
            k_min[c] = max(k_min[c], min(length, 4 if cell.tag == "td" else 2))
            wrapping[c].append(length)
        if cell.tag == "td":              # a header wraps: it does not widen its column
            k_pref[c] = max(k_pref[c], length)
            used.add(c)
    slack = 0.3 * em
    total = TEXT_WIDTH[orient]
    capacity = int((total - n * (PAD + slack)) // em)
    k = list(k_min)
    spare = capacity - sum(k)
    if spare > 0:                         # widen the columns whose text wraps, one character at a time
        while spare > 0:
            want = [(k_pref[c] - k[c], -c) for c in range(n) if k_pref[c] > k[c]]
            if not want:
                break
            _gap, neg_c = max(want)
            k[-neg_c] += 1
            spare -= 1
        filled = sorted(used) or list(range(n))
        i = 0
        while spare > 0:                  # what nobody needs: to the columns with data, in turn
            k[filled[i % len(filled)]] += 1
            spare -= 1
            i += 1
    for c in range(n):                    # no cell of the column leaves a character alone
        if not any(lone_last(x, k[c]) for x in wrapping[c]):
            continue
        for step in (-1, 1, -2, 2, -3, 3):
            kk = k[c] + step
            if kk < max(2, k_min[c]) or (step > 0 and spare < step):
                continue
            if not any(lone_last(x, kk) for x in wrapping[c]):
                spare -= step
                k[c] = kk
                break
    widths = [kc * em + PAD + slack for kc in k]
    rest = max(0.0, total - sum(widths))
    widths = [w + rest / n for w in widths]           # under a character per column: lines unchanged
    s = sum(widths)
    return [round(100 * w / s, 2) for w in widths]


def fit_tables(html: str, font: float = FONT) -> str:
    """The markup with the colgroup of every `table.fit` rewritten from its content (`font`: the tables'
    font size in pt, the same in the PDF and the DOCX)."""
    if 'fit' not in html:
        return html
    out, pos = [], 0
    for m in _TABLE.finditer(html):
        sect = None
        for s in _SECTION_OPEN.finditer(html, 0, m.start()):
            sect = s
        orient = "landscape" if sect and "landscape" in sect.group(1).split() else "portrait"
        widths = fit_widths(m.group(0), orient, font)
        block = m.group(0)
        if widths:
            cols = "".join(f'<col style="width:{w}%">' for w in widths)
            if _COLGROUP.search(block):
                block = _COLGROUP.sub(f"<colgroup>{cols}</colgroup>", block, count=1)
            else:
                block = re.sub(r"(<table\b[^>]*>)", rf"\1<colgroup>{cols}</colgroup>", block, count=1)
        out.append(html[pos:m.start()])
        out.append(block)
        pos = m.end()
    out.append(html[pos:])
    return "".join(out)


# ---- a small table stays portrait -------------------------------------------------------------------
_AUTO_SECTION = re.compile(r'<section\b[^>]*class="([^"]*\bauto-orient\b[^"]*)"[^>]*>.*?</section>', re.S)
PORTRAIT_ROWS = 30               # rows a portrait page holds with its title, meta line and notes


def natural_width(table_html: str, font: float) -> float | None:
    """Points a table needs for its data cells on one line each (headers may wrap)."""
    import math

    import lxml.html
    try:
        table = lxml.html.fragment_fromstring(table_html)
    except Exception:
        return None
    need: dict[int, int] = {}
    n = 0
    for _r, c, cs, cell in _cells(table):
        n = max(n, c + cs)
        if cell.tag != "td" or cs != 1:
            continue
        text = re.sub(r"\s+", " ", cell.text_content()).strip()
        need[c] = max(need.get(c, 2), math.ceil(text_em(text)))
    return sum(need.get(c, 2) * font + PAD for c in range(n))


def orient_sections(html: str, font: float = 9.0) -> str:
    """A `section.landscape.auto-orient` holding one table that fits a portrait page — its data on one
    line per cell within the portrait width, and few enough rows — is printed portrait instead (a small
    table alone on a landscape page between portrait ones)."""
    if "auto-orient" not in html:
        return html

    def one(m):
        block = m.group(0)
        tables = re.findall(r"<table\b.*?</table>", block, re.S)
        if len(tables) != 1 or "landscape" not in m.group(1).split():
            return block
        width = natural_width(tables[0], font)
        rows = len(re.findall(r"<tr\b", tables[0]))
        if width is None or width > TEXT_WIDTH["portrait"] or rows > PORTRAIT_ROWS:
            return block
        cls = " ".join("portrait" if c == "landscape" else c for c in m.group(1).split())
        return block.replace(f'class="{m.group(1)}"', f'class="{cls}"', 1)

    return _AUTO_SECTION.sub(one, html)
