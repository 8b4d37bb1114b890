"""No character alone on the last line of a DOCX table cell or title.

The PDF glues the last characters of a cell or title (render/linebreaks.py, span.nobr with
white-space: nowrap). A word processor has no such run property, and LibreOffice breaks between two
Chinese characters even across a word joiner (U+2060) or a zero-width joiner, so the DOCX gets the
same effect another way: each cell or title paragraph is laid out here the way a word processor fills
lines (greedy, a break allowed between any two Chinese characters, not before closing or after opening
punctuation, Latin words whole), and where its last line would hold a single Chinese character, a line
break goes in before the last few characters, at a place that leaves no character alone either.

Widths: Chinese characters are one em in every CJK font; Latin letters and digits differ between the
fonts a reader has (Times New Roman in Word, a substitute such as DejaVu Serif in LibreOffice), so the
layout is tried with a narrow and a wide set of Latin widths and a little less room than the cell
has, and a break is put in when any of them leaves a character alone — at a place none of them does.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Latin widths in em: (narrow as Times New Roman, wide as DejaVu Serif)
_DIGIT = (0.5, 0.64)
_NARROW_PUNCT = (0.25, 0.32)          # . , : ; ' space
_UPPER = (0.67, 0.74)
_LOWER = (0.46, 0.6)
_OTHER = (0.4, 0.55)                  # ( ) / - and the like
_WIDE_SYMBOL = (0.6, 1.0)             # ≥ ≤ ± ‰ … : a CJK font draws them full width, a Latin one narrower

NO_BREAK_BEFORE = set("，。、；：？！）》」』】〕〉…—％‰,.;:!?)]}%/·”’")
NO_BREAK_AFTER = set("（《「『【〔〈([{“‘")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=8192)
def char_width(ch: str, variant: int) -> float:
    o = ord(ch)
    if ch.isspace():
        return _NARROW_PUNCT[variant]
    if o < 0x80:
        if ch.isdigit():
            return _DIGIT[variant]
        if ch.isupper():
            return _UPPER[variant]
        if ch.islower():
            return _LOWER[variant]
        if ch in ".,:;'!|":
            return _NARROW_PUNCT[variant]
        if ch in "%@&#":
            return (0.83, 0.95)[variant]
        return _OTHER[variant]
    if o < 0x2000:
        return _LOWER[variant]
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    return _WIDE_SYMBOL[variant]


# the space Word and LibreOffice put between a Chinese character and a Latin letter or digit
# (autoSpaceDE/autoSpaceDN), in em
AUTOSPACE = (0.2, 0.25)


def _autospaced(a: str, b: str) -> bool:
    return (bool(_CJK.match(a)) and b.isascii() and b.isalnum()) or (a.isascii() and a.isalnum() and bool(_CJK.match(b)))


@lru_cache(maxsize=4096)
def clusters(text: str) -> tuple[str, ...]:
    """The text cut at its break opportunities: a Chinese character is a unit of its own, a Latin word
    or number stays whole, closing punctuation keeps with what precedes it, opening with what follows."""
    units: list[str] = []
    for ch in text:
        if not units:
            units.append(ch)
            continue
        prev = units[-1]
        latin = ord(ch) < 0x2000 and not ch.isspace()
        prev_latin = ord(prev[-1]) < 0x2000 and not prev[-1].isspace()
        if (ch in NO_BREAK_BEFORE or prev[-1] in NO_BREAK_AFTER or (latin and prev_latin)
                or (ch.isspace() and prev[-1].isspace())):
            units[-1] = prev + ch
        else:
            units.append(ch)
    return tuple(units)


def lay_out(text: str, width_em: float, first_em: float = 0.0, variant: int = 0) -> list[str]:
    """Lines of a paragraph filled greedily within `width_em` (the first line `first_em` shorter)."""
    lines: list[str] = []
    line, used = "", 0.0
    room = width_em - first_em
    for unit in clusters(text):
        w = sum(char_width(c, variant) for c in unit)
        if line and _autospaced(line[-1], unit[0]):
            w += AUTOSPACE[variant]
        trailing = sum(char_width(c, variant) for c in unit[len(unit.rstrip()):])
        if line and used + w - trailing > room + 1e-6:
            lines.append(line)
            line, used, room = "", 0.0, width_em
            if unit.isspace():
                continue
        if not line and w > room + 1e-6:            # longer than a line: broken anywhere
            for c in unit:
                cw = char_width(c, variant)
                if line and used + cw > room + 1e-6:
                    lines.append(line)
                    line, used, room = "", 0.0, width_em
                line += c
                used += cw
            continue
        line += unit
        used += w
    if line:
        lines.append(line)
    return lines


def lone(lines: list[str]) -> bool:
    return len(lines) > 1 and len(lines[-1].strip()) == 1 and bool(_CJK.match(lines[-1].strip()))


def break_before(text: str, width_em: float, first_em: float = 0.0, slack_em: float = 0.0) -> int | None:
    """Where to put a line break in `text` so that no character stands alone on its last line (an index
    into `text`), or None when no layout leaves one alone (or no break helps)."""
    if len(text) < 3 or not _CJK.match(text.rstrip()[-1:] or " "):
        return None
    if sum(char_width(c, 1) for c in text) + AUTOSPACE[1] * len(text) <= width_em - slack_em - first_em:
        return None                                      # one line in every layout
    return _break_before(text, round(width_em, 3), round(first_em, 3), round(slack_em, 3))


@lru_cache(maxsize=4096)
def _break_before(text: str, width_em: float, first_em: float, slack_em: float) -> int | None:
    trials = [(w, v) for w in (width_em, width_em - slack_em) for v in (0, 1) if w > 1]
    if not any(lone(lay_out(text, w, first_em, v)) for w, v in trials):
        return None
    end = len(text.rstrip())
    for keep in (2, 3, 4):
        p = end - keep
        if p < 1 or text[p - 1].isspace() or text[p] in NO_BREAK_BEFORE or text[p - 1] in NO_BREAK_AFTER:
            continue
        ok = True
        for w, v in trials:
            head = lay_out(text[:p], w, first_em, v)
            tail = lay_out(text[p:], w, 0.0, v)
            if lone(head) or lone(tail):
                ok = False
                break
        if ok:
            return p
    return None


def no_lone_runs(runs: list, width_pt: float, size_pt: float, first_pt: float = 0.0) -> list:
    """`runs` (docx.Run: text, bold, br) with a line break inserted where the last line of a line group
    would hold one character alone."""
    if size_pt <= 0 or width_pt <= 0 or not runs:
        return runs
    from .docx import Run
    out: list = []
    group: list = []

    def flush(first: float):
        text = "".join(r.text for r in group)
        p = break_before(text, width_pt / size_pt, first / size_pt, slack_em=0.3 / size_pt)
        if p is None:
            out.extend(group)
            return
        pos = 0
        for r in group:
            if pos <= p < pos + len(r.text):
                k = p - pos
                if r.text[:k]:
                    out.append(Run(r.text[:k], r.bold))
                out.append(Run("", br=True))
                out.append(Run(r.text[k:], r.bold))
            else:
                out.append(r)
            pos += len(r.text)

    first = first_pt
    for r in runs:
        if r.br:
            flush(first)
            out.append(r)
            group = []
            first = 0.0
        else:
            group.append(r)
    flush(first)
    return out


def style_metrics(styles_el) -> dict[str, tuple[float, float, float]]:
    """styleId → (font size pt, first-line indent pt, left + right indent pt) of the paragraph styles
    of a styles part, basedOn chains and document defaults resolved."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    default_sz = 21
    d = styles_el.find(f"{w}docDefaults/{w}rPrDefault/{w}rPr/{w}sz")
    if d is not None:
        default_sz = int(d.get(f"{w}val", default_sz))
    raw = {}
    for st in styles_el.findall(f"{w}style"):
        if st.get(f"{w}type") != "paragraph":
            continue
        sid = st.get(f"{w}styleId")
        based = st.find(f"{w}basedOn")
        sz = st.find(f"{w}rPr/{w}sz")
        ind = st.find(f"{w}pPr/{w}ind")
        raw[sid] = (based.get(f"{w}val") if based is not None else None,
                    int(sz.get(f"{w}val")) if sz is not None else None, ind)

    def resolve(sid, depth=0):
        if sid not in raw or depth > 20:
            return default_sz, None
        based, sz, ind = raw[sid]
        bsz, bind = resolve(based, depth + 1) if based else (default_sz, None)
        return (sz if sz is not None else bsz), (ind if ind is not None else bind)

    out = {}
    for sid in raw:
        half, ind = resolve(sid)
        size = half / 2
        first = side = 0.0
        if ind is not None:
            chars = ind.get(f"{w}firstLineChars")
            if chars is not None:
                first = int(chars) / 100 * size
            elif ind.get(f"{w}firstLine") is not None:
                first = int(ind.get(f"{w}firstLine")) / 20
            side = sum(int(ind.get(f"{w}{k}") or 0) for k in ("left", "right", "start", "end")) / 20
        out[sid] = (size, first, side)
    return out
