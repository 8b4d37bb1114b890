"""The DOCX is restyled the way a Word user restyles it: through the styles of the reference document.

Each style ships templates/<style>/reference.docx (made by scripts/make_reference_docx.py); the writer
starts from it and its runs carry no fonts or sizes, so changing a style changes all text of that kind.
"""
from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from disclosure_gen.check import rules as check
from disclosure_gen.render import document as render
from disclosure_gen.writers.docx import render_docx

from docx_read import W, Styles, effective, para_style, parts, run_overrides, text_runs

ROOT = Path(__file__).resolve().parents[1]
INPUTS = sorted((ROOT / "inputs").glob("*.yaml"))
REQUIRED = {   # what a Chinese Word shows → style id in the reference document
    "正文": "Normal", "标题 1": "Heading1", "标题 2": "Heading2", "标题 3": "Heading3", "目录 1": "TOC1",
    "目录 2": "TOC2", "目录 3": "TOC3", "页脚": "Footer", "表题": "TableTitle", "表头": "TableHeading",
    "表格文字": "TableText", "表注": "TableNote", "图题": "FigureCaption",
}
BUILTIN = {"Normal": "Normal", "Heading1": "heading 1", "Heading2": "heading 2", "Heading3": "heading 3",
           "TOC1": "toc 1", "TOC2": "toc 2", "TOC3": "toc 3", "Footer": "footer"}


@pytest.fixture(scope="session")
def markups() -> dict[str, tuple[str, render.Assets, str]]:
    """Markup of every input in its own style (HTML only: cheap)."""
    out = {}
    for path in INPUTS:
        loaded = check.load(str(path))
        style = loaded.budget.style
        html, assets, _doc = render.render_html(loaded.facts, style, draft=bool(loaded.errors))
        out[path.stem] = (html, assets, style)
    return out


@pytest.mark.parametrize("style", render.available_styles())
def test_reference_docx_is_committed_and_reproducible(style):
    ref = render.TEMPLATES / style / "reference.docx"
    assert ref.is_file(), f"{ref} missing: run scripts/make_reference_docx.py"
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_reference_docx
    finally:
        sys.path.pop(0)
    assert make_reference_docx.reference_for(style) == ref.read_bytes(), "run scripts/make_reference_docx.py"
    styles = Styles(parts(ref.read_bytes())["word/styles.xml"])
    for shown, sid in REQUIRED.items():
        assert sid in styles.by_id, shown
        assert styles.names[sid] == BUILTIN.get(sid, shown)
    body = etree.fromstring(parts(ref.read_bytes())["word/document.xml"])
    sizes = [(int(s.get(f"{W}w")), int(s.get(f"{W}h"))) for s in body.iter(f"{W}pgSz")]
    assert sizes == [(11906, 16838), (16838, 11906)]                   # A4 portrait, then landscape


def _restyled(ref: bytes, edits: dict[str, dict[str, str]]) -> bytes:
    """A copy of the reference document with run properties of some styles changed, as Word would."""
    src = zipfile.ZipFile(io.BytesIO(ref))
    styles = etree.fromstring(src.read("word/styles.xml"))
    for sid, props in edits.items():
        st = styles.find(f'{W}style[@{W}styleId="{sid}"]')
        rpr = st.find(f"{W}rPr")
        if rpr is None:
            rpr = etree.SubElement(st, f"{W}rPr")
        for tag, value in props.items():
            el = rpr.find(f"{W}{tag}")
            if el is None:
                el = etree.SubElement(rpr, f"{W}{tag}")
            if tag == "rFonts":
                for a in ("ascii", "hAnsi", "eastAsia"):
                    el.set(f"{W}{a}", value)
            else:
                el.set(f"{W}val", value)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in src.namelist():
            z.writestr(name, etree.tostring(styles, xml_declaration=True, encoding="UTF-8", standalone=True)
                       if name == "word/styles.xml" else src.read(name))
    return out.getvalue()


@pytest.mark.parametrize("stem", [p.stem for p in INPUTS])
def test_changing_a_style_in_the_reference_changes_all_its_text(markups, stem):
    html, assets, style = markups[stem]
    ref = render.reference_docx(style)
    edited = _restyled(ref, {"Normal": {"rFonts": "KaiTi", "sz": "24"}, "TableText": {"sz": "17"},
                             "Heading2": {"rFonts": "FangSong"}})
    data = render_docx(html, assets.files, reference=edited)
    styles = Styles(parts(data)["word/styles.xml"])
    body = heads = cells = 0
    for p, r, text in text_runs(data):
        assert not run_overrides(r), (text, etree.tostring(r)[:300])
        sid = para_style(p)
        if sid is None:                                          # 正文
            body += 1
            assert effective(styles, p, r, "rFonts", "eastAsia") == "KaiTi", text
            assert effective(styles, p, r, "sz") == "24", text
        elif sid == "Heading2":
            heads += 1
            assert effective(styles, p, r, "rFonts", "eastAsia") == "FangSong", text
        elif sid == "TableText":
            cells += 1
            assert effective(styles, p, r, "sz") == "17", text
    assert body > 20 and heads > 5 and cells > 100, (body, heads, cells)


@pytest.mark.parametrize("stem", [p.stem for p in INPUTS])
def test_every_paragraph_names_a_style_of_the_reference(markups, stem):
    html, assets, style = markups[stem]
    data = render_docx(html, assets.files, reference=render.reference_docx(style))
    p_ = parts(data)
    styles = Styles(p_["word/styles.xml"])
    used = set()
    for name in [n for n in p_ if re.match(r"word/(document|header\d*|footer\d*)\.xml$", n)]:
        root = etree.fromstring(p_[name])
        for p in root.iter(f"{W}p"):
            sid = para_style(p)
            if sid:
                assert sid in styles.by_id, sid
                used.add(sid)
            # paragraphs carry no fonts or sizes of their own either
            assert p.find(f"{W}pPr/{W}rPr/{W}sz") is None and p.find(f"{W}pPr/{W}rPr/{W}rFonts") is None
    assert {"Heading1", "Heading2", "TableText", "TableHeading", "TableTitle", "Footer"} <= used


def test_pipeline_uses_the_style_reference(markups, tmp_path, monkeypatch):
    """render goes through templates/<style>/reference.docx: a changed reference changes the DOCX."""
    html, assets, style = markups[INPUTS[0].stem]
    plain = render.render_docx(html, assets, style)
    edited = _restyled(render.reference_docx(style), {"Normal": {"rFonts": "KaiTi"}})
    monkeypatch.setattr(render, "reference_docx", lambda s: edited)
    assert b"KaiTi" in parts(render.render_docx(html, assets, style))["word/styles.xml"]
    assert b"KaiTi" not in parts(plain)["word/styles.xml"]
