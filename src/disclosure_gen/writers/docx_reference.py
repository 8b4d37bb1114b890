"""A style's reference document (templates/<style>/reference.docx), as Pandoc uses one.

It holds every Word style the DOCX writer names (正文, 标题 1–3, 目录 1–3, 页脚, 表题, 表头, 表格文字,
表注, 图题 …) and the page setup (a portrait section, then a landscape one). The writer starts from it
and emits style names only, so a change to a style — in the reference document or in Word afterwards —
changes all text of that kind. It is generated from the style's `docx:` settings in style.yaml by
scripts/make_reference_docx.py, byte for byte reproducible.

Built-in styles keep their English names (Normal, heading 1, toc 1, footer …): Word and WPS show them
as 正文, 标题 1, 目录 1, 页脚 and Word's TOC field finds the headings by them. Styles of our own carry
Chinese names.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LATIN = "Times New Roman"
SERIF = "SimSun"                          # 宋体
SANS = "SimHei"                           # 黑体

A4_SHORT, A4_LONG = 11906, 16838


def mm(v: float) -> int:
    """Millimetres → twips."""
    return round(v * 1440 / 25.4)


# (top, right, bottom, left), as base.css's @page rules
MARGINS = {
    "portrait": (mm(25), mm(20), mm(22), mm(20)),
    "landscape": (mm(18), mm(18), mm(18), mm(18)),
}
HEADER_DIST, FOOTER_DIST = mm(12), mm(10)


@dataclass(frozen=True)
class PageSetup:
    """Page size and margins (twips) of one orientation."""
    width: int
    height: int
    top: int
    right: int
    bottom: int
    left: int
    header: int = HEADER_DIST
    footer: int = FOOTER_DIST

    @property
    def text_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def text_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def landscape(self) -> bool:
        return self.width > self.height


DEFAULT_PAGES = {
    "portrait": PageSetup(A4_SHORT, A4_LONG, *MARGINS["portrait"]),
    "landscape": PageSetup(A4_LONG, A4_SHORT, *MARGINS["landscape"]),
}


def page_setup_from(doc_element) -> dict[str, PageSetup]:
    """The portrait and landscape page setup of a reference document's body (its sectPr elements);
    an orientation it lacks is the other one turned, or the default."""
    w = f"{{{W_NS}}}"
    found: dict[str, PageSetup] = {}
    for sect in doc_element.iter(f"{w}sectPr"):
        sz, mar = sect.find(f"{w}pgSz"), sect.find(f"{w}pgMar")
        if sz is None or mar is None:
            continue
        try:
            ps = PageSetup(int(sz.get(f"{w}w")), int(sz.get(f"{w}h")),
                           *(int(mar.get(f"{w}{k}")) for k in ("top", "right", "bottom", "left")),
                           header=int(mar.get(f"{w}header") or HEADER_DIST),
                           footer=int(mar.get(f"{w}footer") or FOOTER_DIST))
        except (TypeError, ValueError):
            continue
        found.setdefault("landscape" if ps.landscape else "portrait", ps)
    if "portrait" not in found:
        found["portrait"] = DEFAULT_PAGES["portrait"]
    if "landscape" not in found:
        found["landscape"] = DEFAULT_PAGES["landscape"]
    return found


# ---- styles ------------------------------------------------------------------------------------------
def fonts(ea: str) -> str:
    return f'<w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{ea}" w:cs="{LATIN}" w:hint="eastAsia"/>'


def _sz(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


_NO_IND = '<w:ind w:firstLineChars="0" w:firstLine="0"/>'


def _style(style_id, name, ptype="paragraph", *, based_on="Normal", next_=None, ppr="", rpr="", ui=None,
           qformat=True, default=False, link=None) -> str:
    return (f'<w:style w:type="{ptype}" w:styleId="{style_id}"' + (' w:default="1"' if default else "") + ">"
            f'<w:name w:val="{name}"/>' + (f'<w:basedOn w:val="{based_on}"/>' if based_on else "")
            + (f'<w:next w:val="{next_}"/>' if next_ else "")
            + (f'<w:link w:val="{link}"/>' if link else "")
            + (f'<w:uiPriority w:val="{ui}"/>' if ui is not None else "")
            + ("<w:qFormat/>" if qformat else "")
            + (f"<w:pPr>{ppr}</w:pPr>" if ppr else "") + (f"<w:rPr>{rpr}</w:rPr>" if rpr else "")
            + "</w:style>")


def _line(size_half_points: int, factor: float) -> str:
    """An exact line height of `factor` × the font size (same in Word, WPS and LibreOffice)."""
    return f'w:line="{round(size_half_points * 10 * factor)}" w:lineRule="exact"'


# style ids the writer uses (name in the reference document → what it is for)
STYLE_NAMES = {
    "Normal": "Normal",                    # 正文
    "Heading1": "heading 1", "Heading2": "heading 2", "Heading3": "heading 3",   # 标题 1–3
    "TOCHeading": "TOC Heading",           # 目录标题
    "TOC1": "toc 1", "TOC2": "toc 2", "TOC3": "toc 3",                            # 目录 1–3
    "Header": "header", "Footer": "footer",                                       # 页眉、页脚
    "CoverTitle": "封面标题", "CoverSubtitle": "封面副标题",
    "TableLabel": "表号", "TableTitle": "表题", "TableSubtitle": "表副题", "TableMeta": "表上说明",
    "TableHeading": "表头", "TableText": "表格文字",
    "TableHeadingCompact": "表头（紧凑）", "TableTextCompact": "表格文字（紧凑）",
    "PerfHeading": "绩效表表头", "PerfText": "绩效表文字",
    "TableNote": "表注", "Figure": "图", "FigureCaption": "图题",
    "DraftMark": "草稿标记", "Spacer": "分隔段",
    "TotalText": "合计行文字",             # character style: 合计/小计 rows in 黑体
}


def styles_xml(t, pages: dict[str, PageSetup]) -> str:
    """styles.xml of a reference document from a style's DOCX settings (`t`: docx.Tweaks)."""
    portrait = pages["portrait"]
    toc_width = portrait.text_width
    black = '<w:color w:val="000000"/>'
    body = t.body_size
    s = [
        _style("Normal", "Normal", based_on=None, default=True,
               ppr='<w:widowControl/><w:spacing w:before="0" w:after="60" w:line="336" w:lineRule="atLeast"/>'
                   '<w:ind w:firstLineChars="200" w:firstLine="420"/><w:jc w:val="both"/>',
               rpr=fonts(SERIF) + _sz(body)),
        _style("Heading1", "heading 1", next_="Normal", ui=9,
               ppr='<w:keepNext/><w:keepLines/><w:spacing w:before="120" w:after="240" w:line="240" w:lineRule="auto"/>'
                   f'{_NO_IND}<w:jc w:val="center"/><w:outlineLvl w:val="0"/>',
               rpr=fonts(SANS) + black + _sz(32)),
        _style("Heading2", "heading 2", next_="Normal", ui=9,
               ppr='<w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="120" w:line="240" w:lineRule="auto"/>'
                   '<w:ind w:firstLineChars="200" w:firstLine="560"/><w:jc w:val="left"/><w:outlineLvl w:val="1"/>',
               rpr=fonts(SANS) + black + _sz(28)),
        _style("Heading3", "heading 3", next_="Normal", ui=9,
               ppr='<w:keepNext/><w:keepLines/><w:spacing w:before="160" w:after="80" w:line="240" w:lineRule="auto"/>'
                   '<w:ind w:firstLineChars="200" w:firstLine="480"/><w:jc w:val="left"/><w:outlineLvl w:val="2"/>',
               rpr=fonts(SANS) + black + _sz(24)),
        _style("TOCHeading", "TOC Heading", based_on="Heading1", next_="Normal", ui=39,
               ppr='<w:spacing w:before="0" w:after="360"/><w:jc w:val="center"/><w:outlineLvl w:val="9"/>',
               rpr=fonts(SANS) + black + _sz(32)),
    ]
    tab = f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{toc_width}"/></w:tabs>'
    for level, indent in ((1, 0), (2, 420), (3, 840)):
        s.append(_style(f"TOC{level}", f"toc {level}", next_="Normal", ui=39, qformat=False,
                        ppr=f'{tab}<w:spacing w:before="{t.toc_gap if level == 1 else 0}" w:after="0" '
                            f'w:line="{t.toc_line}" w:lineRule="exact"/>'
                            f'<w:ind w:left="{indent}" w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="left"/>',
                        rpr=fonts(SANS if level == 1 else SERIF) + _sz(body)))
    center_tabs = (f'<w:tabs><w:tab w:val="center" w:pos="{toc_width // 2}"/>'
                   f'<w:tab w:val="right" w:pos="{toc_width}"/></w:tabs>')
    tight = '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
    s += [
        _style("Header", "header", ui=99, qformat=False, link=None,
               ppr=f'{center_tabs}{tight}{_NO_IND}<w:jc w:val="center"/>', rpr=_sz(18)),
        _style("Footer", "footer", ui=99, qformat=False,
               ppr=f'{center_tabs}{tight}{_NO_IND}<w:jc w:val="center"/>', rpr=_sz(18)),
        _style("CoverTitle", STYLE_NAMES["CoverTitle"], ui=10,
               ppr=f'<w:spacing w:before="{round(portrait.text_height * 0.30)}" w:after="0"/>{_NO_IND}<w:jc w:val="center"/>',
               rpr=fonts(SANS) + _sz(t.cover_title_size)),
        _style("CoverSubtitle", STYLE_NAMES["CoverSubtitle"], ui=11,
               ppr=f'<w:spacing w:before="400" w:after="0"/>{_NO_IND}<w:jc w:val="center"/>',
               rpr=fonts(SANS) + _sz(t.cover_subtitle_size)),
        _style("TableLabel", STYLE_NAMES["TableLabel"], ui=20,
               ppr=f'<w:keepNext/><w:spacing w:before="0" w:after="0"/>{_NO_IND}<w:jc w:val="left"/>',
               rpr=fonts(SANS) + _sz(body)),
        _style("TableTitle", STYLE_NAMES["TableTitle"], ui=20,
               ppr=f'<w:keepNext/><w:spacing w:before="0" w:after="120"/>{_NO_IND}<w:jc w:val="center"/>',
               rpr=fonts(SANS) + _sz(t.table_title_size)),
        _style("TableSubtitle", STYLE_NAMES["TableSubtitle"], ui=20,
               ppr=f'<w:keepNext/><w:spacing w:before="0" w:after="0"/>{_NO_IND}<w:jc w:val="center"/>',
               rpr=_sz(body)),
        _style("TableMeta", STYLE_NAMES["TableMeta"], ui=20,
               ppr=f'<w:keepNext/><w:spacing w:before="0" w:after="0"/>{_NO_IND}<w:jc w:val="left"/>',
               rpr=_sz(t.note_size)),
        _style("TableText", STYLE_NAMES["TableText"], ui=21,
               ppr=f'<w:widowControl w:val="0"/><w:spacing w:before="0" w:after="0" {_line(t.table_size, t.table_line)}/>'
                   f'{_NO_IND}<w:jc w:val="left"/>',
               rpr=_sz(t.table_size)),
        _style("TableHeading", STYLE_NAMES["TableHeading"], based_on="TableText", ui=21,
               ppr='<w:jc w:val="center"/>', rpr=fonts(SANS)),
        _style("TableTextCompact", STYLE_NAMES["TableTextCompact"], based_on="TableText", ui=21,
               ppr=f'<w:spacing w:before="0" w:after="0" {_line(t.compact_size, t.table_line)}/>',
               rpr=_sz(t.compact_size)),
        _style("TableHeadingCompact", STYLE_NAMES["TableHeadingCompact"], based_on="TableTextCompact", ui=21,
               ppr='<w:jc w:val="center"/>', rpr=fonts(SANS)),
        _style("PerfText", STYLE_NAMES["PerfText"], based_on="TableText", ui=21,
               ppr=f'<w:spacing w:before="0" w:after="0" {_line(t.perf_size, t.perf_line)}/>',
               rpr=_sz(t.perf_size)),
        _style("PerfHeading", STYLE_NAMES["PerfHeading"], based_on="PerfText", ui=21,
               ppr='<w:jc w:val="center"/>', rpr=fonts(SANS)),
        _style("TableNote", STYLE_NAMES["TableNote"], ui=22,
               ppr=f'<w:spacing w:before="60" w:after="60"/>{_NO_IND}', rpr=_sz(t.note_size)),
        _style("Figure", STYLE_NAMES["Figure"], ui=23,
               ppr=f'<w:spacing w:before="120" w:after="60" w:line="240" w:lineRule="auto"/>{_NO_IND}<w:jc w:val="center"/>'),
        _style("FigureCaption", STYLE_NAMES["FigureCaption"], ui=23,
               ppr=f'<w:keepNext/><w:spacing w:before="60" w:after="120"/>{_NO_IND}<w:jc w:val="center"/>'),
        _style("DraftMark", STYLE_NAMES["DraftMark"], based_on="Header", ui=99,
               rpr=fonts(SANS) + '<w:color w:val="C00000"/>' + _sz(28)),
        _style("Spacer", STYLE_NAMES["Spacer"], ui=99, qformat=False,
               ppr=f'{tight}{_NO_IND}', rpr=_sz(2)),
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>',
        _style("TotalText", STYLE_NAMES["TotalText"], "character", based_on="DefaultParagraphFont", ui=24,
               rpr=fonts(SANS)),
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
        '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>',
    ]
    defaults = (f'<w:docDefaults><w:rPrDefault><w:rPr>{fonts(SERIF)}<w:kern w:val="2"/>{_sz(body)}'
                '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
                '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
                "</w:docDefaults>")
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:styles xmlns:w="{W_NS}">'
            + defaults + '<w:latentStyles w:defLockedState="0" w:defUIPriority="99" w:defSemiHidden="0" '
            'w:defUnhideWhenUsed="0" w:defQFormat="0" w:count="376"/>' + "".join(s) + "</w:styles>")


# ---- the reference document --------------------------------------------------------------------------
def sect_pr(ps: PageSetup, extra: str = "") -> str:
    orient = ' w:orient="landscape"' if ps.landscape else ""
    return (f'<w:sectPr>{extra}<w:type w:val="nextPage"/><w:pgSz w:w="{ps.width}" w:h="{ps.height}"{orient}/>'
            f'<w:pgMar w:top="{ps.top}" w:right="{ps.right}" w:bottom="{ps.bottom}" w:left="{ps.left}" '
            f'w:header="{ps.header}" w:footer="{ps.footer}" w:gutter="0"/>'
            '<w:cols w:space="425"/><w:docGrid w:linePitch="312"/></w:sectPr>')


_SAMPLES = [   # (style id, sample text) shown in the reference document
    ("CoverTitle", "封面标题"), ("CoverSubtitle", "封面副标题"), ("TOCHeading", "目 录"),
    ("TOC1", "目录 1\t1"), ("TOC2", "目录 2\t1"), ("TOC3", "目录 3\t1"),
    ("Heading1", "标题 1"), ("Heading2", "标题 2"), ("Heading3", "标题 3"),
    ("Normal", "正文：每段首行缩进两个字符。修改本样式即修改全部正文。"),
    ("TableLabel", "表号"), ("TableTitle", "表题"), ("TableSubtitle", "表副题"), ("TableMeta", "表上说明（单位：万元）"),
    ("TableHeading", "表头"), ("TableText", "表格文字"), ("TableHeadingCompact", "表头（紧凑）"),
    ("TableTextCompact", "表格文字（紧凑）"), ("PerfHeading", "绩效表表头"), ("PerfText", "绩效表文字"),
    ("TableNote", "表注"), ("FigureCaption", "图题"), ("Figure", "图"),
]


def reference_body(pages: dict[str, PageSetup]) -> str:
    def p(style, text, extra=""):
        runs = "".join(
            ("<w:r><w:tab/></w:r>" if i else "") + (f'<w:r><w:t xml:space="preserve">{part}</w:t></w:r>' if part else "")
            for i, part in enumerate(text.split("\t")))
        return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{extra}</w:pPr>{runs}</w:p>'
    body = [p(sid, text) for sid, text in _SAMPLES]
    body.append(p("Normal", "以上为纵向页面；下一节为横向页面（表格页）。", sect_pr(pages["portrait"])))
    body.append(p("Normal", "横向页面。"))
    return "".join(body) + sect_pr(pages["landscape"])


def build_reference(tweaks) -> bytes:
    """The reference document of a style's DOCX settings (docx.Tweaks), deterministic."""
    from docx import Document
    from docx.oxml import parse_xml

    from .docx import NSDECLS, normalize_zip, setup_package
    from .markup import FIXED_EPOCH
    import datetime as _dt

    pages = dict(DEFAULT_PAGES)
    doc = Document()
    setup_package(doc)
    doc.part._styles_part._element = parse_xml(styles_xml(tweaks, pages).encode("utf-8"))
    setup_reference_settings(doc)
    doc.part._element = parse_xml(f"<w:document {NSDECLS}><w:body>{reference_body(pages)}</w:body></w:document>")
    when = _dt.datetime.fromtimestamp(FIXED_EPOCH, tz=_dt.timezone.utc).replace(tzinfo=None)
    cp = doc.core_properties
    cp.title = "样式参考文档"
    cp.author = cp.last_modified_by = cp.comments = cp.subject = cp.keywords = cp.category = ""
    cp.language = "zh-CN"
    cp.revision = 1
    cp.created = cp.modified = when
    from .docmeta import set_app_properties
    set_app_properties(doc)
    raw = io.BytesIO()
    doc.save(raw)
    return normalize_zip(raw.getvalue(), when)


COMPAT_MODE = 15                      # Word 2013 and later (the current mode)


def setup_reference_settings(doc):
    """Settings of a current Word: compatibility mode 15, Chinese theme font language, 2-character tabs."""
    s = doc.settings.element
    w = f"{{{W_NS}}}"
    for compat in s.findall(f"{w}compat"):
        for cs in compat.findall(f"{w}compatSetting"):
            if cs.get(f"{w}name") == "compatibilityMode":
                cs.set(f"{w}val", str(COMPAT_MODE))
    for rsids in s.findall(f"{w}rsids"):
        s.remove(rsids)
    for tfl in s.findall(f"{w}themeFontLang"):
        tfl.set(f"{w}val", "en-US")
        tfl.set(f"{w}eastAsia", "zh-CN")
    for dts in s.findall(f"{w}defaultTabStop"):
        dts.set(f"{w}val", "420")
