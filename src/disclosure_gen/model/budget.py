"""The input format: what an agency writes, validated by pydantic.

Everything here is typed once by the author; nothing derivable (totals, 类/款 rows, shares,
year-over-year changes) appears. Money is Decimal, never float. When the file declares
`amount_unit: 元`, every money field is converted to 万元 on the way in (exactly, in Decimal).
"""
from __future__ import annotations

import contextvars
import datetime as _dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal, Optional, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

# The fund sources of the budget system, in table column order.
SOURCES = (
    "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金",
    "事业收入", "事业单位经营收入", "上级补助收入", "附属单位上缴收入", "其他收入",
)
FISCAL = SOURCES[:3]           # 财政拨款
UNIT_FUNDS = SOURCES[4:]       # 单位资金
Source = Literal[
    "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金",
    "事业收入", "事业单位经营收入", "上级补助收入", "附属单位上缴收入", "其他收入",
]
UnitType = Literal["行政单位", "事业单位", "参照公务员法管理"]
ProjectType = Literal["其他运转类", "特定目标类"]
SANGONG_ITEMS = ("因公出国", "公务接待", "公务用车购置", "公务用车运行")

_factor: contextvars.ContextVar[Decimal] = contextvars.ContextVar("money_factor", default=Decimal(1))


def _to_decimal(v, *, scale: bool):
    if v is None or v == "":
        return Decimal(0)
    if isinstance(v, bool):
        raise ValueError("金额应为数字")
    if isinstance(v, float):
        v = repr(v)
    if isinstance(v, str):
        s = _ungroup(v.strip(), v)
        try:
            d = Decimal(s)
        except InvalidOperation:
            raise ValueError(f"金额应为数字，而不是“{_clip(v)}”{_money_hint(s)}") from None
    elif isinstance(v, (int, Decimal)):
        d = Decimal(v)
    else:
        raise ValueError("金额应为数字")
    if not d.is_finite():
        raise ValueError("金额应为有限的数字")
    if d != 0 and d.adjusted() >= 13:   # not abs(d): 1e999999999 overflows the decimal context
        raise ValueError("金额过大")
    if d.as_tuple().exponent < -6:
        raise ValueError("金额小数位过多（最多 6 位）")
    if d < 0:
        raise ValueError("金额不能为负数")
    return d / _factor.get() if scale else d


# what an amount that is not a number was probably meant as (the way a spreadsheet or a typed text shows it)
_HINTS = (
    (re.compile(r"^[-—–－/／\\无]+$"), "；没有金额请写 0（或删去这一项）"),
    (re.compile(r"\d[。．]\d"), "；小数点请用半角“.”，不要用句号"),
    (re.compile(r"万|元"), "；只写数字，不写单位（全文件的金额单位由 amount_unit 指定）"),
    (re.compile(r"[%％]"), "；这里应填金额，不是百分比"),
    (re.compile(r"[¥￥$]"), "；只写数字，不写货币符号"),
    (re.compile(r"^[(（].*[)）]$|^-"), "；金额不能为负数（也不用括号表示）"),
    (re.compile(r"\d\s+[\d.]"), "；数字中间不要有空格"),
)


def _money_hint(s: str) -> str:
    return next((h for pat, h in _HINTS if pat.search(s)), "")


# a comma is accepted only as a correct thousands separator: 1,234.56 (or 1，234.56), never 12,5
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:(?P<sep>[,，])\d{3})(?:(?P=sep)\d{3})*(?:\.\d*)?")


def _clip(v: str, n: int = 40) -> str:
    return v if len(v) <= n else v[:n] + "…"


def _ungroup(s: str, typed: str) -> str:
    """`s` without its thousands separators; a comma anywhere else is an error naming the likely decimal comma."""
    if "," not in s and "，" not in s:
        return s
    if _GROUPED.fullmatch(s):
        return s.replace(",", "").replace("，", "")
    guess = re.sub(r"[,，]", ".", s, count=1) if re.fullmatch(r"[+-]?\d+[,，]\d+", s) else None
    hint = (f"；若逗号是小数点，请写作“{guess}”" if guess else "")
    raise ValueError(f"金额“{_clip(typed)}”中的逗号不是正确的千分位分隔符（千分位应每三位一个，如 1,234.56）"
                     f"{hint}；小数点请用“.”")


def _figure(d: Decimal) -> Decimal:
    """A printed figure (may be negative, e.g. a change in percent); bounded so rounding cannot overflow."""
    if d != 0 and d.adjusted() >= 13:
        raise ValueError("数值过大")
    return d


def _area(v):
    """A measure a sentence prints (平方米): a plain number, 0 ≤ v < 10 亿, at most 2 decimals, written
    in fixed point (1e3 → 1000, -0 → 0) so that it prints like the other figures."""
    if v is None or v == "":
        return None
    if isinstance(v, bool) or not isinstance(v, (str, int, Decimal)):
        raise ValueError("面积应为数字")
    try:
        d = Decimal(v.strip()) if isinstance(v, str) else Decimal(v)
    except InvalidOperation:
        raise ValueError(f"面积应为数字，而不是“{_clip(str(v))}”") from None
    if not d.is_finite():
        raise ValueError("面积应为有限的数字")
    if d < 0:
        raise ValueError("面积不能为负数")
    if d != 0 and d.adjusted() >= 9:
        raise ValueError("面积过大（应小于 1,000,000,000 平方米）")
    if d.as_tuple().exponent < -2:
        raise ValueError("面积最多 2 位小数")
    if d == 0:
        return Decimal(0)
    return d.quantize(Decimal(1)) if d.as_tuple().exponent > 0 else d


Area = Annotated[Decimal, BeforeValidator(_area)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
"""A count a sentence prints (辆, 台/套)."""

Money = Annotated[Decimal, BeforeValidator(lambda v: _to_decimal(v, scale=True))]
"""An amount in the file's unit, held in 万元."""
Yuan = Annotated[Decimal, BeforeValidator(lambda v: _to_decimal(v, scale=False))]
"""An amount always written in 元 (performance-target tables)."""


def _code(digits: tuple[int, ...]):
    def check(v):
        if v is None:
            raise ValueError("缺少编码")
        s = str(v).strip()
        want = "/".join(str(d) for d in digits)
        if not _ASCII_DIGITS.fullmatch(s) or len(s) not in digits:
            # str.isdigit() also takes ² and full-width ０３１, which would print in the tables
            odd = sorted({c for c in s if not ("0" <= c <= "9") and c.isdigit()})
            if odd:
                full = all("０" <= c <= "９" for c in odd)
                fixed = "".join(chr(ord(c) - 0xFEE0) if "０" <= c <= "９" else c for c in s)
                raise ValueError(f"编码“{_clip(s)}”含有{'全角数字' if full else '非半角数字'}（{'、'.join(odd)}），"
                                 f"应为 {want} 位半角数字 0–9" + (f"，请改为“{fixed}”" if full else ""))
            raise ValueError(f"编码“{_clip(s)}”应为 {want} 位数字")
        return s
    return BeforeValidator(check)


_ASCII_DIGITS = re.compile(r"[0-9]+")


def _fund_row(row: dict) -> dict:
    """A gov_fund_income row: `amount` is money (scaled like every amount), `code` ASCII digits."""
    out = dict(row)
    if "amount" in out:
        out["amount"] = _to_decimal(out["amount"], scale=True)
    if out.get("code") is not None:
        _code((3, 5, 7)).func(out["code"])
    return out


def _text(v):
    """A text as typed; a mapping or a list where a text belongs is what YAML made of an unquoted
    text holding ": " or starting with [ or { — said so, never printed as Python's repr."""
    if v is None:
        return ""
    if isinstance(v, dict) and v:
        k, x = next(iter(v.items()))
        raise ValueError(f"应为一段文字，而这里被读成了“{_clip(str(k))}: {_clip(str(x))}”：文字中的“: ”（冒号加空格）"
                         "会使它变成“字段: 值”；请给整段文字加引号，或改用全角冒号“：”")
    if isinstance(v, (dict, list)):
        raise ValueError("应为一段文字，而这里被读成了列表或映射：以“[”或“{”开头的文字请给整段加引号")
    return str(v)


Text = Annotated[str, BeforeValidator(_text)]


def _visible(v: str) -> str:
    """A name must show: one made only of zero-width, bidi or other format characters and spaces
    would print as an invisible agency, unit or project name."""
    if isinstance(v, str) and v and not any(
            unicodedata.category(c)[0] not in "CZ" for c in v):
        codes_ = "、".join(sorted({f"U+{ord(c):04X}" for c in v if not c.isspace()}))[:60]
        raise ValueError(f"名称只有不可见的字符（{codes_ or '空格'}），印出来是空白；请填写名称")
    return v


Name = Annotated[str, AfterValidator(_visible)]

# A reason is printed inside a sentence of the style that already leads into it (主要原因是…, 主要是…)
# and closes it: that lead-in or the closing punctuation typed again would print twice
# (check/reasons.py warns of a lead-in; closing punctuation is simply dropped).
REASON_LEAD = re.compile(r"^(?:主要原因(?:是|为|系|在于|[：:])|原因(?:是|为|[：:])|主要是|主要系)[：:，,\s]*")
SENTENCE_END = re.compile(r"[\s。；;，,、.．!！]+$")   # a text a sentence frame closes itself (derive/forms.py too)


def clean_reason(v: str | None) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return SENTENCE_END.sub("", REASON_LEAD.sub("", s, count=1))


Reason = Annotated[Optional[str], AfterValidator(clean_reason)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# the forms and facts of model_forms.py use Strict, Money and Text above
from .forms import AssetsExtra, NamedAmount, OverallForm, ProjectForm, UnitTotalsField


class Options(Strict):
    template_version: Literal["2023", "2026"] = Field("2026", title="山西样式模板版本")
    thousands_in_tables: Optional[bool] = Field(None, title="表格金额是否使用千分位")
    code_table: Optional[str] = Field(None, title="完整科目表文件（CSV 或 xlsx：编码, 名称），相对于本文件")


class Agency(Strict):
    name: Name = Field(title="单位/部门名称", min_length=1, max_length=100)
    kind: Literal["单位", "部门"] = Field(title="单位预算或部门预算")
    year: int = Field(title="预算年度", ge=2000, le=2100)
    code: Annotated[str, _code((3,))] = Field(title="主管部门代码（3 位）")
    region: Optional[str] = Field(None, title="地区名（绩效目标表标题）")
    level: Optional[str] = Field(None, title="财政层级，如 市级、县(区)级")
    finance_word: str = Field("市级财政", title="名词解释中的财政层级用语")
    supervisor: Optional[str] = Field(None, title="主管单位全称（河南样式机构设置）")
    publish_date: Optional[str] = Field(None, title="公开日期（河南样式附件下方日期行）")
    short_name: Optional[str] = Field(None, title="简称（表头“部门/单位：”）")
    full_name: Optional[str] = Field(None, title="全称（表中的部门行、申报表的主管部门）")


class Unit(Strict):
    code: Annotated[str, _code((6, 9))] = Field(title="单位代码")
    name: Name = Field(title="单位名称", min_length=1)
    type: UnitType = Field(title="单位类型")
    funding: Optional[Literal["全额", "差额", "自收自支"]] = Field(None, title="经费形式")
    short_name: Optional[Name] = Field(None, title="简称（如 局机关）")
    departments: list[str] = Field(default_factory=list, title="内设机构")
    totals: UnitTotalsField = Field(None, title="本单位合计（部门只按部门汇总公开明细时填写）")


class Overview(Strict):
    duties_numbering: Literal["（一）", "(一)", "（1）", "1、"] = "（一）"
    duties_intro: Text = Field("", title="职责前的引言段（根据…文件精神，…主要承担…工作职责。）")
    duties: list[Text] = Field(default_factory=list, title="主要职责（每条一项）")
    organization: list[Text] = Field(default_factory=list, title="机构设置情况（每项一段）")


class ExpLine(Strict):
    """One 项 row of the functional classification: the budget system's 支出预算表 row."""
    code: Annotated[str, _code((7,))] = Field(title="支出功能分类科目编码（项，7 位）")
    name: Name = Field(title="科目名称", min_length=1)
    unit: Optional[str] = Field(None, title="预算单位代码（部门预算时填写）")
    source: Source = Field("一般公共预算", title="资金来源")
    carryover: bool = Field(False, title="是否上年结转资金")
    wages: Money = Field(Decimal(0), title="基本支出-人员经费-工资福利支出")
    family: Money = Field(Decimal(0), title="基本支出-人员经费-对个人和家庭的补助")
    office: Money = Field(Decimal(0), title="基本支出-公用经费")
    ops: Money = Field(Decimal(0), title="项目支出-其他运转类")
    target: Money = Field(Decimal(0), title="项目支出-特定目标类")


class EconLine(Strict):
    """One row of 基本支出 by economic classification (部门经济分类款 → 政府经济分类款)."""
    code: Annotated[str, _code((5,))] = Field(title="部门预算支出经济分类科目编码（款，5 位）")
    name: Optional[str] = Field(None, title="科目名称（省略时按编码自动填写）")
    gov: Annotated[str, _code((5,))] = Field(title="政府预算支出经济分类科目编码（款，5 位）")
    gov_name: Optional[str] = Field(None, title="政府经济分类科目名称（省略时按编码自动填写）")
    amount: Money = Field(title="金额")
    unit: Optional[str] = Field(None, title="预算单位代码（部门预算时填写）")
    source: Source = Field("一般公共预算", title="资金来源")
    kind: Literal["basic", "project"] = Field("basic", title="basic 基本支出 | project 项目支出")
    carryover: bool = False


class FundSplit(Strict):
    中央: Yuan = Decimal(0)
    省级: Yuan = Decimal(0)
    市县: Yuan = Decimal(0)
    自筹: Yuan = Decimal(0)
    其他: Optional[Yuan] = None

    def total(self) -> Decimal:
        return self.中央 + self.省级 + self.市县 + self.自筹 + (self.其他 or 0)


class Funds(Strict):
    period: FundSplit = Field(title="实施期资金（元）")
    annual: FundSplit = Field(title="年度资金（元）")


Indicator = Annotated[tuple[Text, Text], Field(title="[三级指标, 指标值]")]
IndicatorTree = dict[str, Union[dict[str, list[Indicator]], list[Indicator]]]


class Performance(Strict):
    title_name: Optional[str] = Field(None, title="绩效目标表上的项目名称（与项目名称不同时填写）")
    attribute: Optional[str] = Field(None, title="项目属性")
    period_years: Optional[int] = Field(None, ge=1, le=99, title="项目期（年）")
    funds_yuan: Optional[Funds] = Field(None, title="项目资金（元）")
    overview: Text = ""
    basis: Text = ""
    necessity: Text = ""
    measures: Text = ""
    plan: Text = ""
    goal_period: Text = ""
    goal_annual: Text = ""
    indicators: IndicatorTree = Field(default_factory=dict, title="绩效指标（实施期；年度相同时只填此项）")
    indicators_annual: Optional[IndicatorTree] = Field(None, title="年度绩效指标（与实施期不同时填写）")
    owner: Text = Field("", title="负责人")
    handler: Text = Field("", title="经办人")
    phone: Text = Field("", title="联系电话")
    filled_at: Text = Field("", title="填报日期（YYYYMMDDhhmmss）")


class Project(Strict):
    code: Optional[Annotated[str, BeforeValidator(lambda v: str(v).strip())]] = Field(None, title="项目编码")
    name: Name = Field(title="项目名称", min_length=1)
    unit: Optional[str] = Field(None, title="预算单位代码（部门预算时填写）")
    type: ProjectType = Field(title="项目类型")
    function: Optional[Annotated[str, _code((7,))]] = Field(None, title="支出功能分类（项）")
    amounts: dict[Source, Money] = Field(title="金额（按资金来源）")
    carryover: bool = Field(False, title="是否上年结转项目")
    publish_performance: bool = Field(True, title="是否公开绩效目标表")
    performance: Optional[Union[Performance, list[Performance]]] = Field(
        None, title="项目支出绩效目标表（同一项目印了多张表时为列表）")
    form: Optional[ProjectForm] = Field(None, title="项目申报表（含绩效目标）")


SangongValue = Union[Money, dict[Source, Money]]


class Procurement(Strict):
    goods: Money = Field(Decimal(0), title="政府采购货物预算")
    works: Money = Field(Decimal(0), title="政府采购工程预算")
    services: Money = Field(Decimal(0), title="政府采购服务预算")


class Assets(AssetsExtra):
    as_of: Optional[_dt.date] = Field(None, title="截至日期（默认上年 12 月 31 日）")
    vehicle_quota: Optional[Count] = Field(None, title="公务用车编制（辆）")
    vehicles: dict[str, Count] = Field(default_factory=dict, title="车辆（类别: 辆数）")
    office_area_m2: Optional[Area] = Field(None, title="办公用房建筑总面积（平方米）")
    equipment_50w: Optional[Count] = Field(None, title="单价50万元以上通用设备（台/套）")
    equipment_100w: Optional[Count] = Field(None, title="单价100万元以上专用设备（台/套）")
    vehicles_text: Optional[str] = Field(None, title="车辆情况（自由文字，覆盖自动生成的句子）")
    housing_text: Optional[str] = Field(None, title="房屋情况（自由文字）")
    other_text: Optional[str] = Field(None, title="其他国有资产情况（自由文字）")


class Notes(Strict):
    purchase_services: Optional[str] = Field(None, title="政府购买服务指导性目录")
    other: Optional[str] = Field(None, title="其他")
    key_project_evaluation: Optional[str] = Field(None, title="重点项目绩效评价情况")
    special_transfer: Optional[str] = Field(None, title="专项转移支付项目情况")
    running_costs_use: Optional[str] = Field(None, title="机关运行经费具体用途")


class PriorItem(Strict):
    amount: Money = Field(title="上年预算数")
    reason: Reason = Field(None, title="增减变动主要原因")


class Prior(Strict):
    total: Optional[PriorItem] = Field(None, title="上年收支总计")
    expenditure_total: Optional[PriorItem] = Field(None, title="上年支出总计（与收入总计不同时填写）")
    gpb: Optional[PriorItem] = Field(None, title="上年一般公共预算当年拨款")
    fund: Optional[PriorItem] = Field(None, title="上年政府性基金预算")
    soe: Optional[PriorItem] = Field(None, title="上年国有资本经营预算")
    sangong: Optional[PriorItem] = Field(None, title="上年“三公”经费合计（原因）")
    sangong_items: dict[Literal["因公出国", "公务接待", "公务用车购置", "公务用车运行"], PriorItem] = Field(
        default_factory=dict, title="上年“三公”经费分项")
    running_costs: Optional[PriorItem] = Field(None, title="上年机关运行经费（山西样式：行政单位和参公单位）")
    agency_running_costs: Optional[PriorItem] = Field(
        None, title="上年机关（机构）运转经费（河南样式：各单位一般公共预算公用经费）")
    procurement: Optional[PriorItem] = Field(None, title="上年政府采购预算")
    functions: dict[Annotated[str, _code((7,))], PriorItem] = Field(
        default_factory=dict, title="上年各功能科目（项）预算数及增减原因（科目编码: 上年数）")


def _default_style() -> str:
    from ..render import styles
    return styles.default_name() or ""


class Budget(Strict):
    """One agency's budget for one year."""
    amount_unit: Literal["万元", "元"] = Field(title="金额单位（全文件统一）")
    style: str = Field(default_factory=lambda: _default_style(), pattern=r"^[A-Za-z0-9_\-]{1,40}$",
                       title="默认样式（已注册的样式名称，见 disclosure-gen -h）")
    wording: dict[str, str] = Field(default_factory=dict,
                                    title="措辞覆盖：样式 style.yaml 中 sentences 的某句改用本文件的写法（只影响本文件）")
    options: Options = Field(default_factory=Options)
    agency: Agency
    units: list[Unit] = Field(min_length=1, title="预算单位")
    overview: Overview = Field(default_factory=Overview)
    income: Optional[dict[Literal[
        "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金",
        "事业收入", "事业单位经营收入", "上级补助收入", "附属单位上缴收入", "其他收入", "上年结转"], Money]] = Field(
        None, title="收入预算（可省略：省略时按支出汇总）")
    expenditure: list[ExpLine] = Field(default_factory=list, title="支出功能分类（项级）")
    economic: list[EconLine] = Field(default_factory=list, title="基本支出经济分类")
    gov_fund_income: list[Annotated[dict[str, Union[str, Money]], AfterValidator(_fund_row)]] = Field(
        default_factory=list, title="政府性基金收入科目（code, name, amount）")
    projects: list[Project] = Field(default_factory=list)
    sangong: dict[Literal["因公出国", "公务接待", "公务用车购置", "公务用车运行"], SangongValue] = Field(
        default_factory=dict, title="“三公”经费（省略的项为 0）")
    running_costs: Optional[dict[str, Money]] = Field(None, title="机关运行经费（单位代码: 金额）")
    procurement: Procurement = Field(default_factory=Procurement)
    performance_overall: Optional[str] = Field(None, title="整体绩效目标说明")
    overall_form: Optional[OverallForm] = Field(None, title="整体支出绩效目标申报表")
    purchased_services: list[NamedAmount] = Field(default_factory=list, title="政府购买服务（项目名称、金额）")
    assets: Assets = Field(default_factory=Assets)
    notes: Notes = Field(default_factory=Notes)
    prior_year: Prior = Field(default_factory=Prior)
    glossary: dict[str, str] = Field(default_factory=dict, title="名词解释覆盖（词条: 解释）")
    functional_names: dict[Annotated[str, _code((3, 5))], str] = Field(
        default_factory=dict, title="类/款科目名称补充（编码: 名称）")
    controls: dict[str, Money] = Field(default_factory=dict, title="控制数（手工填写的合计，用于核对）")
    published: dict[str, Annotated[Decimal, AfterValidator(_figure)]] = Field(default_factory=dict, title="已公开文件印出的数字（用于核对）")
    rolled_over_from: Optional[int] = Field(
        None, ge=2000, le=2100, title="由哪一年的文件经 rollover 生成（check 据此提示沿用上年的内容；全部核实后可删除）")
    confirmed: list[Text] = Field(default_factory=list, title="已核实无误的提示（check 提示末尾给出的文字，每行一条）")

    @field_validator("units")
    @classmethod
    def _unique_units(cls, v):
        seen = set()
        for u in v:
            if u.code in seen:
                raise ValueError(f"单位代码 {u.code} 重复")
            seen.add(u.code)
        return v


def validate(data: dict):
    """Validate raw YAML data; money fields are scaled to 万元 per `amount_unit`."""
    unit = data.get("amount_unit") if isinstance(data, dict) else None
    token = _factor.set(Decimal(10000) if unit == "元" else Decimal(1))
    try:
        return Budget.model_validate(data)
    finally:
        _factor.reset(token)
