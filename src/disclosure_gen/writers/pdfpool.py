"""The processes that lay out a PDF's sections (issue 17), shared by every document of a command.

`start()` forks them at the very start of a command-line render, so that they import WeasyPrint
while this process reads and checks the budget; `render` and `batch` then hand them sections.
Turned off by DISCLOSURE_GEN_PDF_POOL=off, on one core, where fork is missing, and inside a
process of another pool (there the cores are taken).
"""
from __future__ import annotations

import gc
import multiprocessing
import os

_POOL = None


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:          # pragma: no cover - not Linux
        return os.cpu_count() or 1


def wanted() -> bool:
    if os.environ.get("DISCLOSURE_GEN_PDF_POOL", "").strip().lower() in ("0", "off", "no", "false"):
        return False
    if "fork" not in multiprocessing.get_all_start_methods() or cores() < 2:
        return False
    return multiprocessing.parent_process() is None


def _init(parent: int) -> None:     # pragma: no cover - runs in the pool's processes
    try:                            # Linux: end with the process that started the pool (killed, _exit)
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)    # PR_SET_PDEATHSIG
    except (OSError, AttributeError, ValueError):
        pass
    if os.getppid() != parent:
        os._exit(1)
    import weasyprint  # noqa: F401 - what the process exists for
    import weasyprint.text.fonts  # noqa: F401
    gc.freeze()                     # the imported modules: never scanned again
    gc.disable()


def _ready() -> int:                # pragma: no cover - runs in the pool's processes
    return os.getpid()


def lay_out(*args, **kwargs):       # pragma: no cover - runs in the pool's processes
    from .sections import lay_out as run
    try:
        return run(*args, **kwargs)
    finally:
        gc.collect()                # what one section left in cycles, before the next one


def start(workers: int | None = None):
    """The shared pool (started now, its processes importing WeasyPrint), or None when not wanted."""
    global _POOL
    if _POOL is None and wanted():
        from concurrent.futures import ProcessPoolExecutor
        n = workers or cores()
        _POOL = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork"),
                                    initializer=_init, initargs=(os.getpid(),))
        for _ in range(n):
            _POOL.submit(_ready)
    return _POOL


def get():
    return _POOL


def shutdown() -> None:
    global _POOL
    if _POOL is not None:
        pool, _POOL = _POOL, None
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for p in processes:         # idle workers: end them now rather than when they notice
            p.kill()
