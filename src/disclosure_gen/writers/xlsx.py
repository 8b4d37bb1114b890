"""XLSX writer: the 公开表 of the document markup as one workbook (openpyxl).

It reads the same HTML the PDF and DOCX writers read, and knows nothing about any particular table:
- every `div.table-block` (except the per-project 绩效目标表: `.perf-block`, and the Hubei 表12 of
  per-project 申报表, `.perf-forms`) → one sheet, in
  document order, named after the table's label (预算公开表3 / 预算03表) or else its title;
- rows: label, title (merged across the table), meta line (单位名称… left, 单位：万元 right), the
  header rows of <thead> (colspan/rowspan → merged cells, repeated on every printed page), the body
  rows (bold for total/subtotal rows), then the notes;
- `td.num` cells are stored as numbers (Decimal → exact 2-decimal value) with the style's number
  format (`#,##0.00` when the style prints thousands separators in tables, else `0.00`); a blank cell
  (how the style prints zero) stays blank; codes (`td.code`) stay text;
- print setup: A4, landscape when the table's <section> is landscape, fit to one page wide.
"""
from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal, InvalidOperation

from .markup import build_datetime, classes, strip_illegal

# per-project 绩效目标表 / 申报表: not 公开表 of their own, not exported (see the module docstring)
PER_PROJECT = {"perf-block", "perf-forms"}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_NUM = re.compile(r"^-?[\d,]+(?:\.\d+)?%?$")


def _text(el) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip() if el is not None else ""


def _int(v, default=1) -> int:
    try:
        return max(1, min(int(v), 1000))
    except (TypeError, ValueError):
        return default


def _number(text: str):
    """'1,157.13' → Decimal('1157.13'); None when the cell is not a plain figure."""
    s = text.strip()
    if not s or not _NUM.match(s) or s.endswith("%"):
        return None
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:
        return None


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, none of []:*?/\\)."""
    base = _SHEET_BAD.sub("_", strip_illegal(text)).strip("'") or "表"
    base = base[:31]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f"({n})"
        name = base[:31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


class Table:
    """One table of the markup, laid out on a grid."""

    def __init__(self, block, orient: str, label: str):
        self.orient = orient
        self.label = label or _text(block.find(".//p[@class='table-label']"))
        self.title = ""
        self.meta_left = self.meta_right = ""
        self.notes: list[str] = []
        self.widths: list[float] = []
        self.head: list = []
        self.body: list = []
        for child in block:
            if not isinstance(child.tag, str):
                continue
            c = classes(child)
            tag = child.tag.lower()
            if tag == "p" and "table-title" in c:
                self.title = _text(child)
            elif tag == "p" and "note" in c:
                self.notes.append(_text(child))
            elif "table-meta" in c:
                for span in child:
                    if not isinstance(span.tag, str):
                        continue
                    sc = classes(span)
                    if "meta-right" in sc:
                        self.meta_right = _text(span)
                    elif "meta-left" in sc:
                        self.meta_left = _text(span)
            elif tag == "table":
                self._table(child)

    def _table(self, el):
        widths: list[float] = []
        for col in el.iter("col"):
            m = re.search(r"width\s*:\s*([0-9.]+)\s*%", col.get("style") or "")
            widths += [float(m.group(1)) if m else 0.0] * _int(col.get("span"))
        if not self.widths:     # a form printed as several tables one below the other: the first one's columns
            self.widths = widths
        for part in el:
            if not isinstance(part.tag, str):
                continue
            tag = part.tag.lower()
            rows = [tr for tr in part if isinstance(tr.tag, str) and tr.tag.lower() == "tr"] if tag in (
                "thead", "tbody", "tfoot") else ([part] if tag == "tr" else [])
            (self.head if tag == "thead" else self.body).extend(rows)

    def grid(self):
        """(row index, col index, rowspan, colspan, cell element, row element) for every cell;
        rowspans occupy the cells below them (the same walk the DOCX writer makes)."""
        rows = self.head + self.body
        taken: set[tuple[int, int]] = set()
        out = []
        for r, tr in enumerate(rows):
            c = 0
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                while (r, c) in taken:
                    c += 1
                cs, rs = _int(cell.get("colspan")), min(_int(cell.get("rowspan")), len(rows) - r)
                for dr in range(rs):
                    for dc in range(cs):
                        taken.add((r + dr, c + dc))
                out.append((r, c, rs, cs, cell, tr))
                c += cs
        ncols = max([c + cs for _r, c, _rs, cs, _e, _t in out] + [len(self.widths), 1])
        return out, ncols


def render_xlsx(html: str, *, thousands: bool = True, draft: bool = False) -> bytes:
    """The document's 公开表 as an .xlsx workbook (bytes, reproducible)."""
    import lxml.html
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    root = lxml.html.document_fromstring(html) if html.strip() else lxml.html.document_fromstring("<p></p>")
    tables: list[Table] = []
    for block in root.iter("div"):
        c = classes(block)
        if "table-block" not in c or c & PER_PROJECT:
            continue
        section = next((a for a in block.iterancestors("section")), None)
        orient = "landscape" if section is not None and "landscape" in classes(section) else "portrait"
        prev = block.getprevious()
        label = _text(prev) if prev is not None and prev.tag == "p" and "table-no" in classes(prev) else ""
        tables.append(Table(block, orient, label))

    wb = Workbook()
    wb.remove(wb.active)
    fmt = "#,##0.00" if thousands else "0.00"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    taken: set[str] = set()
    for t in tables:
        ws = wb.create_sheet(sheet_name(t.label or t.title, taken))
        cells, ncols = t.grid()
        last = get_column_letter(ncols)
        r0 = 1
        top = r0 + (1 if draft else 0)       # first row after the draft banner: label or title
        if draft:
            ws.cell(r0, 1, "草稿（存在校验错误）").font = Font(bold=True, color="C00000")
            r0 += 1
        if t.label:
            ws.cell(r0, 1, t.label)
            r0 += 1
        ws.cell(r0, 1, t.title).font = Font(bold=True, size=14)
        ws.cell(r0, 1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if ncols > 1:
            ws.merge_cells(f"A{r0}:{last}{r0}")
        ws.row_dimensions[r0].height = 24
        r0 += 1
        if t.meta_left:
            ws.cell(r0, 1, t.meta_left)
        if t.meta_right:
            col = ncols if ncols > 1 or not t.meta_left else 2
            ws.cell(r0, col, t.meta_right).alignment = Alignment(horizontal="right")
        r0 += 1
        head_n = len(t.head)
        for r, c, rs, cs, el, tr in cells:
            row, col = r0 + r, 1 + c
            text = strip_illegal(_text(el))
            kind = classes(el)
            head = r < head_n or el.tag.lower() == "th"
            value = _number(text) if "num" in kind else None
            cell = ws.cell(row, col)
            if value is not None:
                cell.value = value
                cell.number_format = fmt
            elif text:
                cell.value = text
                if "code" in kind:
                    cell.number_format = "@"
            strong = head or bool(classes(tr) & {"total", "subtotal"})
            if strong:
                cell.font = Font(bold=True)
            horiz = ("center" if head or kind & {"center", "code"} else
                     "right" if "num" in kind else "left")
            cell.alignment = Alignment(horizontal=horiz, vertical="center", wrap_text=True)
            for dr in range(rs):
                for dc in range(cs):
                    ws.cell(row + dr, col + dc).border = border
            if rs > 1 or cs > 1:
                ws.merge_cells(start_row=row, start_column=col, end_row=row + rs - 1, end_column=col + cs - 1)
        end = r0 + len(t.head) + len(t.body)
        for i, note in enumerate(t.notes):
            ws.cell(end + i, 1, note).alignment = Alignment(wrap_text=False)
        # column widths from the colgroup percentages (a landscape page holds ~150 characters)
        span = 150 if t.orient == "landscape" else 100
        widths = t.widths + [0.0] * (ncols - len(t.widths))
        share = sum(widths) or 1
        for i, w in enumerate(widths[:ncols]):
            ws.column_dimensions[get_column_letter(i + 1)].width = round(max(4.0, span * (w or share / ncols) / share), 1)
        # print setup
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = t.orient
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        if head_n:
            ws.print_title_rows = f"{r0}:{r0 + head_n - 1}"
            ws.freeze_panes = ws.cell(r0 + head_n, 1)
        else:   # a form without header rows (表11 申报表): its title and meta line repeat instead
            ws.print_title_rows = f"{top}:{r0 - 1}"
    if not tables:
        wb.create_sheet("公开表").cell(1, 1, "本文件没有公开表")
    when = build_datetime().replace(tzinfo=None)
    wb.properties.creator = "disclosure-gen"
    wb.properties.created = when
    wb.properties.language = "zh-CN"
    raw = io.BytesIO()
    wb.save(raw)
    return _fixed(raw.getvalue(), when)


def _fixed(data: bytes, when) -> bytes:
    """The saved package with the save time (openpyxl stamps `now`) replaced by the build time and
    fixed zip timestamps, so the same markup gives the same bytes."""
    from .docx import normalize_zip
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            blob = src.read(name)
            if name == "docProps/core.xml":
                blob = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", blob)
            z.writestr(name, blob)
    return normalize_zip(out.getvalue(), when)
