"""Print defects of issue 14, each read the way a reader meets it (the page text, the HTML a browser
opens, cell widths against the width of their text)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from disclosure_gen import pipeline

ROOT = Path(__file__).resolve().parents[1]
INPUTS = {p.stem: p for p in sorted((ROOT / "inputs").glob("*.yaml"))}


# ---- 9. render --format html is one self-contained page ------------------------------------------
@pytest.mark.parametrize("stem", sorted(INPUTS))
def test_html_is_self_contained_with_its_charts_inline(stem, tmp_path):
    res = pipeline.render_file(str(INPUTS[stem]), tmp_path, formats=("html",))
    (target, _n), = res.written
    page = Path(target).read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == [Path(target).name]       # nothing else is written …
    refs = re.findall(r'\b(?:src|href)="([^"#][^"]*)"', page)
    assert [r for r in refs if not r.startswith("data:")] == []               # … and nothing else is needed
    figures = re.findall(r'<figure class="chart">.*?</figure>', page, re.S)
    for fig in figures:
        assert re.search(r"<svg\b[^>]*role=\"img\"", fig) and "<path" in fig and "<img" not in fig
    assert "<style>" in page and "@page" in page                            # the style's CSS travels with it
    if stem.startswith(("gaoping", "jincheng")):
        assert figures                                                      # Shanxi texts have charts
