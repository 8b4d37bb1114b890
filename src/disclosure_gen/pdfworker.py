"""A PDF process started first, so that importing WeasyPrint overlaps the rest (speed, issue 6).

Importing WeasyPrint (cffi bindings to Pango, HarfBuzz, fontconfig) takes about a third of a
second, as long as reading, checking and laying out the markup of a small budget. A command-line
render that will write a PDF forks this worker before it reads the file: the worker imports the
PDF stack while the main process checks the data and renders the markup (and builds the DOCX),
then turns the markup into PDF bytes with exactly the code an in-process render uses.

Any failure of the worker (it died, fork is missing, an exception while rendering) makes the
caller render in-process instead, so errors surface exactly as without the worker.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading


def wanted() -> bool:
    """Only with fork, at least two cores, outside pool workers (batch) and unless turned off."""
    if os.environ.get("DISCLOSURE_GEN_PDF_WORKER", "").strip().lower() in ("0", "off", "no", "false"):
        return False
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return False
    return multiprocessing.parent_process() is None


def _send(fd: int, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _recv(fd: int):
    def exactly(n):
        chunks, got = [], 0
        while got < n:
            b = os.read(fd, min(n - got, 1 << 20))
            if not b:
                raise EOFError
            chunks.append(b)
            got += len(b)
        return b"".join(chunks)
    return pickle.loads(exactly(int.from_bytes(exactly(8), "little")))


def _serve(req_fd: int, res_fd: int) -> None:            # pragma: no cover - runs in the child
    import gc
    gc.disable()
    # only the PDF stack: not the data model (pydantic) nor the templates, which the caller has
    from . import fastffi
    fastffi.install()
    import weasyprint  # noqa: F401 - the import this process exists for
    import weasyprint.text.fonts  # noqa: F401
    try:
        import pikepdf  # noqa: F401 - joins the two parts of a long document (writers/pdfparts.py)
    except ImportError:                                   # pragma: no cover - a dependency
        pass

    from . import fontcache
    from .writers import pdf
    fontcache.install()
    try:
        html, files, css, draft = _recv(req_fd)
    except EOFError:
        return
    try:
        result = ("ok", pdf.render_pdf(html, files, css, draft=draft))
    except BaseException as e:                            # noqa: BLE001 - the caller renders again
        result = ("error", f"{type(e).__name__}: {e}")
    _send(res_fd, result)


def fork_serving(serve, before=None) -> tuple[int, int, int]:
    """Fork a child that runs `serve(requests_fd, results_fd)` and exits (status 1 on an exception).
    `before(parent_pid)` runs first in the child. Returns (pid, fd to write requests to, fd to read
    results from)."""
    req_r, req_w = os.pipe()
    res_r, res_w = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:                                          # pragma: no cover - runs in the child
        status = 0
        try:
            os.close(req_w)
            os.close(res_r)
            if before is not None:
                before(parent)
            serve(req_r, res_w)
        except BaseException:                             # noqa: BLE001
            status = 1
        finally:
            os._exit(status)
    os.close(req_r)
    os.close(res_w)
    return pid, req_w, res_r


class PdfWorker:
    def __init__(self):
        self.pid, self._req_w, self._res_r = fork_serving(_serve)
        self._sender = None
        self._done = False

    def submit(self, html: str, assets, style_name: str, draft: bool) -> None:
        """Send the job without waiting (a thread writes it while the worker may still be importing).
        The worker runs writers.pdf.render_pdf with the style sheets render.render_pdf would pass."""
        from . import render
        job = (html, dict(assets.files), render.style_css(style_name), draft)

        def send():
            try:
                _send(self._req_w, job)
            except OSError:
                pass
            finally:
                self._close_fd("_req_w")
        self._sender = threading.Thread(target=send, daemon=True)
        self._sender.start()

    def result(self) -> bytes:
        """The PDF bytes; raises RuntimeError when the worker could not make them."""
        try:
            kind, value = _recv(self._res_r)
            self._done = True
        except (EOFError, OSError, pickle.UnpicklingError) as e:
            raise RuntimeError(f"PDF worker ended without a result ({e!r})") from None
        if kind != "ok":
            raise RuntimeError(value)
        return value

    def _close_fd(self, name: str) -> None:
        fd = getattr(self, name, None)
        if fd is not None:
            setattr(self, name, None)
            try:
                os.close(fd)
            except OSError:
                pass

    def close(self) -> None:
        if not self._done:              # never used (refused), or interrupted (SIGTERM, Ctrl-C): stop it
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        if self._sender is not None:
            self._sender.join()
        self._close_fd("_req_w")
        self._close_fd("_res_r")
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def start() -> PdfWorker | None:
    if not wanted():
        return None
    try:
        return PdfWorker()
    except OSError:
        return None
