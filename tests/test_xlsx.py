"""Excel in and out (issue 12): `render --format xlsx` and `disclosure-gen import`.

- every inputs/ file: render xlsx → import → the same figures in every table of the document;
- workbooks shaped like real budget-system exports (built here with openpyxl: split 类/款/项
  columns, amounts in 元, extra title rows, 合计 first or last, hidden and extra columns, another
  sheet order, one row per project and 资金来源) import to the same tables;
- unusable workbooks: a Chinese message, exit status 2, no file written;
- the workbook read back (openpyxl; LibreOffice when installed) shows the PDF's figures.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import lxml.html
import openpyxl
import pytest

from disclosure_gen.check import rules as check
from disclosure_gen.commands import cli
from disclosure_gen.commands import pipeline
from disclosure_gen.render import document as render
from disclosure_gen.reading import xlsx as xlsx_import
from disclosure_gen.model.budget import SANGONG_ITEMS

ROOT = Path(__file__).resolve().parents[1]
INPUTS = sorted((ROOT / "inputs").glob("*.yaml"))


# ---- shared renders ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def rendered():
    out = {}
    for p in INPUTS:
        loaded = check.load(str(p))
        blobs, _x, style = pipeline.render_loaded(loaded, formats=("html", "xlsx"))
        out[p.stem] = (loaded, style, blobs["html"].decode("utf-8"), blobs["xlsx"])
    return out


def tables(html: str) -> dict[str, list[list[str]]]:
    """Every 公开表 of the markup (the 绩效目标表 are texts, not imported): rows of cell texts,
    figures normalised (1,157.13 → 1157.13)."""
    root = lxml.html.document_fromstring(html)
    out = {}
    for b in root.iter("div"):
        c = (b.get("class") or "").split()
        t = b.find(".//table")
        if "table-block" not in c or {"perf-block", "perf-forms"} & set(c) or t is None or "perf" in (t.get("class") or ""):
            continue
        rows = []
        for tr in b.iter("tr"):
            cells = []
            for td in tr:
                text = re.sub(r"\s+", " ", "".join(td.itertext())).strip()
                if "num" in (td.get("class") or "") and text:
                    text = str(Decimal(text.replace(",", "")))
                cells.append(text)
            rows.append(cells)
        out[b.get("id")] = rows
    return out


def import_to_tables(tmp_path, files, style, name="x.yaml", extra=(), version=None):
    target = tmp_path / name
    status = cli.main(["import", *map(str, files), "-o", str(target), *extra])
    assert status == 0, f"import exit {status}"
    if version:     # an export's titles are not the document's: the author sets the style version
        text = target.read_text(encoding="utf-8")
        target.write_text(text.replace("\nagency:", f'\noptions: {{template_version: "{version}"}}\nagency:', 1),
                          encoding="utf-8")
    loaded = check.load(str(target))
    assert loaded.budget is not None and not loaded.errors, [f.format() for f in loaded.errors]
    html, _a, _d = render.render_html(loaded.facts, style)
    return loaded, tables(html)


def assert_same_tables(want: dict, got: dict):
    assert set(want) <= set(got)
    for k in want:
        assert got[k] == want[k], f"表 {k} 不同"


# ---- out: the workbook --------------------------------------------------------------------------------------
@pytest.mark.parametrize("stem", [p.stem for p in INPUTS])
def test_workbook_sheets_follow_the_document(rendered, stem):
    loaded, style, html, data = rendered[stem]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    root = lxml.html.document_fromstring(html)
    # per-project 绩效目标表 are not exported: Shanxi's `.perf-block`, and Hubei's 表12, whose per-project
    # 申报表 (`.perf-forms`) carry no table title of their own and no Shanxi-style bookmark
    blocks = [b for b in root.iter("div") if "table-block" in (b.get("class") or "").split()
              and not {"perf-block", "perf-forms"} & set((b.get("class") or "").split())]
    assert len(wb.sheetnames) == len(blocks)
    for ws, b in zip(wb.worksheets, blocks):
        title = "".join(b.find(".//p[@class='table-title']").itertext()).strip()
        values = [c.value for row in ws.iter_rows(max_row=4) for c in row if c.value]
        assert title in values                              # titled as in the document
        assert "单位：万元" in values or "perf" in (b.find(".//table").get("class") or "")
        section = next(b.iterancestors("section"))
        assert ws.page_setup.orientation == ("landscape" if "landscape" in section.get("class") else "portrait")
        assert str(ws.page_setup.paperSize) == "9" and int(ws.page_setup.fitToWidth) == 1   # A4
        assert ws.print_title_rows                          # header rows repeat on every page
        # the first header cell spanning columns is merged in the sheet
        th = b.find(".//thead/tr/th[@colspan]")
        if th is not None:
            text = "".join(th.itertext()).strip()
            merged = [r for r in ws.merged_cells.ranges if ws.cell(r.min_row, r.min_col).value == text]
            assert any(r.max_col - r.min_col + 1 == int(th.get("colspan")) for r in merged)
    names = wb.sheetnames
    # Shanxi/Henan print a label line (预算公开表1 / 预算01表) that names the sheet; Hubei prints no label, its
    # 表1. is part of the table title, so the sheet is named after that title
    assert names[0] in ("预算公开表1", "预算01表") or (style == "hubei" and names[0] == "表1.部门收支总表")


@pytest.mark.parametrize("stem", [p.stem for p in INPUTS])
def test_figures_are_numbers_in_the_styles_format(rendered, stem):
    loaded, style, html, data = rendered[stem]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    thousands = render.with_variant(render.load_style(style), loaded.budget)["numbers"]["table_thousands"]
    want = "#,##0.00" if thousands else "0.00"
    nums = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, (int, float))]
    assert nums and all(c.number_format == want for c in nums)
    # codes stay text (a leading zero is kept)
    texts = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(re.fullmatch(r"\d{3,7}", t) for t in texts)


def test_workbook_is_reproducible(rendered):
    loaded, style, html, data = rendered[INPUTS[0].stem]
    again = render.render_xlsx(html, render.with_variant(render.load_style(style), loaded.budget))
    assert again == data


def _pdf_text(loaded, style, tmp_path) -> str:
    from readback import pdf_text
    blobs, _x, _s = pipeline.render_loaded(loaded, formats=("pdf",))
    p = tmp_path / "d.pdf"
    p.write_bytes(blobs["pdf"])
    return pdf_text(p)


def _formatted(ws):
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, (int, float)):
                d = Decimal(str(c.value)).quantize(Decimal("0.01"))
                yield f"{d:,.2f}" if "," in c.number_format else f"{d:.2f}"


def test_workbook_shows_the_pdfs_figures(rendered, tmp_path):
    loaded, style, html, data = rendered["gaoping-bigdata-2026"]
    text = re.sub(r"\s+", " ", _pdf_text(loaded, style, tmp_path))
    wb = openpyxl.load_workbook(io.BytesIO(data))
    shown = [v for ws in wb.worksheets for v in _formatted(ws)]
    assert len(shown) > 50
    missing = [v for v in shown if v not in text]
    assert not missing, missing[:10]


def _calc_installed() -> bool:
    exe = shutil.which("soffice")
    if exe is None:
        return False
    program = Path(exe).resolve().parent
    return any(program.glob("libsclo.so")) or any(program.glob("sc*.dll"))


@pytest.mark.skipif(not _calc_installed(), reason="LibreOffice Calc 未安装")
def test_libreoffice_reads_the_same_figures(rendered, tmp_path):
    loaded, style, html, data = rendered["jincheng-bigdata-2023"]
    src = tmp_path / "t.xlsx"
    src.write_bytes(data)
    # one CSV per sheet (sheet -1 = all), UTF-8, formatted as displayed
    filt = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1'
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", filt,
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=180)
    wb = openpyxl.load_workbook(src)
    for ws in wb.worksheets:
        csv_file = tmp_path / f"t-{ws.title}.csv"
        assert csv_file.exists(), sorted(p.name for p in tmp_path.iterdir())
        shown = csv_file.read_text(encoding="utf-8")
        for v in _formatted(ws):
            assert v in shown, (ws.title, v)


# ---- in: round trip -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("stem", [p.stem for p in INPUTS])
def test_round_trip_gives_the_same_tables(rendered, tmp_path, stem):
    loaded, style, html, data = rendered[stem]
    book = tmp_path / "公开表.xlsx"
    book.write_bytes(data)
    new, got = import_to_tables(tmp_path, [book], style)
    assert new.budget.style == style
    assert_same_tables(tables(html), got)
    text = (tmp_path / "x.yaml").read_text(encoding="utf-8")
    assert "# 待填写" in text and "预算" in text            # placeholders and where each row came from


def test_written_file_names_sheet_and_row(rendered, tmp_path):
    loaded, style, html, data = rendered["gaoping-bigdata-2026"]
    book = tmp_path / "b.xlsx"
    book.write_bytes(data)
    res = xlsx_import.import_files([str(book)])
    line = next(ln for ln in res.text.splitlines() if '"2010450"' in ln)
    assert re.search(r"# 预算公开表\d+!第\d+行", line)
    assert any("读取" in x and "预算公开表3" in x for x in res.read)


def test_total_row_disagreeing_is_a_finding_at_its_cell(rendered, tmp_path):
    loaded, style, html, data = rendered["gaoping-bigdata-2026"]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["预算公开表3"]
    cell = next(row[2] for row in ws.iter_rows() if row[0].value == "合计")
    cell.value = float(cell.value) + 1
    book = tmp_path / "b.xlsx"
    wb.save(book)
    res = xlsx_import.import_files([str(book)])
    hits = [f for f in res.findings if f.rule == "import.total"]
    assert hits and hits[0].where == f"b.xlsx!预算公开表3!{cell.coordinate}"
    assert "≠ 明细之和" in hits[0].message
    # the details are what is taken: the tables are still those of the original
    new = check.load("x.yaml", res.text)
    assert not new.errors


# ---- in: workbooks shaped like the budget system's export -------------------------------------------------------
def _sheet(wb, title, heads, rows, *, unit="元", total_first=True, hidden=None, meta="", pre=("附件",)):
    """A sheet the way exports look: a line or two above the title, a 编制单位/单位 line, a header
    of one or two rows (tuples (text, colspan) in the first), the 合计 row first or last."""
    ws = wb.create_sheet(title[:31])
    top, sub = heads
    if hidden:      # an internal column the export hides (its figures must not be read)
        pos, at = 0, 0
        for i, (_t, span) in enumerate(top):
            if at + 1 >= hidden:
                pos = i
                break
            at += span
        top = list(top[:pos]) + [("内部编号", 1)] + list(top[pos:])
        sub = None if sub is None else list(sub[:at]) + [""] + list(sub[at:])
        rows = [list(r[:at]) + [987654.32] + list(r[at:]) for r in rows]
        hidden = at + 1
    r = 1
    for p in pre:
        ws.cell(r, 1, p)
        r += 1
    ws.cell(r, 1, title)
    r += 1
    ws.cell(r, 1, f"编制单位：{meta}")
    ws.cell(r, 5, f"单位：{unit}")
    r += 2                                            # a blank line before the header
    c = 1
    for text, span in top:
        ws.cell(r, c, text)
        if span > 1:
            ws.merge_cells(start_row=r, start_column=c, end_row=r, end_column=c + span - 1)
        elif sub is not None and not sub[c - 1]:
            ws.merge_cells(start_row=r, start_column=c, end_row=r + 1, end_column=c)
        c += span
    r += 1
    if sub is not None:
        for i, text in enumerate(sub):
            if text:
                ws.cell(r, i + 1, text)
        r += 1
    body = list(rows)
    if total_first and body and body[-1][0] == "合计":
        body = [body[-1]] + body[:-1]
    for row in body:
        for i, v in enumerate(row):
            if v is not None and v != "":
                ws.cell(r, i + 1, v)
        r += 1
    if hidden:
        ws.column_dimensions[openpyxl.utils.get_column_letter(hidden)].hidden = True
    return ws


def _y(x, unit):
    x = Decimal(x)
    if x == 0:
        return None
    return float(x * 10000) if unit == "元" else float(x)


def export_like(facts, path, unit="元", of_unit=None):
    """The budget of `facts` as a budget-system export (not our own layout); `of_unit`: the export
    of one unit of a department (its rows only)."""
    f = facts
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    name = f.b.agency.name if of_unit is None else f.unit_by_code[of_unit].name
    first = of_unit is None or of_unit == f.units[0].code
    U = dict(unit=of_unit)
    total = f.total if of_unit is None else f.unit_total(of_unit)
    y = lambda x: _y(x, unit)  # noqa: E731
    # 一般公共预算支出表: split 类/款/项 columns, 基本支出 with 人员经费/公用经费, 合计 first
    for title, src, cols_sub in (("一般公共预算支出预算表", "gpb", None), ("政府性基金预算支出预算表", "fund", None)):
        rows = []
        for r in f.func_rows(source=src, carry=False, **U):
            c1, c2, c3 = (r.code[:3], r.code[3:5] if len(r.code) > 3 else "", r.code[5:] if len(r.code) > 5 else "")
            rows.append([c1, c2, c3, r.name, y(r.v()), y(r.v("basic")), y(r.v("wages")), y(r.v("family")),
                         y(r.v("office")), y(r.v("project")), y(r.v("ops")), y(r.v("target")), "备注"])
        t = total
        rows.append(["合计", None, None, None, y(t("all", src, False)), y(t("basic", src, False)),
                     y(t("wages", src, False)), y(t("family", src, False)), y(t("office", src, False)),
                     y(t("project", src, False)), y(t("ops", src, False)), y(t("target", src, False)), None])
        _sheet(wb, f"{f.year}年{title}", (
            [("功能分类科目编码", 3), ("科目名称", 1), ("合计", 1), ("基本支出", 4), ("项目支出", 3), ("备注", 1)],
            ["类", "款", "项", "", "", "小计", "工资福利支出", "对个人和家庭的补助", "公用经费", "小计", "其他运转类",
             "特定目标类", ""]), rows, unit=unit, meta=name, hidden=2)
    # 支出总表: code and name in one cell, 合计 last, all sources
    rows = [[f"{r.code} {r.name}", y(r.v()), y(r.v("basic")), y(r.v("project"))] for r in f.func_rows(carry=None, **U)]
    rows.append(["合计", y(total()), y(total("basic")), y(total("project"))])
    _sheet(wb, "部门支出总表", ([("功能分类科目", 1), ("合计", 1), ("基本支出", 1), ("项目支出", 1)], None), rows,
           unit=unit, total_first=False, meta=name)
    # 收入总表 by source
    rows = [[r.code, r.name, y(r.v("all", "all", False)), y(r.v("all", "gpb", False)), y(r.v("all", "fund", False)),
             y(r.v("all", "soe", False)), y(r.v("all", "special", False)), y(r.v("all", "unit_funds", False)),
             y(r.v("all", "all", True))] for r in f.func_rows(carry=None, **U)]
    _sheet(wb, "部门收入总表", ([("科目编码", 1), ("科目名称", 1), ("本年收入", 6), ("上年结转", 1)],
                           ["", "", "小计", "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金",
                            "单位资金", ""]), rows, unit=unit, meta=name)
    # 基本支出经济分类: "30101 基本工资" in one cell, government code and name apart
    rows = []
    for r in f.econ_rows("basic", "gpb", False, **U):
        if r.level == "类":
            rows.append([f"{r.code} {r.name}", None, None, y(r.v()), y(r.v("personnel")), y(r.v("office"))])
        else:
            rows.append([f"{r.code} {r.name}", r.gov_code, r.gov_name, y(r.v()), y(r.v("personnel")), y(r.v("office"))])
    _sheet(wb, "一般公共预算基本支出经济分类表", (
        [("部门预算支出经济分类科目", 1), ("政府预算支出经济分类", 2), ("合计", 1), ("人员经费", 1), ("公用经费", 1)],
        ["", "科目编码", "科目名称", "", "", ""]), rows, unit=unit, meta=name)
    # economic classification with project spending, by source (when the budget has any)
    if f.econ_total("project") != 0:
        rows = [[f"{r.code} {r.name}", r.gov_code, r.gov_name, y(r.v()), y(r.v("all", "gpb", False)),
                 y(r.v("all", "fund", False)), y(r.v("all", "all", True))]
                for r in f.econ_rows("all", "all", None, **U) if r.level == "款"]
        _sheet(wb, "支出经济分类汇总表", (
            [("部门预算支出经济分类科目", 1), ("政府预算支出经济分类", 2), ("合计", 1), ("一般公共预算", 1),
             ("政府性基金", 1), ("上年结转", 1)], ["", "科目编码", "科目名称", "", "", "", ""]), rows, unit=unit, meta=name)
    # 项目支出表: one row per project and 资金来源, a hidden column and a 备注 column
    rows = []
    for p in f.projects:
        if of_unit is not None and p.unit != of_unit:
            continue
        for s, a in p.model.amounts.items():
            rows.append([p.name, p.type, ("上年结转-" if p.carryover else "") + s, y(a), "无"])
    _sheet(wb, "项目支出预算表", ([("项目名称", 1), ("项目类型", 1), ("资金来源", 1), ("金额", 1), ("备注", 1)], None),
           rows, unit=unit, meta=name, hidden=3)
    # “三公”经费: items down the side
    labels = {"因公出国": "1.因公出国（境）费", "公务接待": "2.公务接待费", "公务用车购置": "3.公务用车购置费",
              "公务用车运行": "4.公务用车运行维护费"}
    sg = (lambda it, s="all": f.sangong_amount(it, s)) if first else (lambda it, s="all": 0)  # noqa: E731
    rows = [[labels[it], y(sg(it)), y(sg(it, "gpb"))] for it in SANGONG_ITEMS]
    rows.append(["合计", y(sg("合计")), y(sg("合计", "gpb"))])
    _sheet(wb, "“三公”经费预算表", ([("项目", 1), ("合计", 1), ("一般公共预算", 1)], None), rows, unit=unit, meta=name)
    rc = f.running_costs_total if of_unit is None else f.running_costs.get(of_unit, 0)
    if rc:
        _sheet(wb, "机关运行经费预算表", ([("单位名称", 1), ("合计", 1)], None),
               [["合计", y(rc)]], unit=unit, meta=name)
    if f.b.gov_fund_income and first:
        rows = [[r.code, r.name, y(r.amount)] for r in f.income_rows()]
        _sheet(wb, "政府性基金预算收入表", ([("收入科目编码", 1), ("科目名称", 1), ("金额", 1)], None), rows,
               unit=unit, meta=name)
    # another sheet order than the document's, and a sheet that is not a table
    wb.move_sheet("项目支出预算表", offset=-(len(wb.sheetnames) - 1))
    wb.create_sheet("说明").cell(1, 1, "本表由预算管理一体化系统导出")
    wb.save(path)


@pytest.mark.parametrize("stem", ["gaoping-bigdata-2026", "jiyuan-bigdata-2024"])
def test_export_shaped_workbook_gives_the_same_tables(rendered, tmp_path, stem):
    loaded, style, html, data = rendered[stem]
    book = tmp_path / "导出.xlsx"
    export_like(loaded.facts, book)
    new, got = import_to_tables(tmp_path, [book], style, extra=["--style", style])
    # such an export names no unit code: the import gives a numbered placeholder; the Henan tables
    # print the code in their unit rows, so it is the one cell allowed to differ
    mask = lambda t, code: {k: [["#" if c == code else c for c in row] for row in rows]  # noqa: E731
                            for k, rows in t.items()}
    assert_same_tables(mask(tables(html), loaded.budget.units[0].code), mask(got, new.budget.units[0].code))
    assert "# 待填写：单位代码" in (tmp_path / "x.yaml").read_text(encoding="utf-8")


def test_amounts_in_yuan_and_csv(rendered, tmp_path):
    """The same export as CSV files, one per table, amounts in 元."""
    loaded, style, html, data = rendered["gaoping-bigdata-2026"]
    book = tmp_path / "b.xlsx"
    export_like(loaded.facts, book)
    wb = openpyxl.load_workbook(book)
    files = []
    for ws in wb.worksheets:
        if ws.title == "说明":
            continue
        p = tmp_path / f"{ws.title}.csv"
        hidden = {k for k, d in ws.column_dimensions.items() if d.hidden}
        lines = []
        for row in ws.iter_rows():
            cells = [("" if c.value is None else str(c.value)) for c in row
                     if openpyxl.utils.get_column_letter(c.column) not in hidden]
            lines.append(",".join(f'"{x}"' if "," in x else x for x in cells))
        p.write_text("\n".join(lines), encoding="utf-8")
        files.append(p)
    new, got = import_to_tables(tmp_path, files, style)
    assert_same_tables(tables(html), got)


# ---- unusable workbooks ------------------------------------------------------------------------------------------
def _refused(tmp_path, capsys, path, words):
    out = tmp_path / "out.yaml"
    status = cli.main(["import", str(path), "-o", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert "无法导入" in err and words in err, err
    assert "Traceback" not in err
    assert not out.exists()


def test_not_a_workbook(tmp_path, capsys):
    p = tmp_path / "表.xlsx"
    p.write_text("预算数据\n", encoding="utf-8")
    _refused(tmp_path, capsys, p, "不是 Excel 工作簿")
    z = tmp_path / "z.xlsx"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("a.txt", "x")
    _refused(tmp_path, capsys, z, "不是 Excel 工作簿")


def test_password_protected_workbook(tmp_path, capsys):
    # an encrypted .xlsx is an OLE compound file holding an EncryptedPackage stream
    p = tmp_path / "加密.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512)
    _refused(tmp_path, capsys, p, "密码")


def test_formulas_without_saved_results(tmp_path, capsys, rendered):
    loaded, style, html, data = rendered["gaoping-bigdata-2026"]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["预算公开表3"]
    ws["C7"] = "=SUM(C8:C20)"       # openpyxl saves a formula without its value, as generators do
    p = tmp_path / "公式.xlsx"
    wb.save(p)
    _refused(tmp_path, capsys, p, "预算公开表3!C7：是公式，但文件中没有保存计算结果")


def test_huge_sheet(tmp_path, capsys):
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("明细")
    ws.append(["2026年预算支出总表"])
    for i in range(100_000):
        ws.append([i])
    p = tmp_path / "大.xlsx"
    wb.save(p)
    _refused(tmp_path, capsys, p, "超过 20000 行")


def test_unrecognised_table(tmp_path, capsys):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["姓名", "电话"])
    ws.append(["张三", "123"])
    p = tmp_path / "通讯录.xlsx"
    wb.save(p)
    _refused(tmp_path, capsys, p, "没有找到可识别的预算公开表")


def test_legacy_xls_and_missing_file(tmp_path, capsys):
    p = tmp_path / "旧.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    _refused(tmp_path, capsys, p, "另存为 .xlsx")
    _refused(tmp_path, capsys, tmp_path / "没有.xlsx", "文件不存在")


# ---- --into: the revision path --------------------------------------------------------------------------------
def test_into_replaces_figures_and_keeps_texts(rendered, tmp_path, capsys):
    src = ROOT / "inputs" / "gaoping-bigdata-2026.yaml"
    text = src.read_text(encoding="utf-8")
    old = tmp_path / "old.yaml"
    old.write_text(text, encoding="utf-8")
    # the new export: one 项 row and one project changed
    changed = text.replace("target: 984.73", "target: 990.73").replace("一般公共预算: 984.73", "一般公共预算: 990.73")
    assert changed.count("990.73") == 2
    changed = changed.replace("9847300", "9907300")
    # and a 项 row's basic spending moved between two 项 (the economic totals stay)
    changed = changed.replace("wages: 15.83}", "wages: 14.72}").replace("wages: 7.92}", "wages: 9.03}")
    newf = tmp_path / "new.yaml"
    newf.write_text(changed, encoding="utf-8")
    loaded_new = check.load(str(newf))
    assert not loaded_new.errors
    blobs, _x, style = pipeline.render_loaded(loaded_new, formats=("xlsx",))
    book = tmp_path / "new.xlsx"
    book.write_bytes(blobs["xlsx"])
    out = tmp_path / "revised.yaml"
    status = cli.main(["import", str(book), "--into", str(old), "-o", str(out)])
    printed = capsys.readouterr()
    assert status in (0, 1), printed.err
    revised = out.read_text(encoding="utf-8")
    assert old.read_text(encoding="utf-8") == text                 # the original stays
    assert "990.73" in revised and "wages: 14.72" in revised and "wages: 9.03" in revised
    # texts, reasons and comments are kept
    for keep in ("# 高平市大数据中心 2026 年度单位预算公开", "为提升政府治理效能", "departments: [综合办公室",
                 "# 主管部门代码"):
        assert keep in revised
    assert "数字变动" in printed.out and "990.73" in printed.out
    # the figures of the revised file are those of the new export
    a, b = check.load(str(out)), loaded_new
    html_a, _x, _d = render.render_html(a.facts, style)
    html_b, _x, _d = render.render_html(b.facts, style)
    assert_same_tables(tables(html_b), tables(html_a))


def test_import_refuses_to_overwrite(tmp_path, rendered, capsys):
    loaded, style, html, data = rendered["gaoping-bigdata-2026"]
    book = tmp_path / "b.xlsx"
    book.write_bytes(data)
    out = tmp_path / "x.yaml"
    out.write_text("keep", encoding="utf-8")
    assert cli.main(["import", str(book), "-o", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "keep"
    assert "已存在" in capsys.readouterr().err


@pytest.mark.parametrize("stem", [p.stem for p in INPUTS])
def test_into_with_the_same_tables_changes_nothing(rendered, tmp_path, capsys, stem):
    """The file's own split (by unit, source and kind) that the tables do not print is kept."""
    loaded, style, html, data = rendered[stem]
    book = tmp_path / "b.xlsx"
    book.write_bytes(data)
    target = tmp_path / "x.yaml"
    original = (ROOT / "inputs" / f"{stem}.yaml").read_text(encoding="utf-8")
    target.write_text(original, encoding="utf-8")
    assert cli.main(["import", str(book), "--into", str(target)]) == 0
    assert "数字没有变动" in capsys.readouterr().out
    assert target.read_text(encoding="utf-8") == original


def test_department_as_per_unit_exports(rendered, tmp_path):
    """A department's budget as one export per unit (each with its 单位名称 line): the rows are
    each unit's, and the department's tables are the same."""
    loaded, style, html, data = rendered["jincheng-bigdata-2023"]
    files = []
    for u in loaded.budget.units:
        p = tmp_path / f"{u.code}.xlsx"
        export_like(loaded.facts, p, of_unit=u.code)
        files.append(p)
    new, got = import_to_tables(tmp_path, files, style, version=loaded.budget.options.template_version)
    assert_same_tables(tables(html), got)
    assert [u.name for u in new.budget.units] == [u.name for u in loaded.budget.units]
    # each unit's 项 rows under that unit
    units = {u.name: u.code for u in new.budget.units}
    by_unit = {(units[loaded.facts.unit_by_code[ln.unit].name], ln.code) for ln in loaded.budget.expenditure}
    assert {(ln.unit, ln.code) for ln in new.budget.expenditure} == by_unit


def _with_other_sources(style: str) -> str:
    """gaoping with money the inputs/ files lack: carried-over projects (一般公共预算 and 政府性基金),
    a 财政专户 project and a 事业收入 project, on two 项 that also hold general-budget money."""
    t = (ROOT / "inputs" / "gaoping-bigdata-2026.yaml").read_text(encoding="utf-8")
    rows = ('  - {code: "2010450", name: 事业运行, source: 事业收入, target: 3.00}\n'
            '  - {code: "2010450", name: 事业运行, carryover: true, target: 7.50}\n'
            '  - {code: "2129999", name: 其他城乡社区支出, source: 财政专户管理资金, ops: 4.00}\n'
            '  - {code: "2129999", name: 其他城乡社区支出, source: 政府性基金预算, carryover: true, target: 11.00}\n')
    anchor = '  - {code: "2210201", name: 住房公积金, wages: 12.45}\n'
    assert anchor in t
    t = t.replace(anchor, anchor + rows)
    t = t.replace("\nprojects:\n", "\nprojects:\n"
                  "  - {name: 结转项目甲, type: 特定目标类, carryover: true, amounts: {一般公共预算: 7.50, 政府性基金预算: 11.00}}\n"
                  "  - {name: 专户项目乙, type: 其他运转类, amounts: {财政专户管理资金: 4.00}}\n"
                  "  - {name: 事业收入项目丙, type: 特定目标类, amounts: {事业收入: 3.00}}\n", 1)
    return t.replace("style: shanxi", f"style: {style}", 1)


@pytest.mark.parametrize("style", ["shanxi", "henan"])
def test_round_trip_with_carry_over_and_other_sources(tmp_path, style):
    src = tmp_path / "src.yaml"
    src.write_text(_with_other_sources(style), encoding="utf-8")
    loaded = check.load(str(src))
    assert not loaded.errors, [f.format() for f in loaded.errors]
    blobs, _x, _s = pipeline.render_loaded(loaded, formats=("html", "xlsx"))
    book = tmp_path / "b.xlsx"
    book.write_bytes(blobs["xlsx"])
    _new, got = import_to_tables(tmp_path, [book], style)
    assert_same_tables(tables(blobs["html"].decode("utf-8")), got)


# ---- a department-wide export: the detail for the whole 部门, each unit only with its totals ----------------
def export_department_wide(facts, path, unit="元"):
    """A 部门's budget as the budget system exports it when the detail is department-wide (not our own
    layout): tables by unit (a 单位代码 column, the department's row above its units, 合计 first or
    last), tables by subject for the whole department (split 类/款/项), projects with a 单位 column."""
    f = facts
    a = f.b.agency
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    y = lambda x: _y(x, unit)  # noqa: E731
    Y = f"{f.year}年"
    meta = a.short_name or a.name
    # income by unit: department row first, then the units, 合计 last
    def inc(v):
        return [y(v("all", "all", False)), y(v("all", "gpb", False)), y(v("all", "fund", False)),
                y(v("all", "unit_funds", False)), y(v("all", "all", True))]
    rows = [[a.code, a.full_name, *inc(f.total)]]
    rows += [[u.code, u.name, *inc(f.unit_total(u.code))] for u in f.units]
    rows.append(["合计", None, *inc(f.total)])
    _sheet(wb, Y + "部门收入预算表（按单位）", (
        [("单位代码", 1), ("单位名称", 1), ("本年收入", 4), ("上年结转", 1)],
        ["", "", "合计", "一般公共预算", "政府性基金预算", "单位资金", ""]), rows, unit=unit, total_first=False, meta=meta)
    # general-budget spending by unit: 合计 first, then the department row and the units
    def k5(v):
        return [y(v("all", "gpb", False)), y(v("basic", "gpb", False)), y(v("personnel", "gpb", False)),
                y(v("office", "gpb", False)), y(v("project", "gpb", False))]
    rows = [[a.code, a.full_name, *k5(f.total)]] + [[u.code, u.name, *k5(f.unit_total(u.code))] for u in f.units]
    rows.append(["合计", None, *k5(f.total)])
    _sheet(wb, Y + "一般公共预算支出预算表（按单位）", (
        [("单位编码", 1), ("单位名称", 1), ("合计", 1), ("基本支出", 3), ("项目支出", 1)],
        ["", "", "", "小计", "人员经费", "公用经费", ""]), rows, unit=unit, meta=meta)
    # by subject, the whole department: split 类/款/项
    def split(code):
        return [code[:3], code[3:5], code[5:]]
    rows = [[*split(r.code), r.name, y(r.v()), y(r.v("basic")), y(r.v("project"))] for r in f.func_rows(carry=None)]
    rows.append(["合计", None, None, None, y(f.total()), y(f.total("basic")), y(f.total("project"))])
    _sheet(wb, Y + "部门支出预算表", (
        [("科目编码", 3), ("科目名称", 1), ("合计", 1), ("基本支出", 1), ("项目支出", 1)],
        ["类", "款", "项", "", "", "", ""]), rows, unit=unit, meta=meta)
    rows = [[*split(r.code), r.name, y(r.v("all", "gpb", False)), y(r.v("basic", "gpb", False)),
             y(r.v("personnel", "gpb", False)), y(r.v("office", "gpb", False)), y(r.v("project", "gpb", False))]
            for r in f.func_rows(source="gpb", carry=False)]
    rows.append(["合计", None, None, None, *k5(f.total)])
    _sheet(wb, Y + "一般公共预算支出预算表（按科目）", (
        [("科目编码", 3), ("科目名称", 1), ("合计", 1), ("基本支出", 3), ("项目支出", 1)],
        ["类", "款", "项", "", "", "小计", "人员经费", "公用经费", ""]), rows, unit=unit, meta=meta)
    rows = [[r.code, r.name, y(r.v()), y(r.v("personnel")), y(r.v("office"))]
            for r in f.econ_rows("basic", "gpb", False, by_gov=False)]
    t = f.total
    rows.append(["合计", None, y(t("basic", "gpb", False)), y(t("personnel", "gpb", False)), y(t("office", "gpb", False))])
    _sheet(wb, Y + "一般公共预算基本支出经济分类预算表", (
        [("科目编码", 1), ("科目名称", 1), ("合计", 1), ("人员经费", 1), ("公用经费", 1)], None), rows, unit=unit, meta=meta)
    # projects: one row each, its unit in a column of its own
    pt = f.projects_total(carry=None)
    rows = [[p.code, p.name, f.unit_by_code[p.unit].name, p.type, y(p.v()), y(p.v("all", "gpb")), y(p.v("all", "fund"))]
            for p in f.projects]
    rows.append(["合计", None, None, None, y(pt()), y(pt("all", "gpb")), y(pt("all", "fund"))])
    _sheet(wb, Y + "项目支出预算表", (
        [("项目编码", 1), ("项目名称", 1), ("单位名称", 1), ("项目类型", 1), ("合计", 1), ("一般公共预算", 1),
         ("政府性基金预算", 1)], None), rows, unit=unit, meta=meta)
    labels = {"因公出国": "因公出国（境）费", "公务接待": "公务接待费", "公务用车购置": "公务用车购置费",
              "公务用车运行": "公务用车运行维护费"}
    rows = [[labels[it], y(f.sangong_amount(it))] for it in SANGONG_ITEMS] + [["合计", y(f.sangong_amount("合计"))]]
    _sheet(wb, Y + "“三公”经费预算表", ([("项目", 1), ("一般公共预算", 1)], None), rows, unit=unit, meta=meta)
    wb.save(path)


@pytest.fixture(scope="session")
def department_wide():
    return [p.stem for p in INPUTS if (lambda b: b.agency.kind == "部门" and b.units[0].totals is not None)(
        check.load(str(p)).budget)]


def test_department_wide_export_gives_units_and_their_totals(rendered, tmp_path, department_wide):
    """A department's export whose tables by unit print the department row and each unit's totals:
    the units (codes, names) and their totals, the department's code and full name are read, the
    detail stays the department's, and every table of the document is the same."""
    assert department_wide, "inputs/ has no department-wide file"
    loaded, style, html, data = rendered[department_wide[0]]
    b = loaded.budget
    book = tmp_path / "部门导出.xlsx"
    export_department_wide(loaded.facts, book)
    new, got = import_to_tables(tmp_path, [book], style, extra=["--style", style])
    nb = new.budget
    assert nb.agency.code == b.agency.code and nb.agency.full_name == b.agency.full_name
    assert [(u.code, u.name) for u in nb.units] == [(u.code, u.name) for u in b.units]
    assert new.facts.dept_wide and all(ln.unit is None for ln in nb.expenditure)
    for u in b.units:
        want, have = loaded.facts.unit_total(u.code), new.facts.unit_total(u.code)
        for k in ("personnel", "office", "project"):
            assert have(k) == want(k), (u.code, k)
    assert [(p.name, p.unit) for p in nb.projects] == [(p.name, p.unit) for p in b.projects]
    assert_same_tables(tables(html), got)
    text = (tmp_path / "x.yaml").read_text(encoding="utf-8")
    assert re.search(r"totals: \{personnel: [\d.]+, office: [\d.]+, project: [\d.]+\}   # 本单位合计（\d{4}年一般公共预算支出预算表（按单位）!第\d+行",
                     text), text


def test_department_wide_units_disagreeing_with_the_department_row(rendered, tmp_path, department_wide):
    """The department row is a total: the units' rows that do not add up to it are a finding at its cell."""
    loaded, style, html, data = rendered[department_wide[0]]
    book = tmp_path / "b.xlsx"
    export_department_wide(loaded.facts, book)
    wb = openpyxl.load_workbook(book)
    ws = next(ws for ws in wb.worksheets if "按单位" in ws.title and "支出" in ws.title)
    dept = next(row for row in ws.iter_rows() if row[0].value == loaded.budget.agency.code)
    dept[2].value = float(dept[2].value) + 100
    wb.save(book)
    res = xlsx_import.import_files([str(book)], style)
    hits = [f for f in res.findings if f.rule == "import.total" and f.where.endswith(f"!{dept[2].coordinate}")]
    assert hits and "≠ 明细之和" in hits[0].message and f"部门行 {loaded.budget.agency.code}" in hits[0].message


def test_into_a_department_wide_file_replaces_the_units_totals(rendered, tmp_path, capsys, department_wide):
    stem = department_wide[0]
    src = ROOT / "inputs" / f"{stem}.yaml"
    text = src.read_text(encoding="utf-8")
    loaded = check.load(str(src))
    u0, u1 = loaded.budget.units[0].totals, loaded.budget.units[1].totals
    # the new export: 1.00 of personnel spending moved from the first unit to the second
    old0 = f"personnel: {u0.personnel:.2f}"
    old1 = f"personnel: {u1.personnel:.2f}"
    assert text.count(old0) == 1 and text.count(old1) == 1
    changed = text.replace(old0, f"personnel: {u0.personnel - 1:.2f}").replace(old1, f"personnel: {u1.personnel + 1:.2f}")
    newf = tmp_path / "new.yaml"
    newf.write_text(changed, encoding="utf-8")
    loaded_new = check.load(str(newf))
    assert not loaded_new.errors, [f.format() for f in loaded_new.errors]
    blobs, _x, style = pipeline.render_loaded(loaded_new, formats=("html", "xlsx"))
    book = tmp_path / "new.xlsx"
    book.write_bytes(blobs["xlsx"])
    old = tmp_path / "old.yaml"
    old.write_text(text, encoding="utf-8")
    out = tmp_path / "revised.yaml"
    assert cli.main(["import", str(book), "--into", str(old), "-o", str(out)]) in (0, 1)
    printed = capsys.readouterr().out
    assert "合计" in printed and f"{u1.personnel + 1:.2f}" in printed
    revised = out.read_text(encoding="utf-8")
    assert f"personnel: {u1.personnel + 1:.2f}" in revised
    # the texts and comments stay, the detail lines stay without unit
    first_comment = next(ln for ln in text.splitlines() if ln.startswith("# ") and "yaml-language-server" not in ln)
    assert first_comment in revised and "duties_intro" in revised
    a = check.load(str(out))
    assert not a.errors, [f.format() for f in a.errors]
    html_a, _x, _d = render.render_html(a.facts, style)
    assert_same_tables(tables(blobs["html"].decode("utf-8")), tables(html_a))


def test_department_wide_export_into_a_style_listing_each_units_lines(rendered, tmp_path, department_wide):
    """A style that prints each unit's lines (no `department_wide` in style.yaml): the department's
    项 and 经济分类 lines are split over the units so that each unit has its printed totals."""
    from disclosure_gen.reading import xlsx_units
    from disclosure_gen.render import styles
    other = next(s for s in styles.available() if not xlsx_units.style_is_department_wide(s))
    loaded, style, html, data = rendered[department_wide[0]]
    book = tmp_path / "部门导出.xlsx"
    export_department_wide(loaded.facts, book)
    res = xlsx_import.import_files([str(book)], other)
    new = check.load("x.yaml", res.text)
    assert new.budget is not None and not new.errors, [f.format() for f in new.errors]
    assert not new.facts.dept_wide and all(ln.unit for ln in new.budget.expenditure + new.budget.economic)
    for u in loaded.budget.units:
        want, have = loaded.facts.unit_total(u.code), new.facts.unit_total(u.code)
        for k in ("all", "personnel", "office", "project"):
            assert have(k) == want(k), (u.code, k)
    for k in ("all", "personnel", "office", "project"):
        assert new.facts.econ_total(k if k != "all" else "basic") == loaded.facts.econ_total(k if k != "all" else "basic")
    assert any("已按各单位合计拆分到各单位" in t for t in res.todo)


def _department_wide_with_fund_money(stem: str) -> str:
    """The department-wide file with money of a second source: a 政府性基金 project of the second
    unit on a 项 of its own, that unit's totals by source (a list)."""
    from ruamel.yaml import YAML
    y = YAML()
    doc = y.load((ROOT / "inputs" / f"{stem}.yaml").read_text(encoding="utf-8"))
    doc.pop("overall_form", None)      # its 项目支出情况 would have to list the new project too
    doc["expenditure"].append({"code": "2120899", "name": "其他国有土地使用权出让收入安排的支出",
                               "source": "政府性基金预算", "target": 50})
    u = doc["units"][1]
    u["totals"] = [dict(u["totals"]), {"source": "政府性基金预算", "project": 50}]
    code = str(doc["projects"][0]["code"])
    doc["projects"].append({"name": "土地出让收入安排项目", "code": code[:-3] + "199", "unit": u["code"],
                            "type": "特定目标类", "function": "2120899", "amounts": {"政府性基金预算": 50}})
    buf = io.StringIO()
    y.dump(doc, buf)
    return buf.getvalue()


@pytest.mark.parametrize("shape", ["own", "export"])
def test_department_wide_with_two_sources(tmp_path, department_wide, shape):
    """Units' totals by source: the by-unit income table says which unit has which source."""
    src = tmp_path / "src.yaml"
    src.write_text(_department_wide_with_fund_money(department_wide[0]), encoding="utf-8")
    loaded = check.load(str(src))
    assert not loaded.errors, [f.format() for f in loaded.errors]
    blobs, _x, style = pipeline.render_loaded(loaded, formats=("html", "xlsx"))
    book = tmp_path / "b.xlsx"
    if shape == "own":
        book.write_bytes(blobs["xlsx"])
    else:
        export_department_wide(loaded.facts, book)
    new, got = import_to_tables(tmp_path, [book], style, extra=["--style", style])
    assert_same_tables(tables(blobs["html"].decode("utf-8")), got)
    second = new.budget.units[1]
    assert isinstance(second.totals, list) and {t.source for t in second.totals} == {"一般公共预算", "政府性基金预算"}
