"""Document-level facts: the sums, changes and reconciliations a disclosure states beyond the plain
queries of derive.Facts — computed here, in Decimal, so that templates only choose and format.

Templates see one `DocFacts` as `df` (render.render_html):

    df.with_carry("gpb")                  -> 一般公共预算 current income + its 上年结转
    df.projects_sum(list)                 -> exact sum of a list of projects
    df.change_of(current, prior_amount)   -> money.Change (None when the prior amount is unknown)
    df.vehicles(groups)                   -> counts of the vehicle kinds a style lists, and the rest
    df.category_rows(listing, label_fmt)  -> a style's fixed 类 list with any other 类 that has money
    df.income_line(unit=None)             -> one row of an income-by-source table (whole or one unit)
    df.perf_funds(p)                      -> the 项目资金（元） block of a 绩效目标表
    df.glossary(items, typed)             -> glossary entries: the style's, then the file's own

Consistency conditions (does the economic classification cover the spending, do the units' rows
add up to the typed income) are check rules: check_template_facts.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from .facts import Facts, Vec, _sources
from ..model.budget import SOURCES
from ..model.money import ZERO, Change, r2

PERF_FUND_KEYS = ("中央", "省级", "市县", "自筹", "其他")


@dataclass(frozen=True)
class Vehicles:
    total: int                       # all vehicles of the file
    groups: list[tuple[str, int]]    # (printed name, count) per listed kind
    listed: int                      # vehicles in the listed kinds
    other: int                       # total − listed


@dataclass(frozen=True)
class IncomeLine:
    """Income by source of the whole budget or of one unit, with its 上年结转."""
    by_source: dict[str, Decimal]
    carry: Vec | object              # callable (kind, source, carry) → amount: the carried-over money
    carry_total: Decimal

    @property
    def current(self) -> Decimal:
        return sum(self.by_source.values(), ZERO)

    @property
    def total(self) -> Decimal:
        return self.current + self.carry_total

    def of(self, group: str) -> Decimal:
        return sum((self.by_source.get(s, ZERO) for s in _sources(group)), ZERO)


@dataclass(frozen=True)
class PerfFunds:
    """项目资金（元）of a 绩效目标表: the 实施期 and 年度 split by fund, each with its total.
    A split value None prints blank; a split whose 市县 is None has no total."""
    period: dict
    annual: dict
    period_missing: bool             # the file gives no 实施期 funds for a multi-year project

    @staticmethod
    def _total(d: dict):
        if d["市县"] is None:
            return None
        return d["中央"] + d["省级"] + d["市县"] + d["自筹"] + (d["其他"] or 0)

    @property
    def period_total(self):
        return self._total(self.period)

    @property
    def annual_total(self):
        return self._total(self.annual)


class IndicatorRows(list):
    """Rows of a 绩效指标 grid (render.Document.indicator_rows)."""

    @property
    def rowspan(self) -> int:
        """Rows the 绩效指标 label spans: the header row and every indicator row."""
        return len(self) + 1


@dataclass(frozen=True)
class GlossaryEntry:
    number: int
    term: str
    text: str
    typed: bool          # the text is the file's own (not the style's default)
    split: bool          # the style prints the text as a paragraph of its own


@dataclass(frozen=True)
class EconGap:
    rows: Decimal          # what the table's detail rows add up to
    total: Decimal         # the spending the 合计 row prints
    no_project: bool       # the file has no project economic rows at all


class DocFacts:
    def __init__(self, facts: Facts, style: dict | None = None):
        self.f = facts
        self.b = facts.b
        self.style = style or {}

    # ---- income and fiscal totals ------------------------------------------------------------
    def with_carry(self, group: str = "fiscal") -> Decimal:
        """Current income of `group` plus what of it is carried over (财政拨款收支总预算 etc.)."""
        return self.f.income_of(group) + self.f.total("all", group, True)

    def econ_gap(self) -> "EconGap | None":
        """The economic rows (预算07表) do not add up to the spending of some fund source: what the
        table's note says (check rule identity.econ-total tells the author where)."""
        f = self.f
        if all(r2(f.econ_total("all", s)) == r2(f.total("all", s)) for s in ("gpb", "fund", "soe", "special", "unit_funds")):
            return None
        no_project = r2(f.econ_total("project")) == 0 and r2(f.total("project")) != 0
        return EconGap(f.econ_total(), f.total(), no_project)

    def income_line(self, unit: str | None = None) -> IncomeLine:
        """The whole budget's income by source (typed, else derived), or one unit's: a unit's income
        is not typed per unit, so it is what the unit spends from each source."""
        if unit is None:
            return IncomeLine(dict(self.f.income), self.f.total, self.f.income_carry)
        ut = self.f.unit_total(unit)
        return IncomeLine({s: ut("all", s, False) for s in SOURCES}, ut, ut("all", "all", True))

    # ---- projects ------------------------------------------------------------------------------
    @staticmethod
    def projects_sum(projects) -> Decimal:
        return sum((p.total for p in projects), ZERO)

    def unit_func_rows(self, source="all", carry=None, levels=("项",)) -> list[tuple[object, list]]:
        """(unit, its functional rows) for each unit with rows within the filter, in unit order."""
        out = []
        for u in self.f.units:
            rows = self.f.func_rows(source=source, carry=carry, unit=u.code, levels=levels)
            if rows:
                out.append((u, rows))
        return out

    def perf_funds(self, p) -> PerfFunds:
        perf = p.performance_tables[0]
        fy = perf.funds_yuan
        if fy is None:
            annual = {"中央": 0, "省级": 0, "市县": p.total * 10000, "自筹": 0, "其他": None}
            if perf.period_years in (None, 1, 99):
                return PerfFunds(annual, annual, False)
            return PerfFunds(dict.fromkeys(PERF_FUND_KEYS), annual, True)
        split = lambda s: {k: getattr(s, k) for k in PERF_FUND_KEYS}   # noqa: E731
        return PerfFunds(split(fy.period), split(fy.annual), False)

    # ---- changes -----------------------------------------------------------------------------
    @staticmethod
    def change_of(current, prior_amount) -> Change | None:
        """The change from a prior-year amount (not a PriorItem); None when it is unknown."""
        if prior_amount is None:
            return None
        return Change(Decimal(current), Decimal(prior_amount))

    @cached_property
    def sangong_change(self) -> Change | None:
        """“三公”经费合计 (all fiscal sources) against the prior year's total."""
        return self.change_of(self.f.sangong_amount("合计"), self.f.sangong_prior_total)

    # ---- classification lists -------------------------------------------------------------------
    def category_rows(self, listing, label_fmt: str) -> list[tuple[str, str | None]]:
        """A style's fixed list of [label, 类 code | None], with every 类 that has money but is not
        listed inserted in code order, labelled `label_fmt` ({n}: code − 200 in Chinese numerals,
        {name}: the 类 name). Nothing with money is dropped."""
        from ..render.document import cn_num
        listed = {code for _label, code in listing if isinstance(code, str)}
        with_money = [r.code for r in self.f.func_rows(carry=None, levels=("类",))]
        extras = [c for c in with_money if c not in listed]
        out, i = [], 0
        for label, code in list(listing) + [("", "999")]:
            while code is not None and i < len(extras) and extras[i] < code:
                x = extras[i]
                out.append((label_fmt.replace("{n}", cn_num(int(x) - 200)).replace("{name}", self.f.func_name(x)), x))
                i += 1
            if label:
                out.append((label, code))
        return out

    # ---- assets -------------------------------------------------------------------------------
    def vehicles(self, groups) -> Vehicles:
        """`groups`: kinds the style lists, each a key of assets.vehicles or [printed name, key…]."""
        have = self.b.assets.vehicles or {}
        rows = []
        for g in groups:
            name, keys = (g, [g]) if isinstance(g, str) else (g[0], list(g[1:]))
            rows.append((name, sum((have.get(k, 0) for k in keys), 0)))
        total = sum(have.values(), 0)
        listed = sum((n for _name, n in rows), 0)
        return Vehicles(total, rows, listed, total - listed)

    # ---- texts ---------------------------------------------------------------------------------
    @staticmethod
    def mentions(texts, words) -> bool:
        """Whether any of `texts` contains any of `words`."""
        return any(w in (t or "") for t in texts or () for w in words)

    @staticmethod
    def glossary(items, typed: dict) -> list[GlossaryEntry]:
        """The style's entries ([term, text] or [term, text, "split"]) with the file's texts where
        given, then the file's own terms, numbered from 1."""
        out = []
        known = set()
        for item in items:
            term = item[0]
            known.add(term)
            own = term in typed
            out.append(GlossaryEntry(len(out) + 1, term, typed[term] if own else item[1], own,
                                     len(item) > 2 and item[2] == "split"))
        for term, text in typed.items():
            if term not in known:
                out.append(GlossaryEntry(len(out) + 1, term, text, True, False))
        return out
