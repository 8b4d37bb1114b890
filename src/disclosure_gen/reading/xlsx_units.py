"""`import` of a department-wide export: the detail (项, 经济分类) printed for the whole 部门, each
unit only with its totals (tables whose rows are the department and its units: Hubei 表2 by source,
表5-2 by kind, 表10 by unit). The input format writes such a budget as detail lines without `unit`
and `units[].totals` per source and carry-over (personnel, office, project); this module decides
when the tables are of that kind and fills the units' totals from what they print."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

ZERO = Decimal(0)
GROUP = {"wages": "personnel", "family": "personnel", "office": "office", "ops": "project", "target": "project"}
PARTS = ("personnel", "office", "project")


def style_is_department_wide(style: str | None) -> bool:
    """Does the style print the detail for the whole department (style.yaml `department_wide`)?"""
    if not style:
        return False
    from ..render import styles
    try:
        return bool(styles.get(style).config.get("department_wide"))
    except (styles.StyleError, KeyError):
        return False


def is_department_wide(imp, units: dict, style: str | None) -> bool:
    """Several units, each known only by its totals (a by-unit table names them), no 项 row of any
    table given a unit, and a style that prints such a budget."""
    if len(units) < 2 or not (imp.unit_kinds or imp.unit_streams):
        return False
    if any(u for u, _c in imp.leaves) or any(e["unit"] for e in imp.econ) or any(u for u, _c, _g in imp.econ_basic):
        return False
    return style_is_department_wide(style)


def _known(d: dict | None) -> dict:
    """personnel / office / project / basic / all of one unit as a by-unit table prints them."""
    if not d:
        return {}
    out = {}
    if "personnel" in d or "wages" in d or "family" in d:
        out["personnel"] = d.get("personnel", ZERO) + d.get("wages", ZERO) + d.get("family", ZERO)
    if "office" in d:
        out["office"] = d["office"]
    if "project" in d or "ops" in d or "target" in d:
        out["project"] = d.get("project", d.get("ops", ZERO) + d.get("target", ZERO))
    if "basic" in d:
        out["basic"] = d["basic"]
    if "all" in d:
        out["all"] = d["all"]
    return out


def unit_totals(imp, units: dict, final: dict, projects: list, streams: dict) -> tuple[dict, list[str]]:
    """{unit code: [ {source, carryover, personnel, office, project} ]} and notes.

    `final`: the department's detail {leaf key: {(source, carry, kind5): amount}}; `streams`: each
    unit's income {unit: {(source, carry): amount}} (by-unit income table, sources made concrete);
    `projects`: the projects as written (unit, carryover, amounts by source)."""
    notes: list[str] = []
    dept: dict[tuple, dict] = defaultdict(lambda: defaultdict(Decimal))
    for cells in final.values():
        for (s, c, k), v in cells.items():
            if v:
                dept[(s, c)][GROUP[k]] += v
    by_unit_projects = any(p.get("unit_printed") for p in projects)
    proj = defaultdict(Decimal)
    for p in projects:
        for s, a in p["amounts"].items():
            proj[(p["unit"], s, p["carryover"])] += a
    sources_of_all = len(dept) == 1
    out: dict[str, list] = {u: [] for u in units}
    guessed = set()
    # the streams the units print that the department's detail lacks stay what the units print
    # (`check` then says the units' totals differ from the department's)
    printed = {(src if src != "all" else "一般公共预算", False) for (_u, src) in imp.unit_kinds}
    printed |= {k for d in streams.values() for k, v in d.items() if v}
    for k in printed - set(dept):
        dept[k] = defaultdict(Decimal)
    sources_of_all = sources_of_all or not any(any(d.values()) for d in dept.values())
    for (s, c), d in sorted(dept.items(), key=lambda x: (x[0][1], x[0][0])):
        rows: dict[str, dict] = {}
        for u in units:
            k = {}
            if not c:
                k = _known(imp.unit_kinds.get((u, s)))
                if not k and sources_of_all:
                    k = _known(imp.unit_kinds.get((u, "all")))
            if by_unit_projects:
                k.setdefault("project", proj.get((u, s, c), ZERO))
            total = streams.get(u, {}).get((s, c))
            if total is not None:
                k.setdefault("all", total)
            if "basic" not in k:
                if "personnel" in k and "office" in k:
                    k["basic"] = k["personnel"] + k["office"]
                elif "all" in k and "project" in k:
                    k["basic"] = max(k["all"] - k["project"], ZERO)
            if "project" not in k and "all" in k and "basic" in k:
                k["project"] = max(k["all"] - k["basic"], ZERO)
            rows[u] = k
        left = {part: d.get(part, ZERO) - sum((r.get(part, ZERO) for r in rows.values()), ZERO) for part in PARTS}
        # a unit whose basic spending is known but not split: the department's remaining personnel
        # and office money over those units, in order (any split keeps every printed table)
        for u, k in rows.items():
            if "basic" in k and not ("personnel" in k and "office" in k):
                if "personnel" in k or "office" in k:
                    have = "personnel" if "personnel" in k else "office"
                    other = "office" if have == "personnel" else "personnel"
                    k[other] = max(k["basic"] - k[have], ZERO)
                    left[other] -= k[other]
                else:
                    p_ = min(k["basic"], max(left["personnel"], ZERO))
                    k["personnel"], k["office"] = p_, k["basic"] - p_
                    left["personnel"] -= p_
                    left["office"] -= k["office"]
        # what no table gives per unit goes to the first unit that lacks it
        for part in PARTS:
            u = next((u for u, k in rows.items() if part not in k), None)
            if left[part] > 0 and u is not None:
                rows[u][part] = left[part]
                guessed.add((u, part))
        for u, k in rows.items():
            vals = {part: k.get(part, ZERO) for part in PARTS}
            if any(vals.values()):
                out[u].append({"source": s, "carryover": c, **vals})
    for u in units:
        if not out[u]:
            out[u].append({"source": "一般公共预算", "carryover": False, **{p: ZERO for p in PARTS}})
    if guessed:
        names = "、".join(dict.fromkeys(units[u] for u, _p in guessed))
        notes.append(f"表中没有按单位印出的部分合计已记在{names}下，请核对 units 的 totals")
    return out, notes


def split_by_unit(leaves: dict, final: dict, econ_lines: list, totals: dict, units: dict):
    """For a style that lists each unit's lines: the department's 项 and 经济分类 lines split over
    the units so that each unit's personnel, office and project money (per source and carry-over)
    is its printed total. Which 项 of a unit holds the money no table says: the split follows the
    code order (north-west corner rule). Returns (leaves, final, econ_lines) keyed by unit."""
    from dataclasses import replace

    from .xlsx import northwest
    order = list(units)
    want: dict[tuple, dict] = defaultdict(dict)
    for u, items in totals.items():
        for t in items:
            for g in PARTS:
                key = (t["source"], t["carryover"], g)
                want[key][u] = want[key].get(u, ZERO) + t[g]

    def cols_for(key, whole):
        cols = [want.get(key, {}).get(u, ZERO) for u in order]
        if not any(cols):           # no unit printed any of it: the first unit's
            cols = [whole] + [ZERO] * (len(order) - 1)
        return cols
    cells: dict[tuple, list] = defaultdict(list)
    for key in sorted(final, key=lambda k: k[1]):
        for (s, c, k), v in final[key].items():
            if v:
                cells[(s, c, GROUP[k])].append((key, k, v))
    new_final: dict = defaultdict(lambda: defaultdict(Decimal))
    new_leaves: dict = {}
    for g, items in cells.items():
        m = northwest([v for _k, _x, v in items], cols_for(g, sum((v for _k, _x, v in items), ZERO)))
        for (key, k, _v), row in zip(items, m):
            for u, a in zip(order, row):
                if a:
                    nk = (u, key[1])
                    new_final[nk][(g[0], g[1], k)] += a
                    if nk not in new_leaves:
                        new_leaves[nk] = replace(leaves[key], unit=u)
    econ_cells: dict[tuple, list] = defaultdict(list)
    for e in econ_lines:
        g = "project" if e["kind"] != "basic" else "personnel" if e["code"][:3] in ("301", "303") else "office"
        econ_cells[(e["source"], e["carryover"], g)].append(e)
    new_econ = []
    for g, items in econ_cells.items():
        m = northwest([e["amount"] for e in items], cols_for(g, sum((e["amount"] for e in items), ZERO)))
        for e, row in zip(items, m):
            for u, a in zip(order, row):
                if a:
                    new_econ.append({**e, "unit": u, "amount": a})
    return new_leaves, new_final, new_econ
