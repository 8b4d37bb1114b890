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

pytestmark = pytest.mark.timeout(600, method="signal")   # last resort (a signal, not a timer thread: see test_hostile.py); each case has a bound below


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
        assert f["line"] == line and "政府采购预算的货物" in f["message"]
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


# an amount typed the way a spreadsheet or a text shows it: an error at its line saying what to write
AMOUNT_SPELLINGS = {"-": "写 0", "—": "写 0", "无": "写 0", "104。14": "半角“.”", "850万": "不写单位",
                    "12.5%": "不是百分比", "￥104.14": "货币符号", "(104.14)": "不能为负数", "984 .73": "空格"}


def test_an_amount_spelt_as_in_a_spreadsheet_is_an_error_saying_what_to_write(tmp_path):
    files = {}
    for i, (typed, hint) in enumerate(AMOUNT_SPELLINGS.items()):
        text = edit(GAO, "procurement: {goods: 1.00,", f'procurement: {{goods: "{typed}",')
        files[write(tmp_path, f"spelt{i}.yaml", text).name] = (typed, hint, line_of(text, "procurement: {goods"))
    out, p = check_json(*(tmp_path / n for n in files))
    assert p.returncode == 1
    for name, (typed, hint, line) in files.items():
        errs = findings(out[name], "schema.value")
        assert len(errs) == 1 and errs[0]["line"] == line, (typed, out[name]["findings"])
        assert f"“{typed}”" in errs[0]["message"] and hint in errs[0]["message"], errs[0]["message"]


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
        # messages name the field in Chinese (issue 11), so the finding is picked by its line
        errs = [f for f in findings(out[n], "schema.value") if f["line"] == line_of(GAO, _old)]
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
        errs = [f for f in findings(out[n]) if f["line"] == line_of(GAO, old)]
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
        errs = [f for f in findings(out[n]) if f["line"] == line_of(GAO, needle)]
        assert errs and "不可见" in errs[0]["message"], out[n]["findings"]
        assert errs[0]["line"] == line_of(GAO, needle)


# =============================================================================================
# 6. rollover: a Tab after or inside a value, a duplicate key with --force-errors — no traceback
# =============================================================================================
@pytest.mark.parametrize("case", ["tab-after", "tab-inside", "duplicate"])
def test_rollover_refuses_in_chinese_what_ruamel_cannot_read(tmp_path, case):
    old = "  region: 高平市 "
    new = {"tab-after": "  region: 高平市\t", "tab-inside": "  region: 高平\t市 ",
           "duplicate": "  region: 高平市\n  region: 高平 "}[case]
    src = write(tmp_path, "in.yaml", edit(GAO, old, new))
    if case != "duplicate":     # check-clean: libyaml accepts these Tabs
        out, p = check_json(src)
        assert out["in.yaml"]["errors"] == 0
    p, _s, _r = run_cli("rollover", src, "--force-errors", "-o", tmp_path / "next.yaml", timeout=60)
    assert_cli_outcome(p)
    assert p.returncode == 2 and not (tmp_path / "next.yaml").exists()
    line = line_of(GAO, old) + (1 if case == "duplicate" else 0)
    assert f"in.yaml:{line}:" in p.stderr, p.stderr
    assert ("制表符" if case != "duplicate" else "“region”重复") in p.stderr, p.stderr


# =============================================================================================
# 7. Chinese numbering for any count
# =============================================================================================
def _many_duties(text: str, n: int) -> str:
    m = re.search(r"\n  duties:.*\n((?:    - .*\n)+)", text)
    assert m
    duties = "".join(f"    - 第{i}项职责。\n" for i in range(1, n + 1))
    return text[: m.start(1)] + duties + text[m.end(1):]


def test_numbering_past_ninety_nine(tmp_path):
    gao = _many_duties(GAO, 120)
    gao = gao.rstrip("\n") + "\nglossary:\n" + "".join(f"  词条{i}: 解释{i}。\n" for i in range(1, 91))
    a = write(tmp_path, "shanxi.yaml", gao)
    b = write(tmp_path, "henan.yaml", JIY.rstrip("\n") + "\nglossary:\n"
              + "".join(f"  词条{i}: 解释{i}。\n" for i in range(1, 111)))
    p, _s, _r = run_cli("render", a, b, "--format", "html", "-o", tmp_path / "out", timeout=120)
    assert_cli_outcome(p)
    assert p.returncode == 0, p.stderr
    html = {f.name: re.sub(r"<[^>]+>", "", f.read_text(encoding="utf-8")) for f in (tmp_path / "out").iterdir()}
    sx = next(h for n, h in html.items() if n.endswith("shanxi.html"))
    hn = next(h for n, h in html.items() if n.endswith("henan.html"))
    assert "（九十九）第99项职责" in sx and "（一百）第100项职责" in sx and "（一百二十）第120项职责" in sx
    assert "（一百零一）第101项职责" in sx and "（一百一十）第110项职责" in sx
    assert re.search(r"一百(?:零\w|\w十\w?)?、词条\d+", hn), "Henan glossary numbered past 99"
    assert re.search(r"一百(?:零\w|\w十\w?)?、词条\d+", sx), "glossary numbered past 99"


# =============================================================================================
# 8, 12, 13, 19. tampered or broken style templates
# =============================================================================================
@pytest.fixture
def styles(tmp_path):
    import shutil
    d = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", d)
    return d


def _render_with(styles, tmp_path, *extra, env=None, timeout=120, fmt="docx,html"):
    out = tmp_path / "out"
    p, seconds, _r = run_cli("render", GAOPING, "--format", fmt, "-o", out, *extra, timeout=timeout,
                             env={"DISCLOSURE_GEN_TEMPLATES": str(styles), **(env or {})})
    assert_cli_outcome(p)
    return p, seconds, sorted(out.iterdir()) if out.exists() else []


def _prepend(styles, name, text):
    f = styles / "shanxi" / name
    f.write_text(text + f.read_text(encoding="utf-8"), encoding="utf-8")


def test_unknown_element_in_a_template_is_an_error_naming_its_line(styles, tmp_path):
    f = styles / "shanxi" / "text.html.j2"
    lines = f.read_text(encoding="utf-8").split("\n")
    lines.insert(4, '<embed src="x.swf">')
    f.write_text("\n".join(lines), encoding="utf-8")
    p, _s, written = _render_with(styles, tmp_path)
    assert p.returncode == 1 and written == [], p.stderr
    assert "text.html.j2 第 5 行" in p.stderr and "<embed>" in p.stderr, p.stderr


def test_known_elements_only_in_the_shipped_templates():
    from disclosure_gen.render import templating
    for style in ("shanxi", "henan"):
        files = sorted((ROOT / "templates" / style).glob("*.j2")) + sorted((ROOT / "templates" / "_shared").glob("*.j2"))
        assert templating._static_unknown(files) is None


def test_nested_range_loop_in_a_template_stops(styles, tmp_path):
    _prepend(styles, "document.html.j2",
             "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    p, seconds, written = _render_with(styles, tmp_path, timeout=60)
    assert p.returncode == 1 and written == [] and seconds < 40, (seconds, p.stderr)
    assert "循环次数过多" in p.stderr and "document.html.j2 第 1 行" in p.stderr, p.stderr


def test_a_template_running_too_long_stops_at_its_time_limit(styles, tmp_path):
    _prepend(styles, "document.html.j2", "{% for x in b.units * 1000 %}{% for y in b.units * 1000 %}"
             "{% for z in b.units * 1000 %}{{ z.name[:0] }}{% endfor %}{% endfor %}{% endfor %}")
    p, seconds, written = _render_with(styles, tmp_path, env={"DISCLOSURE_GEN_TEMPLATE_SECONDS": "3"}, timeout=60)
    assert p.returncode == 1 and written == [] and seconds < 40, (seconds, p.stderr)
    assert "超过 3 秒" in p.stderr, p.stderr


def test_template_symlink_outside_the_style_folders_is_refused(styles, tmp_path):
    (styles / "shanxi" / "extra.html.j2").symlink_to("/etc/passwd")
    _prepend(styles, "document.html.j2", '{% include "extra.html.j2" %}')
    p, _s, written = _render_with(styles, tmp_path)
    assert p.returncode == 1 and written == [], p.stderr
    assert "样式文件夹以外" in p.stderr and "root:" not in p.stderr + p.stdout, p.stderr


def test_print_css_symlink_outside_the_style_folder_is_refused(styles, tmp_path):
    (styles / "shanxi" / "print.css").unlink()
    (styles / "shanxi" / "print.css").symlink_to("/etc/passwd")
    p, _s, written = _render_with(styles, tmp_path, fmt="pdf")
    assert p.returncode == 1 and written == [] and "print.css" in p.stderr, p.stderr


def test_missing_template_is_named_in_chinese(styles, tmp_path):
    _prepend(styles, "document.html.j2", '{% include "nowhere.html.j2" %}')
    p, _s, written = _render_with(styles, tmp_path)
    assert p.returncode == 1 and written == [], p.stderr
    assert "找不到" in p.stderr and "nowhere.html.j2" in p.stderr and "not found" not in p.stderr, p.stderr


# =============================================================================================
# 9. long unbroken strings; 10. documents beyond one render
# =============================================================================================
LONG = 100_000


def test_long_texts_are_bounded_by_check_and_refused_by_render(tmp_path):
    cases = {"exp.yaml": ("name: 事业运行,", f"name: {'A' * LONG},", "expenditure.0.name", "{code"),
             "unit.yaml": ("    name: 高平市大数据中心\n    type:", f"    name: {'A' * LONG}\n    type:", "units.0.name",
                           "    name: 高平市大数据中心\n    type:"),
             "ind.yaml": ("[[运维项目, ≥20个]]", f"[[运维项目, {'A' * LONG}]]",
                          "projects.0.performance.indicators.产出指标.数量指标.0.1", "数量指标: [[运维项目")}
    files = [write(tmp_path, n, edit(GAO, old, new)) for n, (old, new, _w, _l) in cases.items()]
    t = time.perf_counter()
    out, p = check_json(*files, timeout=60)
    assert time.perf_counter() - t < 30
    for n, (old, _new, where, needle) in cases.items():
        errs = findings(out[n], "text.too-long")
        assert errs and errs[0]["message"].startswith(where) and f"{LONG} 字" in errs[0]["message"], out[n]["findings"]
        assert errs[0]["line"] == line_of(GAO, needle)
    # not even a draft: refused up front, nothing written
    p, seconds, _r = run_cli("render", *files, "--force", "--format", "html,pdf", "-o", tmp_path / "out", timeout=120)
    assert_cli_outcome(p)
    assert p.returncode == 1 and not (tmp_path / "out").exists() and seconds < 60, (seconds, p.stderr)
    assert p.stderr.count("即使加 --force 也不生成") == 3, p.stderr


def test_unbroken_run_is_an_error_and_a_draft_breaks_it(tmp_path):
    run = "B" * 3000
    f = write(tmp_path, "run.yaml", edit(GAO, "overview: 为提升政府治理效能,根据", f"overview: 开头{run}结尾为提升政府治理效能,根据"))
    out, _p = check_json(f)
    errs = findings(out["run.yaml"], "text.unbroken")
    assert errs and "3000 个字符" in errs[0]["message"] and errs[0]["line"] == line_of(GAO, "overview: 为提升政府治理效能")
    p, seconds, _r = run_cli("render", f, "--force", "--format", "html,pdf", "-o", tmp_path / "out", timeout=180)
    assert_cli_outcome(p)
    assert p.returncode == 0, p.stderr
    html = next((tmp_path / "out").glob("*.html")).read_text(encoding="utf-8")
    assert run not in html and run in html.replace("\u200b", "")     # break points, nothing else changed
    assert max(len(x) for x in re.findall(r"B+", html)) <= 40
    from test_hostile import pdf_text
    text = pdf_text(next((tmp_path / "out").glob("*.pdf")))
    assert re.sub(r"[\s\u200b]", "", text).count("B") >= 3000      # the whole run is printed


def test_a_document_beyond_one_render_is_refused_up_front(tmp_path):
    start = GAO.index("  - name: 大数据管理业务费\n")
    end = GAO.index("\nsangong:")
    block = GAO[start:end].rstrip("\n") + "\n"
    many = "".join(block.replace("大数据管理业务费", f"业务费{i}", 1) for i in range(1000))
    f = write(tmp_path, "big.yaml", GAO[:start] + block + many + GAO[end:])
    out, p = check_json(f)
    errs = findings(out["big.yaml"], "size.too-large")
    assert errs and "共 1002 个项目" in errs[0]["message"] and "上限 1000" in errs[0]["message"], \
        out["big.yaml"]["findings"][:3]
    # the file is to be split first: its other rules wait (they would take minutes on such a file;
    # each copied project would have repeated gaoping's two perf.unknown-department warnings)
    assert {f["rule"] for f in out["big.yaml"]["findings"]} == {"size.too-large"}
    p, seconds, _r = run_cli("render", f, "--force", "--format", "pdf", "-o", tmp_path / "out", timeout=120)
    assert_cli_outcome(p)
    assert p.returncode == 1 and seconds < 60 and "上限" in p.stderr and not (tmp_path / "out").exists(), p.stderr


# =============================================================================================
# 11. batch: a per-file time limit; --jobs bounded
# =============================================================================================
def test_batch_time_limit_reports_the_file_and_goes_on(styles, tmp_path):
    _prepend(styles, "document.html.j2", '{% if b.agency.name.startswith("慢") %}{% for x in b.units * 1000 %}'
             "{% for y in b.units * 1000 %}{% for z in b.units * 1000 %}{% endfor %}{% endfor %}{% endfor %}{% endif %}")
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "a.yaml", GAO)
    write(folder, "b.yaml", edit(GAO, "  name: 高平市大数据中心\n", "  name: 慢高平市大数据中心\n"))
    p, seconds, _r = run_cli("batch", folder, "-o", tmp_path / "out", "--format", "html", "--time-limit", "15",
                             timeout=200, env={"DISCLOSURE_GEN_TEMPLATES": str(styles),
                                               "DISCLOSURE_GEN_TEMPLATE_SECONDS": "600"})
    assert_cli_outcome(p)
    assert p.returncode == 1 and seconds < 120, (seconds, p.stderr)
    assert re.search(r"a\.yaml\s+高平市大数据中心\s+成功", p.stdout), p.stdout
    assert re.search(r"b\.yaml\s+慢高平市大数据中心\s+失败", p.stdout), p.stdout
    assert "b.yaml：失败：超过每个文件的时限 15 秒" in p.stdout
    assert [x.name for x in (tmp_path / "out").iterdir()] == ["高平市大数据中心-2026年度单位预算公开-shanxi.html"]


def test_batch_jobs_are_bounded_and_zero_is_refused(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "a.yaml", GAO)
    p, _s, _r = run_cli("batch", folder, "-o", tmp_path / "out", "--jobs", "0", timeout=60)
    assert p.returncode == 2 and "--jobs 应至少为 1" in p.stderr
    p, _s, _r = run_cli("batch", folder, "-o", tmp_path / "out", "--format", "html", "--jobs", "999", timeout=120)
    assert_cli_outcome(p)
    assert p.returncode == 0 and "--jobs 999 超过本机上限" in p.stderr, p.stderr
    n = int(re.search(r"(\d+) 个进程并行", p.stderr).group(1))
    assert 1 <= n <= (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())


# =============================================================================================
# 14. output modes: no setuid/setgid/sticky bit, no mode through a symlink
# =============================================================================================
def test_outputs_never_take_special_bits(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stem = "高平市大数据中心-2026年度单位预算公开-shanxi"
    suid = tmp_path / "suid-program"
    suid.write_bytes(b"#!/bin/sh\n")
    os.chmod(suid, 0o4755)
    (out / f"{stem}.html").symlink_to(suid)
    (out / f"{stem}.docx").write_bytes(b"old")
    os.chmod(out / f"{stem}.docx", 0o6775 if os.geteuid() == 0 else 0o2775)
    p, _s, _r = run_cli("render", GAOPING, "--format", "docx,html", "-o", out, timeout=120)
    assert_cli_outcome(p)
    assert p.returncode == 0, p.stderr
    html, docx = out / f"{stem}.html", out / f"{stem}.docx"
    assert not html.is_symlink() and html.read_bytes().startswith(b"<!DOCTYPE") or b"<html" in html.read_bytes()[:200]
    for f in (html, docx):
        mode = f.lstat().st_mode
        assert not mode & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX), (f.name, oct(mode))
    assert docx.lstat().st_mode & 0o777 == 0o775          # the old file's permissions, less the special bits
    assert suid.read_bytes() == b"#!/bin/sh\n" and suid.stat().st_mode & 0o7777 == 0o4755   # target untouched


# =============================================================================================
# 15. a full disk under the cache folder: the cache is best effort
# =============================================================================================
FULL_CACHE_PROBE = """
import errno, os, sys, tempfile
cache = os.path.realpath(os.environ["DISCLOSURE_GEN_CACHE"])
inner = tempfile._mkstemp_inner
def full(dir, pre, suf, flags, output_type):
    fd, name = inner(dir, pre, suf, flags, output_type)
    if os.path.realpath(dir).startswith(cache):       # writes there fail as on a full disk
        dev = os.open("/dev/full", os.O_WRONLY)
        os.dup2(dev, fd)
        os.close(dev)
    return fd, name
tempfile._mkstemp_inner = full
from disclosure_gen.commands.cli import main
try:
    rc = main(sys.argv[1:])
except SystemExit as e:
    rc = e.code
sys.stdout.flush(); sys.stderr.flush()
pool = sys.modules.get("disclosure_gen.writers.pdfpool")      # as the command line ends
pool and pool.shutdown()
os._exit(rc or 0)
"""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_cache_disk_does_not_stop_rendering(tmp_path):
    cache = tmp_path / "cache"
    env = {**os.environ, "DISCLOSURE_GEN_CACHE": str(cache)}
    p = subprocess.run([sys.executable, "-c", FULL_CACHE_PROBE, "render", str(GAOPING), "--format", "docx,pdf,html",
                        "-o", str(tmp_path / "out")], capture_output=True, text=True, timeout=300, env=env)
    assert_cli_outcome(p)
    assert p.returncode == 0, p.stderr
    assert len(list((tmp_path / "out").iterdir())) == 3
    written = [f for f in cache.rglob("*") if f.is_file() and f.stat().st_size]
    assert written == [], written          # every cache write failed, and the render went on


# =============================================================================================
# 16. `new --name` validated; 17. `rollover --to` bounded
# =============================================================================================
@pytest.mark.parametrize("name", ["x\nstyle: henan", "x\tstyle", "x\x7f", "\u2028x", "\u200b\u200d", "名" * 101])
def test_new_refuses_names_that_would_inject_or_vanish(tmp_path, name):
    target = tmp_path / "x.yaml"
    p, _s, _r = run_cli("new", "--name", name, "--kind", "单位", "--year", "2027", "-o", target, timeout=60)
    assert "Traceback" not in p.stderr
    assert p.returncode == 2 and "--name" in p.stderr and not target.exists(), p.stderr


@pytest.mark.parametrize("to", ["2101", "99999"])
def test_rollover_target_year_is_bounded(tmp_path, to):
    target = tmp_path / "next.yaml"
    p, _s, _r = run_cli("rollover", GAOPING, "--to", to, "-o", target, timeout=60)
    assert "Traceback" not in p.stderr
    assert p.returncode == 2 and f"目标年度 {to} 不在 2000–2100 之间" in p.stderr and not target.exists()


def test_rollover_hint_names_force_errors(tmp_path):
    src = write(tmp_path, "bad.yaml", edit(GAO, "wages: 104.14", "wages: 204.14"))
    p, _s, _r = run_cli("rollover", src, "-o", tmp_path / "next.yaml", timeout=60)
    assert p.returncode == 1 and "--force-errors" in p.stderr and "或用 --force 强制" not in p.stderr, p.stderr


# =============================================================================================
# 18. YAML merge keys with overrides
# =============================================================================================
def test_merge_keys_with_overrides_follow_the_standard(tmp_path):
    merged = edit(GAO, '  - {code: "30101", gov: "50501", amount: 51.05}',
                  '  - &row {code: "30101", gov: "50501", amount: 51.05}')
    merged = edit(merged, '  - {code: "30102", gov: "50501", amount: 6.77}', '  - {<<: *row, code: "30102", amount: 6.77}')
    merged = edit(merged, '  - {code: "30107", gov: "50501", amount: 45.92}', '  - {amount: 45.92, <<: *row, code: "30107"}')
    f = write(tmp_path, "merged.yaml", merged)
    out, p = check_json(f)
    assert p.returncode == 0 and out["merged.yaml"]["errors"] == 0, out["merged.yaml"]["findings"]
    p, _s, _r = run_cli("diff", GAOPING, f, timeout=120)
    assert_cli_outcome(p)
    assert p.returncode == 0, p.stdout        # the same data as the file written out in full
