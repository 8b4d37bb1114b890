"""Every problem the YAML reader (libyaml, through PyYAML's C loader) can report, in plain Chinese.

The author is not a programmer: "did not find expected ',' or '}'" says nothing to them. `explain`
turns a reader error into one sentence that names what is wrong *and what to type instead*, at the
line and column to change. The commonest slips are recognised from the text itself, before the
generic translation: a full-width comma or colon (typed with a Chinese input method), a Tab, an
indentation that does not line up, a value containing ": ".

PROBLEMS and CONTEXTS hold every message libyaml's reader, scanner and parser and the C composer
emit (tests/test_yaml_messages.py reads them out of the installed binary and fails on any missing).
"""
from __future__ import annotations

import re

# libyaml problem strings (scanner.c, parser.c, reader.c, loader.c) and the C composer (_yaml.pyx).
# Keys are prefixes: libyaml prints some with details appended.
PROBLEMS = {
    # reader
    "control characters are not allowed": "含有不可见的控制字符（多见于从其他系统复制的文字）；请删除该字符",
    "invalid leading UTF-8 octet": "文件不是 UTF-8 编码；请在编辑器中以 UTF-8 编码另存",
    "invalid trailing UTF-8 octet": "文件不是 UTF-8 编码；请在编辑器中以 UTF-8 编码另存",
    "invalid length of a UTF-8 sequence": "文件不是 UTF-8 编码；请在编辑器中以 UTF-8 编码另存",
    "found an incorrect leading UTF-8 octet": "文件不是 UTF-8 编码；请在编辑器中以 UTF-8 编码另存",
    "found an incorrect trailing UTF-8 octet": "文件不是 UTF-8 编码；请在编辑器中以 UTF-8 编码另存",
    "invalid Unicode character": "含有无效的字符；请删除该字符或以 UTF-8 编码另存",
    "input is too long": "文件过大，无法读取",
    "input error": "无法读取文件内容",
    "incomplete UTF-16 character": "文件不是 UTF-8 编码；请在编辑器中以 UTF-8 编码另存",
    "incomplete UTF-16 surrogate pair": "文件不是 UTF-8 编码；请在编辑器中以 UTF-8 编码另存",
    "invalid low surrogate": "文件不是 UTF-8 编码；请在编辑器中以 UTF-8 编码另存",
    "unexpected low surrogate": "文件不是 UTF-8 编码；请在编辑器中以 UTF-8 编码另存",
    "incomplete UTF-8 octet sequence": "文件末尾的字符不完整（不是 UTF-8 编码）；请以 UTF-8 编码另存",
    # scanner
    "found character that cannot start any token": "这里的字符不能作为内容的开头；以 @、`、%、! 等符号开头的文字请加引号",
    "found a tab character that violates indentation": "含有制表符（Tab），请改用空格缩进",
    "found a tab character where an indentation space is expected": "含有制表符（Tab），请改用空格缩进",
    "mapping values are not allowed in this context": "此处不能出现“字段: 值”：多半是缩进不对（与上一行不对齐）或值中含有“: ”；请用空格对齐，或给值加引号",
    "mapping values are not allowed here": "此处不能出现“字段: 值”：多半是缩进不对（与上一行不对齐）或值中含有“: ”；请用空格对齐，或给值加引号",
    "mapping keys are not allowed in this context": "此处不能出现“? ”；以问号开头的文字请加引号",
    "block sequence entries are not allowed in this context": "列表项“- ”不能写在“字段:”的同一行；请换行并缩进两个空格再写“- ”，或写成 [甲, 乙]",
    "could not find expected ':'": "缺少冒号：字段名后应为半角冒号加空格（“字段: 值”），或上一行的引号没有闭合",
    "found unexpected end of stream": "文件在引号或括号闭合之前就结束了；请补上缺少的引号、] 或 }",
    "found unexpected document indicator": "引号内出现了单独一行的“---”或“...”；请补上前面缺少的闭合引号",
    "found unknown escape character": "双引号内有无效的转义“\\”（要写反斜杠请用 \\\\，或改用单引号）",
    "did not find expected hexdecimal number": "双引号内的反斜杠转义无效（如 C:\\Users 中的 \\U；要写反斜杠请用 \\\\，或改用单引号）",
    "found invalid Unicode character escape code": "双引号内的 \\u 转义不是有效字符（请直接输入该字符）",
    "found an indentation indicator equal to 0": "“|”或“>”后的缩进数字不能为 0；请删去该数字",
    "did not find expected comment or line break": "“|”或“>”后面只能换行（或写 # 注释）；请把文字写到下一行并缩进",
    "did not find expected whitespace or line break": "符号后缺少空格；请在冒号、“- ”等符号后加一个空格，或给整个值加引号",
    "did not find expected whitespace": "符号后缺少空格；请在冒号、“- ”等符号后加一个空格，或给整个值加引号",
    "did not find expected alphabetic or numeric character": "“&”或“*”后应为字母或数字；这类符号开头的文字请加引号",
    "did not find expected '!'": "“!”开头的文字请加引号",
    "did not find expected tag URI": "“!”开头的文字请加引号",
    "did not find URI escaped octet": "“!”开头的文字请加引号",
    "found undefined tag handle": "“!”开头的文字请加引号",
    "found unexpected non-alphabetical character": "“%”开头的行只能是 YAML 指令；这类文字请加引号",
    "found unknown directive name": "“%”开头的行只能是 YAML 指令；这类文字请加引号",
    "could not find expected directive name": "“%”开头的行只能是 YAML 指令；这类文字请加引号",
    "did not find expected version number": "“%YAML”指令的版本号无效；请删除这一行",
    "did not find expected digit or '.' character": "“%YAML”指令的版本号无效；请删除这一行",
    "found extremely long version number": "“%YAML”指令的版本号无效；请删除这一行",
    "found duplicate %YAML directive": "“%YAML”指令重复；请删除多余的一行",
    "found incompatible YAML document": "“%YAML”指令的版本不受支持；请删除这一行",
    "incompatible %YAML directive": "“%YAML”指令的版本不受支持；请删除这一行",
    "found duplicate %TAG directive": "“%TAG”指令重复；请删除多余的一行",
    "duplicate %TAG directive": "“%TAG”指令重复；请删除多余的一行",
    "found unexpected ':'": "此处的冒号“:”不能出现；值中含冒号时请给整个值加引号",
    "did not find the expected '>'": "“!<”开头的文字请加引号",
    "exceeded maximum nesting depth": "嵌套层数过多",
    # parser
    "did not find expected <document start>": "文件中出现了第二份内容（“---”之后）或多余的文字；一个文件只写一份预算，请删除多余部分",
    "did not find expected <stream-start>": "无法读取文件内容",
    "did not find expected node content": "此处缺少值；请在冒号后写上值，或删除多余的逗号、“- ”",
    "did not find expected key": "缩进不对：这一行与同级字段没有左对齐（或在字段之间出现了“- ”列表项）；请用空格对齐",
    "did not find expected '-' indicator": "缩进不对：列表中的这一行没有以“- ”开头，或与上面的“- ”没有对齐；请用空格对齐",
    "did not find expected ',' or ']'": "方括号 [...] 没有正确结束：项之间应为半角逗号“,”，末尾应有“]”",
    "did not find expected ',' or '}'": "花括号 {...} 没有正确结束：字段之间应为半角逗号“,”，末尾应有“}”",
    "found undefined tag handle!": "“!”开头的文字请加引号",
    # composer (C loader)
    "found undefined alias": "引用了未定义的锚点（*别名）；以 * 开头的文字请加引号",
    "second occurrence": "锚点（&名称）重复定义；以 & 开头的文字请加引号",
    "found duplicate anchor": "锚点（&名称）重复定义；以 & 开头的文字请加引号",
    "but found another document": "文件中出现了第二份内容（“---”之后）；一个文件只写一份预算，请删除“---”及多余部分",
    "expected a single document in the stream": "文件中出现了第二份内容（“---”之后）；一个文件只写一份预算，请删除“---”及多余部分",
}

# libyaml context strings ("while …"): used only when a problem is missing.
CONTEXTS = {
    "while parsing a flow mapping": "花括号 {...} 没有正确结束",
    "while parsing a flow sequence": "方括号 [...] 没有正确结束",
    "while parsing a flow node": "花括号或方括号中的内容写法不对",
    "while parsing a block mapping": "缩进不对：请用空格与同级字段对齐",
    "while parsing a block collection": "缩进不对：请用空格与同级字段对齐",
    "while parsing a block node": "此处的写法不对",
    "while parsing a node": "此处的写法不对",
    "while parsing a tag": "“!”开头的文字请加引号",
    "while parsing a tag directive": "“%TAG”指令无效；请删除这一行",
    "while parsing a %TAG directive": "“%TAG”指令无效；请删除这一行",
    "while parsing a quoted scalar": "引号中的文字写法不对",
    "while scanning a quoted scalar": "引号没有闭合",
    "while scanning a plain scalar": "文字中含有 YAML 特殊符号；请给整个值加引号",
    "while scanning a block scalar": "“|”或“>”多行文字的写法不对",
    "while scanning a simple key": "缺少冒号“:”",
    "while scanning a tag": "“!”开头的文字请加引号",
    "while scanning a tag directive": "“%TAG”指令无效；请删除这一行",
    "while scanning a %TAG directive": "“%TAG”指令无效；请删除这一行",
    "while scanning a %YAML directive": "“%YAML”指令无效；请删除这一行",
    "while scanning a directive": "“%”开头的行只能是 YAML 指令；这类文字请加引号",
    "while scanning an alias": "“*”开头的文字请加引号",
    "while scanning an anchor": "“&”开头的文字请加引号",
    "while scanning for the next token": "此处的字符不能作为内容的开头",
    "while increasing flow level": "括号嵌套层数过多",
    "while increasing block level": "嵌套层数过多",
}

GENERIC = "YAML 写法有误：请检查这一行的冒号（应为半角“: ”）、引号、括号和缩进（只用空格）"

_FULL_COMMA, _FULL_COLON = "，", "："
# a block key typed with no space after its colon ("kind:单位"): YAML reads the whole line as one text
_NO_SPACE = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_]*):([^\s:/][^#]*?)\s*(?:#.*)?$")


_VALUE_START = re.compile(r"^\s*(?:-\s+|[A-Za-z_][A-Za-z0-9_]*:\s+|\"[^\"]*\":\s+)")


def _closing(line: str, at: int):
    """The column where the bracket or quote opening at `at` closes on this line, or None."""
    c = line[at]
    if c in "\"'":
        j = line.find(c, at + 1)
        return j if j != -1 else None
    depth, quote = 0, None
    for j in range(at, len(line)):
        ch = line[j]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return j
    return None


def _open_quote(line: str):
    """The column of a double quote this line opens and never closes, or None. A quote opens only
    where a value starts (after "key: ", "- ", "[", "{" or ","); one inside a text is a character."""
    at, quote = None, None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote == '"' and ch == "\\":
            i += 2
            continue
        if quote is None and ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        if quote is not None and ch == quote:
            quote, at = None, None
        elif quote is None and ch in "\"'" and (line[:i].rstrip()[-1:] in ("", ":", "-", "[", "{", ",")):
            quote, at = ch, i
        i += 1
    return at if quote == '"' else None


def translate(problem: str | None, context: str | None = None) -> str:
    """The Chinese sentence for a libyaml problem (or context); never the English text."""
    for text, table in ((problem, PROBLEMS), (context, CONTEXTS)):
        if not text:
            continue
        for en in sorted(table, key=len, reverse=True):
            if text.startswith(en):
                return table[en]
    return GENERIC


def explain(problem: str | None, context: str | None, text: str,
            pmark: tuple[int, int] | None, cmark: tuple[int, int] | None) -> tuple[str, int | None, int | None]:
    """(message, line, col), 1-based, for a reader error; marks are libyaml's 0-based (line, column).

    The typical slips are named with what to type instead, at the character to change."""
    lines = text.split("\n")
    mark = pmark or cmark
    line, col = (mark[0] + 1, mark[1] + 1) if mark else (None, None)

    def row(n):             # 0-based line text
        return lines[n] if 0 <= n < len(lines) else ""

    p = problem or ""
    structural = p.startswith(("could not find expected ':'", "mapping values are not allowed", "did not find expected key",
                               "did not find expected ',' or", "did not find expected '-'"))
    # a double quote left open a few lines above: libyaml reads on to the next quote, then stumbles
    if mark and structural:
        for n in range(max(mark[0] - 10, 0), mark[0] + 1):
            c = _open_quote(row(n))
            if c is not None and n < mark[0]:
                return ("这一行的双引号“\"”没有闭合（后面几行被当作了引号中的文字）；请在文字末尾补上“\"”", n + 1, c + 1)
            if c is not None:
                break
    # "key:value" without the space after the colon: read as one text, the next line then fails
    if mark and structural:
        for n in range(mark[0], max(mark[0] - 3, -1), -1):
            m = _NO_SPACE.match(row(n))
            if m:
                return (f"冒号后缺少空格：“{m.group(2)}:{m.group(3)}”应写作“{m.group(2)}: {m.group(3)}”"
                        "（字段名后为半角冒号加一个空格）", n + 1, m.end(2) + 2)
    # "-{code: …}" / "-项目": a list item with no space after its dash
    if mark and structural:
        t = row(mark[0])
        ind = len(t) - len(t.lstrip(" "))
        if t[ind:ind + 1] == "-" and t[ind + 1:ind + 2] not in ("", " ", "-"):
            return ("“-”后缺少空格：列表中的每一项应以“- ”（短横线加一个空格）开头，请在“-”后加一个空格",
                    mark[0] + 1, ind + 2)
    # a text starting with [ { " or ' and going on after the bracket or quote closes: "- [2026]完成…"
    if mark:
        t = row(mark[0])
        v = _VALUE_START.match(t)
        at = v.end() if v else None
        end = _closing(t, at) if at is not None and t[at:at + 1] in "[{\"'" else None
        if end is not None and t[end + 1:].split(" #")[0].strip() and mark[1] >= end:
            c = t[at]
            what = {"[": "方括号列表", "{": "花括号记录"}.get(c, "引号中的文字（到下一个引号为止）")
            fix = {"[": f"请给整段文字加双引号（如 \"{t[at:end + 1]}…\"）", "{": f"请给整段文字加双引号（如 \"{t[at:end + 1]}…\"）",
                   '"': "请把整段文字放在单引号中（'…'），或把文字中的双引号改为中文引号“”",
                   "'": "请把整段文字放在双引号中（\"…\"），或把文字中的单引号改为中文引号‘’"}[c]
            return (f"以“{c}”开头的文字被读成了{what}，其后的文字无法识别；{fix}", mark[0] + 1, at + 1)
    # a Tab anywhere before the error on its line (libyaml: "cannot start any token" / "tab character")
    if mark:
        here = row(mark[0])
        tab = here.find("\t")
        if tab != -1 and (tab <= mark[1] or "tab" in p):
            return ("含有制表符（Tab）；YAML 只能用空格缩进，请把 Tab 换成空格", mark[0] + 1, tab + 1)
    # a full-width comma in a one-line {…} / […] row
    if p.startswith(("did not find expected ',' or '}'", "did not find expected ',' or ']'")) and cmark and pmark:
        for n in range(cmark[0], pmark[0] + 1):
            c = row(n).find(_FULL_COMMA, cmark[1] if n == cmark[0] else 0)
            if c != -1:
                return ("这里用了全角逗号“，”；花括号或方括号中的各项之间应为半角逗号“,”（后加一个空格），"
                        "请改为“, ”", n + 1, c + 1)
        head = row(cmark[0])
        hash_at = head.find(" #", cmark[1])
        if hash_at != -1 and re.search(r"[}\]]", head[hash_at:]):     # the closing bracket inside the comment
            return ("“ #”及其后的文字被当作了注释，记录因此没有结束；文字中要写“#”时请给这段文字加引号，"
                    "或改用全角“＃”", cmark[0] + 1, hash_at + 2)
        for part in re.finditer(r"[^,{}\[\]]+", head[cmark[1]:]):
            seg = part.group(0)
            first = seg.find(": ")
            second = seg.find(": ", first + 2) if first != -1 else -1
            if second != -1:
                return ("花括号中的文字含有“: ”（冒号加空格），会被当作新的字段；请给这段文字加引号，"
                        "或改用全角冒号“：”", cmark[0] + 1, cmark[1] + part.start() + second + 1)
        opener = "花括号 {" if "}" in p else "方括号 ["
        closer = "}" if "}" in p else "]"
        return (f"以{opener}开始的记录（第 {cmark[0] + 1} 行）没有正确结束：各项之间应为半角逗号“, ”，"
                f"末尾应有“{closer}”；数字中不要写千分位逗号", line, col)
    # "mapping values are not allowed": a full-width colon above, a ": " inside a value, or indentation
    if p.startswith(("mapping values are not allowed", "could not find expected ':'")) and mark:
        for n in range(mark[0], max(mark[0] - 3, -1), -1):
            t = row(n)
            c = t.find(_FULL_COLON)
            if c != -1 and ": " not in t[:c] and not t.lstrip().startswith("#"):
                return ("这里用了全角冒号“：”；字段名后应为半角冒号“:”再加一个空格（如“name: 事业运行”），请改为“: ”",
                        n + 1, c + 1)
        if p.startswith("mapping values"):
            t = row(mark[0])
            first = t.find(": ")
            if first != -1 and first < mark[1] and not t.lstrip().startswith("- {"):
                return ("值中含有“: ”（冒号加空格），会被当作新的字段；请给整个值加引号，如“name: \"甲: 乙\"”", line, col)
            prev = next((row(n) for n in range(mark[0] - 1, -1, -1) if row(n).strip()
                         and not row(n).lstrip().startswith("#")), "")
            ind, pind = len(t) - len(t.lstrip(" ")), len(prev) - len(prev.lstrip(" "))
            return (f"缩进不对：这一行缩进 {ind} 个空格，上一行 {pind} 个；同一层的字段应左对齐，"
                    "字段下面的内容应比该字段多缩进两个空格（只用空格）", line, ind + 1)
    if p.startswith("did not find expected key") and mark:
        t = row(mark[0])
        ind = len(t) - len(t.lstrip(" "))
        return (f"缩进不对：这一行（缩进 {ind} 个空格）与同级字段没有左对齐，或在字段之间出现了“- ”列表项；"
                "请用空格与同级字段对齐", line, ind + 1)
    if p.startswith("found character that cannot start any token") and mark:
        ch = row(mark[0])[mark[1]:mark[1] + 1]
        if ch:
            return (f"“{ch}”不能作为内容的开头；以 {ch} 开头的文字请加引号（如 \"{ch}…\"）", line, col)
    return translate(problem, context), line, col
