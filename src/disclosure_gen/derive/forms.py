"""Derived facts of the declaration forms (model_forms.py) and of the figures they bring with them.

Everything a form or a sentence prints that is a sum, a share, a change or a count is computed here,
exactly in Decimal, so that templates only choose and format:

    f.forms.overall                 -> the 整体支出绩效目标申报表 (None when the file has none)
    f.forms.project_forms           -> one ProjectFormFacts per project with a form, in form order
    f.forms.func_changes()          -> per-项 year-over-year rows (amount, Change, reason)
    f.forms.unit_totals("032001")   -> a unit's Vec when the detail is published for the whole 部门
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from ..model.budget import SENTENCE_END
from ..model.money import ZERO, Change, r2, shares
from ..model.forms import INCOME_CATEGORIES, SPEND_CATEGORIES

_USE_LEAD = re.compile(r"^\s*(?:主要用于|用于|主要是|主要内容(?:是|为|[：:]))[：:，,\s]*")


def _use(text: str) -> str:
    """What a project's money is for, as the sentence "…万元，主要用于{use}。" takes it: without the
    lead-in or closing punctuation the author may have typed (they would print twice)."""
    return SENTENCE_END.sub("", _USE_LEAD.sub("", text or "", count=1))


@dataclass
class IndicatorRow:
    """One printed row of an indicator block; l1/l2 are (name, rowspan) on the first row of their group."""
    l1: tuple | None
    l2: tuple | None
    name: str
    value: str
    basis: str
    history: tuple[str, str]


def indicator_rows(tree: dict, levels=None) -> list[IndicatorRow]:
    """Flatten 一级 → 二级 → indicators into rows; `levels` ([一级, [二级…]]) lists groups printed even
    when the data has none (one blank row each); data-only groups keep the data's order."""
    order: list[tuple[str, list[str]]] = [(l1, list(l2s)) for l1, l2s in (levels or [])]
    for l1, sub in (tree or {}).items():
        entry = next((e for e in order if e[0] == l1), None)
        if entry is None:
            entry = (l1, [])
            order.append(entry)
        for l2 in sub or {}:
            if l2 not in entry[1]:
                entry[1].append(l2)
    rows: list[IndicatorRow] = []
    for l1, l2s in order:
        start = len(rows)
        for l2 in l2s or [""]:
            items = list(((tree or {}).get(l1) or {}).get(l2) or [])
            first = len(rows)
            for i, it in enumerate(items or [None]):
                hist = tuple((list(it.history) + ["", ""])[:2]) if it is not None else ("", "")
                rows.append(IndicatorRow(None, None, it.name if it else "", it.value if it else "",
                                         it.basis if it else "", hist))
            rows[first].l2 = (l2, len(rows) - first)
        if len(rows) > start:
            rows[start].l1 = (l1, len(rows) - start)
    return rows


@dataclass
class GoalFacts:
    index: int
    name: str
    text: str
    summary: str
    rows: list[IndicatorRow]

    def span(self, header_rows: int = 0) -> int:
        """Rows a label cell spans: the indicator rows plus `header_rows` above them."""
        return max(1, len(self.rows)) + header_rows


def _goals(goals, levels) -> list[GoalFacts]:
    return [GoalFacts(i + 1, g.name, g.text, g.summary if g.summary is not None else g.text,
                      indicator_rows(g.indicators, levels)) for i, g in enumerate(goals)]


@dataclass
class FormLine:
    """A category line of 表11 总体资金情况: this year, its share, the earlier years."""
    label: str
    amount: Decimal
    share: Decimal
    history: list[Decimal]


@dataclass
class OverallFacts:
    model: object
    name: str
    years: list[int]
    income: list[FormLine]
    income_total: FormLine
    spending: list[FormLine]
    spending_total: FormLine
    functions: list[str]
    items: list[tuple]          # (item, total, amount)
    long_term_until: int
    long_term: list[GoalFacts]
    annual: list[GoalFacts]

    @property
    def groups(self) -> list[tuple[str, list[FormLine]]]:
        """收入构成 and 支出构成, each with its 合计 line last."""
        return [("收入构成", self.income + [self.income_total]), ("支出构成", self.spending + [self.spending_total])]

    @property
    def items_span(self) -> int:
        return len(self.items) + 1

    @property
    def year_columns(self) -> list:
        """The two earlier years of the 近两年 columns (None where the file gives fewer)."""
        return (list(self.years) + [None, None])[:2]

    @staticmethod
    def history_cells(line) -> list:
        return (list(line.history) + [None, None])[:2]


@dataclass
class FundLine:
    label: str
    amount: Decimal | None      # None: printed blank


@dataclass
class ProjectFormFacts:
    project: object             # derive.ProjectFacts
    form: object                # model_forms.ProjectForm
    name: str
    supervisor: str
    executor: str
    amount: Decimal
    total_budget: Decimal
    budgets: list[tuple[int, Decimal]]     # earlier years then this year, in year order
    starts_in: int | None                  # first budget year when fewer than two earlier years are known
    funding: list[FundLine]
    details_total: Decimal
    purchases_total: Decimal
    use: str
    long_term: list[GoalFacts] = field(default_factory=list)
    annual: list[GoalFacts] = field(default_factory=list)

    @property
    def funding_span(self) -> int:
        """Rows of 项目当年资金来源: its header row and one per source line."""
        return len(self.funding) + 1


@dataclass
class FuncChange:
    index: int
    code: str
    names: tuple[str, str, str]   # 类, 款, 项
    amount: Decimal
    change: Change | None
    reason: str


class FormFacts:
    def __init__(self, facts):
        self.f = facts
        self.b = facts.b

    # ---- unit totals of a department-wide budget ------------------------------------------------
    def unit_totals(self, unit_code: str):
        from .facts import Vec
        v = Vec()
        u = self.f.unit_by_code.get(unit_code)
        if u is None or u.totals is None:
            return v
        for t in (u.totals if isinstance(u.totals, list) else [u.totals]):
            v.add(t.source, "wages", t.carryover, t.personnel)
            v.add(t.source, "office", t.carryover, t.office)
            v.add(t.source, "project", t.carryover, t.project)
        return v

    @cached_property
    def units_sum(self):
        from .facts import Vec
        v = Vec()
        for u in self.f.units:
            v.merge(self.unit_totals(u.code))
        return v

    # ---- categories of spending (人员类 / 运转类 / 特定目标类) -------------------------------------
    def category_amount(self, cat: str) -> Decimal:
        t = self.f.total
        if cat == "人员类":
            return t("personnel")
        if cat == "运转类":
            return t("office") + t("ops")
        return t("target")

    def income_amount(self, cat: str) -> Decimal:
        if cat == "财政拨款":
            return self.f.income_of("fiscal") + self.f.total("all", "fiscal", True)
        if cat == "财政专户管理资金":
            return self.f.income_of("special")
        return self.f.income_of("unit_funds")

    # ---- 表11 ------------------------------------------------------------------------------------
    @cached_property
    def overall(self) -> OverallFacts | None:
        o = self.b.overall_form
        if o is None:
            return None
        hist = sorted(o.history, key=lambda h: -h.year)
        years = [h.year for h in hist]
        inc = [self.income_amount(c) for c in INCOME_CATEGORIES]
        spend = [self.category_amount(c) for c in SPEND_CATEGORIES]
        inc_total, spend_total = sum(inc, ZERO), sum(spend, ZERO)
        inc_sh, spend_sh = shares(inc, inc_total), shares(spend, spend_total)
        income = [FormLine(c, a, s, [getattr(h.income, c) for h in hist])
                  for c, a, s in zip(INCOME_CATEGORIES, inc, inc_sh)]
        spending = [FormLine(c + "项目支出", a, s, [getattr(h.expenditure, c) for h in hist])
                    for c, a, s in zip(SPEND_CATEGORIES, spend, spend_sh)]
        hundred = Decimal(100)
        income_total = FormLine("合 计", inc_total, hundred if inc_total else ZERO,
                                [sum((getattr(h.income, c) for c in INCOME_CATEGORIES), ZERO) for h in hist])
        spending_total = FormLine("合 计", spend_total, hundred if spend_total else ZERO,
                                  [sum((getattr(h.expenditure, c) for c in SPEND_CATEGORIES), ZERO) for h in hist])
        return OverallFacts(
            o, o.name or self.b.agency.full_name or self.b.agency.name, years, income, income_total,
            spending, spending_total, list(o.functions or self.b.overview.duties),
            [(it, it.total if it.total is not None else it.amount, it.amount) for it in o.items],
            o.long_term_until or self.f.year + 1,
            _goals(o.long_term, None), _goals(o.annual, None))

    def overall_goals(self, levels):
        """(long-term, annual) goals of 表11 with the style's fixed indicator groups."""
        o = self.b.overall_form
        if o is None:
            return [], []
        return _goals(o.long_term, levels), _goals(o.annual, levels)

    @cached_property
    def overall_item_totals(self) -> dict[str, Decimal]:
        out = {c: ZERO for c in SPEND_CATEGORIES}
        for it in (self.b.overall_form.items if self.b.overall_form else []):
            out[it.category] += it.amount
        return out

    # ---- 表12 ------------------------------------------------------------------------------------
    @cached_property
    def project_forms(self) -> list[ProjectFormFacts]:
        out = []
        units = {u.code: u for u in self.f.units}
        for p in self.f.projects:
            form = p.model.form
            if form is None:
                continue
            amount = p.v()
            prior = sorted((h.year, h.amount) for h in form.history if h.year < self.f.year)
            budgets = prior + [(self.f.year, amount)]
            starts_in = budgets[0][0] if len([y for y, _ in prior if y >= self.f.year - 2]) < 2 else None
            v = p.v
            gpb_cur = v("all", "gpb", False)
            funding = [
                FundLine("合计", amount),
                FundLine("1. 一般公共预算财政拨款", v("all", "gpb") or None),
                FundLine("其中：申请本级财力年初安排", gpb_cur or None),
                FundLine("2. 政府性基金预算财政拨款", v("all", "fund") or None),
                FundLine("3. 财政专户管理资金", v("all", "special") or None),
                FundLine("4. 单位资金", v("all", "unit_funds") or None),
                FundLine("使用上年度财政拨款结转", v("all", "fiscal", True) or None),
            ]
            unit = units.get(p.unit)
            out.append(ProjectFormFacts(
                p, form, form.title_name or p.name,
                form.supervisor or self.b.agency.full_name or self.b.agency.name,
                form.executor or (unit.name if unit else ""),
                amount, form.total_budget if form.total_budget is not None else amount,
                budgets, starts_in, funding,
                sum((d.amount for d in form.details), ZERO), sum((x.amount for x in form.purchases), ZERO),
                _use(form.use if form.use is not None else form.content),
            ))
        out.sort(key=lambda x: (x.form.order if x.form.order is not None else 10_000 + x.project.index))
        return out

    def form_goals(self, pf: ProjectFormFacts, levels):
        return _goals(pf.form.long_term, levels), _goals(pf.form.annual, levels)

    @property
    def purchases_total(self) -> Decimal:
        return sum((pf.purchases_total for pf in self.project_forms), ZERO)

    @property
    def purchased_services_total(self) -> Decimal:
        return sum((x.amount for x in self.b.purchased_services), ZERO)

    # ---- per-项 comparison -------------------------------------------------------------------------
    def func_changes(self, source="gpb") -> list[FuncChange]:
        """One row per 项 with money of `source` (this year, not carried over), in code order."""
        prior = self.b.prior_year.functions
        out = []
        for r in self.f.func_rows(source=source, carry=False, levels=("项",)):
            item = prior.get(r.code)
            amt = r.v()
            out.append(FuncChange(len(out) + 1, r.code, (self.f.func_name(r.code[:3]), self.f.func_name(r.code[:5]), r.name),
                                  amt, Change(amt, item.amount) if item is not None else None,
                                  (item.reason or "").strip().rstrip("。") if item is not None else ""))
        return out

    @property
    def func_prior_total(self) -> Decimal | None:
        prior = self.b.prior_year.functions
        return sum((i.amount for i in prior.values()), ZERO) if prior else None

    # ---- table helpers -----------------------------------------------------------------------------
    def category_list(self, listing) -> list[tuple[str, str]]:
        """A style's fixed 类 list [(code, name)…] with every 类 that has money and is not listed merged in
        code order (never dropped)."""
        listed = [(str(c), n) for c, n in listing]
        codes_ = {c for c, _ in listed}
        extra = [(r.code, r.name) for r in self.f.func_rows(carry=None, levels=("类",)) if r.code not in codes_]
        return sorted(listed + extra, key=lambda x: x[0]) if extra else listed

    def income_row(self, unit_code: str | None = None) -> list[Decimal]:
        """部门收入总表 row: 合计, 本年收入 (小计 + 9 sources), 上年结转结余 (小计, 一般公共预算, 政府性基金,
        国有资本经营, 财政专户管理资金, 单位资金). unit_code None: the whole budget (income as typed)."""
        from ..model.budget import SOURCES
        if unit_code is None:
            cur = [self.f.income[s] for s in SOURCES]
            v = self.f.total
        else:
            v = self.f.unit_total(unit_code)
            cur = [v("all", s, False) for s in SOURCES]
        carry = [v("all", g, True) for g in ("gpb", "fund", "soe", "special", "unit_funds")]
        carry_total = self.f.income_carry if unit_code is None else v("all", "all", True)
        cur_total = sum(cur, ZERO)
        return [cur_total + carry_total, cur_total, *cur, carry_total, *carry]

    @property
    def fiscal_income_total(self) -> Decimal:
        """财政拨款 income of the year plus 财政拨款 carried over."""
        return self.f.income_of("fiscal") + self.f.total("all", "fiscal", True)

    def sangong_change(self, item: str) -> Change | None:
        """This year's 三公 item (合计, 因公出国, 公务用车 = 购置 + 运行, 公务接待, …) against last year's."""
        py = self.b.prior_year
        parts = {"公务用车": ("公务用车购置", "公务用车运行")}.get(item, (item,))
        cur = self.f.sangong_amount(item)
        if item == "合计":
            prior = self.f.sangong_prior_total
        elif all(p in py.sangong_items for p in parts):
            prior = sum((py.sangong_items[p].amount for p in parts), ZERO)
        elif self.f.sangong_prior_total is not None and r2(self.f.sangong_prior_total) == 0:
            prior = ZERO
        else:
            prior = None
        return None if prior is None else Change(cur, prior)

    def sangong_reason(self, item: str) -> str:
        py = self.b.prior_year
        it = py.sangong if item == "合计" else py.sangong_items.get(item)
        return (it.reason or "").strip().rstrip("。") if it is not None else ""

    @cached_property
    def projects_in_table_order(self):
        """Projects as the project table lists them: unit by unit, each unit's in file order."""
        out = []
        for u in self.f.units:
            out += self.f.project_list(carry=None, unit=u.code)
        return out

    def form_of(self, project) -> ProjectFormFacts | None:
        return next((pf for pf in self.project_forms if pf.project is project), None)

    @property
    def performance_goal_count(self) -> int:
        """一级项目支出绩效目标: one per project form (or per published performance table)."""
        return len(self.project_forms) or len(self.f.published_projects)

    # ---- assets, procurement ---------------------------------------------------------------------
    @property
    def vehicles_total(self) -> int:
        return sum(self.b.assets.vehicles.values())

    def vehicles_of(self, keys) -> int:
        """Vehicles of one printed kind: the sum over the data keys that name it."""
        return sum((self.b.assets.vehicles.get(k, 0) for k in keys), 0)

    def procurement_change(self) -> Change | None:
        item = self.b.prior_year.procurement
        return None if item is None else Change(self.f.procurement_total, item.amount)

    def running_change(self) -> Change | None:
        item = self.b.prior_year.running_costs
        return None if item is None else Change(self.f.running_costs_total, item.amount)

    # ---- values for controls / published figures and the style rules ------------------------------
    def control_values(self) -> dict[str, tuple[Decimal, str]]:
        vals: dict[str, tuple[Decimal, str]] = {}
        for fc in self.func_changes():
            if fc.change is not None and fc.change.percent is not None:
                vals[f"change_pct_func_{fc.code}"] = (fc.change.percent, f"{fc.names[2]}({fc.code}) 增减率(%)")
                vals[f"change_func_{fc.code}"] = (fc.change.delta, f"{fc.names[2]}({fc.code}) 增减额")
        vals["project_form_count"] = (Decimal(len(self.project_forms)), "项目支出绩效目标（申报表）个数")
        vals["project_count"] = (Decimal(len(self.f.projects)), "项目个数")
        vals["procurement_total"] = (self.f.procurement_total, "政府采购预算合计")
        vals["form_purchase_total"] = (self.purchases_total, "申报表项目采购合计")
        vals["purchased_services_total"] = (self.purchased_services_total, "政府购买服务预算合计")
        if self.func_prior_total is not None:
            vals["func_prior_total"] = (self.func_prior_total, "各功能科目（项）上年数合计")
        py = self.b.prior_year
        if py.total is not None:
            vals["prior_total"] = (py.total.amount, "上年收支总预算")
        if py.gpb is not None:
            vals["prior_gpb"] = (py.gpb.amount, "上年一般公共预算拨款")
        o = self.overall
        if o is not None:
            for i, y in enumerate(o.years):
                vals[f"overall_income_{i + 1}"] = (o.income_total.history[i], f"整体支出绩效目标表 {y} 年收入合计")
                vals[f"overall_spending_{i + 1}"] = (o.spending_total.history[i], f"整体支出绩效目标表 {y} 年支出合计")
            for c in SPEND_CATEGORIES:
                vals[f"overall_items_{c}"] = (self.overall_item_totals[c], f"整体支出绩效目标表项目支出情况（{c}）")
                vals[f"category_amount_{c}"] = (self.category_amount(c), f"{c}项目支出（按支出表）")
        return vals


__all__ = ["FormFacts", "indicator_rows"]
