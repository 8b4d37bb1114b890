"""A small on-disk cache for what does not change between revisions of a budget (speed, issue 6).

Compiled Jinja templates and drawn charts (keyed by their data) are kept under
`$DISCLOSURE_GEN_CACHE` (default `$XDG_CACHE_HOME/disclosure-gen`, else `~/.cache/disclosure-gen`).
`DISCLOSURE_GEN_CACHE=off` turns it off. Every key includes what the cached bytes depend on, so a
hit gives exactly the bytes a fresh computation would; an unwritable or broken cache is ignored.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

OFF = ("off", "0", "no", "false", "none")


def root() -> Path | None:
    env = os.environ.get("DISCLOSURE_GEN_CACHE", "").strip()
    if env.lower() in OFF:
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "disclosure-gen"


def folder(kind: str) -> Path | None:
    """The cache folder for `kind` (created), or None when caching is off or impossible."""
    r = root()
    if r is None:
        return None
    d = r / kind
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return d if os.access(d, os.W_OK) else None


def key(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else repr(p).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def get(kind: str, k: str) -> bytes | None:
    d = folder(kind)
    if d is None:
        return None
    try:
        return (d / k).read_bytes()
    except OSError:
        return None


def put(kind: str, k: str, data: bytes) -> None:
    d = folder(kind)
    if d is None:
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=d)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, d / k)
    except OSError:
        try:
            os.unlink(tmp)
        except (OSError, UnboundLocalError):
            pass


def prune(kind: str, keep: int) -> None:
    """Keep only the `keep` most recently written entries of `kind`."""
    d = folder(kind)
    if d is None:
        return
    try:
        entries = [e for e in os.scandir(d) if e.is_file() and not e.name.startswith(".tmp-")]
        if len(entries) <= keep:
            return
        entries.sort(key=lambda e: e.stat().st_mtime, reverse=True)
        for e in entries[keep:]:
            os.unlink(e.path)
    except OSError:
        pass


def bytecode_cache(d: Path):
    """Jinja's FileSystemBytecodeCache, best effort: a full disk, a read-only or broken cache
    (ENOSPC while writing a compiled template, a truncated entry) is ignored, never a failed render."""
    import jinja2

    class BestEffort(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket):
            try:
                super().load_bytecode(bucket)
            except (OSError, ValueError, EOFError, TypeError):
                bucket.reset()

        def dump_bytecode(self, bucket):
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return BestEffort(str(d))
