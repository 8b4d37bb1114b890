"""Checks of the declaration forms (model_forms.py), and the rule engine of the checks a style declares.

General rules (any province with these forms): 明细测算 adds up to the project's budget, the form names
the project and its unit as the project table does, the start year agrees with the budget history,
assets are consistent with vehicles, one indicator copied into every row is reported, the summary of
a goal says what its detail says, economic items agree with their functional 项.

Style rules: a style's style.yaml may declare identities between derived values under `checks:`

    checks:
      - rule: table.prior-total                     # rule id of the finding
        severity: error                             # error | warning
        left: [prior_total]                         # value names (derive.Facts.control_values), summed
        right: [overall_income_1]
        at: prior_year.total                        # the YAML field the finding points at
        message: "一、上年收支总预算 {left} ≠ 表11 上年收入合计 {right}"

A rule whose values the file does not have is skipped; nothing in Python names a style.
"""
from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import yaml

from ..model.money import ZERO, r2
from .amounts import typed_in_yuan

def f2(x) -> str:
    return f"{r2(x):,.2f}"


def run(ch) -> None:
    """All rules below, on a check.Checker (`ch.b` budget, `ch.f` facts, `ch.err`/`ch.warn`)."""
    b = ch.b
    if b.overall_form is not None or any(p.form is not None for p in b.projects):
        for rule in (_project_forms, _overall_form, _boilerplate):
            rule(ch)
    if ch.f.dept_wide:
        _unit_totals(ch)
    _assets(ch)
    _style_rules(ch)


def _project_forms(ch):
    orders = {}
    for pf in ch.f.forms.project_forms:
        p, form = pf.project, pf.form
        base = ("projects", p.index, "form")
        if form.details and r2(pf.details_total) != r2(pf.amount):
            ch.err(base + ("details",), "form.details-sum",
                   f"项目“{p.name}”支出明细测算合计 {f2(pf.details_total)} ≠ 项目当年预算 {f2(pf.amount)}")
        if form.title_name and form.title_name != p.name:
            ch.warn(base + ("title_name",), "perf.name-mismatch",
                    f"申报表项目名称“{form.title_name}”与项目支出表“{p.name}”不一致")
        unit = ch.f.unit_by_code.get(p.unit)
        if form.executor and unit is not None and form.executor != unit.name:
            ch.warn(base + ("executor",), "form.executor-mismatch",
                    f"项目“{p.name}”申报表的执行单位“{form.executor}”与项目支出表的项目单位“{unit.name}”不一致")
        # the history says when the project began (fewer than two earlier years): the start year agrees
        if form.start_year and pf.starts_in is not None and pf.starts_in != form.start_year:
            ch.warn(base + ("start_year",), "form.start-year",
                    f"项目“{p.name}”起始年度 {form.start_year}，但预算变动情况写明本项目从 {pf.starts_in} 年开始预算")
        if form.order is not None:
            if form.order in orders:
                ch.err(base + ("order",), "form.order-duplicate",
                       f"项目“{p.name}”与“{orders[form.order]}”的申报表顺序同为 {form.order}")
            orders[form.order] = p.name


def _unit_totals(ch):
    """A department-wide file: the units' totals add up to the department's, and each unit's 项目支出
    is the sum of its projects."""
    f = ch.f
    for kind, label in (("personnel", "人员经费"), ("office", "公用经费"), ("project", "项目支出")):
        for carry in (False, True):
            units = f.forms.units_sum(kind, "all", carry)
            dept = f.total(kind, "all", carry)
            if r2(units) != r2(dept):
                when = "上年结转" if carry else ""
                each = [(i, u, f.forms.unit_totals(u.code)(kind, "all", carry)) for i, u in enumerate(ch.b.units)]
                slip = typed_in_yuan([((i, u, v), v) for i, u, v in each], dept)
                if slip is not None:        # one unit's figure typed in 元
                    i, u, v = slip
                    ch.err(("units", i, "totals"), "amount.unit-slip",
                           f"{u.name}的单位合计中{when}{label} {f2(v)} 像是按元填写的：改为 {f2(v / 10000)} 后，"
                           f"各单位合计等于部门{when}{label} {f2(dept)}")
                    continue
                ch.err(("units",), "identity.unit-totals",
                       f"各单位{when}{label}合计 {f2(units)} ≠ 部门{when}{label} {f2(dept)}（"
                       + "、".join(f"{u.short_name or u.name} {f2(v)}" for _i, u, v in each) + "）")
    for i, u in enumerate(ch.b.units):
        own = f.unit_total(u.code)("project")
        projects = f.projects_total(carry=None, unit=u.code)()
        if r2(own) != r2(projects):
            ch.err(("units", i, "totals"), "identity.unit-totals",
                   f"{u.name}项目支出 {f2(own)} ≠ 该单位项目合计 {f2(projects)}")


def _overall_form(ch):
    o = ch.b.overall_form
    if o is None:
        return
    for block, label in (("long_term", "长期目标"), ("annual", "年度目标")):
        for i, g in enumerate(getattr(o, block)):
            if g.summary is not None and g.summary.rstrip("。") != g.text.rstrip("。"):
                ch.warn(("overall_form", block, i, "summary"), "overall.goal-summary",
                        f"整体绩效{label} {i + 1} 汇总栏写作“{g.summary}”，明细写作“{g.text}”")


def _assets(ch):
    a = ch.b.assets
    n = sum(a.vehicles.values())
    if a.total_value is not None and r2(a.total_value) == 0 and n > 0:
        ch.warn(("assets", "total_value"), "assets.value-vehicles",
                f"国有资产总额为 0，但有车辆 {n} 辆")


def _indicator_rows_of(ch):
    """(path, FormIndicator) of every indicator in the forms."""
    o = ch.b.overall_form
    blocks = []
    if o is not None:
        for block in ("long_term", "annual"):
            for i, g in enumerate(getattr(o, block)):
                blocks.append((("overall_form", block, i, "indicators"), g.indicators))
    for pi, p in enumerate(ch.b.projects):
        if p.form is None:
            continue
        for block in ("long_term", "annual"):
            for i, g in enumerate(getattr(p.form, block)):
                blocks.append((("projects", pi, "form", block, i, "indicators"), g.indicators))
    return blocks


def _boilerplate(ch):
    """Every indicator of every form the same (name and value), across groups as different as 成本 and 满意度."""
    blocks = _indicator_rows_of(ch)
    seen, groups, first = set(), 0, None
    for path, tree in blocks:
        for l1, sub in tree.items():
            for l2, items in (sub or {}).items():
                for it in items:
                    seen.add((it.value, it.basis))
                    groups += 1
                    if first is None:
                        first = path + (l1, l2)
    if groups >= 10 and len(seen) == 1:
        value, basis = next(iter(seen))
        ch.warn(first, "perf.boilerplate-indicators",
                f"各绩效目标表的全部 {groups} 条指标都是“{value}”（{basis}），没有按指标分别填写")


# ---- style rules -----------------------------------------------------------------------------------
def style_checks(style: str, input_path=None) -> tuple:
    """The identities a style declares (`checks:` entries that are mappings; a plain name there is
    a built-in rule, run by check_template_facts)."""
    from ..render import styles
    try:
        checks = styles.get(style, input_path).config.get("checks") or ()
    except styles.StyleError:
        return ()
    return tuple(c for c in checks if isinstance(c, dict))


def _style_rules(ch):
    rules = style_checks(ch.b.style, getattr(ch, "path", None))
    if not rules:
        return
    values = ch.f.control_values()
    for rule in rules:
        left, right = rule.get("left") or [], rule.get("right") or []
        if not left or not right or any(k not in values for k in list(left) + list(right)):
            continue
        lv = sum((values[k][0] for k in left), ZERO)
        rv = sum((values[k][0] for k in right), ZERO)
        if r2(lv) == r2(rv):
            continue
        path = tuple(int(x) if x.isdigit() else x for x in str(rule.get("at", "")).split(".") if x)
        msg = str(rule.get("message", "{left} ≠ {right}")).format(left=f2(lv), right=f2(rv))
        (ch.err if rule.get("severity", "error") == "error" else ch.warn)(path, str(rule.get("rule", "style.identity")), msg)


__all__ = ["run", "style_checks"]
