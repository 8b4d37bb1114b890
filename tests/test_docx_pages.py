"""The DOCX printed through LibreOffice as it opens (no field update): every 目录 entry shows the page its
heading is printed on, and each heading lands on the same page as in the PDF.

Reader's view: LibreOffice converts the DOCX to PDF; the page of each heading is read from that PDF's
outline (LibreOffice makes it from the headings' outline levels) and the printed page number from the
page's footer text (pdftotext -layout).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from disclosure_gen.commands import pipeline

from docx_read import W, parts

ROOT = Path(__file__).resolve().parents[1]
INPUTS = sorted((ROOT / "inputs").glob("*.yaml"))
HAVE_TOOLS = shutil.which("soffice") and shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(not HAVE_TOOLS, reason="LibreOffice or poppler not installed")


def flat(s: str) -> str:
    """Text without white space, full-width brackets as ASCII ones (a 目录 entry may spell them otherwise)."""
    return re.sub(r"\s+", "", s).replace("（", "(").replace("）", ")")


# `printed` (each input rendered and its DOCX converted by LibreOffice, once): tests/conftest.py


def outline(pdf: Path) -> list[tuple[str, int]]:
    """(title, page index) of every outline entry in document order."""
    import pikepdf
    with pikepdf.open(pdf) as doc:
        index = {p.obj.objgen: i for i, p in enumerate(doc.pages)}
        names = doc.Root.get("/Names")
        named = pikepdf.NameTree(names.Dests) if names is not None and "/Dests" in names else {}
        out = []
        with doc.open_outline() as ol:
            def walk(items):
                for it in items:
                    dest = it.destination
                    if isinstance(dest, (pikepdf.String, pikepdf.Name, str)):
                        dest = named.get(str(dest).lstrip("/"))
                    if dest is None and it.action is not None and "/D" in it.action:
                        dest = it.action.D
                    if dest is not None and len(dest):
                        out.append((flat(str(it.title)), index.get(dest[0].objgen, -1)))
                    walk(it.children)
            walk(ol.root)
        return out


def footers(pdf: Path) -> list[str | None]:
    """The page number printed at the foot of each page (None where there is none)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True).stdout.decode()
    pages = text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    out = []
    for p in pages:
        lines = [ln.strip() for ln in p.splitlines() if ln.strip()]
        out.append(lines[-1] if lines and re.fullmatch(r"\d{1,3}", lines[-1]) else None)
    return out


def toc_entries(docx: Path) -> list[tuple[str, str, int]]:
    """(entry text, prefilled page number, level) of the DOCX 目录, as it shows before any field update."""
    from lxml import etree
    root = etree.fromstring(parts(docx.read_bytes())["word/document.xml"])
    out = []
    for p in root.iter(f"{W}p"):
        st = p.find(f"{W}pPr/{W}pStyle")
        if st is None or not re.fullmatch(r"TOC[1-3]", st.get(f"{W}val")):
            continue
        runs = list(p.iter(f"{W}r"))
        # text before the tab is the entry; the text after the PAGEREF's separate mark is its number
        text, number, state = "", "", "text"
        for r in runs:
            if r.find(f"{W}tab") is not None:
                state = "after-tab"
            fc = r.find(f"{W}fldChar")
            if fc is not None and state != "text":
                state = {"separate": "result", "end": "done"}.get(fc.get(f"{W}fldCharType"), state)
            t = "".join(x.text or "" for x in r.iter(f"{W}t"))
            if state == "text":
                text += t
            elif state == "result":
                number += t
        out.append((flat(text), number, int(st.get(f"{W}val")[-1])))
    return out


# a leading number (一、 / 表1. / 表5-1.) and a trailing bracket (（分功能科目）)
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十]+、|表\d+(?:-\d+)?\.)(.+?)(?:\([^()]*\))?$")


def _same(text: str, title: str) -> bool:
    """An entry names a title it ends with (目录 entries may carry a 表一… prefix). Hubei's 目录 numbers
    the tables 一、二… as the published document does, while their titles read 表1.…, and its entry
    五、一般公共预算支出表（分功能科目，分单位） stands for 表5-1 and 表5-2: the same name once the
    numbers and the bracket are left off."""
    if text.endswith(title) or title.endswith(text):
        return True
    a, b = _NUMBERED.match(text), _NUMBERED.match(title)
    return bool(a and b and a.group(1) == b.group(1))


def _match(entries: list[str], titles: list[tuple[str, int]]) -> list[int]:
    """The page of each entry: outline entries taken in order, an entry matching its title (_same)."""
    pages, k = [], 0
    for text in entries:
        while k < len(titles) and not _same(text, titles[k][0]):
            k += 1
        assert k < len(titles), f"“{text}” not among the headings LibreOffice printed"
        pages.append(titles[k][1])
        k += 1
    return pages


@pytest.mark.parametrize("stem", [p.stem for p in INPUTS])
def test_libreoffice_contents_show_the_page_of_each_heading(printed, stem):
    d = printed[stem]
    entries = toc_entries(d["docx"])
    if not entries:
        pytest.skip("this style has no 目录")
    assert all(n.isdigit() for _t, n, _l in entries), [e for e in entries if not e[1].isdigit()][:5]
    pages = _match([t for t, _n, _l in entries], outline(d["lo"]))
    foot = footers(d["lo"])
    wrong = [(t, n, foot[p]) for (t, n, _l), p in zip(entries, pages) if foot[p] != n]
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("stem", [p.stem for p in INPUTS])
def test_docx_in_libreoffice_paginates_like_the_pdf(printed, stem):
    """Each heading (parts, sections, tables) is printed on the same page in both; and the 目录 numbers
    are the PDF's."""
    d = printed[stem]
    lo, pdf = outline(d["lo"]), outline(d["pdf"])
    lo_titles = [t for t, _p in lo]
    common = [(t, p) for t, p in pdf if t in lo_titles]
    assert len(common) >= 10, (len(common), pdf[:5], lo[:5])
    lo_pages = _match([t for t, _p in common], lo)
    wrong = [(t[:20], p, q) for (t, p), q in zip(common, lo_pages) if p != q]
    assert not wrong, wrong[:10]
    entries = toc_entries(d["docx"])
    if entries:
        pdf_foot = footers(d["pdf"])
        pdf_pages = _match([t for t, _n, _l in entries], pdf)
        assert [n for _t, n, _l in entries] == [pdf_foot[p] for p in pdf_pages]
