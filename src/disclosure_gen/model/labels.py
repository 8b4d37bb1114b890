"""The author's words for a place in the file: Chinese labels, 1-based ordinals, the row's own words.

`describe(("economic", 2, "amount"), data)` → "第3条经济分类（30201 办公费）的金额". No message shows a
0-based path (`economic.2`), a Python class name or an English field name instead of its label.

`unknown_keys` walks the raw data along the model and finds every key the model does not know, at
any nesting level, with the nearest valid key; the finding goes at the misspelt key itself, once.
"""
from __future__ import annotations

import re
import typing
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import BaseModel

# short labels by (model class, field); fields not listed use their model title
LABELS = {
    "Budget": {
        "amount_unit": "金额单位", "style": "样式", "options": "样式选项", "agency": "单位/部门基本信息",
        "units": "预算单位", "overview": "概况", "income": "收入预算", "expenditure": "支出功能分类",
        "economic": "经济分类", "gov_fund_income": "政府性基金收入科目", "projects": "项目",
        "sangong": "“三公”经费", "running_costs": "机关运行经费", "procurement": "政府采购预算",
        "performance_overall": "整体绩效目标", "assets": "国有资产占有使用情况", "notes": "其他说明",
        "prior_year": "上年预算数", "glossary": "名词解释", "functional_names": "科目名称补充",
        "controls": "控制数", "published": "已公开文件印出的数字", "confirmed": "已核实的提示",
    },
    "Options": {"template_version": "山西样式模板版本", "thousands_in_tables": "表格金额千分位",
                "code_table": "科目表文件"},
    "Agency": {"name": "名称", "kind": "预算类型", "year": "预算年度", "code": "主管部门代码",
               "region": "地区名", "level": "财政层级", "finance_word": "名词解释中的财政层级用语",
               "supervisor": "主管单位", "publish_date": "公开日期"},
    "Unit": {"code": "单位代码", "name": "单位名称", "type": "单位类型", "funding": "经费形式",
             "short_name": "简称", "departments": "内设机构"},
    "Overview": {"duties_numbering": "职责序号样式", "duties": "主要职责", "organization": "机构设置情况"},
    "ExpLine": {"code": "科目编码", "name": "科目名称", "unit": "单位代码", "source": "资金来源",
                "carryover": "是否上年结转", "wages": "工资福利支出", "family": "对个人和家庭的补助",
                "office": "公用经费", "ops": "其他运转类项目支出", "target": "特定目标类项目支出"},
    "EconLine": {"code": "经济分类编码", "name": "科目名称", "gov": "政府经济分类编码",
                 "gov_name": "政府经济分类名称", "amount": "金额", "unit": "单位代码", "source": "资金来源",
                 "kind": "支出类型", "carryover": "是否上年结转"},
    "Project": {"code": "项目编码", "name": "项目名称", "unit": "单位代码", "type": "项目类型",
                "function": "支出功能分类科目", "amounts": "金额", "carryover": "是否上年结转项目",
                "publish_performance": "是否公开绩效目标表", "performance": "绩效目标表"},
    "Performance": {"title_name": "表上的项目名称", "attribute": "项目属性", "period_years": "项目期",
                    "funds_yuan": "项目资金（元）", "overview": "项目概况", "basis": "立项依据",
                    "necessity": "项目设立必要性", "measures": "保证项目实施的制度、措施", "plan": "项目实施计划",
                    "goal_period": "实施期目标", "goal_annual": "年度目标", "indicators": "绩效指标",
                    "indicators_annual": "年度绩效指标", "owner": "负责人", "handler": "经办人",
                    "phone": "联系电话", "filled_at": "填报日期"},
    "Funds": {"period": "实施期资金", "annual": "年度资金"},
    "FundSplit": {"中央": "中央", "省级": "省级", "市县": "市县", "自筹": "自筹", "其他": "其他"},
    "Procurement": {"goods": "货物", "works": "工程", "services": "服务"},
    "Assets": {"as_of": "截至日期", "vehicle_quota": "公务用车编制", "vehicles": "车辆",
               "office_area_m2": "办公用房面积", "equipment_50w": "50万元以上通用设备",
               "equipment_100w": "100万元以上专用设备", "vehicles_text": "车辆情况文字",
               "housing_text": "房屋情况文字", "other_text": "其他国有资产情况文字"},
    "Notes": {"purchase_services": "政府购买服务指导性目录", "other": "其他", "key_project_evaluation": "重点项目绩效评价情况",
              "special_transfer": "专项转移支付项目情况", "running_costs_use": "机关运行经费具体用途"},
    "PriorItem": {"amount": "上年数", "reason": "增减变动原因"},
    "Prior": {"total": "上年收支总计", "expenditure_total": "上年支出总计", "gpb": "上年一般公共预算",
              "fund": "上年政府性基金预算", "soe": "上年国有资本经营预算", "sangong": "上年“三公”经费合计",
              "sangong_items": "上年“三公”经费分项", "running_costs": "上年机关运行经费",
              "agency_running_costs": "上年机关（机构）运转经费"},
}

# list fields: (measure word, row noun)
ROWS = {
    "units": ("个", "预算单位"), "expenditure": ("条", "支出科目"), "economic": ("条", "经济分类"),
    "projects": ("个", "项目"), "gov_fund_income": ("条", "政府性基金收入科目"), "performance": ("张", "绩效目标表"),
    "duties": ("条", "主要职责"), "organization": ("段", "机构设置情况"), "departments": ("个", "内设机构"),
}


def label(cls_name: str, field: str) -> str:
    lab = LABELS.get(cls_name, {}).get(field)
    if lab:
        return lab
    from . import budget as model
    cls = getattr(model, cls_name, None)
    info = _fields(cls).get(field) if cls else None
    if info is not None and info.title and re.search("[\u4e00-\u9fff]", info.title):
        return info.title
    return f"“{field}”"


def row_words(noun_field: str, item) -> str:
    """The words an author recognises a row by: `30201 办公费`, a project's name."""
    if not isinstance(item, dict):
        if isinstance(item, str):
            return item[:20] + ("…" if len(item) > 20 else "")
        return ""
    code, name = item.get("code"), item.get("name")
    if noun_field == "economic" and not name and code:
        from . import codes
        name = codes.ECON_DEPT.get(str(code))
    if noun_field in ("projects",):
        return str(name or code or "")
    return " ".join(str(x) for x in (code, name) if x)


def _fields(cls) -> dict:
    """A model class's fields (the class attribute; `model_fields` is a slow descriptor in pydantic 2.11+)."""
    return getattr(cls, "__pydantic_fields__", None) or {}


_BRANCHES: dict[int, tuple] = {}


def _unwrap(ann):
    while get_origin(ann) is Annotated:
        ann = get_args(ann)[0]
    return ann


def _branches(ann):
    hit = _BRANCHES.get(id(ann))
    if hit is not None and hit[0] is ann:
        return hit[1]
    out = _branches_of(ann)
    _BRANCHES[id(ann)] = (ann, out)
    return out


def _branches_of(ann):
    ann = _unwrap(ann)
    if get_origin(ann) in (Union, getattr(typing, "UnionType", Union)) or type(ann).__name__ == "UnionType":
        return [b for b in (_unwrap(a) for a in get_args(ann)) if b is not type(None)]
    return [ann]


_PICKED: dict[tuple, tuple] = {}


def _pick(ann, value):
    """The branch of a (possibly optional / union) annotation that a value of this shape would take."""
    shape = 1 if isinstance(value, dict) else 2 if isinstance(value, list) else 0
    if shape == 0:
        return None
    hit = _PICKED.get((id(ann), shape))
    if hit is not None and hit[0] is ann:
        return hit[1]
    out = _pick_branch(ann, value)
    _PICKED[(id(ann), shape)] = (ann, out)
    return out


def _pick_branch(ann, value):
    for b in _branches(ann):
        o = get_origin(b)
        if isinstance(value, dict) and (o is dict or (isinstance(b, type) and issubclass(b, BaseModel))):
            return b
        if isinstance(value, list) and o in (list, tuple):
            return b
    return None


def model_at(path: tuple):
    """(pydantic class or None, annotation) at a data path, following the model."""
    from .budget import Budget
    ann = Budget
    for step in path:
        b = None
        for br in _branches(ann):
            if isinstance(br, type) and issubclass(br, BaseModel) and isinstance(step, str):
                f = _fields(br).get(step)
                if f is not None:
                    b = f.annotation
                    break
            o = get_origin(br)
            if o is list and isinstance(step, int):
                b = get_args(br)[0]
                break
            if o is dict and isinstance(step, str):
                b = get_args(br)[1]
                break
            if o is tuple and isinstance(step, int):
                b = str
                break
        if b is None:
            return None
        ann = b
    return ann


def describe(path: tuple, data) -> str:
    """Chinese words for a data path, e.g. 第3条经济分类（30201 办公费）的金额."""
    from .budget import Budget
    parts: list[str] = []
    node, ann, last_field = data, Budget, None
    for step in path:
        cls = next((b for b in _branches(ann) if isinstance(b, type) and issubclass(b, BaseModel)), None) \
            if ann is not None else None
        if isinstance(step, int):
            item = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
            tup = next((b for b in _branches(ann) if get_origin(b) is tuple), None) if ann is not None else None
            lst = next((b for b in _branches(ann) if get_origin(b) is list), None) if ann is not None else None
            if tup is not None:
                parts.append(("三级指标", "指标值")[step] if step in (0, 1) else f"第{step + 1}项")
            elif lst is not None and get_origin(_unwrap(get_args(lst)[0])) is tuple:
                name = item[0] if isinstance(item, list) and item else ""
                parts.append(f"第{step + 1}条指标" + (f"（{name}）" if name else ""))
            elif last_field in ROWS:
                mw, noun = ROWS[last_field]
                words = row_words(last_field, item)
                text = f"第{step + 1}{mw}{noun}" + (f"（{words}）" if words else "")
                parts[-1] = text
            else:
                parts.append(f"第{step + 1}项")
            last_field = None
        elif cls is not None and step in _fields(cls):
            parts.append(label(cls.__name__, step))
            last_field = step
        else:
            parts.append(f"“{step}”" if re.fullmatch(r"[A-Za-z0-9_.\-]+", str(step)) else str(step))
            last_field = None
        node = node.get(step) if isinstance(node, dict) else (
            node[step] if isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node) else None)
        ann = _next_ann(ann, step) if ann is not None else None
    return "的".join(parts)


def _next_ann(ann, step):
    for br in _branches(ann):
        if isinstance(br, type) and issubclass(br, BaseModel) and isinstance(step, str):
            f = _fields(br).get(step)
            if f is not None:
                return f.annotation
        o = get_origin(br)
        if o is list and isinstance(step, int):
            return get_args(br)[0]
        if o is dict and isinstance(step, str):
            return get_args(br)[1]
    return None


# ---------------------------------------------------------------------------------------------
THOUSANDS_KEY = re.compile(r"^\d{3}(?:\.\d+)?$")


class UnknownKey(typing.NamedTuple):
    path: tuple             # path of the key
    key: str
    suggestion: str | None  # nearest valid key
    message: str


def _nearest(key: str, fields: dict[str, str]) -> str | None:
    """Nearest valid key: by spelling, or a field whose Chinese label the author typed."""
    import difflib
    bare = re.sub("[“”\"'（）()]", "", key)
    for f, lab in fields.items():
        if lab and bare == re.sub("[“”\"'（）()]", "", lab):
            return f
    m = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
    if m:
        return m[0]
    low = key.lower().replace("-", "_").replace(" ", "_")
    return next((f for f in fields if f.lower() == low), None)


def unknown_keys(data) -> tuple[object, list[UnknownKey]]:
    """Every key the model does not know, anywhere; returns (data without them, the keys found).

    A thousands comma in a one-line row (`{target: 1,850.00}`) reads as the key `850.00`: it is named
    as such and the figure joined back, so the rest of the check sees the intended amount."""
    from .budget import Budget
    found: list[UnknownKey] = []

    def walk(node, ann, path):
        if ann is None:
            return node
        b = _pick(ann, node)
        if b is None:
            return node
        if isinstance(b, type) and issubclass(b, BaseModel):
            known = _fields(b)
            out = {}
            split_at: dict[str, int] = {}
            prev = None
            for k, v in node.items():
                if isinstance(k, str) and k in _fields(b):
                    out[k] = walk(v, _fields(b)[k].annotation, path + (k,))
                    prev = k
                    continue
                ks = str(k)
                if THOUSANDS_KEY.match(ks) and v in (None, "") and prev is not None and isinstance(out.get(prev), str) \
                        and re.fullmatch(r"\d{1,3}(?:,\d{3})*", out[prev].replace(" ", "")):
                    joined = out[prev] + "," + ks
                    msg = (f"“{prev}: {joined}”中的千分位逗号把数字拆开了（在一行写完的 {{…}} 记录中，"
                           f"逗号分隔字段）；请删去逗号，写成“{prev}: {joined.replace(',', '')}”")
                    if split_at.get(prev) is not None:          # 12,345,678.00: one finding for the figure
                        j = split_at[prev]
                        found[j] = found[j]._replace(message=msg)
                    else:
                        split_at[prev] = len(found)
                        found.append(UnknownKey(path + (k,), ks, prev, msg))
                    out[prev] = joined          # read on as meant (the amount reader drops the commas)
                    continue
                if "：" in ks:
                    head = ks.split("：", 1)[0].strip()
                    fields = {f: label(b.__name__, f) for f in known}
                    sug = head if head in known else _nearest(head, fields)
                    found.append(UnknownKey(path + (k,), ks, sug,
                                            f"“{ks}”中用了全角冒号“：”；字段名后应为半角冒号“:”再加一个空格"
                                            + (f"，如“{sug}: …”" if sug else "")))
                    rest = ks.split("：", 1)[1].strip().strip("\"'")
                    if sug and sug not in node and sug not in out and v in (None, "") and rest:
                        out[sug] = walk(rest, _fields(b)[sug].annotation, path + (k,))   # read on as meant
                    continue
                fields = {f: label(b.__name__, f) for f in known}
                sug = _nearest(ks, fields)
                where = describe(path, data) if path else "文件顶层"
                hint = f"是否应为 {sug}（{fields[sug]}）？" if sug else \
                    "可用的字段：" + "、".join(f"“{f}”" for f in list(_fields(b))[:30])
                found.append(UnknownKey(path + (k,), ks, sug, f"{where}中没有字段“{ks}”；{hint}"))
                if sug and sug not in node and sug not in out:
                    # read on as the author meant, so the rest of the check finds no false second error
                    out[sug] = walk(v, _fields(b)[sug].annotation, path + (k,))
            return out
        o = get_origin(b)
        if o in (list, tuple) and isinstance(node, list):
            args = get_args(b)
            if o is tuple:
                return node
            return [walk(v, args[0], path + (i,)) for i, v in enumerate(node)]
        if o is dict and isinstance(node, dict):
            kann, vann = (_unwrap(a) for a in get_args(b))
            allowed = get_args(kann) if get_origin(kann) is Literal else None
            out = {}
            for k, v in node.items():
                if allowed is not None and k not in allowed:
                    import difflib
                    sug = difflib.get_close_matches(str(k), [str(a) for a in allowed], n=1, cutoff=0.3)
                    where = describe(path, data)
                    choices = "、".join(f"“{a}”" for a in allowed)
                    found.append(UnknownKey(path + (k,), str(k), sug[0] if sug else None,
                                            f"{where}中没有“{k}”" + (f"；是否应为“{sug[0]}”？" if sug else "")
                                            + f"可用：{choices}"))
                    if sug and sug[0] not in node and sug[0] not in out and \
                            difflib.SequenceMatcher(None, str(k), sug[0]).ratio() >= 0.6:
                        out[sug[0]] = walk(v, get_args(b)[1], path + (k,))   # read on as meant
                    continue
                out[k] = walk(v, get_args(b)[1], path + (k,))
            return out
        return node

    clean = walk(data, Budget, ())
    return clean, found
