"""Writing what `import` read: a new, commented input file, or the figures of an existing one replaced
(`--into`, ruamel round trip: texts, reasons and comments stay)."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

from .model import SANGONG_ITEMS

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
    from . import render
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


def write_new(imp, data: dict) -> str:
    m = imp.meta
    unit = "万元"
    style = imp.style or m["style"] or "shanxi"
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
        '  code: "000"                 # 待填写：主管部门代码（3 位数字；表中没有）',
        "",
        "units:",
    ]
    if not m["year"]:
        imp.todo.append("agency.year：表名中没有预算年度")
    imp.todo.append("agency.code：主管部门代码（表中没有，暂为 000）")
    for code, name in data["units"].items():
        ph = code in data["placeholder_units"]
        out.append(f'  - code: "{code}"' + ("              # 待填写：单位代码（表中没有，暂为顺序号）" if ph else ""))
        out.append(f"    name: {q(name)}")
        out.append("    type: 行政单位            # 待核对：行政单位 | 事业单位 | 参照公务员法管理（表中没有）")
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
    out += ["# 支出功能分类（项级），由各支出表的“项”行合成；每行注明来自哪张表的哪一行",
            "expenditure:" + (" []" if not data["expenditure"] else "")]
    for ln in data["expenditure"]:
        parts = [f'code: "{ln["code"]}"', f"name: {q(ln['name'])}"]
        if len(data["units"]) > 1:
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
        if len(data["units"]) > 1:
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
    from .rollover import _Num, _yaml
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
        code_map[code] = hit or code
    many = len(known_codes) > 1

    def ucode(c):
        return code_map.get(c, c)

    def key_exp(d):
        return (str(d.get("code")), str(d.get("unit") or (known_codes[0] if known_codes else "")),
                str(d.get("source") or "一般公共预算"), bool(d.get("carryover")))

    # expenditure: matched rows keep their place and comments; amounts replaced
    old = doc.get("expenditure") or []
    index = {key_exp(d): d for d in old if isinstance(d, dict)}
    new_list = []
    for ln in data["expenditure"]:
        u = ucode(ln["unit"])
        k = (ln["code"], u, ln["source"], ln["carryover"])
        d = index.pop(k, None)
        if d is None:
            d = _flow({"code": ln["code"], "name": ln["name"]})
            if many:
                d["unit"] = u
            if ln["source"] != "一般公共预算":
                d["source"] = ln["source"]
            if ln["carryover"]:
                d["carryover"] = True
            changes.append(f"支出科目 {ln['code']} {ln['name']}：新增")
        for kk in ("wages", "family", "office", "ops", "target"):
            v = ln["amounts"].get(kk, ZERO)
            if v:
                if kk not in d or Decimal(str(d[kk])) != v:
                    if kk in d:
                        changes.append(f"支出科目 {ln['code']} {kk}：{d[kk]} → {num(v, unit)}")
                d[kk] = N(v)
            elif kk in d:
                changes.append(f"支出科目 {ln['code']} {kk}：{d[kk]} → 0")
                del d[kk]
        new_list.append(d)
    for d in index.values():
        changes.append(f"支出科目 {d.get('code')} {d.get('name')}：新表中没有，已删除")
    _replace_list(doc, "expenditure", old, new_list)

    # economic
    old = doc.get("economic") or []

    def key_econ(d):
        return (str(d.get("code")), str(d.get("gov")), str(d.get("unit") or (known_codes[0] if known_codes else "")),
                str(d.get("source") or "一般公共预算"), str(d.get("kind") or "basic"), bool(d.get("carryover")))
    index = {key_econ(d): d for d in old if isinstance(d, dict)}
    new_list = []
    for e in data["economic"]:
        u = ucode(e["unit"])
        k = (e["code"], e["gov"], u, e["source"], e["kind"], e["carryover"])
        d = index.pop(k, None)
        if d is None:
            d = _flow({"code": e["code"], "gov": e["gov"]})
            changes.append(f"经济分类 {e['code']}→{e['gov']}：新增")
            if many:
                d["unit"] = u
            if e["kind"] != "basic":
                d["kind"] = e["kind"]
            if e["source"] != "一般公共预算":
                d["source"] = e["source"]
            if e["carryover"]:
                d["carryover"] = True
        elif Decimal(str(d.get("amount", 0))) != e["amount"]:
            changes.append(f"经济分类 {e['code']}→{e['gov']}：{d.get('amount')} → {num(e['amount'], unit)}")
        d["amount"] = N(e["amount"])
        new_list.append(d)
    for d in index.values():
        changes.append(f"经济分类 {d.get('code')}→{d.get('gov')}：新表中没有，已删除")
    _replace_list(doc, "economic", old, new_list)

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
        new_list.append(d)
    for d in index.values():
        changes.append(f"项目“{d.get('name')}”：新表中没有，已删除（其绩效目标文字随之删除）")
    _replace_list(doc, "projects", old, new_list)

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
        doc["gov_fund_income"] = [_flow({"code": g["code"], "name": g["name"], "amount": N(g["amount"])})
                                  for g in data["gov_fund_income"]]
    import io
    buf = io.StringIO()
    y.dump(doc, buf)
    return buf.getvalue(), changes


def _replace_list(doc, key, old, new_list):
    from ruamel.yaml.comments import CommentedSeq
    if isinstance(old, CommentedSeq):
        # keep the list object (its comments); drop items, then put the new ones in order
        old_items = list(old)
        comments = {id(x): old.ca.items.get(i) for i, x in enumerate(old_items)}
        del old[:]
        old.ca.items.clear()
        for i, item in enumerate(new_list):
            old.append(item)
            c = comments.get(id(item))
            if c is not None:
                old.ca.items[i] = c
    else:
        doc[key] = CommentedSeq(new_list)


def _replace_map(doc, key, values: dict, changes, label):
    cur = doc.get(key)
    if isinstance(cur, dict):
        for k in list(cur):
            if k not in values:
                changes.append(f"{label} {k}：{cur[k]} → 0")
                del cur[k]
        for k, v in values.items():
            if str(cur.get(k)) != str(v):
                changes.append(f"{label} {k}：{cur.get(k, 0)} → {v}")
            cur[k] = v
    else:
        doc[key] = _flow(values)
        if values:
            changes.append(f"{label}：已填入")
