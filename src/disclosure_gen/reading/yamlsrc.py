"""Read a YAML file into plain Python data plus a map from data paths to source positions.

Scalars stay as the exact text the author typed (so "126.80" becomes Decimal("126.80") later and
"031" keeps its leading zero); only null is resolved. The reader refuses what could hurt us:
files that are too large, non-UTF-8 text, alias bombs, absurd nesting and duplicate keys.
"""
from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

try:  # the C composer is ~10x faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader

MAX_BYTES = 5 * 1024 * 1024      # a large 部门 with 80 projects is well under 1 MB
MAX_NODES = 300_000              # expanded nodes, counting every alias use
MAX_DEPTH = 40                   # the format nests about 8 levels deep
MAX_ITEMS = 20_000               # items in one list: a province's largest 部门 has a few thousand rows
NULLS = {"", "~", "null", "Null", "NULL"}


class InputError(Exception):
    """The file cannot be used at all (exit status 2). The message is Chinese, for the user."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass
class Source:
    path: str
    data: object
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    duplicate_keys: list[tuple[tuple, int, int]] = field(default_factory=list)

    def where(self, path: tuple) -> tuple[int, int]:
        """Line and column (1-based) of the value at `path`, or of its nearest ancestor."""
        p = tuple(path)
        while p:
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))

    def where_key(self, path: tuple) -> tuple[int, int]:
        return self.key_positions.get(tuple(path)) or self.where(path)


def read_text(path: str | Path) -> str:
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError(f"找不到文件：{path}") from None
    except OSError as e:
        raise InputError(f"无法读取文件：{path}（{_reason(e)}）") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path} 是文件夹，不是 YAML 文件")
    if not stat.S_ISREG(st.st_mode):      # /dev/zero would be read forever, a named pipe would block
        raise InputError(f"{path} 不是普通文件（设备、管道等），不能作为预算数据读取")
    if st.st_size > MAX_BYTES:
        raise InputError(f"文件过大（{st.st_size / 1048576:.1f} MB），上限为 {MAX_BYTES // 1048576} MB；请检查是否选错了文件")
    try:
        with open(p, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)   # never more, whatever the size said (files in /proc say 0)
    except OSError as e:
        raise InputError(f"无法读取文件：{path}（{_reason(e)}）") from None
    if len(raw) > MAX_BYTES:
        raise InputError(f"文件过大（超过 {MAX_BYTES // 1048576} MB）；请检查是否选错了文件")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise InputError(f"文件不是 UTF-8 编码（第 {line} 行附近）；请在编辑器中以 UTF-8 另存", line, 1) from None
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise InputError("文件为空：没有任何预算数据")
    return text


def _reason(e: OSError) -> str:
    if isinstance(e, PermissionError):
        return "没有读取权限"
    return e.strerror or str(e)


def load(path: str | Path, text: str | None = None) -> Source:
    if text is None:
        text = read_text(path)
    try:
        _prescan(text)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        from . import yaml_messages        # only on a syntax error: check must start fast
        pm, cm = e.problem_mark, e.context_mark
        if (e.problem or "").startswith("exceeded maximum nesting depth"):
            mark = pm or cm
            raise InputError(f"嵌套层数过多（超过 {MAX_DEPTH} 层）", *((mark.line + 1, mark.column + 1) if mark else ())) from None
        msg, line, col = yaml_messages.explain(e.problem, e.context, text, pm and (pm.line, pm.column),
                                               cm and (cm.line, cm.column))
        raise InputError(f"YAML 语法错误：{msg}", line, col) from None
    except yaml.reader.ReaderError as e:   # a raw control character, e.g. pasted from another system
        line, col = _offset_to_line_col(text, e.position)
        ch = f"U+{e.character:04X}" if isinstance(e.character, int) else repr(e.character)
        raise InputError(f"含有不可见的控制字符 {ch}（多见于从其他系统复制的文字），YAML 不允许；请删除该字符",
                         line, col) from None
    except yaml.YAMLError as e:  # pragma: no cover - other parser errors
        from . import yaml_messages
        raise InputError(f"YAML 语法错误：{yaml_messages.translate(getattr(e, 'problem', None))}") from None
    except RecursionError:
        raise InputError(f"嵌套层数过多（超过 {MAX_DEPTH} 层）") from None
    if root is None:
        raise InputError("文件为空：没有任何预算数据")
    src = Source(str(path), None)
    counter = [0]
    src.data = _convert(root, (), src, counter, 0)
    if not isinstance(src.data, dict):
        raise InputError("文件顶层应是“字段: 值”的映射，而不是列表或单个值", 1, 1)
    return src


def _offset_to_line_col(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a reader error: libyaml reports a UTF-8 byte offset, PyYAML a character index."""
    if _Loader.__name__.startswith("C"):
        head = text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "replace")
    else:  # pragma: no cover
        head = text[:position]
    return head.count("\n") + 1, len(head) - (head.rfind("\n") + 1) + 1


def _prescan(text: str) -> None:
    """Enforce the node, depth and list-length limits on the parser's event stream, before composing.

    Composing builds a Python object per node (~600 bytes each): a 5 MB file of two million
    one-character items would take seconds and over a gigabyte before `_convert` could count them.
    Events cost little and stop the read at the first limit passed. Aliases are counted later,
    where they are expanded (`_convert`).
    """
    nodes = 0
    stack: list[list] = []          # [is_sequence, children so far] per open collection
    for ev in yaml.parse(text, Loader=_Loader):
        if isinstance(ev, yaml.CollectionEndEvent):
            stack.pop()
            continue
        if not isinstance(ev, yaml.NodeEvent):
            continue
        is_key = False
        if stack:
            stack[-1][1] += 1
            if stack[-1][0]:
                if stack[-1][1] > MAX_ITEMS:
                    raise InputError(f"列表项过多（超过 {MAX_ITEMS} 项），已停止读取；请检查是否选错了文件",
                                     ev.start_mark.line + 1, ev.start_mark.column + 1)
            else:
                is_key = stack[-1][1] % 2 == 1      # mapping children alternate key, value
        if isinstance(ev, yaml.AliasEvent) or (is_key and isinstance(ev, yaml.ScalarEvent)):
            continue                        # counted as `_convert` counts: values, not keys
        nodes += 1
        if nodes > MAX_NODES:
            raise InputError(f"数据量过大（超过 {MAX_NODES} 个节点），已停止读取",
                             ev.start_mark.line + 1, ev.start_mark.column + 1)
        if isinstance(ev, yaml.CollectionStartEvent):
            if len(stack) > MAX_DEPTH:
                raise InputError(f"嵌套层数过多（超过 {MAX_DEPTH} 层）",
                                 ev.start_mark.line + 1, ev.start_mark.column + 1)
            stack.append([isinstance(ev, yaml.SequenceStartEvent), 0])


def _convert(node, path, src: Source, counter, depth):
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise InputError(f"数据量过大或含有递归展开的别名（超过 {MAX_NODES} 个节点），已停止读取")
    if depth > MAX_DEPTH:
        raise InputError(f"嵌套层数过多（超过 {MAX_DEPTH} 层）",
                         node.start_mark.line + 1, node.start_mark.column + 1)
    pos = (node.start_mark.line + 1, node.start_mark.column + 1)
    src.positions.setdefault(path, pos)
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in NULLS:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, path + (i,), src, counter, depth + 1) for i, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        out = {}
        merged_in: dict = {}     # keys from merge keys (<<): standard semantics, the mapping's own keys win
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                raise InputError("映射的键必须是简单文字", knode.start_mark.line + 1, knode.start_mark.column + 1)
            key = knode.value
            if key == "<<" and knode.tag != "tag:yaml.org,2002:str":   # a merge key (a quoted "<<" is a key)
                merged = _convert(vnode, path, src, counter, depth + 1)
                for m in merged if isinstance(merged, list) else [merged]:
                    if isinstance(m, dict):
                        for k, v in m.items():
                            merged_in.setdefault(k, v)   # earlier merged mappings take precedence
                    else:
                        raise InputError("合并键“<<:”的值应为映射的别名（如 <<: *默认值），或这样的别名列表",
                                         vnode.start_mark.line + 1, vnode.start_mark.column + 1)
                continue
            kpos = (knode.start_mark.line + 1, knode.start_mark.column + 1)
            if key in out:
                src.duplicate_keys.append((path + (key,), *kpos))
            src.key_positions[path + (key,)] = kpos
            out[key] = _convert(vnode, path + (key,), src, counter, depth + 1)
        if merged_in:
            out = {**{k: out.get(k, v) for k, v in merged_in.items()},
                   **{k: v for k, v in out.items() if k not in merged_in}}
        return out
    return None  # pragma: no cover
