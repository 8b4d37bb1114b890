"""Import WeasyPrint's C bindings without re-parsing their declarations at every start (speed, issue 6).

`weasyprint.text.ffi` declares about 16 KB of C (Pango, HarfBuzz, fontconfig) with `cffi.FFI().cdef`,
which runs pycparser on every import: about 0.16 s of the 0.35 s that importing WeasyPrint takes, on
the critical path of every PDF render. cffi's "out-of-line ABI mode" turns the same declarations into
a compact type table once (`emit_python_code`); loading that table takes a few milliseconds.

`install()` must run before `import weasyprint`. It reads the declarations from the installed
WeasyPrint's own `text/ffi.py`, keeps the type table in the on-disk cache keyed by those declarations
and the cffi version (only literals are stored and read back with `ast.literal_eval`: nothing from the
cache is executed), then runs that same `ffi.py` with its `cdef` call left out and `ffi` bound to the
prepared object. The libraries opened and every function and type are the same; anything unexpected
(another WeasyPrint layout of the file, no cache, a cffi error) leaves the normal import to happen.
"""
from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import os
import sys
import tempfile
import types
from pathlib import Path

MODULE = "weasyprint.text.ffi"
_FIELDS = ("_version", "_types", "_globals", "_struct_unions", "_enums", "_typenames", "_includes")


def _source() -> Path | None:
    spec = importlib.util.find_spec("weasyprint")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "text" / "ffi.py"
    return path if path.is_file() else None


def _split(tree: ast.Module):
    """(the cdef string, the module without its cdef call and with `ffi = cffi.FFI()` rebound)."""
    cdef = None
    body = []
    bound = False
    for node in tree.body:
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Attribute) and node.value.func.attr == "cdef"
                and isinstance(node.value.func.value, ast.Name) and node.value.func.value.id == "ffi"
                and len(node.value.args) == 1 and isinstance(node.value.args[0], ast.Constant)
                and isinstance(node.value.args[0].value, str) and cdef is None):
            cdef = node.value.args[0].value
            continue
        if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "ffi" and isinstance(node.value, ast.Call) and not bound):
            node = ast.copy_location(ast.Assign(targets=node.targets, value=ast.Name("__prepared_ffi__", ast.Load())),
                                     node)
            bound = True
        body.append(node)
    if cdef is None or not bound:
        return None, None
    tree.body = body
    return cdef, ast.fix_missing_locations(tree)


def _table(cdef: str) -> dict | None:
    """The out-of-line type table of `cdef` as keyword arguments of `_cffi_backend.FFI`."""
    import cffi

    from . import cache
    k = cache.key("weasyprint-ffi", cffi.__version__, cdef)
    hit = cache.get("ffi", k)
    if hit:
        try:
            return dict(zip(_FIELDS, ast.literal_eval(hit.decode("ascii")), strict=False))
        except (ValueError, SyntaxError, UnicodeDecodeError, MemoryError, RecursionError):
            pass
    builder = cffi.FFI()
    builder.cdef(cdef)
    builder.set_source("_disclosure_gen_weasyprint_ffi", None)
    fd, tmp = tempfile.mkstemp(suffix=".py")
    os.close(fd)
    try:
        with contextlib.redirect_stdout(io.StringIO()):      # cffi prints "generating …"
            builder.emit_python_code(tmp)
        code = Path(tmp).read_text(encoding="ascii")
    finally:
        os.unlink(tmp)
    call = next(n.value for n in ast.parse(code).body
                if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call))
    kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords}
    if set(kwargs) - set(_FIELDS):
        return None                       # a cffi that emits something this does not know
    cache.put("ffi", k, repr(tuple(kwargs.get(f) for f in _FIELDS)).encode("ascii"))
    return kwargs


def install() -> bool:
    """Prepare `weasyprint.text.ffi` (see the module text). True when the fast path is in place."""
    if MODULE in sys.modules or os.environ.get("DISCLOSURE_GEN_FAST_FFI", "").strip().lower() in (
            "0", "off", "no", "false"):
        return False
    try:
        import _cffi_backend
        path = _source()
        if path is None:
            return False
        cdef, tree = _split(ast.parse(path.read_bytes(), str(path)))
        if cdef is None:
            return False
        table = _table(cdef)
        if table is None:
            return False
        kwargs = {f: v for f, v in table.items() if v is not None}
        ffi = _cffi_backend.FFI("_disclosure_gen_weasyprint_ffi", **kwargs)
        module = types.ModuleType(MODULE)
        module.__file__ = str(path)
        module.__package__ = "weasyprint.text"
        module.__prepared_ffi__ = ffi
        sys.modules[MODULE] = module
        exec(compile(tree, str(path), "exec"), module.__dict__)   # WeasyPrint's own file, minus cdef
        return True
    except Exception:                     # noqa: BLE001 - the normal import then happens
        sys.modules.pop(MODULE, None)
        return False
