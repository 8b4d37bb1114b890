"""Sentences as keyed frames: a style's running text lives in its style.yaml under `sentences:`,
key → text with str.format named placeholders, e.g.

    sentences:
      income_total: "{year}{name}预算收入总计{total}万元"

and templates print it with the Jinja global `say`:

    {{ say("income_total", year=Yd, name=nm, total=doc.wan(f.income_total)) }}

So a city whose documents word a sentence differently overrides one key, not a template. Frames
shared by every style (written once) are in templates/_shared/shared-sentences.yaml; a style's own
frame of the same key wins. `say` is strict: an unknown key, or a placeholder the template gives no
value for, stops the render with a Chinese message naming the style and the key. Values a frame does
not use are allowed (a city variant may drop a figure). The frame's text is escaped, and so is every
value unless it is already Markup (the output of a macro, say, or a formatted table); the result is
Markup.
"""
from __future__ import annotations

import functools
import string

import jinja2
import yaml
from markupsafe import Markup, escape

from ..commands.pipeline import RenderRefused

SHARED = "shared-sentences.yaml"     # found through the template loader (style folder, then _shared)


class WordingError(RenderRefused):
    """A sentence frame that cannot be filled (message in Chinese)."""


@functools.lru_cache(maxsize=64)
def _parse(frame: str) -> tuple[tuple[str, str | None], ...]:
    """(literal text, placeholder name | None) pieces of a frame."""
    out = []
    for literal, name, spec, conv in string.Formatter().parse(frame):
        if name is not None and (spec or conv or not name.isidentifier()):
            raise ValueError(name)
        out.append((literal, name))
    return tuple(out)


@functools.lru_cache(maxsize=16)
def _shared_frames(text: str) -> dict:
    data = yaml.safe_load(text) or {}
    return dict(data.get("sentences") or {})


def shared_frames(env: jinja2.Environment) -> dict:
    try:
        text, _path, _uptodate = env.loader.get_source(env, SHARED)
    except jinja2.TemplateNotFound:
        return {}
    return _shared_frames(text)


def frames(context) -> tuple[str, dict]:
    style = context["doc"].style
    own = style.get("sentences") or {}
    return str(style.get("name", "")), {**shared_frames(context.environment), **own}


def fill(style_name: str, key: str, frame, values: dict) -> Markup:
    if not isinstance(frame, str):
        raise WordingError(f"样式“{style_name}”的句式“{key}”应为一段文字（style.yaml sentences）")
    try:
        pieces = _parse(frame)
    except ValueError as e:
        raise WordingError(f"样式“{style_name}”的句式“{key}”中的占位符“{{{e}}}”无效："
                           "只能写 {名称}（字母、数字、下划线），文字中的花括号写成 {{ 和 }}") from None
    out = []
    for literal, name in pieces:
        out.append(escape(literal))
        if name is None:
            continue
        if name not in values:
            given = "、".join(values) or "无"
            raise WordingError(f"样式“{style_name}”的句式“{key}”需要 {{{name}}}，模板没有提供（提供了：{given}）")
        v = values[name]
        out.append(v if isinstance(v, Markup) else escape("" if v is None else str(v)))
    return Markup("").join(out)


@jinja2.pass_context
def say(context, key: str, **values) -> Markup:
    """The style's sentence `key` with its placeholders filled from `values`."""
    style_name, all_frames = frames(context)
    if key not in all_frames:
        raise WordingError(f"样式“{style_name}”没有句式“{key}”（请在 style.yaml 的 sentences 中补充）")
    return fill(style_name, key, all_frames[key], values)
