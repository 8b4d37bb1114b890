"""Checks that need the style registry: the file's `style:` is a registered style, and each
`wording:` override names a sentence frame of that style with placeholders the frame has."""
from __future__ import annotations

import difflib
import re
import string
from pathlib import Path

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
    _unprinted_fields(budget, style, at, path)
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


# Texts an author may write that only some styles print: (path, label, how a template names it)
OPTIONAL_TEXTS = (
    (("overview", "duties_intro"), "职责前的引言段", r"\bduties_intro\b"),
    (("performance_overall",), "整体绩效目标说明", r"\bperformance_overall\b"),
    (("purchased_services",), "政府购买服务（项目名称、金额）", r"\.purchased_services\b(?!_)"),
    (("assets", "vehicles_text"), "车辆情况的文字", r"\bvehicles_text\b"),
    (("assets", "housing_text"), "房屋情况的文字", r"\bhousing_text\b"),
    (("assets", "other_text"), "其他国有资产情况的文字", r"\bother_text\b"),
    (("notes", "purchase_services"), "政府购买服务的说明", r"notes\.purchase_services\b"),
    (("notes", "other"), "其他说明", r"notes\.other\b"),
    (("notes", "key_project_evaluation"), "重点项目绩效评价情况", r"notes\.key_project_evaluation\b"),
    (("notes", "special_transfer"), "专项转移支付项目情况", r"notes\.special_transfer\b"),
    (("notes", "running_costs_use"), "机关运行经费具体用途", r"notes\.running_costs_use\b"),
)


def _templates_text(style) -> str | None:
    """The templates of a style and of those it extends, as one text (None: unreadable)."""
    texts = []
    for d in style.search_path:
        try:
            texts += [f.read_text(encoding="utf-8") for f in sorted(Path(d).glob("*.j2"))]
        except (OSError, UnicodeDecodeError):
            return None
    return "\n".join(texts)


def printed_texts(name: str, path=None) -> set[tuple] | None:
    """Which of OPTIONAL_TEXTS the style `name` can print (its templates name them); None when the
    style cannot be read."""
    try:
        source = _templates_text(styles.get(name, path))
    except styles.StyleError:
        return None
    return None if source is None else {p for p, _l, pattern in OPTIONAL_TEXTS if re.search(pattern, source)}


def _unprinted_fields(budget, style, at, path=None) -> None:
    """A text the author wrote that no template of the chosen style names is lost without a word:
    warned at the field, with the styles that do print it."""
    filled = [(where, what) for where, what, _pattern in OPTIONAL_TEXTS if _value(budget, where)]
    mine = printed_texts(style.name, path) if filled else None
    if mine is None:
        return          # nothing written, or a style that cannot be read (render reports it)
    others = None
    for where, what in filled:
        if where in mine:
            continue
        if others is None:
            others = {}
            for name in styles.available(path):
                if name != style.name:
                    try:
                        label = str(styles.get(name, path).config.get("label") or name)
                    except styles.StyleError:
                        continue
                    others[label] = printed_texts(name, path) or set()
        printing = [lb for lb, printed in others.items() if where in printed]
        at(where, WARNING, "style.unused-field",
           f"{style.config.get('label') or budget.style}样式不印{what}，这里填写的内容不会出现在文件中"
           + (f"（{'、'.join(printing)}样式印出它）" if printing else "")
           + "；若要说明，请写入本样式印出的部分，或删去这一项", True)


def _value(obj, path):
    for k in path:
        obj = getattr(obj, k, None)
    return obj
