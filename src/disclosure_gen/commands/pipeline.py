"""Load → check → render → write, with atomic writes and safe file names."""
from __future__ import annotations

import contextlib
import errno
import gc
import os
import re
import signal
import stat
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..check import rules as check
from ..check import template_facts as check_template_facts
from ..check import limits

FORMATS = ("docx", "pdf", "html", "xlsx")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


class RenderRefused(Exception):
    """Rendering was refused (errors in the data, unknown style…); message is Chinese."""


def safe_name(text: str, limit: int = 80, max_bytes: int = 180) -> str:
    """A file name from free text: no separators, no control or reserved characters, no dot-files.

    Invisible format characters (bidi overrides such as U+202E, zero-width joiners) are dropped so a
    name cannot display as something else; the name is cut to `limit` characters and `max_bytes`
    UTF-8 bytes, leaving room under the 255-byte limit for the extension and the temporary name.
    """
    s = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp"))
    s = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]', "_", s)
    s = re.sub(r"\.{2,}", "_", s)[:limit]
    while len(s.encode("utf-8")) > max_bytes:
        s = s[:-1]
    s = s.strip(" ._")
    if not s:
        s = "disclosure"
    if s.split(".")[0].upper() in _RESERVED:
        s = "_" + s
    return s


def output_stem(budget, style: str) -> str:
    a = budget.agency
    # the name is cut on its own so a long one cannot cut off the year or style (two styles, one file)
    return safe_name(f"{safe_name(a.name, limit=60, max_bytes=120)}-{a.year}年度{a.kind}预算公开-{style}", limit=120)


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    atomic_write_all([(Path(path), data)])


def _mode_for(path: Path) -> int:
    """The existing file's permissions, or what a plain open() would give under the umask.

    Never a setuid, setgid or sticky bit, and never a mode read through a symlink (the link is
    replaced by the new file; its target, perhaps a setuid program, is left alone)."""
    try:
        st = os.lstat(path)
        if stat.S_ISREG(st.st_mode):
            return st.st_mode & 0o777
    except OSError:
        pass
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_HELD = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, n))


@contextlib.contextmanager
def _signals_held():
    """Defer interrupting signals until the block ends (main thread); elsewhere a no-op.

    Handlers that note the signal, not a blocked mask: a mask is the main thread's own, and a signal
    sent to the process goes to any thread not blocking it (the PDF pool's manager thread), whose
    default action ends the whole process between the two renames. The noted signal is raised again
    once the old handlers are back."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    old = {}
    for sig in _HELD:
        try:
            old[sig] = signal.signal(sig, lambda signum, _frame: caught.append(signum))
        except (OSError, ValueError):
            pass
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        if caught and old.get(caught[0]) is not signal.SIG_IGN:
            signal.raise_signal(caught[0])


def atomic_write_all(items) -> None:
    """Write every (path, bytes) to a temporary file beside it, and only when all are complete on
    disk rename them over their targets: a full disk or a refused write leaves every existing file
    as it was and no temporary file behind."""
    items = [(Path(path), data) for path, data in items]
    for path, _data in items:      # a folder where a document goes: refuse before anything is written
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in items:
            path = Path(path)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:60]}.", suffix=".tmp", dir=path.parent)
            temps.append((tmp, path))
            if hasattr(os, "fchmod"):            # mkstemp makes 0600; documents are for sharing
                os.fchmod(fd, _mode_for(path))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        with _signals_held():      # Ctrl-C or SIGTERM between two renames would mix old and new files
            while temps:
                tmp, path = temps[0]
                os.replace(tmp, path)
                temps.pop(0)
    except BaseException:
        for tmp, _path in temps:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise


@dataclass
class Result:
    path: str
    style: str
    written: list[tuple[str, int]] = field(default_factory=list)   # (file, bytes)
    seconds: float = 0.0
    findings: list = field(default_factory=list)


def style_findings(loaded, doc) -> list:
    """Findings for data a style needed and the file lacks (recorded by templates via doc.need)."""
    out = []
    for item in dict.fromkeys(doc.missing):
        field_path, what = item.split("|", 1)
        parts = tuple(int(p) if p.isdigit() else p for p in field_path.split("."))
        line, col = loaded.source.where(parts) if loaded.source else (0, 0)
        out.append(check.Finding(check.WARNING, "style.missing-data",
                                 f"{what}：请在 {field_path} 中补充", loaded.path, line, col))
    return out


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while rendering (speed, issue 6): WeasyPrint allocates
    millions of small objects, and repeated full collections over them took a quarter of a small
    render and over half of a large one, while freeing almost nothing (the boxes stay alive until
    the PDF is written). Reference counting still frees everything acyclic; collection resumes after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def render_loaded(loaded, style: str | None = None, formats=("docx", "pdf"), force=False):
    """Render a checked file to {format: bytes}. Imports the rendering stack lazily."""
    with _gc_paused():
        return _render_loaded(loaded, style, formats, force)


def _render_loaded(loaded, style, formats, force):
    from ..render import document as render
    hard = limits.refusal(loaded)
    if hard:
        raise RenderRefused(hard)
    if loaded.budget is None or (loaded.errors and not force):
        n = len(loaded.errors)
        raise RenderRefused(f"{loaded.path} 有 {n} 个校验错误，未生成文件（先运行 check 修正，或用 --force 生成草稿）")
    from ..render import styles
    try:
        st = styles.get(style or loaded.budget.style, loaded.path)
    except styles.StyleError as e:
        raise RenderRefused(str(e)) from None
    style = st.name
    draft = bool(loaded.errors)
    from ..render.templating import TemplateProblem
    try:
        html, assets, doc = render.render_html(loaded.facts, st, draft=draft, findings=loaded.findings)
        if "pdf" in formats:
            render.style_css(st)        # refuses a print.css pointing outside the style folder
    except (TemplateProblem, styles.StyleError) as e:   # a broken or tampered style: nothing is written
        raise RenderRefused(f"{loaded.path}：未生成文件：{e}") from None
    html = check.strip_control(html)    # data was cleaned by check.load; this covers style texts too
    html = limits.break_long_runs(html)  # an unbroken AAAA… took quadratic time to lay out (issue 16)
    out = {}
    from ..render.linebreaks import glue_ends
    pdf_html = glue_ends(html) if "pdf" in formats else html     # no character alone on a line (PDF)
    if "html" in formats:
        out["html"] = render.standalone_html(html, assets, st).encode("utf-8")   # charts inline
    if "xlsx" in formats:
        out["xlsx"] = render.render_xlsx(html, doc.style, draft=draft)
    if "pdf" in formats:
        # charts made smaller where that keeps a section's last lines off a page of their own before a
        # page of the other orientation; the DOCX gets the same markup, so it paginates alike
        from ..render import pagefill
        from ..writers import pdfpool
        html, out["pdf"] = pagefill.fill(pdf_html, lambda h: render.render_pdf(h, assets, st, draft=draft),
                                         lambda hs: render.pdf_page_maps(hs, assets, st, draft=draft,
                                                                          holding=pagefill.START),
                                         ahead=pdfpool.get() is not None)
    if "docx" in formats:        # after the PDF: its contents carry the PDF's page numbers
        out["docx"] = render.render_docx(html, assets, st, draft=draft, pdf=out.get("pdf"))
    extra = style_findings(loaded, doc) + check_template_facts.for_render(loaded, style)
    if "pdf" in formats:
        from ..render import glyphs
        extra += glyphs.missing_glyph_findings(loaded)
    return out, extra, style


def render_file(path: str, out_dir: str | Path, style: str | None = None, formats=("docx", "pdf"),
                force=False, prefork=False) -> Result:
    """`prefork`: start the processes that lay out the PDF's sections before reading the file
    (command line; writers/pdfpool.py)."""
    t0 = time.perf_counter()
    if prefork and "pdf" in formats:
        from ..writers import pdfpool
        pdfpool.start()
    loaded = check.load(path)
    blobs, extra, style = render_loaded(loaded, style, formats, force)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = output_stem(loaded.budget, style)
    res = Result(path, style, findings=loaded.findings + extra)
    # all documents are complete in memory, then all on disk, before the first file is replaced
    items = [(out_dir / f"{stem}.{fmt}", blobs[fmt]) for fmt in FORMATS if fmt in blobs]
    atomic_write_all(items)
    res.written = [(str(target), len(data)) for target, data in items]
    res.seconds = time.perf_counter() - t0
    return res
