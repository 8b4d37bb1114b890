"""A long PDF laid out as two parts in parallel and joined into one file (speed, issue 6).

Every `<section>` of the markup starts a new page, so the markup can be cut between two sections
into two documents that WeasyPrint lays out and paints independently, one in this process and one
in a forked child (WeasyPrint is imported already, so the child starts at once). What a part cannot
know by itself is given to it as plain CSS:

- where its page numbers start: `@page :first { counter-reset: page K; … }` for the second part;
- the page numbers the table of contents shows: every `target-counter(attr(href), page)` of the
  style sheets becomes, link by link, the literal number (`a[href="#t7"]::after { content: … "12" }`).

These numbers come from the previous render of a document of the same structure (the same style
sheets and the same anchors: a revision of a budget changes figures, not the sections), kept in the
cache. After both parts are laid out the numbers are checked against the pages WeasyPrint made
(the page counter replayed page by page); a part whose numbers were wrong is laid out again with the
right ones before anything is painted. The output is therefore the same whatever was predicted: a
first render only costs one more layout. The same two parts are made, in the same way, when this
process cannot fork: the file does not depend on how it was made.

The join (pikepdf/qpdf) appends the second part's pages to the first, keeps one subset of each font
for the whole file (the first part's subset also gets the glyphs the second part uses: WeasyPrint
keeps glyph ids when subsetting), merges the named destinations (links of the table of contents
into the other part point at stand-in anchors while laid out, and at the real pages once joined) and
writes the outline from the bookmarks of all pages in order, with WeasyPrint's own algorithm.

`render_pdf` returns None when the markup or the CSS uses something a cut could change (page
selectors by position, running elements and strings, other counters, structural selectors),
when the document is small, or when the numbers do not settle: the caller renders it whole.
"""
from __future__ import annotations

import io
import json
import multiprocessing
import os
import pickle
import re
from dataclasses import dataclass, field

from ..pdfworker import _recv, _send, fork_serving   # the pipe protocol of the PDF process

# below this much section markup a cut costs more than it saves (gaoping: 51 000 characters)
MIN_CHARS = 20_000
# the first part's share of the section markup: it also holds the table of contents (the costliest
# markup per character) and this process joins the parts
FIRST_SHARE = 0.47
MAX_ROUNDS = 4
_T0 = None


def _debug(what: str) -> None:
    if os.environ.get("DISCLOSURE_GEN_PDF_DEBUG"):
        import sys
        import time
        global _T0
        _T0 = _T0 or time.perf_counter()
        print(f"pdfparts {os.getpid()} {time.perf_counter() - _T0:7.3f} {what}", file=sys.stderr, flush=True)

_SECTION = re.compile(r"<section\b[^>]*>.*?</section>", re.S)
_ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")
_HREF = re.compile(r"""\bhref\s*=\s*["']#([^"']+)["']""")
_UNSAFE_CSS = re.compile(
    r"@page[^{]*:(?:first|left|right|blank|nth)|string-set|running\(|element\(|counter-(?:reset|set)"
    r"|counter-increment\s*:(?!\s*page\b)|(?<![\w-])counter\(\s*(?!page\s*\))|counters\(|target-text"
    r"|footnote|bookmark-state")
# what matches a <section> by its place among its siblings changes with the cut
_STRUCTURAL = re.compile(r":(?:first|last|only)-(?:child|of-type)|:nth-|[+~]", re.I)
_BREAK_ONLY = {"break-before", "page-break-before"}


@dataclass
class Plan:
    head: str
    tail: str
    parts: list[list[str]]                 # sections of each part
    target_rules: list[tuple[list[str], list, bool]]  # (selectors, content tokens, important)
    ids: list[set[str]] = field(default_factory=list)
    hrefs: list[list[str]] = field(default_factory=list)

    def stubs(self, index: int) -> set[str]:
        """The stand-in anchors of part `index`: targets of its links that lie in the other part."""
        return {h for h in self.hrefs[index] if h not in self.ids[index]} & set().union(*self.ids)


# ---- planning ------------------------------------------------------------------------------------
def _target_rules(css: list[str]):
    """(the rules whose `content` uses target-counter(attr(href), page), whether a section may be cut
    at its own page breaks); None when the CSS uses something a cut between sections could change.
    A cut inside a section changes which elements are first or last in it: it is allowed only when
    no selector depends on an element's place among its siblings."""
    import tinycss2
    found = []
    inner_cuts = True
    for text in css:
        if _UNSAFE_CSS.search(text):
            return None
        for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
            if rule.type == "at-rule":
                inner = tinycss2.serialize(rule.content or [])
                if "target-counter" in inner or _STRUCTURAL.search(inner):
                    return None         # inside @media/@supports: not worth following
                continue
            if rule.type != "qualified-rule":
                continue
            prelude = tinycss2.serialize(rule.prelude).strip()
            decls = [d for d in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                                 skip_whitespace=True)
                     if d.type == "declaration"]
            if any(d.lower_name not in _BREAK_ONLY for d in decls):
                if any(_by_place(sel) for sel in prelude.split(",")):
                    return None         # which section is :first-of-type etc. changes with the cut
                if _STRUCTURAL.search(prelude):
                    inner_cuts = False
            for d in decls:
                if "target-counter" not in tinycss2.serialize(d.value):
                    continue
                if d.lower_name != "content" or not _plain_target_counters(d.value):
                    return None
                selectors = [s.strip() for s in prelude.split(",")]
                if any(not s for s in selectors):
                    return None
                found.append((selectors, d.value, d.important))
    return found, inner_cuts


def _by_place(selector: str) -> bool:
    """Could this selector match a section (or what follows one) by its place among its siblings?
    `td:first-child` cannot: a cut between sections leaves what is inside them alone."""
    if not _STRUCTURAL.search(selector):
        return False
    compounds = re.split(r"\s*[>+~]\s*|\s+", selector.strip())
    for c in compounds:
        m = re.match(r"[A-Za-z][\w-]*|\*", c)
        if (m is None or m.group(0) in ("*", "section", "body", "html")) and (
                _STRUCTURAL.search(c) or "+" in selector or "~" in selector):
            return True
    return False


def _plain_target_counters(tokens) -> bool:
    """Every target-counter in `tokens` is target-counter(attr(href), page) (decimal numbers)."""
    ok = False
    for tok in tokens:
        if tok.type == "function" and tok.lower_name == "target-counter":
            args = [a for a in tok.arguments if a.type not in ("whitespace", "comment")]
            if (len(args) == 3 and args[0].type == "function" and args[0].lower_name == "attr"
                    and [a.value for a in args[0].arguments if a.type == "ident"] == ["href"]
                    and args[1].type == "literal" and args[1].value == ","
                    and args[2].type == "ident" and args[2].lower_value == "page"):
                ok = True
            else:
                return False
        elif tok.type == "function" and "target" in tok.lower_name:
            return False
    return ok


_PAGE_BREAK = re.compile(r'<div class="page-break"></div>')
_DIV = re.compile(r"<div\b|</div>")


def _pieces(section: str, inner_cuts: bool) -> list[tuple[int, int]]:
    """Where this section may be cut: after its opening tag and before every forced page break
    (`<div class="page-break">`) that is a direct child of the section. [(start, end)] of the pieces."""
    if not inner_cuts:
        return [(0, len(section))]
    bounds, depth, last = [], 0, 0
    for m in _DIV.finditer(section):
        if m.group(0) == "</div>":
            depth -= 1
        else:
            if depth == 0 and _PAGE_BREAK.match(section, m.start()):
                bounds.append(m.start())
            depth += 1
    out = []
    for b in bounds:
        out.append((last, b))
        last = b
    out.append((last, len(section)))
    return out


def plan(html: str, css: list[str]) -> Plan | None:
    """How to cut this document, or None when it should be laid out whole."""
    found = list(_SECTION.finditer(html))
    if len(found) < 3:
        return None
    secs = [m.group(0) for m in found]
    if any(s.count("<section") != 1 for s in secs):
        return None                                     # nested sections
    for a, b in zip(found, found[1:]):
        if html[a.end():b.start()].strip():
            return None                                 # content between sections
    total = sum(len(s) for s in secs)
    if total < MIN_CHARS:
        return None
    checked = _target_rules(css)
    if checked is None:
        return None
    rules, inner_cuts = checked
    # candidate cuts: between sections, and at a section's own forced page breaks (a long run of
    # 绩效目标表 is one section); the one that makes the longer of the two layouts shortest
    # (markup length stands for work)
    best, cut, acc = None, (1, 0), 0
    for i, s in enumerate(secs):
        for j, (a, b) in enumerate(_pieces(s, inner_cuts)):
            acc += b - a
            if (i, j) == (len(secs) - 1, len(_pieces(s, inner_cuts)) - 1):
                break
            cost = max(acc / FIRST_SHARE, (total - acc) / (1 - FIRST_SHARE))
            if best is None or cost < best:
                best, cut = cost, (i, b)
    i, at = cut
    s = secs[i]
    if at == len(s):
        parts = [secs[:i + 1], secs[i + 1:]]
    else:
        # the section cut in two: the first half without the page break (the second part begins on
        # a new page anyway), the second half in a copy of the section's opening tag, without its id
        open_end = s.index(">") + 1
        opening = re.sub(r"""\s+id\s*=\s*(?:"[^"]*"|'[^']*')""", "", s[:open_end])
        rest = s[at + len('<div class="page-break"></div>'):]
        parts = [secs[:i] + [s[:at] + "</section>"], [opening + rest] + secs[i + 1:]]
    p = Plan(html[:found[0].start()], html[found[-1].end():], parts, rules)
    all_ids: list[str] = []
    for sections in parts:
        text = "".join(sections)
        ids = _ID.findall(text)
        all_ids += ids
        p.ids.append(set(ids))
        p.hrefs.append(_HREF.findall(text))
    if len(all_ids) != len(set(all_ids)) or _ID.search(p.head + p.tail):
        return None                                     # a duplicate id: which one wins would change
    return p


def _css_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


def _numbers_css(p: Plan, index: int, numbers: dict[str, int]) -> str:
    """The literal page numbers of this part's target-counter links."""
    import tinycss2
    out = []
    for target in dict.fromkeys(p.hrefs[index]):
        if target not in numbers:
            continue
        attr = f"[href={_css_string('#' + target)}]"
        for selectors, tokens, important in p.target_rules:
            sel = []
            for s in selectors:
                m = re.search(r"(::?(?:after|before|marker))\s*$", s)
                sel.append(s[:m.start()] + attr + s[m.start():] if m else s + attr)
            value = "".join(f'"{numbers[target]}"' if (t.type == "function" and t.lower_name == "target-counter")
                            else tinycss2.serialize([t]) for t in tokens)
            out.append("%s { content: %s%s; }" % (", ".join(sel), value.strip(), " !important" if important else ""))
    return "\n".join(out)


def part_markup(p: Plan, index: int) -> tuple[str, set[str]]:
    """The markup of part `index`, and the stand-in anchors it holds: links to the other part need
    an anchor of that name to be kept (WeasyPrint drops links to missing anchors). The stand-ins are
    absolutely positioned at the top of the part's first page: they change no layout."""
    sections = list(p.parts[index])
    stubs = sorted(p.stubs(index))
    if stubs:
        first = sections[0]
        at = first.index(">") + 1
        anchors = "".join(f'<a id="{_attr(s)}" style="position: absolute; top: 0; left: 0"></a>' for s in stubs)
        sections[0] = first[:at] + anchors + first[at:]
    return p.head + "\n".join(sections) + p.tail, set(stubs)


def _attr(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


# ---- numbering -----------------------------------------------------------------------------------
def page_numbers(pages_info, start: int = 0) -> list[int]:
    """The page counter of every page, replayed from the page styles WeasyPrint used (reset, set,
    increment, as WeasyPrint applies them)."""
    value, out = start, []
    for ops in (info[0] for info in pages_info):
        for prop in ("counter_reset", "counter_set"):
            for name, v in ops[prop]:
                if name == "page":
                    value = v
        for name, v in ops["counter_increment"]:
            if name == "page":
                value += v
        out.append(value)
    return out


@dataclass
class Numbers:
    offset: int = 0                                      # page counter at the end of part 1
    anchors: dict[str, int] = field(default_factory=dict)   # anchor → page number

    def for_part(self, p: Plan, index: int) -> dict[str, int]:
        return {h: self.anchors[h] for h in p.hrefs[index] if h in self.anchors}

    def css(self, p: Plan, index: int) -> str:
        extra = _numbers_css(p, index, self.for_part(p, index))
        if index > 0:
            extra = "@page :first { counter-reset: page %d; counter-increment: page 1; }\n" % self.offset + extra
        return extra


def settle(p: Plan, used: list[Numbers], infos: list) -> Numbers:
    """The numbers the laid-out parts actually give (used[1].offset is where part 2 started)."""
    first = page_numbers(infos[0])
    anchors: dict[str, int] = {}
    stubs = [p.stubs(0), p.stubs(1)]                    # stand-ins, not targets
    for number, info in zip(first, infos[0]):
        for a in info[1]:
            if a not in stubs[0]:
                anchors.setdefault(a, number)
    offset = first[-1] if first else 0
    # part 2 as laid out started from used[1].offset; shifted to where it really starts
    second = page_numbers(infos[1])
    for number, info in zip(second, infos[1]):
        for a in info[1]:
            if a not in stubs[1]:
                anchors.setdefault(a, number - used[1].offset + offset)
    return Numbers(offset, anchors)


def _consistent(p: Plan, index: int, used: Numbers, actual: Numbers) -> bool:
    if index > 0 and used.offset != actual.offset:
        return False
    return used.for_part(p, index) == actual.for_part(p, index)


# ---- one part ------------------------------------------------------------------------------------
class _Part:
    """One part laid out and painted in this process."""

    def __init__(self, markup: str, assets: dict, css: list[str]):
        self.markup, self.assets, self.css = markup, assets, css
        self.doc = None

    def layout(self, extra_css: str):
        from .pdf import layout
        self.doc = layout(self.markup, self.assets, [t for t in [*self.css, extra_css] if t])
        return page_info(self.doc)

    def paint(self, on_fonts, metadata=None, identifier=None) -> bytes:
        """PDF bytes; `on_fonts(fonts)` is called with WeasyPrint's fonts before they are embedded."""
        import weasyprint.pdf as wpdf
        original = wpdf.build_fonts_dictionary

        def build(pdf, fonts, *args, **kwargs):
            on_fonts(fonts)
            return original(pdf, fonts, *args, **kwargs)

        if metadata is not None:
            metadata(self.doc)
        wpdf.build_fonts_dictionary = build
        try:
            if identifier is not None:
                return self.doc.write_pdf(pdf_identifier=identifier)
            return self.doc.write_pdf()
        finally:
            wpdf.build_fonts_dictionary = original


def page_info(doc) -> list:
    """Per page: (page counter operations, anchor names, bookmarks, height)."""
    out = []
    for page in doc.pages:
        style = page._page_box.style
        ops = {k: tuple(style[k]) if style[k] != "auto" else () for k in
               ("counter_reset", "counter_set", "counter_increment")}
        out.append((ops, list(page.anchors), list(page.bookmarks), page.height))
    return out


def glyphs_of(fonts) -> dict:
    g: dict[str, tuple[dict, dict]] = {}
    for font in fonts.values():
        to_unicode, widths = g.setdefault(font.hash, ({}, {}))
        to_unicode.update(font.to_unicode)
        widths.update(font.widths)
    return g


def add_glyphs(fonts, glyphs: dict) -> None:
    for font in fonts.values():
        if font.hash in glyphs:
            to_unicode, widths = glyphs[font.hash]
            for k, v in to_unicode.items():
                font.to_unicode.setdefault(k, v)
            for k, v in widths.items():
                font.widths.setdefault(k, v)


# ---- the second part in a forked child -----------------------------------------------------------
class _ChildFailed(RuntimeError):
    """The process laying out the second part ended without its result."""


class _Child:
    """Part 2 in a forked child: commands ("layout", css) and ("paint",) in; messages ("layout", info),
    ("fonts", glyphs), ("pdf", bytes) or ("error", text) out."""

    def __init__(self, part: _Part):
        self.pid, self.cmd_w, self.msg_r = fork_serving(
            lambda cmd_r, msg_w: self._serve(part, cmd_r, msg_w), before=_die_with_parent)

    @staticmethod
    def _serve(part, cmd_r, msg_w):                       # pragma: no cover - runs in the child
        while True:
            try:
                cmd = _recv(cmd_r)
            except EOFError:
                return
            try:
                if cmd[0] == "layout":
                    _send(msg_w, ("layout", part.layout(cmd[1])))
                elif cmd[0] == "paint":
                    _send(msg_w, ("pdf", part.paint(lambda fonts: _send(msg_w, ("fonts", glyphs_of(fonts))))))
                    return
                else:
                    return
            except BaseException as e:                    # noqa: BLE001 - reported to the parent
                _send(msg_w, ("error", f"{type(e).__name__}: {e}"))
                return

    def command(self, *cmd) -> None:
        _send(self.cmd_w, cmd)

    def expect(self, kind):
        try:
            got, value = _recv(self.msg_r)
        except (EOFError, OSError, pickle.UnpicklingError) as e:
            raise _ChildFailed(f"PDF part process ended ({e!r})") from None
        if got != kind:
            # an error of WeasyPrint's in the child is raised again by the in-process attempt
            raise _ChildFailed(value if got == "error" else f"unexpected {got}")
        return value

    def close(self) -> None:
        for fd in (self.cmd_w, self.msg_r):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(self.pid, 9)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _die_with_parent(parent: int) -> None:                # pragma: no cover - runs in the child
    """Linux: end this process when the one that forked it ends (killed on Ctrl-C, SIGTERM)."""
    try:
        import ctypes
        import signal
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)      # PR_SET_PDEATHSIG
    except (OSError, AttributeError, ValueError):
        pass
    if os.getppid() != parent:                           # it ended before the line above
        os._exit(1)


def can_fork() -> bool:
    if os.environ.get("DISCLOSURE_GEN_PDF_PARTS_FORK", "").strip().lower() in ("0", "off", "no", "false"):
        return False
    if not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return False
    return multiprocessing.parent_process() is None      # a batch worker: the cores are taken


# ---- predictions ---------------------------------------------------------------------------------
def _prediction_key(p: Plan, css: list[str]) -> str:
    from .. import cache
    return cache.key("pdfparts", 1, css, [sorted(i) for i in p.ids], p.hrefs)


def _predicted(key: str) -> Numbers | None:
    from .. import cache
    raw = cache.get("pdfparts", key)
    if raw is None:
        return None
    try:
        d = json.loads(raw)
        n = Numbers(int(d["offset"]), {str(k): int(v) for k, v in d["anchors"].items()})
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not all(0 <= v <= 100_000 for v in (n.offset, *n.anchors.values())):
        return None                                       # not from a render of ours
    return n


def _remember(key: str, n: Numbers) -> None:
    from .. import cache
    cache.put("pdfparts", key, json.dumps({"offset": n.offset, "anchors": n.anchors},
                                          sort_keys=True).encode())
    cache.prune("pdfparts", 200)


# ---- the whole --------------------------------------------------------------------------------------
def render_pdf(html: str, assets: dict, css: list[str], metadata, identifier: bytes,
               fork: bool | None = None) -> bytes | None:
    """The joined PDF, or None when this document is to be laid out whole (see the module text).
    `metadata(doc)` sets dates on the WeasyPrint document of the first part."""
    p = plan(html, css)
    if p is None:
        return None
    try:
        import pikepdf  # noqa: F401
    except ImportError:                                   # pragma: no cover - a dependency
        return None
    key = _prediction_key(p, css)
    try:
        if can_fork() if fork is None else fork:
            try:
                return _render(p, key, assets, css, metadata, identifier, fork=True)
            except _ChildFailed:
                pass        # the second process died (memory, a signal): both parts here, same bytes
        return _render(p, key, assets, css, metadata, identifier, fork=False)
    except (_Unsupported, AttributeError, ImportError) as e:
        # a WeasyPrint whose internals differ from those this module reads: lay the document out whole
        _debug(f"laid out whole: {type(e).__name__}: {e}")
        return None


class _Unsupported(RuntimeError):
    """This WeasyPrint does not do what the two-part layout relies on."""


def _render(p: Plan, key: str, assets, css, metadata, identifier, fork: bool) -> bytes | None:
    guess = _predicted(key) or Numbers()
    m1, stubs1 = part_markup(p, 0)
    m2, _ = part_markup(p, 1)
    part1, part2 = _Part(m1, assets, css), _Part(m2, assets, css)
    child = _Child(part2) if fork else None
    try:
        used = [guess, guess]
        css2 = used[1].css(p, 1)
        if child:
            child.command("layout", css2)
        info1 = part1.layout(used[0].css(p, 0))
        _debug(f"part 1 laid out: {len(info1)} pages")
        info2 = child.expect("layout") if child else part2.layout(css2)
        _debug(f"part 2 laid out: {len(info2)} pages")
        for _round in range(MAX_ROUNDS):
            actual = settle(p, used, [info1, info2])
            ok1 = _consistent(p, 0, used[0], actual)
            ok2 = _consistent(p, 1, used[1], actual)
            if ok1 and ok2:
                break
            _debug(f"numbers wrong in part {'1' if not ok1 else ''}{'2' if not ok2 else ''}: again")
            if not ok2:
                used[1] = actual
                css2 = actual.css(p, 1)
                if child:
                    child.command("layout", css2)
            if not ok1:
                used[0] = actual
                info1 = part1.layout(actual.css(p, 0))
            if not ok2:
                info2 = child.expect("layout") if child else part2.layout(css2)
        else:
            return None                                   # the numbers do not settle: lay out whole
        _remember(key, actual)
        # the first part's font subsets also get the glyphs of the second part (see the module text)
        merged = []

        def merge(fonts, glyphs):
            add_glyphs(fonts, glyphs)
            merged.append(bool(glyphs))

        if child:
            child.command("paint")
            pdf1 = part1.paint(lambda fonts: merge(fonts, child.expect("fonts")), metadata, identifier)
            pdf2 = child.expect("pdf")
        else:
            got = {}
            pdf2 = part2.paint(lambda fonts: got.update(glyphs_of(fonts)))
            pdf1 = part1.paint(lambda fonts: merge(fonts, got), metadata, identifier)
        if merged != [True]:
            raise _Unsupported("the font subsets were not built where expected")
        _debug("painted")
        data = join(pdf1, pdf2, info1, info2, stubs1)
        _debug("joined")
        return data
    finally:
        if child:
            child.close()


def join(pdf1: bytes, pdf2: bytes, info1, info2, stubs1: set[str]) -> bytes:
    import pikepdf
    a = pikepdf.Pdf.open(io.BytesIO(pdf1))
    b = pikepdf.Pdf.open(io.BytesIO(pdf2))
    n1 = len(a.pages)
    fonts_a = _fonts_dict(a)
    fonts_b = _fonts_dict(b)
    shared = [k for k in fonts_b.keys() if fonts_a is not None and k in fonts_a] if fonts_b is not None else []
    for k in shared:                                      # one subset of each font for the whole file
        del fonts_b[k]
    index_b = {page.obj.objgen: i for i, page in enumerate(b.pages)}
    dests_b = _dests(b)
    a.pages.extend(b.pages)
    if shared:
        fonts_new = _fonts_dict(a, n1)
        for k in shared:
            fonts_new[k] = fonts_a[k]
    # named destinations: part 1's own, then part 2's on the appended pages
    names = {}
    for name, dest in _dests(a).items():
        if name not in stubs1:
            names[name] = dest
    for name, dest in dests_b.items():
        page = index_b.get(dest[0].objgen) if len(dest) and isinstance(dest[0], pikepdf.Dictionary) else None
        if page is None:
            continue
        names.setdefault(name, pikepdf.Array([a.pages[n1 + page].obj, *list(dest)[1:]]))
    if names:
        arr = pikepdf.Array()
        for name in sorted(names):
            arr.append(pikepdf.String(name))
            arr.append(names[name])
        if "/Names" not in a.Root:
            a.Root.Names = pikepdf.Dictionary()
        a.Root.Names.Dests = pikepdf.Dictionary(Names=arr)
    _outline(a, [*info1, *info2])
    out = io.BytesIO()
    a.save(out, deterministic_id=True, stream_decode_level=pikepdf.StreamDecodeLevel.none,
           object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return out.getvalue()


def _fonts_dict(pdf, page: int = 0):
    try:
        return pdf.pages[page].obj.Resources.Font
    except (AttributeError, KeyError, IndexError):
        return None


def _dests(pdf) -> dict:
    import pikepdf
    try:
        arr = pdf.Root.Names.Dests.Names
    except (AttributeError, KeyError):
        return {}
    out = {}
    for i in range(0, len(arr) - 1, 2):
        out[str(arr[i])] = arr[i + 1] if isinstance(arr[i + 1], pikepdf.Array) else pikepdf.Array()
    return out


def _outline(pdf, infos) -> None:
    """The outline of the joined file, as WeasyPrint makes and writes it (anchors.py)."""
    import pikepdf
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    class _Page:
        def __init__(self, bookmarks):
            self.bookmarks = bookmarks

    root, skipped, last_by_depth, previous = [], [], None, 0
    last_by_depth = [root]
    scale = 0.75
    for number, (_ops, _anchors, bookmarks, height) in enumerate(infos):
        previous = make_page_bookmark_tree(_Page(bookmarks), skipped, last_by_depth, previous, number,
                                           Matrix(a=scale, d=-scale, f=height * scale))
    if "/Outlines" in pdf.Root:
        del pdf.Root["/Outlines"]
    if not root:
        return

    def add(items, parent):
        count = len(items)
        made = []
        for title, (page, x, y), children, state in items:
            o = pdf.make_indirect(pikepdf.Dictionary(
                Title=pikepdf.String(title),
                Dest=pikepdf.Array([pdf.pages[page].obj, pikepdf.Name.XYZ, x, y, 0])))
            kids, kids_count = add(children, o)
            o.Count = -kids_count if state == "closed" else kids_count
            if state != "closed":
                count += kids_count
            if made:
                o.Prev = made[-1]
                made[-1].Next = o
            if kids:
                o.First, o.Last = kids[0], kids[-1]
            if parent is not None:
                o.Parent = parent
            made.append(o)
        return made, count

    made, count = add(root, None)
    top = pdf.make_indirect(pikepdf.Dictionary(Count=count, First=made[0], Last=made[-1]))
    for o in made:
        o.Parent = top
    pdf.Root.Outlines = top
