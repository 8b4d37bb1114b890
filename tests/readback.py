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


def _to_unicode(font) -> dict[int, str]:
    """A font's ToUnicode map (bfchar and bfrange entries), code → text."""
    out = {}
    text = font.ToUnicode.read_bytes().decode("latin-1") if "/ToUnicode" in font else ""
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            out[int(code, 16)] = bytes.fromhex(uni).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for a, b, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            first = bytes.fromhex(uni).decode("utf-16-be", "replace")
            for n, code in enumerate(range(int(a, 16), int(b, 16) + 1)):
                out[code] = first[:-1] + chr(ord(first[-1]) + n)
    return out


def _marked_text(pdf, page) -> dict[int, str]:
    """The text each marked-content id of a page's content stream shows (two-byte codes, as
    WeasyPrint writes its fonts)."""
    import pikepdf
    fonts, maps, stack, out, font = page.obj.Resources.get("/Font", {}), {}, [], {}, None
    for ins in pikepdf.parse_content_stream(page):
        if isinstance(ins, pikepdf.ContentStreamInlineImage):
            continue
        op, args = str(ins.operator), ins.operands
        if op == "BDC":
            stack.append(int(args[1].MCID) if isinstance(args[1], pikepdf.Dictionary) and "/MCID" in args[1] else None)
        elif op == "BMC":
            stack.append(None)
        elif op == "EMC" and stack:
            stack.pop()
        elif op == "Tf":
            name = str(args[0])
            if name not in maps:
                maps[name] = _to_unicode(fonts[name]) if name in fonts else {}
            font = maps[name]
        elif op in ("Tj", "TJ", "'", '"') and stack and stack[-1] is not None:
            items = args[-1] if op == "TJ" else [args[-1]]
            raw = b"".join(bytes(s) for s in items if isinstance(s, pikepdf.String))
            out[stack[-1]] = out.get(stack[-1], "") + "".join(
                (font or {}).get(int.from_bytes(raw[i:i + 2], "big"), "") for i in range(0, len(raw) - 1, 2))
    return out


def pdf_structure(path: Path) -> dict:
    """The structure tree of a tagged PDF as a reader (copying, a screen reader) follows it: nodes
    {kind, id, headers, kids}, a kid being a node or the text of one marked-content sequence."""
    import pikepdf
    pdf = pikepdf.Pdf.open(path)
    texts, pages = {}, {p.objgen: p for p in pdf.pages}

    def text(pg, mcid) -> str:
        if pg.objgen not in texts:
            texts[pg.objgen] = _marked_text(pdf, pages[pg.objgen])
        return texts[pg.objgen].get(mcid, "")

    def node(elem, pg) -> dict:
        pg = elem.get("/Pg", pg)
        attrs = elem.get("/A")
        attrs = list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs] if attrs is not None else []
        out = {"kind": str(elem.get("/S", ""))[1:], "id": str(elem.ID) if "/ID" in elem else None,
               "headers": [str(h) for a in attrs if isinstance(a, pikepdf.Dictionary) for h in a.get("/Headers", [])],
               "kids": []}
        k = elem.get("/K")
        for kid in (list(k) if isinstance(k, pikepdf.Array) else [] if k is None else [k]):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                out["kids"].append(node(kid, pg))
            elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
                out["kids"].append(text(kid.get("/Pg", pg), int(kid.MCID)))
            elif not isinstance(kid, pikepdf.Dictionary):
                out["kids"].append(text(pg, int(kid)))
        return out
    root = pdf.Root.get("/StructTreeRoot")
    k = root.get("/K") if root is not None else None
    return {"kind": "", "id": None, "headers": [],
            "kids": [node(e, None) for e in (list(k) if isinstance(k, pikepdf.Array) else [] if k is None else [k])]}
