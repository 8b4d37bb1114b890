"""The PDF and DOCX writers, checked by reading their output back as a reader would.

PDF: pdftotext (text per page), pdfinfo (page sizes, dates), pdffonts (embedded subset fonts),
pdfimages (vector chart). DOCX: the package XML, and LibreOffice as a second, independent reader.
The markup is tests/fixtures/markup_sample.html, which exercises the whole markup contract.
"""
from __future__ import annotations

import io
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import threading
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree

from disclosure_gen.writers import docx as docx_writer
from disclosure_gen.writers import pdf as pdf_writer
from disclosure_gen.writers.docx import render_docx
from disclosure_gen.writers.pdf import base_css, render_pdf

from docx_read import Styles, effective, run_overrides, text_runs

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = (ROOT / "tests" / "fixtures" / "markup_sample.html").read_text(encoding="utf-8")
DRAFT = "草稿（存在校验错误）"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}

POPPLER = all(shutil.which(t) for t in ("pdftotext", "pdfinfo", "pdffonts"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")

# orientation of each <section> of the sample, in order
SAMPLE_ORIENT = ["portrait", "portrait", "portrait", "landscape", "landscape", "portrait", "landscape", "portrait"]


# ---- helpers ---------------------------------------------------------------------------------------
def png_bytes(w=400, h=300, rgb=(40, 90, 160)) -> bytes:
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300">'
       b'<rect x="20" y="20" width="200" height="200" fill="#2a5aa0"/>'
       b'<rect x="240" y="120" width="120" height="100" fill="#c04020"/></svg>')
ASSETS = {"chart-gpb.svg": SVG, "chart-gpb.png": png_bytes()}


# The writers' own CSS only: a style's print.css (other files, edited independently) must not change
# what these tests see. One test renders with the Shanxi print.css on top.
CSS = [base_css()]


def css() -> list[str]:
    return list(CSS)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True).stdout.decode("utf-8", "replace")


class PdfRead:
    def __init__(self, data: bytes, path: Path):
        self.data = data
        self.path = path
        path.write_bytes(data)

    @property
    def pages(self) -> list[str]:
        pages = run("pdftotext", str(self.path), "-").split("\f")
        return pages[:-1] if pages and not pages[-1].strip() else pages

    @property
    def flat_pages(self) -> list[str]:
        return [flat(p) for p in self.pages]

    def layout(self, page: int) -> str:
        return run("pdftotext", "-layout", "-f", str(page), "-l", str(page), str(self.path), "-")

    @property
    def layout_pages(self) -> list[str]:
        pages = run("pdftotext", "-layout", str(self.path), "-").split("\f")
        return pages[:-1] if pages and not pages[-1].strip() else pages

    @property
    def sizes(self) -> list[tuple[float, float]]:
        out = run("pdfinfo", "-f", "1", "-l", "9999", str(self.path))
        return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)]

    def page_of(self, marker: str, after: int = 0) -> int:
        for i, p in enumerate(self.flat_pages):
            if i >= after and flat(marker) in p:
                return i
        raise AssertionError(f"{marker} not found")


def first_difference(a: bytes, b: bytes, where: Path) -> str:
    """Where two renders differ (both are kept in `where` for inspection)."""
    (where / "a.pdf").write_bytes(a)
    (where / "b.pdf").write_bytes(b)
    i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
    return f"sizes {len(a)}/{len(b)}, first difference at {i}: {a[max(0, i - 60):i + 60]!r} vs {b[max(0, i - 60):i + 60]!r}"


def footer_number(page_text: str) -> str | None:
    lines = [ln.strip() for ln in page_text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines and lines[-1].isdigit() else None


def docx_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def docx_xml(data: bytes, name="word/document.xml") -> str:
    return docx_parts(data)[name].decode("utf-8")


def docx_paragraph_texts(xml: str) -> list[str]:
    root = etree.fromstring(xml.encode("utf-8"))
    return ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]


def text_width(orient: str) -> int:
    return docx_writer.SectionInfo(orient=orient).text_width


# ---- shared renders ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> PdfRead:
    if not POPPLER:
        pytest.skip("poppler-utils not installed")
    return PdfRead(render_pdf(SAMPLE, ASSETS, css()), tmp_path_factory.mktemp("pdf") / "sample.pdf")


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return render_docx(SAMPLE, ASSETS)


@pytest.fixture(scope="module")
def long_table_pdf(tmp_path_factory) -> PdfRead:
    if not POPPLER:
        pytest.skip("poppler-utils not installed")
    return PdfRead(render_pdf(long_table_markup(120), {}, css()), tmp_path_factory.mktemp("long") / "long.pdf")


def long_table_markup(n_rows: int, n_tables: int = 1) -> str:
    blocks = []
    for t in range(1, n_tables + 1):
        rows = "".join(
            f'<tr><td class="code">20{t:02d}{i:04d}</td><td class="text">长表第{t}张第{i:04d}行</td>'
            f'<td class="num">{i * 1.25:.2f}</td><td class="num">{i * 0.5:.2f}</td><td class="center">{i}</td></tr>'
            for i in range(1, n_rows + 1))
        blocks.append(
            f'<div class="table-block" id="lt-{t}"><p class="table-label">预算公开表{t}</p>'
            f'<p class="table-title">长表标题{t}</p>'
            '<div class="table-meta"><span class="meta-left">单位名称：测试单位</span><span class="meta-right">单位：万元</span></div>'
            '<table class="data"><colgroup><col style="width:20%"><col style="width:40%"><col style="width:15%">'
            '<col style="width:15%"><col style="width:10%"></colgroup>'
            '<thead><tr><th colspan="2">表头甲科目</th><th colspan="2">表头乙金额</th><th rowspan="2">序号</th></tr>'
            '<tr><th>编码</th><th>名称</th><th>合计</th><th>其中</th></tr></thead>'
            f'<tbody>{rows}</tbody></table></div>')
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>长表</title></head>'
            '<body class="style-shanxi"><section class="landscape">' + "".join(blocks) + "</section></body></html>")


# ======================================================================================================
# PDF
# ======================================================================================================
def test_base_css_is_the_shared_file():
    text = base_css()
    assert text == (ROOT / "templates" / "_base" / "base.css").read_text(encoding="utf-8")
    assert "@page landscape" in text and "target-counter" in text


@needs_poppler
def test_pdf_text_has_paragraphs_headings_and_cells(pdf):
    text = "".join(pdf.flat_pages)
    for s in ["高平市大数据中心", "2026年度单位预算公开", "第一部分 概况", "一、本单位职责", "(一) 人员情况",
              "（二）负责全市政务数据资源的汇聚、治理与共享开放，推进数据资源整合利用。",
              "居中的段落", "右对齐的段落", "注：以上人员数为2025年12月31日统计数。",
              "未知元素里的文字", "带未知类名的段落仍然显示。",          # unknown tags / classes still shown
              "预算公开表1", "2026年预算收支总表", "单位名称：高平市大数据中心", "单位：万元",
              "一、一般公共预算拨款收入", "1157.13", "1040.33", "89.91%", "三、国有资本经营预算拨款收入（跨两行）",
              "2010450", "事业运行", "116.80", "注：本表无上年结转数据。",
              "一般公共预算当年拨款结构图", "经济分类", "培训费", "项目支出绩效目标表", "使用部门满意度",
              "第四部分 名词解释", "列表项二"]:
        assert flat(s) in text, s


@needs_poppler
def test_pdf_page_sizes_follow_section_orientation(pdf):
    sizes = pdf.sizes
    assert len(sizes) == len(pdf.pages)
    portrait, landscape = (595.3, 841.9), (841.9, 595.3)

    def is_(size, want):
        return abs(size[0] - want[0]) < 1 and abs(size[1] - want[1]) < 1

    assert is_(sizes[0], portrait) and is_(sizes[1], portrait)                     # cover, 目录
    body = pdf.page_of("第一部分概况", 2)
    assert is_(sizes[body], portrait)
    for marker in ("预算公开表1", "预算公开表3", "项目支出绩效目标表"):
        assert is_(sizes[pdf.page_of(marker, body)], landscape), marker
    assert is_(sizes[pdf.page_of("第三部分", body)], portrait)
    assert is_(sizes[-1], portrait) and "第四部分名词解释" in pdf.flat_pages[-1]


@needs_poppler
def test_pdf_every_section_and_page_break_starts_a_page(pdf):
    fp = pdf.flat_pages
    assert fp[0] == flat("高平市大数据中心 2026年度单位预算公开")                  # cover alone, no number
    assert fp[1].startswith("目录")
    for heading in ("第一部分概况", "第二部分2026年单位预算报表", "预算公开表3", "第三部分", "项目支出绩效目标表",
                    "第四部分名词解释"):
        assert fp[pdf.page_of(heading, 2)].startswith(heading), heading
    # .page-break: the chart is on the page after table 2
    t2 = pdf.page_of("预算公开表2", 2)
    chart = pdf.page_of("一般公共预算当年拨款结构图", 2)
    assert chart == t2 + 1


@needs_poppler
def test_pdf_fonts_embedded_and_subset(pdf):
    out = run("pdffonts", str(pdf.path))
    rows = [ln.split() for ln in out.splitlines()[2:] if ln.strip()]
    assert rows and len(rows) <= 3                               # few faces: serif + sans
    for r in rows:
        assert (r[-5], r[-4]) == ("yes", "yes"), r               # emb, sub
        assert re.match(r"[A-Z]{6}\+", r[0]), r
    names = " ".join(r[0] for r in rows)
    assert "Serif-CJK" in names and "Sans-CJK" in names


@needs_poppler
def test_pdf_chart_is_the_vector_svg(pdf):
    if not shutil.which("pdfimages"):
        pytest.skip("pdfimages not installed")
    listing = run("pdfimages", "-list", str(pdf.path)).splitlines()[2:]
    assert [ln for ln in listing if ln.strip()] == []            # no raster image: the SVG was drawn


@needs_poppler
def test_pdf_page_numbers_and_toc(pdf):
    pages = pdf.layout_pages
    body = pdf.page_of("第一部分概况", 2)
    assert body == 2
    assert footer_number(pages[0]) is None and footer_number(pages[1]) is None     # cover, 目录
    for i in range(body, len(pages)):
        assert footer_number(pages[i]) == str(i - body + 1), (i, pages[i][-40:])
    toc = {}
    for line in pdf.layout(2).splitlines():
        m = re.match(r"^\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", line)
        if m:
            toc[flat(m.group(1))] = int(m.group(2))
    assert len(toc) == 11, toc
    expected = {
        "第一部分概况": "第一部分概况", "二、机构设置情况": "二、机构设置情况",
        "表一2026年预算收支总表": "预算公开表1", "表三2026年基本支出分经济科目表": "预算公开表3",
        "第三部分2026年度单位预算情况说明": "第三部分", "二、绩效管理情况": "二、绩效管理情况",
        "第四部分名词解释": "第四部分名词解释",
    }
    for entry, marker in expected.items():
        assert toc[entry] == pdf.page_of(marker, body) - body + 1, entry


@needs_poppler
def test_pdf_long_table_repeats_its_head_and_keeps_rows_whole(long_table_pdf):
    pages = long_table_pdf.flat_pages
    with_rows = [i for i, p in enumerate(pages) if "长表第1张第" in p]
    assert len(with_rows) >= 3                                    # 120 rows span several pages
    for i in with_rows:
        assert "表头甲科目" in pages[i] and "表头乙金额" in pages[i], i
    text = "".join(pages)
    for n in range(1, 121):                                       # every row once, none lost or split
        assert text.count(f"长表第1张第{n:04d}行") == 1, n


@needs_poppler
def test_pdf_is_deterministic_and_dated_from_source_date_epoch(pdf, monkeypatch, tmp_path):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    again = render_pdf(SAMPLE, ASSETS, css())
    assert again == pdf.data, first_difference(pdf.data, again, tmp_path)
    third = render_pdf(SAMPLE, ASSETS, css())
    assert third == again, first_difference(again, third, tmp_path)
    info = run("pdfinfo", str(pdf.path))
    assert re.search(r"CreationDate:.*2000", info)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")         # 2026-01-01T00:00:00Z
    dated = tmp_path / "dated.pdf"
    dated.write_bytes(render_pdf(SAMPLE, ASSETS, css()))
    assert re.search(r"CreationDate:.*2026", run("pdfinfo", str(dated)))


@needs_poppler
def test_pdf_draft_stamp_on_every_page(tmp_path):
    p = PdfRead(render_pdf(SAMPLE, ASSETS, css(), draft=True), tmp_path / "draft.pdf")
    assert len(p.pages) >= 8
    for i, page in enumerate(p.flat_pages):
        assert DRAFT in page, i
    # the body class "draft" (what the templates emit) stamps too
    q = PdfRead(render_pdf(SAMPLE.replace('class="style-shanxi"', 'class="style-shanxi draft"'), ASSETS, css()),
                tmp_path / "draft2.pdf")
    assert all(DRAFT in page for page in q.flat_pages)
    assert not any(DRAFT in page for page in PdfRead(render_pdf(SAMPLE, ASSETS, css()), tmp_path / "x.pdf").flat_pages)


@needs_poppler
def test_pdf_with_a_style_sheet_on_top(tmp_path):
    style = ROOT / "templates" / "shanxi" / "print.css"
    if not style.is_file():
        pytest.skip("no Shanxi print.css")
    p = PdfRead(render_pdf(SAMPLE, ASSETS, [base_css(), style.read_text(encoding="utf-8")]), tmp_path / "sx.pdf")
    assert "预算公开表1" in "".join(p.flat_pages)
    assert any(w > h for w, h in p.sizes) and p.sizes[0][0] < p.sizes[0][1]


class Listener:
    """A TCP server on 127.0.0.1 counting connection attempts (it never answers)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self):
        while not self._stop.is_set():
            ready, _, _ = select.select([self.sock], [], [], 0.05)
            if ready:
                try:
                    conn, _addr = self.sock.accept()
                    self.connections += 1
                    conn.close()
                except OSError:
                    pass

    def close(self):
        time.sleep(0.1)
        self._stop.set()
        self._thread.join()
        self.sock.close()


@needs_poppler
def test_pdf_fetches_nothing_but_assets(tmp_path, monkeypatch):
    server = Listener()
    secret = tmp_path / "secret.css"
    secret.write_text('body::before { content: "磁盘泄露标记"; }', encoding="utf-8")
    base = f"http://127.0.0.1:{server.port}"
    evil_css = (f'@import url("{base}/import.css");\n'
                f'body {{ background: url({base}/bg.png); }}\n'
                f'@font-face {{ font-family: X; src: url({base}/font.woff); }}\n')
    html = SAMPLE.replace(
        "</head>",
        f'<link rel="stylesheet" href="file://{secret}"><link rel="stylesheet" href="file:///etc/passwd">'
        f'<link rel="stylesheet" href="{base}/style.css"><style>p {{ background-image: url("{base}/p.png"); }}</style>'
        "</head>",
    ).replace(
        '<p class="note">注：以上人员数',
        f'<img src="{base}/x.png"><img src="https://127.0.0.1:{server.port}/y.png"><img src="file:///etc/hostname">'
        f'<img src="../../../../etc/passwd"><img src="ftp://127.0.0.1:{server.port}/z.png">'
        '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==">'
        '<p class="note">注：以上人员数',
    )
    calls: list[str] = []
    refused: list[str] = []
    real = pdf_writer.make_url_fetcher

    def recording(assets, *a, **kw):
        fetcher = real(assets, *a, **kw)
        inner = fetcher.fetch

        def fetch(url, headers=None):
            calls.append(url)
            try:
                return inner(url, headers)
            except Exception:
                refused.append(url)
                raise

        fetcher.fetch = fetch
        return fetcher

    monkeypatch.setattr(pdf_writer, "make_url_fetcher", recording)
    try:
        data = render_pdf(html, ASSETS, [*css(), evil_css])
    finally:
        server.close()
    assert data.startswith(b"%PDF")
    assert server.connections == 0
    p = PdfRead(data, tmp_path / "nofetch.pdf")
    assert "磁盘泄露标记" not in "".join(p.flat_pages)             # the file: stylesheet was not read
    assert "第一部分概况" in "".join(p.flat_pages)
    # every outside URL was asked for and refused; the asset and the data: URI were served
    outside = [u for u in calls if not u.startswith(("data:", pdf_writer.ASSET_BASE))]
    assert {u.split(":", 1)[0] for u in outside} >= {"http", "https", "file", "ftp"}
    assert set(outside) <= set(refused)
    assert any(u.startswith("file:") and "passwd" in u for u in refused)
    assert f"{pdf_writer.ASSET_BASE}chart-gpb.svg" in calls and f"{pdf_writer.ASSET_BASE}chart-gpb.svg" not in refused
    assert any(u.startswith("data:") for u in calls) and not any(u.startswith("data:") for u in refused)
    # a relative path never escapes the asset namespace
    assert any(u.startswith(pdf_writer.ASSET_BASE) and "passwd" in u for u in refused)


def test_url_fetcher_serves_only_assets():
    f = pdf_writer.make_url_fetcher({"a.svg": b"<svg/>", "b.png": b"png"})
    assert f.fetch(pdf_writer.ASSET_BASE + "a.svg").read() == b"<svg/>"
    assert f.fetch(pdf_writer.ASSET_BASE + "b.svg").read() == b"png"          # svg missing → png of the stem
    assert f.fetch("data:text/plain,%E4%BD%A0").read() == "你".encode()
    for url in ("http://example.com/a.svg", "https://example.com/a.svg", "file:///etc/passwd",
                "ftp://example.com/a.svg", pdf_writer.ASSET_BASE + "c.png", pdf_writer.ASSET_BASE + "../a.svg"):
        with pytest.raises(ValueError):
            f.fetch(url)


# ======================================================================================================
# DOCX
# ======================================================================================================
def test_docx_tables_repeat_heads_merge_cells_and_keep_rows(docx_bytes):
    xml = docx_xml(docx_bytes)
    for needle in ("<w:tblHeader/>", '<w:gridSpan w:val="2"/>', '<w:vMerge w:val="restart"/>', "<w:vMerge/>",
                   "<w:cantSplit/>", '<w:tblLayout w:type="fixed"/>', 'w:val="single" w:sz="4"'):
        assert needle in xml, needle
    root = etree.fromstring(xml.encode())
    tables = root.findall(f".//{W}tbl")
    assert len(tables) == 4
    for tbl in tables:
        grid = [int(g.get(f"{W}w")) for g in tbl.iterfind(f"{W}tblGrid/{W}gridCol")]
        for tr in tbl.iterfind(f"{W}tr"):
            spans = [int((tc.find(f"{W}tcPr/{W}gridSpan").get(f"{W}val")
                          if tc.find(f"{W}tcPr/{W}gridSpan") is not None else 1)) for tc in tr.iterfind(f"{W}tc")]
            assert sum(spans) == len(grid)                       # every row fills the grid exactly
            assert tr.find(f"{W}trPr/{W}cantSplit") is not None
    # table 1: widths from the colgroup (30/15/30/10/15 %) of the landscape text width; 3 head rows repeat
    t1 = tables[0]
    grid = [int(g.get(f"{W}w")) for g in t1.iterfind(f"{W}tblGrid/{W}gridCol")]
    assert sum(grid) == text_width("landscape")
    assert [round(100 * g / sum(grid)) for g in grid] == [30, 15, 30, 10, 15]
    rows = t1.findall(f"{W}tr")
    assert [r.find(f"{W}trPr/{W}tblHeader") is not None for r in rows] == [True] * 3 + [False] * 5
    # header row 2: 项目 (rowspan 2) restarts a vertical merge; row 3 continues it in column 0
    r3 = rows[2].findall(f"{W}tc")
    assert r3[0].find(f"{W}tcPr/{W}vMerge").get(f"{W}val") is None
    assert "".join(t.text for t in rows[2].iter(f"{W}t")) == "金额占比"
    # the compact table has 18 columns and 8 pt text (sz 16), from its style
    t3 = tables[2]
    assert len(t3.findall(f"{W}tblGrid/{W}gridCol")) == 18
    styles = Styles(docx_parts(docx_bytes)["word/styles.xml"])
    sizes = {effective(styles, p, r, "sz") for p in t3.iter(f"{W}p") for r in p.iter(f"{W}r") if r.find(f"{W}t") is not None}
    assert sizes == {"16"}
    assert not t3.findall(f".//{W}r/{W}rPr/{W}sz")


def test_docx_cell_alignment_by_class(docx_bytes):
    root = etree.fromstring(docx_xml(docx_bytes).encode())
    align = {}
    for tc in root.iter(f"{W}tc"):
        text = "".join(t.text for t in tc.iter(f"{W}t"))
        jc = tc.find(f".//{W}pPr/{W}jc")
        if text:
            align.setdefault(text, jc.get(f"{W}val"))
    assert align["116.80"] == "right"          # num
    assert align["2010450"] == "left"          # code
    assert align["事业运行"] == "left"          # text
    assert align["科目编码"] == "center"        # th
    assert align["≥"] == "center"              # center
    nowrap = [tc for tc in root.iter(f"{W}tc") if "".join(t.text for t in tc.iter(f"{W}t")) == "2010450"]
    assert nowrap[0].find(f"{W}tcPr/{W}noWrap") is not None


def test_docx_text_headings_and_unknown_markup(docx_bytes):
    xml = docx_xml(docx_bytes)
    texts = docx_paragraph_texts(xml)
    joined = flat("".join(texts))
    for s in ["高平市大数据中心", "2026年度单位预算公开", "目 录", "（二）负责全市政务数据资源的汇聚、治理与共享开放，推进数据资源整合利用。",
              "未知元素里的文字", "带未知类名的段落仍然显示。", "预算公开表1", "2026年预算收支总表", "1157.13",
              "三、国有资本经营预算拨款收入（跨两行）", "一般公共预算当年拨款结构图", "培训费", "使用部门满意度",
              "1. 列表项一", "第四部分 名词解释"]:
        assert flat(s) in joined, s
    root = etree.fromstring(xml.encode())
    styled = {}
    for p in root.iter(f"{W}p"):
        st = p.find(f"{W}pPr/{W}pStyle")
        if st is not None:
            styled.setdefault(st.get(f"{W}val"), []).append("".join(t.text or "" for t in p.iter(f"{W}t")))
    assert styled["Heading1"][0] == "第一部分 概况"
    assert "一、本单位职责" in styled["Heading2"]
    assert styled["Heading3"] == ["(一) 人员情况"]
    assert styled["TOCHeading"] == ["目 录"]
    # body paragraphs: 2-character first-line indent unless noindent / center / right
    for p in root.iter(f"{W}p"):
        text = "".join(t.text or "" for t in p.iter(f"{W}t"))
        ind = p.find(f"{W}pPr/{W}ind")
        if text.startswith("（一）负责全市"):
            assert ind is None and p.find(f"{W}pPr/{W}pStyle") is None    # 正文: the indent is Normal's
        if text.startswith("不缩进的段落") or text == "居中的段落":
            assert ind.get(f"{W}firstLineChars") == "0"
        if text == "居中的段落":
            assert p.find(f"{W}pPr/{W}jc").get(f"{W}val") == "center"
        if text == "右对齐的段落":
            assert p.find(f"{W}pPr/{W}jc").get(f"{W}val") == "right"
    # headings carry outline levels (styles.xml) so Word's TOC finds them
    styles = etree.fromstring(docx_parts(docx_bytes)["word/styles.xml"])
    for sid, lvl in (("Heading1", "0"), ("Heading2", "1"), ("Heading3", "2")):
        st = styles.find(f'{W}style[@{W}styleId="{sid}"]')
        assert st.find(f"{W}pPr/{W}outlineLvl").get(f"{W}val") == lvl


def test_docx_east_asian_fonts_everywhere(docx_bytes):
    """Every run's East Asian font, as Word resolves it through the styles, is 宋体 or 黑体; no run names
    a font itself."""
    parts = docx_parts(docx_bytes)
    styles = Styles(parts["word/styles.xml"])
    for name in [n for n in parts if re.match(r"word/(document|header\d*|footer\d*)\.xml$", n)]:
        for p, r, text in text_runs(docx_bytes, name):
            assert effective(styles, p, r, "rFonts", "eastAsia") in ("SimSun", "SimHei"), (name, text)
            assert not run_overrides(r), (name, text, etree.tostring(r)[:200])
    styles_xml = parts["word/styles.xml"].decode()
    assert "eastAsiaTheme" not in styles_xml and "asciiTheme" not in styles_xml
    defaults = re.search(r"<w:docDefaults>.*?</w:docDefaults>", styles_xml, re.S).group(0)
    assert 'w:eastAsia="SimSun"' in defaults and 'w:eastAsia="zh-CN"' in defaults
    assert 'w:eastAsia="zh-CN"' in parts["word/settings.xml"].decode()
    heads = [effective(styles, p, r, "rFonts", "eastAsia") for p, r, t in text_runs(docx_bytes) if t == "第一部分 概况"]
    body = [effective(styles, p, r, "rFonts", "eastAsia") for p, r, t in text_runs(docx_bytes) if t.startswith("（一）负责全市")]
    assert heads[0] == "SimHei" and body == ["SimSun"]


def test_docx_sections_orientation_and_footers(docx_bytes):
    parts = docx_parts(docx_bytes)
    root = etree.fromstring(parts["word/document.xml"])
    sects = root.findall(f".//{W}sectPr")
    assert len(sects) == len(SAMPLE_ORIENT)
    orient = ["landscape" if s.find(f"{W}pgSz").get(f"{W}orient") == "landscape" else "portrait" for s in sects]
    assert orient == SAMPLE_ORIENT
    for s, o in zip(sects, orient):
        w, h = int(s.find(f"{W}pgSz").get(f"{W}w")), int(s.find(f"{W}pgSz").get(f"{W}h"))
        assert (w, h) == ((16838, 11906) if o == "landscape" else (11906, 16838))
    # footers: cover and 目录 get an empty one, the body a centred PAGE field; numbering restarts at 1
    rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
    target = {r.get("Id"): r.get("Target") for r in rels}
    RNS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    footer_of = [parts["word/" + target[s.find(f"{W}footerReference").get(f"{RNS}id")]].decode() for s in sects]
    assert all("PAGE" not in f for f in footer_of[:2])
    assert all(re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", f) for f in footer_of[2:])
    assert 'w:pStyle w:val="Footer"' in footer_of[2]
    assert Styles(parts["word/styles.xml"]).style_ppr("Footer", "jc") == "center"
    assert sects[2].find(f"{W}pgNumType").get(f"{W}start") == "1"
    assert all(s.find(f"{W}pgNumType") is None for i, s in enumerate(sects) if i != 2)
    assert all(s.find(f"{W}headerReference") is None for s in sects)          # no draft header


def test_docx_toc_field_and_update_on_open(docx_bytes):
    parts = docx_parts(docx_bytes)
    xml = parts["word/document.xml"].decode()
    # built from the TC fields at the entries' targets only (tests/test_docx_toc_update.py)
    assert re.search(r'<w:instrText xml:space="preserve"> TOC \\f C \\l "1-3" \\h \\z </w:instrText>', xml)
    assert xml.count('w:fldCharType="begin"') == xml.count('w:fldCharType="end"')
    tc = len(re.findall(r'<w:instrText xml:space="preserve"> TC "[^<]*" \\f C \\l [1-3] </w:instrText>', xml))
    assert tc == 11                                   # one per entry; a TC field has no result
    assert xml.count('w:fldCharType="begin"') == xml.count('w:fldCharType="separate"') + tc
    assert re.search(r'<w:updateFields w:val="true"/>', parts["word/settings.xml"].decode())
    root = etree.fromstring(parts["word/document.xml"])
    entries = [p for p in root.iter(f"{W}p")
               if (p.find(f"{W}pPr/{W}pStyle") is not None
                   and p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") in ("TOC1", "TOC2"))]
    assert len(entries) == 11
    first = "".join(t.text or "" for t in entries[0].iter(f"{W}t"))
    assert first == "第一部分 概况"
    assert entries[0].find(f"{W}pPr/{W}tabs/{W}tab").get(f"{W}leader") == "dot"
    # each entry links to a bookmark placed on its target
    marks = {b.get(f"{W}name") for b in root.iter(f"{W}bookmarkStart")}
    anchors = [h.get(f"{W}anchor") for h in root.iter(f"{W}hyperlink")]
    assert len(anchors) == 11 and set(anchors) <= marks
    pagerefs = re.findall(r"PAGEREF (_Toc\d+) \\h", xml)
    assert pagerefs == anchors
    # table targets get an outline level on their title so an updated TOC lists them too
    titles = [p for p in root.iter(f"{W}p") if "".join(t.text or "" for t in p.iter(f"{W}t")) == "2026年预算收支总表"]
    assert titles[0].find(f"{W}pPr/{W}outlineLvl").get(f"{W}val") == "1"


def test_docx_picture_from_png_asset(docx_bytes):
    parts = docx_parts(docx_bytes)
    media = [n for n in parts if n.startswith("word/media/")]
    assert media == ["word/media/image1.png", "word/media/vector1.svg"]        # the SVG, the PNG its fallback
    assert parts["word/media/image1.png"] == ASSETS["chart-gpb.png"]
    assert parts["word/media/vector1.svg"] == ASSETS["chart-gpb.svg"]
    xml = parts["word/document.xml"].decode()
    cx, cy = map(int, re.search(r'<wp:extent cx="(\d+)" cy="(\d+)"/>', xml).groups())
    assert 12 * 360000 <= cx <= 14 * 360000 and abs(cy - cx * 300 // 400) <= 1     # ≤ 14 cm, aspect kept
    assert "docProps/thumbnail.jpeg" not in parts


def test_docx_missing_png_falls_back_to_alt_text():
    data = render_docx(SAMPLE, {"chart-gpb.svg": SVG})
    parts = docx_parts(data)
    assert not [n for n in parts if n.startswith("word/media/")]
    assert "一般公共预算当年拨款结构图" in "".join(docx_paragraph_texts(parts["word/document.xml"].decode()))


def test_docx_is_deterministic(docx_bytes, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert render_docx(SAMPLE, ASSETS) == docx_bytes
    core = docx_xml(docx_bytes, "docProps/core.xml")
    assert "2000-01-01T00:00:00Z" in core and "<cp:revision>1</cp:revision>" in core
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(2000, 1, 1, 0, 0, 0)}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")         # 2026-01-01T00:00:00Z
    dated = render_docx(SAMPLE, ASSETS)
    assert dated == render_docx(SAMPLE, ASSETS)
    assert "2026-01-01T00:00:00Z" in docx_xml(dated, "docProps/core.xml")
    with zipfile.ZipFile(io.BytesIO(dated)) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 1, 1, 0, 0, 0)}


def test_docx_draft_header_on_every_section():
    data = render_docx(SAMPLE, ASSETS, draft=True)
    parts = docx_parts(data)
    root = etree.fromstring(parts["word/document.xml"])
    RNS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(parts["word/_rels/document.xml.rels"])}
    sects = root.findall(f".//{W}sectPr")
    assert len(sects) == len(SAMPLE_ORIENT)
    for s in sects:
        ref = s.find(f"{W}headerReference")
        assert ref is not None and ref.get(f"{W}type") == "default"
        header = parts["word/" + rels[ref.get(f"{RNS}id")]].decode()
        assert DRAFT in header and 'w:pStyle w:val="DraftMark"' in header
    assert 'w:color w:val="C00000"' in re.search(r'<w:style [^>]*w:styleId="DraftMark".*?</w:style>',
                                                 parts["word/styles.xml"].decode()).group(0)
    # the body class "draft" does the same
    body_draft = render_docx(SAMPLE.replace('class="style-shanxi"', 'class="style-shanxi draft"'), ASSETS)
    assert any(DRAFT in v.decode("utf-8", "ignore") for k, v in docx_parts(body_draft).items() if "header" in k)


def test_control_characters_never_reach_the_xml(tmp_path):
    html = SAMPLE.replace("编制人数15人", "编制\x00人数\x01\x08\x0b\x0c\x0e\x1f15人").replace(
        'alt="一般公共预算当年拨款结构图"', 'alt="结构\x02图"').replace("<td class=\"code\">2010450", "<td class=\"code\">\x0720\x1b10450")
    data = render_docx(html, ASSETS)
    for name, blob in docx_parts(data).items():
        if name.endswith(".xml") or name.endswith(".rels"):
            etree.fromstring(blob)                                  # well-formed
            assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", blob), name
            assert b"&#" not in blob or not re.search(rb"&#(x0*[0-8bcef]|x0*1[0-9a-f]|0*([0-8]|1[1-2]|1[4-9]|2[0-9]|3[01]));", blob, re.I), name
    text = "".join(docx_paragraph_texts(docx_xml(data)))
    assert "编制人数15人" in text and "2010450" in text
    if POPPLER:
        p = PdfRead(render_pdf(html, ASSETS, css()), tmp_path / "ctl.pdf")
        assert "编制人数15人" in "".join(p.flat_pages)


ODD_MARKUP = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>奇怪的标记</title></head>
<body class="style-henan unknown">
裸露在正文中的文字
<p>节外段落<b>加粗</b>与<span class="x">行内</span><br>换行之后</p>
<section class="landscape weird">
  <custom-tag>自定义标签文字</custom-tag>
  <div class="mystery"><p>容器里的段落</p>容器里的散文字<em>强调</em></div>
  <table class="data"><tr><td>无表头无列宽甲</td><td>乙</td><td>丙</td></tr><tr><td colspan="5">超出网格的合并</td></tr>
  <tr><td rowspan="9">越界的纵向合并</td><td>丁</td></tr></table>
  <table class="data"></table>
  <table class="data"><tbody><tr><td><p>单元格里的段落一</p><p>段落二</p></td><td><table><tr><td>嵌套表格</td></tr></table></td></tr></tbody></table>
  <table class="data"><thead><tr><th>只有表头</th></tr></thead></table>
  <ul class="toc"><li><a href="#nowhere">指向不存在目标的目录项</a></li></ul>
  <figure class="chart"><img src="missing.svg" alt="缺失的图"><figcaption>图注</figcaption></figure>
  <img src="http://example.invalid/x.png" alt="外部图片">
  <div class="page-break"></div>
</section>
<section></section>
尾部文字
</body></html>"""


def test_odd_markup_never_crashes(tmp_path):
    data = render_docx(ODD_MARKUP, {})
    parts = docx_parts(data)
    for name, blob in parts.items():
        if name.endswith(".xml"):
            etree.fromstring(blob)
    xml = parts["word/document.xml"].decode()
    text = flat("".join(docx_paragraph_texts(xml)))
    for s in ["裸露在正文中的文字", "节外段落加粗与行内", "换行之后", "自定义标签文字", "容器里的段落", "容器里的散文字强调",
              "无表头无列宽甲", "超出网格的合并", "越界的纵向合并", "单元格里的段落一", "段落二", "嵌套表格", "只有表头",
              "指向不存在目标的目录项", "缺失的图", "图注", "外部图片", "尾部文字"]:
        assert s in text, s
    root = etree.fromstring(parts["word/document.xml"])
    for tbl in root.iter(f"{W}tbl"):
        ncols = len(tbl.findall(f"{W}tblGrid/{W}gridCol"))
        for tr in tbl.iterfind(f"{W}tr"):
            spans = [int(tc.find(f"{W}tcPr/{W}gridSpan").get(f"{W}val")) if tc.find(f"{W}tcPr/{W}gridSpan") is not None
                     else 1 for tc in tr.iterfind(f"{W}tc")]
            assert sum(spans) == ncols
        # a table is never directly followed by another table (Word would merge them)
        nxt = tbl.getnext()
        assert nxt is None or nxt.tag != f"{W}tbl"
    for empty in ("", "<html><body></body></html>", "纯文本"):
        etree.fromstring(docx_parts(render_docx(empty, {}))["word/document.xml"])
    if POPPLER:
        p = PdfRead(render_pdf(ODD_MARKUP, {}, css()), tmp_path / "odd.pdf")
        assert "自定义标签文字" in "".join(p.flat_pages)


def test_docx_of_a_long_document_is_complete():
    """(Its speed is measured by bench/run.py against LibreOffice in the same run, not by a time limit.)"""
    html = long_table_markup(40, n_tables=20).replace(
        '<section class="landscape">', '<section class="landscape">' + "<p>正文段落。</p>" * 200, 1)
    doc = etree.fromstring(docx_parts(render_docx(html, {}))["word/document.xml"])
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    assert len(doc.findall(".//w:tbl", ns)) == 20
    assert "".join(doc.itertext()).count("正文段落。") == 200


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


@pytest.mark.skipif(shutil.which("soffice") is None or not POPPLER, reason="LibreOffice or poppler not installed")
def test_docx_opens_in_libreoffice(docx_bytes, tmp_path):
    src = tmp_path / "sample.docx"
    src.write_bytes(docx_bytes)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)})
    p = PdfRead((tmp_path / "sample.pdf").read_bytes(), tmp_path / "lo.pdf")
    text = "".join(p.flat_pages)
    for s in ["预算公开表1", "2026年预算收支总表", "一、一般公共预算拨款收入", "1157.13", "1040.33", "2010450", "事业运行",
              "培训费", "使用部门满意度", "一般公共预算当年拨款结构图", "第四部分名词解释", "目录"]:
        assert s in text, s
    sizes = p.sizes
    assert sizes[0][0] < sizes[0][1]                                # cover portrait
    assert sizes[p.page_of("预算公开表1")][0] > sizes[p.page_of("预算公开表1")][1]   # landscape table page
    assert sizes[p.page_of("第四部分名词解释", 2)][0] < sizes[p.page_of("第四部分名词解释", 2)][1]
    body = p.page_of("第一部分概况", 2)
    layout = p.layout_pages
    assert footer_number(layout[body]) == "1" and footer_number(layout[0]) is None


def test_docx_tweaks_come_from_the_style_file():
    """A style's DOCX density sits in its style.yaml (`docx:`), beside its print.css: a new province needs
    no Python. A misspelt key is an error for the style's author, never silently ignored."""
    from disclosure_gen.render import document as render
    t = docx_writer.tweaks_from(render.load_style("shanxi")["docx"])
    assert (t.perf_size, t.perf_line, t.toc_line) == (15, 1.1, 340)
    assert docx_writer.tweaks_from(None) == docx_writer.Tweaks()
    with pytest.raises(ValueError, match="toc_lines"):
        docx_writer.tweaks_from({"toc_lines": 300})
    parts = docx_parts(render_docx('<section><table class="data perf"><tr><td>甲</td></tr></table></section>', {},
                                   tweaks={"perf_size": 15, "perf_line": 1.12}))
    assert 'w:pStyle w:val="PerfText"' in parts["word/document.xml"].decode()
    styles = Styles(parts["word/styles.xml"])
    assert styles.style_ppr("PerfText", "spacing", "line") == "168"      # 7.5 pt × 1.12 = 8.4 pt = 168 twips
    assert styles.style_ppr("PerfText", "spacing", "lineRule") == "exact"
    assert styles.style_rpr("PerfText", "sz") == "15"
