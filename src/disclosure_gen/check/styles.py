"""Checks that need the style registry: the file's `style:` is a registered style, and each
`wording:` override names a sentence frame of that style with placeholders the frame has."""
from __future__ import annotations

import difflib
import re
import string

from ..render import styles

ERROR, WARNING = "error", "warning"
_FONT_FACE = re.compile(r"@font-face\b", re.I)


def placeholders(frame: str) -> set[str]:
    """Named placeholders of a sentence frame; ValueError for unbalanced braces or positional ones."""
    out = set()
    for _lit, name, _spec, _conv in string.Formatter().parse(frame):
        if name is None:
            continue
        if name == "" or name.isdigit():
            raise ValueError("占位符须有名称，如 {total}")
        out.add(name.split(".")[0].split("[")[0])
    return out


def run(budget, path, at) -> None:
    try:
        names = styles.available(path)
    except Exception:   # noqa: BLE001 - an unreadable user folder: reported by render, not here
        return
    if budget.style not in names:
        at(("style",), ERROR, "style.unknown",
           f"样式“{budget.style}”未注册；可用样式：{'、'.join(names)}"
           "（自定义样式放在数据文件旁的 styles/ 文件夹中，或用 --styles 指定）")
        return
    try:
        style = styles.get(budget.style, path)
        frames = style.config.get("sentences") or {}
    except styles.StyleError as e:
        at(("style",), ERROR, "style.unusable", str(e))
        return
    try:
        css = style.css()
    except (styles.StyleError, OSError, UnicodeDecodeError):     # reported by render
        css = []
    if any(_FONT_FACE.search(re.sub(r"/\*.*?\*/", "", t, flags=re.S)) for t in css):
        at(("style",), WARNING, "style.font-face",
           f"样式“{budget.style}”的 print.css 用 @font-face 指定字体文件，PDF 不会读取它（只用本机已安装的字体）："
           "请把字体安装到系统中，在 font-family 中写它的名称")
    for key, text in (budget.wording or {}).items():
        if key not in frames:
            near = difflib.get_close_matches(key, list(frames), n=1, cutoff=0.6)
            hint = f"是否应为 {near[0]}？" if near else "可覆盖的句子见样式文件 style.yaml 的 sentences"
            at(("wording", key), ERROR, "wording.unknown-key",
               f"措辞覆盖（“wording:”）中的“{key}”不是样式“{budget.style}”的句子；{hint}", True)
            continue
        try:
            mine = placeholders(text)
        except ValueError as e:
            at(("wording", key), ERROR, "wording.bad-frame", f"措辞“{key}”的写法有误：{e}（花括号须成对）")
            continue
        extra = sorted(mine - placeholders(str(frames[key])))
        if extra:
            have = "、".join("{" + n + "}" for n in sorted(placeholders(str(frames[key])))) or "（无）"
            at(("wording", key), ERROR, "wording.bad-placeholder",
               f"措辞“{key}”中的占位符 {'、'.join('{' + n + '}' for n in extra)} 在样式中没有；可用：{have}")
