"""Input classes for the declaration forms some provinces publish (Hubei's 表11/表12), and for facts
any disclosure may state: per-项 prior-year figures, per-unit totals of a department-wide budget,
assets by value and land area, purchased services.

Each concept is general: a province with the same form uses these fields unchanged; a style that
does not print a form ignores it. Nothing here is derived: sums, shares and changes live in
derive_forms.py. Money is Decimal in 万元 (scaled from 元 like every Money field of model.py).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal, Optional, Union

from pydantic import BeforeValidator, Field, WithJsonSchema

from .budget import Money, Source, Strict, Text, _to_decimal


def _signed(v):
    """A money change that may be negative (新增 / 减少)."""
    if isinstance(v, str) and v.strip().startswith("-"):
        return -_to_decimal(v.strip()[1:], scale=True)
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) and v < 0:
        return -_to_decimal(-Decimal(repr(v) if isinstance(v, float) else v), scale=True)
    return _to_decimal(v, scale=True)


SignedMoney = Annotated[Decimal, BeforeValidator(_signed)]

# 表11 expenditure categories (部门整体支出绩效目标申报表 支出构成)
SPEND_CATEGORIES = ("人员类", "运转类", "特定目标类")
INCOME_CATEGORIES = ("财政拨款", "财政专户管理资金", "单位资金")


def _indicator(v):
    """[三级指标, 指标值] | [三级指标, 指标值, 确定依据] | [三级指标, 前年值, 上年值, 指标值, 确定依据] | mapping."""
    if isinstance(v, dict):
        return v
    if isinstance(v, (list, tuple)):
        items = ["" if x is None else str(x) for x in v]
        if len(items) == 2:
            return {"name": items[0], "value": items[1]}
        if len(items) == 3:
            return {"name": items[0], "value": items[1], "basis": items[2]}
        if len(items) == 5:
            return {"name": items[0], "history": items[1:3], "value": items[3], "basis": items[4]}
        raise ValueError("指标应写为 [三级指标, 指标值]、[三级指标, 指标值, 确定依据] 或 [三级指标, 前年值, 上年值, 指标值, 确定依据]")
    raise ValueError("指标应为列表或映射")


class FormIndicator(Strict):
    name: Text = Field("", title="三级指标")
    value: Text = Field("", title="指标值（预期当年实现值）")
    basis: Text = Field("", title="指标值确定依据")
    history: list[Text] = Field(default_factory=list, max_length=2, title="近两年指标值 [前年, 上年]")


_INDICATOR_SCHEMA = {
    "title": "绩效指标",
    "description": "[三级指标, 指标值]、[三级指标, 指标值, 确定依据] 或 [三级指标, 前年值, 上年值, 指标值, 确定依据]；"
                   "也可写成映射 {name, value, basis, history}",
    "anyOf": [
        {"type": "array", "items": {"type": ["string", "number", "null"]}, "minItems": 2, "maxItems": 5},
        {"type": "object", "additionalProperties": False, "properties": {
            "name": {"type": "string"}, "value": {"type": "string"}, "basis": {"type": "string"},
            "history": {"type": "array", "items": {"type": "string"}, "maxItems": 2}}},
    ],
}
FormIndicatorTree = dict[str, dict[str, list[Annotated[FormIndicator, BeforeValidator(_indicator),
                                                        WithJsonSchema(_INDICATOR_SCHEMA)]]]]


class FormGoal(Strict):
    """One goal of a form with its indicator block (一级 → 二级 → rows)."""
    name: Text = Field("", title="目标名称")
    text: Text = Field("", title="目标说明")
    summary: Optional[str] = Field(None, title="汇总栏中的写法（与目标说明不同时填写）")
    indicators: FormIndicatorTree = Field(default_factory=dict, title="绩效指标（一级: 二级: 列表）")


class CategoryAmounts(Strict):
    人员类: Money = Decimal(0)
    运转类: Money = Decimal(0)
    特定目标类: Money = Decimal(0)


class IncomeAmounts(Strict):
    财政拨款: Money = Decimal(0)
    财政专户管理资金: Money = Decimal(0)
    单位资金: Money = Decimal(0)


class YearBudget(Strict):
    """An earlier year's budget by category (表11 近两年收支金额)."""
    year: int = Field(ge=2000, le=2100, title="年度")
    income: IncomeAmounts = Field(default_factory=IncomeAmounts, title="收入构成")
    expenditure: CategoryAmounts = Field(default_factory=CategoryAmounts, title="支出构成")


class OverallItem(Strict):
    """One line of 表11 项目支出情况 (the year's main tasks with their funds)."""
    name: str = Field(min_length=1, title="项目名称")
    category: Literal["人员类", "运转类", "特定目标类"] = Field(title="支出项目类别")
    total: Optional[Money] = Field(None, title="项目总预算（省略时等于本年度预算）")
    amount: Money = Field(title="项目本年度预算")
    use: Text = Field("", title="项目主要支出方向和用途")


class OverallForm(Strict):
    """部门（单位）整体支出绩效目标申报表."""
    filled_at: Text = Field("", title="填报日期")
    name: Optional[str] = Field(None, title="部门(单位)名称（省略时用 agency.full_name）")
    filler: Text = Field("", title="填报人")
    phone: Text = Field("", title="联系电话")
    history: list[YearBudget] = Field(default_factory=list, max_length=2, title="近两年收支金额（上年、前年）")
    functions: list[Text] = Field(default_factory=list, title="部门职能概述（省略时用 overview.duties）")
    tasks: list[Text] = Field(default_factory=list, title="年度工作任务")
    items: list[OverallItem] = Field(default_factory=list, title="项目支出情况")
    long_term_until: Optional[int] = Field(None, ge=2000, le=2100, title="长期目标截止年度")
    long_term: list[FormGoal] = Field(default_factory=list, title="长期目标")
    annual: list[FormGoal] = Field(default_factory=list, title="年度目标")


class DetailRow(Strict):
    """项目支出明细测算 row."""
    activity: Text = Field("", title="项目活动")
    content: Text = Field("", title="活动内容表述")
    econ: Text = Field("", title="支出经济分类")
    amount: Money = Field(title="金额")
    basis: Text = Field("", title="测算依据及说明")
    note: Text = Field("", title="备注")


class PurchaseRow(Strict):
    """项目采购 row."""
    item: str = Field(min_length=1, title="品名")
    quantity: Text = Field("", title="数量")
    amount: Money = Field(title="金额")
    category: Literal["货物", "工程", "服务"] = Field("服务", title="采购类别")


class YearAmount(Strict):
    year: int = Field(ge=2000, le=2100, title="年度")
    amount: Money = Field(title="预算数")


class ProjectForm(Strict):
    """项目申报表（含绩效目标）: one per project."""
    order: Optional[int] = Field(None, ge=1, title="申报表的排列顺序（与项目表顺序不同时填写）")
    filled_at: Text = Field("", title="申报日期")
    title_name: Optional[str] = Field(None, title="申报表上的项目名称（与项目名称不同时填写）")
    supervisor: Optional[str] = Field(None, title="项目主管部门（省略时用 agency.full_name）")
    executor: Optional[str] = Field(None, title="项目执行单位（省略时用项目单位名称）")
    owner: Text = Field("", title="项目负责人")
    phone: Text = Field("", title="联系电话")
    address: Text = Field("", title="单位地址")
    postcode: Text = Field("", title="邮政编码")
    attribute: Text = Field("", title="项目属性")
    category: Text = Field("", title="支出项目类别")
    start_year: Optional[int] = Field(None, ge=2000, le=2100, title="起始年度")
    end_year: Optional[int] = Field(None, ge=2000, le=2100, title="终止年度")
    reason: Text = Field("", title="项目申请理由")
    content: Text = Field("", title="项目主要内容")
    use: Optional[str] = Field(None, title="主要用途（情况说明中的写法；省略时用项目主要内容）")
    total_budget: Optional[Money] = Field(None, title="项目总预算（省略时等于当年预算）")
    history: list[YearAmount] = Field(default_factory=list, max_length=5, title="以前年度预算（前两年预算变动）")
    details: list[DetailRow] = Field(default_factory=list, title="项目支出明细测算")
    purchases: list[PurchaseRow] = Field(default_factory=list, title="项目采购")
    goals: list[FormGoal] = Field(default_factory=list, title="项目绩效总目标（名称、目标说明）")
    long_term: list[FormGoal] = Field(default_factory=list, title="长期绩效目标表")
    annual: list[FormGoal] = Field(default_factory=list, title="年度绩效目标表")


class UnitTotals(Strict):
    """One unit's totals when the department publishes its detailed lines for the whole 部门 only."""
    source: Source = Field("一般公共预算", title="资金来源")
    carryover: bool = Field(False, title="是否上年结转资金")
    personnel: Money = Field(Decimal(0), title="基本支出-人员经费")
    office: Money = Field(Decimal(0), title="基本支出-公用经费")
    project: Money = Field(Decimal(0), title="项目支出")


UnitTotalsField = Optional[Union[UnitTotals, list[UnitTotals]]]


class NamedAmount(Strict):
    name: str = Field(min_length=1, title="名称（项目名称）")
    amount: Money = Field(title="金额")


class AssetsExtra(Strict):
    """Fields merged into model.Assets (see model.py)."""
    total_value: Optional[Money] = Field(None, title="占有使用国有资产总额")
    land_m2: Optional[Decimal] = Field(None, ge=0, title="土地面积（平方米）")
    change: Optional[SignedMoney] = Field(None, title="上年新增（正）或减少（负）国有资产")


