"""`disclosure-gen new`: a commented skeleton input file that passes `check` with zero amounts.

The skeleton is plain text (not dumped from the model) so that every field carries a Chinese
comment saying what to write there; optional sections are shown commented out.
"""
from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import importlib.resources

# the JSON Schema shipped with the package (the repository's schema/ folder in a checkout)
SCHEMA_PATH = Path(str(importlib.resources.files("disclosure_gen.schemas"))) / "disclosure.schema.json"

# economic classification: 部门经济分类款 → 政府经济分类款 per unit type
_GOV = {
    "行政单位": {"301": "50101", "30108": "50102", "30113": "50103", "302": "50201"},
    "参照公务员法管理": {"301": "50101", "30108": "50102", "30113": "50103", "302": "50201"},
    "事业单位": {"301": "50501", "30108": "50501", "30113": "50501", "302": "50502"},
}


def schema_ref(target: str | Path | None) -> str:
    """The schema path as seen from the folder the new file goes to (../schema/… for inputs/)."""
    if target is None:
        return "../schema/disclosure.schema.json"
    here = Path(os.path.abspath(target)).parent
    return Path(os.path.relpath(SCHEMA_PATH, here)).as_posix()


def _style_choices() -> str:
    from ..render import styles
    out = []
    for name in styles.available():
        label = styles.get(name).config.get("label")
        out.append(f"{name}（{label}）" if label else name)
    return " | ".join(out)


def _prior_tail(style: str) -> str:
    """The prior-year lines the style compares (style.yaml `prior:`), each with `reason:` only where
    the style prints one (`reasons:`), commented with the field's title from the model."""
    from ..check import reasons as check_rules_reasons
    from ..model import budget as model
    d = check_rules_reasons.style_declarations(style)
    prior, reasons = list(d.get("prior") or []), set(d.get("reasons") or [])
    fields = model.Prior.model_fields
    lines = []
    for key in prior:
        if key in ("total", "expenditure_total", "sangong_items") or key not in fields:
            continue        # written above (totals) or per item (三公 items are optional)
        row = f"  {key}: {{amount: 0" + (", reason: }" if key in reasons else "}")
        title = fields[key].title or key
        if key not in reasons:
            title += "（本样式不印原因）"
        lines.append(_pad(row, 40) + "# " + title)
    return "".join(line + "\n" for line in lines)


def _pad(s: str, col: int) -> str:
    """`s` followed by spaces up to display column `col` (CJK characters are two columns wide)."""
    width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
    return s + " " * max(1, col - width)


def _q(s: str) -> str:
    """A YAML double-quoted string."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def skeleton(name: str, kind: str, year: int, style: str, code: str = "000",
             unit_type: str = "行政单位", target: str | Path | None = None) -> str:
    g = _GOV.get(unit_type, _GOV["行政单位"])
    unit_code = code + "001"
    unit_word = "本部门" if kind == "部门" else "本单位"
    prior_tail = _prior_tail(style)
    from ..check import styles as check_styles      # only the texts this style prints
    printed = check_styles.printed_texts(style)
    printed = {p for p, _l, _r in check_styles.OPTIONAL_TEXTS} if printed is None else printed
    overall = (f"performance_overall: {unit_word}{year}年未编报整体绩效目标。   # 整体绩效目标说明\n\n"
               if ("performance_overall",) in printed else "")
    notes = [line for key, line in (("purchase_services", f"  purchase_services: {unit_word}无政府购买服务。"),
                                    ("other", f"  other: {unit_word}无其他情况。")) if ("notes", key) in printed]
    notes = "notes:                        # 其他说明\n" + "".join(n + "\n" for n in notes) + "\n" if notes else ""
    more_units = ""
    if kind == "部门":
        more_units = f"""\
  # 部门预算还要列出下属各单位（每个单位一项）；有多个单位时，下面各明细行都要写 unit: 单位代码。
  # - code: "{code}002"
  #   name: 下属单位名称
  #   type: 事业单位
  #   funding: 全额
"""
    return f"""\
# yaml-language-server: $schema={schema_ref(target)}
# {name} {year} 年度{kind}预算公开 —— 由 disclosure-gen new 生成的空白数据文件。
# 填写方法：把金额改为预算系统中的数字（本文件金额单位见 amount_unit），删去用不到的行。
# 合计、小计、类/款汇总、占比、增减额和增减率均由工具计算，不要手工填写。
# 填好后运行：disclosure-gen check 本文件.yaml    字段说明见 docs/format.md
amount_unit: 万元            # 本文件金额单位：万元 或 元（全文件统一）
{_pad('style: ' + style, 29)}# 默认样式：{_style_choices()}

agency:
  name: {_q(name)}
{_pad('  kind: ' + kind, 30)}# 单位 | 部门
  year: {year}                  # 预算年度
  code: "{code}"                 # 主管部门代码（3 位，绩效目标表“主管部门及代码”）
  # region: 某某市              # 绩效目标表标题中的地区名
  # level: 市级                 # 财政层级：市级 | 县(区)级
  # finance_word: 市级财政      # 名词解释中的“××财政”
  # supervisor: 主管单位全称     # 河南样式：机构设置中的主管单位
  # publish_date: {year}年2月    # 河南样式：附件下方的日期行

units:                        # 预算单位（单位预算只有一个；部门预算为本级及下属单位）
{_pad('  - code: "' + unit_code + '"', 30)}# 单位代码（6 位或 9 位）
    name: {_q(name)}
{_pad('    type: ' + unit_type, 30)}# 行政单位 | 事业单位 | 参照公务员法管理
    # funding: 全额           # 事业单位经费形式：全额 | 差额 | 自收自支
    departments: []           # 内设机构，如 [办公室, 财务股]
{more_units}
overview:                     # 第一部分 概况
  duties:                     # 主要职责（每条一项，序号由工具加）
    - 请填写{unit_word}主要职责。
  organization:               # 机构设置情况（每项一段）
    - 请填写{unit_word}机构设置、编制和人员情况。

# ---------------------------------------------------------------------------
# 支出功能分类（项级）。每行一个“项”（7 位编码）；类、款及所有合计由工具汇总。
# 列：wages 工资福利支出 | family 对个人和家庭的补助 | office 公用经费
#     ops 项目支出-其他运转类 | target 项目支出-特定目标类
# source 资金来源，省略时为 一般公共预算；unit 省略时为唯一的预算单位；carryover: true 表示上年结转资金。
# 金额只写数字和小数点，不要写千分位逗号：{{…}} 一行中的逗号分隔字段，1,850.00 会被拆成两个字段。
# 下面几行是常见科目的示例，请改为预算系统中{unit_word}的科目和金额。
expenditure:
  - {{code: "2019999", name: 其他一般公共服务支出, wages: 0, office: 0}}
  - {{code: "2080505", name: 机关事业单位基本养老保险缴费支出, wages: 0}}
  - {{code: "2210201", name: 住房公积金, wages: 0}}

# 基本支出经济分类（部门预算经济分类 款 → 政府预算经济分类 款），一般公共预算当年拨款。
# 人员经费（301、303 类）合计须等于上面 wages + family，公用经费（302 类）合计须等于 office。
economic:
  - {{code: "30101", gov: "{g['301']}", amount: 0}}   # 基本工资
  - {{code: "30108", gov: "{g['30108']}", amount: 0}}   # 机关事业单位基本养老保险缴费
  - {{code: "30113", gov: "{g['30113']}", amount: 0}}   # 住房公积金
  - {{code: "30201", gov: "{g['302']}", amount: 0}}   # 办公费

# 项目支出（项目支出预算表、绩效目标表）。项目金额合计须等于上面 ops、target 列的合计。
projects: []
# 示例：
#  - name: 项目名称
#    type: 特定目标类            # 其他运转类 | 特定目标类
#    function: "2019999"        # 支出功能分类（项）
#    amounts: {{一般公共预算: 10.00}}
#    performance:               # 项目支出绩效目标表（不公开时可省略）
#      attribute: 经常性项目(长期开展)
#      period_years: 1
#      funds_yuan:              # 项目资金（元）；年度资金总额须等于项目预算
#        period: {{市县: 100000}}
#        annual: {{市县: 100000}}
#      overview: 项目概况
#      basis: 立项依据
#      necessity: 项目设立必要性
#      measures: 保证项目实施的制度、措施
#      plan: 项目实施计划
#      goal_period: 实施期目标
#      goal_annual: 年度目标
#      indicators:
#        产出指标:
#          数量指标: [[指标名称, ≥1个]]
#          成本指标: [[项目总金额, ≤10万元]]
#        效益指标:
#          社会效益: [[指标名称, 指标值]]
#        满意度指标:
#          服务对象满意度: [[服务对象满意度(%), ≥90%]]

sangong: {{}}                   # “三公”经费：因公出国 | 公务接待 | 公务用车购置 | 公务用车运行，如 {{公务接待: 0.50}}
# running_costs: {{"{unit_code}": 0}}   # 机关运行经费（单位代码: 金额），行政单位和参公单位填写

procurement: {{goods: 0, works: 0, services: 0}}   # 政府采购预算：货物 | 工程 | 服务

{overall}assets:                       # 国有资产占有使用情况（截至上年 12 月 31 日）
  vehicle_quota: 0            # 公务用车编制（辆）
  vehicles: {{领导用车: 0, 机要通信用车: 0, 应急保障用车: 0, 执法执勤用车: 0, 特种专业技术用车: 0, 事业单位业务用车: 0, 其他公务用车: 0}}   # 车辆（类别: 辆数）
  office_area_m2: 0           # 办公用房建筑总面积（平方米）
  equipment_50w: 0            # 单价 50 万元（原值）以上通用设备（台/套）
  equipment_100w: 0           # 单价 100 万元（原值）以上专用设备（台/套）
  total_value: 0              # 占有使用国有资产总额
  land_m2: 0                  # 土地面积（平方米）
  change: 0                   # 上年新增（正数）或减少（负数）的国有资产

{notes}prior_year:                   # 上年预算数（用于“比上年增加/减少”的说明）及增减变动主要原因
  total: {{amount: 0, reason: }}          # 上年收支总计
{prior_tail}""" + _style_extra(style, name=name, year=year, code=code, unit_word=unit_word,
                                                                   prior1=year - 1, prior2=year - 2)


def _style_extra(style: str, **values) -> str:
    """The style's own skeleton lines (style.yaml `skeleton:`, placeholders {name} {year} {code}
    {unit_word}): sections only that style prints, such as a declaration form."""
    from ..render import styles
    try:
        extra = styles.get(style).config.get("skeleton") or ""
    except styles.StyleError:
        return ""
    for k, v in values.items():
        extra = extra.replace("{" + k + "}", str(v))
    return ("\n" + extra) if extra else ""
