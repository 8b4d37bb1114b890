"""A PDF laid out section by section and joined (issue 17), on WeasyPrint's public API only.

Every `<section>` of the markup starts a page, so each one is an independent WeasyPrint document
(`HTML(...).render()`, `Page.anchors`, `Page.bookmarks`, `write_pdf`): laid out in a pool of
processes, kept in the cache under the hash of what it depends on (its markup, the style sheets,
the assets, the fonts of this machine, the WeasyPrint version), so that a revision lays out again
only the sections whose markup changed. A section longer than `CUT` characters is cut at its own
forced page breaks, and a table too long to hold at once (`ROWS` characters of rows) is split at row
boundaries with its header repeated.

The sections are laid out without their page margin boxes (page numbers, the draft mark). What
depends on the whole document is laid out last, in one light document (the frame): the sections
whose links point elsewhere (the contents) with their markup, every other section as a skeleton,
one empty page per laid-out page, carrying that page's anchors. WeasyPrint numbers the frame's
pages with the style's own @page rules, so the margin boxes and every target-counter() of the
contents come out as in a whole-document layout. The join (pikepdf) draws each section page over its
frame page, writes the named destinations, the outline (from the pages' bookmarks), the page labels
(the printed numbers), and embeds one subset per font for the whole file (HarfBuzz, glyph ids kept).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass

VERSION = 2
CUT = 24_000            # characters: a longer section is cut at its forced page breaks
ROWS = 400_000          # characters of table rows laid out at once (a longer table is split)
_SECTION = re.compile(r"<section\b[^>]*>.*?</section>", re.S)
_ID = re.compile(r"""\sid\s*=\s*["']([^"']*)["']""")
_HREF = re.compile(r"""\bhref\s*=\s*["']#([^"']+)["']""")
_BREAK = '<div class="page-break"></div>'
_BOXES = [f"{v}-{h}" for v in ("top", "bottom") for h in ("left-corner", "left", "center", "right", "right-corner")] + [
    f"{s}-{p}" for s in ("left", "right") for p in ("top", "middle", "bottom")]
# a section page: its content only (the frame page under it has the margin boxes and backgrounds)
BARE_CSS = ("@page { background: none !important; border: none !important; %s }\n"
            "html, body { background: none !important; }" % " ".join(f"@{b} {{ content: none !important; }}" for b in _BOXES))
MARK = "disclosure-gen-"  # anchors and bookmarks of the frame's own markers
_PAGE_MARK = re.compile(re.escape(MARK) + r"p(\d+)-(\d+)$")


class Mismatch(ValueError):
    """The frame did not come out page for page like the sections (the document is laid out whole)."""


@dataclass
class Piece:
    sections: list[str]     # <section>s (or pieces of one), each starting with the anchor `starts[i]`
    late: bool = False      # laid out in the frame (links to other sections)
    cut: bool = False       # a piece of a long section (never grouped with others)

    @property
    def markup(self) -> str:
        return "\n".join(self.sections)


GROUP = 12_000          # characters: short sections are laid out together up to this much


def plan(html: str) -> tuple[str, str, list[Piece]] | None:
    """(head, tail, pieces) or None when the markup is not a run of sections (laid out whole)."""
    found = list(_SECTION.finditer(html))
    if len(found) < 2 or any(html[a.end():b.start()].strip() for a, b in zip(found, found[1:])):
        return None
    secs = [m.group(0) for m in found]
    if any(s.count("<section") != 1 for s in secs):
        return None
    ids = [set(_ID.findall(s)) for s in secs]
    everywhere = set().union(*ids)
    pieces: list[Piece] = []
    for s, own in zip(secs, ids):
        if any(h in everywhere and h not in own for h in _HREF.findall(s)):
            pieces.append(Piece([s], late=True))
            continue
        cut = _cut(s)
        last = pieces[-1] if pieces and not pieces[-1].late and not pieces[-1].cut else None
        if len(cut) == 1 and last is not None and len(last.markup) + len(s) <= GROUP:
            last.sections.append(s)             # short whole sections together
        else:
            pieces += [Piece([part], cut=len(cut) > 1) for part in cut]
    n = 0
    for pc in pieces:               # every section's first page is known by an anchor on it
        for j, sec in enumerate(pc.sections):
            if not _ID.search(sec[:sec.index(">") + 1]):
                sec = f'<section id="{MARK}s{n}"' + sec[len("<section"):]
                n += 1
            pc.sections[j] = sec
    return html[:found[0].start()], html[found[-1].end():], pieces


def _start(section: str) -> str:
    return _ID.search(section[:section.index(">") + 1]).group(1)


def _opening(section: str) -> str:
    """The section's opening tag without its id (the copy that starts a continuation piece)."""
    return re.sub(r"""\s+id\s*=\s*(?:"[^"]*"|'[^']*')""", "", section[:section.index(">") + 1])


def _cut(s: str) -> list[str]:
    """A long section in pieces: at forced page breaks that are its direct children, then rows."""
    if len(s) <= CUT:
        return [s]
    bounds, depth = [], 0
    for m in re.finditer(r"<div\b|</div>", s):
        if m.group(0) == "</div>":
            depth -= 1
            continue
        if depth == 0 and s.startswith(_BREAK, m.start()):
            bounds.append(m.start())
        depth += 1
    opening, body_end = _opening(s), len(s) - len("</section>")
    pieces, start, first = [], s.index(">") + 1, True
    for b in [*bounds, body_end]:
        if b - start < CUT / 2 and b != body_end:
            continue                                # pieces of about CUT/2…CUT characters
        inner = s[start:b]
        pieces += _rows(((s[:s.index(">") + 1]) if first else opening) + inner + "</section>")
        start, first = b + len(_BREAK), False
        if b == body_end:
            break
    return pieces


def _rows(piece: str) -> list[str]:
    """A piece whose table is too long to hold: its rows in runs, each run a table of its own under
    a copy of the header (thead, colgroup), each on new pages."""
    body = max(re.finditer(r"<tbody\b[^>]*>(.*?)</tbody>", piece, re.S), key=lambda m: len(m.group(1)), default=None)
    if body is None or len(body.group(1)) <= ROWS:
        return [piece]
    table_at = piece.rfind("<table", 0, body.start())
    head = re.sub(r"""\s+id\s*=\s*(?:"[^"]*"|'[^']*')""", "", piece[table_at:body.start(1)])
    rows = re.findall(r"<tr\b.*?</tr>", body.group(1), re.S)
    runs, run, size = [], [], 0
    for r in rows:
        if size + len(r) > ROWS and run:
            runs.append(run)
            run, size = [], 0
        run.append(r)
        size += len(r)
    runs.append(run)
    out = [piece[:body.start(1)] + "".join(runs[0]) + piece[body.end(1):]]
    opening = _opening(piece)
    for run in runs[1:]:
        out.append(opening + head + "".join(run) + "</tbody></table></section>")
    return out


# ---- laying out (in a pool process or here) ---------------------------------------------------------
_PREPARED: dict = {}


def _sheets(css: tuple[str, ...], assets: dict):
    """Style sheets parsed once per process and style (CSS objects and font configuration reused)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from .pdf import ASSET_BASE, make_url_fetcher
    k = hashlib.sha256(repr((css, sorted(assets))).encode("utf-8", "surrogatepass")).digest()
    if k not in _PREPARED:
        _PREPARED.clear()
        fetcher, fonts = make_url_fetcher(assets), FontConfiguration()
        _PREPARED[k] = (fetcher, fonts, [CSS(string=t, base_url=ASSET_BASE, url_fetcher=fetcher, font_config=fonts)
                                         for t in css])
    return _PREPARED[k]


def lay_out(markup: str, css: tuple[str, ...], assets: dict, meta: dict | None = None,
            variant: str | None = None) -> tuple[bytes, list]:
    """(PDF bytes, per page (width, height, anchors, bookmarks)) of one document."""
    from weasyprint import HTML

    from .pdf import ASSET_BASE
    _t = time.process_time()
    fetcher, fonts, sheets = _sheets(css, assets)
    doc = HTML(string=markup, base_url=ASSET_BASE, url_fetcher=fetcher).render(font_config=fonts, stylesheets=sheets)
    for k, v in (meta or {}).items():
        if not getattr(doc.metadata, k, None):     # what the markup's <meta> gives wins
            setattr(doc.metadata, k, v)
    pages, seen = [], set()
    for p in doc.pages:             # an anchor is on the page where its box starts (a box split
        anchors = sorted(set(p.anchors) - seen)     # across pages is listed on each of them)
        seen.update(anchors)
        pages.append((p.width, p.height, anchors, [list(b) for b in p.bookmarks]))
    data = doc.write_pdf(pdf_identifier=b"0" * 32, pdf_variant=variant)
    if os.environ.get("DISCLOSURE_GEN_PDF_DEBUG"):
        print(f"laid out {len(markup)} chars, {len(pages)} pages in {time.process_time() - _t:.2f} s", file=sys.stderr)
    return data, json.loads(json.dumps(pages))         # plain lists, as read back from the cache


def _key(*parts) -> str:
    from .. import cache
    import weasyprint
    return cache.key("section", VERSION, weasyprint.__version__, fonts_here(), *parts)


def _cached(k: str):
    from .. import cache
    raw = cache.get("sections", k)
    if raw is None:
        return None
    try:
        n = int.from_bytes(raw[:8], "little")
        return raw[8 + n:], json.loads(raw[8:8 + n])
    except (ValueError, UnicodeDecodeError):
        return None


def _keep(k: str, result) -> None:
    from .. import cache
    head = json.dumps(result[1]).encode()
    cache.put("sections", k, len(head).to_bytes(8, "little") + head + result[0])
    cache.prune("sections", 2000)


# ---- the whole -------------------------------------------------------------------------------------
def render(html: str, assets: dict, css: list[str], meta: dict, pool=None, progress=None) -> bytes | None:
    """The joined PDF, or None when the markup is not a run of sections."""
    p = plan(html)
    if p is None:
        return None
    head, tail, pieces = p
    css_t, bare = tuple(css), (*css, BARE_CSS)
    assets_h = sorted((n, hashlib.sha256(b).hexdigest()) for n, b in assets.items())
    body = [i for i, pc in enumerate(pieces) if not pc.late]
    keys = {i: _key(head, pieces[i].markup, tail, bare, assets_h) for i in body}
    done = {i: r for i in body if (r := _cached(keys[i])) is not None}
    todo = [i for i in body if i not in done]
    tick = progress or (lambda n, total: None)
    tick(len(done), len(body) + 1)
    if pool is not None and len(todo) > 1:
        # longest first: the pool's last task is a short one
        from .pdfpool import lay_out as task
        futures = {pool.submit(task, head + pieces[i].markup + tail, bare, assets): i
                   for i in sorted(todo, key=lambda i: -len(pieces[i].markup))}
        from concurrent.futures import as_completed
        for f in as_completed(futures):
            done[futures[f]] = f.result()
            _keep(keys[futures[f]], done[futures[f]])
            tick(len(done), len(body) + 1)
    else:
        for i in todo:
            done[i] = lay_out(head + pieces[i].markup + tail, bare, assets)
            _keep(keys[i], done[i])
            tick(len(done), len(body) + 1)
    frame = [_with_marker(pc, i) if pc.late else _skeleton(pc, done[i][1], i) for i, pc in enumerate(pieces)]
    # the frame depends on the pages' count and anchors, not on what they show: after a revision
    # that moves no page it comes from the cache too
    frame_doc = (head + "\n".join(frame) + tail, css_t, assets, meta)
    k = _key("frame", frame_doc[0], css_t, assets_h, sorted(meta.items()))
    got = _cached(k)
    if got is None:
        if pool is not None:
            from .pdfpool import lay_out as task
            got = pool.submit(task, *frame_doc).result()
        else:
            got = lay_out(*frame_doc)
        _keep(k, got)
    frame_pdf, frame_pages = got
    tick(len(body) + 1, len(body) + 1)
    return join(pieces, done, frame_pdf, frame_pages)


def _skeleton(piece: Piece, pages: list, index: int) -> str:
    """One empty page per laid-out page, in a copy of its section's opening tag (so the same @page
    rules apply), with that page's anchors on it."""
    starts = [_start(sec) for sec in piece.sections]
    out, n = [], 0
    for j, sec in enumerate(piece.sections):
        nxt = starts[j + 1] if j + 1 < len(starts) else None
        out.append(_opening(sec))
        first = True
        while n < len(pages) and (first or nxt not in pages[n][2]):
            if not first:
                out.append('<div style="break-before: page"></div>')
            out.append(_marker(index, n))
            out += [f'<a id="{_attr(a)}"></a>' for a in pages[n][2]]
            first, n = False, n + 1
        out.append("</section>")
    return "\n".join(out)


def _marker(index: int, n: int) -> str:
    """An anchor that names its frame page (piece, page) and gives its page counter as a bookmark;
    absolutely positioned, so it changes no layout."""
    m = f"{MARK}p{index}-{n}"
    return (f'<span id="{m}" style="position: absolute; top: 0; left: 0; bookmark-level: 1; '
            f'bookmark-label: \'{MARK}\' target-counter(\'#{m}\', page)"></span>')


def _with_marker(piece: Piece, index: int) -> str:
    s = piece.markup
    at = s.index(">") + 1
    return s[:at] + _marker(index, 0) + s[at:]


def _attr(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def join(pieces: list[Piece], done: dict, frame_pdf: bytes, frame_pages: list) -> bytes:
    import pikepdf
    out = pikepdf.Pdf.open(io.BytesIO(frame_pdf))
    names, marks, bookmarks = {}, [], []
    frame_dests = _dests(out)
    owners, cur = [], None
    for page in frame_pages:
        cur = next(((int(m.group(1)), int(m.group(2))) for a in page[2] if (m := _PAGE_MARK.match(a))),
                   (cur[0], cur[1] + 1) if cur else (0, 0))
        owners.append(cur)
    sources = {}
    for at, (i, k) in enumerate(owners):
        fw, fh, fanchors, fbms = frame_pages[at]
        marks.append(next((int(b[1][len(MARK):]) for b in fbms if b[1].startswith(MARK)), None))
        if pieces[i].late:
            for a in fanchors:
                names.setdefault(a, frame_dests.get(a))
            bookmarks.append((fh, [b for b in fbms if not b[1].startswith(MARK)]))
            continue
        if i not in sources:
            sources = {i: (pikepdf.Pdf.open(io.BytesIO(done[i][0])), None)}
            sources[i] = (sources[i][0], _dests(sources[i][0]))
        src, dests = sources[i]
        w, h, anchors, bms = done[i][1][k]
        if (round(fw, 2), round(fh, 2)) != (round(w, 2), round(h, 2)):
            raise Mismatch("the frame's page sizes differ from the section's")
        target = out.pages[at]
        # the section page drawn over its frame page (same size), under a fixed resource name
        form = out.copy_foreign(src.pages[k].as_form_xobject())
        name = f"/DisclosureGenSection{at}"            # (WeasyPrint's pages share one /Resources)
        target.add_resource(form, pikepdf.Name.XObject, name=pikepdf.Name(name))
        target.contents_add(pikepdf.Stream(out, b"q\n"), prepend=True)
        target.contents_add(pikepdf.Stream(out, b"\nQ q %s Do Q\n" % name.encode()))
        annots = src.pages[k].obj.get("/Annots")
        if annots is not None:
            target.obj.Annots = out.copy_foreign(annots)
        for a in anchors:
            d = dests.get(a)
            if d is not None:
                names.setdefault(a, pikepdf.Array([target.obj, *list(d)[1:]]))
        bookmarks.append((h, bms))
    if sum(not pieces[i].late for i, _k in owners) != sum(len(done[i][1]) for i in done):
        raise Mismatch("the frame has pages no section accounts for")
    _names(out, names)
    _outline(out, bookmarks)
    _labels(out, marks)
    from . import pdffonts
    pdffonts.one_subset_per_font(out)
    buf = io.BytesIO()
    out.save(buf, deterministic_id=True)
    return buf.getvalue()


def _dests(pdf) -> dict:
    import pikepdf
    try:
        arr = pdf.Root.Names.Dests.Names
    except (AttributeError, KeyError):
        return {}
    return {str(arr[i]): arr[i + 1] for i in range(0, len(arr) - 1, 2) if isinstance(arr[i + 1], pikepdf.Array)}


def _names(pdf, names: dict) -> None:
    import pikepdf
    arr = pikepdf.Array()
    for name in sorted(n for n, d in names.items() if d is not None and not n.startswith(MARK)):
        arr.append(pikepdf.String(name))
        arr.append(names[name])
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pikepdf.Dictionary()
    pdf.Root.Names.Dests = pdf.make_indirect(pikepdf.Dictionary(Names=arr))


def _outline(pdf, pages: list) -> None:
    """The outline from the pages' bookmarks (level, label, (x, y), state), nested as WeasyPrint does."""
    import pikepdf
    root, stack, skipped, previous = [], None, [], 0
    stack = [root]
    for number, (height, bookmarks) in enumerate(pages):
        for level, label, (x, y), state in bookmarks:
            if level > previous:
                skipped.append(level - previous - 1)
            else:
                temp = level
                while temp < previous:
                    temp += 1 + skipped.pop()
                if temp > previous:
                    skipped.append(temp - previous - 1)
            previous = level
            depth = level - sum(skipped)
            children = []
            stack[depth - 1].append((label, number, x * 0.75, (height - y) * 0.75, children, state))
            del stack[depth:]
            stack.append(children)
    if "/Outlines" in pdf.Root:
        del pdf.Root["/Outlines"]
    if not root:
        return

    def add(items, parent):
        made, count = [], len(items)
        for label, page, x, y, children, state in items:
            o = pdf.make_indirect(pikepdf.Dictionary(
                Title=pikepdf.String(label), Parent=parent,
                Dest=pikepdf.Array([pdf.pages[page].obj, pikepdf.Name.XYZ, x, y, 0])))
            kids, n = add(children, o)
            o.Count = -n if state == "closed" else n
            count += 0 if state == "closed" else n
            if kids:
                o.First, o.Last = kids[0], kids[-1]
            if made:
                o.Prev, made[-1].Next = made[-1], o
            made.append(o)
        return made, count

    top = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
    made, count = add(root, top)
    top.First, top.Last, top.Count = made[0], made[-1], count
    pdf.Root.Outlines = top


def _labels(pdf, marks: list) -> None:
    """Page labels = the printed page numbers; pages before the first numbered one (cover, contents)
    as roman numerals. A page without a marker (a contents page) continues its predecessor."""
    import pikepdf
    values, last = [], None
    for m in marks:
        last = m if m is not None else last
        values.append(last)
    nums, previous = pikepdf.Array(), None
    for n, v in enumerate(values):
        numbered = v is not None and v > 0 and (n == 0 or values[n - 1] is None or v == values[n - 1] + 1)
        if numbered and previous is not None and previous[0] == "D" and v == previous[1] + 1:
            previous = ("D", v)
            continue
        if not numbered and previous is not None and previous[0] == "r":
            continue
        previous = ("D", v) if numbered else ("r", 0)
        nums.append(n)
        nums.append(pikepdf.Dictionary(S=pikepdf.Name.D, St=v) if numbered else pikepdf.Dictionary(S=pikepdf.Name.r))
    pdf.Root.PageLabels = pikepdf.Dictionary(Nums=nums)


_FONTS_HERE = None


def fonts_here() -> str:
    """The font files of this machine (fontconfig), as a key part: new fonts make new layouts."""
    global _FONTS_HERE
    if _FONTS_HERE is None:
        from . import pdffonts
        _FONTS_HERE = hashlib.sha256(repr(sorted(pdffonts.system_fonts().items())).encode()).hexdigest()
    return _FONTS_HERE


class Progress:
    """`sections done / total` on stderr (a terminal) once a render has taken more than a few seconds."""

    def __init__(self, after: float = 3.0, stream=None):
        self.t0, self.after, self.stream = time.perf_counter(), after, stream or sys.stderr
        self.shown = False

    def __call__(self, n: int, total: int) -> None:
        if not getattr(self.stream, "isatty", lambda: False)() or time.perf_counter() - self.t0 < self.after:
            return
        self.shown = True
        self.stream.write(f"\r排版 PDF：{n}/{total} 节  {time.perf_counter() - self.t0:5.1f} 秒")
        self.stream.flush()
        if n == total:
            self.stream.write("\n")
