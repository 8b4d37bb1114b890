"""Guards around the style templates (issue 16 #8, #12, #13, #19).

Templates are shared between offices and may be tampered with or simply broken. Here:

- `StyleLoader` reads a template only when its real path (symlinks followed) lies inside the
  style folders it searches: a template that is a symlink to /etc/passwd is refused.
- `bounded_range` replaces `range` in the sandbox: at most MAX_RANGE items per call and
  RANGE_BUDGET items per render, and the render stops after TEMPLATE_SECONDS; a nested
  `range(100000)` loop ends with a clear message instead of running until killed.
- `check_markup`: the markup a template produced uses only the elements the writers know
  (`WRITER_ELEMENTS`, the writers' contract). An unknown element such as <embed> made libxml2
  nest the rest of the body inside it (the DOCX had one paragraph, exit 0); now it is an error
  naming the template file and line.
- `TemplateProblem`: every template failure in Chinese (TemplateNotFound, syntax errors, sandbox
  refusals, undefined names), naming the template.
"""
from __future__ import annotations

import contextvars
import os
import re
import time
from pathlib import Path

import jinja2
import jinja2.sandbox

# Elements the DOCX and PDF writers render faithfully (writers/docx.py handles each of them; the
# templates use nothing else). Anything else is refused before a writer sees it.
WRITER_ELEMENTS = frozenset({
    "html", "head", "title", "meta", "body", "section", "div", "p", "span", "a", "b", "strong", "em",
    "i", "u", "sup", "sub", "small", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tfoot", "tr", "td", "th", "colgroup", "col", "caption",
    "ul", "ol", "li", "img", "figure", "figcaption",
})

MAX_RANGE = 100_000            # items of one range() call (Jinja's own sandbox limit)
RANGE_BUDGET = 2_000_000       # range() items in one render: the largest document needs a few thousand


def _seconds() -> float:
    try:
        return float(os.environ.get("DISCLOSURE_GEN_TEMPLATE_SECONDS", "") or 120)
    except ValueError:
        return 120.0


class TemplateProblem(Exception):
    """A style template cannot be used; the message is Chinese and names the template."""


# ---- the loader ---------------------------------------------------------------------------------
class StyleLoader(jinja2.FileSystemLoader):
    """FileSystemLoader that refuses a template whose real path is outside its search folders."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(os.path.realpath(filename))
        roots = [Path(os.path.realpath(p)) for p in self.searchpath]
        if not any(real == r or r in real.parents for r in roots):
            raise TemplateProblem(f"模板“{template}”指向样式文件夹以外的文件（{real}），已拒绝读取"
                                  "（模板只能是样式文件夹中的普通文件，不能是指向别处的链接）")
        return source, filename, uptodate


def inside(path: Path, root: Path) -> bool:
    """`path` (symlinks followed) lies inside `root`: for style.yaml and print.css."""
    real, r = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    return real == r or r in real.parents


# ---- range() in the sandbox -----------------------------------------------------------------------
class _Budget:
    def __init__(self):
        self.left = RANGE_BUDGET
        self.deadline = time.monotonic() + _seconds()


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("template_budget", default=None)


def _tick() -> None:
    b = _budget.get()
    if b is not None and time.monotonic() > b.deadline:
        raise TemplateProblem(f"模板运行超过 {_seconds():.0f} 秒，已停止生成（可能含有嵌套过深的循环）")


class BoundedSandbox(jinja2.sandbox.SandboxedEnvironment):
    """The sandbox, with the render's deadline checked at every attribute access and call (a loop
    that touches no range() still reads attributes or calls something at each level)."""

    def getattr(self, obj, attribute):
        _tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        _tick()
        return super().getitem(obj, argument)

    def call(self, __context, __obj, *args, **kwargs):
        _tick()
        return super().call(__context, __obj, *args, **kwargs)


def bounded_range(*args):
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise TemplateProblem(f"模板中的 range() 有 {len(r)} 项，超过上限 {MAX_RANGE}")
    return _counted(r)


def _counted(r):
    b = _budget.get()
    for i, x in enumerate(r):
        if b is not None:
            b.left -= 1
            if b.left < 0:
                raise TemplateProblem(f"模板中的循环次数过多（range() 共超过 {RANGE_BUDGET} 项），已停止生成")
            if not i % 1024 and time.monotonic() > b.deadline:
                raise TemplateProblem(f"模板运行超过 {_seconds():.0f} 秒，已停止生成（可能含有嵌套过深的循环）")
        yield x


class rendering:
    """Context for one render of style `style`: a fresh range budget; template errors in Chinese."""

    def __init__(self, style: str):
        self.style = style

    def __enter__(self):
        self.token = _budget.set(_Budget())
        return self

    def __exit__(self, typ, exc, tb):
        _budget.reset(self.token)
        if exc is None or not isinstance(exc, Exception):
            return False
        if isinstance(exc, TemplateProblem):
            at = _template_line(tb)
            if not at or getattr(exc, "located", False):
                return False
            e = TemplateProblem(f"样式“{self.style}”的模板 {at}：{exc}")
            e.located = True
            raise e from None
        msg = _zh(exc, self.style, tb)
        if msg is None:
            return False
        raise TemplateProblem(msg) from None


def _template_line(tb) -> str:
    """'perf.html.j2 第 12 行' for the innermost template frame of a traceback, or ''.
    (Jinja rewrites the traceback so that template frames carry the template file and line.)"""
    where = ""
    while tb is not None:
        fn = tb.tb_frame.f_code.co_filename
        if fn.endswith(".j2"):
            where = f"{Path(fn).name} 第 {tb.tb_lineno} 行"
        tb = tb.tb_next
    return where


def _zh(exc: Exception, style: str, tb) -> str | None:
    at = _template_line(tb)
    at = f"（{at}）" if at else ""
    if isinstance(exc, jinja2.TemplateNotFound):
        names = "、".join(f"“{n}”" for n in (exc.templates or [exc.name]))
        return f"样式“{style}”的模板找不到 {names}{at}：样式文件夹不完整或模板名写错"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = Path(exc.filename or exc.name or "?").name
        return f"样式“{style}”的模板 {name} 第 {exc.lineno} 行语法错误（{exc.message}）"
    if isinstance(exc, jinja2.sandbox.SecurityError):
        return f"样式“{style}”的模板试图访问不允许的内容{at}，已拒绝（模板可能被篡改）"
    if isinstance(exc, jinja2.UndefinedError):
        return f"样式“{style}”的模板使用了不存在的数据或名称{at}（{exc.message}）"
    if isinstance(exc, RecursionError):
        return f"样式“{style}”的模板递归过深{at}，已停止生成"
    return None


# ---- the writers' contract ----------------------------------------------------------------------
_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9:_-]*)")
_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)


def _static_unknown(folder_files) -> tuple[str, int, str] | None:
    """(file, line, element) of the first unknown element written literally in a template."""
    for path in folder_files:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        # Jinja blocks out (keeping their newlines), so that `a<b` in an expression is no tag
        text = _JINJA.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        for m in _TAG.finditer(text):
            if m.group(1).lower() not in WRITER_ELEMENTS:
                return Path(path).name, text.count("\n", 0, m.start()) + 1, m.group(1)
    return None


def check_markup(html: str, style: str, folders) -> None:
    """Raise TemplateProblem when the markup uses an element the writers do not know. The data is
    escaped (&lt;), so every tag comes from a template: the message names the template line."""
    bad = next((m.group(1) for m in _TAG.finditer(html) if m.group(1).lower() not in WRITER_ELEMENTS), None)
    if bad is None:
        return
    files = sorted(p for d in folders for p in Path(d).glob("*.j2"))
    hit = _static_unknown(files)
    where = f"{hit[0]} 第 {hit[1]} 行" if hit else "某个模板（由表达式生成）"
    raise TemplateProblem(f"样式“{style}”的模板 {where} 使用了生成程序不支持的标记 <{bad}>；"
                          f"可用的标记：{'、'.join(sorted(WRITER_ELEMENTS))}")
