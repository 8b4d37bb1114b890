"""The JSON Schema of the input format, with the Chinese titles an editor shows on hover.

Generated from the pydantic model (model.Budget); titles the model leaves in English (class names,
fields without a `title=`) and the English docstrings are replaced by the Chinese texts below, so
that the YAML language server (VS Code, etc.) explains every field in the author's words.
`disclosure-gen schema -o schema/disclosure.schema.json` regenerates the committed file.
"""
from __future__ import annotations

import json
import re

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
_MONEY_HINT = "金额：数字（本文件 amount_unit 所示单位），可带千分位逗号"


def _fix_object(name: str, obj: dict) -> None:
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
        # amounts accept "1,234.56" as well as numbers; say so on hover
        if prop.get("anyOf") == [{"type": "number"}, {"type": "string"}] and "description" not in prop:
            prop["description"] = _MONEY_HINT


def schema() -> dict:
    from .model import Budget
    s = Budget.model_json_schema()
    _fix_object("Budget", s)
    for name, obj in s.get("$defs", {}).items():
        _fix_object(name, obj)
    out = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    out.update(s)
    return out


def schema_text() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"
