"""Font subsets kept between renders (speed, issue 6).

WeasyPrint embeds each CJK font as a HarfBuzz subset of the glyphs the document uses. A revision of a
budget mostly changes figures, not the set of characters, so the same subset is cut again and again
from the same 20 MB font file. `install()` wraps WeasyPrint's `Font.subset` with the disk cache of
cache.py, keyed by everything the subset depends on: the font data (length and CRC), its index in
the collection, the glyph ids, the hinting and notdef flags, and the WeasyPrint and HarfBuzz
versions. A hit gives the very bytes the subsetter would return.
"""
from __future__ import annotations

import zlib

KEEP = 200          # newest cached subsets kept (each is a few hundred KB)


def install() -> None:
    from . import fastffi
    fastffi.install()
    try:
        import weasyprint
        from weasyprint.pdf import fonts as wfonts
    except ImportError:     # pragma: no cover
        return
    original = wfonts.Font.subset
    if getattr(original, "_disclosure_gen_cache", False):
        return
    from . import cache

    try:
        from weasyprint.text.ffi import harfbuzz, ffi
        hb = ffi.string(harfbuzz.hb_version_string()).decode()
    except Exception:       # noqa: BLE001 - unknown version: still a valid key part
        hb = "?"
    versions = (weasyprint.__version__, hb)

    def subset(self, to_unicode, hinting):
        if not to_unicode:
            return original(self, to_unicode, hinting)
        try:
            data = self.file_content
            k = cache.key("subset", versions, self.index, len(data), zlib.crc32(data),
                          sorted(to_unicode), bool(hinting), bool(self.missing))
        except Exception:   # noqa: BLE001 - an unexpected font object: no caching
            return original(self, to_unicode, hinting)
        hit = cache.get("fonts", k)
        if hit:
            self.file_content = hit
            return None
        result = original(self, to_unicode, hinting)
        if self.file_content is not data:       # subset made (else WeasyPrint kept the full font)
            cache.put("fonts", k, self.file_content)
            cache.prune("fonts", KEEP)
        return result

    subset._disclosure_gen_cache = True
    wfonts.Font.subset = subset
