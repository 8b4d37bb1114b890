"""Amount rules: 元 typed in a 万元 file, and identity findings at the rows that carry the disagreeing
figures (a project and its 项 line, named both when the tool cannot tell which side is wrong; economic
vs functional 基本支出 per unit)."""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from decimal import Decimal
from functools import cached_property

from ..model import budget as model
from ..model.money import ZERO, r2

_EXP_COLS = ("wages", "family", "office", "ops", "target")
_COL_LABEL = {"wages": "工资福利支出", "family": "对个人和家庭的补助", "office": "公用经费",
              "ops": "其他运转类项目支出", "target": "特定目标类项目支出"}
# 元 typed in a 万元 file: a figure this many times its peers' median and at least this large (万元)
SLIP_TIERS = ((1000, Decimal(10000)), (5000, Decimal(1000)))
WHOLE_MEDIAN = Decimal(10000)   # a 万元 file whose typical row is over 1 亿元 was typed in 元


def median(xs):
    """The median (statistics.median, without importing statistics: check must start fast)."""
    v = sorted(xs)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def median_without(ordered: list, x):
    """median(ordered with one x removed), `ordered` sorted and holding x: in constant time, so that
    every figure of a large 部门 is compared with its peers in O(n log n), not O(n²)."""
    at, n = bisect_left(ordered, x), len(ordered) - 1

    def nth(k):
        return ordered[k] if k < at else ordered[k + 1]
    return nth(n // 2) if n % 2 else (nth(n // 2 - 1) + nth(n // 2)) / 2


def _f2(x) -> str:
    return f"{r2(x):,.2f}"


def _yi(wan: Decimal) -> str:
    """An amount in 万元 said in words: 5.40 亿元 / 54,000.00 万元."""
    return f"{r2(wan / 10000):,.2f} 亿元" if wan >= 10000 else f"{_f2(wan)} 万元"


def typed_in_yuan(parts, target):
    """The first of (what, value) `parts` whose 10 000th, put in its place, makes their sum `target`
    (that figure was typed in 元 in a 万元 file), or None."""
    total = sum((v for _x, v in parts), ZERO)
    return next((x for x, v in parts if v and r2(target) != 0 and r2(total - v + v / 10000) == r2(target)), None)


class AmountRules:
    """Mixed into check.Checker (self.b, self.f, self.err, self.warn, self.line)."""

    def line(self, path) -> int:          # replaced by check.load with the source position
        return 0

    # -- 元 in a 万元 file --------------------------------------------------------------------------
    @cached_property
    def _amounts(self) -> list:
        """(collection, path, label, value in 万元) of every row amount."""
        out = []
        for i, ln in enumerate(self.b.expenditure):
            for c in _EXP_COLS:
                v = getattr(ln, c)
                if v:
                    out.append(("expenditure", ("expenditure", i, c), f"支出科目 {ln.code} {ln.name} 的{_COL_LABEL[c]}", v))
        for i, ln in enumerate(self.b.economic):
            if ln.amount:
                out.append(("economic", ("economic", i, "amount"), f"经济分类 {ln.code} {ln.name or ''}".rstrip() + " 的金额",
                            ln.amount))
        for i, p in enumerate(self.b.projects):
            for s, v in p.amounts.items():
                if v:
                    out.append(("projects", ("projects", i, "amounts", s), f"项目“{p.name}”的{s}金额", v))
        return out

    @cached_property
    def whole_file_in_yuan(self) -> bool:
        rows = [v for coll, _p, _l, v in self._amounts if coll == "expenditure"]
        return self.b.amount_unit == "万元" and len(rows) >= 2 and median(rows) >= WHOLE_MEDIAN

    @cached_property
    def _slips(self) -> list:
        """(path, label, value, peers' median) of each figure that looks like 元 typed in this 万元 file."""
        out = []
        if self.b.amount_unit == "万元" and not self.whole_file_in_yuan:
            amounts = self._amounts
            by_coll = defaultdict(list)
            for coll, p, lab, v in amounts:
                by_coll[coll].append(v)
            for vs in by_coll.values():
                vs.sort()
            everything = sorted(v for *_x, v in amounts)
            for coll, p, lab, v in amounts:
                peers = by_coll[coll] if len(by_coll[coll]) >= 3 else everything
                if len(peers) < 3:
                    continue
                m = median_without(peers, v)
                if m > 0 and any(v >= low and v >= ratio * m for ratio, low in SLIP_TIERS):
                    out.append((p, lab, v, m))
                elif m > 0 and v >= 100 and v >= 50 * m and self._identity_off_by(p, v):
                    out.append((p, lab, v, m))
        return out

    def _identity_off_by(self, path, v) -> bool:
        """Whether economic vs functional 基本支出 is off by exactly v − v/10000: v was typed in 元."""
        slip = v - v / 10000
        coll, i = path[0], path[1]
        if coll == "economic":
            ln = self.b.economic[i]
            kinds = ["personnel" if ln.code[:3] in ("301", "303") else "office"]
            source = ln.source
        elif coll == "expenditure" and path[2] in ("wages", "family", "office"):
            ln = self.b.expenditure[i]
            kinds = ["personnel" if path[2] != "office" else "office"]
            source = ln.source
        else:
            return False
        for kind in kinds:
            diff = self.f.total(kind, source, False) - self.f.econ_total(kind, source, False)
            if abs(abs(diff) - slip) <= Decimal("0.01"):
                return True
        return False

    @property
    def slipped_projects(self) -> set[int]:
        return {p[1] for p, *_x in self._slips if p[0] == "projects"}

    def _slip_explains(self, diff: Decimal) -> bool:
        """Whether a mismatch is what the slipped figures make it (v − v/10000 each)."""
        fix = sum((v - v / 10000 for p, _l, v, _m in self._slips if p[0] != "projects"), ZERO)
        return bool(self._slips) and abs(abs(diff) - fix) <= Decimal("0.05") * (1 + len(self._slips))

    def rule_unit_slip(self):
        if self.b.amount_unit != "万元":
            return
        if self.whole_file_in_yuan:
            rows = [(p, lab, v) for coll, p, lab, v in self._amounts if coll == "expenditure"]
            _p, lab, v = max(rows, key=lambda r: r[2])
            total = self.f.total()
            self.err(("amount_unit",), "amount.unit-slip",
                     f"金额单位写的是万元，但金额像是按元填写的：支出总计 {_yi(total)}（按元即 {_f2(total / 10000)} 万元），"
                     f"如{lab} {v:,} 万元 = {_yi(v)}；若全文件按元填写，请把“amount_unit: 万元”改为“amount_unit: 元”", key=False)
            return
        for p, lab, v, m in self._slips:
            self.err(p, "amount.unit-slip",
                     f"{lab} {v:,} 万元" + (f"（= {_yi(v)}）" if v >= 10000 else "") + f"是同类金额中位数 {_f2(m)} 万元的 {int(v / m):,} 倍，像是把元当作万元填写："
                     f"{v:,} 元 = {_f2(v / 10000)} 万元；请改为 {r2(v / 10000)}")

    # -- projects vs their 项 lines -------------------------------------------------------------------
    def rule_projects_match_functional(self):
        if not self.b.projects:
            if self.f.total("project") != 0:
                i = next(i for i, ln in enumerate(self.b.expenditure) if ln.ops or ln.target)
                ln = self.b.expenditure[i]
                self.err(("expenditure", i, "ops" if ln.ops else "target"), "identity.projects",
                         f"支出科目 {ln.code} {ln.name} 有项目支出 {_f2(ln.ops + ln.target)}，但没有填写项目（“projects:”）")
            return
        explained = self._projects_by_function()
        pt = self.f.projects_total(carry=None)
        ft = self.f.total
        for s in model.SOURCES:
            for carry in (False, True):
                for kind, label in (("ops", "其他运转类"), ("target", "特定目标类")):
                    pv, fv = pt(kind, s, carry), ft(kind, s, carry)
                    if pv != fv and not explained:
                        when = "上年结转" if carry else "本年"
                        path, other = self._project_side(kind, s, carry)
                        self.err(path, "identity.projects",
                                 f"{when}{s}{label}项目合计 {_f2(pv)} ≠ 支出科目中的{label}项目支出 {_f2(fv)}{other}")

    def _project_side(self, kind, source, carry):
        """Where a total project mismatch is pointed: the one project and 项 line that carry such money."""
        want = "其他运转类" if kind == "ops" else "特定目标类"
        ps = [(i, p) for i, p in enumerate(self.b.projects) if p.type == want and p.carryover == carry
              and p.amounts.get(source)]
        ls = [(i, ln) for i, ln in enumerate(self.b.expenditure) if ln.source == source and ln.carryover == carry
              and getattr(ln, kind)]
        if len(ps) == 1:
            i, p = ps[0]
            other = ""
            if len(ls) == 1:
                j, ln = ls[0]
                other = f"（项目“{p.name}”与第 {self.line(('expenditure', j, kind))} 行支出科目 {ln.code} {ln.name} 应相等，请核对哪一处有误）"
            return ("projects", i, "amounts", source), other
        if len(ls) == 1:
            j, ln = ls[0]
            return ("expenditure", j, kind), ""
        return ("projects",), ""

    def _projects_by_function(self) -> bool:
        """Per 项 code (when every project names its `function`): amounts and types against the 项 line.

        Returns whether the per-code findings explain every total mismatch."""
        if not all(p.function for p in self.b.projects):
            return False
        any_found = False
        codes_ = sorted({p.function for p in self.b.projects} |
                        {ln.code for ln in self.b.expenditure if ln.ops or ln.target})
        slipped = {p for p, *_x in self._slips}
        for code in codes_:
            projs = [(i, p) for i, p in enumerate(self.b.projects) if p.function == code]
            if any(("projects", i) == s[:2] for i, _p in projs for s in slipped) or any(
                    s[0] == "expenditure" and self.b.expenditure[s[1]].code == code for s in slipped):
                any_found = True        # amount.unit-slip points at the figure
                continue
            lines = [(j, ln) for j, ln in enumerate(self.b.expenditure) if ln.code == code]
            p_by = defaultdict(Decimal)
            for _i, p in projs:
                k = "ops" if p.type == "其他运转类" else "target"
                for s, a in p.amounts.items():
                    p_by[(s, p.carryover, k)] += a
            l_by = defaultdict(Decimal)
            for _j, ln in lines:
                for k in ("ops", "target"):
                    l_by[(ln.source, ln.carryover, k)] += getattr(ln, k)
            keys = {k for k in set(p_by) | set(l_by) if p_by[k] != l_by[k]}
            if not keys:
                continue
            any_found = True
            name = lines[0][1].name if lines else ""
            # the same money under the other project type: the project's type contradicts the 项 column
            swapped = {(s, c) for (s, c, k) in keys
                       if p_by[(s, c, "ops")] + p_by[(s, c, "target")] == l_by[(s, c, "ops")] + l_by[(s, c, "target")]}
            for (s, c) in sorted(swapped):
                wrong = [(i, p) for i, p in projs if p.carryover == c and p.amounts.get(s)
                         and p_by[(s, c, "ops" if p.type == "其他运转类" else "target")]
                         != l_by[(s, c, "ops" if p.type == "其他运转类" else "target")]]
                col = next(((j, ln) for j, ln in lines if ln.source == s and ln.carryover == c), None)
                for i, p in wrong[:1]:
                    other_type = "特定目标类" if p.type == "其他运转类" else "其他运转类"
                    at_line = f"第 {self.line(('expenditure', col[0], 'code'))} 行" if col else ""
                    self.err(("projects", i, "type"), "identity.project-type",
                             f"项目“{p.name}”的类型为{p.type}，但{at_line}支出科目 {code} {name} 把这笔钱列在"
                             f"{other_type}（“{'target' if other_type == '特定目标类' else 'ops'}:”列）；"
                             f"请把项目类型改为{other_type}，或把金额移到“{'ops' if p.type == '其他运转类' else 'target'}:”列")
            rest = {(s, c, k) for (s, c, k) in keys if (s, c) not in swapped}
            done = set()
            for (s, c, k) in sorted(rest):
                if (s, c) in done:
                    continue
                done.add((s, c))
                pv = p_by[(s, c, "ops")] + p_by[(s, c, "target")]
                lv = l_by[(s, c, "ops")] + l_by[(s, c, "target")]
                mine = [(i, p) for i, p in projs if p.carryover == c and p.amounts.get(s)]
                col = next(((j, ln) for j, ln in lines if ln.source == s and ln.carryover == c and (ln.ops or ln.target)),
                           None)
                kind = k
                if col is not None:
                    kind = "ops" if col[1].ops else "target"
                if len(mine) == 1:
                    i, p = mine[0]
                    where = (f"第 {self.line(('expenditure', col[0], kind))} 行支出科目 {code} {name}"
                             if col else f"支出科目中没有 {code} 的项目支出")
                    self.err(("projects", i, "amounts", s), "identity.project-function",
                             f"项目“{p.name}”的{s}金额 {_f2(pv)} ≠ {where}的项目支出 {_f2(lv)}"
                             + ("（两处应相等，请核对哪一处有误）" if col else "；请核对项目的功能科目（“function:”）或金额"))
                elif col is not None:
                    names = "、".join(f"“{p.name}”" for _i, p in mine) or "（没有项目）"
                    self.err(("expenditure", col[0], kind), "identity.project-function",
                             f"支出科目 {code} {name} 的项目支出 {_f2(lv)} ≠ 该科目下项目 {names} 的合计 {_f2(pv)}")
                else:
                    i, p = mine[0]
                    self.err(("projects", i, "function"), "identity.project-function",
                             f"项目“{p.name}”的功能科目 {code} 在支出科目中没有项目支出；请核对功能科目（“function:”）或金额")
        return any_found

    # -- economic vs functional 基本支出 ------------------------------------------------------------------
    def rule_fund_income_rows(self):
        """The 政府性基金收入 rows (gov_fund_income) against the 政府性基金 income the tables print as
        their 合计: a row typed in 元 (10 000 times what fits), or rows that do not add up."""
        rows = self.f.income_rows()
        if not rows:
            return
        codes_ = [str(it.get("code", "")).strip() for it in self.b.gov_fund_income]
        leaves = [r for r in rows if not any(c != r.code and c.startswith(r.code) for c in codes_)]
        total, fund = sum((r.amount for r in leaves), Decimal(0)), self.f.income_of("fund")
        if r2(total) == r2(fund):
            return
        where = {c: i for i, c in enumerate(codes_)}
        r = typed_in_yuan([(r, r.amount) for r in leaves], fund)
        if r is not None:
            self.err(("gov_fund_income", where.get(r.code, 0), "amount"), "amount.unit-slip",
                     f"政府性基金收入科目 {r.code} {r.name} {r2(r.amount):,} 万元，是按元填写的："
                     f"改为 {r2(r.amount / 10000):,} 万元后，收入科目合计等于政府性基金预算收入 {r2(fund):,} 万元")
            return
        at = ("gov_fund_income", where.get(leaves[0].code, 0), "amount") if len(leaves) == 1 else ("gov_fund_income",)
        self.err(at, "identity.fund-income",
                 f"政府性基金收入科目合计 {r2(total):,} 万元 ≠ 政府性基金预算收入 {r2(fund):,} 万元"
                 "（表中合计行印后者）：请核对收入科目的金额，或支出科目中资金来源为政府性基金预算的金额",
                 key=len(leaves) != 1)

    def rule_economic_matches_functional(self):
        from .rules import TOL_WAN
        if not self.b.economic:
            if self.f.total("basic") != 0:
                self.warn(("economic",), "identity.econ-missing", "有基本支出但未填写经济分类（“economic:”），表六/06表将为空")
            return
        ft, et = self.f.total, self.f.econ_total
        tol = TOL_WAN if self.b.amount_unit == "万元" else ZERO
        for s in model.SOURCES:
            for kind, label in (("personnel", "人员经费"), ("office", "公用经费")):
                fv, ev = ft(kind, s, False), et(kind, s, False)
                if fv == ev:
                    if len(self.b.units) > 1 and not self.f.dept_wide:   # lines by department only: no unit split
                        self._econ_per_unit(s, kind, label, tol)
                    if kind == "personnel":
                        self._econ_classes(s)
                    continue
                if self._slip_explains(fv - ev):
                    continue            # amount.unit-slip points at the figure
                msg = f"{s}基本支出{label}：经济分类合计 {_f2(ev)} ≠ 功能分类合计 {_f2(fv)}"
                path = self._econ_row(s, kind, None)
                if abs(fv - ev) <= tol:
                    self.warn(path, "identity.econ-basic", msg + f"（在 {tol} 万元容差内）")
                else:
                    self.err(path, "identity.econ-basic", msg + self._econ_lines(s, kind, None))

    def _econ_classes(self, source):
        """人员经费 agrees in total, but 工资福利支出 (301, the `wages` column) and 对个人和家庭的补助 (303,
        `family`) do not: an amount typed into the other column, or an economic row under the other 类."""
        f, d = self.f, self.f.total("family", source, False) - self.f.econ_total("family", source, False)
        if d == 0:
            return
        fam = [i for i, ln in enumerate(self.b.expenditure) if ln.family and ln.source == source and not ln.carryover]
        e303 = [i for i, ln in enumerate(self.b.economic) if ln.code[:3] == "303" and ln.source == source
                and ln.kind == "basic" and not ln.carryover]
        at = ("expenditure", fam[0], "family") if d > 0 and fam else ("economic", e303[0], "amount") if e303 else \
            self._econ_row(source, "personnel", None)
        self.warn(at, "identity.econ-class",   # a warning: the 山西 tables print 人员经费 only
                 f"{source}基本支出人员经费合计相等，但分类不一致：工资福利支出（“wages:”）功能分类 "
                 f"{_f2(f.total('wages', source, False))} ≠ 经济分类 301 {_f2(f.econ_total('wages', source, False))}；"
                 f"对个人和家庭的补助（“family:”）功能分类 {_f2(f.total('family', source, False))} ≠ 经济分类 303 "
                 f"{_f2(f.econ_total('family', source, False))}：有金额填在了另一列，或经济分类记在了另一类下"
                  "（河南、湖北样式分别印出这两项，印出的数字会与经济分类表不一致）")

    def _econ_row(self, source, kind, unit):
        classes = ("301", "303") if kind == "personnel" else ("302",)
        for i, ln in enumerate(self.b.economic):
            if ln.source == source and ln.kind == "basic" and not ln.carryover and ln.code[:3] in classes \
                    and (unit is None or self.f.unit_of(ln.unit) == unit):
                return ("economic", i, "amount")
        return ("economic",)

    def _econ_lines(self, source, kind, unit) -> str:
        cols = ("wages", "family") if kind == "personnel" else ("office",)
        lines = [self.line(("expenditure", i, c)) for i, ln in enumerate(self.b.expenditure) for c in cols
                 if getattr(ln, c) and ln.source == source and not ln.carryover
                 and (unit is None or self.f.unit_of(ln.unit) == unit)]
        lines = sorted(set(x for x in lines if x))
        if not lines:
            return ""
        shown = "、".join(str(x) for x in lines[:6]) + ("…" if len(lines) > 6 else "")
        return f"（功能分类见第 {shown} 行；请核对哪一边有误）"

    @cached_property
    def _econ_by_unit(self) -> dict:
        """The economic 基本支出 rows summed per (unit, source, personnel or not), in one pass."""
        out = defaultdict(Decimal)
        for ln in self.b.economic:
            if not ln.carryover and ln.kind == "basic":
                out[(self.f.unit_of(ln.unit), ln.source, ln.code[:3] in ("301", "303"))] += ln.amount
        return out

    def _econ_per_unit(self, source, kind, label, tol):
        for u in self.b.units:
            fv = sum((self.f.unit_total(u.code)(kind, source, False),), ZERO)
            ev = self._econ_by_unit.get((u.code, source, kind == "personnel"), ZERO)
            if abs(fv - ev) > tol:
                self.err(self._econ_row(source, kind, u.code), "identity.econ-basic",
                         f"{u.name}（{u.code}）{source}基本支出{label}：经济分类 {_f2(ev)} ≠ 功能分类 {_f2(fv)}"
                         f"（全部门合计相等，像是金额记在了另一个单位下）" + self._econ_lines(source, kind, u.code))
