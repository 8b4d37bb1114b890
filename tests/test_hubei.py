"""Issue 15: the Hubei-style 部门预算 (黄陂区大数据中心（汇总）2024) as PDF and DOCX, read back and compared with
the published one (shared/seeds/hubei-huangpi-bigdata-2024-dept.txt, spec shared/spec/hubei.md).

The document is rendered once per module; its PDF text, page sizes, DOCX XML and HTML markup are checked.
Where the published figure is wrong (spec §7) the correct figure is expected, and the published one is named
below with the reason. Every input renders in every style (gaoping/jiyuan/jincheng in Hubei style, huangpi
in the Shanxi and Henan styles) with missing-data warnings, never a crash.
"""
from __future__ import annotations

import html as htmllib
import os
import re
import shutil
import subprocess
import sys
from functools import cached_property
from pathlib import Path

import pytest
import readback
from readback import flat

from disclosure_gen.check import rules as check
from disclosure_gen.commands import pipeline
from disclosure_gen.render import document as render
from disclosure_gen.commands import rollover
from disclosure_gen.commands import new as skeleton

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
SHARED = Path(os.environ.get("DISCLOSURE_GEN_SHARED", ROOT.parent / "shared"))
FIDELITY = SHARED / "tools" / "fidelity.py"
SEED = SHARED / "seeds" / "hubei-huangpi-bigdata-2024-dept.txt"
HUANGPI = INPUTS / "huangpi-bigdata-2024.yaml"
TEMPLATES = ROOT / "templates" / "hubei"

# Figures the published document prints wrongly (spec §7); fidelity.py therefore reports them missing.
WRONG_PUBLISHED = {
    "27.83%": "五（三）2 养老: 10.70 / 38.43 = 27.8428% rounds half-up to 27.84%; printed 27.83% (§7.1)",
    "27.83": "the same wrong percentage, read by fidelity.py as an amount",
    "57.28%": "五（三）5 提租补贴: 3.90 / 6.81 = 57.2687% rounds half-up to 57.27%; printed 57.28% (§7.2)",
    "57.28": "the same wrong percentage, read by fidelity.py as an amount",
}


class Rendered:
    def __init__(self, path: Path, style: str | None, out: Path, formats=("pdf", "docx", "html")):
        res = pipeline.render_file(str(path), out, style=style, formats=formats)
        self.files = {Path(p).suffix[1:]: Path(p) for p, _n in res.written}
        self.findings = res.findings

    @cached_property
    def html(self) -> str:
        return self.files["html"].read_text(encoding="utf-8")

    @cached_property
    def pages(self) -> list[str]:
        return [flat(p) for p in readback.pdf_pages(self.files["pdf"])]

    @cached_property
    def pdf_flat(self) -> str:
        return "".join(self.pages)

    @cached_property
    def docx_xml(self) -> str:
        return readback.docx_xml(self.files["docx"])

    @cached_property
    def docx_flat(self) -> str:
        return readback.docx_flat(self.docx_xml)

    def text(self, fmt):
        return self.pdf_flat if fmt == "pdf" else self.docx_flat

    def page_of(self, marker: str) -> int:
        return next(i for i, p in enumerate(self.pages) if marker in p)


@pytest.fixture(scope="module")
def hp(tmp_path_factory) -> Rendered:
    return Rendered(HUANGPI, None, tmp_path_factory.mktemp("huangpi-hubei"))


def missing_data(findings) -> list[str]:
    return [f.message for f in findings if f.rule == "style.missing-data"]


# ---- fidelity -----------------------------------------------------------------------------------------
@pytest.mark.skipif(not (FIDELITY.is_file() and SEED.is_file()),
                    reason="../shared (published references) not available (set DISCLOSURE_GEN_SHARED)")
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_fidelity_names_each_missing_figure(hp, fmt):
    out = subprocess.run([sys.executable, str(FIDELITY), str(SEED), str(hp.files[fmt]), "--missing"],
                         capture_output=True, text=True, check=False)
    assert out.stdout.strip(), out.stderr
    lines = out.stdout.strip().splitlines()
    missing = {ln.split(": ", 1)[1] for ln in lines if ln.startswith("missing figure:")}
    assert missing == set(WRONG_PUBLISHED), out.stdout
    assert not [ln for ln in lines if ln.startswith("missing title:")], out.stdout
    m = re.search(r"figures (\d+)/(\d+) = ([\d.]+); titles (\d+)/(\d+)", lines[-1])
    assert float(m.group(3)) >= 0.95 and m.group(4) == m.group(5), lines[-1]


def test_renders_without_missing_data(hp):
    assert missing_data(hp.findings) == []


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_corrected_figures_and_wording(hp, fmt):
    t = hp.text(fmt)
    assert "比2023年预算减少10.70万元，下降27.84%，主要是：大数据中心本级将本项支出归入“事业运行”中。" in t   # §7.1
    assert "比2023年预算减少3.90万元，下降57.27%" in t                                                      # §7.2
    assert "设置了整体支出绩效目标、6个一级项目支出绩效目标。" in t                                         # §7.7
    assert "2024年政府采购预算支出合计400万元，比上年度增加0万元，增长0%。其中：货物类0万元，工程类0万元，服务类400万元。" in t  # §7.4
    assert "（三）政府购买服务预算安排情况" in t and "预算排情况" not in t                                 # §7.5
    assert "新增/减少" not in t and "2023年国有资产无增减。" in t                                            # §7.6
    assert "比2023年预算增加0.76万元，增长0.06%" in t
    assert "2024年收支总预算1261.69万元。比2023年预算减少33.20万元，下降2.56%，主要是1.部分项目已完结；2.厉行节约，减少开支。" in t
    assert "基本支出538.69万元，占42.70%；项目支出723.00万元，占57.30%。" in t
    assert "2024年一般公共预算“三公”经费支出5.09万元，比2023年减少0.30万元，下降5.57%" in t
    assert "3.公务接待费2.70万元，比上年减少0.30万元，下降10%，主要原因是厉行节约要求" in t
    assert "1.因公出国（境）经费0万元，比上年增加0万元，增长0%。" in t
    assert "2024年机关运行经费98万元，比2023年减少2万元，降低2%，主要原因是厉行节约，减少开支。" in t
    assert "4.单位运行经费78万元，主要用于大数据中心本级日常运行经费。" in t
    assert "1、贯彻执行国家、省、市关于信息化工作" in t and "1.黄陂区大数据中心本级" in t


def test_toc_matches_the_body(hp):
    """§7.11: the TOC says what the body says (二、部门预算单位构成), 五 names both tables."""
    toc = hp.pages[1]
    assert "二、部门预算单位构成" in toc and "部门机构设置" not in toc
    assert "五、一般公共预算支出表（分功能科目，分单位）" in toc
    assert "十一、其他重要事项的情况说明" in toc and "第四部分名词解释" in toc


def test_thirteen_tables_with_titles_and_header_line(hp):
    t = hp.pdf_flat
    titles = ["表1.部门收支总表", "表2.部门收入总表", "表3.部门支出总表", "表4.财政拨款收支总表",
              "表5-1.一般公共预算支出表（分功能科目）", "表5-2.一般公共预算支出表（分单位）", "表6.一般公共预算基本支出表",
              "表7.一般公共预算“三公”经费支出表", "表8.政府性基金预算支出表", "表9.国有资本经营预算支出表",
              "表10.项目支出情况表", "表11.整体支出绩效目标表", "表12.项目支出绩效目标表"]
    positions = [t.index(x) for x in titles]
    assert positions == sorted(positions)
    assert t.count("部门/单位：黄陂区大数据中心") >= 10
    assert "注：2024年没有使用政府性基金预算拨款安排的支出。" in t
    assert "注：2024年没有使用国有资本经营预算拨款安排的支出。" in t


def table_html(doc_html: str, n: str) -> str:
    start = doc_html.index(f'id="t{n}"')
    return doc_html[start:doc_html.index("</table>", start)]


def header_width(table: str) -> int:
    """Columns of the first header row, counting colspans."""
    first = re.search(r"<tr>(.*?)</tr>", table, re.S).group(1)
    return sum(int(re.search(r'colspan="(\d+)"', c).group(1)) if "colspan" in c else 1
               for c in re.findall(r"<th[^>]*>", first))


def body_rows(table: str) -> list[list[str]]:
    body = table[table.index("<tbody>"):]
    return [[htmllib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>.*?</td>", r, re.S)]
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_table2_has_its_19_column_header_and_unit_rows(hp):
    t2 = table_html(hp.html, "2")
    assert header_width(t2) == 19
    rows = body_rows(t2)
    assert [len(r) for r in rows] == [19] * 5
    assert [r[0] for r in rows] == ["", "032", "032001", "032002", "032003"]
    assert [r[2] for r in rows] == ["1,261.69", "1,261.69", "878.12", "170.84", "212.73"]


def test_tables_3_4_5_zero_conventions(hp):
    t3 = body_rows(table_html(hp.html, "3"))
    assert t3[0] == ["", "合计", "1,261.69", "538.69", "723.00", "", "", ""]
    assert [r[0] for r in t3[1:5]] == ["201", "20137", "2013750", "208"]
    assert t3[4][4] == "0.00"                       # 项目支出 of 208: 0.00, the last three columns blank
    t4 = body_rows(table_html(hp.html, "4"))
    assert t4[1] == ["（一）一般公共预算拨款", "1,261.69", "（一）一般公共服务支出", "1,185.09"]
    assert t4[2][1] == "" and t4[2][3] == ""        # zero is blank in 表4
    assert any(r[2] == "（廿四）债务发行费用支出" for r in t4)
    t52 = body_rows(table_html(hp.html, "5-2"))
    assert t52[2] == ["032001", "武汉市黄陂区大数据中心本级", "878.12", "175.12", "167.59", "7.53", "703.00"]


def test_landscape_pages_for_wide_tables(hp):
    sizes = readback.page_sizes(hp.files["pdf"])
    for marker in ("表2.部门收入总表", "表10.项目支出情况表"):
        w, h = sizes[hp.page_of(marker)]
        assert w > h, marker
    for marker in ("表3.部门支出总表", "表11.整体支出绩效目标表"):
        w, h = sizes[hp.page_of(marker)]
        assert w < h, marker
    assert 'w:orient="landscape"' in hp.docx_xml


def test_table11_form(hp):
    t = hp.pdf_flat
    assert "部门整体支出绩效目标申报表" in t and "填报日期：2024年1月11日" in t
    # current year derived from the tables: 人员类 519.26 41.16%, 运转类 19.43 1.54%, 特定目标类 723 57.3%
    rows = body_rows(table_html(hp.html, "11"))
    assert ["支出构成", "人员类项目支出", "519.26", "41.16%", "474.36", "316.66"] in rows
    assert ["运转类项目支出", "19.43", "1.54%", "17.55", "13.53"] in rows
    assert ["特定目标类项目支出", "723", "57.3%", "802.98", "982.84"] in rows
    assert ["财政专户管理资金", "0", "0", "0", "0"] in rows
    assert ["合 计", "1261.69", "100%", "1294.89", "1313.03"] in rows
    assert "12、完成上级交办的其他任务。" in t
    assert "4、做好社区工作平台和区级政务数据汇聚开放平台" in t and "5、配合做好区城市运行管理中心" in t   # §7.12 numbering
    assert "长期目标(截止2025年)" in t and "前_年" not in t
    assert t.count("长期绩效指标") == 4 and t.count("年度绩效指标") == 5


def test_table12_forms_in_form_order_and_readable(hp):
    t = hp.pdf_flat
    assert t.count("部门项目申报表(含绩效目标)") == 6
    h = re.sub(r"<[^>]+>", "", hp.html[hp.html.index('id="t12"'):])
    names = ["“一张网”运行维护费", "链路租赁费", "政务网站网络运行维护安全防护费",
             "大数据中心运行经费", "网络运行维护费", "社区工作平台及系统"]
    pos = [h.index("项目名称\n" + htmllib.escape(n)) if ("项目名称\n" + htmllib.escape(n)) in h else h.index(htmllib.escape(n)) for n in names]
    assert pos == sorted(pos)
    assert "2022年预算662.86万元，2023年预算400万元，2024年预算400万元" in t
    assert "本项目从2023年开始预算。2023年预算103万元，2024年预算25万元。" in t
    assert "8400万元" in t                                        # 项目采购: “一张网”运行维护费 8 400万元
    assert t.count("使用上年度财政拨款结转") == 6
    # each form starts on a page of its own
    first = hp.page_of("链路租赁费项目编码")
    assert "“一张网”运行维护费项目编码" not in hp.pages[first]


# ---- every input in every style -----------------------------------------------------------------------
@pytest.mark.parametrize("name,style", [
    ("gaoping-bigdata-2026.yaml", "hubei"), ("jiyuan-bigdata-2024.yaml", "hubei"), ("jincheng-bigdata-2023.yaml", "hubei"),
    ("huangpi-bigdata-2024.yaml", "shanxi"), ("huangpi-bigdata-2024.yaml", "henan")])
def test_every_input_renders_in_every_style(tmp_path, name, style):
    d = Rendered(INPUTS / name, style, tmp_path, formats=("html",))
    need = missing_data(d.findings)
    if style == "hubei":
        assert any("整体支出绩效目标申报表（表11）" in m for m in need), need
        assert "表12.项目支出绩效目标表" in d.html
    else:
        assert any("各单位的支出科目与经济分类明细" in m for m in need), need   # lines given for the whole 部门
        assert "黄陂区大数据中心" in d.html


# ---- the contract of the templates ----------------------------------------------------------------------
def _jinja_code(text: str) -> list[str]:
    """The code inside {{ }} and {% %} of a template, string literals removed, comments dropped."""
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    code = re.findall(r"\{\{-?(.*?)-?\}\}|\{%-?(.*?)-?%\}", text, flags=re.S)
    out = []
    for a, b in code:
        c = a or b
        c = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', c)
        out.append(c)
    return out


def test_hubei_templates_do_no_arithmetic():
    """Every sum, share and change comes from derived facts: no + - * / // % and no namespace accumulators."""
    bad = []
    for p in TEMPLATES.glob("*.j2"):
        for c in _jinja_code(p.read_text(encoding="utf-8")):
            if re.search(r"[+*/%]|\s-\s|\w-\w|\w-\s|\s-\w", c):
                bad.append((p.name, c.strip()[:80]))
            if "namespace(" in c:
                bad.append((p.name, c.strip()[:80]))
    assert bad == []


def test_every_sentence_key_the_templates_use_is_in_style_yaml():
    keys = set(render.load_style("hubei")["sentences"])
    used = set()
    for p in TEMPLATES.glob("*.j2"):
        used |= set(re.findall(r'say\("([\w]+)"', p.read_text(encoding="utf-8")))
    assert used - keys == set()


# ---- checks a style declares -----------------------------------------------------------------------------
def test_a_style_rule_points_at_the_line(tmp_path):
    text = HUANGPI.read_text(encoding="utf-8").replace("income: {财政拨款: 1294.89}", "income: {财政拨款: 1294.80}")
    p = tmp_path / "x.yaml"
    p.write_text(text, encoding="utf-8")
    loaded = check.load(str(p))
    hits = [f for f in loaded.findings if f.rule == "table.prior-total"]
    assert len(hits) == 1 and "1,294.80 ≠ 情况说明一的上年收支总预算 1,294.89" in hits[0].message
    assert "year: 2023" in text.splitlines()[hits[0].line - 1]     # overall_form.history
    # the same file in a style that declares no such rule: not reported
    loaded = check.load(str(p), text.replace("style: hubei", "style: shanxi"))
    assert not [f for f in loaded.findings if f.rule == "table.prior-total"]


def test_form_details_must_add_up(tmp_path):
    text = HUANGPI.read_text(encoding="utf-8").replace("content: 云资源租赁费, econ: 商品和服务支出, amount: 60,",
                                                       "content: 云资源租赁费, econ: 商品和服务支出, amount: 61,")
    loaded = check.load("x.yaml", text)
    hits = [f for f in loaded.errors if f.rule == "form.details-sum"]
    assert len(hits) == 1 and "支出明细测算合计 401.00 ≠ 项目当年预算 400.00" in hits[0].message


def test_department_wide_lines_and_unit_totals(tmp_path):
    """A 部门 publishing its detail for the whole department: lines without unit; each unit gives totals."""
    text = HUANGPI.read_text(encoding="utf-8")
    loaded = check.load("x.yaml", text.replace('{code: "2080505", name:', '{code: "2080505", unit: "032001", name:'))
    assert [f.rule for f in loaded.errors] == ["ref.mixed-unit"]
    # the units' totals add up to the department's, and a unit's 项目支出 to its projects
    loaded = check.load("x.yaml", text.replace("{personnel: 154.04, office: 6.80, project: 10.00}",
                                               "{personnel: 154.04, office: 6.80, project: 12.00}"))
    msgs = [f.message for f in loaded.errors if f.rule == "identity.unit-totals"]
    assert msgs == ["各单位项目支出合计 725.00 ≠ 部门项目支出 723.00（黄陂区大数据中心本级 703.00、黄陂区网络运维服务中心 12.00、"
                    "黄陂区数据资源服务中心 10.00）",
                    "武汉市黄陂区网络运维服务中心项目支出 12.00 ≠ 该单位项目合计 10.00"], msgs
    # without totals, a multi-unit file must split its lines by unit, as before
    no_totals = re.sub(r"\n    totals: \{[^}]*\}", "", text)
    loaded = check.load("x.yaml", no_totals)
    assert {f.rule for f in loaded.errors} == {"ref.missing-unit"}


def test_new_hubei_skeleton_checks_clean_and_renders_without_missing_data(tmp_path):
    text = skeleton.skeleton("某某局", "部门", 2027, "hubei", "123")
    p = tmp_path / "x.yaml"
    p.write_text(text, encoding="utf-8")
    loaded = check.load(str(p))
    assert loaded.errors == []
    d = Rendered(p, None, tmp_path, formats=("html",))
    assert missing_data(d.findings) == []


def test_a_hubei_unit_budget_says_unit_where_the_department_one_says_department(tmp_path):
    """agency.kind: 单位 — the title, parts, headings, sentences and table titles say 单位 (the forms' own
    printed labels, 部门（单位）代码 and 部门/单位：, stay as the official forms print them)."""
    p = tmp_path / "x.yaml"
    p.write_text(skeleton.skeleton("某某局", "单位", 2027, "hubei", "123"), encoding="utf-8")
    page = Rendered(p, None, tmp_path, formats=("html",)).html
    text = re.sub(r"<[^>]+>", "\n", page[page.index("<body"):])
    for said in ("某某局2027年单位预算", "一、单位主要职责", "二、单位预算单位构成", "第二部分 某某局2027年单位预算表",
                 "表1.单位收支总表", "表2.单位收入总表", "表3.单位支出总表", "第三部分 某某局2027年单位预算情况说明",
                 "纳入单位预算管理", "纳入某某局2027年单位预算编制范围", "单位整体支出绩效目标申报表"):
        assert said in text, said
    assert not re.search(r"部门(?![/（(]单位|预算支出经济分类|职能概述|总体资金情况)", text), \
        re.findall(r".{0,12}部门.{0,12}", text)


def test_rollover_moves_the_forms_on(tmp_path):
    res = rollover.rollover(str(HUANGPI))
    p = tmp_path / "y.yaml"
    p.write_text(res.text, encoding="utf-8")
    loaded = check.load(str(p))
    assert loaded.errors == []
    b = loaded.budget
    assert str(b.prior_year.functions["2080505"].amount) == "27.73"
    assert b.prior_year.procurement.amount == 400
    assert [h.year for h in b.overall_form.history] == [2024, 2023]
    assert str(b.overall_form.history[0].expenditure.特定目标类) == "723.00"
    link = next(x for x in b.projects if x.name == "链路租赁费")
    assert [(h.year, str(h.amount)) for h in link.form.history] == [(2023, "103"), (2024, "25.00")]


def test_a_copied_hubei_style_is_just_a_folder(tmp_path, monkeypatch):
    """A fourth province: the hubei folder copied into a user's styles folder under a new name."""
    from disclosure_gen.render import styles
    shutil.copytree(styles.builtin_root() / "hubei", tmp_path / "otherprov")
    style = tmp_path / "otherprov" / "style.yaml"
    style.write_text(style.read_text(encoding="utf-8").replace('label: "表{n}."', 'label: "附表{n}."'),
                     encoding="utf-8")
    monkeypatch.setenv(styles.ENV_VAR, str(tmp_path))
    styles.registry.cache_clear()
    try:
        assert "otherprov" in render.available_styles()
        loaded = check.load(str(HUANGPI))
        html, _assets, doc = render.render_html(loaded.facts, "otherprov")
        assert "附表5-1.一般公共预算支出表（分功能科目）" in html and "附表12." in html and doc.missing == []
    finally:
        styles.registry.cache_clear()


def test_diff_names_a_changed_form_field(tmp_path):
    from disclosure_gen.commands import diff as diffing
    new = tmp_path / "new.yaml"
    new.write_text(HUANGPI.read_text(encoding="utf-8").replace("postcode: \"430300\"", "postcode: \"430301\"", 1),
                   encoding="utf-8")
    d = diffing.diff_files(str(HUANGPI), str(new), style="hubei")
    text = diffing.format_text(d)
    assert "项目申报表（含绩效目标） · 邮政编码：430300 → 430301" in text, text
