"""A long document laid out as two parts in parallel and joined (writers/pdfparts.py, issue 6).

What a reader sees must not change: the joined file is compared with the same markup laid out
whole, page by page (text, page sizes), and in what a PDF viewer uses (outline, named destinations,
the links of the table of contents, embedded fonts). Its bytes must not depend on what was
predicted, on the cache, nor on whether a second process was used.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pikepdf
import pytest

from disclosure_gen import check, render
from disclosure_gen.writers import pdf as pdf_writer
from disclosure_gen.writers import pdfparts

from readback import page_sizes, pdf_text

ROOT = Path(__file__).resolve().parents[1]
INPUTS = sorted((ROOT / "inputs").glob("*.yaml"))
POPPLER = all(shutil.which(t) for t in ("pdftotext", "pdfinfo", "pdffonts"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")


def markup(path: Path):
    loaded = check.load(str(path))
    style = loaded.budget.style
    html, assets, _doc = render.render_html(loaded.facts, style, findings=loaded.findings)
    return check.strip_control(html), dict(assets.files), render.style_css(style)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module", params=[p.stem for p in INPUTS])
def both(request, tmp_path_factory, cache_dir):
    """(joined PDF, whole PDF) of one input."""
    mp = pytest.MonkeyPatch()
    mp.setenv("DISCLOSURE_GEN_CACHE", str(cache_dir))
    try:
        html, assets, css = markup(ROOT / "inputs" / f"{request.param}.yaml")
        assert pdfparts.plan(html, css) is not None, "every published example is long enough to cut"
        d = tmp_path_factory.mktemp(request.param)
        joined, whole = d / "joined.pdf", d / "whole.pdf"
        joined.write_bytes(pdf_writer.render_pdf(html, assets, css))
        whole.write_bytes(pdf_writer.render_pdf(html, assets, css, parts=False))
    finally:
        mp.undo()
    return joined, whole


def viewer_view(path: Path):
    """What a PDF viewer uses besides the page content: outline, named destinations, links."""
    pdf = pikepdf.Pdf.open(path)
    index = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}

    def place(dest):
        return index.get(dest[0].objgen), round(float(dest[2]), 1), round(float(dest[3]), 1)

    outline = []
    with pdf.open_outline() as ol:
        def walk(items, depth):
            for it in items:
                outline.append((depth, str(it.title), place(it.destination)))
                walk(it.children, depth + 1)
        walk(ol.root, 0)
    arr = pdf.Root.Names.Dests.Names
    names = {str(arr[i]): place(arr[i + 1]) for i in range(0, len(arr), 2)}
    links = [(i, [round(float(x), 1) for x in a.Rect], str(a.Dest))
             for i, p in enumerate(pdf.pages) for a in p.obj.get("/Annots", [])]
    return outline, names, links


@needs_poppler
def test_joined_file_reads_as_the_whole_document(both):
    joined, whole = both
    assert pdf_text(joined, layout=True) == pdf_text(whole, layout=True)
    assert page_sizes(joined) == page_sizes(whole)


@needs_poppler
def test_joined_pages_look_exactly_like_the_whole(both, tmp_path):
    """Every page drawn (pdftoppm): the same pixels. Text alone would not show a glyph missing from
    the shared font subsets, as pdftotext reads the ToUnicode maps, not the glyphs."""
    import subprocess
    joined, whole = both
    for name, pdf in (("j", joined), ("w", whole)):
        subprocess.run(["pdftoppm", "-r", "30", "-gray", str(pdf), str(tmp_path / name)], check=True)
    j, w = sorted(tmp_path.glob("j-*")), sorted(tmp_path.glob("w-*"))
    assert len(j) == len(w) > 10
    differ = [a.name for a, b in zip(j, w) if a.read_bytes() != b.read_bytes()]
    assert not differ


def test_joined_file_has_the_outline_destinations_and_links_of_the_whole(both):
    joined, whole = both
    outline, names, links = viewer_view(joined)
    assert (outline, names, links) == viewer_view(whole)
    assert len(outline) > 20 and len(names) > 20
    # the contents entries of the first part that point into the second part lead there
    pdf = pikepdf.Pdf.open(joined)
    n = len(pdf.pages)
    assert any(names[dest][0] >= n // 2 for _page, _rect, dest in links if dest in names) or not links


@needs_poppler
def test_joined_file_embeds_each_font_once_as_a_subset(both):
    import subprocess
    joined, whole = both
    rows = subprocess.run(["pdffonts", str(joined)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    names = [r.split()[0] for r in rows]
    assert len(names) == len(set(names)) == 2, rows
    assert all(r.split()[-5:-3] == ["yes", "yes"] for r in rows), rows      # embedded, subset
    # one subset per font: hardly larger than the whole document's file
    assert joined.stat().st_size < whole.stat().st_size * 1.1


def test_bytes_do_not_depend_on_prediction_cache_or_fork(tmp_path, monkeypatch):
    html, assets, css = markup(ROOT / "inputs" / "gaoping-bigdata-2026.yaml")
    monkeypatch.setenv("DISCLOSURE_GEN_CACHE", str(tmp_path / "c"))
    cold = pdf_writer.render_pdf(html, assets, css)                  # nothing predicted
    warm = pdf_writer.render_pdf(html, assets, css)                  # predicted from the first
    saved = list((tmp_path / "c" / "pdfparts").iterdir())
    assert len(saved) == 1
    numbers = json.loads(saved[0].read_bytes())
    assert numbers["offset"] > 3 and numbers["anchors"]["t13"] > numbers["anchors"]["t1"]
    # a wrong prediction (another document of the same structure, a revision that moved pages)
    saved[0].write_text(json.dumps({"offset": 99, "anchors": {k: 1 for k in numbers["anchors"]}}))
    wrong = pdf_writer.render_pdf(html, assets, css)
    saved[0].write_bytes(b"\x00not json")
    broken = pdf_writer.render_pdf(html, assets, css)
    monkeypatch.setenv("DISCLOSURE_GEN_PDF_PARTS_FORK", "off")      # both parts in this process
    one_process = pdf_writer.render_pdf(html, assets, css)
    monkeypatch.setenv("DISCLOSURE_GEN_CACHE", "off")
    no_cache = pdf_writer.render_pdf(html, assets, css)
    digests = {name: hashlib.sha256(b).hexdigest() for name, b in [
        ("cold", cold), ("warm", warm), ("wrong", wrong), ("broken", broken),
        ("one process", one_process), ("no cache", no_cache)]}
    assert len(set(digests.values())) == 1, digests


def test_a_second_process_that_dies_changes_nothing(tmp_path, monkeypatch):
    import os
    html, assets, css = markup(ROOT / "inputs" / "jiyuan-bigdata-2024.yaml")
    monkeypatch.setenv("DISCLOSURE_GEN_CACHE", str(tmp_path))
    good = pdf_writer.render_pdf(html, assets, css)
    # the child ends at once (as if killed): both parts are laid out in this process instead
    monkeypatch.setattr(pdfparts._Child, "_serve", staticmethod(lambda *a: os._exit(3)))
    assert pdfparts.can_fork()
    assert pdf_writer.render_pdf(html, assets, css) == good


def test_a_weasyprint_that_embeds_fonts_elsewhere_gets_the_whole_layout(monkeypatch, tmp_path):
    """If the hook that shares the font subsets is never called (another WeasyPrint), the parts
    would lack glyphs: the document is laid out whole instead."""
    html, assets, css = markup(ROOT / "inputs" / "jiyuan-bigdata-2024.yaml")
    monkeypatch.setenv("DISCLOSURE_GEN_CACHE", str(tmp_path))
    whole = pdf_writer.render_pdf(html, assets, css, parts=False)

    def paint_without_the_hook(self, on_fonts, metadata=None, identifier=None):
        if metadata is not None:
            metadata(self.doc)
        return self.doc.write_pdf(pdf_identifier=identifier) if identifier else self.doc.write_pdf()

    monkeypatch.setattr(pdfparts._Part, "paint", paint_without_the_hook)
    monkeypatch.setenv("DISCLOSURE_GEN_PDF_PARTS_FORK", "off")
    assert pdf_writer.render_pdf(html, assets, css) == whole


def test_numbers_replayed_from_the_page_styles():
    def page(reset=(), inc=(("page", 1),)):
        return ({"counter_reset": reset, "counter_set": (), "counter_increment": inc}, [], [], 0)
    front = page(inc=(("page", 0),))
    assert pdfparts.page_numbers([front, front, page(), page()]) == [0, 0, 1, 2]
    # the second part: counter-reset K and increment 1 on its first page
    assert pdfparts.page_numbers([page(reset=(("page", 8),)), page()]) == [9, 10]


SAFE_CSS = "section { break-before: page; } section:first-of-type { break-before: auto; }"


def long_markup(extra_sections=""):
    body = "".join(f'<section><h1 id="s{i}">第{i}节</h1>' + "<p>内容</p>" * 400 + "</section>" for i in range(6))
    toc = '<section class="toc"><ul><li><a href="#s1">一</a></li><li><a href="#s5">五</a></li></ul></section>'
    return f"<html><body>{toc}{body}{extra_sections}</body></html>"


@pytest.mark.parametrize("css, why", [
    ("@page :first { margin: 0 }", "the first page of a part is not the document's"),
    ("@page :left { margin-left: 30mm }", "left and right pages shift with the cut"),
    ("h1 { string-set: chapter content() }", "running strings cross the cut"),
    ("h1 { counter-increment: chapter }", "counters other than the page"),
    ("@page { @top-center { content: counter(pages) } }", "the total page count"),
    ("section:nth-child(3) { color: red }", "which section is third changes"),
    ("section + section { margin-top: 1em }", "sibling sections change"),
    ("a::after { content: target-counter(attr(href), page, lower-roman) }", "a numbering style"),
    ("a::after { content: target-text(attr(href)) }", "the target's text"),
])
def test_plan_refuses_what_a_cut_could_change(css, why):
    assert pdfparts.plan(long_markup(), [SAFE_CSS]) is not None
    assert pdfparts.plan(long_markup(), [SAFE_CSS, css]) is None, why


def test_plan_refuses_small_nested_or_ambiguous_markup():
    assert pdfparts.plan("<html><body><section><p>短</p></section>" * 3 + "</body></html>", [SAFE_CSS]) is None
    assert pdfparts.plan(long_markup('<section><section><p>x</p></section></section>'), [SAFE_CSS]) is None
    assert pdfparts.plan(long_markup('<p>between</p><section id="s1">dup</section>'), [SAFE_CSS]) is None
    assert pdfparts.plan(long_markup('<section><p id="s1">same id twice</p></section>'), [SAFE_CSS]) is None
    # td:first-child and p:empty are about what is inside a section: a cut leaves them alone
    assert pdfparts.plan(long_markup(), [SAFE_CSS, "td:first-child { x: y } p:empty { height: 0 }"]) is not None


def test_literal_numbers_replace_target_counter_link_by_link():
    css = 'ul.toc a::after { content: leader(".") target-counter(attr(href), page); }'
    p = pdfparts.plan(long_markup(), [SAFE_CSS, css])
    assert p is not None
    text = pdfparts.Numbers(4, {"s1": 3, "s5": 17}).css(p, 0)
    assert 'ul.toc a[href="#s1"]::after { content: leader(".") "3"; }' in text
    assert 'ul.toc a[href="#s5"]::after { content: leader(".") "17"; }' in text
    second = pdfparts.Numbers(4, {}).css(p, 1)
    assert second.startswith("@page :first { counter-reset: page 4; counter-increment: page 1; }")


def test_a_long_section_is_cut_at_one_of_its_own_page_breaks():
    tables = '<div class="page-break"></div>'.join(
        f'<div class="table-block" id="perf-{i}"><div><p>表</p></div>' + "<p>行</p>" * 300 + "</div>" for i in range(8))
    html = ('<html><body><section class="cover"><p>封面</p></section><section><p>概况</p></section>'
            f'<section class="landscape" id="perf">{tables}</section></body></html>')
    p = pdfparts.plan(html, [SAFE_CSS])
    assert p is not None
    first, second = "".join(p.parts[0]), "".join(p.parts[1])
    assert first.endswith("</div></section>") and 'id="perf-3"' in first and 'id="perf-4"' not in first
    # the second part goes on in a copy of the section (same page type), without the section's id
    assert second.startswith('<section class="landscape"><div class="table-block" id="perf-4">')
    assert second.count("page-break") == 3 and first.count("page-break") == 3
    # a selector that depends on an element's place among its siblings: sections are cut only whole
    p = pdfparts.plan(html, [SAFE_CSS, "div:first-child { margin-top: 0 }"])
    assert p is not None
    assert [len(part) for part in p.parts] == [2, 1] and p.parts[1][0].startswith('<section class="landscape" id="perf">')
    # and one that could match a section by its place: no cut at all
    assert pdfparts.plan(html, [SAFE_CSS, ".table-block:first-child { margin-top: 0 }"]) is None
