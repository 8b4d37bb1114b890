"""The PDF sections of all the documents of a batch, laid out by the batch's own processes (issue 17).

Each batch worker renders whole documents; the layouts of their sections go to one queue shared by
all the workers (writers/sections.py submits them to `pdfpool.get()`, which is a `Member` here).
A worker waiting for a layout lays out queued ones meanwhile (its own document's or another's), and a
worker that has no document left serves the queue until the batch ends, so that the sections of a
last large document spread over all the cores. A layout comes back on the asking worker's own queue.
The time a worker spends on another document's layout is not on its own file's clock (batch.py,
`elsewhere`). If the worker laying it out is stopped (its file's time limit), the asking worker lays
it out itself; if a worker dies, the batch's pool breaks and batch.py retries the files alone.
"""
from __future__ import annotations

import contextlib
import gc
import itertools
import pickle
import queue
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

POLL = 0.02     # seconds a waiting worker waits for its results before it looks at the queue again
elsewhere = contextlib.nullcontext  # around another document's layout (batch.py: not on this file's clock)


class Shared:
    """Made by the main process before the workers start (they inherit it)."""

    def __init__(self, ctx, workers: int):
        self.jobs = ctx.Queue()                                 # (slot, job id, epoch, function, args)
        self.inboxes = [ctx.Queue() for _ in range(workers)]    # per worker: (job id, (ok, value))
        self.stop = ctx.Event()                                 # set when the last document is done
        self.slots = ctx.Value("i", 0)
        self.epochs = ctx.Array("i", workers)                   # per slot: bumped when its document ends


_ME: Member | None = None


def init(shared: Shared) -> None:
    """Initializer of a batch worker: take a slot; lay PDF sections out through the shared queue."""
    global _ME
    with shared.slots.get_lock():
        slot, shared.slots.value = shared.slots.value, shared.slots.value + 1
    for q in (shared.jobs, *shared.inboxes):
        q.cancel_join_thread()      # exiting never waits for a reader that has gone
    _ME = Member(shared, slot)
    from ..writers import pdfpool
    pdfpool.use(_ME)


def serve(guard=contextlib.nullcontext) -> None:
    """A task for a worker without a document left: lay out queued sections until the batch ends,
    each one `with guard()` (batch.py: the per-file time limit)."""
    while not _ME.shared.stop.is_set():
        try:
            job = _ME.shared.jobs.get(timeout=1)
        except queue.Empty:
            continue
        if job is not None and not _ME.shared.stop.is_set():
            with guard():
                _ME.run(*job)


def abandon() -> None:
    """This worker's document has ended (stopped by its time limit, failed, or done): the layouts it
    asked for and that are still queued are skipped by whichever worker takes them."""
    if _ME is not None:
        with _ME.shared.epochs.get_lock():
            _ME.shared.epochs[_ME.slot] += 1
            _ME.epoch = _ME.shared.epochs[_ME.slot]
        for f in _ME.waiting.values():      # whoever still holds one lays it out itself (sections._result)
            f.set_exception(BrokenProcessPool("the document that asked for it has ended"))
        _ME.waiting.clear()
        from ..writers import sections
        sections._RECENT.clear()


def end(shared: Shared) -> None:
    """The batch has ended: the serving workers return at once."""
    shared.stop.set()
    shared.jobs.cancel_join_thread()    # (behind layouts nobody takes any more, they may never be read)
    for _ in shared.inboxes:
        shared.jobs.put(None)


class Member:
    """One worker's side: `submit` like an executor; its futures help while they are waited for."""

    def __init__(self, shared: Shared, slot: int):
        self.shared, self.slot, self.ids, self.waiting = shared, slot, itertools.count(), {}
        self.epoch = shared.epochs[slot]

    def submit(self, fn, *args) -> Future:
        f = _Helping(self)
        jid = next(self.ids)
        self.waiting[jid] = f
        self.shared.jobs.put((self.slot, jid, self.epoch, fn, args))
        return f

    def work(self) -> None:
        """Lay out one queued job, else wait a moment for a result addressed here."""
        try:
            job = self.shared.jobs.get_nowait()
        except queue.Empty:
            job = None
        if job is not None:
            self.run(*job)
        self.collect(0 if job is not None else POLL)

    def run(self, slot: int, jid: int, epoch: int, fn, args) -> None:
        if epoch != self.shared.epochs[slot]:
            return                  # asked for by a document that has ended
        gc.freeze()     # the collection after a layout (pdfpool.lay_out) looks at what the layout made
        try:            # only, not at this document's heap (which took a fifth of a document's time)
            with elsewhere() if slot != self.slot else contextlib.nullcontext():
                out = (True, fn(*args))
        except Exception as e:  # noqa: BLE001 - goes to the document that asked, as from an executor
            out = (False, e)
        except BaseException:   # this worker's time limit, Ctrl-C: the asking worker lays it out itself
            self.answer(slot, jid, (False, BrokenProcessPool("the worker laying it out was stopped")))
            raise
        finally:
            gc.unfreeze()
        self.answer(slot, jid, out)

    def answer(self, slot: int, jid: int, out: tuple) -> None:
        if slot == self.slot:
            self.resolve(jid, out)
            return
        if not out[0]:
            try:
                pickle.loads(pickle.dumps(out[1]))
            except Exception:   # noqa: BLE001 - an exception that cannot travel travels as text
                out = (False, RuntimeError(f"{type(out[1]).__name__}: {out[1]}"))
        self.shared.inboxes[slot].put((jid, out))

    def collect(self, wait: float) -> None:
        inbox = self.shared.inboxes[self.slot]
        try:
            while True:
                jid, out = inbox.get(timeout=wait) if wait else inbox.get_nowait()
                self.resolve(jid, out)
                wait = 0
        except queue.Empty:
            pass

    def resolve(self, jid: int, out: tuple) -> None:
        f = self.waiting.pop(jid, None)
        if f is None:               # asked for by a document that was stopped
            return
        if out[0]:
            f.set_result(out[1])
        else:
            f.set_exception(out[1])


class _Helping(Future):
    def __init__(self, member: Member):
        super().__init__()
        self.member = member

    def result(self, timeout=None):
        while not self.done():
            self.member.work()
        return super().result(0)

    def exception(self, timeout=None):
        while not self.done():
            self.member.work()
        return super().exception(0)
