"""Rollover of the declaration-form fields (model_forms.py): this year's figures become the earlier years
of next year's forms and sentences.

    prior_year.functions       ← this year's general-budget amount of every 项 (五（三）)
    prior_year.procurement     ← this year's 政府采购 total
    overall_form.history       ← this year's 收入/支出构成 as the newest year (two years kept)
    projects[*].form.history   ← this year's project budget (two earlier years kept); an annual
                                 form's 起始/终止年度 move on with the budget year
"""
from __future__ import annotations

from ..model.forms import INCOME_CATEGORIES, SPEND_CATEGORIES


def apply(doc, f, year: int, to: int, unit: str, ch, res, prior_item, fmt, set_comment) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    b = f.b
    prior = doc.get("prior_year")
    if prior is None:
        return
    if b.prior_year.procurement is not None or f.procurement_total:
        prior["procurement"] = prior_item(f.procurement_total, unit, flow=False)
        set_comment(prior, "procurement", f"上年政府采购预算（{year} 年数）")
        ch(f"prior_year.procurement（上年政府采购预算）= {year} 年数 {fmt(f.procurement_total, '万元')} 万元")
    rows = f.func_rows(source="gpb", carry=False, levels=("项",))
    if rows and (b.prior_year.functions or b.overall_form is not None or any(p.form for p in b.projects)):
        funcs = CommentedMap()
        for r in rows:
            funcs[r.code] = prior_item(r.v(), unit, flow=False)
        prior["functions"] = funcs
        ch(f"prior_year.functions（各功能科目上年数）= {year} 年各项一般公共预算数（{len(rows)} 项）")

    form = doc.get("overall_form")
    if isinstance(form, dict):
        row = CommentedMap()
        row["year"] = year
        inc = CommentedMap()
        for c in INCOME_CATEGORIES:
            v = f.forms.income_amount(c)
            if v:
                inc[c] = fmt(v, unit)
        inc.fa.set_flow_style()
        exp = CommentedMap()
        for c in SPEND_CATEGORIES:
            v = f.forms.category_amount(c)
            if v:
                exp[c] = fmt(v, unit)
        exp.fa.set_flow_style()
        row["income"], row["expenditure"] = inc, exp
        old = list(form.get("history") or [])
        form["history"] = CommentedSeq([row] + [h for h in old if h.get("year") != year][:1])
        ch(f"overall_form.history：加入 {year} 年收支金额（近两年为 {year}、{year - 1} 年）")
        if form.get("long_term_until") is not None and int(form["long_term_until"]) <= to:
            res.todo.append(f"overall_form.long_term_until：长期目标截止 {form['long_term_until']} 年，请核实")

    for i, p in enumerate(doc.get("projects") or []):
        pform = p.get("form") if isinstance(p, dict) else None
        if not isinstance(pform, dict):
            continue
        facts = f.projects[i]
        entry = CommentedMap()
        entry["year"] = year
        entry["amount"] = fmt(facts.total, unit)
        entry.fa.set_flow_style()
        old = [h for h in (pform.get("history") or []) if int(h.get("year", 0)) != year]
        hist = CommentedSeq((old + [entry])[-2:])
        hist.fa.set_flow_style()
        pform["history"] = hist
        for key in ("start_year", "end_year"):
            if pform.get(key) is not None and int(pform[key]) == year and pform.get("end_year") == pform.get("start_year"):
                pform[key] = to
        ch(f"projects.{i}.form.history：加入 {year} 年预算 {fmt(facts.total, '万元')} 万元")
