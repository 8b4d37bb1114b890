"""Issue 14 item 5: no page holds only a few lines because a page of the other orientation follows it
(gaoping's part 3 ran three lines onto a page of their own before the landscape 绩效目标表), in the PDF
and in the DOCX as LibreOffice prints it, for every input. The cure (render/pagefill.py) draws the charts
of such a section smaller when that ends its text a page earlier."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from disclosure_gen.render import pagefill

from lo_layout import lines

INPUTS = sorted((Path(__file__).resolve().parents[1] / "inputs").glob("*.yaml"))
FEW = 6                       # lines of text that make a page "near-empty"
PART = re.compile(r"^第[一二三四五六七八九十]+部分")


def pages(pdf: Path) -> list[dict]:
    """Per page: orientation, its text lines (the page number left out) and how far down the text goes."""
    import pikepdf
    with pikepdf.open(pdf) as doc:
        boxes = [[float(v) for v in p.mediabox] for p in doc.pages]
    out = []
    for ls, (x0, y0, x1, y1) in zip(lines(pdf), boxes):
        h = y1 - y0
        body = [ln for ln in ls if ln[3] < 0.9 * h]
        out.append({"landscape": x1 - x0 > h, "lines": [ln[4] for ln in sorted(body, key=lambda ln: (ln[1], ln[0]))],
                    "fill": max((ln[3] for ln in body), default=0) / h})
    return out


def near_empty(ps: list[dict]) -> list[tuple[int, list[str]]]:
    """Pages (1-based) with fewer than FEW lines that continue a full page of their orientation and are
    followed by a page of the other orientation — unless what comes after that run is a new part."""
    found = []
    for i in range(1, len(ps) - 1):
        p, prev, nxt = ps[i], ps[i - 1], ps[i + 1]
        if len(p["lines"]) >= FEW or prev["landscape"] != p["landscape"] or prev["fill"] < 0.8:
            continue
        if nxt["landscape"] == p["landscape"]:
            continue
        back = next((q for q in ps[i + 1:] if q["landscape"] == p["landscape"]), None)
        if back is None or (back["lines"] and PART.match(back["lines"][0])):
            continue
        found.append((i + 1, p["lines"]))
    return found


@pytest.mark.parametrize("stem", [p.stem for p in INPUTS])
@pytest.mark.parametrize("kind", ["pdf", "lo"])
def test_no_near_empty_page_before_an_orientation_switch(printed, stem, kind):
    assert near_empty(pages(printed[stem][kind])) == []


def test_the_measure_finds_a_tail_page():
    full = {"landscape": False, "lines": ["x"] * 40, "fill": 0.9}
    tail = {"landscape": False, "lines": ["x"] * 3, "fill": 0.15}
    wide = {"landscape": True, "lines": ["x"] * 50, "fill": 0.7}
    after = {"landscape": False, "lines": ["十一、国有资产占有使用情况"], "fill": 0.5}
    part = {"landscape": False, "lines": ["第四部分 名词解释"], "fill": 0.5}
    assert near_empty([full, tail, wide, after]) == [(2, ["x"] * 3)]
    assert near_empty([full, tail, wide, part]) == []          # the end of a part
    assert near_empty([full, tail, wide]) == []


SAMPLE = ('<section class="cover portrait"><p>封面</p></section>'
          '<section class="portrait"><p>正文</p><figure class="chart"><figcaption>图</figcaption>'
          '<img src="chart-1.svg" alt="图"></figure><p>后文</p></section>'
          '<section class="landscape"><table></table></section>'
          '<section class="portrait"><figure class="chart"><img src="chart-2.svg"></figure></section>')


def test_only_a_portrait_section_with_charts_before_a_landscape_one_is_marked():
    marked, names = pagefill.mark(SAMPLE)
    assert names == ["0"]
    assert marked.count('class="flow-mark"') == 2
    assert marked.index('id="flow-start-0"') < marked.index("正文") < marked.index("后文") < marked.index('id="flow-end-0"')
    smaller = pagefill.scale_charts(marked, "0", 0.75)
    assert '<img style="width:105.0mm" src="chart-1.svg"' in smaller
    assert 'chart-2.svg">' in smaller                       # the other section is left alone
    assert pagefill.unmark(smaller) == SAMPLE.replace('<img src="chart-1.svg"', '<img style="width:105.0mm" src="chart-1.svg"')


def test_a_retry_is_kept_only_when_the_section_ends_a_page_earlier(monkeypatch):
    from disclosure_gen.writers import pagemap
    calls = []

    def fake_map(pdf):
        scale = float(pdf.decode() or 1)
        return pagemap.PageMap(pages={"flow-start-0": 2, "flow-end-0": 4 if scale > 0.8 else 3},
                               gaps={"flow-start-0": 70.0, "flow-end-0": 120.0}, landscape={}, count=6)

    def lay_out(html):
        m = re.search(r"width:([\d.]+)mm", html)
        calls.append(m.group(1) if m else None)
        return (str(float(m.group(1)) / 140) if m else "1").encode()

    monkeypatch.setattr(pagemap, "page_map", fake_map)
    html, pdf = pagefill.fill(SAMPLE, lay_out)
    assert calls == [None, "119.0", "105.0"]
    assert 'style="width:105.0mm"' in html and "flow-mark" not in html


def test_chart_size_trials_lay_out_the_marked_sections_only(monkeypatch):
    """A trial lays out the sections that may end earlier, alone and nothing else (a 部门 of 200
    projects laid itself out twice before the final render)."""
    from test_sections import ROOT, markup, record_layouts
    from disclosure_gen.writers import pdf as pdf_writer
    monkeypatch.setenv("DISCLOSURE_GEN_CACHE", "off")
    html, assets, css = markup(ROOT / "inputs" / "gaoping-bigdata-2026.yaml")
    marked, names = pagefill.mark(html)
    assert names
    laid = record_layouts(monkeypatch)
    trials = [pagefill.scale_charts(marked, names[0], s) for s in pagefill.SCALES]
    maps = pdf_writer.page_maps([marked, *trials], assets, css, holding=pagefill.START)
    assert all(pm and pagefill.END + names[0] in pm.pages for pm in maps)
    assert len(laid) == 1 + len(trials) and all(pagefill.START in m for m in laid)
    assert all(len(m) < len(marked) / 3 for m in laid)            # the section, not the document


def test_the_pool_starts_the_other_sections_during_the_trials_and_none_twice(tmp_path, monkeypatch):
    """While the chart-size trials are laid out (probes: the pages only, no PDF written), idle pool
    processes start on the longest other sections, which the render then takes over: every piece
    is laid out once, and the trials are never written."""
    import hashlib
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from test_sections import ROOT, markup
    from disclosure_gen.writers import pdf as pdf_writer
    from disclosure_gen.writers import sections
    monkeypatch.setenv("DISCLOSURE_GEN_CACHE", "off")
    html, assets, css = markup(ROOT / "inputs" / "gaoping-bigdata-2026.yaml")
    marked, names = pagefill.mark(html)
    log, real = tmp_path / "laid", sections.lay_out

    def logged(m, *a, **k):     # runs in the pool's (forked) processes
        out = real(m, *a, **k)
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{hashlib.sha256(m.encode('utf-8', 'surrogatepass')).hexdigest()}:{len(out[0])}\n")
        return out
    monkeypatch.setattr(sections, "lay_out", logged)
    monkeypatch.setattr(sections, "_RECENT", {})       # not what an earlier test laid out here
    trials = [pagefill.scale_charts(marked, names[0], s) for s in pagefill.SCALES]
    body = [pc for pc in sections.plan(marked)[2] if not pc.late]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        pdf_writer.page_maps([marked, *trials], assets, css, pool=pool, holding=pagefill.START)
        started = len(sections._RECENT)
        pdf = pdf_writer.render_pdf(marked, assets, css, pool=pool)
    assert started == 1 + len(trials) + min(sections.AHEAD, len(body) - 1) > 1 + len(trials)
    laid = [ln.split(":") for ln in log.read_text().split()]
    probes, written = [h for h, n in laid if n == "0"], [h for h, n in laid if n != "0"]
    assert len(probes) == len(set(probes)) == 1 + len(trials)
    assert len(written) == len(set(written)) == len(body) + 1       # + the frame
    assert pdf[:4] == b"%PDF"


def test_with_processes_to_spare_the_trials_are_asked_for_with_the_first_layout():
    from disclosure_gen.writers import pagemap
    asked = []

    def probe(htmls):
        asked.append([(m.group(1) if (m := re.search(r"width:([\d.]+)mm", h)) else None) for h in htmls])
        return [pagemap.PageMap(pages={"flow-start-0": 2, "flow-end-0": 4 if "width:1" not in h else 3},
                                gaps={"flow-start-0": 70.0, "flow-end-0": 120.0}, landscape={}, count=6)
                for h in htmls]
    made = [pagefill.fill(SAMPLE, lambda h: h.encode(), probe, ahead=a) for a in (False, True)]
    assert made[0] == made[1]                       # the same choice, the same PDF
    assert asked == [[None], ["119.0", "105.0"], [None, "119.0", "105.0"], ["119.0", "105.0"]]
