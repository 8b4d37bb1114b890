"""`disclosure-gen import`: the budget system's Excel (or CSV) tables → an input YAML file.

Reading, in four steps, none of which depends on cell positions:
1. files → sheets: a grid of visible cells (hidden columns dropped, merged cells filled with their
   top-left value), refusing what cannot be used (not a workbook, encrypted, formulas without a
   saved result, absurd size) with a Chinese message (`ImportRefused`, exit status 2);
2. each sheet is recognised by its title (预算收支总表, 一般公共预算支出表 …), its 单位 line
   (万元/元) is read, and its header rows (merged, several rows deep, numbering row 1 2 3 …) give
   every column a label path such as ("本年收入", "一般公共预算");
3. the columns are matched by their label words (一般公共预算, 上年结转, 基本支出, 工资福利 …) and
   only detail rows are taken (项 rows of the functional classification, 款 rows of the economic
   one, project rows); 合计, 类/款 and unit rows are checked against the details they sum, and
   every disagreement is a finding at `file!sheet!cell`;
4. the tables' figures are combined into input rows (`ExpLine` per 项, source and kind): a table
   holds marginals (by source in one table, by kind in another), and the rows are filled so that
   every table is reproduced, the split no table prints following the economic classification and
   the project types (the same identities `check` verifies).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..model import codes
from ..model.budget import FISCAL, SANGONG_ITEMS, SOURCES, UNIT_FUNDS

ZERO = Decimal(0)
CENT = Decimal("0.01")
MAX_ROWS = 20_000                 # a province's largest 部门 prints a few thousand rows
MAX_COLS = 200
MAX_BYTES = 50 * 1024 * 1024      # a file, or a workbook's unpacked parts
KINDS5 = ("wages", "family", "office", "ops", "target")
BASIC = ("wages", "family", "office")
PROJECT = ("ops", "target")


class ImportRefused(Exception):
    """The file cannot be used (exit status 2); the message is Chinese, for the user."""


@dataclass
class Finding:
    severity: str          # error | warning
    rule: str
    message: str
    where: str             # file!sheet!cell

    def format(self) -> str:
        return f"{self.where} {'错误' if self.severity == 'error' else '警告'} {self.rule} {self.message}"


# ---- step 1: files → sheets ---------------------------------------------------------------------------
@dataclass
class Cell:
    value: object           # str | Decimal | None
    origin: bool            # False for the covered part of a merged range


@dataclass
class Sheet:
    file: str
    name: str
    rows: list[list[Cell]]
    row_no: list[int]        # the sheet's own row number of each grid row
    col_letter: list[str]    # the sheet's own column letter of each grid column
    hidden_cols: int = 0

    def where(self, r: int, c: int | None = None) -> str:
        cell = f"{self.col_letter[c]}{self.row_no[r]}" if c is not None and c < len(self.col_letter) else f"第{self.row_no[r]}行"
        return f"{Path(self.file).name}!{self.name}!{cell}"


def _value(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, Decimal)):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v))
    s = str(v).replace("\u3000", " ").strip()
    return s or None


def read_sheets(path: str) -> list[Sheet]:
    p = Path(path)
    name = p.name
    try:
        if p.is_dir():
            raise ImportRefused(f"{name}：是文件夹，不是 Excel 工作簿")
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ImportRefused(f"{name}：文件过大（{size // 1048576} MB），不像是预算公开表")
        with open(p, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise ImportRefused(f"{name}：文件不存在") from None
    except PermissionError:
        raise ImportRefused(f"{name}：没有读取权限") from None
    except OSError as e:
        raise ImportRefused(f"{name}：无法读取（{e.strerror or e}）") from None
    if p.suffix.lower() == ".csv":
        return [_read_csv(p)]
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        data = p.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ImportRefused(f"{name}：工作簿设置了打开密码（已加密），无法读取。请在 Excel/WPS 中取消密码"
                                "（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存，再导入")
        raise ImportRefused(f"{name}：是旧版 Excel 97-2003 格式（.xls），请在 Excel/WPS 中另存为 .xlsx 后再导入")
    if not head.startswith(b"PK"):
        raise ImportRefused(f"{name}：不是 Excel 工作簿（.xlsx）或 CSV 文件")
    return _read_xlsx(p)


def _read_csv(p: Path) -> Sheet:
    from ..model.codetable import decode_table_text
    text = decode_table_text(p.read_bytes())
    if text is None:  # pragma: no cover - gb18030 decodes every byte string
        raise ImportRefused(f"{p.name}：CSV 文件编码无法识别（请存为 UTF-8）")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows, nos = [], []
    for i, rec in enumerate(csv.reader(io.StringIO(text), dialect)):
        if i >= MAX_ROWS:
            raise ImportRefused(f"{p.name}：超过 {MAX_ROWS} 行，不像是预算公开表（请只导出公开表）")
        rows.append([Cell(_csv_value(v), True) for v in rec[:MAX_COLS]])
        nos.append(i + 1)
    width = max((len(r) for r in rows), default=0)
    for r in rows:
        r += [Cell(None, True)] * (width - len(r))
    from openpyxl.utils import get_column_letter
    return Sheet(str(p), p.stem, rows, nos, [get_column_letter(i + 1) for i in range(width)])


def _csv_value(v: str):
    s = v.replace("\u3000", " ").strip()
    if not s:
        return None
    t = s.replace(",", "")
    if re.fullmatch(r"-?\d+(\.\d+)?", t) and not (len(t) > 1 and t.startswith("0") and "." not in t):
        return Decimal(t)
    return s


def _read_xlsx(p: Path) -> list[Sheet]:
    import warnings

    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    name = p.name
    try:
        with zipfile.ZipFile(p) as z:
            if sum(i.file_size for i in z.infolist()) > MAX_BYTES * 4:
                raise ImportRefused(f"{name}：工作簿解压后过大，不像是预算公开表")
            if "xl/workbook.xml" not in z.namelist():
                raise ImportRefused(f"{name}：不是 Excel 工作簿（压缩包中没有工作表）")
            dims = {}
            for n in z.namelist():
                if n.startswith("xl/worksheets/") and n.endswith(".xml"):
                    with z.open(n) as fh:
                        m = re.search(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', fh.read(4096))
                    if m:
                        dims[n] = int(m.group(1))
                    else:           # no dimension: count the rows (streamed, stops at the limit)
                        rows = 0
                        with z.open(n) as fh:
                            while rows <= MAX_ROWS:
                                chunk = fh.read(1 << 20)
                                if not chunk:
                                    break
                                rows += chunk.count(b"<row ")
                        dims[n] = rows
    except zipfile.BadZipFile:
        raise ImportRefused(f"{name}：不是 Excel 工作簿（文件已损坏或不是 .xlsx）") from None
    if dims and max(dims.values()) > MAX_ROWS:
        raise ImportRefused(f"{name}：有工作表超过 {MAX_ROWS} 行（{max(dims.values())} 行），不像是预算公开表；"
                            "请只导出公开表，或删除多余的行")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb_f = load_workbook(p, data_only=False)
            wb_v = load_workbook(p, data_only=True)
    except ImportRefused:
        raise
    except Exception as e:  # noqa: BLE001 - any failure of the reader means the file is unusable
        raise ImportRefused(f"{name}：无法作为 Excel 工作簿读取（{type(e).__name__}）") from None
    sheets = []
    for ws_f in wb_f.worksheets:
        ws = wb_v[ws_f.title]
        if ws.sheet_state != "visible":
            sheets.append(Sheet(str(p), ws.title, [], [], [], hidden_cols=-1))
            continue
        if ws.max_row > MAX_ROWS or ws.max_column > MAX_COLS:
            raise ImportRefused(f"{name}!{ws.title}：{ws.max_row} 行 × {ws.max_column} 列，不像是预算公开表；"
                                "请只导出公开表，或删除多余的行列")
        hidden = set()
        for key, dim in ws_f.column_dimensions.items():
            if dim.hidden:
                lo, hi = dim.min or 0, dim.max or 0
                if lo and hi:
                    hidden.update(range(lo, hi + 1))
                else:
                    from openpyxl.utils import column_index_from_string
                    hidden.add(column_index_from_string(key))
        merged = {}
        for rng in ws_f.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    merged[(r, c)] = (rng.min_row, rng.min_col)
        cols = [c for c in range(1, ws.max_column + 1) if c not in hidden]
        rows, nos = [], []
        values = {}
        for row_f, row_v in zip(ws_f.iter_rows(), ws.iter_rows()):
            for cf, cv in zip(row_f, row_v):
                if cf.data_type == "f" and cv.value is None:
                    raise ImportRefused(
                        f"{name}!{ws.title}!{cf.coordinate}：是公式，但文件中没有保存计算结果（多见于程序生成、"
                        "未在 Excel 中打开保存过的文件）。请在 Excel/WPS 中打开并保存后再导入，"
                        "或把公式单元格“选择性粘贴为数值”")
                if cv.value is not None:
                    values[(cv.row, cv.column)] = _value(cv.value)
        for r in range(1, ws.max_row + 1):
            line = []
            for c in cols:
                src = merged.get((r, c), (r, c))
                line.append(Cell(values.get(src), src == (r, c)))
            rows.append(line)
            nos.append(r)
        sheets.append(Sheet(str(p), ws.title, rows, nos, [get_column_letter(c) for c in cols],
                            hidden_cols=len(hidden & set(range(1, ws.max_column + 1)))))
    return sheets


# ---- step 2: recognise a sheet -------------------------------------------------------------------------
KINDS = [   # (kind, pattern on the title without spaces, what the summary calls it)
    ("perf", r"绩效目标", "项目绩效目标表"),
    ("sangong", r"三公", "“三公”经费表"),
    ("running", r"机关运行经费", "机关运行经费表"),
    ("procurement", r"政府采购", "政府采购表"),
    ("fiscal", r"财政拨款收支", "财政拨款收支总表"),
    ("fund_income", r"政府性基金.*收入", "政府性基金预算收入表"),
    ("fund_exp", r"政府性基金.*支出", "政府性基金预算支出表"),
    ("soe_exp", r"国有资本经营", "国有资本经营预算支出表"),
    ("econ_basic", r"基本支出.*(经济|科目)|基本支出表", "基本支出经济分类表"),
    ("econ_all", r"经济分类汇总|支出经济分类表", "支出经济分类汇总表"),
    ("gpb_exp", r"一般公共预算支出", "一般公共预算支出表"),
    ("projects_carry", r"项目支出.*上年结转", "项目支出表（上年结转）"),
    ("projects", r"项目支出", "项目支出表"),
    ("summary", r"收支(总|预算)表|收支总", "收支总表"),
    ("income", r"收入(总|预算)?表", "收入总表"),
    ("expenditure", r"支出(总|预算)?表", "支出总表"),
]
KIND_NAMES = {k: n for k, _p, n in KINDS}
TOTAL_WORDS = {"合计", "总计", "部门合计", "单位合计", "本年收入合计", "本年支出合计", "收入总计", "支出总计",
               "收入合计", "支出合计"}
_LABEL_RE = re.compile(r"^(预算公开表\s*\d+|预算\s*\d+\s*表|表\s*[\d一二三四五六七八九十]+|附表\s*\d+)$")
_META = r"(单位|部门)名称[:：]|(编制|填报|预算)单位[:：]|^(部门|单位)[/／、](单位|部门)[:：]"
_CN_NUM = re.compile(r"^[一二三四五六七八九十]+、|^（[一二三四五六七八九十]+）|^[①②③④⑤⑥⑦⑧⑨⑩]")


def _meta_name(meta: str) -> str:
    m = re.match(r"(?:(?:单位|部门)名称|(?:编制|填报|预算)单位|(?:部门|单位)[/／、](?:单位|部门))[:：](.+)$", meta or "")
    return m.group(1) if m else ""


def norm(s) -> str:
    return re.sub(r"\s+", "", str(s)) if s is not None else ""


@dataclass
class Table:
    sheet: Sheet
    kind: str
    title: str
    unit: str                      # 万元 | 元
    meta: str                      # 单位名称：… / 部门名称：…
    labels: list[tuple[str, ...]]  # per column
    first: int                     # first data row (grid index)
    label_text: str = ""           # 预算公开表3 / 预算03表
    unit_hint: str = ""            # the unit a per-unit export is of (its 单位名称 line)
    by_unit: bool = False          # its rows are units (and the department), not subjects

    @property
    def factor(self) -> Decimal:
        return Decimal(10000) if self.unit == "元" else Decimal(1)


def _texts(row: list[Cell], origin_only=True) -> list[str]:
    return [c.value for c in row if isinstance(c.value, str) and (c.origin or not origin_only)]


def _numbering(row: list[Cell]) -> bool:
    vals = [c.value for c in row if c.origin and c.value is not None]
    try:
        nums = [int(Decimal(str(v))) for v in vals]
    except (InvalidOperation, ValueError):
        return False
    return len(nums) >= 2 and nums == list(range(nums[0], nums[0] + len(nums)))


def _data_like(row: list[Cell]) -> bool:
    texts = _texts(row)
    if any(isinstance(c.value, Decimal) and c.origin for c in row):
        return True
    if not texts:
        return False
    if re.match(r"^\d{3,21}(\s|$)", texts[0]) or _CN_NUM.match(texts[0]):
        return True
    # a 合计 row of an empty table (blank figures), not a header row that starts with 合计
    return all(norm(t) in TOTAL_WORDS or _CN_NUM.match(t) for t in set(texts))


def recognise(sheet: Sheet) -> Table | str:
    """The table on a sheet, or why it is not one (a Chinese reason)."""
    if not sheet.rows:
        return "隐藏的工作表" if sheet.hidden_cols == -1 else "空工作表"
    title = label = meta = ""
    unit = ""
    kind = None
    r = 0
    n = len(sheet.rows)
    while r < n and r < 12:
        row = sheet.rows[r]
        texts = _texts(row)
        if not texts and not any(c.value is not None for c in row):
            r += 1
            continue
        joined = norm("".join(texts))
        m_unit = re.search(r"单位[:：]\s*(万元|元)", joined)
        if m_unit and len(texts) <= 3:
            unit = m_unit.group(1)
            for t in texts:
                if re.search(_META, norm(t)):
                    meta = norm(t)
            r += 1
            continue
        if len(texts) == 1 and _LABEL_RE.match(norm(texts[0])):
            label = norm(texts[0])
            r += 1
            continue
        if len(texts) <= 2 and any(re.search(_META, norm(t)) for t in texts):
            meta = next(norm(t) for t in texts if re.search(_META, norm(t)))
            r += 1
            continue
        if kind is None and len(set(texts)) == 1 and not _data_like(row):
            t = norm(texts[0])
            for k, pat, _n in KINDS:
                if re.search(pat, t):
                    kind, title = k, t
                    break
            if kind is not None:
                r += 1
                continue
            if len(texts) == 1 and len(norm(texts[0])) <= 30:
                r += 1          # a line above the title: 附件2, 草稿, 公开日期 …
                continue
        break
    if kind is None:
        t = norm(sheet.name)
        for k, pat, _n in KINDS:
            if re.search(pat, t):
                kind, title = k, t
                break
    if kind is None:
        return "不是可识别的公开表（没有找到表名，如“预算支出总表”“一般公共预算支出表”）"
    head_start = r
    while r < n and r - head_start < 6:
        row = sheet.rows[r]
        if not any(c.value is not None for c in row):
            r += 1
            continue
        if _numbering(row):
            r += 1
            continue
        if _data_like(row) or len(set(_texts(row, origin_only=False))) < 2:
            break
        r += 1
    head = [row for row in sheet.rows[head_start:r] if not _numbering(row)]
    width = len(sheet.col_letter)
    labels = []
    for c in range(width):
        path: list[str] = []
        for row in head:
            v = row[c].value if c < len(row) else None
            t = norm(v) if isinstance(v, str) else ""
            t = re.sub(r"[（(](万元|元)[）)]", "", t)
            if t and (not path or path[-1] != t):
                path.append(t)
        labels.append(tuple(path))
    joined_head = "".join("".join(p) for p in labels)
    if not unit:
        unit = "元" if re.search(r"[（(]元[）)]", "".join(norm(c.value) for row in head for c in row if isinstance(c.value, str))) else "万元"
    if not any(labels) or not joined_head:
        return f"“{title}”：没有找到表头"
    return Table(sheet, kind, title, unit, meta, labels, r, label)


# ---- step 3: columns and rows -------------------------------------------------------------------------
SOURCE_WORDS = [   # label word → source key (order: specific first)
    ("事业单位经营", "事业单位经营收入"), ("事业收入", "事业收入"), ("上级补助", "上级补助收入"),
    ("附属单位", "附属单位上缴收入"), ("其他收入", "其他收入"), ("单位资金", "unit_funds"),
    ("财政专户", "财政专户管理资金"), ("国有资本", "国有资本经营预算"), ("政府性基金", "政府性基金预算"),
    ("一般公共预算", "一般公共预算"),
]
KIND_WORDS = [("工资福利", "wages"), ("对个人和家庭", "family"), ("公用经费", "office"), ("人员经费", "personnel"),
              ("其他运转", "ops"), ("特定目标", "target"), ("基本支出", "basic"), ("项目支出", "project")]


def col_source(path) -> str | None:
    for part in reversed(path):
        for w, s in SOURCE_WORDS:
            if w in part:
                return s
    return None


def col_kind(path) -> str | None:
    for part in reversed(path):
        if part.startswith("其中"):
            return "skip"
        for w, k in KIND_WORDS:
            if w in part:
                return k
        if part in ("合计", "小计", "总计") or part.endswith("合计"):
            continue
    return None


def is_carry(path) -> bool:
    return any("结转" in p for p in path)


def _num(cell_value, table: Table, sheet: Sheet, r: int, c: int, findings: list) -> Decimal:
    v = cell_value
    if v is None:
        return ZERO
    if isinstance(v, Decimal):
        d = v
    else:
        s = norm(v).replace(",", "").replace("，", "")
        if s in ("-", "—", "－", "--", "/"):
            return ZERO
        try:
            d = Decimal(s)
        except InvalidOperation:
            findings.append(Finding("warning", "import.not-number", f"金额列中的“{v}”不是数字，按 0 读取",
                                    sheet.where(r, c)))
            return ZERO
    if d < 0:
        findings.append(Finding("error", "import.negative", f"金额 {d} 为负数", sheet.where(r, c)))
        return ZERO
    return d / table.factor


# "2010101 行政运行", "30101基本工资": a classification code (3/5/7 digits) and its name; not "2026年…"
_CODE_NAME = re.compile(r"^(\d{7}|\d{5}|\d{3})(?:\s+|(?=[^\d\s年月日号期万元个%．.、）)]))(.*)$")


@dataclass
class Row:
    r: int                         # grid row
    code: str                      # 7-digit 项, 3/5 digit 类/款, '' for none
    name: str
    unit_code: str
    extra: dict                    # other text columns (type, gov name/code, project code)
    amounts: dict                  # column index → Decimal (in 万元)
    total: bool = False


# 部门经济分类 → 政府经济分类 of a 行政单位 (what an import writes as the units' type), longest prefix first
GOV_OF_ADMIN = {"30108": "50102", "30113": "50103", "301": "50101", "302": "50201", "303": "50901", "310": "50601"}


def default_gov(code: str) -> str:
    """The 政府经济分类款 of a 部门经济分类款 in a 行政单位, or '' if unknown."""
    return next((g for k, g in sorted(GOV_OF_ADMIN.items(), key=lambda x: -len(x[0])) if code.startswith(k)), "")


def label_cols(t: Table):
    """Column roles: code parts, name, unit code, type, gov code/name, amounts."""
    roles = {}
    for c, path in enumerate(t.labels):
        j = "/".join(path)
        last = path[-1] if path else ""
        if not path:
            continue
        if "政府预算" in j and "名称" in last:
            roles[c] = "gov_name"
        elif "政府预算" in j and ("编码" in j or last in ("类", "款")):
            roles[c] = "gov_code"
        elif last in ("类", "款", "项") and ("编码" in j or "科目" in j or len(path) > 1):
            roles[c] = "code_part"
        elif last in ("类", "款", "项"):
            roles[c] = "code_part"
        elif "项目编码" in j or ("单位编码" in j and "项目" in j):
            roles[c] = "project_code"
        elif re.search(r"单位[）)]?(代码|编码)", j):
            roles[c] = "unit_code"
        elif last in ("项目单位", "预算单位", "所属单位"):
            roles[c] = "unit_name"
        elif "项目类型" in j or last == "类型":
            roles[c] = "type"
        elif "资金来源" in last or last == "来源":
            roles[c] = "source_text"
        elif "编码" in j and "收入科目" in j:
            roles[c] = "income_code"
        elif "编码" in last or last == "科目代码":
            roles[c] = "code"
        elif "名称" in last or last in ("项目", "功能分类科目", "科目") or (last.endswith("科目") and "经济" in last):
            roles[c] = "name"
        else:
            roles[c] = "amount"
    return roles


def field_sums(r: Row, cols: dict) -> defaultdict:
    """One row's amounts by input field: `cols` maps a column to its field (several columns may
    feed one field, e.g. 工资福利 and 社会保障 both into wages)."""
    vals = defaultdict(Decimal)
    for c, k in cols.items():
        vals[k] += r.amounts.get(c, ZERO)
    return vals


def add_into(target: dict, vals: dict) -> dict:
    """`target` with each amount of `vals` added to its field."""
    for k, v in vals.items():
        target[k] = target.get(k, ZERO) + v
    return target


def read_rows(t: Table, findings: list, amount_cols=None, roles=None) -> list[Row]:
    roles = label_cols(t) if roles is None else roles
    sheet = t.sheet
    out = []
    for r in range(t.first, len(sheet.rows)):
        row = sheet.rows[r]
        texts = [c.value for c in row if isinstance(c.value, str)]
        if texts and norm(texts[0]).startswith("注"):
            break
        if not any(c.value is not None for c in row):
            continue
        code_parts, code, name, unit_code, extra, amounts = [], "", "", "", {}, {}
        for c, cell in enumerate(row):
            role = roles.get(c)
            v = cell.value
            if role is None:
                continue
            if role == "amount":
                if amount_cols is None or c in amount_cols:
                    if cell.origin or isinstance(v, Decimal) is False:
                        amounts[c] = _num(v if cell.origin else None, t, sheet, r, c, findings)
                continue
            s = re.sub(r"\s+", " ", str(v)).strip() if v is not None else ""
            if role not in ("name", "type", "source_text", "unit_name"):
                s = norm(s)
            if isinstance(v, Decimal):
                s = str(int(v)) if v == v.to_integral_value() else str(v)
            if role == "code_part":
                code_parts.append(s)
            elif role == "code":
                code = code or s
            elif role == "name":
                name = name or s
            elif role == "unit_code":
                unit_code = unit_code or s
            elif role == "gov_code":
                extra[role] = extra.get(role, "") + s
            else:
                extra[role] = extra.get(role) or s
        if code_parts and not code:
            code = "".join(code_parts) if all(code_parts) or not code_parts[-1] else ""
            if not all(code_parts):
                code = "".join(p for p in code_parts if p) if code_parts[0] else ""
        m = _CODE_NAME.match(name) if not code else None
        if m:
            code, name = m.group(1), (m.group(2) or "").strip()
        elif code and not code.isdigit():
            m2 = _CODE_NAME.match(code)
            if m2:
                code, rest = m2.group(1), m2.group(2).strip()
                name = name or rest
        label = name or code
        total = norm(label) in TOTAL_WORDS or (not name and not code and any(
            norm(x) in TOTAL_WORDS for x in texts))
        out.append(Row(r, code, name, unit_code, extra, amounts, total))
    mark_department_rows(out)
    return out


def mark_department_rows(rows: list[Row]):
    """A row with a unit code that the codes of other unit rows extend (032 above 032001, 032002) is
    the department's own row: its figures are its units' sum, so it is a total, not a unit."""
    coded = [r for r in rows if r.unit_code.isdigit() and not r.code and not r.total]
    for r in coded:
        if any(o is not r and len(o.unit_code) > len(r.unit_code) and o.unit_code.startswith(r.unit_code)
               for o in coded):
            r.total = True
            r.extra["dept_row"] = True


def is_by_unit(t: Table) -> bool:
    """The table's rows are units: it has a unit-code column and no subject-code column."""
    roles = set(label_cols(t).values())
    return "unit_code" in roles and not roles & {"code", "code_part", "income_code", "project_code"}


FUNC_SOURCE = {"expenditure": None, "gpb_exp": "一般公共预算", "fund_exp": "政府性基金预算",
               "soe_exp": "国有资本经营预算"}


# ---- step 4: the budget -----------------------------------------------------------------------------------
@dataclass
class Leaf:
    unit: str
    code: str
    name: str
    where: list = field(default_factory=list)
    all: dict = field(default_factory=dict)          # kind group → amount (all sources, carry any)
    slices: dict = field(default_factory=dict)       # (source, False) → {kind group: amount}
    streams: dict = field(default_factory=dict)      # (source|group, carry) → amount
    cells: dict = field(default_factory=dict)        # (source, carry, kind5) → amount


@dataclass
class Result:
    text: str                                  # the YAML
    findings: list = field(default_factory=list)
    read: list = field(default_factory=list)    # summary lines
    skipped: list = field(default_factory=list)
    todo: list = field(default_factory=list)
    data: dict = field(default_factory=dict)    # the figures, for --into


class Importer:
    def __init__(self, files: list[str], style: str | None = None):
        self.files = files
        self.style = style
        self.findings: list[Finding] = []
        self.read: list[str] = []
        self.skipped: list[str] = []
        self.todo: list[str] = []
        self.leaves: dict[tuple, Leaf] = {}
        self.units: dict[str, str] = {}       # code → name (in order)
        self.unit_names: list[str] = []       # names seen without codes
        self.unit_streams: dict[str, dict] = {}
        self.unit_kinds: dict[tuple, dict] = {}     # (unit code, source | "all") → {kind: amount} (by-unit tables)
        self.unit_where: dict[str, str] = {}
        self.econ: list[dict] = []
        self.econ_basic: dict = {}
        self.projects: list[dict] = []
        self.project_codes: dict[str, str] = {}
        self.sangong: dict = {}
        self.running: list[tuple[str, Decimal, str]] = []
        self.procurement: dict | None = None
        self.fund_income: list[dict] = []
        self.fiscal_cats: dict[str, dict] = defaultdict(dict)     # 类 label → {source: amount}
        self.income: dict = {}
        self.meta = {"name": "", "kind": "", "year": None, "style": None, "units": set(), "titles": []}

    # -- reading ----------------------------------------------------------------------------------------
    def run(self) -> Result:
        tables = []
        for f in self.files:
            for sheet in read_sheets(f):
                t = recognise(sheet)
                if isinstance(t, str):
                    self.skipped.append(f"{Path(f).name}!{sheet.name}：{t}，已跳过")
                    continue
                if sheet.hidden_cols > 0:
                    self.read.append(f"{Path(f).name}!{sheet.name}：{sheet.hidden_cols} 个隐藏列未读取")
                tables.append(t)
        if not tables:
            raise ImportRefused("没有找到可识别的预算公开表：" + "；".join(self.skipped[:5]) if self.skipped
                                else "没有找到可识别的预算公开表")
        order = {k: i for i, (k, _p, _n) in enumerate(KINDS)}
        # units and codes first (unit rows of any table), then the expenditure slices, then the rest
        for t in sorted(tables, key=lambda t: order[t.kind]):
            self._meta(t)
        seen_kinds = defaultdict(list)
        for t in tables:
            # a table whose rows are units (a unit-code column, no subject code: Hubei 表5-2, Henan 02表)
            # is not the same table as the one by subject with the same title words (表5-1)
            t.by_unit = is_by_unit(t)
            seen_kinds[(t.kind, t.by_unit)].append(t)
        # the same table twice: from one agency it is a duplicate (skipped); from several units
        # (a department's per-unit exports, each with its own 单位名称 line) its rows are that unit's
        for (kind, _by_unit), ts in seen_kinds.items():
            names = [_meta_name(t.meta) for t in ts]
            if len(ts) > 1 and len(set(names)) == len(ts) and all(names):
                for t, name in zip(ts, names):
                    t.unit_hint = name
                    if name not in self.unit_names:
                        self.unit_names.append(name)
                self.meta["kind"] = "部门"
            elif len(ts) > 1:
                first = ts[0]
                for t in ts[1:]:
                    self.skipped.append(f"{Path(t.sheet.file).name}!{t.sheet.name}：与 {Path(first.sheet.file).name}!"
                                        f"{first.sheet.name} 是同一张表（{KIND_NAMES[kind]}），已跳过")
                seen_kinds[(kind, _by_unit)] = [first]
        for kind in ("perf", "expenditure", "gpb_exp", "fund_exp", "soe_exp", "income", "summary", "econ_basic",
                     "econ_all", "projects", "projects_carry", "sangong", "running", "procurement",
                     "fund_income", "fiscal"):
            for by_unit in (True, False):
                for t in seen_kinds.get((kind, by_unit), []):
                    if by_unit and kind in FUNC_SOURCE:
                        self.t_unit_exp(t, FUNC_SOURCE[kind])
                    else:
                        getattr(self, "t_" + kind)(t)
        return self._build()

    def _meta(self, t: Table):
        self.meta.setdefault("titles", []).append(t.title)
        m = re.search(r"(20\d\d)\s*年", t.title)
        if m and self.meta["year"] is None:
            self.meta["year"] = int(m.group(1))
        if t.meta:
            mm = re.match(r"(单位|部门)名称[:：](.+)$", t.meta)
            if mm:
                self.meta["kind"] = self.meta["kind"] or mm.group(1)
                self.meta["name"] = self.meta["name"] or mm.group(2)
            mm = re.match(r"(?:编制|填报|预算)单位[:：](.+)$|(?:部门|单位)[/／、](?:单位|部门)[:：](.+)$", t.meta)
            if mm:
                self.meta["name"] = self.meta["name"] or mm.group(1) or mm.group(2)
        if not self.meta["kind"]:
            mk = re.search(r"年度?(单位|部门)", t.title)
            if mk:
                self.meta["kind"] = mk.group(1)
        if self.meta["style"] is None:
            self.meta["style"] = style_by_label(t.label_text) or style_by_label(t.sheet.name)

    def _note(self, t: Table, taken: int, skipped: int, what: str):
        head = f"{Path(t.sheet.file).name}!{t.sheet.name}（{KIND_NAMES[t.kind]}）："
        if not taken:
            self.read.append(head + "表中没有数据行")
            return
        self.read.append(head + f"读取 {taken} 行{what}"
                         + (f"，{skipped} 行汇总行（合计、类/款、单位）只用于核对" if skipped else ""))

    def _amount_fields(self, t: Table, pick):
        """{column: key} for the amount columns `pick(path)` names (None = not used)."""
        roles = label_cols(t)
        out = {}
        for c, role in roles.items():
            if role == "amount":
                k = pick(t.labels[c])
                if k is not None:
                    out[c] = k
        return out

    def _check_sums(self, t: Table, rows: list[Row], detail, cols):
        """Every total/subtotal row against the detail rows it covers; findings at its cells."""
        details = [r for r in rows if detail(r)]
        for r in rows:
            if r.total:
                covered = details
            elif not detail(r) and r.code and len(r.code) in (3, 5):
                covered = [d for d in details if d.code.startswith(r.code)]
            else:
                continue
            for c in cols:
                want = sum((d.amounts.get(c, ZERO) for d in covered), ZERO)
                got = r.amounts.get(c, ZERO)
                if (got - want).quantize(CENT) != 0 and abs(got - want) >= Decimal("0.005"):
                    label = (f"部门行 {r.unit_code} {r.name}" if r.extra.get("dept_row") else "合计" if r.total
                             else f"{r.code} {r.name}")
                    col = "/".join(t.labels[c])
                    self.findings.append(Finding(
                        "warning", "import.total",
                        f"{label}（{col}）印 {fmt(got)} ≠ 明细之和 {fmt(want)}；导入按明细行",
                        t.sheet.where(r.r, c)))

    def _leaf(self, unit: str, code: str, name: str) -> Leaf:
        key = (unit, code)
        leaf = self.leaves.get(key)
        if leaf is None:
            leaf = self.leaves[key] = Leaf(unit, code, name)
        if name and not leaf.name:
            leaf.name = name
        return leaf

    def _unit_rows(self, t: Table, rows: list[Row]):
        """Assign each row its unit: a row with a unit code and no 项 code is a unit row."""
        current = t.unit_hint
        for r in rows:
            if r.extra.get("dept_row"):
                self._department(r.unit_code, r.name)
                continue
            if r.unit_code and not r.code and not r.total:
                current = r.unit_code
                if r.unit_code not in self.units:
                    self.units[r.unit_code] = r.name
                r.extra["unit_row"] = True
            elif r.unit_code and r.code and not current:
                current = r.unit_code
            r.extra["unit"] = r.unit_code if (r.unit_code and r.code) else current

    # -- functional tables ----------------------------------------------------------------------------------
    def _func_pick(self, t: Table):
        def pick(path):
            if any("收入" in p and "支出" not in p for p in path) and t.kind == "soe_exp":
                return None
            k = col_kind(path)
            if k == "skip":
                return None
            if k is None:
                if any(p in ("合计", "小计", "总计") or p.endswith("预算数") for p in path) or path[-1].endswith("合计"):
                    return "all"
                return None
            if k in ("basic", "project") and path[-1] not in ("小计", "合计") and len(path) > 1 and col_kind(path[:-1]) == k and path[-1] != path[-2]:
                return None
            return k
        return pick

    def _department(self, code: str, name: str):
        """The department's own row (code 032 above its units 032001 …): the 主管部门 code and full name."""
        if code and not self.meta.get("agency_code"):
            self.meta["agency_code"] = code
        if name and not self.meta.get("full_name"):
            self.meta["full_name"] = name

    def t_unit_exp(self, t: Table, source: str | None):
        """An expenditure table by unit (Hubei 表5-2): each unit's totals by kind, for a department
        whose detail (项, 经济分类) is printed for the whole department only."""
        picked, _rows = self._detail(t, self._amount_fields(t, self._func_pick(t)),
                                     lambda rows: lambda r: bool(r.extra.get("unit_row")), "单位行（各单位合计）")
        for r, vals in picked:
            add_into(self.unit_kinds.setdefault((r.unit_code, source or "all"), {}), vals)
            self.unit_where.setdefault(r.unit_code, t.sheet.where(r.r))

    def _detail(self, t: Table, cols: dict, detail_for, label) -> tuple[list, list]:
        """([(row, its amounts by field)] of the rows `detail_for(rows)` picks, all rows): the table read
        with its unit rows recognised, its own totals checked against those rows, what was taken noted
        (`label`: what the taken rows are, or a function of the rows giving it)."""
        rows = read_rows(t, self.findings, set(cols))
        self._unit_rows(t, rows)
        detail = detail_for(rows)
        self._check_sums(t, rows, detail, cols)
        picked = [(r, field_sums(r, cols)) for r in rows if detail(r)]
        self._note(t, len(picked), len(rows) - len(picked), label(rows) if callable(label) else label)
        return picked, rows

    def _func(self, t: Table, source: str | None):
        picked, _rows = self._detail(t, self._amount_fields(t, self._func_pick(t)),
                                     lambda rows: lambda r: len(r.code) == 7 and not r.total, "明细（项）")
        for r, vals in picked:
            leaf = self._leaf(r.extra.get("unit", ""), r.code, r.name)
            leaf.where.append(t.sheet.where(r.r))
            add_into(leaf.all if source is None else leaf.slices.setdefault((source, False), {}), vals)

    def t_expenditure(self, t):
        self._func(t, None)

    def t_gpb_exp(self, t):
        self._func(t, "一般公共预算")

    def t_fund_exp(self, t):
        self._func(t, "政府性基金预算")

    def t_soe_exp(self, t):
        self._func(t, "国有资本经营预算")

    def t_income(self, t):
        def pick(path):
            if any("其中" in p for p in path):
                return None
            s = col_source(path)
            carry = is_carry(path)
            if s is None:
                return ("all", True) if carry and not any(p in ("合计", "小计") for p in path[1:]) else None
            return (s, carry)
        # a carry-over column with sources under it: the bare 上年结转 合计 column is then a total
        by_leaf = lambda rows: any(len(r.code) == 7 for r in rows)  # noqa: E731
        picked, rows = self._detail(
            t, self._amount_fields(t, pick),
            lambda rows: (lambda r: len(r.code) == 7 and not r.total) if by_leaf(rows) else (
                lambda r: bool(r.unit_code) and not r.total),
            lambda rows: "明细（项）" if by_leaf(rows) else "单位行")
        per_leaf = by_leaf(rows)
        for r, vals in picked:
            if any(k[1] and k[0] != "all" for k in vals):
                vals.pop(("all", True), None)
            if per_leaf:
                leaf = self._leaf(r.extra.get("unit", ""), r.code, r.name)
                leaf.where.append(t.sheet.where(r.r))
                add_into(leaf.streams, vals)
            else:
                self.units.setdefault(r.unit_code, r.name)
                self.unit_where.setdefault(r.unit_code, t.sheet.where(r.r))
                add_into(self.unit_streams.setdefault(r.unit_code, {}), vals)

    def t_summary(self, t):
        """收支总表: the income side gives income by source (used to split 单位资金 by source)."""
        rows = read_rows(t, self.findings)
        roles = label_cols(t)
        amount_cols = [c for c, r in roles.items() if r == "amount"]
        n = 0
        for r in rows:
            row = t.sheet.rows[r.r]
            first_text = next((norm(c.value) for c in row if isinstance(c.value, str)), "")
            if not first_text or not amount_cols:
                continue
            c0 = amount_cols[0]
            amt = r.amounts.get(c0, ZERO)
            s = col_source((first_text,))
            if s and not first_text.startswith("其中") and s in SOURCES:
                self.income[s] = self.income.get(s, ZERO) + amt
                n += 1
        self._note(t, n, 0, "收入来源（只用于拆分单位资金）")

    def t_fiscal(self, t):
        """财政拨款收支总表: per 类 (category) the fiscal money by source (current and carried over);
        used only to decide which 项 money printed per unit, not per 项, belongs to."""
        roles = label_cols(t)
        label_col = next((c for c, r in roles.items() if r == "name" and any("支出" in p for p in t.labels[c])), None)
        cols = {}
        for c, r in roles.items():
            path = t.labels[c]
            if r == "amount" and any("支出" in p for p in path) and not any("其中" in p for p in path):
                src = col_source(path)
                if src in FISCAL:
                    cols[c] = src
        n = 0
        if label_col is not None and cols:
            for r in range(t.first, len(t.sheet.rows)):
                row = t.sheet.rows[r]
                v = row[label_col].value if label_col < len(row) else None
                if not isinstance(v, str):
                    continue
                label = re.sub(r"^[（(]?[一二三四五六七八九十]+[）)、]?", "", norm(v))
                got = False
                for c, src in cols.items():
                    a = _num(row[c].value if row[c].origin else None, t, t.sheet, r, c, [])
                    if a:
                        self.fiscal_cats[label][src] = self.fiscal_cats[label].get(src, ZERO) + a
                        got = True
                n += got
        self.read.append(f"{Path(t.sheet.file).name}!{t.sheet.name}（{KIND_NAMES[t.kind]}）：读取 {n} 行支出功能分类（类），"
                         "（有金额的），只用于判断按单位印出的资金属于哪个科目")

    # -- economic classification ---------------------------------------------------------------------------
    def _econ_rows(self, t, pick):
        cols = self._amount_fields(t, pick)
        rows = read_rows(t, self.findings, set(cols))
        self._unit_rows(t, rows)
        cls = ""
        out = []
        for r in rows:
            if r.total or r.extra.get("unit_row"):
                continue
            code = r.code
            gov = r.extra.get("gov_code", "")
            gov_name = r.extra.get("gov_name", "")
            name = r.name
            if not code:
                # names only (Shanxi 表6): a class row names a 类 and has no government name
                rev_cls = {v: k for k, v in codes.ECON_DEPT_CLASSES.items()}
                if name in rev_cls and not gov_name:
                    cls = rev_cls[name]
                    r.extra["class_row"] = True
                    continue
                cand = [k for k, v in codes.ECON_DEPT.items() if v == name]
                cand = [k for k in cand if k.startswith(cls)] or cand
                if not cand:
                    self.findings.append(Finding("error", "import.econ-name",
                                                 f"经济分类科目“{name}”不在标准科目中，无法确定编码（请在表中加“科目编码”列）",
                                                 t.sheet.where(r.r)))
                    continue
                code = cand[0]
            elif len(code) == 3:
                cls = code
                r.extra["class_row"] = True
                continue
            if len(code) != 5:
                continue
            if not gov and gov_name:
                cand = [k for k, v in codes.ECON_GOV.items() if v == gov_name]
                if not cand:
                    self.findings.append(Finding("error", "import.econ-name",
                                                 f"政府经济分类科目“{gov_name}”不在标准科目中，无法确定编码",
                                                 t.sheet.where(r.r)))
                    continue
                gov = cand[0]
            vals = field_sums(r, cols)
            out.append((r, code, name, gov, gov_name, vals))
        return rows, cols, out

    def t_econ_basic(self, t):
        def pick(path):
            k = col_kind(path)
            if k in ("personnel", "office"):
                return k
            if any(p in ("合计", "小计") or p.endswith("基本支出") for p in path[-1:]):
                return "all"
            return None
        rows, cols, items = self._econ_rows(t, pick)
        all_cols = [c for c, k in cols.items() if k == "all"]
        total = next((r for r in rows if r.total), None)
        got = sum((v.get("all", ZERO) for *_x, v in items), ZERO)
        if total is not None and all_cols:
            printed = total.amounts.get(all_cols[0], ZERO)
            if (printed - got).quantize(CENT) != 0:
                self.findings.append(Finding("warning", "import.total",
                                             f"合计印 {fmt(printed)} ≠ 明细之和 {fmt(got)}；导入按明细行",
                                             t.sheet.where(total.r, all_cols[0])))
        for r, code, name, gov, gov_name, vals in items:
            unit = r.extra.get("unit", "")
            key = (unit, code, gov)
            e = self.econ_basic.setdefault(key, {"code": code, "gov": gov, "name": name, "gov_name": gov_name,
                                                 "amount": ZERO, "where": t.sheet.where(r.r)})
            e["amount"] += vals.get("all", ZERO) or (vals.get("personnel", ZERO) + vals.get("office", ZERO))
        self._note(t, len(items), len(rows) - len(items), "经济分类款")

    def t_econ_all(self, t):
        def pick(path):
            if any("其中" in p for p in path):
                return None
            s = col_source(path)
            carry = is_carry(path)
            if carry:
                return ("all", True)
            return (s, False) if s else None
        rows, cols, items = self._econ_rows(t, pick)
        for r, code, name, gov, gov_name, vals in items:
            self.econ.append({"unit": r.extra.get("unit", ""), "code": code, "gov": gov, "name": name,
                              "gov_name": gov_name, "streams": dict(vals), "where": t.sheet.where(r.r)})
        self._note(t, len(items), len(rows) - len(items), "经济分类款")

    # -- projects ------------------------------------------------------------------------------------------------
    def _project_table(self, t, carry_default: bool):
        roles = label_cols(t)
        by_text = "source_text" in roles.values()
        names = [c for c, r in roles.items() if r == "name"]
        if len(names) > 1:      # 单位名称 beside 项目名称: the unit of each project row
            for c in names:
                if "单位" in t.labels[c][-1] and "项目" not in t.labels[c][-1]:
                    roles[c] = "unit_name"
        # one amount column and no column by source: the money is the row's (its 资金来源 cell, else
        # 一般公共预算, said in the summary)
        no_sources = not any(col_source(t.labels[c]) for c, r in roles.items() if r == "amount")
        if no_sources and not by_text:
            self.todo.append(f"{Path(t.sheet.file).name}!{t.sheet.name}：项目支出不分资金来源，已记为一般公共预算，"
                             "请核对 projects 的 amounts")

        def pick(path):
            s = col_source(path)
            if s is None:
                # one amount column beside a 资金来源 column: the row's source says whose money it is
                if (by_text or no_sources) and (path[-1] in ("合计", "金额", "小计", "预算数") or path[-1].endswith("金额")):
                    return ("row", is_carry(path) or carry_default)
                return None
            return (s, is_carry(path) or carry_default)
        cols = self._amount_fields(t, pick)
        rows = read_rows(t, self.findings, set(cols), roles)
        known = set(self.units.values()) | set(self.unit_names)
        if self.meta["name"]:
            known.add(self.meta["name"])
        heads = set()
        i = 0
        body = [r for r in rows if not r.total]
        while i < len(body):
            r = body[i]
            vec = lambda x: tuple(x.amounts.get(c, ZERO) for c in cols)  # noqa: E731
            is_unit_named = r.name in known or (r.unit_code and r.unit_code in self.units and self.units[r.unit_code] == r.name)
            org_like = bool(re.search(r"(局|中心|委员会|委|办公室|站|所|院|馆|队|校|厅|处|本级|机关)$", r.name))
            if (is_unit_named or org_like) and not r.extra.get("type"):
                acc = [ZERO] * len(cols)
                for j in range(i + 1, len(body)):
                    acc = [a + b for a, b in zip(acc, vec(body[j]))]
                    if tuple(acc) == vec(r) and (is_unit_named or j > i):
                        heads.add(i)
                        break
                    if any(a > b for a, b in zip(acc, vec(r))):
                        break
            i += 1
        # rows whose 项目编码 column holds a short code (Hubei 表10: 032 部门, 032001 单位, 31 本级支出项目) head
        # the project rows below them: the longest codes name units, a code that the next such code extends
        # is the department's, a two-digit one a project category
        short = {i: r.extra["project_code"] for i, r in enumerate(body)
                 if re.fullmatch(r"\d{2,9}", r.extra.get("project_code", "")) and not r.extra.get("type")}
        skip = set()
        for i, c in short.items():
            nxt = next((short[j] for j in sorted(short) if j > i and len(short[j]) > 2), "")
            if len(c) == 2 or (nxt.startswith(c) and len(nxt) > len(c)):
                skip.add(i)
                if len(c) > 2:
                    self._department(c, body[i].name)
            else:
                heads.add(i)
                body[i].unit_code = body[i].unit_code or c     # the unit's code, printed in the code column
        heads -= skip
        current = t.unit_hint
        n = 0
        for i, r in enumerate(body):
            if i in skip:
                continue
            if i in heads:
                current = r.unit_code or r.name
                if r.unit_code and r.name:
                    self.units.setdefault(r.unit_code, r.name)
                if not r.unit_code and r.name not in self.unit_names:
                    self.unit_names.append(r.name)
                continue
            named = r.extra.get("unit_name", "")
            if named:           # the row's own 项目单位 cell
                if named not in self.units.values() and named not in self.unit_names:
                    self.unit_names.append(named)
                r.unit_code = r.unit_code or next((c for c, n in self.units.items() if n == named), named)
            amounts = defaultdict(Decimal)
            for c, k in cols.items():
                if k[0] == "row":
                    src = col_source((r.extra.get("source_text", ""),)) or "一般公共预算"
                    k = (src, k[1] or "结转" in r.extra.get("source_text", ""))
                amounts[k] += r.amounts.get(c, ZERO)
            same = next((p for p in self.projects if by_text and p["name"] == r.name
                         and p["unit"] == (r.unit_code or current)), None)
            if same is not None:     # one row per project and source
                add_into(same["amounts"], amounts)
                continue
            self.projects.append({"name": r.name, "unit": r.unit_code or current, "type": r.extra.get("type", ""),
                                  "amounts": dict(amounts), "where": t.sheet.where(r.r),
                                  "code": r.extra.get("project_code", "")})
            n += 1
        self._check_sums(t, rows, lambda r: not r.total and rows.index(r) not in [rows.index(body[h]) for h in heads | skip], cols)
        self._note(t, n, len(rows) - n, "项目")

    def t_projects(self, t):
        self._project_table(t, False)

    def t_projects_carry(self, t):
        self._project_table(t, True)

    def t_perf(self, t):
        rows = read_rows(t, self.findings, set())
        n = 0
        for r in rows:
            pc = r.extra.get("project_code") or r.code
            if pc and len(pc) == 3 and pc.isdigit() and not r.name and not self.meta.get("agency_code"):
                self.meta["agency_code"] = pc           # the 主管部门 row of the 绩效目标表
            if pc and len(pc) >= 10 and r.name:
                n += r.name not in self.project_codes
                self.project_codes[r.name] = pc
        self.skipped.append(f"{Path(t.sheet.file).name}!{t.sheet.name}（{KIND_NAMES[t.kind]}）：只读取项目编码 {n} 个；"
                            "绩效目标文字未导入（请在 projects 的 performance 中填写）")

    # -- other tables ----------------------------------------------------------------------------------------------
    def t_sangong(self, t):
        items = [("出国", "因公出国"), ("接待", "公务接待"), ("运行", "公务用车运行"), ("购置", "公务用车购置")]

        def item_of(s):
            s = norm(s)
            if "购置及运行" in s or "购置和运行" in s or s in TOTAL_WORDS or "合计" in s:
                return None
            for w, it in items:
                if w in s:
                    return it
            return None
        rows = read_rows(t, self.findings)
        roles = label_cols(t)
        amount_cols = [c for c, r in roles.items() if r == "amount"]
        by_row = [(item_of(r.name), r) for r in rows if item_of(r.name)]
        out = defaultdict(dict)
        if by_row:      # items down the side, sources across
            for it, r in by_row:
                for c in amount_cols:
                    s = col_source(t.labels[c])
                    if s in FISCAL:
                        out[it][s] = out[it].get(s, ZERO) + r.amounts.get(c, ZERO)
                if not any(col_source(t.labels[c]) in FISCAL for c in amount_cols) and amount_cols:
                    out[it]["一般公共预算"] = r.amounts.get(amount_cols[0], ZERO)
        else:           # items across, one row (一般公共预算)
            data = [r for r in rows if not r.total] or rows
            for c in amount_cols:
                it = item_of(t.labels[c][-1]) if t.labels[c] else None
                if it and data:
                    out[it]["一般公共预算"] = out[it].get("一般公共预算", ZERO) + data[0].amounts.get(c, ZERO)
        for it in SANGONG_ITEMS:      # summed: a department's per-unit exports each have their own
            for s, a in out.get(it, {}).items():
                if a:
                    self.sangong.setdefault(it, {})
                    self.sangong[it][s] = self.sangong[it].get(s, ZERO) + a
        self._note(t, len(self.sangong), 0, "“三公”经费项目（非零）")

    def t_running(self, t):
        rows = read_rows(t, self.findings)
        roles = label_cols(t)
        amount_cols = [c for c, r in roles.items() if r == "amount"]
        if not amount_cols:
            return
        c0 = amount_cols[0]
        total = None
        for r in rows:
            if r.total or norm(r.name).endswith("合计"):
                total = (r.amounts.get(c0, ZERO), t.sheet.where(r.r, c0))
                continue
            name = r.name or r.extra.get("unit_name", "")
            if name:
                self.running.append((name, r.amounts.get(c0, ZERO), t.sheet.where(r.r)))
        if not any(w.startswith(f"{Path(t.sheet.file).name}!{t.sheet.name}!") for _n, _a, w in self.running) \
                and total is not None:
            self.running.append((t.unit_hint, total[0], total[1]))
        self._note(t, len(self.running), 0, "机关运行经费")

    def t_procurement(self, t):
        rows = read_rows(t, self.findings)
        roles = label_cols(t)
        words = {"货物": "goods", "工程": "works", "服务": "services"}
        out = {"goods": ZERO, "works": ZERO, "services": ZERO}
        found = False
        for c, role in roles.items():
            if role != "amount":
                continue
            for w, k in words.items():
                if w in "/".join(t.labels[c]):
                    found = True
                    out[k] += sum((r.amounts.get(c, ZERO) for r in rows if not r.total), ZERO)
        if not found:
            amount_cols = [c for c, r in roles.items() if r == "amount"]
            for r in rows:
                for w, k in words.items():
                    if w in r.name and amount_cols:
                        found = True
                        out[k] += r.amounts.get(amount_cols[0], ZERO)
        if found:
            self.procurement = out
        self._note(t, 3 if found else 0, 0, "政府采购（货物/工程/服务）")

    def t_fund_income(self, t):
        rows = read_rows(t, self.findings)
        roles = label_cols(t)
        amount_cols = [c for c, r in roles.items() if r == "amount"]
        detail_len = max((len(r.code) for r in rows if r.code.isdigit()), default=0)
        for r in rows:
            r.code = r.extra.get("income_code") or r.code
        detail_len = max((len(r.code) for r in rows if r.code.isdigit()), default=0)
        for r in rows:
            if r.total or len(r.code) != detail_len or not amount_cols:
                continue
            self.fund_income.append({"code": r.code, "name": r.name, "amount": r.amounts.get(amount_cols[0], ZERO),
                                     "where": t.sheet.where(r.r)})
        self._note(t, len(self.fund_income), 0, "政府性基金收入科目")

    # -- combining --------------------------------------------------------------------------------------------------
    def _build(self) -> Result:
        return build(self)


def fmt(d: Decimal) -> str:
    return f"{d.quantize(CENT):,.2f}"


# Where a table prints only 基本支出 per 项, the split into 工资福利 / 对个人和家庭的补助 / 公用经费 is
# not printed anywhere; any split with the economic totals reproduces every table. The one chosen
# follows what the 项 are for: 对个人和家庭的补助 (retirement pay) first to the 离退休 项 (2080501/02),
# 公用经费 first to the running-cost 项 (…01 行政运行, …02 一般行政管理事务, …50 事业运行), 工资福利
# first to the rest (social-security, medical, housing-fund 项).
def _basic_preference(code: str, kind: str) -> int:
    running = len(code) == 7 and code[5:] in ("01", "02", "50")
    retired = code[:5] == "20805" and code[5:] in ("01", "02")
    if kind == "family":
        return 0 if retired else 1
    if kind == "office":
        return 0 if running else 1
    return 1 if running or retired else 0


def _allocate_basic(codes_: list[str], rows: list[Decimal], want: list[Decimal]) -> list[list[Decimal]]:
    """rows × (wages, family, office) with the given row sums and (when they agree) column sums."""
    m = [[ZERO] * 3 for _ in rows]
    left = list(rows)
    for j in (1, 2, 0):                 # family, office, then wages
        kind = BASIC[j]
        need = want[j]
        for i in sorted(range(len(rows)), key=lambda i: (_basic_preference(codes_[i], kind), i)):
            if need <= 0:
                break
            take = min(need, left[i])
            if take > 0:
                m[i][j] += take
                left[i] -= take
                need -= take
    for i, rest in enumerate(left):      # totals that disagree: the remainder stays 工资福利
        if rest > 0:
            m[i][0] += rest
    return m


def _similar(a: str, b: str) -> float:
    from difflib import SequenceMatcher
    return SequenceMatcher(None, a, b).ratio()


def _category_caps(imp, cats: set[str], top: dict) -> dict:
    """{类 code: {source: fiscal money not yet placed}} from the 财政拨款收支总表 (its 类 labels matched
    to the 类 the 项 rows belong to by name), less what the 项 already hold."""
    if not imp.fiscal_cats:
        return {}
    caps: dict[str, dict] = {}
    for label, by_src in imp.fiscal_cats.items():
        best = max(cats, key=lambda c: _similar(label, codes.CATEGORIES.get(c, c)), default=None)
        if best is not None and _similar(label, codes.CATEGORIES.get(best, best)) >= 0.6:
            d = caps.setdefault(best, {})
            for s, a in by_src.items():
                d[s] = d.get(s, ZERO) + a
    for key, cells in top.items():
        d = caps.get(key[1][:3])
        if d is None:
            continue
        for ((s, _c), _t), v in cells.items():
            if s in d:
                d[s] -= v
    return caps


def _fill(rows: list[Decimal], cols: list[tuple], row_cats: list[str], caps: dict) -> list[list[Decimal]]:
    """Like `northwest`, but money of a fiscal source goes first to the 项 whose 类 still has room
    for that source in the 财政拨款收支总表 (`caps`, updated); the rest north-west."""
    m = [[ZERO] * len(cols) for _ in rows]
    need = list(rows)
    left = [a for _c, a in cols]
    if caps:
        for j, (stream, _a) in enumerate(cols):
            src = stream[0]
            if src not in FISCAL:
                continue
            order = sorted(range(len(rows)), key=lambda i: -(caps.get(row_cats[i], {}).get(src, ZERO)))
            for i in order:
                room = caps.get(row_cats[i], {}).get(src, ZERO)
                take = min(need[i], left[j], max(room, ZERO))
                if take > 0:
                    m[i][j] += take
                    need[i] -= take
                    left[j] -= take
                    caps[row_cats[i]][src] = room - take
    rest = northwest(need, left)
    for i in range(len(rows)):
        for j in range(len(cols)):
            m[i][j] += rest[i][j]
    return m


def northwest(rows: list[Decimal], cols: list[Decimal]) -> list[list[Decimal]]:
    """A non-negative matrix with the given row and column sums (north-west corner rule); when the
    sums differ, the last column takes the difference of each row (never negative)."""
    m = [[ZERO] * len(cols) for _ in rows]
    left = list(cols)
    for i, need in enumerate(rows):
        for j in range(len(cols)):
            if need <= 0:
                break
            take = min(need, left[j]) if j < len(cols) - 1 else need
            if take > 0:
                m[i][j] += take
                left[j] -= take
                need -= take
        if need > 0 and cols:
            m[i][-1] += need
    return m


# ---- combining the tables -----------------------------------------------------------------------------------
def _top(d: dict) -> tuple[Decimal | None, Decimal | None]:
    """(基本支出, 项目支出) of a kind-group dict, None where the table did not say."""
    basic = d.get("basic")
    if basic is None and any(k in d for k in BASIC + ("personnel",)):
        basic = sum((d.get(k, ZERO) for k in ("wages", "family", "office")), ZERO)
        if "personnel" in d and "wages" not in d and "family" not in d:
            basic += d["personnel"]
    project = d.get("project")
    if project is None and any(k in d for k in PROJECT):
        project = d.get("ops", ZERO) + d.get("target", ZERO)
    if basic is None and project is not None and "all" in d:
        basic = d["all"] - project
    if project is None and basic is not None and "all" in d:
        project = d["all"] - basic
    return basic, project


def _detail(d: dict, top: str) -> dict | None:
    """The detailed kinds of one top-level kind, when the table printed them."""
    if top == "basic" and ("wages" in d or "family" in d) and "office" in d:
        return {k: d.get(k, ZERO) for k in BASIC}
    if top == "project" and "ops" in d and "target" in d:
        return {k: d.get(k, ZERO) for k in PROJECT}
    return None


def build(imp: Importer) -> Result:
    notes: list[str] = []
    # units --------------------------------------------------------------------------------------------
    units: dict[str, str] = {c: n for c, n in imp.units.items() if c}
    names = [n for n in imp.unit_names if n not in units.values()]
    for name, _a, _w in imp.running:
        if name and name not in units.values() and name not in names:
            names.append(name)
    placeholder = []
    if not units and not names:
        names = [imp.meta["name"] or "（单位名称）"]
    for i, name in enumerate(names):
        code = f"{i + 1:06d}"
        while code in units:
            code = f"{int(code) + 1:06d}"
        units[code] = name
        placeholder.append(code)
    default_unit = next(iter(units))
    from ..render import styles as _styles
    from . import xlsx_units
    dept_wide = xlsx_units.is_department_wide(imp, units, imp.style or imp.meta["style"] or _styles.default_name())
    unit_streams = imp.unit_streams
    if len(units) > 1 and not any(u for u, _c in imp.leaves):
        # the 项 rows are the department's: their sources are those of all units together
        merged: dict = {}
        for d in imp.unit_streams.values():
            add_into(merged, d)
        unit_streams = {default_unit: merged} if merged else {}

    def unit_of(key: str) -> str:
        if not key:
            return default_unit
        if key in units:
            return key
        for c, n in units.items():
            if n == key:
                return c
        return default_unit

    # the concrete source of a group column
    uf_sources = [s for s in UNIT_FUNDS if imp.income.get(s)]
    uf_default = uf_sources[0] if len(uf_sources) == 1 else "其他收入"
    if len(uf_sources) > 1:
        notes.append(f"单位资金有 {len(uf_sources)} 种来源，表中不分科目印出，已全部记为“{uf_default}”，请核对 source")

    def concrete(stream):
        s, carry = stream
        if s == "unit_funds":
            return uf_default, carry
        if s == "all":
            return "一般公共预算", carry
        return s, carry

    # leaves: top-level cells (stream, basic|project) -----------------------------------------------------
    leaves: dict[tuple, Leaf] = {}
    unit_given: dict[tuple, bool] = {}     # did the tables say which unit a 项 row belongs to
    for (u, code), leaf in imp.leaves.items():
        key = (unit_of(u), code)
        if key in leaves:
            tgt = leaves[key]
            add_into(tgt.all, leaf.all)
            for sk, d in leaf.slices.items():
                add_into(tgt.slices.setdefault(sk, {}), d)
            add_into(tgt.streams, leaf.streams)
            tgt.where += leaf.where
        else:
            leaf.unit = key[0]
            leaves[key] = leaf
        unit_given[key] = unit_given.get(key, False) or bool(u)
    has_slice_table = any(leaf.slices for leaf in leaves.values())
    top: dict[tuple, dict] = {}           # leaf key → {(stream, top): amount}
    det: dict[tuple, dict] = {}           # leaf key → {stream: {kind5: amount}} (printed detail)
    pending_unit: dict[str, list] = defaultdict(list)
    for key, leaf in leaves.items():
        cells, known = {}, {}
        sb = sp = ZERO
        for sk, d in leaf.slices.items():
            b, p = _top(d)
            b, p = b or ZERO, p or ZERO
            cells[(sk, "basic")], cells[(sk, "project")] = b, p
            sb, sp = sb + b, sp + p
            dd = {}
            for t_ in ("basic", "project"):
                x = _detail(d, t_)
                if x:
                    dd.update(x)
            if dd:
                known[sk] = dd
        ab, ap = _top(leaf.all)
        total_all = leaf.all.get("all")
        if total_all is None and ab is not None and ap is not None:
            total_all = ab + ap
        streams = {k: v for k, v in leaf.streams.items() if k not in leaf.slices}
        if total_all is None:
            total_all = sum(leaf.streams.values(), ZERO) if leaf.streams else sb + sp
        rest = total_all - sb - sp
        rb = (ab - sb) if ab is not None else None
        rp = (ap - sp) if ap is not None else None
        if rb is None and rp is None:
            rb, rp = rest, ZERO
        elif rb is None:
            rb = rest - rp
        elif rp is None:
            rp = rest - rb
        if rest > 0 or rb > 0 or rp > 0:
            if streams:
                cols = list(streams)
                m = northwest([max(rb, ZERO), max(rp, ZERO)], [streams[c] for c in cols])
                for j, c in enumerate(cols):
                    cells[(c, "basic")] = cells.get((c, "basic"), ZERO) + m[0][j]
                    cells[(c, "project")] = cells.get((c, "project"), ZERO) + m[1][j]
            elif unit_streams.get(key[0]) or unit_streams.get(leaf.unit):
                pending_unit[key[0]].append((key, max(rb, ZERO), max(rp, ZERO)))
            else:
                st = ("unit_funds", False) if has_slice_table else ("一般公共预算", False)
                if has_slice_table:
                    notes.append(f"科目 {leaf.code} {leaf.name}：{fmt(rest)} 万元不属于一般公共预算、政府性基金、国有资本经营预算，"
                                 "表中没有按来源印出（缺收入总表），已记为单位资金，请核对 source")
                cells[(st, "basic")] = cells.get((st, "basic"), ZERO) + max(rb, ZERO)
                cells[(st, "project")] = cells.get((st, "project"), ZERO) + max(rp, ZERO)
        top[key], det[key] = cells, known
    # leaves whose sources are known only per unit (河南 02表): distribute the unit's remaining streams
    caps = _category_caps(imp, {k[1][:3] for k in leaves}, top) if pending_unit else {}
    for ucode, items in pending_unit.items():
        ust = dict(unit_streams.get(ucode) or {})
        for key in (k for k in top if k[0] == ucode):      # what the unit's 项 already hold
            for (sk, t_), v in top[key].items():
                if sk in ust:
                    ust[sk] -= v
        for k in list(ust):
            if ust[k] <= 0 or (k[0] == "all" and any(kk[1] == k[1] and kk[0] != "all" for kk in ust)):
                ust.pop(k)
        # project money first, by the unit's projects (their source and carry-over are printed),
        # split by type when the 项 rows print 其他运转类/特定目标类; then basic money over what is left
        ptot = defaultdict(Decimal)
        for p in imp.projects:
            if unit_of(p["unit"]) != ucode:
                continue
            ptype = "ops" if p["type"] == "其他运转类" else "target" if p["type"] == "特定目标类" else "project"
            for sk, a in p["amounts"].items():
                if sk[0] == "unit_funds":
                    sk = concrete(sk)
                ptot[(sk, ptype)] += a
        for key in (k for k in top if k[0] == ucode):
            for sk, d in det[key].items():
                for k in PROJECT:
                    ptot[(sk, k)] -= d.get(k, ZERO)
            for (sk, t_), v in top[key].items():
                if t_ == "project" and sk not in det[key]:
                    ptot[(sk, "project")] -= v
        split = all(_detail(leaves[k].all, "project") is not None for k, _b, _p in items)
        groups = [("ops", "ops"), ("target", "target")] if split else [("project", None)]
        for gname, kind in groups:
            rows = []
            for key, _rb, rp in items:
                if kind is None:
                    rows.append(rp)
                else:
                    done = sum((d.get(kind, ZERO) for d in det[key].values()), ZERO)
                    rows.append(max(leaves[key].all.get(kind, ZERO) - done, ZERO))
            want = {sk: v for (sk, g), v in ptot.items() if (g == gname or (kind is None)) and v > 0 and sk in ust}
            cols = list(want)
            if not cols or not any(rows):
                continue
            m = _fill(rows, [(c, want[c]) for c in cols], [k[1][:3] for k, _b, _p in items], caps)
            for (key, _rb, _rp), mrow in zip(items, m):
                for c, v in zip(cols, mrow):
                    if v:
                        top[key][(c, "project")] = top[key].get((c, "project"), ZERO) + v
                        ust[c] = ust.get(c, ZERO) - v
            for i, (key, rb, rp) in enumerate(items):
                items[i] = (key, rb, max(rp - sum(m[i], ZERO), ZERO))
        cols = [c for c in ust if ust[c] > 0]
        if not cols:
            cols, ust = [("一般公共预算", False)], {("一般公共预算", False): ZERO}
        rows = [rb + rp for _k, rb, rp in items]
        m = _fill(rows, [(c, ust[c]) for c in cols], [k[1][:3] for k, _b, _p in items], caps)
        for (key, rb, rp), mrow in zip(items, m):
            mm = northwest([rb, rp], mrow)
            for j, c in enumerate(cols):
                top[key][(c, "basic")] = top[key].get((c, "basic"), ZERO) + mm[0][j]
                top[key][(c, "project")] = top[key].get((c, "project"), ZERO) + mm[1][j]

    # carry-over printed per 项 only as a total (山西 表2 “上年结转”): its sources are those of the
    # carried-over projects (表13 / 11表 by source)
    carry_src = defaultdict(Decimal)
    for p in imp.projects:
        for (s, carry), a in p["amounts"].items():
            if carry and s not in ("all", "unit_funds"):
                carry_src[s] += a
    if carry_src:
        items = [(key, v) for key in top for (sk, t_), v in top[key].items() if sk == ("all", True) and t_ == "project" and v]
        cols = list(carry_src)
        m = northwest([v for _k, v in items], [carry_src[c] for c in cols])
        for (key, _v), mrow in zip(items, m):
            top[key].pop((("all", True), "project"))
            for c, v in zip(cols, mrow):
                if v:
                    top[key][((c, True), "project")] = top[key].get(((c, True), "project"), ZERO) + v

    # detailed kinds: printed per leaf, else from the leaf's all-source detail, else global targets ----------
    final: dict[tuple, dict] = {key: defaultdict(Decimal) for key in leaves}   # key → {(src, carry, kind5)}
    open_cells: dict[tuple, list] = defaultdict(list)   # (stream, top) → [(leaf key, amount)]
    for key, leaf in leaves.items():
        cells, known = top[key], det[key]
        for sk, d in known.items():
            for k, v in d.items():
                final[key][concrete(sk) + (k,)] += v
        for t_, kinds in (("basic", BASIC), ("project", PROJECT)):
            streams = [sk for (sk, tt), v in cells.items() if tt == t_ and v > 0 and not (sk in known and any(
                k in known[sk] for k in kinds))]
            if not streams:
                continue
            whole = _detail(leaf.all, t_)
            if whole is not None:
                left = {k: whole[k] - sum((known.get(sk, {}).get(k, ZERO) for sk in known), ZERO) for k in kinds}
                m = northwest([cells[(sk, t_)] for sk in streams], [max(left[k], ZERO) for k in kinds])
                for i, sk in enumerate(streams):
                    for j, k in enumerate(kinds):
                        final[key][concrete(sk) + (k,)] += m[i][j]
            else:
                for sk in streams:
                    open_cells[(concrete(sk), t_)].append((key, cells[(sk, t_)]))

    # economic classification ----------------------------------------------------------------------------------
    econ_lines = []
    for (u, code, gov), e in imp.econ_basic.items():
        econ_lines.append({"unit": unit_of(u), "code": code, "gov": gov, "name": e["name"], "gov_name": e["gov_name"],
                           "amount": e["amount"], "source": "一般公共预算", "kind": "basic", "carryover": False,
                           "where": e["where"]})

    def econ_kind(code):
        return {"301": "wages", "303": "family"}.get(code[:3], "office")

    if imp.econ:
        # functional basic spending per (source, carry, kind5) determined so far, and what the 06 table took
        fixed = defaultdict(Decimal)
        for key in leaves:
            for (s, c, k), v in final[key].items():
                fixed[(s, c, "personnel" if k in ("wages", "family") else k)] += v
        for (stream, t_), items in open_cells.items():
            if t_ == "basic":
                fixed[(stream[0], stream[1], "basic?")] += sum((v for _k, v in items), ZERO)
        taken = defaultdict(Decimal)
        basic_from_06 = {(e["unit"], e["code"], e["gov"]): e["amount"] for e in econ_lines}
        for e in econ_lines:
            taken[("一般公共预算", False, "personnel" if econ_kind(e["code"]) != "office" else "office")] += e["amount"]
        for e in imp.econ:
            u = unit_of(e["unit"])
            for stream, amount in e["streams"].items():
                s, carry = concrete(stream)
                if amount == 0 or stream[0] in ("all",) and not carry:
                    continue
                group = "personnel" if econ_kind(e["code"]) != "office" else "office"
                if s == "一般公共预算" and not carry and imp.econ_basic:
                    basic = basic_from_06.get((u, e["code"], e["gov"]), basic_from_06.get(("", e["code"], e["gov"]), ZERO))
                    basic = min(basic, amount)
                else:
                    room = fixed[(s, carry, group)] - taken[(s, carry, group)]
                    basic = min(max(room, ZERO), amount)
                    taken[(s, carry, group)] += basic
                    if basic > 0:
                        econ_lines.append({"unit": u, "code": e["code"], "gov": e["gov"], "name": e["name"],
                                           "gov_name": e["gov_name"], "amount": basic, "source": s, "kind": "basic",
                                           "carryover": carry, "where": e["where"]})
                if amount - basic > 0:
                    econ_lines.append({"unit": u, "code": e["code"], "gov": e["gov"], "name": e["name"],
                                       "gov_name": e["gov_name"], "amount": amount - basic, "source": s,
                                       "kind": "project", "carryover": carry, "where": e["where"]})
        econ_lines = [e for e in econ_lines if e["amount"] > 0]
    # targets from the economic classification for the basic cells no table split
    etarget = defaultdict(Decimal)
    for e in econ_lines:
        if e["kind"] == "basic":
            etarget[(e["source"], e["carryover"], econ_kind(e["code"]))] += e["amount"]
    for key in leaves:
        for (s, c, k), v in final[key].items():
            if k in BASIC:
                etarget[(s, c, k)] -= v

    # projects ---------------------------------------------------------------------------------------------------
    projects = []
    seen_names = set()
    for p in imp.projects:
        by_carry = defaultdict(dict)
        for stream, a in p["amounts"].items():
            if a:
                s, carry = concrete(stream)
                by_carry[carry][s] = by_carry[carry].get(s, ZERO) + a
        if not by_carry:
            by_carry[False] = {}
        ptype = p["type"] if p["type"] in ("其他运转类", "特定目标类") else ""
        for carry in sorted(by_carry):
            name = p["name"]
            if name in seen_names:
                name = f"{name}（上年结转）" if carry else f"{name}（{len(seen_names) + 1}）"
                notes.append(f"项目“{p['name']}”既有本年又有上年结转资金，结转部分记为“{name}”，请核对")
            seen_names.add(name)
            projects.append({"name": name, "unit": unit_of(p["unit"]), "type": ptype, "type_printed": bool(ptype),
                             "unit_printed": bool(p["unit"]), "carryover": carry,
                             "amounts": by_carry[carry], "where": p["where"],
                             "code": p["code"] or imp.project_codes.get(p["name"], "")})
    if any(not p["type"] for p in projects):
        n = sum(1 for p in projects if not p["type"])
        imp.todo.append(f"{n} 个项目的项目类型表中没有印出，已记为“特定目标类”，请核对 type")
        for p in projects:
            p["type"] = p["type"] or "特定目标类"
    ptarget = defaultdict(Decimal)
    for p in projects:
        for s, a in p["amounts"].items():
            ptarget[(s, p["carryover"], "ops" if p["type"] == "其他运转类" else "target")] += a
    for key in leaves:
        for (s, c, k), v in final[key].items():
            if k in PROJECT:
                ptarget[(s, c, k)] -= v

    for (stream, t_), items in open_cells.items():
        kinds = BASIC if t_ == "basic" else PROJECT
        tg = etarget if t_ == "basic" else ptarget
        want = [max(tg[(stream[0], stream[1], k)], ZERO) for k in kinds]
        if sum(want) == 0:
            want = [ZERO] * (len(kinds) - 1) + [sum((v for _k, v in items), ZERO)]
        if t_ == "basic":
            m = _allocate_basic([k[1] for k, _v in items], [v for _k, v in items], want)
        else:
            m = northwest([v for _k, v in items], want)
        for (key, _v), mrow in zip(items, m):
            for j, k in enumerate(kinds):
                final[key][stream + (k,)] += mrow[j]
                tg[(stream[0], stream[1], k)] -= mrow[j]

    n_basic = len({k for (st, t_), items in open_cells.items() if t_ == "basic" for k, _v in items})
    n_proj = len({k for (st, t_), items in open_cells.items() if t_ == "project" for k, _v in items})
    if n_basic:
        notes.append(f"{n_basic} 个科目的基本支出表中没有逐行分为工资福利/对个人和家庭的补助/公用经费，"
                     "已按经济分类合计推算（各表数字不变），请核对 wages/family/office")
    if n_proj:
        notes.append(f"{n_proj} 个科目的项目支出表中没有逐行分为其他运转类/特定目标类，已按项目类型合计推算，请核对 ops/target")
    totals = {}
    no_leaf_units = len(units) > 1 and all(not u for u, _c in imp.leaves)
    if no_leaf_units and (imp.unit_kinds or imp.unit_streams):
        streams = {}
        for u, d in imp.unit_streams.items():
            code = unit_of(u)
            for k, v in d.items():
                if k[0] == "all" and any(kk[1] == k[1] and kk[0] != "all" for kk in d):
                    continue
                ck = concrete(k)
                streams.setdefault(code, {})[ck] = streams.get(code, {}).get(ck, ZERO) + v
        totals, tnotes = xlsx_units.unit_totals(imp, units, final, projects, streams)
        notes += tnotes
        if not dept_wide:   # this style lists each unit's lines: the department's split by the units' totals
            leaves, final, econ_lines = xlsx_units.split_by_unit(leaves, final, econ_lines, totals, units)
            totals = {}
            notes.append("表中的支出科目和经济分类只有部门合计，各单位只有合计：已按各单位合计拆分到各单位"
                         "（每个单位的人员经费、公用经费、项目支出与表中相同；单位内各科目的拆分是推算的），"
                         "请核对 expenditure / economic 的 unit")
    elif no_leaf_units:
        notes.append(f"表中的支出科目只有{imp.meta['kind'] or '部门'}合计，不分单位：已全部记在第一个单位"
                     f"“{units[default_unit]}”下，请按单位拆分 expenditure / economic 的 unit")

    econ_streams = {(e["source"], e["carryover"]) for e in econ_lines if e["kind"] == "basic"}
    basic_by = defaultdict(Decimal)
    for key in leaves:
        for (s_, c_, k_), v in final[key].items():
            if k_ in BASIC:
                basic_by[(s_, c_)] += v
    if econ_lines or imp.econ_basic:
        for (s_, c_), v in sorted(basic_by.items(), key=lambda x: (x[0][1], SOURCES.index(x[0][0]))):
            if v and (s_, c_) not in econ_streams:
                notes.append(f"{s_}{'（上年结转）' if c_ else ''}的基本支出 {fmt(v)} 万元在表中没有经济分类"
                             f"（公开表的经济分类表只含一般公共预算），请在 economic 中补充 source: {s_} 的行")
    if any(s_ == uf_default for (s_, _c) in basic_by) or any(uf_default in p["amounts"] for p in projects):
        if not uf_sources:
            notes.append(f"单位资金在表中不分来源，已记为“{uf_default}”，请核对 source（事业收入、上级补助收入等）")

    # expenditure lines ---------------------------------------------------------------------------------------
    src_order = {s: i for i, s in enumerate(SOURCES)}
    exp_lines = []
    for key in sorted(leaves, key=lambda k: (list(units).index(k[0]) if k[0] in units else 0, k[1])):
        leaf = leaves[key]
        by_stream = defaultdict(dict)
        for (s, c, k), v in final[key].items():
            if v:
                by_stream[(s, c)][k] = by_stream[(s, c)].get(k, ZERO) + v
        for (s, c) in sorted(by_stream, key=lambda x: (x[1], src_order.get(x[0], 99))):
            exp_lines.append({"code": leaf.code, "name": leaf.name or codes.SUBCATEGORIES.get(leaf.code[:5], leaf.code),
                              "unit": key[0], "source": s, "carryover": c, "amounts": by_stream[(s, c)],
                              "where": leaf.where, "group": (key[0] if unit_given.get(key) else "", leaf.code)})

    # other blocks ---------------------------------------------------------------------------------------------------
    running = {}
    for name, amount, _where in imp.running:
        code = unit_of(name)
        running[code] = running.get(code, ZERO) + amount
    observed = {(key[0] if unit_given.get(key) else "", leaf.code): (leaf.all, leaf.slices, leaf.streams)
                for key, leaf in leaves.items()}
    econ_unit_given = any(e["unit"] for e in imp.econ) or any(u for (u, _c, _g) in imp.econ_basic)
    # tables that print no 政府经济分类 (Hubei 表6): the 政府经济分类款 of the units' type as written (行政单位)
    econ_gov_given = any(e["gov"] for e in econ_lines)
    for e in econ_lines:
        if not e["gov"]:
            e["gov"] = default_gov(e["code"])
    data = {"observed": observed, "econ_unit_given": econ_unit_given, "econ_gov_given": econ_gov_given,
            "dept_wide": dept_wide, "unit_totals": totals,
            "units": units, "placeholder_units": placeholder, "expenditure": exp_lines, "economic": econ_lines,
            "projects": projects, "sangong": imp.sangong, "running_costs": running if any(running.values()) else {},
            "procurement": imp.procurement, "gov_fund_income": imp.fund_income}
    imp.todo = notes + imp.todo
    from .xlsx_yaml import write_new
    text = write_new(imp, data)
    return Result(text, imp.findings, imp.read, imp.skipped, imp.todo, data)


def import_files(files: list[str], style: str | None = None) -> Result:
    return Importer(files, style).run()


def style_by_label(text: str | None) -> str | None:
    """The registered style whose table label (style.yaml `tables.label`, e.g. “预算公开表{n}”)
    the text starts with; None when none or several match."""
    if not text:
        return None
    from ..render import styles
    found = []
    for name in styles.available():
        try:
            label = (styles.get(name).config.get("tables") or {}).get("label")
        except styles.StyleError:
            continue
        if not label:
            continue
        pat = "".join(r"\d+" if part.startswith("{") else re.escape(part)
                      for part in re.split(r"(\{[^}]*\})", str(label)) if part)
        if re.match(pat, text.strip()):
            found.append(name)
    return found[0] if len(found) == 1 else None
