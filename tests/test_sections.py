"""The PDF laid out section by section and joined (writers/sections.py, issue 17).

What a reader sees must not change: the joined file is compared with the same markup laid out whole
by WeasyPrint, page by page (text, sizes, pixels) and in what a viewer uses (outline, named
destinations, links, fonts). Its bytes must not depend on the cache or on the pool; a revision lays
out again only the sections whose markup changed; a table too long to hold is split at rows.
"""
from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from disclosure_gen.check import rules as check
from disclosure_gen.render import document as render
from disclosure_gen.writers import pdf as pdf_writer
from disclosure_gen.writers import sections

from readback import page_sizes, pdf_pages, pdf_structure, pdf_text

ROOT = Path(__file__).resolve().parents[1]
INPUTS = sorted((ROOT / "inputs").glob("*.yaml"))
POPPLER = all(shutil.which(t) for t in ("pdftotext", "pdfinfo", "pdffonts", "pdftoppm"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")


def markup(path: Path, edit=None):
    text = path.read_text(encoding="utf-8")
    if edit:
        text = edit(text)
    tmp = ROOT / "output" / f".edit-{path.name}"
    tmp.write_text(text, encoding="utf-8")
    try:
        loaded = check.load(str(tmp))
    finally:
        tmp.unlink()
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
        assert sections.plan(html) is not None
        d = tmp_path_factory.mktemp(request.param)
        joined, whole = d / "joined.pdf", d / "whole.pdf"
        joined.write_bytes(pdf_writer.render_pdf(html, assets, css))
        whole.write_bytes(pdf_writer.render_pdf(html, assets, css, parts=False))
        (d / "markup.html").write_text(html, encoding="utf-8")
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
    """Every page drawn (pdftoppm): the same pixels (a glyph missing from the one font subset, a
    footer out of place or a page number wrong would show)."""
    joined, whole = both
    for name, pdf in (("j", joined), ("w", whole)):
        subprocess.run(["pdftoppm", "-r", "30", "-gray", str(pdf), str(tmp_path / name)], check=True)
    j, w = sorted(tmp_path.glob("j-*")), sorted(tmp_path.glob("w-*"))
    assert len(j) == len(w) > 10
    assert not [a.name for a, b in zip(j, w) if a.read_bytes() != b.read_bytes()]


def test_joined_file_has_the_outline_destinations_and_links_of_the_whole(both):
    joined, whole = both
    outline, names, links = viewer_view(joined)
    w_outline, w_names, w_links = viewer_view(whole)
    assert outline == w_outline and links == w_links
    assert len(outline) > 20 and set(names) == set(w_names)
    # A destination differs only where the whole layout puts it on an earlier page than the table it
    # marks (WeasyPrint: an anchor at the start of a section of another page type): the joined
    # file's destination is on the page of the table's title, as its outline entry is.
    html = (joined.parent / "markup.html").read_text(encoding="utf-8")
    at = {title: place[0] for _d, title, place in outline}
    for name, place in names.items():
        if place != w_names[name]:
            title = re.search(rf'id="{re.escape(name)}".*?class="table-title">([^<]+)<', html, re.S).group(1)
            assert place[1:] == w_names[name][1:] and w_names[name][0] < place[0] == at[title.strip()], name


@needs_poppler
def test_one_subset_per_font_for_the_whole_file(both):
    joined, whole = both
    rows = subprocess.run(["pdffonts", str(joined)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    names = [r.split()[0] for r in rows]
    assert len(names) == len(set(names)) == 2, rows
    assert all(r.split()[-5:-3] == ["yes", "yes"] for r in rows), rows      # embedded, subset
    assert joined.stat().st_size < min(whole.stat().st_size * 1.1, 1024 * 1024)


@needs_poppler
def test_page_labels_are_the_printed_page_numbers(both):
    joined, _whole = both
    pdf = pikepdf.Pdf.open(joined)
    labels = [p.label for p in pdf.pages]
    pages = pdf_text(joined, layout=True).split("\f")
    for label, text in zip(labels, pages):
        printed = text.strip().splitlines()[-1].strip() if text.strip() else ""
        if re.fullmatch(r"\d+", printed):
            assert label == printed
        else:                               # cover, contents: no printed number, roman labels
            assert re.fullmatch(r"[ivxlc]+", label), (label, printed)
    assert "1" in labels


def nodes(node: dict, kind: str):
    for k in node["kids"]:
        if isinstance(k, dict):
            yield from [k] if k["kind"] == kind else nodes(k, kind)


def said(node) -> str:
    return node if isinstance(node, str) else "".join(said(k) for k in node["kids"])


def table_rows(tree: dict, part: str) -> list[list[str]]:
    return [[said(c) for c in tr["kids"] if isinstance(c, dict)]
            for table in nodes(tree, "Table") for p in nodes(table, part) for tr in nodes(p, "TR")]


@needs_poppler
def test_tagged_pdf_reads_in_the_order_of_the_whole_layout(both):
    """Issue 14 item 8: the joined file is tagged; its structure (each section's text in reading
    order, every table's rows and cells) is the one WeasyPrint gives the document laid out whole,
    and a table's body rows are those of the markup, in order."""
    joined, whole = both
    assert re.search(r"^Tagged:\s+yes", subprocess.run(["pdfinfo", str(joined)], capture_output=True,
                                                      text=True).stdout, re.M)
    mine, theirs = pdf_structure(joined), pdf_structure(whole)
    assert [k["kind"] for k in mine["kids"]] == ["Document"]
    assert [said(s) for s in mine["kids"][0]["kids"]] == [said(s) for s in theirs["kids"][0]["kids"]]
    assert table_rows(mine, "THead") == table_rows(theirs, "THead")
    body = table_rows(mine, "TBody")
    assert body == table_rows(theirs, "TBody") and len(body) > 20
    import lxml.html
    blank = re.compile(r"[\s\u200b-\u200d\u2060\ufeff\u00ad]")
    html = lxml.html.parse(str(joined.parent / "markup.html"))
    assert [[blank.sub("", c) for c in row] for row in body] == [
        [blank.sub("", c.text_content()) for c in tr.xpath("./th|./td")] for tr in html.xpath("//tbody/tr")]
    for table in nodes(mine, "Table"):      # a cell's headers are header cells of its own table
        ids = [th["id"] for th in nodes(table, "TH")]
        assert len(ids) == len(set(ids)) and all(ids)
        for td in nodes(table, "TD"):
            assert set(td["headers"]) <= set(ids), td["headers"]
    ids = [th["id"] for th in nodes(mine, "TH")]
    assert len(ids) == len(set(ids))        # over the whole file, parts laid out apart included
    pdf = pikepdf.Pdf.open(joined)
    pages = [p.obj for p in pdf.pages]
    assert sum(1 for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Page") == len(pages)
    keys = [int(p.StructParents) for p in pages if "/StructParents" in p]
    assert len(keys) == len(set(keys)) and len(keys) >= len(pages) - 1
    tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    with pdf.open_metadata() as xmp:        # declared PDF/UA-1, as WeasyPrint's variant writes it
        assert xmp.get("pdfuaid:part") == "1" and xmp.get("dc:title")
    assert pdf.Root.MarkInfo.Marked is True and str(pdf.Root.Lang).startswith("zh")
    assert all(k in tree for k in keys) and int(pdf.Root.StructTreeRoot.ParentTreeNextKey) > max(tree.keys())


def test_bytes_do_not_depend_on_cache_or_pool(tmp_path, monkeypatch):
    from concurrent.futures import ProcessPoolExecutor
    import multiprocessing
    html, assets, css = markup(ROOT / "inputs" / "jiyuan-bigdata-2024.yaml")
    monkeypatch.setenv("DISCLOSURE_GEN_CACHE", str(tmp_path / "c"))
    cold = pdf_writer.render_pdf(html, assets, css)
    warm = pdf_writer.render_pdf(html, assets, css)
    for f in (tmp_path / "c" / "sections").iterdir():         # a broken entry is laid out again
        f.write_bytes(b"\x00broken")
        break
    broken = pdf_writer.render_pdf(html, assets, css)
    monkeypatch.setenv("DISCLOSURE_GEN_CACHE", "off")
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        pooled = pdf_writer.render_pdf(html, assets, css, pool=pool)
    alone = pdf_writer.render_pdf(html, assets, css)
    digests = {k: hashlib.sha256(v).hexdigest() for k, v in
               [("cold", cold), ("warm", warm), ("broken", broken), ("pool", pooled), ("one process", alone)]}
    assert len(set(digests.values())) == 1, digests


def record_layouts(monkeypatch) -> list[str]:
    """The markup of every layout made in this process from now on."""
    laid = []
    real = sections.lay_out
    monkeypatch.setattr(sections, "lay_out", lambda m, *a, **k: laid.append(m) or real(m, *a, **k))
    return laid


def test_a_revision_lays_out_only_the_sections_it_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCLOSURE_GEN_CACHE", str(tmp_path))
    path = ROOT / "inputs" / "gaoping-bigdata-2026.yaml"
    html, assets, css = markup(path)
    laid = record_layouts(monkeypatch)
    pdf_writer.render_pdf(html, assets, css)
    first = len(laid)
    laid.clear()
    # one 项 amount changed (a row of the 基本支出 economic table): its tables and sentences change
    revised, assets, css = markup(path, lambda t: t.replace("amount: 6.31}", "amount: 7.31}", 1))
    assert revised != html
    pdf = pdf_writer.render_pdf(revised, assets, css)
    again = [m for m in laid if f'id="{sections.MARK}p' not in m]    # not the frame
    assert 1 <= len(again) < first - 1, (len(again), first)     # the frame and a group kept
    assert b"%PDF" == pdf[:4]


def test_a_changed_chart_lays_out_only_the_section_that_shows_it(tmp_path, monkeypatch):
    """A 项 amount changes the totals, their tables and sentences and the chart's shares; the
    groups without them and the frame (the same pages) still come from the cache."""
    monkeypatch.setenv("DISCLOSURE_GEN_CACHE", str(tmp_path))
    path = ROOT / "inputs" / "gaoping-bigdata-2026.yaml"
    html, assets, css = markup(path)
    laid = record_layouts(monkeypatch)
    pdf_writer.render_pdf(html, assets, css)
    laid.clear()
    revised, new_assets, css = markup(path, lambda t: t.replace("office: 12.66}", "office: 12.67}", 1))
    assert new_assets["chart-1.svg"] != assets["chart-1.svg"]
    pdf_writer.render_pdf(revised, new_assets, css)
    assert laid and not any(f'id="{sections.MARK}p' in m for m in laid)       # no frame
    assert len(laid) < len(sections.plan(revised)[2]) - 1       # a group of unchanged sections kept


def test_a_table_too_long_to_hold_is_split_at_rows_with_its_header(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCLOSURE_GEN_CACHE", str(tmp_path))
    monkeypatch.setattr(sections, "ROWS", 4000)
    monkeypatch.setattr(sections, "CUT", 4000)
    rows = "".join(f"<tr><td>项目{i:04d}</td><td class='num'>{i}.00</td></tr>" for i in range(600))
    html = ('<html><body><section><h1 id="a">第一部分</h1><p>概况</p></section>'
            '<section class="landscape"><div class="table-block" id="big"><p class="table-title">大表</p>'
            '<table class="data"><thead><tr><th>项目名称</th><th>金额</th></tr></thead>'
            f'<tbody>{rows}</tbody></table></div></section></body></html>')
    pieces = sections.plan(html)[2]
    assert len(pieces) > 5
    assert all("<thead>" in p.markup for p in pieces[1:])
    out = tmp_path / "big.pdf"
    out.write_bytes(pdf_writer.render_pdf(html, {}, [pdf_writer.base_css()]))
    if POPPLER:
        pages = pdf_pages(out)[1:]
        assert all("项目名称" in p for p in pages)                # the header on every page
        found = re.findall(r"项目(\d{4})", "".join(pages))
        assert found == [f"{i:04d}" for i in range(600)]          # every row once, in order


def test_progress_is_shown_on_a_terminal_after_a_few_seconds():
    class Tty(io.StringIO):
        def isatty(self):
            return True
    stream = Tty()
    p = sections.Progress(after=0, stream=stream)
    p(3, 10)
    p(10, 10)
    assert "3/10" in stream.getvalue() and stream.getvalue().endswith("\n")
    quiet = io.StringIO()
    sections.Progress(after=0, stream=quiet)(1, 2)
    assert quiet.getvalue() == ""


def _outline_tree(path: Path):
    """[(title, parent title or None)] in document order."""
    out = []
    with pikepdf.Pdf.open(path).open_outline() as ol:
        def walk(items, parent):
            for it in items:
                out.append((str(it.title), parent))
                walk(it.children, str(it.title))
        walk(ol.root, None)
    return out


def test_outline_parents_and_names_a_reader_can_use(both):
    """Issue 14: Henan table bookmarks sit under the attachment line, not under 名词解释; every
    Shanxi 绩效目标表 bookmark names its project."""
    joined, _whole = both
    html = (joined.parent / "markup.html").read_text(encoding="utf-8")
    tree = _outline_tree(joined)
    parents = dict(tree)
    titles = [t.strip() for t in re.findall(r'class="table-title"[^>]*>([^<]+)<', html)]
    assert titles
    for t, parent in tree:
        assert "名词解释" not in (parent or ""), (t, parent)
    if "style-henan" in html:
        attachment = next(t for t, _p in tree if t.startswith("附件："))
        assert all(parents[t] == attachment for t in titles if t in parents)
    names = re.findall(r'data-bookmark="([^"]+)"', html)
    if "perf-block" in html:
        assert [t for t, _p in tree if t in set(names)] == names and len(set(names)) == len(names) > 1
        # each names its project (the printed titles are all alike)
        projects = set(re.findall(r'<td class="text" colspan="6">([^<]+)</td>', html))
        assert all(t.strip() and t in projects for t in names)
        bare = set(re.findall(r'data-bookmark="[^"]+">([^<]+)<', html))      # the printed title alone
        assert not any(t in bare for t, _p in tree)


def test_author_and_dates_come_from_the_document(both):
    joined, _whole = both
    html = (joined.parent / "markup.html").read_text(encoding="utf-8")
    pdf = pikepdf.Pdf.open(joined)
    agency = re.search(r'<meta name="author" content="([^"]+)"', html).group(1)
    assert str(pdf.docinfo["/Author"]) == agency
    published = re.search(r'<meta name="dcterms.created" content="([\d-]+)"', html)
    if published:                                       # the publish date of the YAML
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:" + published.group(1).replace("-", ""))


def test_a_document_laid_out_after_another_gets_its_own_images(tmp_path, monkeypatch):
    """A pool process lays out sections of several documents (a batch); two documents of one style
    name their charts alike (chart-1.svg) but draw them differently: each must get its own."""
    monkeypatch.setenv("DISCLOSURE_GEN_CACHE", "off")
    html, assets, css = markup(ROOT / "inputs" / "gaoping-bigdata-2026.yaml")
    other = dict(assets, **{"chart-1.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300">'
                                           b'<rect width="400" height="300" fill="#c00000"/></svg>'})
    first = pdf_writer.render_pdf(html, assets, css)
    pdf_writer.page_maps([html], assets, css)           # the last layout in this process: the first's
    after = pdf_writer.render_pdf(html, other, css)
    monkeypatch.setattr(sections, "_PREPARED", {})      # as a fresh process would
    alone = pdf_writer.render_pdf(html, other, css)
    assert after != first and after == alone


@needs_poppler
def test_a_document_too_long_to_tag_is_joined_untagged_and_claims_no_tags(tmp_path, monkeypatch, cache_dir):
    """A document longer than TAGGED characters is laid out and joined without structure trees (the
    join's memory grows with every table cell): the text, pages and outline are those of the tagged
    file, and nothing claims tags."""
    monkeypatch.setenv("DISCLOSURE_GEN_CACHE", str(cache_dir))
    html, assets, css = markup(ROOT / "inputs" / "jiyuan-bigdata-2024.yaml")
    tagged = tmp_path / "tagged.pdf"
    tagged.write_bytes(pdf_writer.render_pdf(html, assets, css))
    monkeypatch.setattr(sections, "TAGGED", 10_000)
    flat = tmp_path / "flat.pdf"
    flat.write_bytes(pdf_writer.render_pdf(html, assets, css))
    assert pdf_text(flat, layout=True) == pdf_text(tagged, layout=True)
    assert page_sizes(flat) == page_sizes(tagged) and len(page_sizes(flat)) > 10
    assert viewer_view(flat) == viewer_view(tagged)
    info = subprocess.run(["pdfinfo", str(flat)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Tagged:\s+no", info)
    pdf = pikepdf.Pdf.open(flat)
    assert "/StructTreeRoot" not in pdf.Root and "/MarkInfo" not in pdf.Root
    assert not any("/StructParents" in p.obj for p in pdf.pages)
    with pdf.open_metadata() as xmp:
        assert xmp.get("pdfuaid:part") is None and xmp.get("dc:title")


def test_no_pool_is_forked_from_a_process_running_other_threads():
    """A fork copies other threads' locks as they are; a program embedding the renderer in a
    threaded server lays the sections out in its own process instead."""
    import threading

    from disclosure_gen.writers import pdfpool
    if not pdfpool.possible():
        pytest.skip("no pool on this machine (one core, or DISCLOSURE_GEN_PDF_POOL=off)")
    assert pdfpool.wanted() is (threading.active_count() == 1)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert threading.active_count() > 1 and pdfpool.wanted() is False
    finally:
        stop.set()
        t.join()
