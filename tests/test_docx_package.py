"""The DOCX package as Word, WPS and a schema validator see it: document properties, compatibility
mode, vector charts with a bitmap fallback, the caption kept with its chart, and ECMA-376 validity of
every input in every style (openxml-audit)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from disclosure_gen.check import rules as check
from disclosure_gen.render import document as render

from docx_read import W, Styles, para_style, parts

ROOT = Path(__file__).resolve().parents[1]
INPUTS = sorted((ROOT / "inputs").glob("*.yaml"))
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
ASVG = "{http://schemas.microsoft.com/office/drawing/2016/SVG/main}"
PKG_R = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@pytest.fixture(scope="session")
def rendered() -> dict[tuple[str, str], tuple[bytes, object, render.Assets]]:
    """(input stem, style) → (DOCX bytes, budget, assets) for every input in every style."""
    out = {}
    for path in INPUTS:
        loaded = check.load(str(path))
        for style in render.available_styles():
            html, assets, _doc = render.render_html(loaded.facts, style, draft=bool(loaded.errors))
            out[(path.stem, style)] = (render.render_docx(html, assets, style, draft=bool(loaded.errors)),
                                       loaded.budget, assets)
    return out


CASES = [(p.stem, s) for p in INPUTS for s in render.available_styles()]


@pytest.mark.parametrize("stem,style", CASES)
def test_document_properties(rendered, stem, style):
    data, budget, _ = rendered[(stem, style)]
    p = parts(data)
    core = etree.fromstring(p["docProps/core.xml"])
    ns = {"dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
          "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}
    get = lambda q: (core.findtext(q, namespaces=ns) or "").strip()   # noqa: E731
    a = budget.agency
    assert get("dc:title").startswith(a.name) and str(a.year) in get("dc:title")
    assert get("dc:creator") == a.name
    assert get("dc:subject") == f"{a.year}年度{a.kind}预算公开"
    want = {"jiyuan-bigdata-2024": "2024-06-09"}.get(stem, f"{a.year}-01-01")    # publish date, else 1 Jan
    assert get("dcterms:created") == f"{want}T00:00:00Z" and get("dcterms:modified") == f"{want}T00:00:00Z"
    app = p["docProps/app.xml"].decode()
    assert "Macintosh" not in app and "<Application>disclosure-gen</Application>" in app
    settings = p["word/settings.xml"].decode()
    assert re.search(r'<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" '
                     r'w:val="15"/>', settings)


@pytest.mark.parametrize("stem,style", CASES)
def test_docx_passes_ecma_376_validation(rendered, stem, style):
    openxml_audit = pytest.importorskip("openxml_audit")
    data, _, _ = rendered[(stem, style)]
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "x.docx"
        f.write_bytes(data)
        result = openxml_audit.OpenXmlValidator().validate(str(f))
    assert result.is_valid, [str(e) for e in result.errors[:10]]


def test_validator_catches_a_broken_document(rendered, tmp_path):
    """The validation above can fail: an element out of schema order is reported."""
    openxml_audit = pytest.importorskip("openxml_audit")
    import io
    import zipfile
    data, _, _ = rendered[CASES[0]]
    src = zipfile.ZipFile(io.BytesIO(data))
    out = tmp_path / "broken.docx"
    with zipfile.ZipFile(out, "w") as z:
        for n in src.namelist():
            blob = src.read(n)
            if n == "word/document.xml":
                blob = blob.replace(b'<w:pPr><w:pStyle w:val="Heading1"/>', b'<w:pPr><w:jc w:val="center"/><w:pStyle w:val="Heading1"/>', 1)
            z.writestr(n, blob)
    assert not openxml_audit.OpenXmlValidator().validate(str(out)).is_valid


@pytest.mark.parametrize("stem,style", [c for c in CASES if c[1] == "shanxi"])
def test_charts_are_svg_with_png_fallback_and_captions_keep_with_them(rendered, stem, style):
    data, _, assets = rendered[(stem, style)]
    p = parts(data)
    root = etree.fromstring(p["word/document.xml"])
    rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(p["word/_rels/document.xml.rels"])}
    svgs = {k: v for k, v in assets.files.items() if k.endswith(".svg")}
    blips = list(root.iter(f"{A}blip"))
    assert blips and len(blips) == len(svgs)
    styles = Styles(p["word/styles.xml"])
    for blip in blips:
        png = p["word/" + rels[blip.get(f"{R}embed")]]
        assert png.startswith(b"\x89PNG")
        svg_blip = blip.find(f"{A}extLst/{A}ext/{ASVG}svgBlip")
        assert svg_blip is not None and blip.find(f"{A}extLst/{A}ext").get("uri") == "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
        svg = p["word/" + rels[svg_blip.get(f"{R}embed")]]
        assert svg in svgs.values()
        # the caption (above the chart) keeps with the chart's paragraph; the chart does not pull the next one
        pic_p = next(a for a in blip.iterancestors(f"{W}p"))
        caption = pic_p.getprevious()
        assert para_style(caption) == "FigureCaption" and "图" in "".join(t.text or "" for t in caption.iter(f"{W}t"))
        assert styles.style_ppr("FigureCaption", "keepNext", "val") is None     # present, no w:val = on
        assert styles.by_id["FigureCaption"].find(f"{W}pPr/{W}keepNext") is not None
        assert pic_p.find(f"{W}pPr/{W}keepNext") is None
        assert styles.by_id[para_style(pic_p)].find(f"{W}pPr/{W}keepNext") is None
    types = p["[Content_Types].xml"].decode()
    assert 'ContentType="image/svg+xml"' in types
