"""Load a budget file and find what is wrong with it, pointing at the line to change.

Every finding has a stable rule id, a severity (error blocks rendering, warning does not), a
plain-Chinese message naming both figures, and the file:line:col of the value to change.
"""
from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal

from pydantic import ValidationError

from . import schema as check_schema
from ..model import codes
from ..model import codetable
from ..model import labels
from . import limits
from ..model import budget as model
from ..reading import yamlsrc
from .amounts import AmountRules, typed_in_yuan
from .codes import CodeRules
from .reasons import ReasonRules
from .rollover import RolloverRules
from ..derive.facts import Facts
from ..model.money import ZERO, r2

ERROR, WARNING = "error", "warning"
TOL_WAN = Decimal("0.05")   # stated tolerance for economic vs functional 基本支出 in 万元 files


@dataclass
class Finding:
    severity: str
    rule: str
    message: str
    file: str = ""
    line: int = 0
    col: int = 0

    def format(self) -> str:
        level = "错误" if self.severity == ERROR else "警告"
        return f"{self.file}:{self.line}:{self.col} {level} {self.rule} {self.message}"

    def as_dict(self):
        return asdict(self)


@dataclass
class Loaded:
    path: str
    source: yamlsrc.Source | None
    budget: model.Budget | None
    facts: Facts | None
    findings: list[Finding]

    @property
    def errors(self):
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def ok(self):
        return self.budget is not None and not self.errors


def f2(x) -> str:
    return f"{r2(x):,.2f}"


# ---------------------------------------------------------------------------------------------
def load(path: str, text: str | None = None, code_table: str | None = None) -> Loaded:
    """Read, validate and check one file. Raises yamlsrc.InputError when the file is unusable.

    `code_table`: a complete 科目 table (CSV/xlsx) to check codes against; else the file's
    `options.code_table`, relative to the file."""
    src = yamlsrc.load(path, text)
    findings: list[Finding] = []

    def at(p, severity, rule, msg, key=False):
        line, col = src.where_key(p) if key else src.where(p)
        findings.append(Finding(severity, rule, msg, path, line, col))

    for p, line, col in src.duplicate_keys:
        findings.append(Finding(ERROR, "yaml.duplicate-key", f"字段“{p[-1]}”重复出现，后一个会覆盖前一个", path, line, col))
    src.data = _strip_controls(src.data, (), at, src.data)
    limits.text_findings(src.data, at)      # lengths that fit each place; unbroken runs (issue 16)
    data, suppressed = check_schema.unknown_key_findings(src.data, at)
    try:
        budget = model.validate(data)
    except ValidationError as e:
        before = sum(f.severity == ERROR for f in findings)
        errors = e.errors()
        check_schema.schema_findings(errors, data, at, suppressed)
        if sum(f.severity == ERROR for f in findings) == before:
            # every error was folded into another finding (or suppressed as a consequence of one):
            # the file still cannot be used, so say where, rather than nothing
            for err in errors[:5]:
                loc = tuple(x for x in err.get("loc", ()) if isinstance(x, (int, str)) and not (
                    isinstance(x, str) and ("[" in x or x.startswith("function-"))))
                where = labels.describe(loc, data) if loc else ""
                msg = "这里的写法无法识别，请对照说明文档（docs/format.md）检查本项"
                at(loc, ERROR, "schema.value", f"{where}：{msg}" if where else msg)
        return Loaded(path, src, None, None, _sorted(findings))
    before = len(findings)
    limits.size_findings(budget, at)
    facts = Facts(budget)
    if len(findings) > before:      # beyond one render: to be split first (and its rules would take
        return Loaded(path, src, budget, facts, _sorted(findings))  # minutes on a file this large)
    table = None
    where = code_table or budget.options.code_table
    if where:
        from pathlib import Path
        p = Path(where)
        if not code_table and not p.is_absolute():
            p = Path(path).parent / p
        try:
            table = codetable.load_user(p, display=str(where))
        except (codetable.CodeTableError, OSError) as e:
            msg = e.args[0] if isinstance(e, codetable.CodeTableError) else f"无法读取科目表 {p}（{e.strerror or e}）"
            at(("options", "code_table"), ERROR, "code.table", msg)
    checker = Checker(budget, facts, at, table)
    checker.line = lambda p: src.where(p)[0]
    checker.data = src.data      # the texts as typed (agency.year-mismatch)
    checker.has_errors = lambda: any(f.severity == ERROR for f in findings)
    checker.path = path          # style rules find a styles/ folder beside the file
    checker.run()
    from . import styles as check_styles
    check_styles.run(budget, path, at)
    return Loaded(path, src, budget, facts, _sorted(findings))


# Characters XML 1.0 forbids (Word refuses a DOCX containing them) and other invisible controls (DEL, C1).
# Raw ones are refused by the YAML reader; these arrive as escapes in double quotes ("\x01", "\u000c").
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def strip_control(text: str) -> str:
    return CONTROL_RE.sub("", text)


def _strip_controls(value, path, at, root=None):
    """Remove control characters from every text and key, with a warning naming each field."""
    if isinstance(value, str):
        found = CONTROL_RE.findall(value)
        if not found:
            return value
        chars = "、".join(sorted({f"U+{ord(c):04X}" for c in found}))
        where = labels.describe(path, root)
        at(path, WARNING, "text.control-char", f"{where}：含有不可见的控制字符 {chars}，生成文件时已删除")
        return strip_control(value)
    if isinstance(value, list):
        return [_strip_controls(v, path + (i,), at, root) for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = k
            if isinstance(k, str) and CONTROL_RE.search(k):
                key = strip_control(k)
                at(path + (k,), WARNING, "text.control-char",
                   f"字段名“{key}”含有不可见的控制字符，已删除", key=True)
            if key in out:      # "name\x7f" beside name: the same key twice, whichever comes later
                at(path + (k,), ERROR, "yaml.duplicate-key",
                   f"字段“{key}”重复出现（其中一个含有不可见的控制字符），后一个会覆盖前一个", key=True)
            out[key] = _strip_controls(v, path + (k,), at, root)
        return out
    return value


def _sorted(findings):
    return sorted(findings, key=lambda f: (f.line, f.col, f.rule))


def _bare(name: str) -> str:
    """A name without spaces and brackets' contents of the kind （本级）, for comparing two spellings."""
    return re.sub(r"[\s\u3000]|[（(][^）)]*[）)]", "", name or "")


# ---------------------------------------------------------------------------------------------
class Checker(CodeRules, AmountRules, ReasonRules, RolloverRules):
    def __init__(self, b: model.Budget, facts: Facts, at, table=None):
        self.b, self.f, self.at = b, facts, at
        self.table = table

    has_errors = staticmethod(lambda: False)     # load() sets it: whether an error was found so far

    def run(self):
        from . import forms as check_forms   # the declaration forms, and the identities a style declares
        from . import template_facts as check_template_facts   # the conditions the file's style depends on
        for name in dir(self):
            if name.startswith("rule_"):
                self._safely(name[5:], getattr(self, name))
        self._safely("template_facts", lambda: check_template_facts.run(self))
        self._safely("forms", lambda: check_forms.run(self))
        if not self.has_errors():       # late_*: judging figures that no error has put in doubt
            for name in dir(self):
                if name.startswith("late_"):
                    self._safely(name[5:], getattr(self, name))

    def _safely(self, name: str, rule) -> None:
        try:
            rule()
        except Exception as e:  # noqa: BLE001 - a defect in one rule: the others still speak
            if os.environ.get("DISCLOSURE_GEN_DEBUG"):
                raise
            self.warn((), "check.internal",
                      f"有一项检查（{name}）因程序错误未能完成（{type(e).__name__}），其余检查照常进行；"
                      "如需报告问题，请设置环境变量 DISCLOSURE_GEN_DEBUG=1 重新运行并附上输出")

    def _row(self, coll, i, label):
        """第3条经济分类（30201 办公费）: a row by its 1-based ordinal and its own words."""
        mw, _noun = labels.ROWS.get(coll, ("项", label))
        item = getattr(self.b, coll)[i]
        words = item.name if coll == "projects" else " ".join(x for x in (item.code, getattr(item, "name", None) or
                                                                         codes.ECON_DEPT.get(item.code, "")) if x)
        return f"第{i + 1}{mw}{label}（{words}）"

    def _unit_choices(self) -> str:
        return "、".join(f"{u.code} {u.name}" for u in self.b.units)

    def err(self, path, rule, msg, key=False):
        self.at(path, ERROR, rule, msg, key)

    def warn(self, path, rule, msg, key=False):
        self.at(path, WARNING, rule, msg, key)

    # -- codes and references --------------------------------------------------------------
    def rule_units(self):
        codes_ = {u.code for u in self.b.units}
        many = len(self.b.units) > 1
        for coll, label in (("expenditure", "支出科目"), ("economic", "经济分类"), ("projects", "项目")):
            for i, item in enumerate(getattr(self.b, coll)):
                if item.unit is not None and item.unit not in codes_:
                    self.err((coll, i, "unit"), "ref.unknown-unit",
                             f"{self._row(coll, i, label)}引用的单位代码 {item.unit} 不在预算单位中；可选：{self._unit_choices()}")
                elif self.f.dept_wide and coll != "projects":
                    if item.unit is not None:   # the units' totals say what is theirs; a split line would count twice
                        self.err((coll, i, "unit"), "ref.mixed-unit",
                                 f"各单位已填写单位合计（“totals: …”），{self._row(coll, i, label)}按部门汇总填写，不应再写所属单位（“unit: 单位代码”）")
                elif item.unit is None and many:
                    self.err((coll, i), "ref.missing-unit",
                             f"部门预算有多个单位，{self._row(coll, i, label)}须写明所属单位（“unit: 单位代码”）；"
                             f"可选：{self._unit_choices()}"
                             + ("" if coll == "projects" else "；明细只按部门汇总时，请在各单位填写单位合计（“totals: …”）"))
        if self.b.running_costs:
            for code in self.b.running_costs:
                if code not in codes_ and code != self.b.agency.code:
                    self.err(("running_costs", code), "ref.unknown-unit", f"机关运行经费引用的单位代码 {code} 不在预算单位中；可选：{self._unit_choices()}", key=True)
        if self.b.agency.kind == "单位" and many:
            self.warn(("units",), "ref.unit-kind", "单位预算只应有一个预算单位；多个单位请把“kind: 单位”改为“kind: 部门”")
        if self.b.agency.kind == "单位" and not many:     # a file copied from another agency, renamed in one place
            a, u = _bare(self.b.agency.name), _bare(self.b.units[0].name)
            if a and u and a not in u and u not in a:
                self.warn(("units", 0, "name"), "ref.unit-name",
                          f"单位预算的预算单位名称“{self.b.units[0].name}”与单位名称“{self.b.agency.name}”"
                          "（“agency:”中的“name:”）不一致：标题印后者，表中印前者；请核对两处名称")
        if many and not self.f.dept_wide:    # a unit nothing refers to: its lines forgotten, or a stray unit
            used = {ln.unit for coll in ("expenditure", "economic", "projects") for ln in getattr(self.b, coll)}
            for i, u in enumerate(self.b.units):
                if u.code not in used and u.totals is None:
                    self.warn(("units", i, "code"), "ref.unit-empty",
                              f"预算单位 {u.code} {u.name} 没有任何支出科目、经济分类或项目（没有一行写“unit: {u.code}”），"
                              "各表中该单位都是 0：请补上该单位的数字；若该单位本年确无预算，可不理会")

    def rule_functional_codes(self):
        seen = {}
        names = {}
        for i, ln in enumerate(self.b.expenditure):
            key = (self.f.unit_of(ln.unit), ln.code, ln.source, ln.carryover)
            if key in seen:
                self.err(("expenditure", i, "code"), "code.duplicate",
                         f"科目 {ln.code} {ln.name} 重复（同一单位、资金来源），请合并为一行（另见第 {seen[key]} 项）")
            seen[key] = i + 1
            if ln.code in names and names[ln.code] != ln.name:
                self.err(("expenditure", i, "name"), "code.name-mismatch",
                         f"科目 {ln.code} 的名称“{ln.name}”与前面的“{names[ln.code]}”不一致")
            names.setdefault(ln.code, ln.name)   # class, subclass and official names: check_rules_codes
            if ln.wages + ln.family + ln.office + ln.ops + ln.target == 0:
                self.warn(("expenditure", i), "amount.zero-row", f"科目 {ln.code} {ln.name} 金额全部为 0")

    def rule_economic_codes(self):
        seen = {}
        for i, ln in enumerate(self.b.economic):
            # class, subclass and official names: check_rules_codes
            key = (self.f.unit_of(ln.unit), ln.code, ln.gov, ln.source, ln.kind, ln.carryover)
            if key in seen:
                self.err(("economic", i, "code"), "code.duplicate",
                         f"经济分类 {ln.code}→{ln.gov} 重复（同一单位、资金来源），请合并为一行")
            seen[key] = i

    # -- identities (projects and economic vs functional: check_rules_amounts) ---------------------
    def rule_income_matches_expenditure(self):
        if self.b.income is None:
            return
        t = self.f.total
        for s in model.SOURCES:
            typed = self.b.income.get(s, ZERO)
            spent = t("all", s, False)
            if r2(typed) != r2(spent):
                path = ("income", s) if s in self.b.income else ("income",)
                self.err(path, "identity.income-source",
                         f"{s}收入 {f2(typed)} ≠ {s}支出 {f2(spent)}", key=s in self.b.income)
        if "上年结转" in self.b.income and r2(self.b.income["上年结转"]) != r2(t("all", "all", True)):
            self.err(("income", "上年结转"), "identity.income-source",
                     f"上年结转收入 {f2(self.b.income['上年结转'])} ≠ 上年结转支出 {f2(t('all', 'all', True))}", key=True)

    def rule_projects(self):
        names, codes_ = {}, {}
        for i, p in enumerate(self.b.projects):
            if p.name in names:
                self.err(("projects", i, "name"), "project.duplicate", f"项目“{p.name}”重复出现")
            names[p.name] = i
            if p.code:
                if p.code in codes_:
                    self.err(("projects", i, "code"), "project.duplicate", f"项目编码 {p.code} 重复")
                codes_[p.code] = i
            if sum(p.amounts.values(), ZERO) == 0:
                self.warn(("projects", i, "amounts"), "amount.zero-row", f"项目“{p.name}”金额为 0")

    def rule_sangong_matches_economic(self):
        if not self.b.economic:
            return
        for item, code in codes.SANGONG_ECON.items():
            econ = sum((ln.amount for ln in self.b.economic if ln.code == code and not ln.carryover), ZERO)
            sg = self.f.sangong_amount(item)
            present = any(ln.code == code for ln in self.b.economic)
            if (present or sg) and r2(econ) != r2(sg) and (present or item in ("公务接待", "公务用车运行")):
                path = ("sangong", item) if item in self.b.sangong else ("sangong",)
                if self.b.amount_unit == "万元" and typed_in_yuan([(item, sg)], econ):
                    self.err(path, "amount.unit-slip",
                             f"“三公”经费{item} {f2(sg)} 万元像是按元填写的：改为 {f2(sg / 10000)}，与经济分类 {code} "
                             f"{codes.ECON_DEPT[code]} {f2(econ)} 相同（本文件金额单位为万元）", key=item in self.b.sangong)
                    continue
                self.err(path, "identity.sangong-econ",
                         f"“三公”经费{item} {f2(sg)} ≠ 经济分类 {code} {codes.ECON_DEPT[code]} {f2(econ)}",
                         key=item in self.b.sangong)

    def rule_controls(self):
        values = self.f.control_values()
        for block in ("controls", "published"):
            for key, typed in getattr(self.b, block).items():
                if key not in values:
                    if key.startswith(("category_", "gpb_category_")):
                        derived, label = ZERO, key
                    else:
                        self.err((block, key), "schema.unknown-key",
                                 f"未知的控制数“{key}”；可用：{'、'.join(f'“{v}”' for v in sorted(values))[:300]}", key=True)
                        continue
                else:
                    derived, label = values[key]
                if r2(typed) != r2(derived):
                    what = "填写的控制数" if block == "controls" else "已公开文件印出的"
                    shown = (lambda x: f"{x:,.0f}") if key.endswith("_count") else f2   # a count is a whole number
                    self.err((block, key), "control.mismatch",
                             f"{label}：{what} {shown(typed)} ≠ 按明细计算 {shown(derived)}")

    # -- performance tables ----------------------------------------------------------------------
    def rule_performance(self):
        depts = [d for u in self.b.units for d in u.departments]
        known = _dept_aliases(depts)
        for i, p in enumerate(self.b.projects):
            perf = p.performance
            tables = perf if isinstance(perf, list) else ([perf] if perf else [])
            if len(tables) > 1:
                self.err(("projects", i, "performance"), "perf.duplicate",
                         f"项目“{p.name}”有 {len(tables)} 张绩效目标表（应为一张）")
            if not tables:
                continue
            t = tables[0]
            base = ("projects", i, "performance") + ((0,) if isinstance(perf, list) else ())
            amount_yuan = sum(p.amounts.values(), ZERO) * 10000
            if t.title_name and t.title_name != p.name:
                self.warn(base + ("title_name",), "perf.name-mismatch",
                          f"绩效目标表项目名称“{t.title_name}”与项目支出表“{p.name}”不一致")
            slipped = self.whole_file_in_yuan or i in self.slipped_projects   # amount.unit-slip says it
            if t.funds_yuan is not None and not slipped:
                annual = t.funds_yuan.annual.total()
                if r2(annual) != r2(amount_yuan):
                    self.err(base + ("funds_yuan", "annual"), "perf.funds-annual",
                             f"项目“{p.name}”年度资金总额 {annual:,.0f} 元 ≠ 项目预算 {amount_yuan:,.0f} 元")
                period = t.funds_yuan.period.total()
                years = t.period_years or 1
                if period < annual:
                    self.warn(base + ("funds_yuan", "period"), "perf.funds-period",
                              f"项目“{p.name}”实施期资金 {period:,.0f} 元少于年度资金 {annual:,.0f} 元")
                elif 1 < years < 99 and period != annual * years and annual:
                    self.warn(base + ("funds_yuan", "period"), "perf.funds-period",
                              f"项目“{p.name}”实施期资金 {period:,.0f} 元 ≠ 年度资金 {annual:,.0f} 元 × 项目期 {years} 年")
            if not slipped:
                self._cost_indicator(p, t, base, amount_yuan / 10000)
            cats = _indicator_categories(t.indicators)
            missing = [c for c in ("成本", "产出", "效益", "满意度") if not cats.get(c)]
            if missing and p.publish_performance:
                self.warn(base + ("indicators",), "perf.indicator-missing",
                          f"项目“{p.name}”缺少{('、'.join(missing))}指标")
            if depts:
                seen: set[str] = set()
                for field in ("overview", "basis", "necessity", "measures", "plan"):
                    for name in _dept_mentions(getattr(t, field) or ""):
                        if name in seen or any(_same_office(name, k) for k in known):
                            continue
                        seen.add(name)
                        self.warn(base + (field,), "perf.unknown-department",
                                  f"项目“{p.name}”的绩效目标表提到“{name}”，但内设机构中没有该机构")

    def _cost_indicator(self, p, t, base, amount_wan):
        cost = _indicator_categories(t.indicators).get("成本", [])
        figures = []
        for name, value in cost:
            m = _WAN_RE.search(value)
            if m:
                figures.append((m.group(1) or "", Decimal(m.group(2)), name, value))
        if not figures or amount_wan == 0:
            return
        amount = r2(amount_wan)
        if all(op in ("≤", "<=", "<") for op, *_ in figures) and len(figures) == 1:
            bound = figures[0][1]
            bad = amount > bound or bound >= 2 * amount
        else:
            bad = sum(v for _op, v, *_ in figures) != amount
        if bad:
            shown = "；".join(f"{n} {v}" for _o, _x, n, v in figures)
            self.warn(base + ("indicators",) + _cost_path(t.indicators), "perf.cost-indicator",
                      f"项目“{p.name}”成本指标（{shown}）与项目预算 {f2(amount)} 万元不符")

    # -- other cross-checks ------------------------------------------------------------------------
    def rule_running_costs(self):
        if not self.b.running_costs:
            return
        for code, amount in self.b.running_costs.items():
            u = self.f.unit_by_code.get(code)
            if u is not None and u.type == "事业单位" and amount:
                self.warn(("running_costs", code), "running.public-institution",
                          f"{u.name}是事业单位（非参公），按名词解释不应列机关运行经费 {f2(amount)} 万元", key=True)

    def rule_parts_within_the_total(self):
        """机关运行经费, 政府采购 and 政府购买服务 are spent out of the year's expenditure: one larger than
        the 支出总计 was typed wrong (most often in 元 in a 万元 file: these have no peers to compare)."""
        total = self.f.expenditure_total
        if total <= 0:
            return
        parts = [(("running_costs", c), "机关运行经费", v) for c, v in (self.b.running_costs or {}).items() if v]
        together = sum((v for _p, _l, v in parts), Decimal(0))
        if len(parts) > 1 and together > total and all(v <= total for _p, _l, v in parts):
            parts.append((("running_costs",), "机关运行经费合计", together))
        parts.append((("procurement",), "政府采购预算", self.f.procurement_total))
        parts += [(("purchased_services", i, "amount"), f"政府购买服务（{x.name}）", x.amount)
                  for i, x in enumerate(self.b.purchased_services)]
        for path, label, v in parts:
            if v > total:
                self.err(path, "amount.exceeds-total",
                         f"{label} {f2(v)} 万元大于支出总计 {f2(total)} 万元" +
                         (f"：像是按元填写的（{f2(v)} 元 = {f2(v / 10000)} 万元）"
                          if self.b.amount_unit == "万元" and v >= 10000 and v / 10000 <= total else "：请核对"))

    def rule_assets(self):
        a = self.b.assets
        if not a.vehicles:
            return
        n = sum(a.vehicles.values())
        car = self.f.sangong_amount("公务用车运行")
        if (n > 0) != (car > 0):
            self.warn(("assets", "vehicles"), "assets.vehicles-sangong",
                      f"车辆 {n} 辆与公务用车运行维护费 {f2(car)} 万元不相称")

    def rule_procurement(self):
        if self.f.procurement_total != 0:
            return
        hits = [p.name for p in self.b.projects if re.search(r"购买|采购|租赁|租用|设备", p.name)]
        if hits:
            self.warn(("procurement",), "procurement.zero-with-purchases",
                      f"政府采购预算为 0，但项目中有“{hits[0]}”等 {len(hits)} 个购买服务、租赁或设备项目")


# bounded repeats: with `\s*` and `\d+` a long run of digits or spaces took quadratic time (20,000 → 5 s)
_WAN_RE = re.compile(r"(≤|<=|<|≥|>=|>|=)?\s{0,8}(?<![\d.])(\d{1,15}(?:\.\d{1,20})?)\s{0,8}万元")
_DEPT_RE = re.compile(r"[\u4e00-\u9fa5]{2,7}?(?:股室|股|科室|科)(?![学技目研普])")
_CUT = re.compile(r".*(?:[由的和与及对向在从被将为是、给交至经请各等]|根据|负责)")
# words that end like an office but name none: 各科室, 相关股室, 业务科室…
_GENERIC_DEPT = re.compile(r"^(?:相关|有关|业务|职能|责任|其他|其它|牵头|主管|所属|下属|各)?(?:科|股)室?$")


def _dept_mentions(text: str):
    """Names of internal offices (…股, …科) a free text mentions, e.g. 由技术运维股负责 → 技术运维股.

    `财务科室` is read as 财务科; a generic word (`提供给科室`, `相关股室`) names no office."""
    for m in _DEPT_RE.finditer(text):
        name = _CUT.sub("", m.group(0))
        if name.endswith(("科室", "股室")):
            name = name[:-1]
        if len(name) >= 3 and not _GENERIC_DEPT.match(name):
            yield name


def _same_office(name: str, known: str) -> bool:
    """`运维股` is short for 运维保障股 (same first and last character, the rest in order);
    `信息管理科` is not 信息采编科."""
    if name == known or known.endswith(name) or name.endswith(known):
        return True
    if name[0] != known[0] or name[-1] != known[-1] or len(name) >= len(known):
        return False
    rest = iter(known)
    return all(c in rest for c in name)


def _dept_aliases(depts):
    """Every name an office goes by: `规划建设股（产业发展股）` is also 规划建设股 and 产业发展股."""
    out = set()
    for d in depts:
        for part in re.split(r"[（）()、/]", d):
            part = part.strip()
            if part:
                out.add(part)
    return out


_LEVEL1 = {"成本指标": "成本", "产出指标": "产出", "效益指标": "效益", "满意度指标": "满意度"}


def _cost_path(tree) -> tuple:
    """Where the first 成本指标 value sits under `indicators` (for the finding's line)."""
    for l1, sub in (tree or {}).items():
        items = sub.items() if isinstance(sub, dict) else [(None, sub)]
        for l2, lst in items:
            if (l2 or l1).startswith("成本") and lst:
                return (l1,) + ((l2,) if l2 is not None else ()) + (0, 1)
    return ()


def _indicator_categories(tree) -> dict[str, list[tuple[str, str]]]:
    """Group indicators into the four Henan columns 成本/产出/效益/满意度."""
    out: dict[str, list] = defaultdict(list)
    for l1, sub in (tree or {}).items():
        cat = _LEVEL1.get(l1, l1.replace("指标", ""))
        items = sub.items() if isinstance(sub, dict) else [("", sub)]
        for l2, lst in items:
            c = "成本" if l2.startswith("成本") else cat
            out[c].extend(lst)
    return out
