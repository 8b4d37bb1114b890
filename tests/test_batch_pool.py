"""The PDF sections of a batch's documents laid out by all of the batch's processes (commands/batchpool.py).

A worker waiting for its layouts lays out queued ones; a worker without a document left serves the
queue; a layout's error reaches the document that asked for it; a layout whose worker was stopped is
laid out by the worker that asked.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest

from disclosure_gen.commands import batchpool
from disclosure_gen.writers import pdfpool

CTX = multiprocessing.get_context("fork")
GATE = None     # set before the workers fork (they inherit it)


def _pid(_n):
    return os.getpid()


def _wait_gate(_n):
    return GATE.wait(30), os.getpid()


def _open_gate(_n):
    GATE.set()
    return os.getpid()


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("cannot pickle")


class _NotRebuilt(Exception):
    def __init__(self, a, b):       # pickled with (message,) only: cannot be unpickled
        super().__init__(f"{a}{b}")


def _fails(kind):
    GATE.set()
    raise {"plain": ValueError("版面出错"), "unpicklable": _Unpicklable("无法传回"),
           "not rebuilt": _NotRebuilt("无法", "重建")}[kind]


class _Stopped(BaseException):
    pass


def _stopped(_n):
    GATE.set()
    raise _Stopped()


def _spins(_n):
    import time
    GATE.set()
    end = time.monotonic() + 20
    while time.monotonic() < end:   # a layout that does not end (stopped by the time limit)
        pass
    return "not stopped"


def _serve_limited():
    from disclosure_gen.commands import batch
    batch._serve(0.3)


def _document(kind: str, *args):
    """A batch worker's document: its layouts go through the pool that pdfpool.get() gives."""
    pool = pdfpool.get()
    if kind == "gate":      # the first layout waits for the second: both workers must lay out at once
        futures = [pool.submit(_wait_gate, 0), pool.submit(_open_gate, 1)]
        return futures[0].result(), futures[1].result()
    if kind == "many":
        return [pool.submit(_pid, i).result() for i in range(5)], os.getpid()
    # laid out by the other worker: this one does not look at the queue until the layout has started
    f = pool.submit(*args)
    assert GATE.wait(30)
    if kind == "error":
        return repr(f.exception())
    if kind == "stopped":
        try:
            f.result()
        except BrokenProcessPool:
            return "laid out here"
        return "result"
    raise AssertionError(kind)


@pytest.fixture()
def batch_pool():
    global GATE
    GATE = CTX.Event()
    shared = batchpool.Shared(CTX, 2)
    pool = ProcessPoolExecutor(2, mp_context=CTX, initializer=batchpool.init, initargs=(shared,))
    yield pool, shared
    batchpool.end(shared)
    pool.shutdown(wait=True)


def test_a_worker_without_a_document_lays_out_the_others_sections(batch_pool):
    pool, shared = batch_pool
    doc = pool.submit(_document, "gate")
    helper = pool.submit(batchpool.serve)
    (opened, waiter), opener = doc.result(timeout=60)
    assert opened, "the second layout was not laid out while the first one waited"
    assert waiter != opener
    batchpool.end(shared)
    helper.result(timeout=10)


def test_a_worker_waiting_for_its_layouts_lays_them_out_itself(batch_pool):
    pool, _shared = batch_pool
    pids, owner = pool.submit(_document, "many").result(timeout=60)
    assert pids == [owner] * 5      # nobody else serves the queue: all laid out where they were asked


@pytest.mark.parametrize("kind, seen", [("plain", "ValueError('版面出错')"),
                                        ("unpicklable", "RuntimeError('_Unpicklable: 无法传回')"),
                                        ("not rebuilt", "RuntimeError('_NotRebuilt: 无法重建')")])
def test_an_error_in_a_layout_reaches_the_document_that_asked(batch_pool, kind, seen):
    pool, shared = batch_pool
    doc = pool.submit(_document, "error", _fails, kind)
    helper = pool.submit(batchpool.serve)
    assert doc.result(timeout=60) == seen
    batchpool.end(shared)
    helper.result(timeout=10)


def test_a_layout_whose_worker_was_stopped_is_laid_out_by_the_asking_worker(batch_pool):
    pool, _shared = batch_pool
    doc = pool.submit(_document, "stopped", _stopped, 0)
    helper = pool.submit(batchpool.serve)
    assert doc.result(timeout=60) == "laid out here"    # (sections.py lays it out again on BrokenProcessPool)
    with pytest.raises(_Stopped):
        helper.result(timeout=10)


def test_two_documents_at_once_share_the_queue(batch_pool):
    pool, _shared = batch_pool
    a, b = pool.submit(_document, "gate"), pool.submit(_document, "many")
    (opened, _w), _o = a.result(timeout=60)
    pids, _owner = b.result(timeout=60)
    assert opened and len(pids) == 5


def test_the_main_process_has_no_shared_pool():
    assert not isinstance(pdfpool.get(), batchpool.Member)


def test_a_worker_dying_in_a_shared_layout_fails_only_its_file(tmp_path):
    """A crash while laying out a section (of whichever document) breaks the batch's pool; the files
    are retried alone and only the culprit fails."""
    import shutil
    import subprocess
    import sys
    import textwrap
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    gaoping = (root / "inputs" / "gaoping-bigdata-2026.yaml").read_text(encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    for name, agency in (("a.yaml", "高平市大数据中心"), ("crash.yaml", "会崩溃的中心"), ("z.yaml", "第三个中心")):
        (folder / name).write_text(gaoping.replace("name: 高平市大数据中心", f"name: {agency}", 1), encoding="utf-8")
    prog = textwrap.dedent("""
        import os
        from disclosure_gen.writers import sections
        real = sections.lay_out
        def lay_out(markup, *a, **k):
            if "会崩溃的中心" in markup:
                os._exit(3)              # a native crash while laying out a section
            return real(markup, *a, **k)
        sections.lay_out = lay_out
        import sys
        from disclosure_gen.commands.cli import main
        sys.exit(main(sys.argv[1:]))
    """)
    env = {**os.environ, "PYTHONPATH": str(root / "src")}     # (the culprit never reaches the cache)
    p = subprocess.run([sys.executable, "-c", prog, "batch", str(folder), "-o", str(tmp_path / "out"), "--jobs", "2",
                        "--format", "pdf"], capture_output=True, text=True, timeout=300, cwd=root, env=env)
    rows = {ln.split()[0]: ln.split()[2] for ln in p.stdout.splitlines() if ln.split() and ln.split()[0].endswith(".yaml")}
    assert rows == {"a.yaml": "成功", "crash.yaml": "失败", "z.yaml": "成功"}, p.stdout + p.stderr
    assert "处理进程意外退出" in p.stdout
    assert sorted(x.name for x in (tmp_path / "out").iterdir()) == [
        "第三个中心-2026年度单位预算公开-shanxi.pdf", "高平市大数据中心-2026年度单位预算公开-shanxi.pdf"]
    shutil.rmtree(folder)


def test_a_layout_over_the_time_limit_in_a_serving_worker_is_laid_out_by_the_asking_worker(batch_pool):
    from disclosure_gen.commands.batch import TimeLimit
    pool, _shared = batch_pool
    doc = pool.submit(_document, "stopped", _spins, 0)
    helper = pool.submit(_serve_limited)
    assert doc.result(timeout=30) == "laid out here"
    with pytest.raises(TimeLimit):
        helper.result(timeout=10)


def _sleep(seconds):
    import time
    time.sleep(seconds)
    return seconds


def _document_behind_another(limit, foreign, own):
    """A document whose worker, waiting for its layout, first lays out another document's (queued
    before it), all under this file's time limit."""
    import time
    from disclosure_gen.commands import batch
    me = pdfpool.get()
    with batch._limited(limit):
        other = (me.slot + 1) % 2
        me.shared.jobs.put((other, 10 ** 6, me.shared.epochs[other], _sleep, (foreign,)))
        t = time.monotonic()
        return me.submit(_sleep, own).result(), time.monotonic() - t


def test_another_documents_layout_does_not_count_against_a_files_time_limit(batch_pool):
    pool, _shared = batch_pool
    own, took = pool.submit(_document_behind_another, 1.0, 0.7, 0.4).result(timeout=30)
    assert own == 0.4 and took >= 1.1      # both laid out here: 1.1 s, the file's own 0.4 s within its 1 s


def test_another_documents_layout_is_still_bounded(batch_pool):
    from disclosure_gen.commands.batch import TimeLimit
    pool, _shared = batch_pool
    with pytest.raises(TimeLimit):       # a layout that does not end stops the worker laying it out
        pool.submit(_document_behind_another, 1.0, 20, 0.3).result(timeout=30)


RAN = CTX.Value("i", 0)     # layouts run, over all workers (inherited when they fork)


def _counted(seconds):
    import time
    with RAN.get_lock():
        RAN.value += 1
    time.sleep(seconds)


def _document_that_ends_early():
    pool = pdfpool.get()
    futures = [pool.submit(_counted, 0.3) for _ in range(6)]
    batchpool.abandon()                 # (batch.py: when a file ends, e.g. stopped by its time limit)
    return [type(f.exception()).__name__ for f in futures]


def test_the_queued_layouts_of_a_document_that_ended_are_not_laid_out(batch_pool):
    import time
    pool, shared = batch_pool
    RAN.value = 0
    assert pool.submit(_document_that_ends_early).result(timeout=30) == ["BrokenProcessPool"] * 6
    helper = pool.submit(batchpool.serve)
    time.sleep(1.5)                     # long enough for the other worker to lay out four of them
    batchpool.end(shared)
    helper.result(timeout=10)
    assert RAN.value == 0
