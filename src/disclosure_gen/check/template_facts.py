"""Consistency conditions a style's tables depend on, as check rules (issue 13: templates only choose
and format; they used to test these themselves and report them as missing data).

A style lists the rules its tables need in style.yaml (`checks: [identity.econ-total, …]`): a
Shanxi document prints no economic classification of project spending, so it is not asked for.
The rules run for the style the file names (`style:`), from check.Checker.run.
"""
from __future__ import annotations

from ..model.budget import SOURCES
from ..model.money import r2

# the fund groups whose economic and functional totals must agree (预算07表 columns)
ECON_GROUPS = (("gpb", "一般公共预算"), ("fund", "政府性基金预算"), ("soe", "国有资本经营预算"),
               ("special", "财政专户管理资金"), ("unit_funds", "单位资金"))


def _f2(x) -> str:
    return f"{r2(x):,.2f}"


def econ_total(ck):
    """The economic classification covers all spending, by fund group (a table of spending by
    economic classification — 预算07表 — otherwise does not add up to its 合计 row)."""
    f = ck.f
    gaps = [(label, f.econ_total("all", s), f.total("all", s)) for s, label in ECON_GROUPS
            if r2(f.econ_total("all", s)) != r2(f.total("all", s))]
    if not gaps:
        return
    if r2(f.econ_total("project")) == 0 and r2(f.total("project")) != 0:
        ck.warn(("economic",), "identity.econ-total",
                f"有项目支出 {_f2(f.total('project'))} 万元，但经济分类（economic）中没有 kind: project 的行；"
                "请补充项目支出的经济分类（支出经济分类汇总表按它列出）")
        return
    detail = "；".join(f"{label}经济分类合计 {_f2(e)} ≠ 支出合计 {_f2(t)}" for label, e, t in gaps)
    ck.warn(("economic",), "identity.econ-total", f"经济分类明细与支出不符：{detail}（支出经济分类汇总表不能相加一致）")


def unit_income(ck):
    """In a 部门 budget each unit's income row is what the unit spends from each source; together
    they must give the typed income."""
    f = ck.f
    if len(f.units) < 2:
        return
    bad = []
    for s in SOURCES:
        units_sum = sum((f.unit_total(u.code)("all", s, False) for u in f.units), 0)
        if r2(units_sum) != r2(f.income[s]):
            bad.append(f"{s}：各单位合计 {_f2(units_sum)} ≠ 收入 {_f2(f.income[s])}")
    if bad:
        ck.warn(("income",), "identity.unit-income",
                "收入预算表的单位行按各单位支出推算，与填写的收入不一致（" + "；".join(bad) + "）")


RULES = {"identity.econ-total": econ_total, "identity.unit-income": unit_income}


def style_checks(style_name: str, input_path=None) -> tuple[str, ...]:
    """The `checks:` of a style (its style.yaml merged over what it extends), from the style
    registry, without the rendering stack (check stays light: no Jinja)."""
    from ..render import styles
    try:
        checks = styles.get(style_name, input_path).config.get("checks") or ()
    except styles.StyleError:
        return ()      # an unknown style is reported by check_styles
    # a plain name is a built-in rule; a mapping is an identity the style declares (check_forms)
    return tuple(c for c in checks if isinstance(c, str))


def run(ck, style_name: str | None = None) -> None:
    """Run the rules the style asks for (`ck` is a check.Checker; default: the file's style)."""
    style_name = style_name or ck.b.style
    for rule in style_checks(style_name, getattr(ck, "path", None)):
        if rule in RULES:
            RULES[rule](ck)
        else:
            ck.err(("style",), "style.unknown-check",
                   f"样式“{style_name}”的 style.yaml 在 checks 中列出的规则“{rule}”不存在（可用：{'、'.join(RULES)}）")


def for_render(loaded, style_name: str) -> list:
    """Findings of the rules of `style_name` when a file is rendered in a style other than its own
    (check.load ran those of the file's style)."""
    if loaded.budget is None or loaded.source is None or style_name == loaded.budget.style:
        return []
    from . import rules as check
    found = []

    def at(p, severity, rule, msg, key=False):
        line, col = loaded.source.where_key(p) if key else loaded.source.where(p)
        found.append(check.Finding(severity, rule, msg, loaded.path, line, col))

    ck = check.Checker(loaded.budget, loaded.facts, at)
    ck.path = loaded.path
    run(ck, style_name)
    return found
