"""disclosure-gen command line (help texts in Chinese). `check` must stay light: no rendering imports."""
from __future__ import annotations

import argparse
import json
import sys


def _load(path):
    from . import check, yamlsrc
    try:
        return check.load(path), None
    except yamlsrc.InputError as e:
        where = f"{path}:{e.line}:{e.col}" if e.line else path
        return None, f"{where} 无法使用 {e.message}"


def cmd_check(args) -> int:
    status = 0
    out = []
    for path in args.files:
        loaded, problem = _load(path)
        if problem:
            status = max(status, 2)
            out.append({"file": path, "fatal": problem, "findings": []})
            if args.format == "text":
                print(problem, file=sys.stderr)
            continue
        if loaded.errors:
            status = max(status, 1)
        if args.format == "json":
            out.append({"file": path, "findings": [f.as_dict() for f in loaded.findings]})
        else:
            color = sys.stdout.isatty()
            for f in loaded.findings:
                line = f.format()
                if color:
                    line = ("\033[31m" if f.severity == "error" else "\033[33m") + line + "\033[0m"
                print(line)
            n_err, n_warn = len(loaded.errors), len(loaded.findings) - len(loaded.errors)
            print(f"{path}：{n_err} 个错误，{n_warn} 个警告")
    if args.format == "json":
        print(json.dumps(out, ensure_ascii=False, indent=2))
    return status


def cmd_render(args) -> int:
    from . import pipeline, yamlsrc
    formats = [x.strip() for x in args.format.split(",") if x.strip()]
    bad = [x for x in formats if x not in pipeline.FORMATS]
    if bad:
        print(f"未知格式：{', '.join(bad)}（可用：docx,pdf,html）", file=sys.stderr)
        return 2
    status = 0
    for path in args.files:
        try:
            res = pipeline.render_file(path, args.output, style=args.style, formats=formats, force=args.force)
        except yamlsrc.InputError as e:
            where = f"{path}:{e.line}:{e.col}" if e.line else path
            print(f"{where} 无法使用 {e.message}", file=sys.stderr)
            status = max(status, 2)
            continue
        except pipeline.RenderRefused as e:
            print(str(e), file=sys.stderr)
            status = max(status, 1)
            continue
        except OSError as e:
            print(f"{path}：写入失败（{_os_reason(e)}），原有文件未改动", file=sys.stderr)
            status = max(status, 2)
            continue
        for f in res.findings:
            if f.severity == "error" or args.verbose:
                print(f.format(), file=sys.stderr)
        for target, size in res.written:
            print(f"已生成 {target}（{size / 1024:.0f} KB）")
        print(f"{path}：用时 {res.seconds:.2f} 秒")
    return status


def _os_reason(e: OSError) -> str:
    import errno
    zh = {errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "超出磁盘配额", errno.EACCES: "没有写入权限",
          errno.EPERM: "没有写入权限", errno.EROFS: "只读文件系统", errno.ENAMETOOLONG: "文件名过长",
          errno.ENOTDIR: "输出路径不是文件夹", errno.EEXIST: "输出路径已存在且不是文件夹",
          errno.ENOENT: "路径不存在"}.get(e.errno)
    what = zh or e.strerror or str(e)
    return f"{what}：{e.filename}" if e.filename else what


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="disclosure-gen", description="预算公开文件生成工具")
    sub = p.add_subparsers(dest="cmd", metavar="命令")
    c = sub.add_parser("check", help="校验预算数据文件", description="校验预算数据文件，列出错误与警告")
    c.add_argument("files", nargs="+", metavar="文件", help="YAML 预算数据文件")
    c.add_argument("--format", choices=["text", "json"], default="text", help="输出格式")
    c.set_defaults(func=cmd_check)

    r = sub.add_parser("render", help="生成 DOCX/PDF 文件", description="由预算数据文件生成预算公开文件")
    r.add_argument("files", nargs="+", metavar="文件", help="YAML 预算数据文件")
    r.add_argument("--style", help="样式（shanxi | henan），默认取文件中的 style")
    r.add_argument("--format", default="docx,pdf", help="输出格式，逗号分隔：docx,pdf,html（默认 docx,pdf）")
    r.add_argument("-o", "--output", default="output", metavar="目录", help="输出目录（默认 output/）")
    r.add_argument("--force", action="store_true", help="数据有错误时仍生成，每页标注“草稿（存在校验错误）”")
    r.add_argument("-v", "--verbose", action="store_true", help="同时列出警告")
    r.set_defaults(func=cmd_render)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
