"""One embedded subset per font in a PDF joined from WeasyPrint files (issue 17).

WeasyPrint cuts its subsets with the glyph ids kept, so every part's text refers to the glyph ids of
the font file on this machine. The join cuts that file once (HarfBuzz) to the glyphs all parts use,
merges their widths and Unicode maps, and points every page at the one font. A font the parts
embedded that fontconfig does not list (by the PostScript name in the embedded program) is left
as the parts embedded it. The pixel test of tests/test_sections.py fails if glyph ids stop agreeing.
"""
from __future__ import annotations

import hashlib
import io
import os
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
        for name, index, path in (ln.split("|", 2) for ln in sorted(text.splitlines()) if ln.count("|") >= 2):
            if name and index.isdigit():
                _SYSTEM.setdefault(name, (path, int(index)))
    return _SYSTEM


def _fonts_in(resources, seen: set):
    """Every (font resource dictionary, name) under these resources, forms included."""
    if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
        return
    seen.add(resources.objgen)
    fonts = resources.get("/Font")
    yield from ((fonts, name) for name in (fonts.keys() if fonts is not None else ()))
    for xobj in (resources.get("/XObject") or {}).values():
        if xobj.get("/Subtype") == "/Form":
            yield from _fonts_in(xobj.get("/Resources"), seen)


def _widths(w) -> dict[int, float]:
    import pikepdf
    out, items, i = {}, list(w), 0
    while i < len(items):
        if isinstance(items[i + 1], pikepdf.Array):
            out.update({int(items[i]) + n: float(v) for n, v in enumerate(items[i + 1])})
            i += 2
        else:
            out.update({g: float(items[i + 2]) for g in range(int(items[i]), int(items[i + 1]) + 1)})
            i += 3
    return out


def _program(font):
    cid = font.DescendantFonts[0]
    return ("/FontFile3" if cid.Subtype == "/CIDFontType0" else "/FontFile2"), cid.FontDescriptor


def _postscript_name(font) -> str | None:
    """The PostScript name in the embedded font program (a subset keeps its name table)."""
    from fontTools.ttLib import TTFont
    if "/DisclosureGenFont" in font:
        return str(font.DisclosureGenFont)
    try:
        key, d = _program(font)
        return str(TTFont(io.BytesIO(d[key].read_bytes()), lazy=True)["name"].getDebugName(6) or "") or None
    except Exception:       # noqa: BLE001 - not a font we can read: left as it is
        return None


def detach(pdf) -> None:
    """Drop from a part the programs of the fonts this machine has (the join embeds them once), so
    that the joined file is never built holding every part's subsets; their names stay on the fonts."""
    import pikepdf
    for page in pdf.pages:
        for holder, name in _fonts_in(page.obj.get("/Resources"), set()):
            font = holder[name]
            if font.get("/Subtype") == "/Type0" and "/DescendantFonts" in font and "/DisclosureGenFont" not in font:
                base = _postscript_name(font)
                if base in system_fonts():
                    font.DisclosureGenFont = pikepdf.String(base)
                    del _program(font)[1][_program(font)[0]]


def subset(path: str, index: int, glyphs) -> bytes:
    """The font cut to `glyphs` (glyph ids kept); cached by the font file and the glyph set, which a
    revision seldom changes."""
    from .. import cache
    try:
        st = os.stat(path)
    except OSError:
        return _subset(path, index, glyphs)
    k = cache.key("subset", path, index, st.st_size, st.st_mtime_ns, sorted(glyphs))
    data = cache.get("fonts", k)
    if data is None:
        data = _subset(path, index, glyphs)
        cache.put("fonts", k, data)
        cache.prune("fonts", 50)
    return data


def _subset(path: str, index: int, glyphs) -> bytes:
    import uharfbuzz as hb
    inp = hb.SubsetInput()
    for g in sorted(glyphs):
        inp.glyph_set.add(g)
    inp.flags = (hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
                 | hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_HINTING)
    for tag in DROP:
        inp.sets(hb.SubsetInputSets.DROP_TABLE_TAG).add(int.from_bytes(tag.encode("ascii"), "big"))
    return hb.subset(hb.Face(hb.Blob.from_file_path(path), index), inp).blob.data


def one_subset_per_font(pdf) -> None:
    import pikepdf
    groups: dict[str, list] = {}
    seen, names = set(), {}
    for page in pdf.pages:
        for holder, name in _fonts_in(page.obj.get("/Resources"), seen):
            font = holder[name]
            if font.get("/Subtype") == "/Type0" and "/DescendantFonts" in font:
                if font.objgen not in names:
                    names[font.objgen] = _postscript_name(font)
                if names[font.objgen]:
                    groups.setdefault(names[font.objgen], []).append((holder, name))
    for base, uses in sorted(groups.items()):
        fonts = list({holder[name].objgen: holder[name] for holder, name in uses}.values())
        if base not in system_fonts() or (len(fonts) < 2 and "/DisclosureGenFont" not in fonts[0]):
            continue
        widths, to_unicode = {}, {}
        for f in fonts:
            widths.update(_widths(f.DescendantFonts[0].get("/W", [])))
            text = f.ToUnicode.read_bytes().decode("latin-1") if "/ToUnicode" in f else ""
            for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
                for g, u in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
                    to_unicode.setdefault(int(g, 16), u)
        first, (key, descriptor) = fonts[0], _program(fonts[0])
        data = subset(*system_fonts()[base], set(widths) | {0})
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(repr(sorted(widths)).encode()).digest()[:6])
        name = pikepdf.Name("/%s+%s" % (tag, str(first.BaseFont)[1:].split("+", 1)[-1]))
        stream = pikepdf.Stream(pdf, data)
        stream[("/Subtype" if key == "/FontFile3" else "/Length1")] = (
            pikepdf.Name.OpenType if key == "/FontFile3" else len(data))
        desc = pdf.make_indirect(pikepdf.Dictionary({k: v for k, v in descriptor.items() if k != "/CIDSet"}))
        desc[key], desc.FontName = pdf.make_indirect(stream), name
        desc.FontBBox = pikepdf.Array([*list(descriptor.FontBBox)[:2], max(
            float(_program(f)[1].FontBBox[2]) for f in fonts), descriptor.FontBBox[3]])
        w, run = pikepdf.Array(), None
        for g in sorted(widths):
            if g - 1 not in widths:
                run = pikepdf.Array()
                w.extend([g, run])
            run.append(widths[g])
        cid = pdf.make_indirect(pikepdf.Dictionary(dict(first.DescendantFonts[0].items())))
        cid.W, cid.FontDescriptor, cid.BaseFont = w, desc, name
        items = sorted(to_unicode.items())
        cmap = ["/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n<< /Registry (Adobe)"
                "\n/Ordering (UCS)\n/Supplement 0\n>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def"
                "\n1 begincodespacerange\n<0000> <ffff>\nendcodespacerange"]
        for i in range(0, len(items), 100):
            cmap += [f"{len(items[i:i + 100])} beginbfchar", *(f"<{g:04x}> <{u}>" for g, u in items[i:i + 100]),
                     "endbfchar"]
        cmap.append("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
        new = pdf.make_indirect(pikepdf.Dictionary(dict(first.items())))
        new.BaseFont, new.DescendantFonts = name, pikepdf.Array([cid])
        if "/DisclosureGenFont" in new:
            del new["/DisclosureGenFont"]
        new.ToUnicode = pdf.make_indirect(pikepdf.Stream(pdf, "\n".join(cmap).encode("latin-1")))
        for holder, fname in uses:
            holder[fname] = new
