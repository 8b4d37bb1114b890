"""A PDF laid out section by section and joined (issue 17), with WeasyPrint's public API only.

Every `<section>` starts a page, so each one (short ones grouped, long ones cut at their forced page
breaks, a huge table split at rows under a copy of its header) is a WeasyPrint document of its own,
laid out without its page margin boxes in a pool of processes and cached under the hash of its
markup, the CSS, the assets, this machine's fonts and the WeasyPrint version. What depends on the
whole is laid out last in one light *frame* document: the sections linking elsewhere (the contents)
as they are, every other one as one empty page per laid-out page carrying that page's anchors, so
that WeasyPrint's own @page rules give the page numbers and target-counter()s. The join (pikepdf)
puts each section page in the place of its frame page, the frame page drawn under it, and writes
destinations, outline, page labels, one structure tree (pdftags.py; none for a very long document,
`tagged`) and one font subset per font (pdffonts.py).
"""
from __future__ import annotations

import atexit
import hashlib
import io
import json
import logging
import os
import re
import sys
import tempfile
import time
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial

VERSION = 7          # of what a cached layout holds (7: parts written uncompressed, compressed by _detached)
# Every laid-out document costs WeasyPrint 0.1–0.15 s besides its pages (font
# subsets, style cascade, PDF writing), so sections are laid out in few, large groups: a revision
# lays out again the groups holding a changed section (gaoping: two of four, on two cores at once).
GROUP = 30_000          # characters: short sections are laid out together up to this much
CUT = 40_000            # characters: a longer section is cut at its forced page breaks
ROWS = 400_000          # characters of table rows laid out at once (a longer table is split)
TAGGED = 1_000_000      # characters: a longer document is laid out and joined untagged (pdftags.Untagged)
AHEAD = 4               # pieces started while the chart-size trials are laid out (render/pagefill.py)
MARK = "disclosure-gen-"  # ids and bookmarks of our own markers
_SECTION = re.compile(r"<section\b[^>]*>.*?</section>", re.S)
_ID = re.compile(r"""\sid\s*=\s*["']([^"']*)["']""")
_HREF = re.compile(r"""\bhref\s*=\s*["']#([^"']+)["']""")
_PAGE_MARK = re.compile(re.escape(MARK) + r"p(\d+)-(\d+)$")
_BREAK = '<div class="page-break"></div>'
_BOXES = [f"{v}-{h}" for v in ("top", "bottom") for h in ("left-corner", "left", "center", "right", "right-corner")
          ] + [f"{s}-{p}" for s in ("left", "right") for p in ("top", "middle", "bottom")]
# a section page holds its content only: the frame page under it has the margin boxes and backgrounds
BARE_CSS = ("@page { background: none !important; border: none !important; %s }\n"
            "html, body { background: none !important; }" % " ".join(f"@{b} {{ content: none !important; }}" for b in _BOXES))


log = logging.getLogger(__name__)


class Mismatch(ValueError):
    """The frame did not come out page for page like the sections (the document is laid out whole)."""


@dataclass
class Piece:
    sections: list[str]     # <section>s (or a piece of one), each with an id on its opening tag
    late: bool = False      # laid out in the frame (it links to other sections)
    cut: bool = False       # a piece of a long section (never grouped)
    alone: bool = False     # a section asked to be laid out on its own

    @property
    def markup(self) -> str:
        return "\n".join(self.sections)


def plan(html: str) -> tuple[str, str, list[Piece]] | None:
    """(head, tail, pieces), or None when the markup is not a run of sections (laid out whole)."""
    found = list(_SECTION.finditer(html))
    secs = [m.group(0) for m in found]
    if len(found) < 2 or any(html[a.end():b.start()].strip() for a, b in zip(found, found[1:])) \
            or any(s.count("<section") != 1 for s in secs):
        return None
    ids = [set(_ID.findall(s)) for s in secs]
    everywhere, pieces = set().union(*ids), []
    for s, own in zip(secs, ids):
        alone = 'data-layout="alone"' in _tag(s)     # laid out again on its own (render/pagefill.py)
        cut, last = _cut(s), (pieces[-1] if pieces and not (pieces[-1].late or pieces[-1].cut or pieces[-1].alone)
                              and not alone else None)
        if any(h in everywhere and h not in own for h in _HREF.findall(s)):
            pieces.append(Piece([s], late=True))
        elif len(cut) == 1 and last is not None and len(last.markup) + len(s) <= GROUP:
            last.sections.append(s)
        else:
            pieces += [Piece([part], cut=len(cut) > 1, alone=alone) for part in cut]
    n = 0
    for pc in pieces:               # every section's first page is known by the id on its tag
        for j, sec in enumerate(pc.sections):
            if not _ID.search(_tag(sec)):
                pc.sections[j], n = f'<section id="{MARK}s{n}"' + sec[len("<section"):], n + 1
    return html[:found[0].start()], html[found[-1].end():], pieces


def _tag(section: str) -> str:
    return section[:section.index(">") + 1]


def _opening(section: str) -> str:
    """The opening tag without its id (a copy starts a continuation piece or a frame section)."""
    return re.sub(r"""\s+id\s*=\s*(?:"[^"]*"|'[^']*')""", "", _tag(section))


def _cut(s: str) -> list[str]:
    """A long section in pieces of CUT/2…CUT characters at the forced page breaks that are its
    direct children; a piece with a table longer than ROWS split at rows (_rows)."""
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
    pieces, start, end = [], len(_tag(s)), len(s) - len("</section>")
    for b in [*bounds, end]:
        if b - start >= CUT / 2 or b == end:
            pieces += _rows((_opening(s) if pieces else _tag(s)) + s[start:b] + "</section>")
            start = b + len(_BREAK)
    return pieces


def _rows(piece: str) -> list[str]:
    body = max(re.finditer(r"<tbody\b[^>]*>(.*?)</tbody>", piece, re.S), key=lambda m: len(m.group(1)), default=None)
    if body is None or len(body.group(1)) <= ROWS:
        return [piece]
    head = _opening(piece) + re.sub(r"""\s+id\s*=\s*(?:"[^"]*"|'[^']*')""", "",
                                    piece[piece.rfind("<table", 0, body.start()):body.start(1)])
    runs, size = [[]], 0
    for r in re.findall(r"<tr\b.*?</tr>", body.group(1), re.S):
        if size + len(r) > ROWS and runs[-1]:
            runs.append([])
            size = 0
        runs[-1].append(r)
        size += len(r)
    return [piece[:body.start(1)] + "".join(runs[0]) + piece[body.end(1):]] + [
        head + "".join(run) + "</tbody></table></section>" for run in runs[1:]]


# ---- laying out (in a pool process or here) ---------------------------------------------------------
_PREPARED: dict = {}
_RECENT: dict = {}      # cache key → future of its layout, in this process


def lay_out(markup: str, css: tuple[str, ...], assets: dict, meta: dict | None = None,
            tags: bool = True, probe: bool = False) -> tuple[bytes, list]:
    """(PDF bytes, per page [width, height, anchors, bookmarks, anchor y]) of one document; with
    `probe`, the pages only (no PDF written: where the anchors land is known once it is laid out).
    Each style sheet is parsed once per process (with one font configuration per set of sheets and of
    the assets they name); the markup's images are fetched from `assets` themselves, whatever was
    laid out before."""
    from .pdfpool import import_weasyprint
    import_weasyprint()
    from weasyprint import HTML

    from .pdf import ASSET_BASE, make_url_fetcher
    fonts, sheets = _prepared(css, assets)
    doc = HTML(string=markup, base_url=ASSET_BASE, url_fetcher=make_url_fetcher(assets)).render(
        font_config=fonts, stylesheets=sheets)
    for key, v in (meta or {}).items():
        if not getattr(doc.metadata, key, None):    # what the markup's <meta> gives wins
            setattr(doc.metadata, key, v)
    pages, seen = [], set()
    for p in doc.pages:             # an anchor counts on the page where its box starts (a box split
        anchors = sorted(set(p.anchors) - seen)     # across pages is listed on each of them)
        seen.update(anchors)
        pages.append([p.width, p.height, anchors, [[lv, label, list(xy), st] for lv, label, xy, st in p.bookmarks],
                      {a: p.anchors[a][1] for a in anchors}])
    if probe:
        return b"", pages
    # the frame gives the file its catalog and metadata (PDF/UA-1: XMP, language, title shown), and
    # its few elements whether or not the sections are tagged (pdftags.Untagged drops them)
    tagged = {"pdf_variant": "pdf/ua-1"} if meta is not None else {"pdf_tags": True} if tags else {}
    # written uncompressed: the font subsets WeasyPrint cuts are dropped (_detached), and compressing
    # them first was a fifth of a small layout; _detached compresses what is kept
    return _detached(doc.write_pdf(pdf_identifier=b"0" * 32, uncompressed_pdf=True, **tagged),
                     bool(tagged) and hashlib.sha256(markup.encode("utf-8", "surrogatepass")).hexdigest()[:8]), pages


def release() -> None:
    """Drop this process's font configurations and parsed sheets (WeasyPrint removes the folder of a
    configuration's @font-face fonts when it is collected; at interpreter exit that fails)."""
    _PREPARED.clear()


atexit.register(release)


def _prepared(css: tuple[str, ...], assets: dict) -> tuple:
    """(font configuration, parsed sheets) for these sheets: kept for the sheets of a style (the
    frame's and the sections', which add BARE_CSS, share them) and the assets those sheets name."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from .pdf import ASSET_BASE, make_url_fetcher
    named = {n: assets[n] for n in _named(assets, css)}
    k = hashlib.sha256(repr(([t for t in css if t != BARE_CSS], sorted((n, hashlib.sha256(b).digest())
                                                                        for n, b in named.items()))).encode(
        "utf-8", "surrogatepass")).digest()
    if k not in _PREPARED:
        _PREPARED.clear()
        _PREPARED[k] = make_url_fetcher(named), FontConfiguration(), {}
    fetcher, fonts, parsed = _PREPARED[k]
    for t in css:
        if t not in parsed:
            parsed[t] = CSS(string=t, base_url=ASSET_BASE, url_fetcher=fetcher, font_config=fonts)
    return fonts, [parsed[t] for t in css]


def _named(names, texts) -> list[str]:
    """The asset names any of these texts refer to (by the name's stem: a chart's .svg or .png)."""
    return [n for n in names if any(n.rpartition(".")[0] in t for t in texts)]


def _detached(data: bytes, token: str | bool) -> bytes:
    """The PDF without the programs of the fonts the join embeds once (pdffonts.detach), so that
    neither the cache nor the join holds a subset per section; its table header ids its own."""
    import pikepdf

    from . import pdffonts, pdftags
    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        pdffonts.detach(pdf)
        if token:
            pdftags.unique_ids(pdf, token)
        buf = io.BytesIO()
        pdf.save(buf, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buf.getvalue()


def _get(pool, k: str, *job) -> Future:
    """The cached layout of `job` (its key `k`), else one laid out in the pool or here (then kept)."""
    from .. import cache
    if k in _RECENT:                # this process laid it out a moment ago (a chart-size trial)
        return _RECENT[k]
    f = Future()
    raw = cache.get("sections", k)
    try:
        n = int.from_bytes(raw[:8], "little")
        f.set_result((raw[8 + n:], json.loads(raw[8:8 + n])))
        return f
    except (TypeError, ValueError, UnicodeDecodeError):
        pass
    if pool is not None:
        from .pdfpool import lay_out as task
        f = pool.submit(task, *job)
    else:
        f.set_result(lay_out(*job))

    def keep(done):
        if done.exception() is None:
            data, pages = done.result()
            head = json.dumps(pages).encode()
            cache.put("sections", k, len(head).to_bytes(8, "little") + head + data)
            cache.prune("sections", 5000)
    f.add_done_callback(keep)
    _RECENT[k] = f
    while len(_RECENT) > 64:        # the layouts of about one document
        del _RECENT[next(iter(_RECENT))]
    return f


def render(html: str, assets: dict, css: list[str], meta: dict, pool=None, progress=None) -> bytes | None:
    """The joined PDF, or None when the markup is not a run of sections."""
    p = plan(html)
    if p is None:
        return None
    head, tail, pieces = p
    tags = tagged(html)
    key, futures = _body(head, tail, pieces, assets, css, pool, tags)
    body = list(futures)
    import pikepdf  # noqa: F401 - for the join, imported while the pool lays out (not after it)
    tick = progress or (lambda n, total: None)
    done, spill = {}, tempfile.TemporaryDirectory(prefix="disclosure-gen-")
    for i in body:                  # the laid-out sections wait on disk, not in memory
        data, pages = futures[i]()
        done[i] = (os.path.join(spill.name, f"{i}.pdf"), pages)
        with open(done[i][0], "wb") as fh:
            fh.write(data)
        del futures[i], data
        tick(len(done), len(body) + 1)
    # the frame depends on the pages' count and anchors only: after a revision that moves no page
    # it comes from the cache too
    frame = head + "\n".join(_mark(pc.markup, i, 0) if pc.late else _skeleton(pc, done[i][1], i)
                             for i, pc in enumerate(pieces)) + tail
    job = frame, tuple(css), assets, meta, tags
    frame_pdf, frame_pages = _result(_get(pool, key(frame, "frame", sorted(meta.items())), *job), *job)
    tick(len(body) + 1, len(body) + 1)
    _RECENT.clear()                 # kept for the trials before this render only
    with spill:
        return join(pieces, done, frame_pdf, frame_pages, tags)


def tagged(html: str) -> bool:
    """Whether the PDF of this markup is tagged: the join holds every part's structure tree, about
    1.5 KB per element in qpdf and one element per table cell (1 000 projects, 1 100 pages of tables:
    1.4 GB), so a document of more than TAGGED characters (some 200–600 pages) is laid out and
    joined without one."""
    return len(html) <= TAGGED


def _body(head: str, tail: str, pieces: list[Piece], assets: dict, css: list[str], pool, tags: bool,
          probe: bool = False):
    """(the cache key function, {piece: its layout, when called}) for the pieces laid out on their
    own, asked for now, longest first (the pool ends on a short one); `probe`: their pages only."""
    from importlib.metadata import version

    from .. import cache
    from .pdffonts import system_fonts
    common = cache.key(VERSION, version("weasyprint"), sorted(system_fonts().items()), tuple(css), tags)
    digests = {n: hashlib.sha256(b).hexdigest() for n, b in assets.items()}

    def key(markup: str, *more) -> str:     # a layout depends on the assets it names only
        return cache.key(common, head, markup, tail, *more,
                         sorted((n, digests[n]) for n in _named(digests, (markup, head, tail, *css))))
    body = sorted((i for i, pc in enumerate(pieces) if not pc.late), key=lambda i: -len(pieces[i].markup))
    jobs = {i: (head + pieces[i].markup + tail, (*css, BARE_CSS), assets, None, tags, probe) for i in body}
    more = ("probe",) if probe else ()      # a probe's pages are kept apart from a written layout
    futures = {i: _get(pool, key(pieces[i].markup, *more), *job) for i, job in jobs.items()}
    return key, {i: partial(_result, futures[i], *jobs[i]) for i in body}


def page_maps(htmls: list[str], assets: dict, css: list[str], pool=None, holding: str = "") -> list:
    """For each markup, where the pieces holding `holding` put each anchor: a PageMap of their pages
    in order, without laying out the rest or writing a PDF (probes); None when not laid out by
    section. All probes are asked for before the first is waited for (they run at once in the
    pool), then the longest other pieces, laid out for the render that follows."""
    from .pagemap import PageMap
    def only(p, keep) -> tuple:       # the plan with every other piece left out (laid out in the frame)
        return p[0], p[1], [pc if keep(pc) else Piece([], late=True) for pc in p[2]]
    asked, rest = [], []
    for html in htmls:
        p, tags = plan(html), tagged(html)
        if p:
            longest = {id(pc) for pc in sorted((pc for pc in p[2] if holding not in pc.markup and not pc.late),
                                               key=lambda pc: -len(pc.markup))[:AHEAD]}
            rest.append((*only(p, lambda pc: id(pc) in longest), tags))
            p = only(p, lambda pc: holding in pc.markup)
        asked.append(p and _body(*p, assets, css, pool, tags, probe=True)[1])
    for head, tail, pieces, tags in rest if pool is not None else ():  # the longest other pieces, for the
        _body(head, tail, pieces, assets, css, pool, tags)  # render that follows: the pool's idle processes start
    out = []
    for layouts in asked:
        if layouts is None:
            out.append(None)
            continue
        pm = PageMap()
        for i in sorted(layouts):
            for w, h, anchors, _bms, ys in layouts[i]()[1]:
                pm.landscape[pm.count] = w > h
                pm.pages.update({x: pm.count for x in anchors})
                pm.gaps.update({x: y * 0.75 for x, y in ys.items()})
                pm.count += 1
        out.append(pm)
    return out


def _result(future: Future, *job):
    """The future's layout; laid out here when a pool process died (memory, a signal): same bytes."""
    from concurrent.futures.process import BrokenProcessPool
    try:
        return future.result()
    except BrokenProcessPool:
        return lay_out(*job)


def _skeleton(piece: Piece, pages: list, index: int) -> str:
    """One empty page per laid-out page, in a copy of its section's opening tag (the same @page
    rules apply), carrying that page's anchors."""
    starts = [_ID.search(_tag(s)).group(1) for s in piece.sections][1:] + [None]
    out, n = [], 0
    for sec, nxt in zip(piece.sections, starts):
        out.append(_opening(sec))
        first = True
        while n < len(pages) and (first or nxt not in pages[n][2]):
            out.append(("" if first else '<div style="break-before: page"></div>') + _mark("", index, n)
                       + "".join(f'<a id="{_attr(a)}"></a>' for a in pages[n][2]))
            first, n = False, n + 1
        out.append("</section>")
    return "\n".join(out)


def _mark(markup: str, index: int, n: int) -> str:
    """`markup` with, after its first tag, an absolutely placed (so layout-neutral) marker naming its
    frame page (piece, page) that gives the page's counter as a bookmark."""
    m, at = f"{MARK}p{index}-{n}", markup.find(">") + 1
    return (markup[:at] + f'<span id="{m}" style="position: absolute; top: 0; left: 0; bookmark-level: 1; '
            f'bookmark-label: \'{MARK}\' target-counter(\'#{m}\', page)"></span>' + markup[at:])


def _attr(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def join(pieces: list[Piece], done: dict, frame_pdf: bytes, frame_pages: list, with_tags: bool = True) -> bytes:
    """The frame with each section page put in the place of its frame page, the frame page drawn
    under it; destinations, outline, page labels, one structure tree (none `with_tags` false) and one
    subset per font."""
    import pikepdf

    from . import pdffonts, pdftags
    out = pikepdf.Pdf.open(io.BytesIO(frame_pdf))
    names, marks, bookmarks, src, cur, used = {}, [], [], (None, None, {}, []), None, 0
    if not with_tags:
        log.warning("PDF 共 %d 页，表格很多：为控制生成时的内存，未加结构标签（供读屏软件使用的标签）", len(frame_pages))
    frame_dests, tags = _dests(out), (pdftags.Tree if with_tags else pdftags.Untagged)(out)
    for at, (fw, fh, fanchors, fbms, _ys) in enumerate(frame_pages):
        cur = next(((int(m.group(1)), int(m.group(2))) for a in fanchors if (m := _PAGE_MARK.match(a))),
                   (cur[0], cur[1] + 1) if cur else (0, 0))
        i, k = cur
        marks.append(next((int(b[1][len(MARK):]) for b in fbms if b[1].startswith(MARK)), None))
        if src[0] is not None and src[0] != i:      # the part before is joined: its structure
            tags.part(src[1], src[3])
            src = (None, None, {}, [])
        if pieces[i].late:
            names.update({a: frame_dests.get(a) for a in fanchors if a not in names})
            bookmarks.append((fh, [b for b in fbms if not b[1].startswith(MARK)]))
            tags.frame_page(out.pages[at].obj)
            continue
        if src[0] != i:
            pdf = pikepdf.Pdf.open(done[i][0])
            src = (i, pdf, _dests(pdf), [])
        w, h, anchors, bms = done[i][1][k][:4] if k < len(done[i][1]) else (0, 0, [], [])
        used += 1
        if (round(fw, 2), round(fh, 2)) != (round(w, 2), round(h, 2)) or k >= len(src[1].pages):
            raise Mismatch("the frame's pages differ from the section's (size or count)")
        under = pdftags.underlay(out.pages[at])
        out.pages[at] = src[1].pages[k]
        target, name = out.pages[at], f"/DisclosureGenFrame{at}"      # (the pages share /Resources)
        target.add_resource(under, pikepdf.Name.XObject, name=pikepdf.Name(name))
        target.contents_add(pikepdf.Stream(out, b"/Artifact BMC q %s Do Q EMC\n" % name.encode()), prepend=True)
        src[3].append(target.obj)
        for a in anchors:
            if a in src[2] and a not in names:
                names[a] = pikepdf.Array([target.obj, *list(src[2][a])[1:]])
        bookmarks.append((h, bms))
    if src[0] is not None:
        tags.part(src[1], src[3])
    if used != sum(len(d[1]) for d in done.values()):
        raise Mismatch("the frame has another page count than the sections")
    arr = pikepdf.Array()
    for name in sorted(n for n, d in names.items() if d is not None and not n.startswith(MARK)):
        arr.extend([pikepdf.String(name), names[name]])
    out.Root.Names = pikepdf.Dictionary(Dests=out.make_indirect(pikepdf.Dictionary(Names=arr)))
    _outline(out, bookmarks)
    _labels(out, marks)
    tags.write()
    pdffonts.one_subset_per_font(out)
    buf = io.BytesIO()     # (object streams: the structure tree is thousands of small objects)
    out.save(buf, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buf.getvalue()


def _dests(pdf) -> dict:
    import pikepdf
    try:
        arr = pdf.Root.Names.Dests.Names
    except (AttributeError, KeyError):
        return {}
    return {str(arr[i]): arr[i + 1] for i in range(0, len(arr) - 1, 2) if isinstance(arr[i + 1], pikepdf.Array)}


def _outline(pdf, pages: list) -> None:
    """The outline from the pages' bookmarks [level, label, [x, y], state]: a bookmark goes under the
    last one of a lower level (as WeasyPrint nests them)."""
    import pikepdf
    with pdf.open_outline() as outline:
        outline.root.clear()
        stack = [(0, outline.root)]
        for number, (height, bookmarks) in enumerate(pages):
            for level, label, (x, y), state in bookmarks:
                while stack[-1][0] >= level:
                    stack.pop()
                item = pikepdf.OutlineItem(label, pikepdf.Array([pdf.pages[number].obj, pikepdf.Name.XYZ, x * 0.75,
                                                                 (height - y) * 0.75, 0]))
                item.is_closed = state == "closed"
                stack[-1][1].append(item)
                stack.append((level, item.children))


def _labels(pdf, marks: list) -> None:
    """Page labels = the printed page numbers (each frame page's counter; a contents page without a
    marker continues its predecessor); pages whose counter does not advance (cover, contents) roman."""
    import pikepdf
    nums, expect, last, values = pikepdf.Array(), None, None, []
    for m in marks:
        last = m if m is not None else last
        values.append(last)
    for n, v in enumerate(values):
        numbered = bool(v) and (n == 0 or values[n - 1] is None or v == values[n - 1] + 1)
        spec = ("D", v) if numbered else ("r", None)
        if spec != expect:
            nums.extend([n, pikepdf.Dictionary(S=pikepdf.Name.D, St=v) if numbered else pikepdf.Dictionary(S=pikepdf.Name.r)])
        expect = ("D", v + 1) if numbered else spec
    pdf.Root.PageLabels = pikepdf.Dictionary(Nums=nums)


class Progress:
    """`sections done / total` on stderr (a terminal) once a render has taken more than a few seconds."""

    def __init__(self, after: float = 3.0, stream=None):
        self.t0, self.after, self.stream = time.perf_counter(), after, stream or sys.stderr

    def __call__(self, n: int, total: int) -> None:
        if getattr(self.stream, "isatty", lambda: False)() and time.perf_counter() - self.t0 >= self.after:
            self.stream.write(f"\r排版 PDF：{n}/{total} 节  {time.perf_counter() - self.t0:5.1f} 秒" + "\n" * (n == total))
            self.stream.flush()
