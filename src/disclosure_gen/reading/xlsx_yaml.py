"""Writing what `import` read: a new, commented input file, or the figures of an existing one replaced
(`--into`, ruamel round trip: texts, reasons and comments stay)."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

from ..model.budget import SANGONG_ITEMS

ZERO = Decimal(0)
_PLAIN = re.compile(r"^[\u4e00-\u9fff\w（）()《》“”、·—\-]+$")


def q(s) -> str:
    """A YAML scalar for a text: plain when safe, else double-quoted (JSON escapes are valid YAML)."""
    s = "" if s is None else str(s)
    if s and _PLAIN.match(s) and not s[0].isdigit() and s not in ("null", "true", "false", "yes", "no", "on", "off"):
        return s
    return json.dumps(s, ensure_ascii=False)


def num(d: Decimal, unit: str = "万元") -> str:
    d = Decimal(d) * (10000 if unit == "元" else 1)
    if d == 0:
        return "0"
    q2 = d.quantize(Decimal("0.01"))
    if q2 == d:
        return f"{q2:.2f}"
    return format(d.normalize(), "f")


def _where(items, limit=2) -> str:
    items = list(dict.fromkeys(items))
    s = "、".join(w.split("!", 1)[1] if "!" in w else w for w in items[:limit])
    return s + ("等" if len(items) > limit else "")


def variant(style_name: str, titles: list[str], year, kind) -> str | None:
    """The style variant (style.yaml `variant:` / `versions:`) whose table titles the workbook shows,
    when it is not the default; None otherwise."""
    from ..render import document as render
    try:
        style = render.load_style(style_name)
    except KeyError:
        return None
    key = style.get("variant")
    if not key:
        return None
    seen = {re.sub(r"\s+", "", t) for t in titles}

    def score(st):
        out = 0
        for t in ((st.get("tables") or {}).get("titles") or {}).values():
            t = re.sub(r"\s+", "", str(t).replace("{Y}", str(year)).replace("{K}", kind or ""))
            out += t in seen
        return out
    best, best_score = None, score(style)
    for name, over in (style.get("versions") or {}).items():
        sc = score(render._deep_merge(style, over))
        if sc > best_score:
            best, best_score = str(name), sc
    return (key, best) if best else None


def totals_text(items: list[dict], unit: str = "万元") -> str:
    """units[].totals as a flow mapping (a list of them when the unit has several sources)."""
    def one(t):
        parts = []
        if t["source"] != "一般公共预算":
            parts.append(f"source: {t['source']}")
        if t["carryover"]:
            parts.append("carryover: true")
        parts += [f"{k}: {num(t[k], unit)}" for k in ("personnel", "office", "project")]
        return "{" + ", ".join(parts) + "}"
    if len(items) == 1:
        return one(items[0])
    return "[" + ", ".join(one(t) for t in items) + "]"


def write_new(imp, data: dict) -> str:
    m = imp.meta
    unit = "万元"
    from ..render import styles
    style = imp.style or m["style"] or styles.default_name() or ""
    kind = m["kind"] or ("部门" if len(data["units"]) > 1 else "单位")
    year = m["year"] or 2000
    files = "、".join(Path(f).name for f in imp.files)
    out = [
        "# yaml-language-server: $schema=../schema/disclosure.schema.json",
        f"# 由 disclosure-gen import 从 {files} 导入的预算数据。",
        "# 表格中的数字已填入；表格中没有的内容（主要职责、机构设置、绩效目标、上年数及增减原因等）",
        "# 以“待填写”注释标出，请补充后运行 disclosure-gen check。合计、类/款汇总由工具计算，不要手工填写。",
        f"amount_unit: {unit}",
        f"style: {style}                 # shanxi（山西）| henan（河南）",
    ]
    v = variant(style, m["titles"], m["year"], m["kind"])
    if v:
        out += ["options:", f'  {v[0]}: "{v[1]}"        # 按工作簿的表名判断的样式版本']
    out += [
        "",
        "agency:",
        f"  name: {q(m['name'] or '（单位名称）')}" + ("" if m["name"] else "   # 待填写：表中没有单位名称"),
        f"  kind: {kind}",
        f"  year: {year}" + ("" if m["year"] else "   # 待填写：表名中没有年度"),
    ]
    if m.get("full_name") and m["full_name"] != m["name"]:
        out.append(f"  full_name: {q(m['full_name'])}   # 表中部门行的名称")
    real = [c for c in data["units"] if c not in data["placeholder_units"]]
    heads = {c[:3] for c in real}
    if m.get("agency_code"):
        out.append(f'  code: "{m["agency_code"]}"               # 主管部门代码（' + ("表中的部门行" if m.get("full_name") else "绩效目标表") + "）")
    elif len(heads) == 1:
        out.append(f'  code: "{heads.pop()}"               # 主管部门代码：按单位代码前 3 位，请核对')
    else:
        out.append('  code: "000"                 # 待填写：主管部门代码（3 位数字；表中没有）')
        imp.todo.append("agency.code：主管部门代码（表中没有，暂为 000）")
    out += ["", "units:"]
    if not m["year"]:
        imp.todo.append("agency.year：表名中没有预算年度")
    for code, name in data["units"].items():
        ph = code in data["placeholder_units"]
        out.append(f'  - code: "{code}"' + ("              # 待填写：单位代码（表中没有，暂为顺序号）" if ph else ""))
        out.append(f"    name: {q(name)}")
        out.append("    type: 行政单位            # 待核对：行政单位 | 事业单位 | 参照公务员法管理（表中没有）")
        if data.get("dept_wide"):
            out.append("    totals: " + totals_text(data["unit_totals"].get(code) or [])
                       + "   # 本单位合计（" + (_where([imp.unit_where[code]]) if code in imp.unit_where else "按单位的表")
                       + "）：人员经费 | 公用经费 | 项目支出")
    if data["placeholder_units"]:
        imp.todo.append(f"units.code：{len(data['placeholder_units'])} 个单位代码表中没有，暂为顺序号")
    imp.todo.append("units.type：单位类型（表中没有，暂为行政单位）")
    out += [
        "",
        "# 待填写：第一部分 概况（表中没有）",
        "# overview:",
        "#   duties:",
        "#     - 主要职责……",
        "#   organization:",
        "#     - 机构设置……",
        "",
    ]
    imp.todo.append("overview：主要职责、机构设置")
    by_unit = len(data["units"]) > 1 and not data.get("dept_wide")
    out += ["# 支出功能分类（项级），由各支出表的“项”行合成；每行注明来自哪张表的哪一行"
            + ("\n# 表中明细只按部门汇总（不分单位），各单位只有合计（units 的 totals），故不写 unit" if data.get("dept_wide") else ""),
            "expenditure:" + (" []" if not data["expenditure"] else "")]
    for ln in data["expenditure"]:
        parts = [f'code: "{ln["code"]}"', f"name: {q(ln['name'])}"]
        if by_unit:
            parts.append(f'unit: "{ln["unit"]}"')
        if ln["source"] != "一般公共预算":
            parts.append(f"source: {ln['source']}")
        if ln["carryover"]:
            parts.append("carryover: true")
        for k in ("wages", "family", "office", "ops", "target"):
            if ln["amounts"].get(k):
                parts.append(f"{k}: {num(ln['amounts'][k])}")
        out.append("  - {" + ", ".join(parts) + "}   # " + _where(ln["where"]))
    out += ["", "# 支出经济分类（部门预算经济分类 款 → 政府预算经济分类 款）",
            "economic:" + (" []" if not data["economic"] else "")]
    for e in data["economic"]:
        parts = [f'code: "{e["code"]}"', f'gov: "{e["gov"]}"', f"amount: {num(e['amount'])}"]
        if by_unit:
            parts.append(f'unit: "{e["unit"]}"')
        if e["kind"] != "basic":
            parts.append(f"kind: {e['kind']}")
        if e["source"] != "一般公共预算":
            parts.append(f"source: {e['source']}")
        if e["carryover"]:
            parts.append("carryover: true")
        out.append("  - {" + ", ".join(parts) + "}   # " + _where([e["where"]]) + f" {e['name'] or ''}".rstrip())
    if data["gov_fund_income"]:
        out += ["", "# 政府性基金预算收入科目", "gov_fund_income:"]
        for g in data["gov_fund_income"]:
            out.append(f'  - {{code: "{g["code"]}", name: {q(g["name"])}, amount: {num(g["amount"])}}}   # '
                       + _where([g["where"]]))
    out += ["", "# 项目支出；绩效目标表（performance）表中没有，请按注释补充",
            "projects:" + (" []" if not data["projects"] else "")]
    for p in data["projects"]:
        out.append(f"  - name: {q(p['name'])}   # {_where([p['where']])}")
        if p["code"]:
            out.append(f'    code: "{p["code"]}"')
        if len(data["units"]) > 1:
            out.append(f'    unit: "{p["unit"]}"')
        out.append(f"    type: {p['type']}")
        if p["carryover"]:
            out.append("    carryover: true")
        amounts = ", ".join(f"{s}: {num(a)}" for s, a in p["amounts"].items() if a)
        out.append(f"    amounts: {{{amounts}}}")
        out.append("    # function: \"\"           # 待填写：支出功能分类（项，7 位）")
        out.append("    # performance:           # 待填写：项目支出绩效目标表（概况、依据、指标……）")
    if data["projects"]:
        imp.todo.append("projects：功能科目（function）和绩效目标表（performance）")
    sg = []
    for it in SANGONG_ITEMS:
        v = data["sangong"].get(it)
        if not v:
            continue
        if set(v) == {"一般公共预算"}:
            sg.append(f"{it}: {num(v['一般公共预算'])}")
        else:
            sg.append(f"{it}: {{" + ", ".join(f"{s}: {num(a)}" for s, a in v.items()) + "}")
    out += ["", "sangong: {" + ", ".join(sg) + "}   # “三公”经费（省略的项为 0）"]
    if data["running_costs"]:
        out.append("running_costs: {" + ", ".join(f'"{c}": {num(a)}' for c, a in data["running_costs"].items())
                   + "}   # 机关运行经费（单位代码: 金额）")
    if data["procurement"] is not None:
        p = data["procurement"]
        out.append(f"procurement: {{goods: {num(p['goods'])}, works: {num(p['works'])}, services: {num(p['services'])}}}"
                   "   # 政府采购：货物 | 工程 | 服务")
    else:
        out.append("# procurement: {goods: 0, works: 0, services: 0}   # 待填写：政府采购预算（表中没有）")
        imp.todo.append("procurement：政府采购预算")
    out += ["",
            "# 待填写：上年预算数及增减变动原因（表中没有）",
            "# prior_year:",
            "#   total: {amount: 0, reason: 增减变动主要原因……}",
            "#   gpb: {amount: 0, reason: ……}",
            "#   sangong: {amount: 0, reason: ……}",
            "# 待填写：整体绩效目标、国有资产占有使用情况、其他说明",
            "# performance_overall: ……",
            "# assets: {vehicles: {}, office_area_m2: 0}",
            "# notes: {purchase_services: ……}",
            ""]
    imp.todo.append("prior_year：上年预算数及增减原因；assets、notes、performance_overall")
    return "\n".join(out)


# ---- --into: replace the figures of an existing file -----------------------------------------------------------
def _flow(d: dict):
    from ruamel.yaml.comments import CommentedMap
    m = CommentedMap(d)
    m.fa.set_flow_style()
    return m


def into(path: str, data: dict) -> tuple[str, list[str]]:
    """The existing file's text with its figures replaced by `data`; returns (text, changes)."""
    from . import yamlsrc
    from ..commands.rollover import _Num, _yaml
    text = yamlsrc.read_text(path)
    y = _yaml()
    try:
        doc = y.load(text)
    except Exception as e:  # noqa: BLE001 - a broken target is reported, never a traceback
        raise ValueError(f"{path}：YAML 无法读取（{type(e).__name__}），未改动") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{path}：不是预算数据文件，未改动")
    unit = str(doc.get("amount_unit") or "万元")
    changes: list[str] = []
    N = lambda d: _Num(num(d, unit))  # noqa: E731

    units = doc.get("units") or []
    known_codes = [str(u.get("code")) for u in units if isinstance(u, dict)]
    code_map = {}
    for code, name in data["units"].items():
        hit = next((str(u.get("code")) for u in units if isinstance(u, dict) and (str(u.get("code")) == code or u.get("name") == name)), None)
        if hit is None and len(known_codes) == 1:
            hit = known_codes[0]        # a 单位 budget: the tables' one unit is the file's one unit
        code_map[code] = hit or code
    many = len(known_codes) > 1
    lines_by_unit = many and not data.get("dept_wide")     # department-wide detail: lines without unit

    def ucode(c):
        return code_map.get(c, c)

    factor = Decimal(10000) if unit == "元" else Decimal(1)

    def wan(v) -> Decimal:
        try:
            return Decimal(str(v if v is not None else 0).replace(",", "")) / factor
        except Exception:  # noqa: BLE001 - a broken value in the old file: never equal
            return Decimal(-1)
    first = known_codes[0] if known_codes else ""

    # expenditure: a 项 whose figures in the new tables are what the file's rows already give keeps
    # its rows as they are (their split by unit, source and kind, and their comments); the others
    # get the rows the tables give
    old = [d for d in (doc.get("expenditure") or []) if isinstance(d, dict)]
    groups: dict[tuple, list] = {}
    for d in old:
        code, u = str(d.get("code")), str(d.get("unit") or first)
        for g in ((u, code), ("", code)):
            groups.setdefault(g, []).append(d)
    new_by_group: dict[tuple, list] = {}
    for ln in data["expenditure"]:
        g = ln["group"] if not ln["group"][0] else (ucode(ln["group"][0]), ln["group"][1])
        new_by_group.setdefault(g, []).append(ln)
    keep, drop = set(), set()
    for g, lines in new_by_group.items():
        mine = groups.get(g, [])
        obs = data["observed"].get(ln_group(lines[0]))
        if mine and obs is not None and _agrees(mine, obs, wan):
            keep.update(id(d) for d in mine)
            continue
        drop.update(id(d) for d in mine)
        name = lines[0]["name"]
        changes.append(f"支出科目 {g[1]} {name}：" + ("按新表重写" if mine else "新增"))
    new_list = [d for d in old if id(d) in keep or (id(d) not in drop and not any(
        str(d.get("code")) == g[1] and (not g[0] or str(d.get("unit") or first) == g[0]) for g in new_by_group))]
    for d in old:
        if d not in new_list and id(d) not in drop:
            changes.append(f"支出科目 {d.get('code')} {d.get('name')}：新表中没有，已删除")
    for g, lines in new_by_group.items():
        if any(id(d) in keep for d in groups.get(g, [])):
            continue
        for ln in lines:
            d = _flow({"code": ln["code"], "name": ln["name"]})
            if lines_by_unit:
                d["unit"] = ucode(ln["unit"])
            if ln["source"] != "一般公共预算":
                d["source"] = ln["source"]
            if ln["carryover"]:
                d["carryover"] = True
            for kk in ("wages", "family", "office", "ops", "target"):
                if ln["amounts"].get(kk):
                    d[kk] = N(ln["amounts"][kk])
            new_list.append(d)
    _replace_list(doc, "expenditure", doc.get("expenditure"), new_list)

    # economic: the same, by 部门/政府 经济分类 款 (and unit when the tables print one)
    old = [d for d in (doc.get("economic") or []) if isinstance(d, dict)]
    by_unit = data["econ_unit_given"]
    by_gov = data.get("econ_gov_given", True)    # tables without 政府经济分类: the file's own gov is kept

    def gkey(code, gov, u):
        return (str(code), str(gov) if by_gov else "", u if by_unit else "")

    def amounts_of(items, get):
        out = {}
        for it in items:
            k = get(it)
            out[k] = out.get(k, ZERO) + it["_amount"]
        return {k: v.quantize(Decimal("0.01")) for k, v in out.items() if v}
    mine_g: dict[tuple, list] = {}
    for d in old:
        mine_g.setdefault(gkey(d.get("code"), d.get("gov"), str(d.get("unit") or first)), []).append(d)
    new_g: dict[tuple, list] = {}
    for e in data["economic"]:
        new_g.setdefault(gkey(e["code"], e["gov"], ucode(e["unit"])), []).append(e)
    new_list = []
    for g, mine in mine_g.items():
        if g not in new_g:
            changes.append(f"经济分类 {g[0]}→{g[1]}：新表中没有，已删除")
            continue
        a = amounts_of([{"_amount": wan(d.get("amount")), **d} for d in mine],
                       lambda d: (str(d.get("source") or "一般公共预算"), str(d.get("kind") or "basic"), bool(d.get("carryover"))))
        b = amounts_of([{"_amount": e["amount"], **e} for e in new_g[g]],
                       lambda e: (e["source"], e["kind"], e["carryover"]))
        if a == b:
            new_list += mine
            new_g.pop(g)
        else:
            changes.append(f"经济分类 {g[0]}→{g[1]}：" + "，".join(f"{fmt_d(v)}" for v in a.values())
                           + " → " + "，".join(f"{fmt_d(v)}" for v in b.values()))
    for g, items in new_g.items():
        if g not in mine_g:
            changes.append(f"经济分类 {g[0]}→{g[1]}：新增")
        for e in items:
            d = _flow({"code": e["code"], "gov": e["gov"], "amount": N(e["amount"])})
            if lines_by_unit:
                d["unit"] = ucode(e["unit"])
            if e["kind"] != "basic":
                d["kind"] = e["kind"]
            if e["source"] != "一般公共预算":
                d["source"] = e["source"]
            if e["carryover"]:
                d["carryover"] = True
            new_list.append(d)
    _replace_list(doc, "economic", doc.get("economic"), new_list)

    # projects: by name; their texts (performance, function, code) stay
    old = doc.get("projects") or []
    index = {str(p.get("name")): p for p in old if isinstance(p, dict)}
    new_list = []
    from ruamel.yaml.comments import CommentedMap
    for p in data["projects"]:
        d = index.pop(p["name"], None)
        if d is None:
            d = CommentedMap()
            d["name"] = p["name"]
            if p["code"]:
                d["code"] = p["code"]
            if many:
                d["unit"] = ucode(p["unit"])
            d["type"] = p["type"]
            changes.append(f"项目“{p['name']}”：新增（请补充绩效目标表）")
        amounts = {s: a for s, a in p["amounts"].items() if a}
        before = {str(k): Decimal(str(v)) for k, v in (d.get("amounts") or {}).items()}
        if before != amounts:
            if before:
                changes.append(f"项目“{p['name']}”金额：" + "，".join(f"{k} {v}" for k, v in before.items())
                               + " → " + "，".join(f"{k} {num(v, unit)}" for k, v in amounts.items()))
            d["amounts"] = _flow({s: N(a) for s, a in amounts.items()})
        if p["carryover"] and not d.get("carryover"):
            d["carryover"] = True
        if p.get("type_printed") and d.get("type") != p["type"]:
            changes.append(f"项目“{p['name']}”类型：{d.get('type')} → {p['type']}")
            d["type"] = p["type"]
        if many and p.get("unit_printed") and str(d.get("unit")) != ucode(p["unit"]):
            d["unit"] = ucode(p["unit"])
        new_list.append(d)
    for d in index.values():
        changes.append(f"项目“{d.get('name')}”：新表中没有，已删除（其绩效目标文字随之删除）")
    _replace_list(doc, "projects", old, new_list)

    if data.get("dept_wide"):
        _replace_unit_totals(units, data, ucode, wan, N, changes)

    # small blocks
    sg = {}
    for it in SANGONG_ITEMS:
        v = data["sangong"].get(it)
        if v:
            sg[it] = N(v["一般公共预算"]) if set(v) == {"一般公共预算"} else _flow({s: N(a) for s, a in v.items()})
    _replace_map(doc, "sangong", sg, changes, "“三公”经费")
    if data["running_costs"]:
        _replace_map(doc, "running_costs", {ucode(c): N(a) for c, a in data["running_costs"].items()}, changes,
                     "机关运行经费")
    if data["procurement"] is not None:
        _replace_map(doc, "procurement", {k: N(v) for k, v in data["procurement"].items()}, changes, "政府采购")
    if data["gov_fund_income"]:
        cur = [d for d in (doc.get("gov_fund_income") or []) if isinstance(d, dict)]
        by_code = {str(d.get("code")): d for d in cur}
        new_list = []
        for g in data["gov_fund_income"]:
            d = by_code.get(g["code"])
            if d is None:
                d = _flow({"code": g["code"], "name": g["name"], "amount": N(g["amount"])})
                changes.append(f"政府性基金收入 {g['code']} {g['name']}：新增")
            elif wan(d.get("amount")) != g["amount"]:
                changes.append(f"政府性基金收入 {g['code']}：{d.get('amount')} → {num(g['amount'], unit)}")
                d["amount"] = N(g["amount"])
            new_list.append(d)
        _replace_list(doc, "gov_fund_income", doc.get("gov_fund_income"), new_list)
    # typed income (optional in the format) follows the new expenditure, source by source
    inc = doc.get("income")
    if isinstance(inc, dict):
        by = {}
        for ln in data["expenditure"]:
            k = "上年结转" if ln["carryover"] else ln["source"]
            by[k] = by.get(k, ZERO) + sum(ln["amounts"].values(), ZERO)
        _replace_map(doc, "income", {k: N(v) for k, v in by.items() if v or k in inc}, changes, "收入")
    if not changes:
        return text, changes        # the same figures: the file stays byte for byte
    import io
    buf = io.StringIO()
    y.dump(doc, buf)
    return buf.getvalue(), changes


def _replace_unit_totals(units, data, ucode, wan, N, changes):
    """units[].totals of a department-wide file from the by-unit tables; a unit whose totals are
    the same keeps them as written."""
    by_code = {str(u.get("code")): u for u in units if isinstance(u, dict)}
    if not all(u.get("totals") is not None for u in by_code.values()):
        # the file lists each unit's lines: its structure stays; the units' totals are only reported
        changes.append("新表中明细只按部门汇总、各单位只有合计；文件按单位填写明细（units 没有 totals），"
                       "各单位合计未写入，请核对各单位的 expenditure / economic")
        return

    def norm_items(items, get):
        out = set()
        for t in items:
            vals = tuple(get(t, k).quantize(Decimal("0.01")) for k in ("personnel", "office", "project"))
            if any(vals):
                out.add((str(get(t, "source")), bool(get(t, "carryover")), vals))
        return out
    for code, items in data["unit_totals"].items():
        u = by_code.get(ucode(code))
        if u is None:
            changes.append(f"单位 {code} {data['units'].get(code, '')}：新表中有，文件中没有，请在 units 中补充")
            continue
        cur = u.get("totals")
        cur_items = cur if isinstance(cur, list) else [cur] if isinstance(cur, dict) else []
        old = norm_items([t for t in cur_items if isinstance(t, dict)], lambda t, k: (
            (t.get(k) or ("一般公共预算" if k == "source" else False)) if k in ("source", "carryover") else wan(t.get(k))))
        new = norm_items(items, lambda t, k: t[k])
        if old == new:
            continue

        def flow(t):
            d = {}
            if t["source"] != "一般公共预算":
                d["source"] = t["source"]
            if t["carryover"]:
                d["carryover"] = True
            d.update({k: N(t[k]) for k in ("personnel", "office", "project")})
            return _flow(d)
        from ruamel.yaml.comments import CommentedSeq
        u["totals"] = flow(items[0]) if len(items) == 1 else CommentedSeq([flow(t) for t in items])
        changes.append(f"单位 {u.get('code')} {u.get('name')} 合计：" + "，".join(
            f"{k} {num(t[k])}" for t in items for k in ("personnel", "office", "project")))


def _replace_list(doc, key, old, new_list):
    """Make the list `doc[key]` hold `new_list`, in place: items it already had stay where they are
    with their comments (ruamel keeps a comment line with the item before it), dropped ones are
    deleted, new ones appended."""
    from ruamel.yaml.comments import CommentedSeq
    if not isinstance(old, CommentedSeq):
        doc[key] = CommentedSeq(new_list)
        return
    wanted = {id(x) for x in new_list}
    for i in range(len(old) - 1, -1, -1):
        if id(old[i]) not in wanted:
            if i in old.ca.items and i > 0 and (i - 1) not in old.ca.items:
                old.ca.items[i - 1] = old.ca.items[i]      # a comment block below a dropped row stays
            del old[i]
    have = {id(x) for x in old}
    for item in new_list:
        if id(item) not in have:
            old.append(item)


def _replace_map(doc, key, values: dict, changes, label):
    cur = doc.get(key)
    if isinstance(cur, dict):
        for k in list(cur):
            if k not in values:
                changes.append(f"{label} {k}：{cur[k]} → 0")
                del cur[k]
        for k, v in values.items():
            if not _same(cur.get(k), v):
                changes.append(f"{label} {k}：{cur.get(k, 0)} → {v}")
                cur[k] = v
    else:
        doc[key] = _flow(values)
        if values:
            changes.append(f"{label}：已填入")


def _same(a, b) -> bool:
    try:
        return Decimal(str(a if a is not None else 0)) == Decimal(str(b))
    except Exception:  # noqa: BLE001 - a nested value (by source): compare as text
        return str(a) == str(b)


def fmt_d(v: Decimal) -> str:
    return f"{v:.2f}"


def ln_group(ln) -> tuple:
    return ln["group"]


def _agrees(lines, observed, wan) -> bool:
    """Do the file's rows of one 项 give the figures the new tables print for it?"""
    from ..derive.facts import KIND_GROUPS
    from ..model.budget import SOURCES, UNIT_FUNDS
    all_, slices, streams = observed
    cells = {}
    for d in lines:
        s = str(d.get("source") or "一般公共预算")
        c = bool(d.get("carryover"))
        for k in ("wages", "family", "office", "ops", "target"):
            v = wan(d.get(k))
            if v:
                cells[(s, c, k)] = cells.get((s, c, k), ZERO) + v

    def total(kind, sources, carry=None):
        ks = KIND_GROUPS.get(kind, ("wages", "family", "office", "ops", "target")) if kind != "all" else (
            "wages", "family", "office", "ops", "target")
        return sum((v for (s, c, k), v in cells.items() if k in ks and s in sources and (carry is None or c == carry)), ZERO)

    def same(a, b):
        return Decimal(a).quantize(Decimal("0.01")) == Decimal(b).quantize(Decimal("0.01"))
    for kind, v in all_.items():
        if not same(total(kind, SOURCES), v):
            return False
    for (s, _c), d in slices.items():
        for kind, v in d.items():
            if not same(total(kind, (s,), False), v):
                return False
    for (s, c), v in streams.items():
        src = UNIT_FUNDS if s == "unit_funds" else SOURCES if s == "all" else (s,)
        if not same(total("all", src, c), v):
            return False
    return True
