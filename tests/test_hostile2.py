"""Issue 16: hostile input, round two — no silently wrong figure, no traceback, no hang, nothing read
from outside. Every case goes through the real command line (`run_cli`, a fresh interpreter) and is
bounded in time; docs/security.md §7 lists each case with the behaviour observed here.
"""
from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_hostile import GAOPING, SOURCE_TEXT, assert_cli_outcome, docx_text, run_cli

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
JIYUAN = INPUTS / "jiyuan-bigdata-2024.yaml"
GAO = SOURCE_TEXT[GAOPING.name]
JIY = SOURCE_TEXT[JIYUAN.name]

pytestmark = pytest.mark.timeout(600, method="thread")   # last resort; each case has a bound below


def edit(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text, old
    return text.replace(old, new, count)


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def check_json(*files, timeout=60):
    """`check --format json` on all files in one process: {file name: entry}, the process."""
    p, _s, _rss = run_cli("check", "--format", "json", *files, timeout=timeout)
    assert_cli_outcome(p)
    return {Path(e["file"]).name: e for e in json.loads(p.stdout)}, p


def findings(entry, rule=None, severity="error"):
    return [f for f in entry["findings"] if (rule is None or f["rule"] == rule)
            and (severity is None or f["severity"] == severity)]


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# =============================================================================================
# 1. a comma inside a quoted amount is a thousands separator or an error — never deleted
# =============================================================================================
DECIMAL_COMMAS = {"12,5": "12.5", "0,005": "0.005", "1,05": "1.05", "1,2,3": None, "12，5": "12.5",
                  "1,23,456": None, ",5": None, "0,500": "0.500"}


def test_decimal_comma_is_an_error_naming_it(tmp_path):
    files = {}
    for i, (typed, guess) in enumerate(DECIMAL_COMMAS.items()):
        text = edit(GAO, "procurement: {goods: 1.00,", f'procurement: {{goods: "{typed}",')
        files[write(tmp_path, f"comma{i}.yaml", text).name] = (typed, guess, line_of(text, "procurement: {goods"))
    ok = write(tmp_path, "grouped.yaml", edit(GAO, "procurement: {goods: 1.00,", 'procurement: {goods: "1,000.00",'))
    fw = write(tmp_path, "grouped-fw.yaml", edit(GAO, "procurement: {goods: 1.00,", 'procurement: {goods: "1，000",'))
    out, p = check_json(*(tmp_path / n for n in files), ok, fw)
    assert p.returncode == 1
    for name, (typed, guess, line) in files.items():
        errs = findings(out[name], "schema.value")
        assert len(errs) == 1, (typed, out[name]["findings"])
        f = errs[0]
        assert f["line"] == line and "procurement.goods" in f["message"]
        assert typed in f["message"] and "千分位" in f["message"] and "小数点" in f["message"], f["message"]
        if guess:
            assert f"“{guess}”" in f["message"], f["message"]
    # a correct thousands separator is accepted and gives the grouped figure (1,000.00 万元)
    for name in (ok.name, fw.name):
        assert not findings(out[name], "schema.value"), out[name]["findings"]
        assert any("政府采购" in f["message"] or f["rule"].startswith("identity") for f in out[name]["findings"]) \
            or out[name]["errors"] == 0


def test_decimal_comma_in_a_fund_income_row_is_an_error(tmp_path):
    src = SOURCE_TEXT["jincheng-bigdata-2023.yaml"]
    m = re.search(r"gov_fund_income:\n(.*?amount: )([^,}\n]+)", src, re.S)
    assert m, "jincheng has gov_fund_income rows"
    text = src[: m.start(2)] + '"12,5"' + src[m.end(2):]
    f = write(tmp_path, "fund.yaml", text)
    out, p = check_json(f)
    errs = findings(out["fund.yaml"], "schema.value")
    assert p.returncode == 1 and errs and "千分位" in errs[0]["message"] and "“12.5”" in errs[0]["message"]


# =============================================================================================
# 2. a key spelled with an invisible control character duplicates the real key: error
# =============================================================================================
def test_control_character_key_is_a_duplicate_key(tmp_path):
    a = write(tmp_path, "del.yaml", edit(GAO, "  name: 高平市大数据中心\n", '  name: 高平市大数据中心\n  "name\\x7f": 伪造\n'))
    b = write(tmp_path, "soh.yaml", edit(GAO, "amount_unit: 万元", 'amount_unit: 万元\n"amount_unit\\u0001": 元'))
    c = write(tmp_path, "before.yaml", edit(GAO, "  name: 高平市大数据中心\n", '  "name\\x7f": 伪造\n  name: 高平市大数据中心\n'))
    out, p = check_json(a, b, c)
    assert p.returncode == 1
    for name, key in (("del.yaml", "name"), ("soh.yaml", "amount_unit"), ("before.yaml", "name")):
        errs = findings(out[name], "yaml.duplicate-key")
        assert len(errs) == 1 and f"“{key}”重复" in errs[0]["message"], out[name]["findings"]


# =============================================================================================
# 3. codes are ASCII digits only
# =============================================================================================
def test_codes_with_non_ascii_digits_are_errors(tmp_path):
    cases = {"sup.yaml": ('{code: "2010450"', '{code: "201045²"', "expenditure.0.code", None),
             "fw.yaml": ('  code: "031"', '  code: "０３１"', "agency.code", "031"),
             "sup3.yaml": ('  code: "031"', '  code: "03²"', "agency.code", None),
             "arabic.yaml": ('  code: "031"', '  code: "٠٣١"', "agency.code", None),
             "unit.yaml": ('  - code: "031001"', '  - code: "０31001"', "units.0.code", "031001")}
    files = [write(tmp_path, n, edit(GAO, old, new)) for n, (old, new, _w, _g) in cases.items()]
    out, p = check_json(*files)
    assert p.returncode == 1
    for n, (_old, new, where, fixed) in cases.items():
        errs = [f for f in findings(out[n], "schema.value") if f["message"].startswith(where)]
        assert errs and "半角数字" in errs[0]["message"], (n, out[n]["findings"])
        assert errs[0]["line"] == line_of(GAO, _old)
        if fixed:
            assert "全角" in errs[0]["message"] and f"“{fixed}”" in errs[0]["message"]


def test_new_refuses_a_full_width_code(tmp_path):
    p, _s, _r = run_cli("new", "--name", "某局", "--kind", "单位", "--year", "2027", "--code", "０３１",
                        "-o", tmp_path / "x.yaml")
    assert p.returncode == 2 and "3 位" in p.stderr and not (tmp_path / "x.yaml").exists()


# =============================================================================================
# 4. numbers printed in sentences are range-checked and printed like the other figures
# =============================================================================================
@pytest.fixture(scope="module")
def area_render(tmp_path_factory):
    d = tmp_path_factory.mktemp("area")
    a = write(d, "e.yaml", edit(GAO, "office_area_m2: 200 ", "office_area_m2: 1e3 "))
    b = write(d, "z.yaml", edit(edit(GAO, "office_area_m2: 200 ", "office_area_m2: -0  "),
                                "  name: 高平市大数据中心\n", "  name: 高平市大数据中心零\n"))
    p, _s, _r = run_cli("render", a, b, "--format", "html", "-o", d / "out", timeout=120)
    assert_cli_outcome(p)
    assert p.returncode == 0, p.stderr
    return {Path(x).name: Path(x).read_text(encoding="utf-8") for x in (d / "out").iterdir()}


def test_area_in_exponent_notation_prints_as_a_plain_number(area_render):
    html = next(h for n, h in area_render.items() if "零" not in n)
    assert "办公用房建筑总面积1000平方米" in re.sub(r"<[^>]+>|\s", "", html)
    assert "E+" not in html and "e+" not in html


def test_negative_zero_area_prints_as_zero(area_render):
    html = next(h for n, h in area_render.items() if "零" in n)
    assert "办公用房建筑总面积0平方米" in re.sub(r"<[^>]+>|\s", "", html)
    assert "-0平方米" not in html


def test_numbers_in_sentences_are_range_checked(tmp_path):
    cases = {"huge.yaml": ("office_area_m2: 200 ", "office_area_m2: 1e30 ", "面积过大"),
             "neg.yaml": ("office_area_m2: 200 ", "office_area_m2: -5 ", "负数"),
             "dec.yaml": ("office_area_m2: 200 ", "office_area_m2: 0.001 ", "2 位小数"),
             "nan.yaml": ("office_area_m2: 200 ", "office_area_m2: .nan ", "数字"),
             "cars.yaml": ("vehicle_quota: 0 ", "vehicle_quota: 99999999999 ", "不大于"),
             "eq.yaml": ("equipment_50w: 0 ", "equipment_50w: -1 ", "不小于")}
    files = [write(tmp_path, n, edit(GAO, old, new)) for n, (old, new, _w) in cases.items()]
    out, p = check_json(*files)
    for n, (old, _new, words) in cases.items():
        errs = [f for f in findings(out[n]) if f["message"].startswith("assets.")]
        assert errs and words in errs[0]["message"], (n, out[n]["findings"])
        assert errs[0]["line"] == line_of(GAO, old)
        assert not re.search(r"[A-Za-z]{4,}", errs[0]["message"].split("：", 1)[1]), errs[0]["message"]


# =============================================================================================
# 5. a name made only of invisible characters is an error
# =============================================================================================
@pytest.mark.parametrize("invisible", ["\\u200b\\u200d", "\\u202e\\u202c", "\\u2060\\ufeff", " \\u200b "])
def test_invisible_names_are_errors(tmp_path, invisible):
    a = write(tmp_path, "agency.yaml", edit(GAO, "  name: 高平市大数据中心\n", f'  name: "{invisible}"\n'))
    b = write(tmp_path, "project.yaml", edit(GAO, "  - name: 大数据管理业务费\n", f'  - name: "{invisible}"\n'))
    out, p = check_json(a, b)
    assert p.returncode == 1
    for n, where, needle in (("agency.yaml", "agency.name", "  name: 高平市大数据中心\n"),
                             ("project.yaml", "projects.1.name", "  - name: 大数据管理业务费\n")):
        errs = [f for f in findings(out[n]) if f["message"].startswith(where)]
        assert errs and "不可见" in errs[0]["message"], out[n]["findings"]
        assert errs[0]["line"] == line_of(GAO, needle)
