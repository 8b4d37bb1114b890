"""Reasons for year-over-year changes (prior_year.*.reason) against what the chosen style prints.

A style declares in its style.yaml which prior-year items it prints with "主要原因是…" (`reasons:`)
and which prior-year figure it compares with (`prior:`): a figure that changed without a reason the
style would print is a warning at the place the reason belongs; a reason the style never prints is a
warning too (it would be lost silently).
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..model.budget import REASON_LEAD
from ..model.money import r2
from .schema import value_at


def style_label(name: str) -> str:
    """The style's display name (style.yaml `label`), else its registered name."""
    from ..render import styles
    try:
        return str(styles.get(name).config.get("label") or name)
    except styles.StyleError:
        return name


# words that say which way a figure moved (a reason using only the other way's words contradicts it)
_UP = ("增加", "增长", "新增", "增设", "增多", "提高", "上升", "上涨", "扩大", "追加", "提标")
_DOWN = ("减少", "下降", "降低", "压缩", "压减", "节约", "缩减", "核减", "削减", "调减", "减支", "精简", "下调",
         "取消", "完结", "结束", "到期", "退休")
_NEGATION = re.compile(r"[不未无没停]")
_MOVED = ("增加", "增长", "新增", "增多", "提高", "上升", "减少", "下降", "降低", "削减", "调减", "减支")   # said of a change


LABEL = {
    "total": "收支总计", "expenditure_total": "支出总计", "gpb": "一般公共预算", "fund": "政府性基金预算",
    "soe": "国有资本经营预算", "sangong": "“三公”经费合计", "running_costs": "机关运行经费",
    "agency_running_costs": "机关（机构）运转经费",
}


def style_declarations(name: str) -> dict:
    """`reasons:` and `prior:` of a style (its style.yaml merged over what it extends), with the
    `versions:` blocks by version, from the style registry."""
    from ..render import styles
    try:
        data = styles.get(name).config
    except styles.StyleError:
        return {}
    out = {"reasons": data.get("reasons"), "prior": data.get("prior"), "versions": {}}
    for v, over in (data.get("versions") or {}).items():
        if isinstance(over, dict) and ("reasons" in over or "prior" in over):
            out["versions"][str(v)] = {k: over[k] for k in ("reasons", "prior") if k in over}
    return out


def _declared(style: str, budget, key: str):
    d = style_declarations(style)
    over = d.get("versions", {}).get(str(getattr(budget.options, "template_version", "")), {})
    return over.get(key, d.get(key))


class ReasonRules:
    """Mixed into check.Checker (self.b, self.f, self.warn)."""

    def _current(self, key: str):
        f = self.f
        if key.startswith("sangong_items."):
            return f.sangong_amount(key.split(".", 1)[1])
        return {
            "total": lambda: f.income_total, "expenditure_total": lambda: f.expenditure_total,
            "gpb": lambda: f.income_of("gpb"), "fund": lambda: f.income_of("fund"), "soe": lambda: f.income_of("soe"),
            "sangong": lambda: f.sangong_amount("合计"), "running_costs": lambda: f.running_costs_total,
            "agency_running_costs": lambda: f.total("office", "gpb", False),
        }[key]()

    def _prior_items(self, every: bool = False):
        """(key, path, label, item) of the prior-year items compared with this year's figures; with
        `every`, the 政府采购 and per-项 items too (key None: no current figure here)."""
        py = self.b.prior_year
        for key in LABEL:
            item = getattr(py, key)
            if item is not None:
                yield key, ("prior_year", key), LABEL[key], item
        for k, item in py.sangong_items.items():
            yield f"sangong_items.{k}", ("prior_year", "sangong_items", k), f"“三公”经费{k}", item
        if every:
            if py.procurement is not None:
                yield None, ("prior_year", "procurement"), "政府采购预算", py.procurement
            for c, item in py.functions.items():
                yield None, ("prior_year", "functions", c), f"功能科目 {c}", item

    def rule_prior_reasons(self):
        style = self.b.style
        printed = _declared(style, self.b, "reasons")
        if printed is None:
            return
        printed = set(printed)
        sname = style_label(style)
        for key, path, label, item in self._prior_items():
            reason = (item.reason or "").strip()
            group = "sangong_items" if key.startswith("sangong_items.") else key
            if group in printed or key in printed:
                cur = self._current(key)
                diff = r2(cur) - r2(item.amount)
                if diff != 0 and not reason:
                    word = "增加" if diff > 0 else "减少"
                    self.warn(path + (("reason",) if item.reason is not None else ()), "prior.reason-missing",
                              f"{label}比上年{word} {abs(diff):,.2f} 万元，{sname}样式会写“主要原因是……”，"
                              f"但没有填写原因；请在这一项写上“reason: 增减变动的主要原因”", key=item.reason is None)
            elif reason:
                self.warn(path + ("reason",), "prior.reason-unused",
                          f"{sname}样式不印{label}的增减变动原因，这里填写的原因不会出现在文件中"
                          f"（如需说明，可写入其他项的原因）")

    def rule_reason_wording(self):
        """A reason typed with the lead-in its sentence already has (主要原因是主要原因是…): printed
        without it, and warned at the reason so that the author knows."""
        data = getattr(self, "data", None)
        for _key, path, label, _item in self._prior_items(every=True):
            raw = value_at(data, path + ("reason",))
            lead = REASON_LEAD.match(raw.strip()) if isinstance(raw, str) else None
            if lead:
                self.warn(path + ("reason",), "prior.reason-lead-in",
                          f"{label}的增减变动原因以“{lead.group(0).strip()}”开头：文件中的句子已写好“主要原因是”"
                          f"（或“主要是”）等引语，印出时去掉了这几个字，以免读成“主要原因是主要原因是……”；"
                          f"这里只写原因本身即可")

    def late_reason_direction(self):
        """A printed reason whose words run against the change it explains (减少 for a figure that grew)."""
        printed = set(_declared(self.b.style, self.b, "reasons") or ())
        for key, path, label, item in self._prior_items():
            if not item.reason or not ({key, key.split(".", 1)[0]} & printed):
                continue
            cur = self._current(key)
            diff = r2(cur) - r2(item.amount)
            if _NEGATION.search(item.reason) or (
                    cur > 0 and item.amount > 0 and not Decimal("0.01") < cur / item.amount < 100):
                continue        # a figure typed in the other unit (prior.unit-slip) says nothing of a reason
            ups, downs = [w for w in _UP if w in item.reason], [w for w in _DOWN if w in item.reason]
            if diff == 0:       # 与上年持平 with "主要原因是…减少": last year's figure copied from this year's?
                ups, downs = [w for w in ups if w in _MOVED], [w for w in downs if w in _MOVED]   # not 厉行节约
                if cur and (ups or downs) and not (ups and downs):
                    self.warn(path + ("reason",), "prior.reason-direction",
                              f"上年{label}与本年相同（{r2(cur):,} 万元，没有增减），但原因“{item.reason}”说的是"
                              f"{'增加' if ups else '减少'}（“{(ups or downs)[0]}”）：若把本年数填成了上年数，"
                              "请改正上年数；若无误，可不理会")
                continue
            against = (downs if not ups else []) if diff > 0 else (ups if not downs else [])
            if against:
                self.warn(path + ("reason",), "prior.reason-direction",
                          f"{label}比上年{'增加' if diff > 0 else '减少'} {abs(diff):,.2f} 万元，但原因“{item.reason}”"
                          f"说的是{'减少' if diff > 0 else '增加'}（“{against[0]}”）：请核对上年数与原因；若无误，可不理会")

    def rule_prior_figures(self):
        """Last year's figures against this year's and against the 上年收支总计: one typed in the other
        unit (元 in a 万元 file: 10 000 times this year's figure, or the reverse), a part larger than
        the total, 三公 items adding up to more than their 合计. Figures are said as typed."""
        py, wan, u = self.b.prior_year, self.b.amount_unit == "万元", self.b.amount_unit
        shown = (lambda v: f"{r2(v):,} {u}") if wan else (lambda v: f"{r2(v * 10000):,} {u}")   # a 元 file holds 万元
        slipped = set()
        if not self.whole_file_in_yuan:     # amount.unit-slip says it at amount_unit
            for key, path, label, item in self._prior_items():
                cur, v = self._current(key), item.amount
                if not cur or cur <= 0 or v <= 0:
                    continue
                r = v / cur / 10000 if wan else v * 10000 / cur      # ~1: typed in the other unit
                if Decimal("0.2") <= r <= 5:
                    slipped.add(key)
                    times = f"是本年 {shown(cur)}的 {int(v / cur):,} 倍" if wan else f"只有本年 {shown(cur)}的 1/{int(cur / v):,}"
                    # a total cannot move 10 000-fold in a year; a fund, 三公 or running cost may
                    # (a one-off last year): warned, not refused
                    say = self.err if key in ("total", "expenditure_total", "gpb") else self.warn
                    say(path + ("amount",), "prior.unit-slip",
                        f"上年{label} {shown(v)}{times}，像是按{'元' if wan else '万元'}填写的："
                        f"请改为 {r2(v / 10000) if wan else r2(v * 10000 * 10000)}（本文件金额单位为{u}）"
                        + ("" if say == self.err else "；若上年确为此数，可不理会"))
        if py.total is None or "total" in slipped:
            return
        total = py.total.amount
        parts = [(k, getattr(py, k)) for k in ("gpb", "fund", "soe", "sangong", "running_costs", "agency_running_costs",
                                              "procurement")] + [(f"functions.{c}", it) for c, it in py.functions.items()]
        for key, item in parts:
            if item is not None and item.amount > total and key not in slipped:
                path = ("prior_year",) + tuple(key.split(".", 1)) + ("amount",)
                label = LABEL.get(key) or ("政府采购预算" if key == "procurement" else f"功能科目 {key[10:]}")
                self.err(path, "prior.part-exceeds-total",
                         f"上年{label} {shown(item.amount)}大于上年收支总计 {shown(total)}：请核对这两个上年数")
        items = sum((it.amount for it in py.sangong_items.values()), Decimal(0))
        if py.sangong is not None and items > py.sangong.amount and not slipped & (
                {"sangong"} | {f"sangong_items.{k}" for k in py.sangong_items}):
            self.err(("prior_year", "sangong", "amount"), "prior.part-exceeds-total",
                     f"上年“三公”经费各分项合计 {shown(items)}大于上年“三公”经费合计 {shown(py.sangong.amount)}：请核对")

    def rule_prior_concepts(self):
        """机关运行经费 (Shanxi: 行政 and 参公 units) and 机关（机构）运转经费 (Henan: 公用经费 of all units)."""
        uses = _declared(self.b.style, self.b, "prior") or []
        py = self.b.prior_year
        sname = style_label(self.b.style)
        if "agency_running_costs" in uses and py.agency_running_costs is None and py.running_costs is not None:
            self.warn(("prior_year", "running_costs"), "prior.concept",
                      f"{sname}样式比较的是上年机关（机构）运转经费（各单位一般公共预算公用经费），"
                      "而这一项是山西样式的上年机关运行经费（仅行政单位和参公单位）；"
                      "若填写的是运转经费，请把“running_costs:”改名为“agency_running_costs:”", key=True)
        if "agency_running_costs" in uses and py.agency_running_costs is None and py.running_costs is None \
                and self.f.total("office", "gpb", False) and py.total is not None:
            self.warn(("prior_year",), "prior.missing",
                      f"{sname}样式要把本年机关（机构）运转经费与上年比较，但没有填写上年数；"
                      "请填写“agency_running_costs: {amount: …}”（各单位一般公共预算公用经费）", key=True)
        if "running_costs" in uses and py.running_costs is None and py.agency_running_costs is None \
                and self.f.running_costs_total and py.total is not None:
            self.warn(("prior_year",), "prior.missing",
                      f"{sname}样式要把本年机关运行经费与上年比较，但没有填写上年数；"
                      "请填写“running_costs: {amount: …}”（行政单位和参公单位的机关运行经费）", key=True)
        if "running_costs" in uses and py.running_costs is None and py.agency_running_costs is not None \
                and self.f.running_costs_total:
            self.warn(("prior_year", "agency_running_costs"), "prior.concept",
                      f"{sname}样式比较的是上年机关运行经费（行政单位和参公单位），请填写“running_costs:”；"
                      "“agency_running_costs:”（机关（机构）运转经费）只用于河南样式", key=True)
