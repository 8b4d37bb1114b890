"""`disclosure-gen rollover`: next year's input file from this year's.

The file is edited with ruamel.yaml's round-trip loader, so comments, key order, quoting and flow
style survive. This year's figures (derive.Facts) become `prior_year`, the budget year moves on,
year-bound text and dates move with it, and the reasons for changes are emptied for the author.
Every change is reported (`Rollover.changes`) so the officer can see what was touched.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..check import rules as check

# free-text fields whose years follow the budget year (path patterns; * = any key / index)
YEAR_BOUND = (
    ("performance_overall",),
    ("notes", "*"),
    ("assets", "vehicles_text"), ("assets", "housing_text"), ("assets", "other_text"),
    ("agency", "publish_date"),
)
# fields where only "year-end" dates move (截至2025年12月31日, 2025年底 …)
YEAR_END_ONLY = (("overview", "organization", "*"),)

_PRIOR_TITLES = {
    "total": "上年收支总计", "expenditure_total": "上年支出总计", "gpb": "上年一般公共预算当年拨款",
    "fund": "上年政府性基金预算", "soe": "上年国有资本经营预算", "sangong": "上年“三公”经费合计",
    "running_costs": "上年机关运行经费", "agency_running_costs": "上年机关（机构）运转经费",
}
REASON_COMMENT = "请填写增减变动主要原因（无变动可留空）"


class RolloverRefused(Exception):
    """Rollover was refused; message is Chinese. status 1: errors in the data, 2: wrong use."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.status = status


@dataclass
class Rollover:
    text: str
    year_from: int
    year_to: int
    changes: list[str] = field(default_factory=list)   # what was changed, in Chinese
    todo: list[str] = field(default_factory=list)      # what the author has to fill in


class _Num(str):
    """A number written exactly as given (a plain YAML scalar, never quoted)."""


def _yaml():
    from ruamel.yaml import YAML
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    y.representer.add_representer(
        _Num, lambda r, v: r.represent_scalar("tag:yaml.org,2002:" + ("int" if v.isdigit() else "float"), str(v)))
    return y


def _fmt(amount_wan: Decimal, unit: str) -> _Num:
    """A 万元 figure written in the file's unit: 2 decimals (more only when exact needs it)."""
    d = amount_wan * 10000 if unit == "元" else Decimal(amount_wan)
    if d == 0:
        return _Num("0")
    q = d.quantize(Decimal("0.01"))
    if q == d:
        d = q
    s = format(d.normalize() if d != q else d, "f")
    return _Num(s)


def _match(path: tuple, pattern: tuple) -> bool:
    return len(path) == len(pattern) and all(p == "*" or p == x for p, x in zip(pattern, path))


_YEAR_END = re.compile(r"\s*年\s*12\s*月\s*31\s*日|\s*年底|\s*年末|\s*年期末|-12-31")


def shift_years(text: str, year: int, to: int, year_end_only: bool = False) -> str:
    """Move the budget year (e.g. 2026年 → 2027年) and last year's year-end dates
    (截至2025年12月31日, 2025年底/年末, 2025-12-31) on by `to - year`, in one pass; other years stay."""
    delta = to - year

    def move(m):
        y, rest = int(m.group(0)), text[m.end():]
        if y == year - 1 and _YEAR_END.match(rest):
            return str(y + delta)
        if y == year and not year_end_only and re.match(r"\s*年", rest):
            return str(y + delta)
        return m.group(0)

    return re.sub(r"(?<!\d)\d{4}(?!\d)", move, text)


def _walk(node, path=()):
    """(path, container, key, value) for every scalar string in a ruamel tree."""
    if isinstance(node, dict):
        for k in list(node.keys()):
            v = node[k]
            if isinstance(v, str):
                yield path + (k,), node, k, v
            else:
                yield from _walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, str):
                yield path + (i,), node, i, v
            else:
                yield from _walk(v, path + (i,))


def _label(path) -> str:
    return ".".join(str(p) for p in path)


def rollover(path: str, to: int | None = None, blank: bool = False, force: bool = False) -> Rollover:
    """Roll `path` over to year `to` (default: next year). Raises yamlsrc.InputError when the
    file is unusable and RolloverRefused when it has errors (unless `force`)."""
    from ruamel.yaml.comments import CommentedMap

    loaded = check.load(path)
    if loaded.budget is None or (loaded.errors and not force):
        raise RolloverRefused(f"{path} 有 {len(loaded.errors)} 个校验错误，未生成新文件"
                              "（上年数要从本年数据计算，请先运行 check 修正，或用 --force-errors 强制生成）")
    b, f = loaded.budget, loaded.facts
    year = b.agency.year
    to = year + 1 if to is None else int(to)
    if to <= year:
        raise RolloverRefused(f"目标年度 {to} 应晚于文件中的预算年度 {year}", status=2)
    lo, hi = _year_range()
    if not lo <= to <= hi:      # the new file would fail `check` (agency.year)
        raise RolloverRefused(f"目标年度 {to} 不在 {lo}–{hi} 之间（预算年度的允许范围）", status=2)
    unit = b.amount_unit
    y = _yaml()
    text = Path(path).read_text(encoding="utf-8-sig")
    doc = _round_trip_load(y, text)
    res = Rollover("", year, to)
    ch = res.changes.append

    # -- the budget year -------------------------------------------------------------------------
    doc["agency"]["year"] = to
    ch(f"agency.year：{year} → {to}")
    # check warns about what usually goes stale until changed or confirmed (check_rules_rollover)
    if "rolled_over_from" in doc:
        doc["rolled_over_from"] = year
    else:
        doc.insert(list(doc.keys()).index("agency") if "agency" in doc else 0, "rolled_over_from", year,
                   comment="由该年文件经 rollover 生成：check 会提示沿用上年的内容，核实后可删除这一行")
    ch(f"rolled_over_from：{year}（check 将提示沿用上年的内容，直到修改或在 confirmed 中确认）")
    if "confirmed" in doc:
        del doc["confirmed"]
        ch(f"confirmed：已删除（{year} 年的核实不适用于新年度）")
    if to != year + 1:
        res.todo.append(f"目标年度 {to} 不是 {year} 的下一年：prior_year 中的“上年数”取的是 {year} 年的数字，请核实")

    # -- this year's figures become prior_year ---------------------------------------------------------
    t = f.total
    figures: dict[str, Decimal] = {
        "total": f.income_total,
        "gpb": t("all", "gpb", False),
        "fund": t("all", "fund", False),
        "soe": t("all", "soe", False),
        "sangong": f.sangong_amount("合计"),
        # two concepts, one field each: Shanxi's 机关运行经费 (typed per unit, 行政 and 参公 units) and
        # Henan's 机关（机构）运转经费 (the general-budget 公用经费 of all units)
        "running_costs": f.running_costs_total,
        "agency_running_costs": f.total("office", "gpb", False),
    }
    if f.expenditure_total != f.income_total:
        figures["expenditure_total"] = f.expenditure_total
    old_prior = doc.get("prior_year")
    prior = old_prior if isinstance(old_prior, CommentedMap) else CommentedMap()
    for key in ("total", "expenditure_total", "gpb", "fund", "soe", "sangong", "running_costs", "agency_running_costs"):
        if key in figures:
            # zero items the old file did not have need no reason line
            prior[key] = _prior_item(figures[key], unit, flow=figures[key] == 0 and key not in prior)
            _set_comment(prior, key, f"{_PRIOR_TITLES[key]}（{year} 年数）")
            ch(f"prior_year.{key}（{_PRIOR_TITLES[key]}）= {year} 年数 {_fmt(figures[key], '万元')} 万元")
        elif key in prior:
            del prior[key]
            ch(f"prior_year.{key}：已删除（{year} 年收入总计与支出总计相同）")
    if b.sangong or b.prior_year.sangong_items:
        items = CommentedMap()
        old_items = prior.get("sangong_items") or {}
        for item in ("因公出国", "公务接待", "公务用车购置", "公务用车运行"):
            amount = f.sangong_amount(item)
            items[item] = _prior_item(amount, unit, flow=amount == 0 and item not in old_items)
        prior["sangong_items"] = items
        ch("prior_year.sangong_items（上年“三公”经费分项）= " + "、".join(
            f"{i} {_fmt(f.sangong_amount(i), '万元')}" for i in items))
    if old_prior is None:
        doc["prior_year"] = prior
    from . import rollover_forms   # the declaration forms' earlier years, per-项 prior figures
    rollover_forms.apply(doc, f, year, to, unit, ch, res, _prior_item, _fmt, _set_comment)
    res.todo.append("prior_year 各项的 reason：增减变动主要原因")

    # -- year-bound text and dates move on ---------------------------------------------------------------
    assets = doc.get("assets")
    if isinstance(assets, dict) and isinstance(assets.get("as_of"), dt.date):
        old = assets["as_of"]
        new = _add_years(old, to - year)
        assets["as_of"] = new
        _shift_comment(assets, "as_of", year, to)
        ch(f"assets.as_of：{old.isoformat()} → {new.isoformat()}")
    for p, container, key, value in list(_walk(doc)):
        new = value
        if any(_match(p, pat) for pat in YEAR_BOUND):
            new = shift_years(value, year, to)
        elif any(_match(p, pat) for pat in YEAR_END_ONLY):
            new = shift_years(value, year, to, year_end_only=True)
        elif _match(p, ("projects", "*", "name")) or p[-1] == "title_name" or p[-1] == "goal_annual":
            # a project named after its budget year (2026年…项目) and the annual goal
            new = shift_years(value, year, to) if re.match(rf"\s*{year}\s*年", value) or p[-1] == "goal_annual" else value
        elif p[-1] == "filled_at" and value:
            container[key] = ""
            ch(f"{_label(p)}：已清空（原为 {value}，绩效目标表填报日期）")
            res.todo.append(f"{_label(p)}：绩效目标表填报日期")
            continue
        if new != value:
            container[key] = new
            _shift_comment(container, key, year, to)
            ch(f"{_label(p)}：{value} → {new}")

    # -- blocks that only held for this year --------------------------------------------------------------
    for key in ("controls", "published"):
        if key in doc:
            del doc[key]
            ch(f"{key}：已删除（{year} 年的核对数字）")

    if blank:
        n = _blank(doc)
        ch(f"金额：已将 {n} 个金额清零（--blank）")
        res.todo.append("全部金额：按新年度预算填写")
    else:
        res.todo.append(f"全部金额：目前仍为 {year} 年数，请按 {to} 年预算逐项修改")

    out = io.StringIO()
    y.dump(doc, out)
    res.text = _header(out.getvalue(), year, to, Path(path).name)
    return res


def _year_range() -> tuple[int, int]:
    """agency.year's bounds, as the model states them (ge/le of the field)."""
    from ..model.budget import Agency
    lo, hi = 2000, 2100
    for m in Agency.model_fields["year"].metadata:
        lo = getattr(m, "ge", None) or lo
        hi = getattr(m, "le", None) or hi
    return lo, hi


def _round_trip_load(y, text: str):
    """ruamel's round-trip load, its refusals in Chinese: it is stricter than the checking reader
    (libyaml) about a Tab after or inside a plain value, and refuses duplicate keys even with
    --force-errors. Raises yamlsrc.InputError with the line and column."""
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import YAMLError

    from ..reading.yamlsrc import InputError
    try:
        return y.load(text)
    except DuplicateKeyError as e:
        mark = e.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        key = ""
        m = re.search(r'found duplicate key "([^"]*)"', str(e.problem or ""))
        if m:
            key = f"“{m.group(1)}”"
        raise InputError(f"字段{key}重复出现：rollover 无法判断保留哪一个，请先删除重复的一项（check 同样报告此错误）",
                         line, col) from None
    except YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        bad = text.split("\n")[line - 1] if line else ""
        if "\t" in bad or "'\\t'" in str(getattr(e, "problem", "")):
            raise InputError("此行含有制表符（Tab）：rollover 保留注释和格式时不能处理值后或值中的制表符，"
                             "请把制表符改为空格后重试", line, col) from None
        raise InputError("rollover 无法按原格式读取此处（YAML 写法过于特殊），请改为常见写法后重试", line, col) from None


_PRIOR_NOTE = "# 上年数由 disclosure-gen rollover 按 {year} 年数据生成；每项的 reason 请填写增减变动主要原因。"
_SOURCE_NOTE = "# 由 {name} 经 disclosure-gen rollover 生成：{year} 年的数字已作为上年数（prior_year）。"


def _comment_tokens(container, key):
    ca = getattr(container, "ca", None)
    if ca is None or key not in ca.items:
        return []
    return [t for t in ca.items[key] if t is not None and hasattr(t, "value")]


def _shift_comment(container, key, year: int, to: int) -> None:
    """Move the years of the end-of-line comment of a value that moved on (# 2025年期末 …)."""
    for tok in _comment_tokens(container, key):
        tok.value = shift_years(tok.value, year, to)


def _set_comment(container, key, text: str) -> None:
    """Replace the end-of-line comment of `key` (the old one described last year's arithmetic)."""
    ca = getattr(container, "ca", None)
    if ca is not None:
        ca.items.pop(key, None)
    container.yaml_add_eol_comment(text, key, column=40)


def _prior_item(amount_wan: Decimal, unit: str, flow: bool = False):
    from ruamel.yaml.comments import CommentedMap
    m = CommentedMap()
    m["amount"] = _fmt(amount_wan, unit)
    if flow:
        m.fa.set_flow_style()
    else:
        m["reason"] = None
        m.yaml_add_eol_comment(REASON_COMMENT, "reason")
    return m


def _add_years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:          # 29 February
        return d.replace(year=d.year + n, day=28)


_AMOUNT_KEYS = {"wages", "family", "office", "ops", "target"}


def _blank(doc) -> int:
    """Set every amount to 0; returns how many were changed."""
    n = 0

    def zero(container, key):
        nonlocal n
        v = container[key]
        if isinstance(v, dict):
            for k in v:
                zero(v, k)
            return
        if v is None or str(v).strip() in ("0", ""):
            return
        container[key] = _Num("0")
        n += 1

    for ln in doc.get("expenditure") or []:
        for k in _AMOUNT_KEYS & set(ln):
            zero(ln, k)
    for ln in (doc.get("economic") or []) + (doc.get("gov_fund_income") or []):
        if "amount" in ln:
            zero(ln, "amount")
    for p in doc.get("projects") or []:
        if "amounts" in p:
            zero(p, "amounts")
        perfs = p.get("performance")
        for perf in perfs if isinstance(perfs, list) else [perfs] if perfs else []:
            if isinstance(perf, dict) and isinstance(perf.get("funds_yuan"), dict):
                zero(perf, "funds_yuan")
    for key in ("income", "sangong", "running_costs", "procurement"):
        if isinstance(doc.get(key), dict):
            zero(doc, key)
    return n


def _header(text: str, year: int, to: int, source_name: str) -> str:
    """Move the year of the leading comment block and say where the file came from."""
    lines = [ln for ln in text.split("\n") if not re.match(r"# (上年数由|由 .* 经) disclosure-gen rollover", ln)]
    for j, ln in enumerate(lines):
        if ln.startswith("prior_year:"):
            lines.insert(j, _PRIOR_NOTE.format(year=year))
            break
    i = 0
    while i < len(lines) and (lines[i].startswith("#") or not lines[i].strip()):
        i += 1
    head = []
    for ln in lines[:i]:
        if "数据来源" in ln:     # the old file's provenance no longer holds
            ln = re.sub(r"\s*(——|--|-|，|,|；|;)?\s*数据来源[:：].*$", "", ln)
            if ln.strip() in ("", "#"):
                continue
        if not ln.startswith("# yaml-language-server"):
            ln = re.sub(rf"(?<!\d){year}(?=\s*年)", str(to), ln)
        head.append(ln)
    note = _SOURCE_NOTE.format(name=source_name, year=year)
    at = 1 if head and head[0].startswith("# yaml-language-server") else 0
    head.insert(at + 1 if len(head) > at and head[at].startswith("#") else at, note)
    return "\n".join(head + lines[i:])


