"""No character alone on the last line of a cell or a title.

Chinese text breaks between any two characters, so a header 国有资本经营预算 in a narrow column can print
国有资本经营预 / 算 and a long part title …预算情 / 况说明. Before the writers see the markup, the last
characters of every table cell and of every heading and table title are glued (span.nobr: white-space:
nowrap in the PDF; word joiners in the DOCX), so a break falls before them: two characters in a cell,
four in a title or the cover title (a word such as 情况说明 stays whole); a cell made of plain paragraphs
has each paragraph glued like a cell. Other texts with markup inside are left alone.
"""
from __future__ import annotations

import re

_CELL = re.compile(r"(<t[hd]\b[^>]*>)([^<]{3,})(</t[hd]>)")
_TITLE = re.compile(r'(<(h[1-3])\b[^>]*>|<p class="(?:table|cover)-title"[^>]*>)([^<]{8,})(</h[1-3]>|</p>)')
# a cell made of plain paragraphs only (the 申报表's 目标1：… / 目标2：… lines): each paragraph is glued like a cell
_PARAS_CELL = re.compile(r"(<t[hd]\b[^>]*>)((?:<p>[^<]*</p>)+)(</t[hd]>)")
_PARA = re.compile(r"(<p>)([^<]{3,})(</p>)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _glue(text: str, n: int) -> str:
    stripped = text.rstrip()
    tail = stripped[-n:]
    if len(stripped) <= n or " " in tail or not _CJK.match(tail[-1]) or "&" in tail or ";" in tail:
        return text
    return f'{stripped[:-n]}<span class="nobr">{tail}</span>{text[len(stripped):]}'


def glue_ends(html: str) -> str:
    html = _CELL.sub(lambda m: m.group(1) + _glue(m.group(2), 2) + m.group(3), html)
    html = _PARAS_CELL.sub(lambda m: m.group(1) + _PARA.sub(lambda q: q.group(1) + _glue(q.group(2), 2) + q.group(3),
                                                             m.group(2)) + m.group(3), html)
    return _TITLE.sub(lambda m: m.group(1) + _glue(m.group(3), 4) + m.group(4), html)
