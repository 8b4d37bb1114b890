"""`disclosure-gen batch`: render every YAML file in a folder, in parallel processes.

Two passes, both in worker processes: a quick check of every file (findings, output name), then
the renders of those that may be rendered. The PDF sections of all documents are laid out by the
same workers (batchpool.py), so that no core idles while one is left with a large document. A file
that fails never stops the others; a worker that dies (a crash inside a native library) is retried
alone so that the culprit is named.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import traceback
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from . import batchpool

OK, DRAFT, REFUSED, UNUSABLE, FAILED = "成功", "草稿", "有错误未生成", "无法读取", "失败"


@dataclass(eq=False)
class Item:
    path: str
    agency: str = ""
    status: str = ""
    errors: int = 0
    warnings: int = 0
    seconds: float = 0.0
    message: str = ""
    stem: str = ""
    written: list[tuple[str, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in (OK, DRAFT)


def find_inputs(folder: str | Path) -> list[Path]:
    p = Path(folder)
    return sorted(x for x in p.iterdir() if x.is_file() and x.suffix.lower() in (".yaml", ".yml")
                  and not x.name.startswith("."))


# ---- the per-file time limit -----------------------------------------------------------------------
TIME_LIMIT = 600.0      # seconds per file (generous: the large 部门 of bench/ renders in seconds)


class TimeLimit(BaseException):
    pass


class _limited:
    """Raise TimeLimit in this (worker) process after `seconds`; a watchdog thread ends the process
    if the work does not return to Python (a hang inside a native library), so that the parent sees
    the worker die and reports the file as failed."""

    current: "_limited | None" = None      # the limit running in this process

    def __init__(self, seconds: float | None):
        self.seconds = seconds or 0

    def __enter__(self):
        import signal
        import threading
        self.old, self.dog, self.outer = None, None, _limited.current
        if self.seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            def on_alarm(_sig, _frame):
                raise TimeLimit()
            self.old = signal.signal(signal.SIGALRM, on_alarm)
            self._arm(self.seconds)
            _limited.current = self
        return self

    def __exit__(self, *exc):
        import signal
        if self.old is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
            self.dog.cancel()
            _limited.current = self.outer
        return False

    def _arm(self, seconds: float) -> None:
        import signal
        import threading
        signal.setitimer(signal.ITIMER_REAL, seconds)
        if self.dog is not None:
            self.dog.cancel()
        self.dog = threading.Timer(seconds + 30, lambda: os._exit(75))
        self.dog.daemon = True
        self.dog.start()

    @staticmethod
    @contextlib.contextmanager
    def elsewhere():
        """Another document's layout done while this one waits (batchpool.py): it does not count
        against this file's limit, and is bounded by a limit of its own."""
        import signal
        me = _limited.current
        if me is None:
            yield
            return
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        me._arm(me.seconds)
        try:
            yield
        finally:
            me._arm(max(left, 0.001))


def _over(seconds: float) -> str:
    return f"超过每个文件的时限 {seconds:g} 秒，已停止（可用 --time-limit 调整）"


# ---- worker functions (top level: they are pickled to the worker processes) ---------------------------
def _check_one(path: str, style: str | None, limit: float | None = None) -> dict:
    t0 = time.perf_counter()
    try:
        with _limited(limit):
            return _check_one_now(path, style)
    except TimeLimit:
        return {"status": FAILED, "message": _over(limit), "seconds": time.perf_counter() - t0}


def _check_one_now(path: str, style: str | None) -> dict:
    from ..check import rules as check
    from . import pipeline
    from ..reading import yamlsrc
    t0 = time.perf_counter()
    try:
        loaded = check.load(path)
    except yamlsrc.InputError as e:
        where = f"第 {e.line} 行第 {e.col} 列：" if e.line else ""
        return {"status": UNUSABLE, "message": where + e.message, "seconds": time.perf_counter() - t0}
    except Exception as e:  # noqa: BLE001 - one bad file must not stop the batch
        return {"status": FAILED, "message": f"{type(e).__name__}: {e}", "seconds": time.perf_counter() - t0}
    out = {"errors": len(loaded.errors), "warnings": len(loaded.findings) - len(loaded.errors),
           "seconds": time.perf_counter() - t0}
    if loaded.budget is not None:
        out["agency"] = loaded.budget.agency.name
        out["stem"] = pipeline.output_stem(loaded.budget, style or loaded.budget.style)
    return out


def _render_one(path: str, out_dir: str, style: str | None, formats: tuple, force: bool,
                limit: float | None = None) -> dict:
    t0 = time.perf_counter()
    try:
        with _limited(limit):
            return _render_one_now(path, out_dir, style, formats, force)
    except TimeLimit:      # nothing was written: the files are replaced only once all are complete
        return {"status": FAILED, "message": _over(limit) + "，原有文件未改动", "seconds": time.perf_counter() - t0}
    finally:
        batchpool.abandon()     # its layouts still queued are not laid out for nothing


def _render_one_now(path: str, out_dir: str, style: str | None, formats: tuple, force: bool) -> dict:
    from . import pipeline
    from ..reading import yamlsrc
    t0 = time.perf_counter()
    try:
        res = pipeline.render_file(path, out_dir, style=style, formats=formats, force=force)
    except yamlsrc.InputError as e:
        return {"status": UNUSABLE, "message": e.message}
    except pipeline.RenderRefused as e:
        return {"status": REFUSED, "message": str(e)}
    except OSError as e:
        return {"status": FAILED, "message": f"写入失败（{e.strerror or e}）：{e.filename or ''}，原有文件未改动"}
    except Exception as e:  # noqa: BLE001
        tb = traceback.extract_tb(e.__traceback__)[-1:]
        where = f"（{Path(tb[0].filename).name}:{tb[0].lineno}）" if tb else ""
        return {"status": FAILED, "message": f"{type(e).__name__}: {e}{where}"}
    errors = sum(1 for f in res.findings if f.severity == "error")
    return {"status": DRAFT if errors else OK, "written": res.written, "seconds": time.perf_counter() - t0,
            "warnings": len(res.findings) - errors, "errors": errors}


batchpool.elsewhere = _limited.elsewhere


def _serve(limit: float | None = None) -> None:
    batchpool.serve(lambda: _limited(limit))     # a layout that hangs ends its worker (retried alone)


# ---- progress ----------------------------------------------------------------------------------------------
def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def pad(s: str, n: int) -> str:
    return s + " " * max(0, n - width(s))


def clip(s: str, n: int) -> str:
    out = ""
    for ch in s:
        if width(out + ch) > n - 1:
            return out + "…"
        out += ch
    return out


class Progress:
    """A one-line progress bar on a terminal (stderr); silent otherwise."""

    def __init__(self, total: int, stream=None, enabled: bool | None = None):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.t0 = time.perf_counter()

    def step(self, label: str = ""):
        self.done += 1
        if not self.enabled:
            return
        n = 24
        filled = n * self.done // max(1, self.total)
        secs = time.perf_counter() - self.t0
        line = f"\r[{'█' * filled}{'·' * (n - filled)}] {self.done}/{self.total}  {secs:5.1f} 秒  {clip(label, 30)}"
        self.stream.write(pad(line, 80))
        self.stream.flush()

    def close(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


# ---- the batch ----------------------------------------------------------------------------------------------
def run(files: list[Path], out_dir: str | Path, jobs: int = 2, style: str | None = None,
        formats=("docx", "pdf"), force: bool = False, progress: Progress | None = None,
        time_limit: float | None = TIME_LIMIT) -> list[Item]:
    # the workers' temporary files in a folder of the batch's own, removed when it ends: WeasyPrint
    # makes a folder for a style's @font-face fonts and removes it in a finalizer that a worker,
    # ended by multiprocessing with os._exit, never runs (the workers are forked: they inherit it)
    before, tempfile.tempdir = tempfile.tempdir, tempfile.mkdtemp(prefix="disclosure-gen-batch-")
    try:
        return _run(files, out_dir, jobs, style, formats, force, progress, time_limit)
    finally:
        shutil.rmtree(tempfile.tempdir, ignore_errors=True)
        tempfile.tempdir = before


def _run(files, out_dir, jobs, style, formats, force, progress, time_limit) -> list[Item]:
    items = [Item(str(p), agency=p.stem) for p in files]
    progress = progress or Progress(len(items), enabled=False)
    jobs = max(1, min(jobs, len(items) or 1))
    out_dir = str(out_dir)

    # the PDF sections of all documents are laid out by these same processes (batchpool.py)
    shared = batchpool.Shared(multiprocessing.get_context(), jobs) if jobs > 1 and "pdf" in formats else None
    pool = (ProcessPoolExecutor(max_workers=jobs, initializer=batchpool.init, initargs=(shared,)) if shared
            else ProcessPoolExecutor(max_workers=jobs))
    try:
        # pass 1: check every file (fast), so that files with errors and clashing names are known
        checks = list(pool.map(_check_one, [it.path for it in items], [style] * len(items),
                               [time_limit] * len(items)))
        owners: dict[str, Item] = {}
        todo: list[Item] = []
        for it, c in zip(items, checks):
            it.agency = c.get("agency") or it.agency
            it.errors, it.warnings = c.get("errors", 0), c.get("warnings", 0)
            it.seconds = c.get("seconds", 0.0)
            it.stem = c.get("stem", "")
            if c.get("status"):
                it.status, it.message = c["status"], c.get("message", "")
            elif it.errors and not force:
                it.status = REFUSED
                it.message = f"有 {it.errors} 个校验错误（运行 disclosure-gen check {it.path} 查看；或用 --force 生成草稿）"
            elif not it.stem:
                it.status, it.message = REFUSED, "不符合数据格式，无法生成"
            elif it.stem in owners:
                it.status = FAILED
                it.message = f"输出文件名与 {owners[it.stem].path} 相同（同一单位、同一年度、同一样式），未生成"
            else:
                owners[it.stem] = it
                todo.append(it)
                continue
            progress.step(it.agency)
        # pass 2: render
        crashed = _render_all(pool, todo, out_dir, style, tuple(formats), force, progress, time_limit, shared)
    except BaseException:       # Ctrl-C: drop what has not started, do not wait for it
        if shared:
            batchpool.end(shared)
        pool.shutdown(wait=False, cancel_futures=True)
        progress.close()
        raise
    pool.shutdown(wait=True)
    for it in crashed:      # a worker died: retry alone, so that only the culprit fails
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=1) as pool:
            if _render_all(pool, [it], out_dir, style, tuple(formats), force, None, time_limit):
                it.status, it.message = FAILED, "处理进程意外退出（可能是内存不足或渲染库崩溃）"
                if time_limit and time.perf_counter() - t0 >= time_limit:
                    it.message = _over(time_limit) + "，原有文件未改动"
        progress.step(it.agency)
    progress.close()
    return items


def _size(it: Item) -> int:
    try:
        return os.path.getsize(it.path)
    except OSError:
        return 0


def _render_all(pool, todo, out_dir, style, formats, force, progress, time_limit=None, shared=None) -> list[Item]:
    futures = {}
    crashed = []
    try:
        # largest files first (speed, issue 6): the last document to finish is then a small one,
        # so that no worker idles long at the end (results keep the order of the files)
        for it in sorted(todo, key=_size, reverse=True):
            futures[pool.submit(_render_one, it.path, out_dir, style, formats, force, time_limit)] = it
        if shared:      # after the last document, a worker lays out the others' sections
            for _ in range(len(shared.inboxes) - 1):
                pool.submit(_serve, time_limit)
    except BrokenProcessPool:
        pass
    submitted = set(futures.values())
    crashed.extend(it for it in todo if it not in submitted)
    for fut in as_completed(futures):
        it = futures[fut]
        try:
            r = fut.result()
        except BrokenProcessPool:
            crashed.append(it)
            continue
        it.status = r["status"]
        it.message = r.get("message", "")
        it.written = r.get("written", [])
        it.seconds += r.get("seconds", 0.0)
        if "errors" in r:
            it.errors, it.warnings = r["errors"], r["warnings"]
        if progress:
            progress.step(it.agency)
    if shared:
        batchpool.end(shared)
    return crashed


def summary(items: list[Item], color: bool = False) -> str:
    red, green, yellow, off = ("\033[31m", "\033[32m", "\033[33m", "\033[0m") if color else ("",) * 4
    head = ("文件", "单位", "状态", "错误/警告", "秒")
    rows = [(clip(Path(it.path).name, 32), clip(it.agency, 40), it.status,
             "-" if it.status == UNUSABLE else f"{it.errors}/{it.warnings}", f"{it.seconds:.1f}") for it in items]
    w = [max(width(r[i]) for r in rows + [head]) for i in range(5)]
    lines = ["  ".join(pad(h, w[i]) for i, h in enumerate(head)).rstrip(),
             "  ".join("-" * w[i] for i in range(5))]
    for it, r in zip(items, rows):
        c = green if it.status == OK else yellow if it.status == DRAFT else red
        cells = [pad(r[0], w[0]), pad(r[1], w[1]), c + pad(r[2], w[2]) + off, pad(r[3], w[3]), r[4].rjust(w[4])]
        lines.append("  ".join(cells))
    n_ok = sum(it.ok for it in items)
    lines.append(f"共 {len(items)} 个文件：{n_ok} 个已生成，{len(items) - n_ok} 个失败")
    problems = [it for it in items if not it.ok or it.status == DRAFT]
    if problems:
        lines.append("")
        for it in problems:
            lines.append(f"{it.path}：{it.status}{('：' + it.message) if it.message else '（存在校验错误，已生成草稿）'}")
    return "\n".join(lines)


def default_jobs() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:      # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 4))
