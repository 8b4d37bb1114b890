"""Characters that no installed font can draw: the PDF would print an empty box (tofu) for them.

WeasyPrint draws text with Pango, which falls back over every font fontconfig knows; a character
none of them covers — typically a rare CJK character of Extension B such as 𠀀, in a person's or
place name — comes out as a box. `missing_glyph_findings` names each field holding such characters
so the author can install a font or choose another character. The question is asked of fontconfig
(as `fc-list ':charset=20000'` would) through a small cffi binding; where fontconfig cannot be
loaded the check is skipped (returns no findings), never an error.
"""
from __future__ import annotations

import functools
import unicodedata

_CDEF = """
typedef int FcBool;
typedef unsigned int FcChar32;
typedef struct _FcPattern FcPattern;
typedef struct _FcCharSet FcCharSet;
typedef struct _FcObjectSet FcObjectSet;
typedef struct _FcConfig FcConfig;
typedef struct { int nfont; int sfont; FcPattern **fonts; } FcFontSet;
typedef enum { FcResultMatch, FcResultNoMatch, FcResultTypeMismatch, FcResultNoId,
               FcResultOutOfMemory } FcResult;
FcBool FcInit(void);
FcPattern *FcPatternCreate(void);
void FcPatternDestroy(FcPattern *p);
FcObjectSet *FcObjectSetCreate(void);
FcBool FcObjectSetAdd(FcObjectSet *os, const char *object);
void FcObjectSetDestroy(FcObjectSet *os);
FcFontSet *FcFontList(FcConfig *config, FcPattern *p, FcObjectSet *os);
FcResult FcPatternGetCharSet(FcPattern *p, const char *object, int n, FcCharSet **c);
FcBool FcCharSetHasChar(const FcCharSet *fcs, FcChar32 ucs4);
"""
_NAMES = ("libfontconfig.so.1", "fontconfig-1", "fontconfig", "libfontconfig", "libfontconfig-1.dll",
          "libfontconfig.1.dylib", "libfontconfig-1.dylib")
_NOT_DRAWN = {"Cc", "Cf", "Zl", "Zp", "Zs", "Cs"}    # controls, format (bidi, ZWJ), spaces
MAX_FINDINGS = 20


class _Fonts:
    def __init__(self):
        import cffi
        ffi = cffi.FFI()
        ffi.cdef(_CDEF)
        lib = None
        for name in _NAMES:
            try:
                lib = ffi.dlopen(name)
                break
            except OSError:
                continue
        if lib is None:
            raise OSError("fontconfig not found")
        lib.FcInit()
        pattern, objects = lib.FcPatternCreate(), lib.FcObjectSetCreate()
        lib.FcObjectSetAdd(objects, b"charset")
        self._set = lib.FcFontList(ffi.NULL, pattern, objects)   # kept for the process: owns the charsets
        lib.FcPatternDestroy(pattern)
        lib.FcObjectSetDestroy(objects)
        self._charsets = []
        out = ffi.new("FcCharSet **")
        for i in range(self._set.nfont if self._set != ffi.NULL else 0):
            if lib.FcPatternGetCharSet(self._set.fonts[i], b"charset", 0, out) == lib.FcResultMatch:
                self._charsets.append(out[0])
        self._lib = lib

    @functools.lru_cache(maxsize=65536)
    def has(self, ch: str) -> bool:
        cp = ord(ch)
        for i, cs in enumerate(self._charsets):
            if self._lib.FcCharSetHasChar(cs, cp):
                if i:   # most text comes from a few fonts: keep the last one that answered first
                    self._charsets.insert(0, self._charsets.pop(i))
                return True
        return False


@functools.lru_cache(maxsize=1)
def _fonts() -> _Fonts | None:
    try:
        fonts = _Fonts()
    except Exception:  # noqa: BLE001 - no fontconfig, no cffi: cannot know, so say nothing
        return None
    return fonts if fonts._charsets else None


def _drawn(ch: str) -> bool:
    if ch.isascii():
        return ch.isprintable() and ch != " "
    if 0xFE00 <= ord(ch) <= 0xFE0F or 0xE0100 <= ord(ch) <= 0xE01EF:   # variation selectors
        return False
    return unicodedata.category(ch) not in _NOT_DRAWN


def missing(text: str) -> list[str]:
    """The distinct characters of `text` (in order) that no installed font covers; [] if unknown."""
    fonts = _fonts()
    if fonts is None:
        return []
    out: list[str] = []
    for ch in dict.fromkeys(text):
        if not ch.isascii() and _drawn(ch) and not fonts.has(ch) and ch not in out:
            out.append(ch)
    return out


def missing_glyph_findings(loaded) -> list:
    """Warnings (rule render.missing-glyph) for the fields whose text the PDF cannot draw."""
    from ..check import rules as check
    src = loaded.source
    if src is None or _fonts() is None:
        return []
    findings: list = []

    def walk(value, path):
        if len(findings) >= MAX_FINDINGS:
            return
        if isinstance(value, str):
            chars = missing(value)
            if chars:
                shown = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in chars[:5]) + ("等" if len(chars) > 5 else "")
                where = ".".join(str(x) for x in path)
                line, col = src.where(path)
                findings.append(check.Finding(
                    check.WARNING, "render.missing-glyph",
                    f"{where}：字符{shown}在本机已安装的字体中都没有字形，PDF 中将显示为空框；"
                    f"请安装含该字的字体（如 花园明朝 HanaMinB、SimSun-ExtB），或改用常用字", loaded.path, line, col))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, path + (i,))
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str):
                    walk(k, path + (k,))      # a key's text is printed too (indicator names, 名词)
                walk(v, path + (k,))

    walk(src.data, ())
    return findings
