"""Reading a generated document back as a reader's tools see it (shared by the style tests).

PDF: pdftotext (text per page) and pdfinfo (page sizes); DOCX: the paragraphs of word/document.xml.
"""
from __future__ import annotations

import html
import re
import subprocess
import zipfile
from pathlib import Path


def flat(text: str) -> str:
    """Text without any white space (pdftotext and Word break lines differently)."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: Path, *, layout: bool = False) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, check=True, capture_output=True).stdout.decode()


def pdf_pages(pdf: Path) -> list[str]:
    """Raw text of each page (reading order)."""
    pages = pdf_text(pdf).split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return pages


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], check=True,
                         capture_output=True).stdout.decode()
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)]


def docx_xml(docx: Path) -> str:
    with zipfile.ZipFile(docx) as z:
        return z.read("word/document.xml").decode()


def docx_paragraphs(xml: str) -> list[str]:
    """The text of every paragraph (w:t runs joined, entities still escaped)."""
    paras = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    return ["".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in paras]


def docx_flat(xml: str) -> str:
    return flat(html.unescape("".join(docx_paragraphs(xml))))
