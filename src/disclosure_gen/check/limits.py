"""Bounds on what one input may ask of a render (issue 16 #9–#11, #16).

- `bad_name`: a name typed on the command line (`new --name`) goes into a YAML file: no control
  characters (a newline would inject a key), not invisible, not too long.
- `break_long_runs`: an unbroken string (AAAA…, a pasted hash or URL) gives the PDF line breaker
  no break point: WeasyPrint then lays the whole rest of the string out again for every line, and
  time grows with the square of its length (10,000 characters: over a minute). A zero-width space
  every few characters of such a run gives it break points; nothing visible changes.
- `text_findings`: each text field is bounded to a length that fits where it is printed.
- `size_findings`: a document beyond what one render can hold is refused up front.
- `bounded_jobs`: `batch --jobs` bounded by cores and memory.
"""
from __future__ import annotations

import os
import re
import unicodedata

ZWSP = "\u200b"
RUN = 40            # characters of an unbroken run between two inserted break points
RUN_MIN = 80        # only longer runs get them: a URL or a long number of normal length stays as typed

# a run of characters with no break opportunity between them: not space, not CJK (which breaks
# between any two characters), not a tag; an entity (&amp;) counts as one character
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_RUN_PATTERN = r"(?:[^\s<>&%s\u200b]|&#?\w{1,10};){%d,}" % (_CJK, RUN_MIN + 1)


def _split_run(m: re.Match) -> str:
    atoms = re.findall(r"&#?\w{1,10};|.", m.group(0), re.S)
    return ZWSP.join("".join(atoms[i:i + RUN]) for i in range(0, len(atoms), RUN))


def break_long_runs(html: str) -> str:
    """`html` with a zero-width space every RUN characters of each unbroken run in its text
    (never inside a tag or an entity). A document without such runs is returned unchanged."""
    run = re.compile(_RUN_PATTERN)      # compiled here (re caches it): `check` never needs it
    if not run.search(html):
        return html
    return re.sub(r">([^<]+)<", lambda m: ">" + run.sub(_split_run, m.group(1)) + "<", html)


# ---- command-line names -----------------------------------------------------------------------
NAME_MAX = 100


def bad_name(name: str) -> str | None:
    """Why `name` cannot be an agency name written into a new file, or None."""
    if not name or not name.strip():
        return "名称不能为空"
    ctl = sorted({c for c in name if unicodedata.category(c) in ("Cc", "Zl", "Zp", "Cs")})
    if ctl:
        shown = "、".join(f"U+{ord(c):04X}" for c in ctl)
        return f"名称含有控制字符（{shown}，如换行、制表符），不能写入数据文件；请只写单位名称"
    if all(unicodedata.category(c)[0] in "CZ" for c in name):
        return "名称只有不可见的字符，印出来是空白；请填写名称"
    if len(name) > NAME_MAX:
        return f"名称过长（{len(name)} 字，最多 {NAME_MAX} 字）"
    return None


# ---- batch jobs -------------------------------------------------------------------------------
JOB_MEMORY_MB = 600        # a large 部门 renders in about 400 MB; one PDF process more per job


def available_memory_mb() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:      # pragma: no cover - not Linux
        return os.cpu_count() or 1


def bounded_jobs(asked: int) -> tuple[int, str | None]:
    """At most one process per core and per JOB_MEMORY_MB of available memory; (jobs, note)."""
    n, mem = cores(), available_memory_mb()
    cap, why = n, f"{n} 个 CPU 核"
    if mem is not None and mem // JOB_MEMORY_MB < cap:
        cap, why = max(1, mem // JOB_MEMORY_MB), f"可用内存 {mem} MB（每个进程约需 {JOB_MEMORY_MB} MB）"
    if asked > cap:
        return cap, f"--jobs {asked} 超过本机上限，按{why}改为 {cap} 个进程"
    return asked, None


# ---- text fields: a length that fits where each is printed -----------------------------------------
# (path pattern, most characters, where it is printed); "*" is any key or index, first match wins
_PLACES = (
    (("agency", "name"), None, ""),         # bounded by the model (max_length=100)
    (("agency", "*"), 60, "印在封面或表头中"),
    (("units", "*", "name"), 100, "单位名称印在表格的一格中"),
    (("units", "*", "short_name"), 30, "简称印在文字中"),
    (("units", "*", "departments", "*"), 100, "内设机构名称"),
    (("units", "*", "*"), 30, "印在表格的一格中"),
    (("expenditure", "*", "name"), 60, "科目名称印在表格的一格中"),
    (("expenditure", "*", "*"), 30, "印在表格的一格中"),
    (("economic", "*", "*"), 60, "科目名称印在表格的一格中"),
    (("gov_fund_income", "*", "*"), 60, "科目名称印在表格的一格中"),
    (("functional_names", "*"), 60, "科目名称印在表格的一格中"),
    (("projects", "*", "name"), 100, "项目名称印在表格的一格中"),
    (("projects", "*", "performance", "indicators", "**"), 200, "绩效指标印在绩效目标表的一格中"),
    (("projects", "*", "performance", "*", "indicators", "**"), 200, "绩效指标印在绩效目标表的一格中"),
    (("projects", "*", "performance", "indicators_annual", "**"), 200, "绩效指标印在绩效目标表的一格中"),
    (("projects", "*", "performance", "*", "indicators_annual", "**"), 200, "绩效指标印在绩效目标表的一格中"),
    (("projects", "*", "performance", "title_name"), 100, "项目名称印在绩效目标表的一格中"),
    (("projects", "*", "performance", "*", "title_name"), 100, "项目名称印在绩效目标表的一格中"),
    (("projects", "*", "performance", "attribute"), 60, "印在绩效目标表的一格中"),
    (("projects", "*", "performance", "owner"), 60, "印在绩效目标表的一格中"),
    (("projects", "*", "performance", "handler"), 60, "印在绩效目标表的一格中"),
    (("projects", "*", "performance", "phone"), 60, "印在绩效目标表的一格中"),
    (("projects", "*", "performance", "filled_at"), 30, "印在绩效目标表的一格中"),
    (("projects", "*", "code"), 40, "项目编码印在表格的一格中"),
    (("projects", "*", "unit"), 30, "单位代码"),
    (("projects", "*", "function"), 30, "科目编码"),
    (("projects", "*", "amounts", "*"), 60, "金额"),
    (("sangong", "**"), 60, "金额"),
    (("glossary", "*"), 20_000, "名词解释"),
)
SHORTEST = min(most for _p, most, _w in _PLACES if most is not None)
PARAGRAPH_MAX = 200_000     # any other text (a paragraph): a 100 KB 项目概况 renders whole in seconds
UNBROKEN_MAX = 200          # characters in a row with no place to break a line (no space, no CJK)
KEY_MAX = 60                # a key the author typed (glossary term, indicator level, vehicle kind)
_UNBROKEN_PATTERN = r"[^\s%s\u200b]{%d,}" % (_CJK, UNBROKEN_MAX + 1)


def _match(path: tuple, pattern: tuple) -> bool:
    if pattern and pattern[-1] == "**":
        head = pattern[:-1]
        return len(path) > len(head) and all(p == "*" or p == x for p, x in zip(head, path))
    return len(path) == len(pattern) and all(p == "*" or p == x for p, x in zip(pattern, path))


def _place(path: tuple) -> tuple[int | None, str]:
    for pattern, most, where in _PLACES:
        if _match(path, pattern):
            return most, where
    return PARAGRAPH_MAX, "文字"


TOO_BIG = "size.too-large"     # likewise
TOO_LONG = "text.too-long"     # a render is refused up front, even with --force (render.py cannot hold it)
UNBROKEN = "text.unbroken"


def text_findings(data, at) -> None:
    """Report every text value (and key) longer than its place holds, and every unbroken run."""
    def label(path):
        return ".".join(str(x) for x in path)

    def walk(v, path):
        if isinstance(v, dict):
            for k, x in v.items():
                if isinstance(k, str) and len(k) > KEY_MAX and path[:1] not in (("published",), ("controls",)):
                    at(path + (k,), "error", TOO_LONG,
                       f"{label(path)}：字段名或词条“{k[:20]}…”过长（{len(k)} 字，最多 {KEY_MAX} 字）", True)
                walk(x, path + (k,))
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, path + (i,))
        elif isinstance(v, str):
            if len(v) <= SHORTEST:      # nearly every value: no place is this short, no run this long
                return
            most, where = _place(path)
            if most is not None and len(v) > most:
                at(path, "error", TOO_LONG, f"{label(path)}：文字过长（{len(v)} 字，最多 {most} 字；{where}）", False)
                return
            m = re.search(_UNBROKEN_PATTERN, v) if len(v) > UNBROKEN_MAX else None
            if m:
                at(path, "error", UNBROKEN,
                   f"{label(path)}：有连续 {len(m.group(0))} 个字符没有空格或标点（“{m.group(0)[:12]}…”），"
                   f"超过 {UNBROKEN_MAX} 个无法正常换行；请检查是否粘贴错误", False)

    walk(data, ())


def refusal(loaded) -> str | None:
    """Why `loaded` cannot be rendered at all, even as a draft (--force): a text too long for its
    place, or a document larger than one render holds (see `size_findings`)."""
    hard = [f for f in loaded.findings if f.severity == "error" and f.rule in (TOO_LONG, TOO_BIG)]
    if not hard:
        return None
    f = hard[0]
    more = f"等 {len(hard)} 处" if len(hard) > 1 else ""
    return (f"{loaded.path}:{f.line}:{f.col} {f.message}{more}：超出一次生成能容纳的范围，"
            "即使加 --force 也不生成草稿（先运行 check 修正）")


# ---- the whole document: what one render holds ---------------------------------------------------
# Measured: with the whole-document layout 1,000 projects took 207 s and 7.6 GB; laid out by section
# (issue 17, writers/sections.py) and joined untagged (sections.tagged), 1,000
# projects (1,095 pages) render within 880 MB over all processes; the main process grows with the
# document (459 MB at the join), so larger ones pass 1 GB. A performance-target table is a page.
MAX_COUNTS = (
    ("projects", 1000, "个项目（每个项目一张绩效目标表，约一页）"),
    ("expenditure", 3000, "行支出功能分类科目"),
    ("economic", 3000, "行经济分类科目"),
    ("gov_fund_income", 1000, "行政府性基金收入科目"),
    ("units", 300, "个预算单位"),
)


def size_findings(budget, at) -> None:
    """A document larger than one render can hold is refused up front (rule size.too-large),
    instead of running for minutes and using gigabytes of memory."""
    for field, most, what in MAX_COUNTS:
        n = len(getattr(budget, field, None) or ())
        if n > most:
            at((field, most), "error", TOO_BIG,
               f"{field}：共 {n} {what}，超过一次生成的上限 {most}；请按单位分成几个文件分别生成")
