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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="disclosure-gen", description="预算公开文件生成工具")
    sub = p.add_subparsers(dest="cmd", metavar="命令")
    c = sub.add_parser("check", help="校验预算数据文件", description="校验预算数据文件，列出错误与警告")
    c.add_argument("files", nargs="+", metavar="文件", help="YAML 预算数据文件")
    c.add_argument("--format", choices=["text", "json"], default="text", help="输出格式")
    c.set_defaults(func=cmd_check)
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
