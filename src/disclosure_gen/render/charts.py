"""Charts (pie) drawn with matplotlib in a CJK font: SVG for the PDF, PNG for the DOCX.

Output is deterministic (fixed SVG ids, no dates) so that rendering twice gives the same bytes.
"""
from __future__ import annotations

import io
from decimal import Decimal

from ..model.money import shares

_READY = False
CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "SimHei", "Microsoft YaHei", "WenQuanYi Zen Hei",
             "Source Han Sans SC", "DejaVu Sans"]


def _setup():
    global _READY
    if _READY:
        return
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import rcParams
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = CJK_FONTS
    rcParams["axes.unicode_minus"] = False
    rcParams["svg.fonttype"] = "path"     # glyphs as paths: the SVG needs no font to display
    rcParams["svg.hashsalt"] = "disclosure-gen"
    rcParams["path.simplify"] = True
    import logging
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    _READY = True


def pie(labels: list[str], values: list[Decimal], title: str) -> tuple[bytes, bytes]:
    """(SVG, PNG) of a pie chart. Cached on disk by its data (see cache.py): a hit skips importing
    matplotlib and gives the same bytes as drawing it again."""
    from .. import cache
    k = cache.key("pie", _code_version(), list(labels), [str(v) for v in values], title)
    svg, png = cache.get("charts", k + ".svg"), cache.get("charts", k + ".png")
    if svg is not None and png is not None:
        return svg, png
    svg, png = _draw_pie(labels, values, title)
    cache.put("charts", k + ".svg", svg)
    cache.put("charts", k + ".png", png)
    return svg, png


def _code_version() -> str:
    """What a drawn chart depends on besides its data: this file, the matplotlib version and the
    installed fonts (the fontconfig caches change when fonts are added or removed)."""
    import os
    from importlib.metadata import PackageNotFoundError, version
    try:
        mpl = version("matplotlib")
    except PackageNotFoundError:   # pragma: no cover
        mpl = "?"
    fonts = []
    for d in ("/var/cache/fontconfig", os.path.expanduser("~/.cache/fontconfig"),
              os.path.expanduser("~/.cache/matplotlib")):
        try:
            fonts.append(os.stat(d).st_mtime_ns)
        except OSError:
            fonts.append(0)
    with open(__file__, "rb") as fh:
        return f"{mpl}:{fonts}:" + __import__("hashlib").sha256(fh.read()).hexdigest()


def _draw_pie(labels: list[str], values: list[Decimal], title: str) -> tuple[bytes, bytes]:
    _setup()
    import matplotlib.pyplot as plt
    pcts = shares(values)
    legend = [f"{name} {v:.2f}万元 {p:.2f}%" for name, v, p in zip(labels, values, pcts)]
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=100)
    colors = ["#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47", "#264478", "#9E480E",
              "#636363", "#997300"]
    data = [float(v) for v in values]  # drawing only; every printed figure comes from Decimal above
    if sum(data) <= 0:
        data = [1.0 for _ in data]
    wedges, _ = ax.pie(data, colors=colors[: len(data)] * (len(data) // 10 + 1), startangle=90,
                       counterclock=False, wedgeprops={"linewidth": 0.8, "edgecolor": "white"})
    ax.axis("equal")
    ax.legend(wedges, legend, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=9)
    fig.subplots_adjust(left=0.02, right=0.55, top=0.95, bottom=0.05)
    svg = io.BytesIO()
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=150, metadata={"Software": None})
    plt.close(fig)
    return svg.getvalue(), png.getvalue()
