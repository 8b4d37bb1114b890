"""Tables of 政府收支分类科目 codes and official names: the one the tool ships, and one the user exports.

data/subjects.csv holds every 类 and every 款/项 and economic code the tool has seen with its official
name, with the document each came from (codes.py, inputs/, the published seeds); it is not complete,
so a code missing from it is only suspicious. A user can point the tool at a complete table exported
from the budget system (CSV or xlsx, columns 编码/code and 名称/name): with it, a code not in the
table is an error.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

FUNCTIONAL, ECON_DEPT, ECON_GOV = "功能分类", "部门经济分类", "政府经济分类"


@dataclass
class CodeTable:
    functional: dict[str, str] = field(default_factory=dict)
    econ: dict[str, str] = field(default_factory=dict)
    gov: dict[str, str] = field(default_factory=dict)
    complete: bool = False       # a user's full export: a code missing is an error
    path: str = ""

    def names_to_codes(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for c, n in self.functional.items():
            if len(c) == 7:
                out.setdefault(norm(n), []).append(c)
        return out


class CodeTableError(Exception):
    """The user's table cannot be read (message in Chinese)."""


def norm(name: str) -> str:
    """Names compared loosely: full/half-width brackets, spaces."""
    return re.sub(r"\s", "", name or "").replace("(", "（").replace(")", "）")


@lru_cache(maxsize=1)
def builtin() -> CodeTable:
    import csv
    import io
    t = CodeTable()
    text = (Path(__file__).resolve().parents[1] / "data" / "subjects.csv").read_text(encoding="utf-8")
    for row in csv.DictReader(io.StringIO(text)):
        {FUNCTIONAL: t.functional, ECON_DEPT: t.econ, ECON_GOV: t.gov}[row["kind"]][row["code"]] = row["name"]
    return t


_CODE_HEAD = re.compile(r"编码|代码|code|科目编码", re.I)
_NAME_HEAD = re.compile(r"名称|name|科目名称", re.I)


def _rows_from(path: Path) -> list[list[str]]:
    import csv
    import io
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            import openpyxl
        except ImportError:   # pragma: no cover - declared dependency
            raise CodeTableError("读取 xlsx 科目表需要 openpyxl；请另存为 CSV") from None
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:   # noqa: BLE001 - any unreadable workbook
            raise CodeTableError(f"无法读取 xlsx 科目表 {path.name}（{type(e).__name__}）；请另存为 CSV") from None
        rows = []
        for ws in wb.worksheets:
            for r in ws.iter_rows(values_only=True):
                rows.append(["" if v is None else str(v).strip() for v in r])
        return rows
    text = decode_table_text(path.read_bytes())
    if text is None:   # pragma: no cover - gb18030 decodes every byte string
        raise CodeTableError(f"科目表 {path.name} 不是 UTF-8 或 GBK 编码")
    return [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]


def load_user(path: str | Path, display: str | None = None) -> CodeTable:
    """A complete 科目 table: rows of code, name (a header row is recognised and skipped)."""
    p = Path(path)
    if not p.is_file():
        raise CodeTableError(f"找不到科目表文件：{path}")
    rows = _rows_from(p)
    ci, ni = 0, 1
    t = CodeTable(complete=True, path=display or str(path))
    for r in rows:
        cells = [c for c in r]
        if not any(cells):
            continue
        if any(_CODE_HEAD.search(c) for c in cells) and any(_NAME_HEAD.search(c) for c in cells) \
                and not any(re.fullmatch(r"\d{3,9}", c) for c in cells):
            ci = next(i for i, c in enumerate(cells) if _CODE_HEAD.search(c))
            ni = next(i for i, c in enumerate(cells) if _NAME_HEAD.search(c) and i != ci)
            continue
        if len(cells) <= max(ci, ni):
            continue
        code, name = cells[ci].replace(" ", ""), cells[ni]
        if code.endswith(".0"):          # a spreadsheet number
            code = code[:-2]
        if not re.fullmatch(r"\d{3,7}", code):
            continue
        if code[0] == "3":
            t.econ[code] = name
        elif code[0] == "5":
            t.gov[code] = name
        else:
            t.functional[code] = name
    if not (t.functional or t.econ):
        raise CodeTableError(f"科目表 {p.name} 中没有读到“编码, 名称”两列的科目")
    return t


def typo_candidates(code: str, known) -> list[str]:
    """Codes one keystroke away (one digit changed, two neighbours swapped) that `known` accepts."""
    out = []
    for i in range(len(code) - 1):
        s = code[:i] + code[i + 1] + code[i] + code[i + 2:]
        if s != code and known(s) and s not in out:
            out.append(s)
    for i in range(len(code)):
        for d in "0123456789":
            s = code[:i] + d + code[i + 1:]
            if s != code and known(s) and s not in out:
                out.append(s)
    return out


def decode_table_text(raw: bytes) -> str | None:
    """A CSV exported by the budget system: UTF-8 (with or without BOM) or GBK/GB18030; None if neither."""
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return None
