"""From budget facts to one document markup (HTML), then to PDF and DOCX bytes.

A style is a folder templates/<style>/ with `style.yaml` (wording, number formats, glossary,
page setup) and Jinja templates whose entry point is `document.html.j2`. Shared macros live in
templates/_shared/. Adding a province means adding a folder: nothing here names a province.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import jinja2
import jinja2.sandbox
import yaml
from markupsafe import Markup

from . import styles
from . import wording
from . import templating
from ..derive.facts import Facts
from ..derive.document import DocFacts, IndicatorRows
from ..model.money import ZERO, Change, pct, r2, shares

TEMPLATES = styles.builtin_root()     # the shipped styles (the registry also finds the user's)

CN_DIGITS = "零一二三四五六七八九"


def cn_num(n: int) -> str:
    """Chinese numerals as the documents print them: 一 … 十 十一 … 二十 … 九十九 一百 一百零一
    一百一十 … 一千零五 … 一万 …, for any count (a 100th duty, a 300th 类 row)."""
    n = int(n)
    if n < 0:
        return "负" + cn_num(-n)
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:                      # 十, 十一 … 十九 (never 一十 at the start)
        return "十" + (CN_DIGITS[n - 10] if n > 10 else "")
    return _cn_big(n)


def _cn_small(n: int) -> str:
    """1 ≤ n < 10000 with 一十 kept (for use after a higher unit: 一百一十)."""
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            if zero and out:
                out += "零"
            out += CN_DIGITS[d] + unit
            zero = False
        else:
            zero = True
    return out


def _cn_big(n: int) -> str:
    groups = []
    while n:
        n, g = divmod(n, 10000)
        groups.append(g)
    units = ["", "万", "亿", "万亿"]
    out = ""
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        if out and g < 1000:
            out += "零"
        unit = units[i] if i < len(units) else "万" * (i - 1) + "亿"
        out += _cn_small(g) + unit
    if out.startswith("一十"):
        out = out[1:]
    return out


def available_styles(input_path=None) -> list[str]:
    """Every registered style: the built-in ones, the user's folders, a styles/ folder beside the input."""
    return styles.available(input_path)


def get_style(style, input_path=None) -> styles.Style:
    """A Style from a name (looked up in the registry) or a Style already resolved."""
    if isinstance(style, styles.Style):
        return style
    try:
        return styles.get(style, input_path)
    except styles.StyleError as e:
        raise KeyError(str(e)) from None


def load_style(style, input_path=None) -> dict:
    """The merged style.yaml of a style (its own over everything it extends)."""
    return get_style(style, input_path).config


# ---- number formatting ---------------------------------------------------------------------------
def iso_date(text) -> str:
    """'2024年6月09日' or '2024-06-09' → '2024-06-09'; '' when it is no date (PDF metadata)."""
    import datetime
    import re
    m = re.fullmatch(r"\s*(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?\s*", str(text or ""))
    try:
        return datetime.date(*map(int, m.groups())).isoformat() if m else ""
    except ValueError:
        return ""


def fmt_amount(x, sep=True, zero="", places=2) -> str:
    """A 万元 figure: half-up to 2 decimals; `zero` is what a zero prints as ('' in tables)."""
    if x is None:
        return zero
    v = r2(x)
    if v == 0:
        return zero
    q = Decimal(1).scaleb(-places)
    v = v.quantize(q)
    return f"{v:,.{places}f}" if sep else f"{v:.{places}f}"


def fmt_yuan(x, sep=True, zero="0") -> str:
    if x is None:
        return ""
    v = Decimal(x).quantize(Decimal(1))
    if v == 0:
        return zero
    return f"{v:,.0f}" if sep else f"{v:.0f}"


def fmt_pct(p, zero="0.00%") -> str:
    if p is None:
        return ""
    p = r2(p)
    if p == 0:
        return zero
    return f"{p:.2f}%"


_money_pct = pct


_deep_merge = styles.deep_merge


def fmt_plain(x) -> str:
    """A figure of a declaration form: half-up to 0.01, trailing zeros dropped (723, 57.3, 0)."""
    if x is None:
        return ""
    v = r2(x)
    if v == 0:
        return "0"
    t = f"{v:.2f}".rstrip("0").rstrip(".")
    return t


def fmt_pct_whole(p) -> str:
    """A percentage with 2 decimals, a whole number without them (42.70%, 100%, 0%)."""
    if p is None:
        return ""
    v = r2(p)
    t = f"{v:.2f}"
    return (t[:-3] if t.endswith(".00") else t) + "%"


def fmt_wan_whole(x) -> str:
    """An amount with 2 decimals, a whole number without them (723, 25.50, 0)."""
    if x is None:
        return ""
    v = r2(x)
    t = f"{v:.2f}"
    return t[:-3] if t.endswith(".00") else t




def with_variant(style: dict, budget) -> dict:
    """The style with the overrides its data selects: style.yaml may name an option
    (`variant: template_version`) whose value picks a block of `versions:` merged over the defaults;
    `options.thousands_in_tables`, when given, sets `numbers.table_thousands`. Never mutates `style`."""
    out = style
    key = style.get("variant")
    if key:
        over = (style.get("versions") or {}).get(str(getattr(budget.options, key, "")))
        if over:
            out = _deep_merge(out, over)
    t = getattr(budget.options, "thousands_in_tables", None)
    if t is not None:
        out = _deep_merge(out, {"numbers": {"table_thousands": t}})
    return out


@dataclass
class Assets:
    """Files the markup refers to (charts), by name; `later`: files made only when a writer asks
    (the charts' PNG fallbacks, for the DOCX)."""
    files: dict[str, bytes] = field(default_factory=dict)
    later: dict = field(default_factory=dict)

    def add(self, name: str, data: bytes) -> str:
        self.files[name] = data
        return name

    def all(self) -> dict[str, bytes]:
        for name, make in list(self.later.items()):
            self.files[name] = make()
            del self.later[name]
        return self.files


class Document:
    """What templates see as `doc`: facts, style settings and formatting helpers."""

    def __init__(self, facts: Facts, style: dict, assets: Assets, findings=()):
        self.f = facts
        self.b = facts.b
        self.style = with_variant(style, facts.b)
        self.assets = assets
        self.findings = list(findings)
        self._chart_no = 0
        self.missing: list[str] = []   # data a style needed and the file lacks (reported as findings)

    # formatting, configured by style.yaml `numbers:`
    def _num(self, key, default):
        return self.style.get("numbers", {}).get(key, default)

    def cell(self, x, zero=None) -> str:
        """Table cell: blank for zero (or what the style, or `zero`, says a zero prints as)."""
        return fmt_amount(x, sep=self._num("table_thousands", True), zero=self._num("table_zero", "") if zero is None else zero)

    def wan(self, x, sep=None) -> str:
        """Amount in running text (no unit)."""
        if sep is None:
            sep = self._num("text_thousands", True)
        return fmt_amount(x, sep=sep, zero=self._num("text_zero", "0"))

    def pct(self, p) -> str:
        return fmt_pct(p, zero=self._num("pct_zero", "0%"))

    def yuan(self, x) -> str:
        return fmt_yuan(x)

    share = staticmethod(_money_pct)   # the module's pct (the method above shadows the name here)

    def shares(self, parts, whole=None):
        """Each share = own ÷ whole, half-up; forced to add to 100.00 only if the style says so."""
        return shares(parts, whole, force_total=bool(self._num("force_shares_total", False)))

    def change(self, current, prior_item) -> Change | None:
        if prior_item is None:
            return None
        return Change(Decimal(current), prior_item.amount)

    def chart(self, kind: str, labels, values, title: str) -> str:
        """Draw a chart, register it as an asset (its SVG; the PNG fallback for the DOCX is drawn
        when asked); return the SVG name."""
        from functools import partial

        from . import charts
        self._chart_no += 1
        stem = f"chart-{self._chart_no}"
        args = (list(labels), [Decimal(v) for v in values], title)
        self.assets.later[stem + ".png"] = partial(charts.pie_png, *args)
        return self.assets.add(stem + ".svg", charts.pie_svg(*args))

    def document_date(self) -> str:
        """ISO date of the document properties: the publish date, else 1 January of the budget year."""
        from ..writers.docmeta import document_date
        return document_date(self.b.agency.publish_date, self.f.year)

    def need(self, field_path: str, what: str) -> str:
        """A template records data it needed but did not get; returns '' so the cell stays blank."""
        self.missing.append(f"{field_path}|{what}")
        return ""

    def indicator_rows(self, period: dict, annual: dict | None, levels) -> list[dict]:
        """Rows of a performance-target indicator grid with 实施期 and 年度 side by side.

        `levels` lists [一级, [二级, …]] that are printed even when empty; a data 二级 whose name
        equals a listed one up to a trailing 指标 keeps the data's spelling; data-only 一级/二级 are
        kept in data order (an 一级 given as a plain list has one unnamed 二级). Each row is
        {"l1": (name, rowspan) | None, "sides": [((二级, rowspan) | None, 三级, 指标值) × 2]}.
        """
        annual = period if annual is None else annual
        stem = lambda s: s[:-2] if s.endswith("指标") else s   # noqa: E731
        l1_order = [l1 for l1, _ in levels]
        for tree in (period, annual):
            prev = None
            for k in tree or {}:
                if k not in l1_order:
                    l1_order.insert(l1_order.index(prev) + 1 if prev in l1_order else len(l1_order), k)
                prev = k
        canon = {l1: [n for n in l2s if n not in l1_order] for l1, l2s in levels}

        def groups(tree, l1):
            sub = (tree or {}).get(l1)
            if sub is None:
                return {}
            if not isinstance(sub, dict):
                return {"": ("", list(sub))}
            return {stem(k): (k, list(v or [])) for k, v in sub.items()}

        rows = []
        for l1 in l1_order:
            gp, ga = groups(period, l1), groups(annual, l1)
            keys = [stem(n) for n in canon.get(l1, [])]
            for g in (gp, ga):
                keys += [k for k in g if k not in keys]
            if not keys:
                if l1 not in canon:
                    continue
                keys = [""]
            start = len(rows)
            for key in keys:
                default = next((n for n in canon.get(l1, []) if stem(n) == key), key)
                sides = [g.get(key, (default, [])) for g in (gp, ga)]
                sides = [(name if name or key == "" else default, items) for name, items in sides]
                n = max(1, *(len(items) for _, items in sides))
                for i in range(n):
                    cells = []
                    for name, items in sides:
                        l3, val = (list(items[i]) + ["", ""])[:2] if i < len(items) else ("", "")
                        cells.append(((name, n) if i == 0 else None, l3, val))
                    rows.append({"l1": None, "sides": cells})
            rows[start]["l1"] = (l1, len(rows) - start)
        return IndicatorRows(rows)

    def indicator_columns(self, tree: dict | None, categories, field_path: str = "") -> list[list[tuple[str, str]]]:
        """A one-line-per-indicator grid: one (三级指标, 指标值) pair per category, side by side.

        `categories` are the grouping names of check._indicator_categories (成本/产出/效益/满意度 …);
        row k holds the k-th indicator of each category, ("", "") once a category is exhausted.
        Indicators whose 一级 fits none of `categories` are not dropped silently: they are recorded
        with `need` at `field_path`.
        """
        from ..check.rules import _indicator_categories
        groups = _indicator_categories(tree or {})
        stray = [c for c, items in groups.items() if c not in categories and items]
        if stray:
            self.need(field_path or "projects", "绩效指标类别“" + "、".join(stray) + "”无法归入"
                      + "/".join(categories) + "（请改用这些一级指标）")
        cols = [list(groups.get(c, [])) for c in categories]
        n = max((len(c) for c in cols), default=0)
        return [[tuple((list(c[i]) + ["", ""])[:2]) if i < len(c) else ("", "") for c in cols]
                for i in range(n)]


def _bytecode_cache():
    """Compiled templates on disk (cache.py): compiling them is a third of a small render."""
    from .. import cache
    d = cache.folder("jinja")
    return cache.bytecode_cache(d) if d is not None else None


def _env(style) -> jinja2.Environment:
    style = get_style(style)
    # sandboxed: a template shared between offices may be tampered with, and an ordinary environment
    # lets `{{ doc.__init__.__globals__ … }}` run any Python; the sandbox refuses such attributes
    loader = jinja2.ChoiceLoader([
        templating.StyleLoader(style.search_path),      # refuses files resolving outside the folders
        # `{% extends "<parent>/text.html.j2" %}`: a variant overrides a parent template's blocks
        jinja2.PrefixLoader({name: templating.StyleLoader([str(folder)]) for name, folder in style.parents.items()}),
    ])
    env = templating.BoundedSandbox(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["cn"] = cn_num
    env.filters["plain"] = fmt_plain
    env.filters["pctw"] = fmt_pct_whole
    env.filters["wanw"] = fmt_wan_whole
    env.globals["range"] = templating.bounded_range     # nested range(100000) ran until killed
    env.filters["iso_date"] = iso_date
    env.globals.update(r2=r2, ZERO=ZERO, zip=zip, enumerate=enumerate, len=len, sum=sum, Decimal=Decimal)
    env.globals["say"] = wording.say    # sentence frames of style.yaml `sentences:`
    return env


@functools.lru_cache(maxsize=8)
def _cached_env(style: styles.Style) -> jinja2.Environment:
    return _env(style)


def effective_style(style: styles.Style, budget) -> dict:
    """The settings one document is rendered with: the style's, its data-selected variant, and the
    document's own `wording:` overrides of sentence frames (checked by check: unknown keys are errors)."""
    out = with_variant(style.config, budget)
    over = getattr(budget, "wording", None) or {}
    if over:
        out = _deep_merge(out, {"sentences": dict(over)})
    return out


def render_html(facts: Facts, style, *, draft: bool = False, findings=(), input_path=None
                ) -> tuple[str, Assets, Document]:
    st = get_style(style, input_path)
    assets = Assets()
    doc = Document(facts, st.config, assets, findings)
    doc.style = effective_style(st, facts.b)
    if facts.dept_wide and not doc.style.get("department_wide"):
        # the file gives its detail for the whole 部门 only; this style lists each unit's lines
        doc.need("units", "各单位的支出科目与经济分类明细（本样式按单位列出；文件只按部门汇总填写，单位行下将没有明细）")
    with templating.rendering(st.name):
        template = _cached_env(st).get_template(st.config.get("entry", "document.html.j2"))
        html = template.render(doc=doc, f=facts, b=facts.b, style=doc.style, draft=draft, df=DocFacts(facts, doc.style))
    templating.check_markup(html, st.name, st.allowed_roots)
    from .colfit import fit_tables, orient_sections
    font = (doc.style.get("docx") or {}).get("compact_size", 16) / 2     # pt, as in the DOCX and the PDF
    html = orient_sections(html)                    # a small table alone on a landscape page: portrait
    return fit_tables(html, font), assets, doc      # table.fit: column widths from content


def style_css(style, input_path=None) -> list[str]:
    from ..writers.pdf import base_css
    return [base_css(), *get_style(style, input_path).css()]


def standalone_html(html: str, assets: Assets, style) -> str:
    """The markup as one self-contained page (to mail or post as it is): each chart's SVG inline in place
    of its <img>, other assets as data: URIs, and the style's CSS in a <style> element."""
    import base64
    import html as _html
    import re

    def inline(m):
        tag = m.group(0)
        src = re.search(r'\bsrc="([^"]*)"', tag)
        alt = re.search(r'\balt="([^"]*)"', tag)
        name = _html.unescape(src.group(1)) if src else ""
        data = assets.files.get(name)
        if data is None:
            return tag
        if name.endswith(".svg"):
            svg = data.decode("utf-8", "replace")
            svg = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg)
            svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg, flags=re.I)
            label = f' role="img" aria-label="{alt.group(1)}"' if alt else ' role="img"'
            return re.sub(r"<svg\b", "<svg" + label, svg, count=1)
        kind = "image/png" if name.endswith(".png") else "image/jpeg"
        uri = f"data:{kind};base64," + base64.b64encode(data).decode("ascii")
        return tag.replace(src.group(0), f'src="{uri}"')

    out = re.sub(r"<img\b[^>]*>", inline, html)
    css = "\n".join(style_css(style)).replace("</", "<\\/")
    return out.replace("</head>", f"<style>\n{css}\n</style></head>", 1)


def render_pdf(html: str, assets: Assets, style, draft=False) -> bytes:
    from ..writers import pdfpool
    from ..writers.pdf import render_pdf as _pdf
    from ..writers.sections import Progress
    return _pdf(html, assets.files, style_css(style), draft=draft, pool=pdfpool.get(), progress=Progress())


def pdf_page_maps(htmls: list[str], assets: Assets, style, draft=False, holding: str = "") -> list:
    from ..writers import pdfpool
    from ..writers.pdf import page_maps
    return page_maps(htmls, assets.files, style_css(style), draft=draft, pool=pdfpool.get(), holding=holding)


def reference_docx(style) -> bytes | None:
    """The style's reference document (reference.docx: Word styles, page setup): its own, else the
    nearest parent's; None when the chain has none (the writer builds one from the docx: settings)."""
    p = get_style(style).file("reference.docx")
    return p.read_bytes() if p is not None else None


def render_docx(html: str, assets: Assets, style, draft=False, pdf: bytes | None = None) -> bytes:
    """`pdf`: the PDF of the same markup, whose page numbers the DOCX contents are prefilled with."""
    from ..writers.docx import render_docx as _docx
    st = get_style(style)
    return _docx(html, assets.all(), draft=draft, tweaks=st.config.get("docx"),
                 reference=reference_docx(st), pdf=pdf)


def render_xlsx(html: str, style: dict, draft=False) -> bytes:
    """The 公开表 of the markup as a workbook; `style` is the document's (variant applied) style."""
    from ..writers.xlsx import render_xlsx as _xlsx
    return _xlsx(html, thousands=bool((style.get("numbers") or {}).get("table_thousands", True)), draft=draft)


__all__ = ["render_html", "render_pdf", "render_docx", "render_xlsx", "load_style", "get_style", "available_styles", "cn_num", "Markup"]
