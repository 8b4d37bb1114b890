"""The processes that lay out a PDF's sections (issue 17), shared by every document of a command.

`start()` forks them at the very start of a command-line render, so that they import WeasyPrint
while this process reads and checks the budget. Off with DISCLOSURE_GEN_PDF_POOL=off, on one core,
without fork, inside a process of another pool (a batch worker: the cores are taken) and in a process
running other threads.
"""
from __future__ import annotations

import atexit
import gc
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading

_POOL = None
_SCRATCH = None     # the pool processes' temporary folder (removed with the pool)


def wanted() -> bool:
    """Not in a process running other threads: a fork copies their locks as they are (a child then
    waits for ever on one its thread held), so a program embedding this in a threaded server lays
    out in its own process."""
    return possible() and threading.active_count() == 1


def possible() -> bool:
    return (os.environ.get("DISCLOSURE_GEN_PDF_POOL", "").strip().lower() not in ("0", "off", "no", "false")
            and "fork" in multiprocessing.get_all_start_methods() and len(os.sched_getaffinity(0)) > 1
            and multiprocessing.parent_process() is None)


def _init(parent: int, scratch: str) -> None:     # pragma: no cover - runs in the pool's processes
    try:                            # Linux: end with the process that started the pool (killed, _exit)
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)    # PR_SET_PDEATHSIG
    except (OSError, AttributeError, ValueError):
        pass
    if os.getppid() != parent:
        os._exit(1)
    # WeasyPrint makes a folder for the fonts of a style sheet's @font-face and removes it in a
    # finalizer, which never runs here (these processes are killed): it is made in `scratch`
    tempfile.tempdir = scratch
    import_weasyprint()             # what the process exists for
    gc.freeze()                     # the imported modules: never scanned again
    gc.disable()


def import_weasyprint():
    """Import WeasyPrint, with ctypes' library search answered from one `ldconfig -p` meanwhile.
    WeasyPrint tries several names per library; through cffi each unknown name costs ctypes'
    `find_library` a run of ldconfig, gcc and ld (a quarter of a second per process here). A name
    the loader cache lacks gets None, and WeasyPrint goes on to its next name (the sonames it
    ends with are opened by the dynamic loader itself, LD_LIBRARY_PATH included)."""
    import sys
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    import ctypes.util
    import re
    import subprocess
    try:
        known = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        known = None
    original = ctypes.util.find_library

    def find_library(name):
        m = re.search(r"\s(lib%s\.so[^\s]*) " % re.escape(name), known)
        return m.group(1) if m else None
    if known:
        ctypes.util.find_library = find_library
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = original
    return weasyprint


def lay_out(*args):                 # pragma: no cover - runs in the pool's processes
    from .sections import lay_out as run
    try:
        return run(*args)
    finally:
        gc.collect()                # what one section left in cycles, before the next one
        trim()


def trim() -> None:
    """Give the memory a layout freed back to the system (glibc keeps it otherwise: a pool process
    held ~185 MB between layouts of gaoping's groups, ~125 MB after this; a 1 000-project 部门's
    frame process 361 MB)."""
    try:
        import ctypes
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def start():
    """The shared pool (its processes importing WeasyPrint now), or None when not wanted."""
    global _POOL, _SCRATCH
    if _POOL is None and wanted():
        from concurrent.futures import ProcessPoolExecutor
        n = len(os.sched_getaffinity(0))
        _SCRATCH = tempfile.mkdtemp(prefix="disclosure-gen-pool-")
        _POOL = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("fork"), initializer=_init,
                                    initargs=(os.getpid(), _SCRATCH))
        atexit.register(shutdown)
        for _ in range(n):
            _POOL.submit(os.getpid)
    return _POOL


def get():
    return _POOL


def use(pool) -> None:
    """Lay sections out through `pool` (`submit(fn, *args)` → Future) in this process: a batch
    worker's share of the batch's processes (commands/batchpool.py)."""
    global _POOL
    _POOL = pool


def shutdown() -> None:
    global _POOL, _SCRATCH
    if _POOL is not None:
        processes = list((getattr(_POOL, "_processes", None) or {}).values())
        _POOL.shutdown(wait=False, cancel_futures=True)
        _POOL = None
        for p in processes:         # idle processes: ended now rather than when they notice
            p.kill()
    if _SCRATCH is not None:
        shutil.rmtree(_SCRATCH, ignore_errors=True)
        _SCRATCH = None
    sections = sys.modules.get(__package__ + ".sections")
    if sections is not None:        # this process's own layouts: their font configurations, now
        sections.release()
