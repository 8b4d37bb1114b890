"""Budget facts: every figure a disclosure publishes, derived from the model exactly.

Leaf amounts (项 rows, economic rows, projects) are summed exactly in Decimal; rounding happens
only at display. Templates ask for what they show through a small query API:

    facts.func_rows(source="gpb")          -> 类/款/项 rows with non-zero general-budget money
    row.v("basic")                         -> that row's 基本支出 within the query's filter
    facts.total.v("project", "fund")       -> 政府性基金 项目支出 of the whole budget
    facts.category("208").v()              -> one 类 for the fixed category lists
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from ..model import codes
from ..model.budget import FISCAL, SANGONG_ITEMS, SOURCES, UNIT_FUNDS, Budget
from ..model.money import ZERO, Change, pct, r2, shares

KINDS = ("wages", "family", "office", "ops", "target", "project")
KIND_GROUPS = {
    "all": KINDS, "basic": ("wages", "family", "office"), "personnel": ("wages", "family"),
    "public": ("office",), "project": ("ops", "target", "project"),
    "wages": ("wages",), "family": ("family",), "office": ("office",), "ops": ("ops",), "target": ("target",),
}
SOURCE_GROUPS = {
    "all": SOURCES, "gpb": ("一般公共预算",), "fund": ("政府性基金预算",), "soe": ("国有资本经营预算",),
    "fiscal": FISCAL, "special": ("财政专户管理资金",), "unit_funds": UNIT_FUNDS,
    **{s: (s,) for s in SOURCES},
}


def _kinds(k):
    return KIND_GROUPS[k] if isinstance(k, str) else tuple(x for g in k for x in KIND_GROUPS[g])


def _sources(s):
    return SOURCE_GROUPS[s] if isinstance(s, str) else tuple(x for g in s for x in SOURCE_GROUPS[g])


class Vec:
    """Amounts keyed by (source, kind, carryover); call it to sum a slice."""
    __slots__ = ("d",)

    def __init__(self, d=None):
        self.d = defaultdict(Decimal) if d is None else d

    def add(self, source, kind, carry, amount):
        if amount:
            self.d[(source, kind, carry)] += amount

    def merge(self, other: "Vec"):
        for k, a in other.d.items():
            self.d[k] += a

    def __call__(self, kind="all", source="all", carry=None) -> Decimal:
        ks, ss = _kinds(kind), _sources(source)
        return sum((a for (s, k, c), a in self.d.items()
                    if k in ks and s in ss and (carry is None or c == carry)), ZERO)

    def only(self, source="all", carry=None, kind="all") -> "Vec":
        ks, ss = _kinds(kind), _sources(source)
        out = Vec()
        for (s, k, c), a in self.d.items():
            if k in ks and s in ss and (carry is None or c == carry):
                out.d[(s, k, c)] += a
        return out

    def nonzero(self) -> bool:
        return any(a != 0 for a in self.d.values())


@dataclass
class Row:
    level: str          # 类 | 款 | 项 (functional) or 类 | 款 (economic)
    code: str
    name: str
    v: Vec = field(default_factory=Vec)
    gov_code: str = ""
    gov_name: str = ""
    unit: str = ""

    @property
    def parts(self) -> tuple[str, str, str]:
        """类/款/项 code split into three cells (Henan tables): 2010350 → 201, 03, 50."""
        c = self.code
        return c[:3], c[3:5], c[5:7]

    def __call__(self, kind="all", source="all", carry=None):
        return self.v(kind, source, carry)


@dataclass
class ProjectFacts:
    index: int
    name: str
    code: str
    unit: str
    type: str
    function: str
    carryover: bool
    v: Vec
    model: object

    @property
    def total(self):
        return self.v()

    @property
    def number(self) -> int:
        """1-based position in the file (the 绩效目标表 anchor)."""
        return self.index + 1

    @property
    def performance_tables(self):
        p = self.model.performance
        if p is None:
            return []
        return p if isinstance(p, list) else [p]


class Facts:
    def __init__(self, budget: Budget):
        self.b = budget
        self.year = budget.agency.year
        self.prior_year_no = budget.agency.year - 1
        self.units = budget.units
        self.unit_by_code = {u.code: u for u in budget.units}
        self.default_unit = budget.units[0].code
        self.is_dept = budget.agency.kind == "部门"
        # a 部门 whose detailed lines are published for the whole department only (each unit gives
        # its totals): lines without `unit` belong to the department, not to the first unit
        self.dept_wide = self.is_dept and len(budget.units) > 1 and all(u.totals is not None for u in budget.units)

    # ---- names -------------------------------------------------------------------------------
    def func_name(self, code: str) -> str:
        if code in self.b.functional_names:
            return self.b.functional_names[code]
        if len(code) == 3:
            return codes.CATEGORIES.get(code, "")
        if len(code) == 5:
            return codes.SUBCATEGORIES.get(code, "")
        return self._leaf_names.get(code, "")

    @cached_property
    def _leaf_names(self):
        return {ln.code: ln.name for ln in self.b.expenditure}

    def unit_of(self, code):
        return code or ("" if self.dept_wide else self.default_unit)

    @property
    def uses_forms(self) -> bool:
        """The file has facts of derive_forms.py to check: forms, per-项 prior figures, unit totals."""
        b = self.b
        return bool(b.overall_form is not None or b.prior_year.functions or self.dept_wide or b.purchased_services
                    or b.prior_year.procurement is not None or any(p.form is not None for p in b.projects))

    @cached_property
    def forms(self):
        """Facts of the declaration forms, per-项 comparisons and unit totals (derive_forms.py)."""
        from .forms import FormFacts
        return FormFacts(self)

    # ---- functional classification ---------------------------------------------------------------
    @cached_property
    def leaves(self) -> list[Row]:
        """One Row per 项 code and unit, amounts by (source, kind, carry)."""
        by = {}
        for ln in self.b.expenditure:
            key = (self.unit_of(ln.unit), ln.code)
            row = by.get(key)
            if row is None:
                row = by[key] = Row("项", ln.code, ln.name, unit=key[0])
            for k in ("wages", "family", "office", "ops", "target"):
                row.v.add(ln.source, k, ln.carryover, getattr(ln, k))
        return [by[k] for k in sorted(by, key=lambda k: (k[1], k[0]))]

    @cached_property
    def total(self) -> Vec:
        v = Vec()
        for r in self.leaves:
            v.merge(r.v)
        return v

    def func_rows(self, source="all", carry=False, unit=None, levels=("类", "款", "项"),
                  kind="all", keep_zero=False) -> list[Row]:
        """类/款/项 rows in code order, rolled up exactly from the 项 rows within the filter."""
        nodes: dict[str, Row] = {}
        for leaf in self.leaves:
            if unit is not None and leaf.unit != unit:
                continue
            v = leaf.v.only(source, carry, kind)
            if not v.nonzero() and not keep_zero:
                continue
            for lvl, code in (("类", leaf.code[:3]), ("款", leaf.code[:5]), ("项", leaf.code)):
                node = nodes.get(code)
                if node is None:
                    name = leaf.name if lvl == "项" else self.func_name(code)
                    node = nodes[code] = Row(lvl, code, name)
                node.v.merge(v)
        return [nodes[c] for c in sorted(nodes) if nodes[c].level in levels]

    def category(self, code: str) -> Row:
        """One 类 (3-digit code) over the whole budget; zero when absent."""
        row = Row("类", code, self.func_name(code))
        for leaf in self.leaves:
            if leaf.code.startswith(code):
                row.v.merge(leaf.v)
        return row

    def unit_total(self, unit_code: str) -> Vec:
        if self.dept_wide:
            return self.forms.unit_totals(unit_code)
        v = Vec()                   # a copy: the callers may add to it
        v.merge(self._unit_totals.get(unit_code, Vec()))
        return v

    @cached_property
    def _unit_totals(self) -> dict[str, Vec]:
        """Each unit's 项 lines summed, in one pass (a 部门 of 300 units is asked per unit and source)."""
        out: dict[str, Vec] = {}
        for leaf in self.leaves:
            out.setdefault(leaf.unit, Vec()).merge(leaf.v)
        return out

    # ---- income ------------------------------------------------------------------------------
    @cached_property
    def income(self) -> dict[str, Decimal]:
        """Income by source for the current year (typed, else derived from expenditure)."""
        if self.b.income is not None:
            return {s: self.b.income.get(s, ZERO) for s in SOURCES}
        return {s: self.total("all", s, False) for s in SOURCES}

    @cached_property
    def income_carry(self) -> Decimal:
        if self.b.income is not None and "上年结转" in self.b.income:
            return self.b.income["上年结转"]
        return self.total("all", "all", True)

    @property
    def income_current(self) -> Decimal:
        return sum(self.income.values(), ZERO)

    @property
    def income_total(self) -> Decimal:
        return self.income_current + self.income_carry

    def income_of(self, group: str) -> Decimal:
        return sum((self.income[s] for s in _sources(group)), ZERO)

    @property
    def expenditure_total(self) -> Decimal:
        return self.total()

    # ---- economic classification ----------------------------------------------------------------
    def econ_rows(self, kind="basic", source="gpb", carry=False, unit=None, by_gov=True) -> list[Row]:
        """部门经济分类 类 rows each followed by their 款 rows (one per 政府经济分类 when by_gov).

        Row.v is keyed like functional rows: kind 'wages' for 301, 'family' for 303, 'office'
        for 302 (basic spending), 'project' for project spending.
        """
        nodes: dict[tuple, Row] = {}
        for ln in self.b.economic:
            if unit is not None and self.unit_of(ln.unit) != unit:
                continue
            k = self._econ_kind(ln)
            if k not in _kinds(kind) or ln.source not in _sources(source):
                continue
            if carry is not None and ln.carryover != carry:
                continue
            cls = ln.code[:3]
            ckey = (cls, "", "")
            if ckey not in nodes:
                nodes[ckey] = Row("类", cls, codes.ECON_DEPT_CLASSES.get(cls, cls))
            kkey = (cls, ln.code, ln.gov if by_gov else "")
            if kkey not in nodes:
                nodes[kkey] = Row("款", ln.code, ln.name or codes.ECON_DEPT.get(ln.code, ln.code),
                                  gov_code=ln.gov if by_gov else "",
                                  gov_name=(ln.gov_name or codes.ECON_GOV.get(ln.gov, ln.gov)) if by_gov else "")
            for key in (ckey, kkey):
                nodes[key].v.add(ln.source, k, ln.carryover, ln.amount)
        return [nodes[k] for k in sorted(nodes)]

    @staticmethod
    def _econ_kind(ln) -> str:
        if ln.kind == "project":
            return "project"
        return {"301": "wages", "303": "family"}.get(ln.code[:3], "office")

    @cached_property
    def econ_total(self) -> Vec:
        v = Vec()
        for ln in self.b.economic:
            v.add(ln.source, self._econ_kind(ln), ln.carryover, ln.amount)
        return v

    def econ_names(self, kind: str) -> list[str]:
        """Distinct 部门经济分类 款 names with non-zero GPB basic money of `kind`, in code order."""
        seen, out = set(), []
        for r in self.econ_rows(kind=kind, source="gpb"):
            if r.level == "款" and r.v() != 0 and r.name not in seen:
                seen.add(r.name)
                out.append(r.name)
        return out

    # ---- projects ----------------------------------------------------------------------------
    @cached_property
    def projects(self) -> list[ProjectFacts]:
        out = []
        for i, p in enumerate(self.b.projects):
            v = Vec()
            kind = "ops" if p.type == "其他运转类" else "target"
            for s, a in p.amounts.items():
                v.add(s, kind, p.carryover, a)
            out.append(ProjectFacts(i, p.name, p.code or "", self.unit_of(p.unit), p.type,
                                    p.function or "", p.carryover, v, p))
        return out

    def project_list(self, carry=False, unit=None, type=None):
        return [p for p in self.projects
                if (carry is None or p.carryover == carry) and (unit is None or p.unit == unit)
                and (type is None or p.type == type)]

    def projects_total(self, carry=False, unit=None, type=None) -> Vec:
        v = Vec()
        for p in self.project_list(carry, unit, type):
            v.merge(p.v)
        return v

    @cached_property
    def published_projects(self) -> list[ProjectFacts]:
        return [p for p in self.projects if p.model.publish_performance and p.performance_tables]

    # ---- 三公 and others ------------------------------------------------------------------------
    @cached_property
    def sangong(self) -> dict[str, Vec]:
        out = {}
        for item in SANGONG_ITEMS:
            v = Vec()
            val = self.b.sangong.get(item)
            if isinstance(val, dict):
                for s, a in val.items():
                    v.add(s, "all", False, a)
            elif val:
                v.add("一般公共预算", "all", False, val)
            out[item] = v
        return out

    def sangong_amount(self, item: str, source="all") -> Decimal:
        if item == "公务用车":
            return self.sangong_amount("公务用车购置", source) + self.sangong_amount("公务用车运行", source)
        if item == "合计":
            return sum((self.sangong_amount(i, source) for i in SANGONG_ITEMS), ZERO)
        v = self.sangong[item]
        return sum((a for (s, _k, _c), a in v.d.items() if s in _sources(source)), ZERO)

    @cached_property
    def running_costs(self) -> dict[str, Decimal]:
        """机关运行经费 by unit code (as typed; empty when the agency has none)."""
        return dict(self.b.running_costs or {})

    @property
    def running_costs_total(self) -> Decimal:
        return sum(self.running_costs.values(), ZERO)

    @property
    def procurement_total(self) -> Decimal:
        p = self.b.procurement
        return p.goods + p.works + p.services

    # ---- comparisons ----------------------------------------------------------------------------
    def change(self, current, prior_item) -> Change | None:
        if prior_item is None:
            return None
        return Change(Decimal(current), prior_item.amount)

    @property
    def prior_total(self):
        return self.b.prior_year.total

    @property
    def prior_expenditure_total(self):
        return self.b.prior_year.expenditure_total or self.b.prior_year.total

    @property
    def sangong_prior_total(self) -> Decimal | None:
        py = self.b.prior_year
        if py.sangong is not None:
            return py.sangong.amount
        if py.sangong_items:
            return sum((i.amount for i in py.sangong_items.values()), ZERO)
        return None

    # ---- helpers exposed to templates -------------------------------------------------------------
    pct = staticmethod(pct)
    shares = staticmethod(shares)
    r2 = staticmethod(r2)

    def control_values(self) -> dict[str, tuple[Decimal, str]]:
        """Derived values that an author (or a published document) may also state."""
        t = self.total
        gpb_projects = self.projects_total()("all", "gpb")
        vals = {
            "income_total": (self.income_total, "收入总计"),
            "expenditure_total": (self.expenditure_total, "支出总计"),
            "gpb_total": (t("all", "gpb", False), "一般公共预算支出合计"),
            "fund_total": (t("all", "fund", False), "政府性基金预算支出合计"),
            "soe_total": (t("all", "soe", False), "国有资本经营预算支出合计"),
            "basic_total": (t("basic"), "基本支出合计"),
            "project_total": (t("project"), "项目支出合计"),
            "personnel_total": (t("personnel", "gpb"), "人员经费合计"),
            "office_total": (t("office", "gpb"), "公用经费合计"),
            "sangong_total": (self.sangong_amount("合计"), "“三公”经费合计"),
            "project_gpb_total": (gpb_projects, "项目支出中一般公共预算当年拨款"),
        }
        for cat in codes.CATEGORIES:
            row = self.category(cat)
            if row.v() != 0:
                vals[f"category_{cat}"] = (row.v(), f"{row.name}({cat}) 合计")
                vals[f"gpb_category_{cat}"] = (row.v("all", "gpb"), f"{row.name}({cat}) 一般公共预算")
        if self.uses_forms:
            vals.update(self.forms.control_values())
        for key, item in (("change_pct_total", self.prior_total), ("change_pct_gpb", self.b.prior_year.gpb)):
            cur = self.income_total if key == "change_pct_total" else t("all", "gpb", False)
            ch = self.change(cur, item)
            if ch is not None and ch.percent is not None:
                vals[key] = (ch.percent, "增减率(%)")
        return vals

    # ---- income classification rows (government-fund income table) ------------------------------
    def income_rows(self, items=None) -> list["IncomeRow"]:
        """收入分类 rows of `items` (default: gov_fund_income) in code order. When only 7-digit
        项 codes are given, their 3-digit 类 and 5-digit 款 rows are rolled up exactly; otherwise
        the rows are taken as typed. Returns IncomeRow(level, code, name, amount)."""
        items = self.b.gov_fund_income if items is None else items
        factor = Decimal(10000) if self.b.amount_unit == "元" else Decimal(1)
        leaves = []
        for it in items:
            code = str(it.get("code", "")).strip()
            amt = it.get("amount", 0)
            amt = amt if isinstance(amt, Decimal) else Decimal(str(amt or 0).replace(",", "")) / factor
            leaves.append((code, str(it.get("name", "")).strip(), amt))
        roll = leaves and all(len(c) == 7 for c, _, _ in leaves)
        nodes: dict[str, IncomeRow] = {}
        for code, name, amt in leaves:
            levels = (("类", code[:3]), ("款", code[:5]), ("项", code)) if roll else (("", code),)
            for lvl, c in levels:
                node = nodes.get(c)
                if node is None:
                    node = nodes[c] = IncomeRow(lvl, c, name if c == code else codes.INCOME.get(c, ""))
                node.amount += amt
        return [nodes[c] for c in sorted(nodes)]


@dataclass
class IncomeRow:
    level: str
    code: str
    name: str
    amount: Decimal = ZERO


def derive(budget: Budget) -> Facts:
    return Facts(budget)
