"""Facts a rolled-over file carries from last year until the author changes or confirms them.

`disclosure-gen rollover` writes `rolled_over_from: <old year>`; while it is there, check warns about
what usually goes stale: the old year in a project's plan, goals and indicators, a one-off car purchase
equal to last year's, a 上年结转 project carried forward, last year's asset figures. A
`截至YYYY年12月31日` that is not the end of the previous year is warned in any file.

Each warning ends with its confirmation key: the author who checked it adds that key to the file's
`confirmed:` list (or changes the item), and the warning goes. Deleting `rolled_over_from` ends all
rollover warnings at once.
"""
from __future__ import annotations

import datetime as _dt
import re
from collections import Counter

_AS_OF = re.compile(r"截[至止](\d{4})年(?:12月31日|底|末)")
_YEAR = re.compile(r"(?<!\d)(20\d\d)\s*年")
_PROJECT_TEXT = ("overview", "plan", "goal_period", "goal_annual", "measures")

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _date_parts(text: str):
    """(year, month, day[, hour, minute, second]) of a typed date (20260108153116, 20260108,
    2026-01-08, 2026年1月8日, 2026/1/8 9:30), or None when the text is not written as a date."""
    if re.fullmatch(r"\d{8}|\d{14}", text):
        n = [int(text[a:b]) for a, b in ((0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 14)) if b <= len(text)]
        return tuple(n)
    m = _DATE.fullmatch(text)
    if not m:
        return None
    return tuple(int(g) for g in m.groups() if g is not None) + ((0,) if m.group(4) and not m.group(6) else ())


class RolloverRules:
    """Mixed into check.Checker (self.b, self.f, self.warn)."""

    def _confirmed(self, key: str) -> bool:
        return key in {c.strip() for c in (self.b.confirmed or [])}

    def _stale(self, path, rule, msg, key_text, key=False):
        if self._confirmed(key_text):
            return
        self.warn(path, rule, f"{msg}；核实无误后请在“confirmed:”中加入一行“- {key_text}”", key=key)

    def rule_stale_as_of_dates(self):
        year = self.b.agency.year
        texts = [(("overview", "organization", i), t) for i, t in enumerate(self.b.overview.organization)]
        a = self.b.assets
        texts += [(("assets", k), getattr(a, k)) for k in ("vehicles_text", "housing_text", "other_text")]
        texts += [(("notes", k), getattr(self.b.notes, k)) for k in type(self.b.notes).__pydantic_fields__]
        texts.append((("performance_overall",), self.b.performance_overall))
        for path, text in texts:
            for m in _AS_OF.finditer(text or ""):
                y = int(m.group(1))
                if y != year - 1:
                    self._stale(path, "rollover.stale-date",
                                f"“{m.group(0)}”不是 {year} 年预算应写的“截至{year - 1}年12月31日”，人数、车辆、面积等可能仍是旧数",
                                m.group(0))
        if a.as_of is not None and a.as_of.year != year - 1:
            self._stale(("assets", "as_of"), "rollover.stale-date",
                        f"国有资产截至日期 {a.as_of.isoformat()} 不是 {year - 1} 年底", f"截至日期 {a.as_of.isoformat()}")

    def rule_form_dates(self):
        """A form's 填报日期 / 申报日期 (printed as typed) that is no date (20261308…: month 13), or one
        outside the year before the budget year and the budget year itself (forms are filled in then)."""
        data, year = getattr(self, "data", None), self.b.agency.year

        def walk(v, path):
            if isinstance(v, dict):
                for k, x in v.items():
                    if k == "filled_at" and isinstance(x, (str, int)) and str(x).strip():
                        yield path + (k,), str(x).strip()
                    else:
                        yield from walk(x, path + (k,))
            elif isinstance(v, list):
                for i, x in enumerate(v):
                    yield from walk(x, path + (i,))
        from ..model.labels import describe
        for path, text in walk(data, ()):
            parts = _date_parts(text)
            if parts is None:
                continue
            what = describe(path, data)
            try:
                when = _dt.datetime(*parts)
            except ValueError:
                self.warn(path, "date.invalid", f"{what}“{text}”不是有效的日期（年 {parts[0]}、月 {parts[1]}、日 {parts[2]}"
                          + (f"、{parts[3]:02d}:{parts[4]:02d}:{parts[5]:02d}" if len(parts) > 3 else "") + "）；请改正")
                continue
            if not year - 1 <= when.year <= year:
                self.warn(path, "date.year", f"{what}“{text}”是 {when.year} 年，而 {year} 年预算的表应在 {year - 1} 年或"
                          f" {year} 年填报；请核对日期（或“agency:”中的预算年度“year:”）")

    def rule_budget_year_in_texts(self):
        """The file's texts never name the budget year but name the year before or after it, or
        another year twice: `agency.year` typed wrong, or the texts copied from another year's file
        (a rolled-over file: rollover.stale-year says it item by item). The 概况 (history) and a
        上年结转 project (its name may carry the year it began) are left out."""
        data = getattr(self, "data", None)
        if self.b.rolled_over_from or not isinstance(data, dict):
            return
        year, seen, first = self.b.agency.year, Counter(), {}
        carried = {i for i, p in enumerate(self.b.projects) if p.carryover}

        def walk(v, path):
            if isinstance(v, str):
                for m in _YEAR.finditer(v):
                    seen[int(m.group(1))] += 1
                    first.setdefault(int(m.group(1)), (path, m.group(0).replace(" ", "")))
            elif isinstance(v, dict):
                for k, x in v.items():
                    walk(x, path + (k,))
            elif isinstance(v, list):
                for i, x in enumerate(v):
                    if not (path == ("projects",) and i in carried):
                        walk(x, path + (i,))
        for key, value in data.items():
            if key not in ("overview", "agency", "confirmed"):
                walk(value, (key,))
        # the year next to it (a slip of one), else one named at least twice (2062 for 2026)
        other = [y for y in (year - 1, year + 1) if y in seen] or [y for y, n in seen.most_common(1) if n >= 2]
        if other and year not in seen:
            path, word = first[other[0]]
            self._stale(("agency", "year"), "agency.year-mismatch",
                        f"预算年度为 {year} 年，但文件中的文字都没有写“{year}年”，却写了“{word}”（第 {self.line(path)} 行）："
                        "请确认预算年度是否写错，或这些文字是否仍是其他年度的", f"预算年度 {year}")

    def rule_rolled_over(self):
        old = self.b.rolled_over_from
        if not old:
            return
        year = self.b.agency.year
        word = f"{old}年"
        for i, p in enumerate(self.b.projects):
            perf = p.performance
            tables = perf if isinstance(perf, list) else ([perf] if perf else [])
            for t_no, t in enumerate(tables):
                base = ("projects", i, "performance") + ((t_no,) if isinstance(perf, list) else ())
                for fld in _PROJECT_TEXT:
                    if word in (getattr(t, fld) or ""):
                        self._stale(base + (fld,), "rollover.stale-year",
                                    f"项目“{p.name}”绩效目标表的{_FIELD_WORDS[fld]}仍写着“{word}”（本文件为 {year} 年预算）",
                                    f"{p.name} {_FIELD_WORDS[fld]}")
                for tree_name in ("indicators", "indicators_annual"):
                    for l1, sub in (getattr(t, tree_name) or {}).items():
                        groups = sub.items() if isinstance(sub, dict) else [(None, sub)]
                        for l2, lst in groups:
                            for j, (name, value) in enumerate(lst):
                                if word in name or word in value:
                                    path = base + (tree_name, l1) + ((l2,) if l2 is not None else ()) + (j, 1 if word in value else 0)
                                    self._stale(path, "rollover.stale-year",
                                                f"项目“{p.name}”的指标“{name}: {value}”仍写着“{word}”（本文件为 {year} 年预算）",
                                                f"{p.name} {name}")
            if p.carryover:
                self._stale(("projects", i, "carryover"), "rollover.carryover-project",
                            f"上年结转项目“{p.name}”由 {old} 年文件带入：{old} 年的结转资金多已用完，"
                            f"请删除该项目，或改为 {year} 年实际的结转金额", p.name)
        py = self.b.prior_year.sangong_items.get("公务用车购置")
        buy = self.f.sangong_amount("公务用车购置")
        if buy and py is not None and py.amount == buy:
            path = ("sangong", "公务用车购置") if "公务用车购置" in self.b.sangong else ("sangong",)
            self._stale(path, "rollover.car-purchase",
                        f"公务用车购置费 {buy:,.2f} 万元与 {old} 年相同：购车多为一次性支出，{year} 年是否仍购车？"
                        "不购车请删去这一项（及经济分类 31013）", "公务用车购置", key=path[-1] == "公务用车购置")
        a = self.b.assets
        if a.vehicles or a.office_area_m2 is not None or a.vehicle_quota is not None:
            self._stale(("assets",), "rollover.assets",
                        f"国有资产（车辆、办公用房面积、设备）仍是 {old} 年文件中的数字，请按截至 {year - 1} 年12月31日的情况核实",
                        "国有资产", key=True)
        if self.b.overview.organization:
            self._stale(("overview", "organization"), "rollover.staff",
                        f"机构设置情况（编制、在编在岗人数）仍是 {old} 年文件中的文字，请按 {year} 年的情况核实",
                        "机构设置情况", key=True)


_FIELD_WORDS = {"overview": "项目概况", "plan": "项目实施计划", "goal_period": "实施期目标",
                "goal_annual": "年度目标", "measures": "保证项目实施的制度、措施"}
