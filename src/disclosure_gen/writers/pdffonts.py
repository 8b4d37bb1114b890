"""One embedded subset per font for a PDF joined from several WeasyPrint files (issue 17).

Each part embeds its own subset of a font, cut with the glyph ids kept (WeasyPrint's subsets keep
them), so the parts' text all refers to the glyph ids of the font file on this machine. The join
cuts that file once (HarfBuzz) to the union of the glyphs the parts use, merges their widths and
Unicode maps, and points every page at the one font. A font not found among this machine's fonts
(fontconfig) is left as the parts embedded it.
"""
from __future__ import annotations

import hashlib
import io
import re
import subprocess

_SYSTEM: dict | None = None
DROP = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ")


def system_fonts() -> dict[str, tuple[str, int]]:
    """PostScript name → (file, index in the collection), from fontconfig."""
    global _SYSTEM
    if _SYSTEM is None:
        try:
            text = subprocess.run(["fc-list", "--format", "%{postscriptname}|%{index}|%{file}\\n"],
                                  capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            text = ""
        _SYSTEM = {}
        for line in sorted(text.splitlines()):
            name, _, rest = line.partition("|")
            index, _, path = rest.partition("|")
            if name and path and index.isdigit():
                _SYSTEM.setdefault(name, (path, int(index)))
    return _SYSTEM


def _fonts_in(resources, seen: set):
    """Every (font dictionary holder, name) under these resources, forms included."""
    if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
        return
    seen.add(resources.objgen)
    fonts = resources.get("/Font")
    if fonts is not None:
        for name in list(fonts.keys()):
            yield fonts, name
    for xobj in (resources.get("/XObject") or {}).values():
        if xobj.get("/Subtype") == "/Form":
            yield from _fonts_in(xobj.get("/Resources"), seen)


def _widths(w) -> dict[int, float]:
    import pikepdf
    out, items, i = {}, list(w), 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            for n, v in enumerate(items[i + 1]):
                out[first + n] = float(v)
            i += 2
        else:
            for g in range(first, int(items[i + 1]) + 1):
                out[g] = float(items[i + 2])
            i += 3
    return out


def _unicode(stream) -> dict[int, str]:
    text = stream.read_bytes().decode("latin-1")
    out = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for g, u in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            out.setdefault(int(g, 16), u)
    return out


def _cmap(to_unicode: dict[int, str]) -> bytes:
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo", "<< /Registry (Adobe)", "/Ordering (UCS)", "/Supplement 0", ">> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def", "1 begincodespacerange",
             "<0000> <ffff>", "endcodespacerange"]
    items = sorted(to_unicode.items())
    for i in range(0, len(items), 100):
        lines.append(f"{len(items[i:i + 100])} beginbfchar")
        lines += [f"<{g:04x}> <{u}>" for g, u in items[i:i + 100]]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("latin-1")


def subset(path: str, index: int, glyphs) -> bytes:
    import uharfbuzz as hb
    face = hb.Face(hb.Blob.from_file_path(path), index)
    inp = hb.SubsetInput()
    for g in sorted(glyphs):
        inp.glyph_set.add(g)
    inp.flags = (hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
                 | hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_HINTING)
    drop = inp.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in DROP:
        drop.add(int.from_bytes(tag.encode("ascii"), "big"))
    return hb.subset(face, inp).blob.data


def _postscript_name(font) -> str | None:
    """The PostScript name in the embedded font program (a subset keeps its name table)."""
    from fontTools.ttLib import TTFont
    try:
        d = font.DescendantFonts[0].FontDescriptor
        data = (d.get("/FontFile3") or d.get("/FontFile2")).read_bytes()
        return str(TTFont(io.BytesIO(data), lazy=True)["name"].getDebugName(6) or "") or None
    except Exception:       # noqa: BLE001 - not a font we can read: left as it is
        return None


def one_subset_per_font(pdf) -> None:
    import pikepdf
    groups: dict[str, list] = {}
    seen: set = set()
    names: dict = {}
    for page in pdf.pages:
        for holder, name in _fonts_in(page.obj.get("/Resources"), seen):
            font = holder[name]
            if font.get("/Subtype") == "/Type0" and "/DescendantFonts" in font:
                base = names.get(font.objgen) or names.setdefault(font.objgen, _postscript_name(font))
                if base:
                    groups.setdefault(base, []).append((holder, name))
    found = system_fonts()
    for base, uses in sorted(groups.items()):
        fonts = list({holder[name].objgen: holder[name] for holder, name in uses}.values())
        if base not in found or len(fonts) < 2:
            continue
        widths, to_unicode = {}, {}
        for f in fonts:
            widths.update(_widths(f.DescendantFonts[0].get("/W", [])))
            if "/ToUnicode" in f:
                for g, u in _unicode(f.ToUnicode).items():
                    to_unicode.setdefault(g, u)
        first = fonts[0]
        cid = first.DescendantFonts[0]
        descriptor = cid.FontDescriptor
        key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
        data = subset(*found[base], set(widths) | {0})
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(repr(sorted(widths)).encode()).digest()[:6])
        name = pikepdf.Name("/%s+%s" % (tag, str(first.BaseFont)[1:].split("+", 1)[-1]))
        stream = pikepdf.Stream(pdf, data)
        if key == "/FontFile3":
            stream.Subtype = pikepdf.Name.OpenType
        else:
            stream.Length1 = len(data)
        new_desc = pdf.make_indirect(pikepdf.Dictionary({k: v for k, v in descriptor.items() if k != "/CIDSet"}))
        new_desc[key] = pdf.make_indirect(stream)
        new_desc.FontName = name
        bbox = [float(x) for x in descriptor.FontBBox]
        bbox[2] = max([bbox[2], *(float(f.DescendantFonts[0].FontDescriptor.FontBBox[2]) for f in fonts)])
        new_desc.FontBBox = pikepdf.Array(bbox)
        w = pikepdf.Array()
        run = None
        for g in sorted(widths):
            if run is None or g - 1 not in widths:
                w.append(g)
                run = pikepdf.Array()
                w.append(run)
            run.append(widths[g])
        new_cid = pdf.make_indirect(pikepdf.Dictionary({k: v for k, v in cid.items()}))
        new_cid.W, new_cid.FontDescriptor, new_cid.BaseFont = w, new_desc, name
        new = pdf.make_indirect(pikepdf.Dictionary({k: v for k, v in first.items()}))
        new.BaseFont, new.DescendantFonts = name, pikepdf.Array([new_cid])
        new.ToUnicode = pdf.make_indirect(pikepdf.Stream(pdf, _cmap(to_unicode)))
        for holder, fname in uses:
            holder[fname] = new
