"""Chinese for the pydantic errors `check._TYPE_MSG` does not word: ranges, lengths, dates (issue 16 #19).

pydantic's own messages are English ("Input should be greater than or equal to 2000"); finance staff
read Chinese only. `message(err)` words one error dict of `ValidationError.errors()`, or returns
None for a type it does not know (the caller keeps its generic wording).
"""
from __future__ import annotations


def _n(x) -> str:
    return str(x)


def _range(typ: str, ctx: dict) -> str | None:
    if typ == "greater_than_equal":
        return f"数值应不小于 {_n(ctx.get('ge'))}"
    if typ == "greater_than":
        return f"数值应大于 {_n(ctx.get('gt'))}"
    if typ == "less_than_equal":
        return f"数值应不大于 {_n(ctx.get('le'))}"
    if typ == "less_than":
        return f"数值应小于 {_n(ctx.get('lt'))}"
    if typ == "multiple_of":
        return f"数值应为 {_n(ctx.get('multiple_of'))} 的整数倍"
    return None


_FIXED = {
    # lengths
    "string_too_short": None,          # worded below (needs min_length)
    "too_long": None,
    # dates
    "date_type": "应为日期，格式 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD（如 2025-12-31），且应是存在的日期",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不要带时刻",
    "date_past": "日期应早于今天",
    "date_future": "日期应晚于今天",
    "datetime_parsing": "日期时间格式应为 YYYY-MM-DD hh:mm:ss",
    "datetime_type": "应为日期时间",
    # numbers
    "int_from_float": "应为整数（不能有小数）",
    "int_type": "应为整数",
    "decimal_type": "应为数字",
    "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多",
    "decimal_whole_digits": "整数位数过多",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_type": "应为 true 或 false",
    "tuple_type": "应为列表，如 [三级指标, 指标值]",
    "set_type": "应为列表",
    "string_unicode": "文字编码无效",
    "union_tag_invalid": "取值不是允许的类型",
    "enum": "不是允许的值",
}


def message(err: dict) -> str | None:
    typ = err.get("type", "")
    ctx = err.get("ctx") or {}
    r = _range(typ, ctx)
    if r:
        return r
    if typ == "string_too_short":
        k = ctx.get("min_length", 1)
        return "不能为空" if k == 1 else f"文字过短（至少 {k} 字）"
    if typ == "string_too_long":
        return f"文字过长（最多 {ctx.get('max_length', '')} 字）"
    if typ == "too_short":
        k = ctx.get("min_length", 1)
        return "至少需要一项" if k == 1 else f"至少需要 {k} 项"
    if typ == "too_long":
        k = ctx.get("max_length")
        if "Tuple" in err.get("msg", "") and k == 2:
            return "应为两项：[三级指标, 指标值]；指标名称或指标值中有半角逗号“,”时，请给它加引号，或改用全角逗号“，”"
        return f"项数过多（最多 {k} 项）" if k is not None else "项数过多"
    return _FIXED.get(typ)
