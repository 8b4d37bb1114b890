"""Pie charts: the SVG (PDF, HTML, DOCX) written here from the figures, the PNG (the DOCX's fallback
for readers without SVG) drawn by matplotlib in a CJK font on the same geometry, only when a DOCX
asks for it.

Output is deterministic (no dates, no generated ids) so that rendering twice gives the same bytes.
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
    rcParams["path.simplify"] = True
    import logging
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    _READY = True


COLORS = ["#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47", "#264478", "#9E480E",
          "#636363", "#997300"]
W, H, R, CX, CY = 640, 360, 150, 180, 180      # the drawing (px at 100 dpi), the pie's radius and centre
FONT = 12.5                                     # legend text: 9 pt at 100 dpi


def _legend(labels, values) -> list[str]:
    return [f"{name} {v:.2f}万元 {p:.2f}%" for name, v, p in zip(labels, values, shares(values))]


def _fractions(values) -> list[float]:
    data = [float(v) for v in values]   # drawing only; every printed figure comes from Decimal
    if sum(data) <= 0:
        data = [1.0 for _ in data]
    return [d / sum(data) for d in data]


def pie_svg(labels: list[str], values: list[Decimal], title: str) -> bytes:
    """The pie as SVG: wedges clockwise from twelve o'clock, the legend (name, amount, share) at
    the right in text, so that it is searchable and copyable in the PDF."""
    import math
    from xml.sax.saxutils import escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">',
           f"<title>{escape(title)}</title>"]
    start, fonts = 0.0, ", ".join(CJK_FONTS + ["sans-serif"])
    for i, f in enumerate(_fractions(values)):
        color = COLORS[i % len(COLORS)]
        if f >= 0.999999:
            out.append(f'<circle cx="{CX}" cy="{CY}" r="{R}" fill="{color}" stroke="#fff" stroke-width="0.8"/>')
        elif f > 0:
            a0, a1 = start * 2 * math.pi, (start + f) * 2 * math.pi
            x0, y0 = CX + R * math.sin(a0), CY - R * math.cos(a0)
            x1, y1 = CX + R * math.sin(a1), CY - R * math.cos(a1)
            out.append(f'<path d="M{CX} {CY}L{x0:.2f} {y0:.2f}A{R} {R} 0 {int(f > 0.5)} 1 {x1:.2f} {y1:.2f}Z" '
                       f'fill="{color}" stroke="#fff" stroke-width="0.8"/>')
        start += f
    lines = _legend(labels, values)
    top = CY - (len(lines) - 1) * FONT * 1.6 / 2
    for i, text in enumerate(lines):
        y = top + i * FONT * 1.6
        out.append(f'<rect x="{2 * CX + 20}" y="{y - 5:.2f}" width="18" height="10" fill="{COLORS[i % len(COLORS)]}"/>'
                   f'<text x="{2 * CX + 46}" y="{y + FONT * 0.36:.2f}" font-size="{FONT}" '
                   f'font-family="{escape(fonts)}" fill="#000">{escape(text)}</text>')
    out.append("</svg>")
    return "\n".join(out).encode("utf-8")


def pie_png(labels: list[str], values: list[Decimal], title: str) -> bytes:
    """The same pie as PNG (150 dpi). Cached on disk by its data (see cache.py): a hit skips
    importing matplotlib and gives the same bytes as drawing it again."""
    from .. import cache
    k = cache.key("pie", _code_version(), list(labels), [str(v) for v in values], title)
    png = cache.get("charts", k + ".png")
    if png is None:
        png = _draw_pie(labels, values)
        cache.put("charts", k + ".png", png)
    return png


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


def _draw_pie(labels: list[str], values: list[Decimal]) -> bytes:
    _setup()
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle, Wedge
    fig = plt.figure(figsize=(W / 100, H / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, W)
    ax.set_ylim(H, 0)            # the SVG's coordinates: y downwards
    ax.axis("off")
    start = 0.0
    for i, f in enumerate(_fractions(values)):
        if f > 0:                # the SVG's clockwise-from-twelve in these (y down) data coordinates
            ax.add_patch(Wedge((CX, CY), R, start * 360 - 90, (start + f) * 360 - 90,
                               facecolor=COLORS[i % len(COLORS)], edgecolor="white", linewidth=0.8))
        start += f
    lines = _legend(labels, values)
    top = CY - (len(lines) - 1) * FONT * 1.6 / 2
    for i, text in enumerate(lines):
        y = top + i * FONT * 1.6
        ax.add_patch(Rectangle((2 * CX + 20, y - 5), 18, 10, facecolor=COLORS[i % len(COLORS)]))
        ax.text(2 * CX + 46, y, text, fontsize=9, va="center", ha="left")
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=150, metadata={"Software": None})
    plt.close(fig)
    return png.getvalue()
