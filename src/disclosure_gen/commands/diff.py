"""`disclosure-gen diff`: what changed between two revisions of an input file, in the terms a
finance officer reads.

Three levels, each computed independently so that one can be checked against the others:
  data    the typed values that differ (rows matched by code, projects by name), labelled with
          the Chinese field titles of the model;
  tables  every printed table cell that differs (old → new), found by rendering both files to
          HTML with the style's own templates (render.render_html — no PDF) and reading the tables
          back: a cell is named by its row (code and name, or item) and its column headings;
  text    every sentence of the running text (情况说明, 概况 …) that differs, with its section.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

from ..check import rules as check
from ..reading import yamlsrc


@dataclass
class DataChange:
    path: str
    label: str
    old: str | None
    new: str | None


@dataclass
class CellChange:
    table: str
    row: str
    column: str
    old: str
    new: str


@dataclass
class TextChange:
    section: str
    old: str | None
    new: str | None


@dataclass
class Diff:
    old_path: str
    new_path: str
    style: str | None = None
    data: list[DataChange] = field(default_factory=list)
    tables: list[CellChange] = field(default_factory=list)
    text: list[TextChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # why a level could not be compared

    @property
    def empty(self) -> bool:
        return not (self.data or self.tables or self.text)

    def as_dict(self) -> dict:
        return {"old": self.old_path, "new": self.new_path, "style": self.style,
                "data": [asdict(c) for c in self.data], "tables": [asdict(c) for c in self.tables],
                "text": [asdict(c) for c in self.text], "notes": self.notes}


# =============================================================================================
# data level
# =============================================================================================
# how list items are matched between revisions (instead of by position)
_ITEM_KEYS = {
    "units": ("code",), "expenditure": ("unit", "code", "source", "carryover"),
    "economic": ("unit", "code", "gov", "source", "kind", "carryover"),
    "projects": ("name",), "gov_fund_income": ("code",),
}
_SECTION_TITLES = {
    "amount_unit": "金额单位", "style": "样式", "options": "样式选项", "agency": "单位/部门信息",
    "units": "预算单位", "overview": "概况", "income": "收入预算", "expenditure": "支出功能分类",
    "economic": "基本支出经济分类", "gov_fund_income": "政府性基金收入", "projects": "项目",
    "sangong": "“三公”经费", "running_costs": "机关运行经费", "procurement": "政府采购预算",
    "performance_overall": "整体绩效目标", "assets": "国有资产", "notes": "其他说明",
    "prior_year": "上年预算数", "glossary": "名词解释", "functional_names": "科目名称补充",
    "controls": "控制数", "published": "已公开数字",
}


def _titles():
    """{(model class name, field): Chinese title} from the pydantic model and schema texts."""
    from ..model import budget as model
    from . import schema
    out = {}
    for name in dir(model):
        cls = getattr(model, name)
        if isinstance(cls, type) and issubclass(cls, model.Strict) and cls is not model.Strict:
            for fname, info in cls.model_fields.items():
                t = schema.FIELDS.get((cls.__name__, fname)) or info.title
                if t:
                    out[(cls.__name__, fname)] = t
    return out


def _submodel(cls, fname):
    """The model class a field of `cls` holds (through Optional/list/Union), or None."""
    import typing

    from pydantic import BaseModel
    if cls is None or fname not in getattr(cls, "model_fields", {}):
        return None
    todo = [cls.model_fields[fname].annotation]
    while todo:
        t = todo.pop()
        if isinstance(t, type) and issubclass(t, BaseModel):
            return t
        todo.extend(typing.get_args(t))
    return None


def _num(s):
    try:
        return Decimal(str(s).replace(",", "").replace("，", "").strip())
    except (InvalidOperation, ValueError):
        return None


def _same(a, b) -> bool:
    if a == b or (a in (None, "") and b in (None, "")):
        return True
    na, nb = _num(a), _num(b)
    return na is not None and nb is not None and na == nb


def _item_key(section, item, index):
    keys = _ITEM_KEYS.get(section)
    if keys and isinstance(item, dict):
        return tuple(str(item.get(k) or "") for k in keys)
    return (index,)


def _item_label(section, item, index):
    if isinstance(item, dict):
        if section == "projects":
            return f"“{item.get('name', '')}”"
        bits = [str(item[k]) for k in ("code", "name") if item.get(k)]
        if section == "economic":
            from ..model import codes
            if not item.get("name") and item.get("code") in codes.ECON_DEPT:
                bits.append(codes.ECON_DEPT[item["code"]])
            if item.get("gov"):
                bits.append(f"→ {item['gov']} {item.get('gov_name') or codes.ECON_GOV.get(item['gov'], '')}".rstrip())
        for k in ("unit", "source"):
            if item.get(k) and (k != "source" or item[k] != "一般公共预算"):
                bits.append(f"（{item[k]}）")
        if str(item.get("carryover", "")).lower() == "true":
            bits.append("（上年结转）")
        if bits:
            return " ".join(bits)
    return f"第 {index + 1} 项"


def data_changes(old, new) -> list[DataChange]:
    """Typed values that differ between two raw YAML trees (strings as typed)."""
    from ..model import budget as model
    titles = _titles()
    out: list[DataChange] = []

    def leaf(path, labels, a, b):
        if _same(a, b):
            return
        out.append(DataChange(".".join(str(p) for p in path), " · ".join(x for x in labels if x),
                              None if a is None else str(a), None if b is None else str(b)))

    def walk(path, labels, cls, a, b):
        if isinstance(a, dict) or isinstance(b, dict):
            a = a if isinstance(a, dict) else {}
            b = b if isinstance(b, dict) else {}
            for k in list(a) + [k for k in b if k not in a]:
                t = titles.get((cls.__name__, k)) if cls else None
                if not path:
                    t = _SECTION_TITLES.get(k, t)
                walk(path + (k,), labels + [t or str(k)], _submodel(cls, k), a.get(k), b.get(k))
        elif isinstance(a, list) or isinstance(b, list):
            a = a if isinstance(a, list) else []
            b = b if isinstance(b, list) else []
            section = path[0] if len(path) == 1 else None
            ka = {_item_key(section, it, i): (i, it) for i, it in enumerate(a)}
            kb = {_item_key(section, it, i): (i, it) for i, it in enumerate(b)}
            if len(ka) != len(a) or len(kb) != len(b):      # duplicate keys: fall back to positions
                ka = {(i,): (i, it) for i, it in enumerate(a)}
                kb = {(i,): (i, it) for i, it in enumerate(b)}
            for key in list(ka) + [k for k in kb if k not in ka]:
                ia, ita = ka.get(key, (None, None))
                ib, itb = kb.get(key, (None, None))
                idx = ib if ib is not None else ia
                label = _item_label(section, itb if itb is not None else ita, idx)
                if ita is None or itb is None:
                    leaf(path + (idx,), labels + [label], _brief(ita), _brief(itb))
                else:
                    walk(path + (idx,), labels + [label], cls, ita, itb)
        else:
            leaf(path, labels, a, b)

    walk((), [], model.Budget, old, new)
    return out


def _brief(item):
    if item is None:
        return None
    if isinstance(item, dict):
        return "{" + ", ".join(f"{k}: {_brief(v)}" for k, v in item.items() if not isinstance(v, (dict, list))) + "}"
    if isinstance(item, list):
        return "[" + ", ".join(str(_brief(x)) for x in item) + "]"
    return str(item)


# =============================================================================================
# reading a rendered document back: tables and running text
# =============================================================================================
@dataclass
class Cell:
    tag: str
    cls: str
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class Table:
    block: str          # id of the enclosing table block
    title: str
    head: list[list[Cell]] = field(default_factory=list)
    body: list[list[Cell]] = field(default_factory=list)


@dataclass
class Paragraph:
    section: str
    text: str


class _Reader(HTMLParser):
    SKIP_SECTIONS = ("cover", "toc")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.paragraphs: list[Paragraph] = []
        self.toc: dict[str, str] = {}
        self.headings = ["", "", ""]
        self._stack: list[tuple[str, dict]] = []
        self._text: list[str] | None = None
        self._cell: Cell | None = None
        self._row: list[Cell] | None = None
        self._table: Table | None = None
        self._in_head = False
        self._block: dict | None = None
        self._href: str | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag in ("br",):
            if self._text is not None:
                self._text.append("\n")
            return
        self._stack.append((tag, a))
        if tag == "section" and any(c in cls.split() for c in self.SKIP_SECTIONS):
            self._skip += 1
        if tag == "div" and "table-block" in cls.split():
            self._block = {"id": a.get("id", ""), "label": "", "title": "", "subtitle": ""}
        elif tag == "a" and a.get("href", "").startswith("#"):
            self._href = a["href"][1:]
            self._text = []
        elif tag in ("h1", "h2", "h3", "p", "li", "figcaption") and self._table is None:
            self._text = []
        elif tag == "table":
            b = self._block or {}
            title = " ".join(x for x in (b.get("label"), b.get("title"), b.get("subtitle")) if x)
            self._table = Table(b.get("id", ""), title or self.headings[-1] or "表格")
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = Cell(tag, cls, "", int(a.get("colspan") or 1), int(a.get("rowspan") or 1))
            self._text = []

    def handle_endtag(self, tag):
        if tag == "br":
            return
        attrs = {}
        while self._stack:
            t, a = self._stack.pop()
            if t == tag:
                attrs = a
                break
        cls = attrs.get("class") or ""
        text = _clean("".join(self._text)) if self._text is not None else ""
        if tag == "section" and any(c in cls.split() for c in self.SKIP_SECTIONS):
            self._skip -= 1
        if tag == "a" and self._href is not None:
            self.toc.setdefault(self._href, text)
            self._href, self._text = None, None
        elif tag in ("td", "th") and self._cell is not None:
            self._cell.text = text
            self._row.append(self._cell)
            self._cell, self._text = None, None
        elif tag == "tr" and self._row is not None:
            (self._table.head if self._in_head else self._table.body).append(self._row)
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None
        elif tag == "div" and self._block is not None and "table-block" in cls.split():
            self._block = None
        elif tag in ("h1", "h2", "h3") and self._text is not None and self._table is None:
            level = int(tag[1]) - 1
            self.headings[level:] = [text] + [""] * (2 - level)
            self._text = None
        elif tag in ("p", "li", "figcaption") and self._text is not None and self._table is None:
            self._text = None
            if self._block is not None:         # table label, title, unit line, note
                for key in ("label", "title", "subtitle"):
                    if f"table-{key}" in cls.split():
                        self._block[key] = text
                return
            if text and not self._skip:
                self.paragraphs.append(Paragraph(" › ".join(h for h in self.headings if h), text))

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def _clean(s: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", s).strip()


def read_document(html: str) -> _Reader:
    r = _Reader()
    r.feed(html)
    r.close()
    return r


_YEAR = re.compile(r"(19|20)\d\d(?=\s*年)")
_NUMERIC = re.compile(r"[-+]?[\d,]+(\.\d+)?%?")


def _is_value(c: Cell) -> bool:
    if c.tag == "th":
        return False
    if "num" in c.cls.split():
        return True
    return "code" not in c.cls.split() and bool(_NUMERIC.fullmatch(c.text))


def _grid(rows: list[list[Cell]]):
    """Expand row/column spans: per row, (column, cell, is_origin) for each distinct cell covering
    the row, in column order; a cell spanning down from an earlier row has is_origin False."""
    taken: dict[int, dict[int, tuple[Cell, int, int]]] = {}
    out = []
    for r, row in enumerate(rows):
        mine = taken.setdefault(r, {})
        c = 0
        for cell in row:
            while c in mine:
                c += 1
            for dr in range(cell.rowspan):
                slots = taken.setdefault(r + dr, {})
                for dc in range(cell.colspan):
                    slots[c + dc] = (cell, r, c)
            c += cell.colspan
        seen = {}
        for _c, (cell, r0, c0) in sorted(mine.items()):
            seen.setdefault(id(cell), (c0, cell, r0 == r))
        out.append(sorted(seen.values(), key=lambda x: x[0]))
        del taken[r]
    return out


def _column_labels(head: list[list[Cell]]) -> dict[int, str]:
    labels: dict[int, list[str]] = {}
    for row in _grid(head):
        for c, cell, _origin in row:
            text = cell.text
            if not text or text.isdigit():          # column numbers 1 2 3 …
                continue
            for cc in range(c, c + cell.colspan):
                lst = labels.setdefault(cc, [])
                if not lst or lst[-1] != text:
                    lst.append(text)
    return {c: " ".join(v) for c, v in labels.items()}


def table_cells(t: Table) -> dict[tuple, tuple[str, str, str]]:
    """{key: (row label, column label, value)} for every value cell of a table."""
    cols = _column_labels(t.head)
    out: dict[tuple, tuple[str, str, str]] = {}
    seen: dict[tuple, int] = {}
    for row in _grid(t.body):
        run: list[str] = []
        after_value = False
        for c, cell, origin in row:
            if _is_value(cell):
                after_value = True
                if not origin:
                    continue
                label = " ".join(run)
                col = cols.get(c, f"第{c + 1}列" if t.head else "")
                key = (_YEAR.sub("####", label), _YEAR.sub("####", col))   # same cell across budget years
                n = seen[key] = seen.get(key, 0) + 1
                out[key + (n,)] = (label, col, cell.text)
            else:
                if after_value:
                    run, after_value = [], False
                if cell.text:
                    run.append(cell.text)
    return out


def _text_rows(t: Table) -> list[str]:
    """The label (non-figure) text of each body row, for tables without column headings."""
    rows = []
    for row in t.body:
        bits = [c.text for c in row if not _is_value(c) and c.text]
        rows.append(" | ".join(bits))
    return rows


def _table_keys(doc: _Reader) -> dict[str, Table]:
    """Tables keyed so that the same table matches across revisions (and budget years)."""
    base = [(_YEAR.sub("####", t.title), t) for t in doc.tables]
    counts: dict[str, int] = {}
    for k, _t in base:
        counts[k] = counts.get(k, 0) + 1
    out = {}
    for k, t in base:
        if counts[k] > 1:                       # e.g. one performance table per project
            first = next((" ".join(c.text for c in row) for row in t.body if any(c.text for c in row)), "")
            k = k + "｜" + _YEAR.sub("####", first)
        while k in out:
            k += "'"
        out[k] = t
    return out


def _display_title(doc: _Reader, t: Table) -> str:
    name = doc.toc.get(t.block) if t.block else None
    if name:
        return re.sub(r"^(表[一二三四五六七八九十]+)(?=\S)", r"\1 ", name)
    return t.title


def table_changes(old: _Reader, new: _Reader) -> list[CellChange]:
    out: list[CellChange] = []
    to, tn = _table_keys(old), _table_keys(new)
    for key in list(tn) + [k for k in to if k not in tn]:
        a, b = to.get(key), tn.get(key)
        title = _display_title(new if b is not None else old, b if b is not None else a)
        ca = table_cells(a) if a is not None else {}
        cb = table_cells(b) if b is not None else {}
        for k in list(cb) + [k for k in ca if k not in cb]:
            va = ca.get(k, ("", "", ""))[2]
            vb = cb.get(k, ("", "", ""))[2]
            if va != vb:
                label, col, _v = cb.get(k) or ca.get(k)
                out.append(CellChange(title, label, col, va, vb))
        if (a is None or not a.head) and (b is None or not b.head):
            ra = _text_rows(a) if a is not None else []
            rb = _text_rows(b) if b is not None else []
            for o, n in _pair_changes(ra, rb):
                out.append(CellChange(title, "（文字）", "", o or "", n or ""))
    return out


_SENTENCE = re.compile(r"[^。；;！？!?]*[。；;！？!?]?")


def sentences(paragraphs: list[Paragraph]) -> list[tuple[str, str]]:
    out = []
    for p in paragraphs:
        for s in _SENTENCE.findall(p.text):
            s = s.strip()
            if s:
                out.append((p.section, s))
    return out


def _pair_changes(a: list[str], b: list[str]):
    """(old, new) pairs of a sequence diff; None on the side where an item was added/removed."""
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            yield (olds[k] if k < len(olds) else None), (news[k] if k < len(news) else None)


def text_changes(old: _Reader, new: _Reader) -> list[TextChange]:
    sa, sb = sentences(old.paragraphs), sentences(new.paragraphs)
    out = []
    sm = difflib.SequenceMatcher(a=[s for _h, s in sa], b=[s for _h, s in sb], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        olds, news = sa[i1:i2], sb[j1:j2]
        for k in range(max(len(olds), len(news))):
            o = olds[k] if k < len(olds) else None
            n = news[k] if k < len(news) else None
            section = (n or o)[0]
            out.append(TextChange(section, o[1] if o else None, n[1] if n else None))
    return out


# =============================================================================================
def diff_files(old_path: str, new_path: str, style: str | None = None) -> Diff:
    """Compare two input files. Raises yamlsrc.InputError when either is unusable."""
    loaded_src = []
    for path in (old_path, new_path):
        try:
            loaded_src.append(yamlsrc.load(path))
        except yamlsrc.InputError as e:
            e.path = path           # say which of the two files is unusable
            raise
    so, sn = loaded_src
    d = Diff(old_path, new_path)
    d.data = data_changes(so.data, sn.data)
    lo, ln = check.load(old_path), check.load(new_path)
    if lo.budget is None or ln.budget is None:
        bad = old_path if lo.budget is None else new_path
        d.notes.append(f"{bad} 不符合数据格式（先运行 check），只比较了数据，未比较表格和情况说明")
        return d
    from ..render import document as render
    style = style or ln.budget.style
    d.style = style
    if style not in render.available_styles(new_path):
        d.notes.append(f"样式“{style}”的模板不存在，只比较了数据，未比较表格和情况说明")
        return d
    try:
        ho, _a, _d = render.render_html(lo.facts, style, draft=bool(lo.errors), input_path=new_path)
        hn, _a, _d = render.render_html(ln.facts, style, draft=bool(ln.errors), input_path=new_path)
    except Exception as e:      # a template that cannot cope with the data must not hide the data diff
        d.notes.append(f"按样式“{style}”生成文档失败（{type(e).__name__}: {e}），只比较了数据")
        return d
    ro, rn = read_document(ho), read_document(hn)
    d.tables = table_changes(ro, rn)
    d.text = text_changes(ro, rn)
    for path, loaded in ((old_path, lo), (new_path, ln)):
        if loaded.errors:
            d.notes.append(f"{path} 有 {len(loaded.errors)} 个校验错误，比较结果仅供参考")
    return d


# =============================================================================================
def _mark(old: str, new: str, red: str, green: str, off: str) -> tuple[str, str]:
    """The two sentences with the characters that differ coloured (on a terminal)."""
    sm = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    o, n = [], []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            o.append(old[i1:i2])
            n.append(new[j1:j2])
        else:
            o.append(f"{red}{old[i1:i2]}{off}")
            n.append(f"{green}{new[j1:j2]}{off}")
    return "".join(o), "".join(n)


def format_text(d: Diff, color: bool = False) -> str:
    red, green, dim, bold, off = ("\033[31m", "\033[32m", "\033[2m", "\033[1m", "\033[0m") if color else ("",) * 5
    empty = "（空）"
    lines = [f"{bold}比较 {d.old_path} → {d.new_path}{off}" + (f"（样式：{d.style}）" if d.style else "")]
    if d.empty:
        lines.append("两个文件没有差别。")
    if d.data:
        lines.append(f"\n{bold}数据改动（{len(d.data)} 处）{off}")
        for c in d.data:
            lines.append(f"  {c.label}：{red}{c.old if c.old is not None else empty}{off} → "
                         f"{green}{c.new if c.new is not None else empty}{off}")
    if d.tables:
        lines.append(f"\n{bold}表格中变化的数字（{len(d.tables)} 处）{off}")
        current = None
        for c in d.tables:
            if c.table != current:
                current = c.table
                lines.append(f"  {bold}{c.table}{off}")
            where = " · ".join(x for x in (c.row, c.column) if x)
            lines.append(f"    {where}：{red}{c.old or empty}{off} → {green}{c.new or empty}{off}")
    if d.text:
        lines.append(f"\n{bold}文字说明中变化的句子（{len(d.text)} 句）{off}")
        current = None
        for c in d.text:
            if c.section != current:
                current = c.section
                lines.append(f"  {bold}{c.section or '（正文）'}{off}")
            o, n = (_mark(c.old, c.new, red, green, off) if color and c.old is not None and c.new is not None
                    else (f"{red}{c.old}{off}" if c.old is not None else None,
                          f"{green}{c.new}{off}" if c.new is not None else None))
            if o is not None:
                lines.append(f"    原：{o}")
            if n is not None:
                lines.append(f"    新：{n}")
            if c.old is None:
                lines.append(f"    {dim}（新增）{off}")
            elif c.new is None:
                lines.append(f"    {dim}（删除）{off}")
    for n in d.notes:
        lines.append(f"\n注意：{n}")
    return "\n".join(lines)
