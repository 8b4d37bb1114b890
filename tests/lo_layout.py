"""The lines of a PDF as a reader sees them: words (pdftotext -bbox) on one baseline and less than half a
character apart are one line. Used on LibreOffice's print of the DOCX to find a character alone on a line."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")


def flat(s: str) -> str:
    return re.sub(r"\s+", "", s).translate(_INVISIBLE)


def lines(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, the text lines as (x0, y0, x1, y1, text)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True).stdout.decode()
    pages = []
    for page in re.findall(r"<page .*?</page>", out, re.S):
        words = sorted(((float(a), float(b), float(c), float(d), t) for a, b, c, d, t in _WORD.findall(page)),
                       key=lambda w: (round(w[3]), w[0]))
        ls: list[tuple[float, float, float, float, str]] = []
        for w in words:
            h = w[3] - w[1]
            for i, ln in enumerate(ls):
                if abs(ln[3] - w[3]) < 0.2 * h and -0.5 * h <= w[0] - ln[2] < 0.5 * h:
                    ls[i] = (ln[0], min(ln[1], w[1]), w[2], max(ln[3], w[3]), ln[4] + w[4])
                    break
            else:
                ls.append(w)
        pages.append(ls)
    return pages


def markup_texts(html: Path) -> set[str]:
    """The texts of the cells, headings, titles and paragraphs of the markup (white space removed)."""
    import lxml.html
    root = lxml.html.fromstring(html.read_text(encoding="utf-8"))
    return {flat(e.text_content()) for e in root.iter()
            if isinstance(e.tag, str) and e.tag in ("td", "th", "h1", "h2", "h3", "p", "caption", "li")}


def lone_characters(pdf: Path, texts: set[str]) -> list[tuple[int, str]]:
    """(page, "line above/character") for every line that is one Chinese character continuing the line
    just above it (overlapping it horizontally, within a line's height) inside one text of the markup."""
    found = []
    for n, ls in enumerate(lines(pdf), 1):
        for x0, y0, x1, y1, t in ls:
            t = flat(t)
            if len(t) != 1 or not CJK.match(t):
                continue
            h = y1 - y0
            above = [ln for ln in ls if ln[3] <= y0 + 0.5 and y0 - ln[3] < 0.8 * h and ln[0] < x1 + 1 and ln[2] > x0 - 1]
            if not above:
                continue
            prev = flat(max(above, key=lambda ln: ln[3])[4])
            if prev and any(prev + t in tx for tx in texts):
                found.append((n, f"{prev}/{t}"))
    return found
