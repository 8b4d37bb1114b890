"""disclosure-gen command line (help texts in Chinese). `check` must stay light: no rendering imports.

Exit status, for every command: 0 done (no errors), 1 errors in the data / something failed,
2 unusable input or wrong use of the command. `diff` follows diff(1): 0 same, 1 different.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path


# ---- output helpers ----------------------------------------------------------------------------------------
def _color(stream=None) -> bool:
    """Colours on a terminal; NO_COLOR turns them off, FORCE_COLOR on (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


RED, YELLOW, GREEN, BOLD, OFF = "\033[31m", "\033[33m", "\033[32m", "\033[1m", "\033[0m"


def _paint(text: str, code: str, on: bool) -> str:
    return f"{code}{text}{OFF}" if on else text


def _json_text(obj) -> str:
    """JSON for stdout: Chinese as is, or \\u escapes where stdout cannot encode a character (GBK)."""
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        text = json.dumps(obj, ensure_ascii=True, indent=2)
    return text


def _tolerant_streams() -> None:
    """A GBK console or a redirect on Windows cannot encode 😀 or 𠀀 quoted from the data: print
    them as \\U escapes instead of failing with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        enc = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if enc not in ("utf8", "utf8sig") and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1048576:.1f} MB"


def _load(path, code_table=None):
    from ..check import rules as check
    from ..reading import yamlsrc
    try:
        return check.load(path, code_table=code_table), None
    except yamlsrc.InputError as e:
        where = f"{path}:{e.line}:{e.col}" if e.line else path
        return None, f"{where} 无法使用 {e.message}"
    except Exception as e:  # noqa: BLE001 - a defect met by this file: said in plain words, never a traceback
        if os.environ.get("DISCLOSURE_GEN_DEBUG"):
            raise
        return None, (f"{path}：检查时程序出错（{type(e).__name__}），未能检查完。"
                      "如需报告问题，请设置环境变量 DISCLOSURE_GEN_DEBUG=1 重新运行并附上输出")


# ---- check ---------------------------------------------------------------------------------------------------
def cmd_check(args) -> int:
    status = 0
    out = []
    color = _color()
    for i, path in enumerate(args.files):
        loaded, problem = _load(path, getattr(args, "codes", None))
        if problem:
            status = max(status, 2)
            out.append({"file": path, "fatal": problem, "errors": None, "warnings": None, "findings": []})
            if args.format == "text":
                _err(problem)
            continue
        if loaded.errors:
            status = max(status, 1)
        n_err, n_warn = len(loaded.errors), len(loaded.findings) - len(loaded.errors)
        if args.format == "json":
            out.append({"file": path, "errors": n_err, "warnings": n_warn,
                        "findings": [f.as_dict() for f in loaded.findings]})
            continue
        if len(args.files) > 1 and (loaded.findings or i):
            print(_paint(f"== {path}", BOLD, color))
        for f in loaded.findings:
            line = f.format()
            if color:
                level = "错误" if f.severity == "error" else "警告"
                line = line.replace(f" {level} ", " " + _paint(level, RED if f.severity == "error" else YELLOW, True) + " ", 1)
            print(line)
        summary = f"{path}：{n_err} 个错误，{n_warn} 个警告"
        print(_paint(summary, RED if n_err else GREEN, color))
    if args.format == "json":
        print(_json_text(out))
    return status


# ---- render --------------------------------------------------------------------------------------------------
def _formats(text: str):
    from . import pipeline
    formats = [x.strip().lower() for x in text.split(",") if x.strip()]
    bad = [x for x in formats if x not in pipeline.FORMATS]
    if bad or not formats:
        _err(f"未知格式：{', '.join(bad) or text}（可用：docx,pdf,html,xlsx）")
        return None
    return formats


def _sweep_temps(targets) -> None:
    """Remove temporary files a killed earlier run left beside these documents (older than a minute)."""
    now = time.time()
    for target in targets:
        t = Path(target)
        for tmp in t.parent.glob(f".{t.name[:60]}.*.tmp"):
            try:
                if now - tmp.stat().st_mtime > 60:
                    tmp.unlink()
            except OSError:
                pass


def _style_ok(style, files=()) -> bool:
    """A --style given on the command line must be registered (for at least one of the files, whose
    own styles/ folder may hold it)."""
    if not style:
        return True
    from ..render import styles
    names = set(styles.available())
    for f in files or ():
        names |= set(styles.available(f))
    if style not in names:
        _err(f"未知样式“{style}”；可用样式：{'、'.join(sorted(names))}")
        return False
    return True


_HELP_WANTED = True     # main() sets it from argv: labels and the default are read only for --help


def _styles_help() -> str:
    """The registered styles for --help: name（label）…, default marked. Without -h only the names
    (a folder listing): reading every style.yaml would cost each `check` tens of milliseconds."""
    from ..render import styles
    if not _HELP_WANTED:
        try:
            return " | ".join(styles.available())
        except Exception:   # noqa: BLE001
            return ""
    try:
        names = styles.available()
        default = styles.default_name()
    except Exception:   # noqa: BLE001 - a broken user style folder must not break --help
        return "（样式文件夹无法读取）"
    out = []
    for n in names:
        try:
            label = styles.get(n).config.get("label")
        except styles.StyleError:
            label = "无法使用"
        out.append(f"{n}（{label}）" if label else n)
    return " | ".join(out) + (f"；默认 {default}" if default else "")


def _configure_styles(argv) -> str | None:
    """`--styles DIR` (any subcommand, any number of times) is read before the parser is built, so
    that --help and --style choices list the styles in those folders. Returns a problem, if any."""
    from ..render import styles
    dirs, it = [], iter(argv)
    for a in it:
        if a == "--styles":
            dirs.append(next(it, ""))
        elif a.startswith("--styles="):
            dirs.append(a.split("=", 1)[1])
    try:
        styles.configure(dirs)
    except styles.StyleError as e:
        return str(e)
    return None


def cmd_render(args) -> int:
    # the processes laying out the PDF start before anything heavy is imported (writers/pdfpool.py)
    if "pdf" in args.format.lower():
        from ..writers import pdfpool
        pdfpool.start()
    from . import pipeline
    from ..reading import yamlsrc
    formats = _formats(args.format)
    if formats is None or not _style_ok(args.style, args.files):
        return 2
    status = 0
    for path in args.files:
        try:
            res = pipeline.render_file(path, args.output, style=args.style, formats=formats, force=args.force,
                                       prefork=True)
        except yamlsrc.InputError as e:
            where = f"{path}:{e.line}:{e.col}" if e.line else path
            _err(f"{where} 无法使用 {e.message}")
            status = max(status, 2)
            continue
        except pipeline.RenderRefused as e:
            _err(str(e))
            status = max(status, 1)
            continue
        except OSError as e:
            _err(f"{path}：写入失败（{_os_reason(e)}），原有文件未改动")
            status = max(status, 2)
            continue
        except Exception as e:  # noqa: BLE001 - a failing writer must not look like a crash to the user
            if os.environ.get("DISCLOSURE_GEN_DEBUG"):
                raise
            _err(f"{path}：生成失败（{type(e).__name__}: {e}），原有文件未改动。"
                 "如需报告问题，请设置环境变量 DISCLOSURE_GEN_DEBUG=1 重新运行并附上输出")
            status = max(status, 1)
            continue
        n_err = 0
        for f in res.findings:
            if f.severity == "error":
                n_err += 1
            if f.severity == "error" or args.verbose:
                _err(f.format())
        _sweep_temps(t for t, _n in res.written)
        for target, size in res.written:
            print(f"已生成 {target}（{_size(size)}）")
        if n_err:
            _err(f"{path}：有 {n_err} 个校验错误，已按 --force 生成草稿，每页标注“草稿（存在校验错误）”")
        n_warn = len(res.findings) - n_err
        if n_warn and not args.verbose:
            _err(f"{path}：{n_warn} 个警告（加 -v 列出，或运行 disclosure-gen check）")
        print(f"{path}：用时 {res.seconds:.2f} 秒")
    return status


def _os_reason(e: OSError) -> str:
    import errno
    zh = {errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "超出磁盘配额", errno.EACCES: "没有写入权限",
          errno.EPERM: "没有写入权限", errno.EROFS: "只读文件系统", errno.ENAMETOOLONG: "文件名过长",
          errno.ENOTDIR: "输出路径不是文件夹", errno.EEXIST: "输出路径已存在且不是文件夹",
          errno.ENOENT: "路径不存在", errno.EISDIR: "同名的文件夹占用了输出文件名"}.get(e.errno)
    what = zh or e.strerror or str(e)
    return f"{what}：{e.filename}" if e.filename else what


def _write_new_file(target: str, text: str, force: bool) -> int | None:
    """Write a new input file atomically; refuse to overwrite unless --force. None on success."""
    from .pipeline import atomic_write
    p = Path(target)
    if p.exists() and not force:
        _err(f"{target} 已存在，未覆盖（确需覆盖请加 --force）")
        return 2
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(p, text.encode("utf-8"))
    except OSError as e:
        _err(f"{target}：写入失败（{_os_reason(e)}）")
        return 2
    return None


# ---- new -----------------------------------------------------------------------------------------------------
def cmd_new(args) -> int:
    from . import new as skeleton
    from ..render import styles
    args.style = args.style or styles.default_name()
    if not args.style:
        _err("没有默认样式，请用 --style 指定")
        return 2
    if not 2000 <= args.year <= 2100:
        _err(f"预算年度 {args.year} 不在 2000–2100 之间")
        return 2
    if not (len(args.code) == 3 and all("0" <= c <= "9" for c in args.code)):
        _err(f"主管部门代码“{args.code}”应为 3 位半角数字")
        return 2
    from ..check import limits
    problem = limits.bad_name(args.name)
    if problem:
        _err(f"--name：{problem}")
        return 2
    text = skeleton.skeleton(args.name, args.kind, args.year, args.style, args.code, args.unit_type,
                             target=args.output)
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return 0
    problem = _write_new_file(args.output, text, args.force)
    if problem is not None:
        return problem
    print(f"已生成 {args.output}：请按注释填写金额，然后运行 disclosure-gen check {args.output}")
    return 0


# ---- rollover ------------------------------------------------------------------------------------------------
def cmd_rollover(args) -> int:
    from . import rollover
    from ..reading import yamlsrc
    if Path(args.output).resolve() == Path(args.file).resolve():
        _err("新文件不能与原文件相同（-o 请写新的文件名，原文件要保留作为上年依据）")
        return 2
    try:
        res = rollover.rollover(args.file, to=args.to, blank=args.blank, force=args.force_errors)
    except yamlsrc.InputError as e:
        where = f"{args.file}:{e.line}:{e.col}" if e.line else args.file
        _err(f"{where} 无法使用 {e.message}")
        return 2
    except rollover.RolloverRefused as e:
        _err(str(e))
        return e.status
    problem = _write_new_file(args.output, res.text, args.force)
    if problem is not None:
        return problem
    color = _color()
    print(_paint(f"已生成 {args.output}（{res.year_from} → {res.year_to} 年度）", BOLD, color))
    print("已改动：")
    for c in res.changes:
        print(f"  {c}")
    print("请填写或核对：")
    for t in res.todo:
        print(f"  {t}")
    print(f"完成后运行：disclosure-gen check {args.output}")
    return 0


# ---- import ----------------------------------------------------------------------------------------------------
def cmd_import(args) -> int:
    """Tables (xlsx/csv) → an input file, or the figures of an existing one replaced (--into)."""
    from ..check import rules as check
    from ..reading import xlsx as xlsx_import
    from ..reading import xlsx_yaml
    from ..reading import yamlsrc
    if not args.output and not args.into:
        _err("请用 -o 指定新文件（如 -o inputs/x.yaml），或用 --into 指定要更新数字的已有文件")
        return 2
    if args.style and not _style_ok(args.style):
        return 2
    try:
        res = xlsx_import.import_files(args.files, style=args.style)
    except xlsx_import.ImportRefused as e:
        _err(f"无法导入：{e}")
        return 2
    except Exception as e:  # noqa: BLE001 - never a traceback for a workbook we could not read
        if os.environ.get("DISCLOSURE_GEN_DEBUG"):
            raise
        _err(f"无法导入：读取表格时出错（{type(e).__name__}），未写入任何文件。"
             "如需报告问题，请设置环境变量 DISCLOSURE_GEN_DEBUG=1 重新运行并附上输出")
        return 2
    color = _color()
    for f in res.findings:
        _err(_paint(f.format(), RED if f.severity == "error" else YELLOW, _color(sys.stderr)))
    target = args.output or args.into
    changes: list[str] = []
    if args.into:
        try:
            text, changes = xlsx_yaml.into(args.into, res.data)
        except yamlsrc.InputError as e:
            _err(f"{args.into} 无法使用 {e.message}")
            return 2
        except ValueError as e:
            _err(str(e))
            return 2
    else:
        text = res.text
    try:
        loaded = check.load(target, text)
    except yamlsrc.InputError as e:     # pragma: no cover - the writer's own output
        _err(f"{target}：生成的文件无法读取（{e.message}），未写入")
        return 2
    if target == "-":
        sys.stdout.write(text)
    else:
        force = args.force or bool(args.into and not args.output)
        if args.into and args.output and Path(args.output).resolve() == Path(args.into).resolve():
            force = True
        problem = _write_new_file(target, text, force)
        if problem is not None:
            return problem
    out = sys.stdout if target != "-" else sys.stderr
    print(_paint(f"已{'更新' if args.into else '生成'} {target}", BOLD, color), file=out)
    print("已读取：", file=out)
    for line in res.read:
        print(f"  {line}", file=out)
    if res.skipped:
        print("已跳过：", file=out)
        for line in res.skipped:
            print(f"  {line}", file=out)
    if changes:
        print(f"数字变动（{len(changes)} 处；运行 disclosure-gen diff 查看对表格的影响）：", file=out)
        for c in changes[:200]:
            print(f"  {c}", file=out)
    elif args.into:
        print("数字没有变动", file=out)
    if not args.into:
        print("请填写或核对（表格中没有）：", file=out)
        for t in res.todo:
            print(f"  {t}", file=out)
    errors = [f for f in loaded.findings if f.severity == "error"]
    for f in errors:
        _err(f.format())
    n_table = sum(1 for f in res.findings if f.severity == "error")
    if errors or n_table:
        what = "、".join(x for x in (f"表格中 {n_table} 个错误" if n_table else "",
                                     f"{len(errors)} 个校验错误（多为表格之间的数字不一致）" if errors else "") if x)
        _err(f"{target}：有{what}，见上；请核对表格或数据文件")
        return 1
    print(f"完成后运行：disclosure-gen check {target}", file=out)
    return 0


# ---- diff ----------------------------------------------------------------------------------------------------
def cmd_diff(args) -> int:
    from . import diff as diffing
    from ..render import templating
    from ..reading import yamlsrc
    try:
        d = diffing.diff_files(args.old, args.new, style=args.style)
    except yamlsrc.InputError as e:
        path = getattr(e, "path", "")
        where = f"{path}:{e.line}:{e.col}" if e.line else path
        _err(f"{where} 无法使用 {e.message}")
        return 2
    except templating.TemplateProblem as e:      # a broken or tampered style (issue 16)
        _err(f"无法比较：{e}")
        return 2
    if args.format == "json":
        print(_json_text(d.as_dict()))
    else:
        print(diffing.format_text(d, color=_color()))
    return 0 if d.empty else 1


# ---- batch ---------------------------------------------------------------------------------------------------
def cmd_batch(args) -> int:
    from . import batch
    folder = Path(args.folder)
    if not folder.is_dir():
        _err(f"{args.folder} 不是文件夹")
        return 2
    formats = _formats(args.format)
    if formats is None or not _style_ok(args.style):
        return 2
    files = batch.find_inputs(folder)
    if not files:
        _err(f"{args.folder} 中没有 .yaml 文件")
        return 2
    if args.jobs is not None and args.jobs < 1:      # 0 used to mean the default, silently
        _err("--jobs 应至少为 1（省略时按 CPU 数，最多 4）")
        return 2
    if args.time_limit is not None and args.time_limit < 0:
        _err("--time-limit 不能为负数（0 表示不限时）")
        return 2
    from ..check import limits
    jobs, note = limits.bounded_jobs(args.jobs or batch.default_jobs())
    if note:
        _err(note)
    print(f"共 {len(files)} 个文件，{jobs} 个进程并行生成到 {args.output}/", file=sys.stderr)
    progress = batch.Progress(len(files))
    items = batch.run(files, args.output, jobs=jobs, style=args.style, formats=formats, force=args.force,
                      progress=progress,
                      time_limit=batch.TIME_LIMIT if args.time_limit is None else (args.time_limit or None))
    print(batch.summary(items, color=_color()))
    return 0 if all(it.ok for it in items) else 1


# ---- schema --------------------------------------------------------------------------------------------------
def cmd_schema(args) -> int:
    from . import schema
    text = schema.schema_text()
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return 0
    p = Path(args.output)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        from .pipeline import atomic_write
        atomic_write(p, text.encode("utf-8"))
    except OSError as e:
        _err(f"{args.output}：写入失败（{_os_reason(e)}）")
        return 2
    print(f"已生成 {args.output}")
    return 0


# ---- parser --------------------------------------------------------------------------------------------------
class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese headings and error messages."""

    def __init__(self, *a, **kw):
        kw.setdefault("formatter_class", _Formatter)
        kw.setdefault("add_help", False)
        super().__init__(*a, **kw)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message):
        tr = [("the following arguments are required", "缺少参数"), ("unrecognized arguments", "无法识别的参数"),
              ("invalid choice", "无效的选项"), ("choose from", "可选"), ("expected one argument", "需要一个值"),
              ("invalid int value", "应为整数"), ("argument ", "参数 ")]
        for en, zh in tr:
            message = message.replace(en, zh)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{message}\n（运行 {self.prog} -h 查看帮助）\n")


EPILOG = """\
常用流程：
  disclosure-gen new --name 某某局 --kind 单位 --year 2027 -o inputs/x.yaml   新建数据文件
  disclosure-gen check inputs/x.yaml                                           校验
  disclosure-gen render inputs/x.yaml                                          生成 DOCX、PDF 到 output/
  disclosure-gen rollover inputs/x-2026.yaml --to 2027 -o inputs/x-2027.yaml   由本年文件生成下一年文件
  disclosure-gen import 公开表.xlsx -o inputs/x.yaml                            由 Excel 表格生成数据文件
  disclosure-gen diff 旧.yaml 新.yaml                                           比较两个版本
  disclosure-gen batch inputs/ -o output/                                      批量生成
退出码：0 成功；1 数据有错误或有文件失败；2 文件无法使用或命令用法有误。
"""


def build_parser() -> argparse.ArgumentParser:
    from ..render import styles
    p = _Parser(prog="disclosure-gen", description="预算公开文件生成工具：由 YAML 预算数据生成预算公开文件（DOCX 与 PDF）。\n"
                f"可用样式：{_styles_help()}", epilog=EPILOG)
    sub = p.add_subparsers(dest="cmd", metavar="命令", title="可用命令", parser_class=_Parser)

    n = sub.add_parser("new", help="新建空白数据文件（带中文注释）",
                       description="新建一个带中文注释的空白数据文件；金额为 0，可直接通过 check。")
    n.add_argument("--name", required=True, metavar="名称", help="单位或部门名称，如 高平市大数据中心")
    n.add_argument("--kind", required=True, choices=["单位", "部门"], help="单位预算或部门预算")
    n.add_argument("--year", required=True, type=int, metavar="年度", help="预算年度，如 2027")
    n.add_argument("--style", choices=styles.available(), metavar="样式",
                   help=f"默认样式：{_styles_help()}")
    n.add_argument("--code", default="000", metavar="代码", help="主管部门代码（3 位数字，默认 000，之后可改）")
    n.add_argument("--unit-type", default="行政单位", choices=["行政单位", "事业单位", "参照公务员法管理"],
                   help="单位类型（默认 行政单位）")
    n.add_argument("-o", "--output", metavar="文件", help="新文件路径，如 inputs/x.yaml（省略时输出到屏幕）")
    n.add_argument("--force", action="store_true", help="文件已存在时覆盖")
    n.set_defaults(func=cmd_new)

    c = sub.add_parser("check", help="校验预算数据文件", description="校验预算数据文件，列出错误与警告。\n"
                       "每条为：文件:行:列 级别 规则 消息。退出码：0 无错误，1 有错误，2 文件无法使用。")
    c.add_argument("files", nargs="+", metavar="文件", help="YAML 预算数据文件")
    c.add_argument("--format", choices=["text", "json"], default="text", help="输出格式：text（默认）| json")
    c.add_argument("--codes", metavar="科目表", help="完整的政府收支分类科目表（CSV 或 xlsx：编码, 名称），"
                   "不在表中的编码为错误（也可在文件的 options.code_table 中指定）")
    c.set_defaults(func=cmd_check)

    r = sub.add_parser("render", help="生成 DOCX/PDF 文件", description="由预算数据文件生成预算公开文件。\n"
                       "文件名取自单位名称和年度；写入是原子的：失败时原有文件保持不变。")
    r.add_argument("files", nargs="+", metavar="文件", help="YAML 预算数据文件")
    r.add_argument("--style", metavar="样式", help=f"样式（{_styles_help()}），默认取文件中的 style")
    r.add_argument("--format", default="docx,pdf", metavar="格式", help="输出格式，逗号分隔：docx,pdf,html,xlsx（默认 docx,pdf；xlsx 为公开表工作簿）")
    r.add_argument("-o", "--output", default="output", metavar="目录", help="输出目录（默认 output/）")
    r.add_argument("--force", action="store_true", help="数据有错误时仍生成，每页标注“草稿（存在校验错误）”")
    r.add_argument("-v", "--verbose", action="store_true", help="同时列出警告")
    r.set_defaults(func=cmd_render)

    ro = sub.add_parser("rollover", help="由本年文件生成下一年文件",
                        description="由本年数据文件生成下一年的数据文件：本年数字成为上年数（prior_year），\n"
                        "金额保留作为起点（或用 --blank 清零），年份文字顺延，注释和顺序保持不变。")
    ro.add_argument("file", metavar="文件", help="本年数据文件")
    ro.add_argument("--to", type=int, metavar="年度", help="新年度（默认下一年）")
    ro.add_argument("-o", "--output", required=True, metavar="新文件", help="新文件路径")
    ro.add_argument("--blank", action="store_true", help="把所有金额清零（默认保留本年金额作为起点）")
    ro.add_argument("--force", action="store_true", help="新文件已存在时覆盖")
    ro.add_argument("--force-errors", action="store_true", help="原文件有校验错误时仍生成（上年数可能不对）")
    ro.set_defaults(func=cmd_rollover)

    d = sub.add_parser("diff", help="比较两个版本的数据文件",
                       description="比较两个版本：改了哪些数据、表格中哪些数字变了（旧 → 新）、情况说明中哪些句子变了。\n"
                       "退出码：0 没有差别，1 有差别，2 文件无法使用。")
    d.add_argument("old", metavar="旧文件")
    d.add_argument("new", metavar="新文件")
    d.add_argument("--style", metavar="样式", help=f"按哪种样式比较表格和文字（{_styles_help()}；默认取新文件中的 style）")
    d.add_argument("--format", choices=["text", "json"], default="text", help="输出格式：text（默认）| json")
    d.set_defaults(func=cmd_diff)

    im = sub.add_parser("import", help="由预算系统导出的 Excel/CSV 表格生成数据文件",
                        description="读取预算管理一体化系统导出的公开表（.xlsx 或 .csv，可多个文件），按表名和表头识别各表，\n"
                        "只取明细行（项、经济分类款、项目），用表中的合计核对明细，生成可通过 check 的数据文件；\n"
                        "表格中没有的内容（职责、绩效目标、原因等）以“待填写”注释标出。\n"
                        "--into 已有文件：只替换其中的数字，文字、原因和注释保留。退出码：0 成功，1 表格数字不一致，2 文件无法使用。")
    im.add_argument("files", nargs="+", metavar="表格", help="Excel 工作簿（.xlsx）或 CSV 文件")
    im.add_argument("-o", "--output", metavar="文件", help="新数据文件，如 inputs/x.yaml（- 输出到屏幕）")
    im.add_argument("--into", metavar="已有文件", help="替换该数据文件中的数字（与 -o 同用时写到 -o，原文件不动）")
    im.add_argument("--style", metavar="样式", help=f"样式（{_styles_help()}），默认按表名判断")
    im.add_argument("--force", action="store_true", help="-o 文件已存在时覆盖")
    im.set_defaults(func=cmd_import)

    b = sub.add_parser("batch", help="批量生成一个文件夹中的所有文件",
                       description="并行生成文件夹中每个 .yaml 文件的 DOCX/PDF；个别文件失败不影响其他文件，\n"
                       "最后列出汇总表。有文件失败时退出码为 1。")
    b.add_argument("folder", metavar="文件夹", help="存放 YAML 数据文件的文件夹")
    b.add_argument("-o", "--output", default="output", metavar="目录", help="输出目录（默认 output/）")
    b.add_argument("--jobs", "-j", type=int, metavar="N",
                   help="并行进程数（默认按 CPU 数，最多 4；不超过 CPU 数和可用内存允许的数目）")
    b.add_argument("--time-limit", type=float, metavar="秒",
                   help="每个文件的时限（默认 600 秒；0 不限时）；超时的文件记为失败，其他文件继续")
    b.add_argument("--style", metavar="样式", help=f"样式（{_styles_help()}；默认取各文件中的 style）")
    b.add_argument("--format", default="docx,pdf", metavar="格式", help="输出格式，逗号分隔：docx,pdf,html,xlsx（默认 docx,pdf；xlsx 为公开表工作簿）")
    b.add_argument("--force", action="store_true", help="数据有错误的文件也生成草稿")
    b.set_defaults(func=cmd_batch)

    s = sub.add_parser("schema", help="输出数据格式的 JSON Schema",
                       description="输出输入文件格式的 JSON Schema（编辑器据此提示字段含义、检查拼写）。")
    s.add_argument("-o", "--output", metavar="文件", help="写入文件，如 schema/disclosure.schema.json（省略时输出到屏幕）")
    s.set_defaults(func=cmd_schema)
    for sp in (n, c, r, ro, d, im, b):
        sp.add_argument("--styles", action="append", metavar="文件夹",
                        help="另外的样式文件夹（其中每个子文件夹是一种样式；可多次给出；"
                             f"也可用环境变量 {styles.ENV_VAR}，或放在数据文件旁的 styles/ 中）")
    return p


def _terminate(signum, _frame):
    # turn SIGTERM/SIGHUP into an exception, so that cleanup (temporary files) runs
    raise SystemExit(128 + signum)


def _exit_now(status: int) -> None:
    """End a command-line render at once (speed, issue 6): every file is written and synced, and
    tearing down the rendering stack's millions of objects would only add up to seconds."""
    pool = sys.modules.get("disclosure_gen.writers.pdfpool")      # only where a render started it
    if pool is not None:
        pool.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


def main(argv=None) -> int:
    problem = _configure_styles(sys.argv[1:] if argv is None else argv)
    if problem:
        _err(problem)
        return 2
    global _HELP_WANTED
    words = sys.argv[1:] if argv is None else list(argv)
    _HELP_WANTED = not words or any(a in ("-h", "--help") for a in words)
    parser = build_parser()
    args = parser.parse_args(argv)
    _tolerant_streams()
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            try:
                signal.signal(sig, _terminate)
            except (ValueError, OSError):      # not the main thread
                pass
    try:
        status = args.func(args)
        if argv is None and args.cmd in ("render", "batch"):
            _exit_now(status)
        return status
    except KeyboardInterrupt:
        _err("已中断")
        return 130
    except BrokenPipeError:             # `disclosure-gen diff … | head`
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except Exception as e:  # noqa: BLE001 - a defect in any command: plain words, never a traceback
        if os.environ.get("DISCLOSURE_GEN_DEBUG"):
            raise
        _err(f"程序出错（{type(e).__name__}），命令未能完成；已有的文件未改动。"
             "如需报告问题，请设置环境变量 DISCLOSURE_GEN_DEBUG=1 重新运行并附上输出")
        return 2
