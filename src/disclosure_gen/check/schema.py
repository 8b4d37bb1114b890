"""Schema findings in the author's words: unknown keys at the key itself with the nearest valid key,
pydantic's errors with Chinese labels, 1-based ordinals and the valid choices; one finding per slip.
"""
from __future__ import annotations

import re
from typing import Literal, get_args

from ..model import labels

ERROR, WARNING = "error", "warning"

_TYPE_MSG = {
    "int_parsing": "应为整数，而不是“{input}”",
    "decimal_parsing": "应为数字，而不是“{input}”",
    "bool_parsing": "应为 true（是）或 false（否），而不是“{input}”",
    "dict_type": "应为“字段: 值”的映射",
    "model_type": "应为“字段: 值”的映射",
    "list_type": "应为列表（每项以“- ”开头）",
    "tuple_type": "应为 [名称, 值] 两项",
    "too_long": "应为 [名称, 值] 两项；名称或值中有半角逗号“,”时，请给它加引号，或改用全角逗号“，”",
    "string_type": "应为文字（以“[”“{{”开头或含有“: ”的文字请给整段加引号）",
    "too_short": "至少需要一项",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD，如 2025-12-31",
    "date_parsing": "日期格式应为 YYYY-MM-DD，如 2025-12-31",
    "date_type": "日期格式应为 YYYY-MM-DD，如 2025-12-31",
    "int_parsing_size": "整数位数过多",
    "finite_number": "应为有限的数字",
    "string_too_long": "文字过长（最多 {max_length} 字）",
    "string_too_short": "不能为空",
}

# pydantic appends union branch names and validator markers to loc
_MARKER = re.compile(r"^(?:function-|list\[|dict\[|tuple\[|literal\[|nullable\[|constrained-|lax-|json-or-python)")
_BRANCH_NAMES = {"list", "dict", "tuple", "str", "int", "decimal", "bool", "float", "date", "[key]"}


def _model_names() -> set[str]:
    from ..model import budget as model
    return {n for n, v in vars(model).items() if isinstance(v, type) and getattr(v, "__pydantic_fields__", None)}


def _is_marker(x) -> bool:
    """A union branch or validator name pydantic put into an error's loc (not a key of the author's data)."""
    return isinstance(x, str) and (bool(_MARKER.match(x)) or x in _BRANCH_NAMES or x in _model_names())


def value_at(data, loc):
    """The value at `loc` in the data as typed, or None."""
    node = data
    for step in loc:
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return None
    return node


def _branch_fits(marker: str, value) -> bool:
    """Whether the union branch named by `marker` is the one a value of this shape takes."""
    is_list = marker.startswith("list[") or marker == "list"
    is_map = marker.startswith("dict[") or marker == "dict" or marker in _model_names()
    if isinstance(value, list):
        return is_list
    if isinstance(value, dict):
        return is_map
    return not (is_list or is_map)


def _choices(expected: str) -> str:
    vals = re.findall(r"'([^']*)'", expected)
    return "、".join(f"“{v}”" for v in vals) if vals else expected


def schema_findings(errors: list[dict], data, at, suppressed: set[tuple]) -> None:
    """Report pydantic errors; `suppressed` holds (mapping path, field) a misspelt key already explains.

    A file that fails validation always gets at least one error (the first, in plain words)."""
    reported = []

    def counted(*a, **k):
        reported.append(a)
        at(*a, **k)

    _schema_findings(errors, data, counted, suppressed)
    if not reported and errors and not suppressed:
        loc = tuple(x for x in errors[0]["loc"] if not _is_marker(x))
        where = labels.describe(loc, data)
        at(loc, ERROR, "schema.type", f"{where}：写法不对，请对照 docs/format.md 核对" if where else "写法不对")


def _schema_findings(errors: list[dict], data, at, suppressed: set[tuple]) -> None:
    seen = set()
    # keep only the union branch the value's shape takes: a dict performance table is not "应为列表";
    # when no branch fits (a text where a table or a list of tables belongs) keep the first error only.
    # An error lies in one branch of every union around it (a performance table's indicator group is a
    # union inside the union of one table or a list of tables): each of those levels is looked at.
    levels, shape = [], []
    for err in errors:
        loc = tuple(err["loc"])
        lv = []                 # (union location, whether this error's branch fits there)
        for i, x in enumerate(loc):
            if isinstance(x, str) and _is_marker(x) and x != "[key]":
                where = tuple(y for y in loc[:i] if not _is_marker(y))
                lv.append((where, _branch_fits(x, value_at(data, where))))
        levels.append(lv)
        shape.append(err["type"] in ("list_type", "dict_type", "model_type", "decimal_parsing", "value_error"))
    fitting = {w for lv in levels for w, fits in lv if fits}
    first_of: dict[tuple, int] = {}
    for n, lv in enumerate(levels):
        for w, _fits in lv if shape[n] else ():
            first_of.setdefault(w, n)
    for n, err in enumerate(errors):
        if shape[n] and any(not fits and (w in fitting or first_of[w] != n) for w, fits in levels[n]):
            continue
        loc = tuple(err["loc"])
        data_loc = tuple(x for x in loc if not _is_marker(x))
        typ = err["type"]
        field = data_loc[-1] if data_loc else ""
        if typ == "missing":
            if (data_loc[:-1], field) in suppressed:
                continue
            parent = data_loc[:-1]
            where = labels.describe(parent, data)
            if isinstance(field, int):      # a position of a pair such as [三级指标, 指标值]
                got = value_at(data, parent)
                part = (("三级指标", "指标值")[field] if field < 2 and any(
                    k in ("indicators", "indicators_annual") for k in parent) else f"第 {field + 1} 项")
                msg = (f"{where}只写了 {len(got) if isinstance(got, list) else 0} 项，缺少{part}"
                       + ("（写成 [三级指标, 指标值]，如 [满意度, ≥95%]）" if part in ("三级指标", "指标值") else ""))
            else:
                cls = labels.model_at(parent)
                owner = next((b.__name__ for b in labels._branches(cls) if labels._fields(b)), "") if cls else ""
                lab = labels.label(owner, str(field)) if owner else f"“{field}”"
                msg = f"{where}缺少必填字段“{field}”（{lab.strip('“”')}）"
                ann = labels.model_at(data_loc)
                lit = next((b for b in labels._branches(ann) if getattr(b, "__origin__", None) is Literal), None) \
                    if ann is not None else None
                if lit is not None:
                    msg += "；可选：" + "、".join(f"“{a}”" for a in get_args(lit))
            key = (ERROR, "schema.missing", parent, msg)
            if key not in seen:
                seen.add(key)
                at(parent, ERROR, "schema.missing", msg)
            continue
        if typ == "extra_forbidden":
            continue   # labels.unknown_keys reported it at the key, with the nearest valid key
        rule = "schema.value" if typ in ("value_error", "assertion_error") else "schema.type"
        ctx = err.get("ctx", {}) or {}
        inp = err.get("input")
        if isinstance(inp, (dict, list)):
            inp = "…"
        elif isinstance(inp, str) and len(inp) > 40:   # a pasted page would otherwise fill the terminal
            inp = inp[:40] + "…"
        if typ == "value_error":
            msg = str(ctx.get("error", err["msg"]))
        elif typ == "literal_error":
            msg = f"“{inp}”不是可选的值；可选：{_choices(str(ctx.get('expected', '')))}"
        elif typ in _TYPE_MSG:
            msg = _TYPE_MSG[typ].format(input=inp, max_length=ctx.get("max_length", ""))
        elif typ.startswith(("greater_than", "less_than")):
            bound = ctx.get("gt", ctx.get("ge", ctx.get("lt", ctx.get("le", ""))))
            word = {"greater_than": "大于", "greater_than_equal": "不小于", "less_than": "小于",
                    "less_than_equal": "不大于"}.get(typ, "在范围内")
            msg = f"应{word} {bound}，而不是“{inp}”"
        else:
            from . import zh_pydantic   # lengths, dates, ranges pydantic words in English
            msg = zh_pydantic.message(err) or f"取值“{inp}”无效"
        where = labels.describe(data_loc, data)
        text = f"{where}：{msg}" if where else msg
        key = (rule, data_loc, text)
        if key in seen:
            continue
        seen.add(key)
        at(data_loc, ERROR, rule, text)


def unknown_key_findings(data, at) -> tuple[object, set[tuple]]:
    """Report every unknown key at its own line; returns the data without them and the suppressions."""
    clean, found = labels.unknown_keys(data)
    suppressed = set()
    for u in found:
        at(u.path, ERROR, "schema.unknown-key", u.message, True)
        if u.suggestion:
            suppressed.add((u.path[:-1], u.suggestion))
    return clean, suppressed
