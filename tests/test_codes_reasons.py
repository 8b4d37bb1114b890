"""Issue 11, classes 3 and 6: a complete 科目 table the user supplies (CSV or xlsx, file option or CLI),
and the reasons each style declares in its style.yaml are exactly the ones its templates print."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from disclosure_gen.check import rules as check
from disclosure_gen.check import reasons as check_rules_reasons
from disclosure_gen.derive import facts as derive

ROOT = Path(__file__).resolve().parents[1]
GAOPING = ROOT / "inputs" / "gaoping-bigdata-2026.yaml"
TABLE = [("科目编码", "科目名称"), ("2010450", "事业运行"), ("2019999", "其他一般公共服务支出"),
         ("2080505", "机关事业单位基本养老保险缴费支出"), ("2080506", "机关事业单位职业年金缴费支出"),
         ("2101102", "事业单位医疗"), ("2101103", "公务员医疗补助"), ("2129999", "其他城乡社区支出"),
         ("2210201", "住房公积金")]


def _line(path, needle):
    return next(i for i, ln in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1) if needle in ln)


def _csv(tmp_path, rows, name="科目表.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding=encoding)
    return p


def test_a_complete_table_makes_an_unknown_code_an_error_at_the_code(tmp_path):
    table = _csv(tmp_path, [r for r in TABLE if r[0] != "2101103"])
    loaded = check.load(str(GAOPING), code_table=str(table))
    (f,) = [x for x in loaded.findings if x.rule == "code.not-in-table"]
    assert f.severity == check.ERROR and f.line == _line(GAOPING, '"2101103"')
    assert "2101103 公务员医疗补助" in f.message and "科目表" in f.message


def test_a_name_differing_from_the_table_is_a_warning_naming_both(tmp_path):
    rows = [r if r[0] != "2101102" else ("2101102", "事业单位医疗支出") for r in TABLE]
    loaded = check.load(str(GAOPING), code_table=str(_csv(tmp_path, rows, encoding="gb18030")))   # a GBK export
    (f,) = [x for x in loaded.findings if x.rule == "code.official-name"]
    assert f.severity == check.WARNING and "事业单位医疗" in f.message and "事业单位医疗支出" in f.message


def test_an_xlsx_table_in_the_files_options(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    for r in TABLE:
        if r[0] != "2210201":
            wb.active.append([int(r[0]) if r[0].isdigit() else r[0], r[1]])   # codes as spreadsheet numbers
    wb.save(tmp_path / "科目表.xlsx")
    text = GAOPING.read_text(encoding="utf-8").replace('  template_version: "2026"',
                                                       '  template_version: "2026"\n  code_table: 科目表.xlsx', 1)
    f = tmp_path / "x.yaml"
    f.write_text(text, encoding="utf-8")
    loaded = check.load(str(f))
    (x,) = [x for x in loaded.findings if x.rule == "code.not-in-table"]
    assert "2210201" in x.message and x.line == _line(f, '"2210201"')


def test_a_table_that_cannot_be_read_is_an_error_at_the_option(tmp_path):
    text = GAOPING.read_text(encoding="utf-8").replace('  template_version: "2026"',
                                                       '  template_version: "2026"\n  code_table: 没有这个文件.csv', 1)
    f = tmp_path / "x.yaml"
    f.write_text(text, encoding="utf-8")
    (x,) = [x for x in check.load(str(f)).findings if x.rule == "code.table"]
    assert x.line == _line(f, "code_table") and "找不到科目表文件" in x.message


def test_the_command_line_option(tmp_path):
    table = _csv(tmp_path, [r for r in TABLE if r[0] != "2019999"])
    p = subprocess.run([sys.executable, "-m", "disclosure_gen", "check", str(GAOPING), "--codes", str(table)],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert f":{_line(GAOPING, chr(34) + '2019999' + chr(34))}:" in p.stdout and "code.not-in-table" in p.stdout


# -- reasons: declared by the style, printed by its templates ------------------------------------------------
PRIOR = """prior_year:
  total: {amount: 3000.00, reason: 原因total}
  expenditure_total: {amount: 2999.00, reason: 原因expenditure_total}
  gpb: {amount: 3000.00, reason: 原因gpb}
  fund: {amount: 5.00, reason: 原因fund}
  soe: {amount: 5.00, reason: 原因soe}
  sangong: {amount: 4.00, reason: 原因sangong}
  sangong_items:
    因公出国: {amount: 1.00, reason: 原因因公出国}
    公务接待: {amount: 1.00, reason: 原因公务接待}
    公务用车购置: {amount: 1.00, reason: 原因公务用车购置}
    公务用车运行: {amount: 1.00, reason: 原因公务用车运行}
  running_costs: {amount: 5.00, reason: 原因running_costs}
  agency_running_costs: {amount: 5.00, reason: 原因agency_running_costs}
"""


@pytest.mark.parametrize("style", ["shanxi", "henan"])
def test_the_reasons_a_style_declares_are_the_ones_it_prints(style, tmp_path):
    from disclosure_gen.render import document as render
    text = GAOPING.read_text(encoding="utf-8")
    text = text[:text.index("prior_year:")] + PRIOR
    f = tmp_path / "x.yaml"
    f.write_text(text, encoding="utf-8")
    loaded = check.load(str(f))
    assert loaded.budget is not None
    html, _assets, _doc = render.render_html(derive.Facts(loaded.budget), style)
    declared = set(check_rules_reasons.style_declarations(style)["reasons"])
    for key in ("total", "expenditure_total", "gpb", "fund", "soe", "sangong", "因公出国", "公务接待",
                "公务用车购置", "公务用车运行", "running_costs", "agency_running_costs"):
        group = key if key.isascii() else "sangong_items"
        printed = f"原因{key}" in html
        assert printed == (group in declared), (style, key, printed)


# -- a reason typed with its sentence's lead-in or closing punctuation reads once -------------------------
@pytest.mark.parametrize("seed, reason", [
    ("gaoping-bigdata-2026", "数字政府及统一运维项目款减少"),
    ("jiyuan-bigdata-2024", "厉行节约，压缩经费"),
    ("huangpi-bigdata-2024", "1.部分项目已完结；2.厉行节约，减少开支"),
])
@pytest.mark.parametrize("typed", ["主要原因是{r}；", "主要是：{r}。", " 原因是{r}。。"])
def test_a_reason_typed_with_its_lead_in_prints_the_lead_in_once(seed, reason, typed, tmp_path):
    from disclosure_gen.render import document as render
    from disclosure_gen.render import styles
    text = (ROOT / "inputs" / f"{seed}.yaml").read_text(encoding="utf-8")
    f = tmp_path / "x.yaml"
    f.write_text(text.replace(f"reason: {reason}}}", f"reason: {typed.format(r=reason)}}}", 1), encoding="utf-8")
    base, loaded = check.load(str(ROOT / "inputs" / f"{seed}.yaml")), check.load(str(f))
    assert loaded.budget is not None and not loaded.errors
    found = [x for x in loaded.findings if x.rule == "prior.reason-lead-in"]
    assert len(found) == 1 and found[0].line == _line(f, typed.format(r=reason).strip()[:6])
    html = render.render_html(derive.Facts(loaded.budget), styles.get(loaded.budget.style))[0]
    want = render.render_html(derive.Facts(base.budget), styles.get(base.budget.style))[0]
    assert html == want      # the sentence reads as if the reason had been typed without them
    for twice in ("主要原因是主要", "主要是主要", "原因是原因", f"{reason}；；", f"{reason}；。", f"{reason}。。"):
        assert twice not in html


def test_a_reason_saying_the_other_way_is_a_warning_but_not_beside_an_error(tmp_path):
    text = GAOPING.read_text(encoding="utf-8").replace("项目款减少}", "项目款增加}", 1)
    f = tmp_path / "x.yaml"
    f.write_text(text, encoding="utf-8")
    found = [x for x in check.load(str(f)).findings if x.rule == "prior.reason-direction"]
    assert len(found) == 1 and found[0].line == _line(f, "项目款增加") and "减少 1,866.62 万元" in found[0].message
    f.write_text(text.replace("wages: 104.14", "wages: 1041400", 1), encoding="utf-8")     # 元 in a 万元 file
    loaded = check.load(str(f))
    assert loaded.errors and not [x for x in loaded.findings if x.rule == "prior.reason-direction"]


@pytest.mark.parametrize("where, name", [("rule_units", "units"), ("forms", "forms")])
def test_a_rule_that_fails_is_one_warning_and_the_other_rules_still_speak(tmp_path, monkeypatch, where, name):
    def broken(*_a):
        raise TypeError("a defect")
    if where == "forms":
        from disclosure_gen.check import forms as check_forms
        monkeypatch.setattr(check_forms, "run", broken, raising=True)
    else:
        monkeypatch.setattr(check.Checker, where, broken, raising=True)
    monkeypatch.delenv("DISCLOSURE_GEN_DEBUG", raising=False)
    text = GAOPING.read_text(encoding="utf-8").replace("wages: 104.14", "wages: 1041400", 1)
    f = tmp_path / "x.yaml"
    f.write_text(text, encoding="utf-8")
    loaded = check.load(str(f))
    internal = [x for x in loaded.findings if x.rule == "check.internal"]
    assert len(internal) == 1 and f"（{name}）" in internal[0].message and "TypeError" in internal[0].message
    assert any(x.rule == "amount.unit-slip" for x in loaded.errors)


def test_a_project_use_typed_with_its_lead_in_prints_it_once(tmp_path):
    """湖北 情况说明十: "{项目}{金额}万元，主要用于{use}。" — "主要用于…。" typed as the use reads once."""
    from disclosure_gen.render import document as render
    from disclosure_gen.render import styles
    src = ROOT / "inputs" / "huangpi-bigdata-2024.yaml"
    text = src.read_text(encoding="utf-8")
    use = "use: 区级数据共享交换平台建设、安全集成、安全运维服务、云资源租赁、政务外网带宽扩容及传输专网线路租赁等\n"
    assert use in text
    f = tmp_path / "x.yaml"
    f.write_text(text.replace(use, "use: 主要用于区级数据共享交换平台建设、安全集成、安全运维服务、云资源租赁、政务外网带宽扩容及传输专网线路租赁等。\n", 1),
                 encoding="utf-8")
    html = render.render_html(derive.Facts(check.load(str(f)).budget), styles.get("hubei"))[0]
    want = render.render_html(derive.Facts(check.load(str(src)).budget), styles.get("hubei"))[0]
    assert "万元，主要用于区级数据共享交换平台建设、" in want and html == want
