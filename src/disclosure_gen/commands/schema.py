"""The JSON Schema of the input format, with the Chinese titles an editor shows on hover.

Generated from the pydantic model (model.Budget); titles the model leaves in English (class names,
fields without a `title=`) and the English docstrings are replaced by the Chinese texts below, so
that the YAML language server (VS Code, etc.) explains every field in the author's words.
`disclosure-gen schema -o schema/disclosure.schema.json` regenerates the committed file.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

# $defs: title and description of each object type
DEFS = {
    "Budget": ("预算公开数据文件", "一个单位（或部门）一个年度的预算数据。合计、小计、类/款汇总、占比、增减额与增减率由工具计算，不要手工填写。"),
    "Options": ("样式选项", "影响文件版式的选项。"),
    "Agency": ("单位/部门基本信息", "封面、标题和表头使用的名称、年度与代码。"),
    "Unit": ("预算单位", "单位预算只有一个预算单位；部门预算为本级及下属各单位。"),
    "Overview": ("概况", "第一部分 概况：主要职责与机构设置。"),
    "ExpLine": ("支出功能分类（项）", "一行对应一个“项”级科目（7 位编码）在一个单位、一种资金来源下的金额；类、款及合计由工具汇总。"),
    "EconLine": ("支出经济分类（款）", "基本支出按部门预算支出经济分类款（5 位）及对应的政府预算支出经济分类款列示的金额。"),
    "FundSplit": ("资金来源构成（元）", "按中央、省级、市县、自筹、其他列示的项目资金，单位为元。"),
    "Funds": ("项目资金（元）", "绩效目标表中的实施期资金与年度资金，单位为元；年度资金总额须等于项目预算。"),
    "Performance": ("项目支出绩效目标表", "与已公开的绩效目标表逐栏对应。"),
    "Project": ("项目", "项目支出预算表中的一个项目及其绩效目标表。"),
    "Procurement": ("政府采购预算", "政府采购货物、工程、服务预算。"),
    "Assets": ("国有资产占有使用情况", "截至上年 12 月 31 日的车辆、房屋、设备情况。"),
    "Notes": ("其他说明", "情况说明中“其他说明”等部分的文字。"),
    "PriorItem": ("上年数及变动原因", "上年预算数与增减变动的主要原因（原因可留空）。"),
    "Prior": ("上年预算数", "用于“比上年增加/减少”说明的上年预算数及原因。"),
    "CategoryAmounts": ("支出构成", "人员类、运转类、特定目标类项目支出。"),
    "IncomeAmounts": ("收入构成", "财政拨款、财政专户管理资金、单位资金。"),
    "YearBudget": ("以前年度收支金额", "整体支出绩效目标申报表“近两年收支金额”中的一年。"),
    "OverallItem": ("项目支出情况", "整体支出绩效目标申报表中的一项支出：名称、类别、预算与用途。"),
    "OverallForm": ("整体支出绩效目标申报表", "部门（单位）整体支出绩效目标申报表；当年金额与占比由工具计算。"),
    "FormGoal": ("绩效目标", "申报表中的一个目标及其绩效指标（一级指标: 二级指标: 指标列表）。"),
    "FormIndicator": ("绩效指标", "三级指标、指标值、指标值确定依据，以及近两年指标值。"),
    "DetailRow": ("项目支出明细测算", "申报表中的一行明细测算；各行金额之和须等于项目当年预算。"),
    "PurchaseRow": ("项目采购", "申报表中的一行采购：品名、数量、金额。"),
    "YearAmount": ("以前年度预算", "项目某一年度的预算数。"),
    "ProjectForm": ("项目申报表（含绩效目标）", "一个项目的申报表：基本信息、明细测算、采购、绩效目标与指标。"),
    "UnitTotals": ("单位合计", "部门只按部门汇总公开明细时，各单位的人员经费、公用经费与项目支出合计。"),
    "NamedAmount": ("名称与金额", "如政府购买服务的项目名称与金额。"),
}

# (type, field): title, for fields whose model title is missing or not Chinese
FIELDS = {
    ("Budget", "options"): "样式选项",
    ("Budget", "agency"): "单位/部门基本信息",
    ("Budget", "overview"): "概况（职责、机构设置）",
    ("Budget", "projects"): "项目支出（项目及绩效目标表）",
    ("Budget", "procurement"): "政府采购预算",
    ("Budget", "assets"): "国有资产占有使用情况",
    ("Budget", "notes"): "其他说明",
    ("Budget", "prior_year"): "上年预算数及增减变动原因",
    ("EconLine", "carryover"): "是否上年结转资金",
    ("Overview", "duties_numbering"): "职责序号样式：（一） | (一) | （1）",
    ("Performance", "overview"): "项目概况",
    ("Performance", "basis"): "立项依据",
    ("Performance", "necessity"): "项目设立必要性",
    ("Performance", "measures"): "保证项目实施的制度、措施",
    ("Performance", "plan"): "项目实施计划",
    ("Performance", "goal_period"): "总体目标：实施期目标",
    ("Performance", "goal_annual"): "总体目标：年度目标",
    ("FundSplit", "中央"): "中央财政资金（元）",
    ("FundSplit", "省级"): "省级财政资金（元）",
    ("FundSplit", "市县"): "市县（区）财政资金（元）",
    ("FundSplit", "自筹"): "单位自筹（元）",
    ("FundSplit", "其他"): "其他资金（元）",
}

_CJK = re.compile(r"[\u4e00-\u9fff]")
_MONEY_HINT = "金额：数字（单位见 amount_unit），只写数字和小数点，不写千分位逗号，不能为负数。例：104.14"

# the constraints `check` enforces, stated in the schema so that an editor marks them as the author types
MONEY_PATTERN = r"^\s*\d+(?:\.\d{1,6})?\s*$"   # no thousands comma: in a {…} row it splits the figure
CODE_DIGITS = {
    ("Agency", "code"): (3,), ("Unit", "code"): (6, 9), ("ExpLine", "code"): (7,), ("EconLine", "code"): (5,),
    ("EconLine", "gov"): (5,), ("Project", "function"): (7,),
}
FORMAT_MD = Path(__file__).resolve().parents[3] / "docs" / "format.md"
# docs/format.md: which table documents which object (a `## `section`` heading or a line before the table)
_SECTIONS = [
    ("## 文件的各部分", "Budget"), ("## `options`", "Options"), ("## `agency`", "Agency"), ("## `units`", "Unit"),
    ("## `overview`", "Overview"), ("## `expenditure`", "ExpLine"), ("## `economic`", "EconLine"),
    ("## `projects`", "Project"), ("### `performance`", "Performance"), ("`funds_yuan` 的两部分", "Funds"),
    ("每部分按来源", "FundSplit"), ("## `procurement`", "Procurement"), ("## `assets`", "Assets"),
    ("## `notes`", "Notes"), ("## `prior_year`", "Prior"), ("每项内部", "PriorItem"),
    # 申报表与部门汇总（湖北样式等）
    ("### `overall_form`", "OverallForm"), ("`history` 的每一年", "YearBudget"), ("`items` 的每一项", "OverallItem"),
    ("申报表中的目标", "FormGoal"), ("### `projects` 的 `form`", "ProjectForm"), ("`form` 的 `history`", "YearAmount"),
    ("`form` 的 `details`", "DetailRow"), ("`form` 的 `purchases`", "PurchaseRow"),
    ("`units` 的 `totals`（单位合计）", "UnitTotals"), ("`purchased_services` 的每一项", "NamedAmount"),
]


def format_help(text: str | None = None) -> dict[tuple[str, str], tuple[str, str]]:
    """(object, field) → (meaning, example) from the tables of docs/format.md."""
    if text is None:
        text = FORMAT_MD.read_text(encoding="utf-8") if FORMAT_MD.is_file() else ""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    obj, cols = None, None
    for line in text.splitlines():
        hit = next((o for start, o in _SECTIONS if line.startswith(start)), None)
        if hit:
            obj, cols = hit, None
            continue
        if line.startswith("## "):
            obj, cols = None, None
            continue
        if not line.startswith("|") or obj is None:
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "字段":
            cols = cells
            continue
        m = re.fullmatch(r"`([^`]+)`", cells[0])
        if not m or cols is None:
            continue
        meaning = cells[1] if len(cells) > 1 else ""
        ex_col = next((i for i, c in enumerate(cols) if c in ("示例", "取值")), None)
        example = cells[ex_col] if ex_col is not None and ex_col < len(cells) else ""
        out[(obj, m.group(1))] = (meaning, example)
    return out


def _plain(md: str) -> str:
    return re.sub(r"\*\*|`", "", md).strip()


def _describe(meaning: str, example: str, obj: str) -> str:
    text = _plain(meaning).rstrip("。")
    ex = _plain(example)
    if not ex or ex in ("见下",):
        ex = "见 docs/format.md"
    return f"{text}。例：{ex}"


def _constrain(node):
    """Money: a number ≥ 0 or a numeric text; nothing like "850万" or "-3"."""
    if isinstance(node, dict):
        if node.get("anyOf") == [{"type": "number"}, {"type": "string"}]:
            node["anyOf"] = [{"type": "number", "minimum": 0}, {"type": "string", "pattern": MONEY_PATTERN}]
        for v in node.values():
            _constrain(v)
    elif isinstance(node, list):
        for v in node:
            _constrain(v)


def _fix_object(name: str, obj: dict, helps: dict) -> None:
    if name in DEFS:
        obj["title"], obj["description"] = DEFS[name]
    elif "description" in obj and not _CJK.search(obj["description"]):
        del obj["description"]
    for field, prop in obj.get("properties", {}).items():
        title = FIELDS.get((name, field))
        if title:
            prop["title"] = title
        elif "title" in prop and not _CJK.search(prop["title"]):
            prop["title"] = field
        is_money = prop.get("anyOf") == [{"type": "number"}, {"type": "string"}]
        if (name, field) in helps:
            prop["description"] = _describe(*helps[(name, field)], name)
            if is_money:
                prop["description"] += "（只写数字和小数点，不写千分位逗号，不能为负数）"
        elif is_money:
            prop["description"] = _MONEY_HINT
        digits = CODE_DIGITS.get((name, field))
        if digits:
            pat = "|".join(f"\\d{{{d}}}" for d in digits)
            target = prop
            for alt in prop.get("anyOf", []):
                if alt.get("type") == "string":
                    target = alt
            target["pattern"] = f"^(?:{pat})$"
    if name == "Budget":
        fn = obj.get("properties", {}).get("functional_names")
        if fn is not None:
            fn["propertyNames"] = {"pattern": r"^(?:\d{3}|\d{5})$"}


def schema() -> dict:
    from ..model.budget import Budget
    s = Budget.model_json_schema()
    helps = format_help()
    _fix_object("Budget", s, helps)
    for name, obj in s.get("$defs", {}).items():
        _fix_object(name, obj, helps)
    published = s.get("properties", {}).get("published")
    _constrain({k: v for k, v in s.items() if k != "properties"})
    for k, v in s.get("properties", {}).items():
        if v is not published:          # printed figures may be negative (a change in percent)
            _constrain(v)
    out = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    out.update(s)
    return out


def schema_text() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"
