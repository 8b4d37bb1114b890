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

from .derive import Facts
from .money import ZERO, Change, pct, r2, shares

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__import__("os").environ.get("DISCLOSURE_GEN_TEMPLATES", ROOT / "templates"))

CN_DIGITS = "零一二三四五六七八九"


def cn_num(n: int) -> str:
    """Chinese numerals as the documents print them: 一 … 十 十一 … 二十 二十一 … 九十九."""
    n = int(n)
    if n <= 10:
        return "十" if n == 10 else CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else CN_DIGITS[tens] + "十"
    return head + (CN_DIGITS[ones] if ones else "")


def available_styles() -> list[str]:
    return sorted(p.parent.name for p in TEMPLATES.glob("*/style.yaml"))


@functools.lru_cache(maxsize=8)
def load_style(name: str) -> dict:
    path = TEMPLATES / name / "style.yaml"
    if not path.is_file():
        raise KeyError(name)
    with open(path, encoding="utf-8") as fh:
        style = yaml.safe_load(fh) or {}
    style.setdefault("name", name)
    return style


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


def _deep_merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


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
    """Files the markup refers to (charts), by name."""
    files: dict[str, bytes] = field(default_factory=dict)

    def add(self, name: str, data: bytes) -> str:
        self.files[name] = data
        return name


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

    def cell(self, x) -> str:
        """Table cell: blank for zero."""
        return fmt_amount(x, sep=self._num("table_thousands", True), zero=self._num("table_zero", ""))

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
    shares = staticmethod(shares)

    def change(self, current, prior_item) -> Change | None:
        if prior_item is None:
            return None
        return Change(Decimal(current), prior_item.amount)

    def chart(self, kind: str, labels, values, title: str) -> str:
        """Draw a chart, register it as an asset (SVG for PDF, PNG for DOCX); return the SVG name."""
        from . import charts
        self._chart_no += 1
        stem = f"chart-{self._chart_no}"
        svg, png = charts.pie(list(labels), [Decimal(v) for v in values], title)
        self.assets.add(stem + ".png", png)
        return self.assets.add(stem + ".svg", svg)

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
        return rows

    def indicator_columns(self, tree: dict | None, categories, field_path: str = "") -> list[list[tuple[str, str]]]:
        """A one-line-per-indicator grid: one (三级指标, 指标值) pair per category, side by side.

        `categories` are the grouping names of check._indicator_categories (成本/产出/效益/满意度 …);
        row k holds the k-th indicator of each category, ("", "") once a category is exhausted.
        Indicators whose 一级 fits none of `categories` are not dropped silently: they are recorded
        with `need` at `field_path`.
        """
        from .check import _indicator_categories
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
    from . import cache
    d = cache.folder("jinja")
    return jinja2.FileSystemBytecodeCache(str(d)) if d is not None else None


def _env(style_name: str) -> jinja2.Environment:
    # sandboxed: a template shared between offices may be tampered with, and an ordinary environment
    # lets `{{ doc.__init__.__globals__ … }}` run any Python; the sandbox refuses such attributes
    env = jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(TEMPLATES / style_name), str(TEMPLATES / "_shared")]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["cn"] = cn_num
    env.filters["iso_date"] = iso_date
    env.globals.update(r2=r2, ZERO=ZERO, zip=zip, enumerate=enumerate, len=len, sum=sum, Decimal=Decimal)
    return env


@functools.lru_cache(maxsize=8)
def _cached_env(style_name: str) -> jinja2.Environment:
    return _env(style_name)


def render_html(facts: Facts, style_name: str, *, draft: bool = False, findings=()) -> tuple[str, Assets, Document]:
    style = load_style(style_name)
    assets = Assets()
    doc = Document(facts, style, assets, findings)
    template = _cached_env(style_name).get_template(style.get("entry", "document.html.j2"))
    html = template.render(doc=doc, f=facts, b=facts.b, style=doc.style, draft=draft)
    return html, assets, doc


def style_css(style_name: str) -> list[str]:
    from .writers.pdf import base_css
    css = [base_css()]
    p = TEMPLATES / style_name / "print.css"
    if p.is_file():
        css.append(p.read_text(encoding="utf-8"))
    return css


def render_pdf(html: str, assets: Assets, style_name: str, draft=False) -> bytes:
    from .writers import pdfpool
    from .writers.pdf import render_pdf as _pdf
    from .writers.sections import Progress
    return _pdf(html, assets.files, style_css(style_name), draft=draft, pool=pdfpool.get(), progress=Progress())


def render_docx(html: str, assets: Assets, style_name: str, draft=False) -> bytes:
    from .writers.docx import render_docx as _docx
    return _docx(html, assets.files, draft=draft, tweaks=load_style(style_name).get("docx"))


__all__ = ["render_html", "render_pdf", "render_docx", "load_style", "available_styles", "cn_num", "Markup"]
