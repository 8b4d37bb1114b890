"""Markup → DOCX.

python-docx provides the package (parts, relationships, images, header/footer parts, core
properties); the body is written as WordprocessingML text and parsed once (the per-cell python-docx
API is far too slow for ~20 tables). Mapping:

- each <section> → a DOCX section starting on a new page, A4 portrait or landscape;
- h1/h2/h3 → Heading 1/2/3 (outline levels 0-2); p → Normal (2-character first-line indent) unless
  .noindent/.center/.right; .note → 表注;
- table.data → a fixed-layout table, grid from the colgroup percentages, colspan → gridSpan,
  rowspan → vMerge, thead rows repeat (tblHeader), no row splits across pages (cantSplit);
- img → inline picture of the .png with the same stem as the (SVG) src; figcaption → centred line;
- section.toc → a TOC field prefilled with the entries (hyperlink + PAGEREF to bookmarks on the
  targets), refreshed by Word/WPS on opening (settings updateFields);
- footer with a PAGE field on body sections (cover and 目录 have none; body numbering starts at 1);
- draft → a red header 草稿（存在校验错误） on every section.

The package starts from the style's reference document (docx_reference.py, templates/<style>/
reference.docx): its styles (正文, 标题 1–3, 目录 1–3, 页脚, 表题, 表头, 表格文字, 表注, 图题 …), page
setup and settings. Paragraphs name a style; runs carry only what the markup means (bold, the 合计-row
character style), never a font or size, so restyling in Word changes all text of a kind.
Output is byte-for-byte deterministic: fixed core properties and zip timestamps, stable order.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache

from .markup import DRAFT_TEXT, classes, col_width_percent, is_draft, strip_illegal

# ---- geometry (twips: 1/20 pt) and fonts: the page setup and the styles come from the reference
# document (docx_reference.py); these names stay for callers that ask for the defaults
from .docx_reference import A4_LONG, A4_SHORT, DEFAULT_PAGES, FOOTER_DIST, HEADER_DIST, LATIN, MARGINS, SANS, SERIF, PageSetup, page_setup_from

SVG_BLIP_EXT = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"          # Office 2016 SVG picture extension
ASVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
EMU_PER_TWIP = 635
PICTURE_WIDTH_EMU = 14 * 360000           # 14 cm

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSDECLS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
)

BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "table", "figure", "ul", "ol", "li",
    "figcaption", "blockquote", "article", "aside", "main", "header", "footer", "nav", "pre", "dl",
    "dt", "dd", "hr", "address", "details", "summary", "form", "fieldset", "center", "img",
}
SKIP_TAGS = {"script", "style", "head", "title", "meta", "link", "template", "noscript", "colgroup",
             "col", "object", "embed", "iframe", "svg", "math", "base"}
BOLD_TAGS = {"b", "strong"}
HEADING_LEVEL = {"h1": 1, "h2": 2, "h3": 3, "h4": 3, "h5": 3, "h6": 3}


@dataclass(frozen=True)
class Tweaks:
    """Per-style adjustments (the DOCX counterpart of a style's print.css)."""
    body_size: int = 21          # half-points: 10.5 pt
    note_size: int = 18          # 9 pt
    table_size: int = 18         # 9 pt
    compact_size: int = 16       # 8 pt
    perf_size: int = 17          # 8.5 pt
    table_line: float = 1.3      # exact line height of table cells, × font size (same in Word, WPS, LibreOffice)
    perf_line: float = 1.3       # the same for 绩效目标表 cells (a style's print.css may make them denser)
    cover_title_size: int = 52   # 26 pt
    cover_subtitle_size: int = 44
    table_title_size: int = 30   # 15 pt
    toc_line: int = 400          # twips: 20 pt, as base.css's 1.9 × 10.5 pt
    toc_gap: int = 80            # twips above a part (toc-1) line
    cell_pad: tuple = (30, 60)   # twips (top/bottom, left/right) inside table cells: base.css's 1.5pt 3pt
    compact_pad: tuple = (20, 30)   # table.compact: 1pt 1.5pt
    perf_pad: tuple = (30, 60)   # 绩效目标表 cells (a style's print.css may make them tighter)


def tweaks_from(style_docx: dict | None) -> Tweaks:
    """The `docx:` block of a style's style.yaml (the DOCX counterpart of its print.css); unknown keys
    are an error for the style's author, never ignored."""
    given = dict(style_docx or {})
    known = {f.name for f in fields(Tweaks)}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ValueError(f"style.yaml docx: unknown keys {unknown}; known: {sorted(known)}")
    for k in ("cell_pad", "compact_pad", "perf_pad"):
        if k in given:
            given[k] = tuple(int(v) for v in given[k])
    return Tweaks(**given)


_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_WS = re.compile(r"[ \t\n\r\f\v]+")


def esc(text: str) -> str:
    return text.translate(_ESC)


# ---- run / paragraph XML ---------------------------------------------------------------------------
# Runs carry no fonts or sizes (their paragraph's style does); only what the markup means: bold, and the
# character style of a 合计/小计 row.
@lru_cache(maxsize=16)
def rpr(bold: bool = False, style: str | None = None) -> str:
    if not bold and not style:
        return ""
    return ("<w:rPr>" + (f'<w:rStyle w:val="{style}"/>' if style else "")
            + ("<w:b/><w:bCs/>" if bold else "") + "</w:rPr>")


@dataclass
class Run:
    text: str
    bold: bool = False
    br: bool = False          # a line break instead of text


def runs_xml(runs: list[Run], *, bold=False, style: str | None = None) -> str:
    out = []
    for r in runs:
        props = rpr(bold or r.bold, style)
        if r.br:
            out.append(f"<w:r>{props}<w:br/></w:r>")
        elif r.text:
            out.append(f'<w:r>{props}<w:t xml:space="preserve">{esc(r.text)}</w:t></w:r>')
    return "".join(out)


def text_run(text: str, **kw) -> str:
    return runs_xml([Run(text)], **kw)


@dataclass
class PFmt:
    """Paragraph properties, emitted in schema order."""
    style: str | None = None
    keep_next: bool = False
    page_break_before: bool = False
    tabs: str = ""                      # ready-made <w:tab .../> elements
    spacing: str = ""                   # ready-made <w:spacing .../>
    first_line_chars: int | None = None
    left: int | None = None
    jc: str | None = None
    outline: int | None = None
    sect: str = ""                      # <w:sectPr> when this paragraph ends a section

    def xml(self) -> str:
        p = []
        if self.style:
            p.append(f'<w:pStyle w:val="{self.style}"/>')
        if self.keep_next:
            p.append("<w:keepNext/>")
        if self.page_break_before:
            p.append("<w:pageBreakBefore/>")
        if self.tabs:
            p.append(f"<w:tabs>{self.tabs}</w:tabs>")
        if self.spacing:
            p.append(self.spacing)
        if self.first_line_chars is not None or self.left is not None:
            ind = []
            if self.left is not None:
                ind.append(f'w:left="{self.left}"')
            if self.first_line_chars is not None:
                fl = self.first_line_chars
                ind.append(f'w:firstLineChars="{fl}" w:firstLine="{fl * 21 // 10}"' if fl
                           else 'w:firstLineChars="0" w:firstLine="0"')
            p.append(f"<w:ind {' '.join(ind)}/>")
        if self.jc:
            p.append(f'<w:jc w:val="{self.jc}"/>')
        if self.outline is not None:
            p.append(f'<w:outlineLvl w:val="{self.outline}"/>')
        if self.sect:
            p.append(self.sect)
        return f"<w:pPr>{''.join(p)}</w:pPr>" if p else ""


@dataclass
class Para:
    content: str
    fmt: PFmt
    marks: list

    def xml(self) -> str:
        return paragraph(self.content, self.fmt, self.marks)


def paragraph(content: str, fmt: PFmt, bookmarks: list[tuple[int, str]] = ()) -> str:
    starts = "".join(f'<w:bookmarkStart w:id="{i}" w:name="{n}"/>' for i, n in bookmarks)
    ends = "".join(f'<w:bookmarkEnd w:id="{i}"/>' for i, _n in bookmarks)
    return f"<w:p>{fmt.xml()}{starts}{content}{ends}</w:p>"


# The 目录 is built from TC fields only (\f with their identifier, levels 1-3), one placed at each entry's
# target with the entry's printed text: a field update in Word or LibreOffice rebuilds the same entries at
# the same levels, where \o/\u (headings and outline levels) would drop the 表一… prefixes of the entries
# and add every other heading.
TOC_ID = "C"
TOC_INSTR = f'TOC \\f {TOC_ID} \\l "1-3" \\h \\z'


def tc_field(text: str, level: int) -> str:
    """A TC field (a 目录 entry mark; it prints nothing)."""
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> TC "{esc(quoted)}" \\f {TOC_ID} \\l {level} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def field_runs(instr: str, result: str = "") -> str:
    props = ""
    res = f'<w:r>{props}<w:t xml:space="preserve">{esc(result)}</w:t></w:r>' if result else ""
    return (f'<w:r>{props}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{props}<w:instrText xml:space="preserve"> {esc(instr)} </w:instrText></w:r>'
            f'<w:r>{props}<w:fldChar w:fldCharType="separate"/></w:r>{res}'
            f'<w:r>{props}<w:fldChar w:fldCharType="end"/></w:r>')


# ---- inline content --------------------------------------------------------------------------------
def _is_element(node) -> bool:
    return isinstance(node.tag, str)


def inline_runs(el, bold: bool = False) -> list[Run]:
    """The text of `el` as runs (whitespace collapsed like HTML, <br> → line break, <b> → bold)."""
    out: list[Run] = []

    def walk(node, b):
        if node.text:
            out.append(Run(node.text, b))
        for child in node:
            if _is_element(child):
                tag = child.tag.lower()
                if tag == "br":
                    out.append(Run("", br=True))
                elif tag in SKIP_TAGS:
                    pass
                elif tag == "img":
                    pass
                else:
                    walk(child, b or tag in BOLD_TAGS)
            if child.tail:
                out.append(Run(child.tail, b))

    walk(el, bold)
    return normalize_runs(out)


def normalize_runs(runs: list[Run]) -> list[Run]:
    """Collapse white space across runs, trim at the ends and around line breaks, merge neighbours."""
    res: list[Run] = []
    prev_space = True                    # at the start, leading space is dropped
    for r in runs:
        if r.br:
            if res and not res[-1].br:
                res[-1].text = res[-1].text.rstrip(" ")
            res.append(Run("", br=True))
            prev_space = True
            continue
        t = _WS.sub(" ", r.text)
        if prev_space:
            t = t.lstrip(" ")
        if not t:
            continue
        prev_space = t.endswith(" ")
        if res and not res[-1].br and res[-1].bold == r.bold:
            res[-1].text += t
        else:
            res.append(Run(t, r.bold))
    while res and res[-1].br:
        res.pop()
    if res:
        res[-1].text = res[-1].text.rstrip(" ")
        if not res[-1].text and not res[-1].br:
            res.pop()
    return res


def plain_text(el) -> str:
    return "".join(r.text if not r.br else "\n" for r in inline_runs(el))


def has_block_child(el) -> bool:
    for d in el.iterdescendants():
        if _is_element(d) and d.tag.lower() in BLOCK_TAGS:
            return True
    return False


# ---- sections ------------------------------------------------------------------------------------------
@dataclass
class SectionInfo:
    orient: str = "portrait"
    front: bool = False              # cover / 目录: no page number
    first_body: bool = False         # body numbering restarts at 1 here
    parts: list = field(default_factory=list)          # Para or table XML (str)
    setup: PageSetup | None = None                      # from the reference document

    @property
    def ps(self) -> PageSetup:
        return self.setup or DEFAULT_PAGES[self.orient]

    @property
    def page(self) -> tuple[int, int]:
        return self.ps.width, self.ps.height

    @property
    def text_width(self) -> int:
        return self.ps.text_width

    @property
    def text_height(self) -> int:
        return self.ps.text_height


class Builder:
    def __init__(self, assets: dict[str, bytes], pages: dict[str, PageSetup], doc_part, draft_rid: str | None,
                 footer_rid: str, empty_footer_rid: str, pdf_pages=None, tweaks: Tweaks | None = None):
        self.assets = assets
        self.t = tweaks or Tweaks()
        self.pages = pages
        self.pdf = pdf_pages                                 # pagemap.PageMap of the PDF, or None
        self.printed: dict[str, int] = {}                    # id → page number printed in the PDF
        self.part = doc_part
        self.draft_rid = draft_rid
        self.footer_rid = footer_rid
        self.empty_footer_rid = empty_footer_rid
        self.sections: list[SectionInfo] = []
        self.sec: SectionInfo | None = None
        self.last_table = False
        self.pending_break = False
        self.pending_marks: list[tuple[int, str]] = []
        self.pending_tc = ""                                 # TC field(s) of 目录 entries for the next paragraph
        self.entries: dict[str, tuple[str, int]] = {}       # element id → (目录 entry text, level)
        self.marked: set[str] = set()                       # bookmarks already placed
        self.targets: dict[str, tuple[str, int]] = {}       # element id → (bookmark name, toc level)
        self.outline_for: dict = {}                          # element → outline level (lxml proxies
                                                             # are stable while referenced)
        self.bookmark_no = 0
        self.shape_no = 0
        self.svg_parts: dict[bytes, str] = {}
        self.seen_body = False
        self.metrics: dict = {}                              # styleId → (size, first-line, side indents) pt
        self.cell_pad_h = 0                                  # twips left and right inside the current table's cells

    def unlone(self, runs: list[Run], style: str, width: int) -> list[Run]:
        """The runs of a paragraph of `style` in `width` twips, with a line break where its last line would
        hold one character alone (docx_lines.py)."""
        if style not in self.metrics:
            return runs
        from .docx_lines import no_lone_runs
        size, first, side = self.metrics[style]
        return no_lone_runs(runs, width / 20 - side, size, first)

    # -- output primitives
    def emit_p(self, content: str, fmt: PFmt, el=None):
        if self.pending_break:
            fmt = replace(fmt, page_break_before=True)
            self.pending_break = False
        if el is not None and el in self.outline_for and fmt.outline is None:
            fmt = replace(fmt, outline=self.outline_for.pop(el))
        marks, self.pending_marks = self.pending_marks, []
        if self.pending_tc:
            content, self.pending_tc = self.pending_tc + content, ""
        self.sec.parts.append(Para(content, fmt, marks))
        self.last_table = False

    def emit_table(self, xml: str):
        if self.pending_break or self.last_table or self.pending_marks:
            # a paragraph separates adjacent tables (Word would merge them) and carries a page break
            # or bookmarks (which cannot sit directly before a table row)
            self.emit_p("", PFmt(style="Spacer"))
        self.sec.parts.append(xml)
        self.last_table = True

    # -- document
    def build(self, body) -> list[SectionInfo]:
        import lxml.html

        self.collect_targets(body)
        # top-level content outside <section> elements goes into implicit portrait sections
        wrapper = None

        def flush():
            nonlocal wrapper
            if wrapper is not None and (len(wrapper) or (wrapper.text or "").strip()):
                self.section_from(wrapper)
            wrapper = None

        wrapper = lxml.html.Element("div")
        wrapper.text = body.text
        for child in list(body):
            if _is_element(child) and child.tag.lower() == "section":
                tail, child.tail = child.tail, None
                flush()
                self.section_from(child)
                wrapper = lxml.html.Element("div")
                wrapper.text = tail
            else:
                wrapper.append(child)          # moves the node (tail included)
        flush()
        if not self.sections:
            self.section_from(lxml.html.Element("div"))
        return self.sections

    def collect_targets(self, body):
        ids = {}
        for el in body.iter():
            if _is_element(el) and el.get("id"):
                ids.setdefault(el.get("id"), el)
        if self.pdf:
            # printed page numbers: the PDF's page counter starts at 1 on the first body page (front
            # sections, cover and 目录, do not count)
            def front(el):
                return any(a.tag == "section" and classes(a) & {"cover", "toc"} for a in el.iterancestors())
            body_pages = [self.pdf.pages[i] for i, el in ids.items() if i in self.pdf.pages and not front(el)]
            if body_pages:
                first = min(body_pages)
                self.printed = {i: self.pdf.pages[i] - first + 1 for i, el in ids.items()
                                if i in self.pdf.pages and not front(el)}
        for li in body.xpath('.//ul[contains(concat(" ", normalize-space(@class), " "), " toc ")]/li'):
            a = li.find(".//a")
            href = (a.get("href") if a is not None else "") or ""
            if not (href.startswith("#") and href[1:] in ids and href[1:] not in self.targets):
                continue
            self.bookmark_no += 1
            level = toc_level(li)
            self.targets[href[1:]] = (f"_Toc{self.bookmark_no:08d}", level)
            self.entries[href[1:]] = (plain_text(li).replace("\n", " "), level)
            target = ids[href[1:]]
            if target.tag.lower() not in HEADING_LEVEL:
                # a table block: its title gets the entry's outline level, so an updated TOC lists it
                title = target.xpath('.//*[contains(concat(" ", normalize-space(@class), " "), " table-title ")]')
                if title:
                    self.outline_for[title[0]] = level - 1

        # navigation pane: without a 目录, every table title is a level-3 entry; a paragraph may name its
        # level itself (data-level="1".."3", as its CSS bookmark-level)
        if not self.targets:
            for title in body.xpath('.//*[contains(concat(" ", normalize-space(@class), " "), " table-title ")]'):
                self.outline_for.setdefault(title, 2)
        for el in body.xpath(".//*[@data-level]"):
            lvl = _int(el.get("data-level"), 0)
            if 1 <= lvl <= 3:
                self.outline_for[el] = lvl - 1

    def section_from(self, el):
        cls = classes(el) if el.tag.lower() == "section" else set()
        orient = "landscape" if "landscape" in cls else "portrait"
        info = SectionInfo(orient=orient, front=bool(cls & {"cover", "toc"}), setup=self.pages[orient])
        if not info.front and not self.seen_body:
            info.first_body = True
            self.seen_body = True
        self.sections.append(info)
        self.sec = info
        self.last_table = False
        self.pending_break = False
        self.take_anchor(el)
        self.flow(el, ctx=frozenset(cls))
        if self.pending_marks:            # a TOC target with no paragraph after it
            self.emit_p("", PFmt(style="Spacer"))
        self.pending_break = False        # a break at the very end of a section is implied

    # -- block flow
    def flow(self, el, ctx):
        """Children of a container: blocks in order, loose inline content gathered into paragraphs."""
        inline: list[Run] = []
        if el.text:
            inline.append(Run(el.text))
        for child in el:
            if _is_element(child):
                tag = child.tag.lower()
                if tag in BLOCK_TAGS or tag in SKIP_TAGS:
                    self.flush_inline(inline, ctx)
                    inline = []
                    self.block(child, ctx)
                elif tag == "br":
                    inline.append(Run("", br=True))
                elif has_block_child(child):
                    self.flush_inline(inline, ctx)
                    inline = []
                    self.block(child, ctx)
                else:
                    self.take_anchor(child)
                    inline.extend(inline_runs(child, child.tag.lower() in BOLD_TAGS))
            if child.tail:
                inline.append(Run(child.tail))
        self.flush_inline(inline, ctx)

    def flush_inline(self, inline: list[Run], ctx):
        runs = normalize_runs(inline)
        if runs:
            self.emit_p(runs_xml(runs), body_fmt(set()))

    def take_anchor(self, el):
        """Queue a bookmark if this element is a TOC target; break the page before it where the PDF does."""
        i = el.get("id")
        if (i and self.pdf and self.sec is not None and self.sec.parts
                and self.pdf.opens(i, {o: ps.top / 20 for o, ps in self.pages.items()})):
            self.pending_break = True
        if i and i in self.targets and i not in self.marked:
            self.marked.add(i)
            name, _level = self.targets[i]
            self.pending_marks.append((int(name[4:]), name))
            text, level = self.entries[i]
            self.pending_tc += tc_field(text, level)

    def block(self, el, ctx):
        if not _is_element(el):
            return
        tag = el.tag.lower()
        if tag in SKIP_TAGS:
            return
        cls = classes(el)
        self.take_anchor(el)
        if tag in HEADING_LEVEL:
            self.heading(el, tag, cls, ctx)
        elif tag == "p":
            self.para(el, cls, ctx)
        elif tag == "table":
            self.table(el, cls)
        elif tag == "img":
            self.image(el)
        elif tag == "ul" and "toc" in cls:
            self.toc(el)
        elif tag in ("ul", "ol"):
            self.list_(el, tag)
        elif tag == "div" and "page-break" in cls:
            self.pending_break = True
        elif tag == "div" and "table-meta" in cls:
            self.table_meta(el)
        elif tag == "figcaption":
            self.emit_p(runs_xml(inline_runs(el)), PFmt(style="FigureCaption"), el)
        elif tag == "hr":
            pass
        elif tag == "figure" or has_block_child(el):
            self.flow(el, ctx | cls)
        else:
            runs = inline_runs(el)
            if runs:
                self.emit_p(runs_xml(runs), body_fmt(cls), el)

    def heading(self, el, tag, cls, ctx):
        runs = inline_runs(el)
        if "toc-heading" in cls or "toc" in ctx:
            self.emit_p(runs_xml(runs), PFmt(style="TOCHeading"), el)
            return
        style = f"Heading{HEADING_LEVEL[tag]}"
        self.emit_p(runs_xml(self.unlone(runs, style, self.sec.text_width)), PFmt(style=style), el)

    def para(self, el, cls, ctx):
        runs = inline_runs(el)
        named = next((sid for c, sid in _PARA_STYLES if c in cls), None)
        if named:
            self.emit_p(runs_xml(self.unlone(runs, named, self.sec.text_width)), PFmt(style=named), el)
        elif not runs:
            return
        elif "note" in cls:
            self.emit_p(runs_xml(runs), PFmt(style="TableNote"), el)
        elif "cover" in ctx:
            self.emit_p(runs_xml(runs), PFmt(style="CoverSubtitle"), el)
        else:
            self.emit_p(runs_xml(runs), body_fmt(cls), el)

    def table_meta(self, el):
        left = right = ""
        other = []
        for child in el:
            if not _is_element(child):
                continue
            c = classes(child)
            text = plain_text(child)
            if "meta-right" in c:
                right = text
            elif "meta-left" in c:
                left = text
            else:
                other.append(text)
        left = " ".join(x for x in [left, *other] if x)
        w = self.sec.text_width
        content = text_run(left) if left else ""
        if right:
            content += "<w:r><w:tab/></w:r>" + text_run(right)
        self.emit_p(content, PFmt(style="TableMeta", tabs=f'<w:tab w:val="right" w:pos="{w}"/>'), el)

    def list_(self, el, tag):
        n = 0
        for li in el:
            if not _is_element(li) or li.tag.lower() != "li":
                continue
            n += 1
            self.take_anchor(li)
            prefix = f"{n}. " if tag == "ol" else "· "
            runs = inline_runs(li)
            if runs:
                self.emit_p(runs_xml([Run(prefix)] + runs), PFmt(), li)

    # -- table of contents
    def toc(self, el):
        items = [li for li in el if _is_element(li) and li.tag.lower() == "li"]
        w = self.sec.text_width
        tabs = f'<w:tab w:val="right" w:leader="dot" w:pos="{w}"/>'
        style_pos = self.pages["portrait"].text_width   # where the TOC styles put their tab
        if w != style_pos:
            tabs = f'<w:tab w:val="clear" w:pos="{style_pos}"/>' + tabs
        begin = ('<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
                 f'<w:r><w:instrText xml:space="preserve"> {TOC_INSTR} </w:instrText></w:r>'
                 '<w:r><w:fldChar w:fldCharType="separate"/></w:r>')
        end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
        if not items:
            self.emit_p(begin + text_run("（打开文档时更新目录）") + end, PFmt(style="TOC1"))
            return
        for i, li in enumerate(items):
            level = toc_level(li)
            a = li.find(".//a")
            href = (a.get("href") or "") if a is not None else ""
            text = plain_text(li).replace("\n", " ")
            inner = text_run(text)
            target = self.targets.get(href[1:]) if href.startswith("#") else None
            if target:
                name = target[0]
                number = self.printed.get(href[1:])
                inner += "<w:r><w:tab/></w:r>" + field_runs(f"PAGEREF {name} \\h", str(number) if number else "")
                inner = f'<w:hyperlink w:anchor="{name}" w:history="1">{inner}</w:hyperlink>'
            content = (begin if i == 0 else "") + inner + (end if i == len(items) - 1 else "")
            self.emit_p(content, PFmt(style=f"TOC{level}", tabs=tabs))

    # -- images
    def image(self, el):
        src = el.get("src") or ""
        alt = el.get("alt") or ""
        name = src.rsplit("/", 1)[-1].split("?", 1)[0]
        stem, dot, ext = name.rpartition(".")
        candidates = ([f"{stem}.png"] if dot else []) + [name] + ([f"{stem}.jpg", f"{stem}.jpeg"] if dot else [])
        data = next((self.assets[c] for c in candidates
                     if c in self.assets and c.rpartition(".")[2].lower() in ("png", "jpg", "jpeg", "gif", "bmp")), None)
        if data is None:
            if alt:
                self.emit_p(text_run(alt), PFmt(style="Figure"), el)
            return
        try:
            rid, image = self.part.get_or_add_image(io.BytesIO(data))
        except Exception:                     # unreadable image: keep the document, show the alt text
            if alt:
                self.emit_p(text_run(alt), PFmt(style="Figure"), el)
            return
        px_w, px_h = max(1, image.px_width), max(1, image.px_height)
        width = re.search(r"(?:^|;)\s*width:\s*([\d.]+)mm", el.get("style") or "")
        wanted = int(float(width.group(1)) * 36000) if width else PICTURE_WIDTH_EMU     # the markup's width (mm)
        max_w = min(wanted, self.sec.text_width * EMU_PER_TWIP)
        max_h = int(self.sec.text_height * EMU_PER_TWIP * 0.6)
        cx = max_w
        cy = int(cx * px_h / px_w)
        if cy > max_h:
            cy = max_h
            cx = int(cy * px_w / px_h)
        self.shape_no += 1
        n = self.shape_no
        fname = esc(name)
        svg = self.assets.get(f"{stem}.svg") if dot else None
        blip = f'<a:blip r:embed="{rid}"/>'
        if svg:      # the vector drawing, with the PNG as the fallback of readers without SVG
            blip = (f'<a:blip r:embed="{rid}"><a:extLst><a:ext uri="{SVG_BLIP_EXT}">'
                    f'<asvg:svgBlip xmlns:asvg="{ASVG_NS}" r:embed="{self.svg_rid(svg)}"/>'
                    '</a:ext></a:extLst></a:blip>')
        drawing = (
            f'<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{n}" name="图片 {n}" descr="{esc(alt)}"/>'
            '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
            '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            f'<pic:pic><pic:nvPicPr><pic:cNvPr id="{n}" name="{fname}"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill>{blip}<a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>'
            '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'
        )
        self.emit_p(drawing, PFmt(style="Figure"), el)

    def svg_rid(self, data: bytes) -> str:
        """Relationship id of an SVG image part (python-docx has no SVG image type: a plain part)."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part
        if data not in self.svg_parts:
            uri = PackURI(f"/word/media/vector{len(self.svg_parts) + 1}.svg")
            part = Part(uri, "image/svg+xml", data, self.part.package)
            self.svg_parts[data] = self.part.relate_to(part, RT.IMAGE)
        return self.svg_parts[data]

    # -- tables
    def table(self, el, cls):
        caption = el.find("caption")
        if caption is not None:
            self.emit_p(runs_xml(self.unlone(inline_runs(caption), "TableTitle", self.sec.text_width)),
                        PFmt(style="TableTitle"))
        kind = "Compact" if "compact" in cls else "Perf" if "perf" in cls else ""
        size = (f"TableText{kind}" if kind != "Perf" else "PerfText",
                f"TableHeading{kind}" if kind != "Perf" else "PerfHeading")        # paragraph styles
        pad_v, pad_h = (self.t.compact_pad if kind == "Compact" else self.t.perf_pad if kind == "Perf"
                        else self.t.cell_pad)
        self.cell_pad_h = pad_h
        line = None
        rows: list[tuple[object, bool]] = []
        keep: set[int] = set()
        foot: list[tuple[object, bool]] = []
        for child in el:
            if not _is_element(child):
                continue
            tag = child.tag.lower()
            if tag == "thead":
                rows += [(tr, True) for tr in child if _is_element(tr) and tr.tag.lower() == "tr"]
            elif tag == "tbody":
                group = [tr for tr in child if _is_element(tr) and tr.tag.lower() == "tr"]
                if "keep-together" in classes(child):      # rows of one group stay on one page:
                    keep.update(id(tr) for tr in group[:-1])   # each keeps with the next
                rows += [(tr, False) for tr in group]
            elif tag == "tfoot":
                foot += [(tr, False) for tr in child if _is_element(tr) and tr.tag.lower() == "tr"]
            elif tag == "tr":
                rows.append((child, False))
        rows += foot
        # header rows must come first to repeat: only a leading run of thead rows is marked
        leading_head = 0
        for _tr, head in rows:
            if not head:
                break
            leading_head += 1

        percents = []
        for col in el.iter("col"):
            span = _int(col.get("span"), 1)
            percents += [col_width_percent(col.get("style")) or col_width_percent(f"width:{col.get('width', '')}")] * span

        # grid: cells with their positions
        layout = []            # per row: list of (col, span, cell_el or None, kind) kind: cell/cont/fill
        pending: dict[tuple[int, int], tuple[int, object]] = {}
        ncols = len(percents)
        for r, (tr, _head) in enumerate(rows):
            cells = [c for c in tr if _is_element(c) and c.tag.lower() in ("td", "th")]
            items = []
            c = 0

            def take_pending():
                nonlocal c
                while (r, c) in pending:
                    span, origin = pending.pop((r, c))
                    items.append((c, span, origin, "cont"))
                    c += span

            for cell in cells:
                take_pending()
                cs = max(1, min(_int(cell.get("colspan"), 1), 1000))
                rs = max(1, min(_int(cell.get("rowspan"), 1), len(rows) - r))
                items.append((c, cs, cell, "restart" if rs > 1 else "cell"))
                for k in range(1, rs):
                    pending[(r + k, c)] = (cs, cell)
                c += cs
            take_pending()
            # continuation cells further right (after gaps)
            for (pr, pc) in sorted(k for k in pending if k[0] == r):
                span, origin = pending.pop((pr, pc))
                while c < pc:
                    items.append((c, 1, None, "fill"))
                    c += 1
                items.append((pc, span, origin, "cont"))
                c = pc + span
            layout.append(items)
            ncols = max(ncols, c)
        ncols = max(ncols, 1)

        widths = grid_widths(percents, ncols, self.sec.text_width)
        total = sum(widths)
        out = [f'<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
               '<w:tblBorders>' + "".join(f'<w:{b} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                                          for b in ("top", "left", "bottom", "right", "insideH", "insideV")) +
               '</w:tblBorders><w:tblLayout w:type="fixed"/>'
               f'<w:tblCellMar><w:top w:w="{pad_v}" w:type="dxa"/><w:left w:w="{pad_h}" w:type="dxa"/>'
               f'<w:bottom w:w="{pad_v}" w:type="dxa"/><w:right w:w="{pad_h}" w:type="dxa"/></w:tblCellMar>'
               '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
               '</w:tblPr><w:tblGrid>']
        out += [f'<w:gridCol w:w="{w}"/>' for w in widths]
        out.append("</w:tblGrid>")
        for r, ((tr, _h), items) in enumerate(zip(rows, layout)):
            rcls = classes(tr)
            strong = bool(rcls & {"total", "subtotal"})
            head = r < leading_head
            out.append("<w:tr><w:trPr><w:cantSplit/>" + ("<w:tblHeader/>" if head else "") + "</w:trPr>")
            c_end = 0
            for c, span, cell, kind in items:
                span = min(span, ncols - c) if c < ncols else 1
                w = sum(widths[c:c + span]) if c < ncols else widths[-1]
                c_end = c + span
                out.append(self.cell_xml(cell, kind, span, w, size, strong, line, id(tr) in keep))
            while c_end < ncols:
                out.append(self.cell_xml(None, "fill", 1, widths[c_end], size, strong, line, id(tr) in keep))
                c_end += 1
            out.append("</w:tr>")
        out.append("</w:tbl>")
        self.emit_table("".join(out))

    def cell_xml(self, cell, kind, span, width, size, strong, line, keep=False) -> str:
        tcpr = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
        if span > 1:
            tcpr.append(f'<w:gridSpan w:val="{span}"/>')
        if kind == "restart":
            tcpr.append('<w:vMerge w:val="restart"/>')
        elif kind == "cont":
            tcpr.append("<w:vMerge/>")
        ccls = classes(cell) if cell is not None else set()
        if ccls & {"num", "code"}:
            tcpr.append("<w:noWrap/>")
        tcpr.append('<w:vAlign w:val="center"/>')
        head = cell is not None and cell.tag.lower() == "th"
        if head or "center" in ccls:
            jc = "center"
        elif "num" in ccls:
            jc = "right"
        else:
            jc = "left"
        text_style, head_style = size
        fmt = (f'<w:pPr><w:pStyle w:val="{head_style if head else text_style}"/>' + ("<w:keepNext/>" if keep else "")
               + f'<w:jc w:val="{jc}"/></w:pPr>')
        paras = []
        if kind in ("cell", "restart") and cell is not None:
            char = "TotalText" if strong and not head and "num" not in ccls else None
            pstyle = head_style if head else text_style
            for runs in cell_paragraphs(cell):
                runs = self.unlone(runs, pstyle, width - 2 * self.cell_pad_h)
                paras.append(f"<w:p>{fmt}{runs_xml(runs, style=char)}</w:p>")
        if not paras:
            paras.append(f"<w:p>{fmt}</w:p>")
        return f"<w:tc><w:tcPr>{''.join(tcpr)}</w:tcPr>{''.join(paras)}</w:tc>"

    # -- section properties
    def sect_pr(self, info: SectionInfo) -> str:
        ps = info.ps
        refs = ""
        if self.draft_rid:
            refs += f'<w:headerReference w:type="default" r:id="{self.draft_rid}"/>'
        refs += f'<w:footerReference w:type="default" r:id="{self.empty_footer_rid if info.front else self.footer_rid}"/>'
        orient = ' w:orient="landscape"' if ps.landscape else ""
        num = '<w:pgNumType w:start="1"/>' if info.first_body else ""
        return (f'<w:sectPr>{refs}<w:type w:val="nextPage"/><w:pgSz w:w="{ps.width}" w:h="{ps.height}"{orient}/>'
                f'<w:pgMar w:top="{ps.top}" w:right="{ps.right}" w:bottom="{ps.bottom}" w:left="{ps.left}" '
                f'w:header="{ps.header}" w:footer="{ps.footer}" w:gutter="0"/>{num}'
                '<w:cols w:space="425"/><w:docGrid w:linePitch="312"/></w:sectPr>')


# paragraph classes of the markup → the style that prints them
_PARA_STYLES = (("cover-title", "CoverTitle"), ("cover-subtitle", "CoverSubtitle"), ("table-label", "TableLabel"),
                ("table-title", "TableTitle"), ("table-subtitle", "TableSubtitle"))


def toc_level(li) -> int:
    c = classes(li)
    return 1 if "toc-1" in c else 3 if "toc-3" in c else 2


def body_fmt(cls: set[str]) -> PFmt:
    """正文 (style Normal, first-line indent of two characters) with the markup's alignment."""
    if "center" in cls:
        return PFmt(first_line_chars=0, jc="center")
    if "right" in cls:
        return PFmt(first_line_chars=0, jc="right")
    if "noindent" in cls:
        return PFmt(first_line_chars=0)
    return PFmt()


def cell_paragraphs(cell) -> list[list[Run]]:
    """A cell's text as paragraphs: one per block child (p, div, li…), else one with line breaks."""
    if not has_block_child(cell):
        return [inline_runs(cell, cell.tag.lower() in BOLD_TAGS)]
    out, loose = [], []
    if cell.text:
        loose.append(Run(cell.text))
    for child in cell:
        if _is_element(child) and child.tag.lower() in BLOCK_TAGS:
            if normalize_runs(loose):
                out.append(normalize_runs(loose))
            loose = []
            if has_block_child(child):
                out += [r for r in cell_paragraphs(child) if r]
            else:
                runs = inline_runs(child)
                if runs:
                    out.append(runs)
        elif _is_element(child) and child.tag.lower() == "br":
            loose.append(Run("", br=True))
        elif _is_element(child) and child.tag.lower() not in SKIP_TAGS:
            loose += inline_runs(child, child.tag.lower() in BOLD_TAGS)
            loose.append(Run(""))
        if child.tail:
            loose.append(Run(child.tail))
    if normalize_runs(loose):
        out.append(normalize_runs(loose))
    return out


def grid_widths(percents: list, ncols: int, total: int) -> list[int]:
    """Column widths in twips from percentages (missing ones share what is left), summing to `total`."""
    p = list(percents[:ncols]) + [None] * (ncols - len(percents))
    known = sum(x for x in p if x)
    missing = [i for i, x in enumerate(p) if not x]
    if missing:
        rest = max(100.0 - known, 5.0 * len(missing))
        for i in missing:
            p[i] = rest / len(missing)
    s = sum(p) or 1.0
    widths = [max(1, int(total * x / s)) for x in p]
    widths[-1] += total - sum(widths)
    if widths[-1] < 1:
        widths[-1] = 1
    return widths


def _int(v, default: int) -> int:
    if v is None:
        return default
    try:
        return int(str(v).strip())
    except (TypeError, ValueError):
        return default


# ---- package-level settings ----------------------------------------------------------------------
_SETTINGS_AFTER_UPDATE = {"hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
                          "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                          "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade",
                          "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
                          "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"}


def setup_settings(doc):
    from docx.oxml import parse_xml
    s = doc.settings.element
    w = f"{{{W_NS}}}"
    for old in s.findall(f"{w}updateFields"):
        s.remove(old)
    upd = parse_xml(f'<w:updateFields xmlns:w="{W_NS}" w:val="true"/>')
    for i, child in enumerate(s):
        local = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
        if local in _SETTINGS_AFTER_UPDATE:
            s.insert(i, upd)
            break
    else:
        s.append(upd)
    for tfl in s.findall(f"{w}themeFontLang"):
        tfl.set(f"{w}val", "en-US")
        tfl.set(f"{w}eastAsia", "zh-CN")
    for dts in s.findall(f"{w}defaultTabStop"):
        dts.set(f"{w}val", "420")


# fontTable entries let Word/WPS substitute a Chinese font (GB2312 charset 86) where SimSun/SimHei are missing
_CJK_FONTS = (
    '<w:font w:name="SimSun"><w:altName w:val="宋体"/><w:panose1 w:val="02010600030101010101"/>'
    '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/>'
    '<w:sig w:usb0="00000003" w:usb1="288F0000" w:usb2="00000016" w:usb3="00000000" w:csb0="00040001" w:csb1="00000000"/></w:font>'
    '<w:font w:name="SimHei"><w:altName w:val="黑体"/><w:panose1 w:val="02010609060101010101"/>'
    '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/>'
    '<w:sig w:usb0="800002BF" w:usb1="38CF7CFA" w:usb2="00000016" w:usb3="00000000" w:csb0="00040001" w:csb1="00000000"/></w:font>'
)


def setup_package(doc):
    """Drop template parts we do not use and declare the CJK fonts in the font table."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):          # the template's thumbnail shows an empty page
        if rel.reltype == RT.THUMBNAIL:
            pkg.rels.pop(rid)
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):   # Word 2010 copy of styles.xml
            doc.part.rels.pop(rid)                                        # (theme fonts); empty custom XML
        elif rel.reltype == RT.FONT_TABLE and not rel.is_external:
            part = rel.target_part
            blob = part.blob
            if b'w:name="SimSun"' not in blob and b"</w:fonts>" in blob:
                part._blob = blob.replace(b"</w:fonts>", _CJK_FONTS.encode("utf-8") + b"</w:fonts>")


def _fill_story(part, paragraph_xml: str):
    """Replace the content of a header/footer part with the given paragraph(s)."""
    from docx.oxml import parse_xml
    el = part.element
    for child in list(el):
        el.remove(child)
    frag = parse_xml(f"<w:root {NSDECLS}>{paragraph_xml}</w:root>")
    for child in list(frag):
        el.append(child)


# ---- entry point -------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def default_reference(tweaks: Tweaks) -> bytes:
    """The reference document of these settings, built in memory (a style without reference.docx)."""
    from .docx_reference import build_reference
    return build_reference(tweaks)


def render_docx(html: str, assets: dict[str, bytes], *, draft: bool = False, tweaks: dict | None = None,
                reference: bytes | None = None, pdf: bytes | None = None) -> bytes:
    """Render the markup to DOCX bytes (deterministic), starting from `reference` (a style's
    reference.docx: its styles, page setup and settings) or, without one, from the reference
    document built from `tweaks`. Given the PDF of the same markup, the 目录 is prefilled with its
    page numbers and the DOCX breaks its pages where the PDF does before an anchor (pagemap.py)."""
    import lxml.html
    from docx import Document
    from docx.oxml import parse_xml

    html = strip_illegal(html or "")
    draft = is_draft(html, draft)
    settings = tweaks_from(tweaks)
    if reference is None:
        reference = default_reference(settings)
    assets = assets or {}

    root = lxml.html.document_fromstring(html) if html.strip() else lxml.html.document_fromstring("<html><body></body></html>")
    body = root.find("body")
    if body is None:
        body = root

    doc = Document(io.BytesIO(reference))
    pages = page_setup_from(doc.element)
    setup_settings(doc)
    setup_package(doc)
    for rel_id, rel in list(doc.part.rels.items()):       # the reference's own header/footer parts
        if rel.reltype.endswith(("/header", "/footer")):
            doc.part.rels.pop(rel_id)

    # header (draft) and footer parts, shared by all sections
    part = doc.part
    footer_part, footer_rid = part.add_footer_part()
    _fill_story(footer_part, paragraph(field_runs("PAGE", "1"), PFmt(style="Footer")))
    empty_part, empty_rid = part.add_footer_part()
    _fill_story(empty_part, paragraph("", PFmt(style="Footer")))
    draft_rid = None
    if draft:
        header_part, draft_rid = part.add_header_part()
        _fill_story(header_part, paragraph(text_run(DRAFT_TEXT), PFmt(style="DraftMark")))

    from .pagemap import page_map
    builder = Builder(assets, pages, part, draft_rid, footer_rid, empty_rid, page_map(pdf) if pdf else None,
                      settings)
    from .docx_lines import style_metrics
    builder.metrics = style_metrics(doc.styles.element)
    sections = builder.build(body)

    chunks = []
    for i, info in enumerate(sections):
        parts = list(info.parts)
        sect = builder.sect_pr(info)
        if i == len(sections) - 1:          # the last section's properties close the body
            chunks += [p if isinstance(p, str) else p.xml() for p in parts]
            chunks.append(sect)
            break
        # a section ends with the paragraph carrying its sectPr (an extra tiny one after a table)
        if parts and isinstance(parts[-1], Para):
            last = parts[-1]
            parts[-1] = Para(last.content, replace(last.fmt, sect=sect), last.marks)
        else:
            parts.append(Para("", PFmt(style="Spacer", sect=sect), []))
        chunks += [p if isinstance(p, str) else p.xml() for p in parts]

    # the whole document part is parsed from one string: moving thousands of parsed nodes into the
    # template's tree costs far more than parsing
    old = doc.part.element
    nsmap = {**{k: v for k, v in old.nsmap.items() if k}, **dict(re.findall(r'xmlns:(\w+)="([^"]+)"', NSDECLS))}
    decls = " ".join(f'xmlns:{k}="{v}"' for k, v in sorted(nsmap.items()))
    ignorable = old.get("{http://schemas.openxmlformats.org/markup-compatibility/2006}Ignorable")
    ign = f' mc:Ignorable="{ignorable}"' if ignorable and "xmlns:mc=" in decls else ""
    doc.part._element = parse_xml(f"<w:document {decls}{ign}><w:body>{''.join(chunks)}</w:body></w:document>")

    from . import docmeta
    meta = docmeta.from_markup(root, plain_text)
    created, when = docmeta.dates(meta)
    cp = doc.core_properties
    cp.title = meta.title
    cp.author = meta.author
    cp.last_modified_by = meta.author
    cp.comments = ""
    cp.subject = meta.subject
    cp.keywords = meta.keywords
    cp.category = ""
    cp.language = "zh-CN"
    cp.revision = 1
    cp.created = created
    cp.modified = when
    docmeta.set_app_properties(doc)

    raw = io.BytesIO()
    doc.save(raw)
    return normalize_zip(raw.getvalue(), when)


def normalize_zip(data: bytes, when) -> bytes:
    """Rewrite the package with fixed timestamps and attributes, [Content_Types].xml first."""
    stamp = (max(1980, min(when.year, 2107)), when.month, when.day, when.hour, when.minute, when.second // 2 * 2)
    if when.year < 1980:
        stamp = (1980, 1, 1, 0, 0, 0)
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    names.sort(key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            z.writestr(info, src.read(name), compresslevel=6)
    return out.getvalue()
