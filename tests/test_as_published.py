"""Issue 2: every data error the published documents contain (spec §7) is found when their figures are
entered as published.

tests/fixtures/*-as-published.yaml hold each document's figures exactly as printed, mistakes included;
inputs/ hold the corrected figures. `check` must report exactly the findings listed here — each with its
rule, severity, the figures it names and the YAML line the author must change — and nothing else, so a
rule that stops firing, fires twice or starts firing on something else fails this test.

Typesetting and wording slips of §7 (ASCII colons, `部门公开表9`, `增加93.07%` for `增长`, stray spaces,
missing 。) are not data: the templates print the right form and the style tests read it.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from disclosure_gen.check import rules as check

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
INPUTS = ROOT / "inputs"

E, W = check.ERROR, check.WARNING

# (severity, rule, words in the message, words on the YAML line pointed at, spec item and why)
JINCHENG = [
    (E, "identity.income-source", "6,392.13 ≠ 一般公共预算支出 6,392.14", "一般公共预算: 6392.13",
     "§7.B.1–2: 表一 income 6,392.13 vs the 类 rows 6,185.02+75.06+54.20+77.86 = 6,392.14"),
    (E, "control.mismatch", "支出总计：填写的控制数 10,376.05 ≠ 按明细计算 10,376.06", "expenditure_total",
     "§7.B.1: 本年支出合计 10,376.05, the five categories add up to 10,376.06"),
    (E, "control.mismatch", "一般公共预算支出合计：填写的控制数 6,392.13 ≠ 按明细计算 6,392.14", "gpb_total",
     "§7.B.2: 合计 of 表2/4/5"),
    (E, "control.mismatch", "基本支出合计：填写的控制数 886.13 ≠ 按明细计算 886.14", "basic_total",
     "§7.B.3: 基本支出 column, 类 rows add up to 886.14"),
    (E, "control.mismatch", "9,489.92 ≠ 按明细计算 5,506.00", "project_gpb_total",
     "§7.B.4: 十 calls all project spending (incl. 3,983.92 政府性基金) 一般公共预算当年拨款"),
    (W, "identity.econ-basic", "761.70 ≠ 功能分类合计 761.71", "30101",
     "§7.B.3: the functional 项 were rounded apart from 表6 (75.06/37.08/77.86 vs 75.05/37.09/77.85)"),
    (E, "perf.duplicate", "“晋城市智慧人大建设项目费用”有 2 张绩效目标表", "- attribute:",
     "§7.B.10: 15 performance tables for 14 projects"),
    (W, "perf.name-mismatch", "“重点课题研究经费”与项目支出表“重点课题研究经费用”", "title_name",
     "§7.B.9: T12 name vs its performance table"),
    (W, "running.public-institution", "晋城市数字政府服务中心是事业单位", "89.27",
     "§7.B.11: 机关运行经费 of a 全额事业单位, against the glossary"),
    (W, "perf.cost-indicator", "“需付合同款”成本指标（项目合同款支付 18714.47万元）与项目预算 2,661.92", "18714.47万元",
     "§7.B.16: 成本指标 vs 年度资金 2,661.92万"),
    (W, "perf.cost-indicator", "“智库合作项目”成本指标（预算控制数 ≤200万元）与项目预算 100.00", "≤200万元",
     "§7.B.16: ≤200万 for a 100万 project"),
    (W, "perf.funds-period", "18,000,000 元 ≠ 年度资金 4,000,000 元 × 项目期 3 年", "18000000",
     "§7.B.16: 大数据应用平台运维服务费 实施期 = 4.5 × 年度 for a 3-year project"),
    (W, "perf.funds-period", "10,980,000 元 ≠ 年度资金 5,980,000 元 × 项目期 3 年", "10980000",
     "§7.B.16: 热线受理中心… 实施期 vs 3 × 年度"),
    (W, "perf.funds-period", "102,000,000 元 ≠ 年度资金 20,000,000 元 × 项目期 3 年", "102000000",
     "§7.B.16 (新型智慧城市二期: 30% of 1.02亿 ≠ 年度 2,000万); the period/annual mismatch itself is not listed"),
    (W, "perf.funds-period", "2,295,400 元 ≠ 年度资金 400,000 元 × 项目期 4 年", "2295400",
     "not in §7, but printed so: 大数据应用运行费 实施期 2,295,400 vs 4 × 400,000"),
    (W, "perf.unknown-department", "“信息管理科”", "信息管理科",
     "§7.B.16: 信息管理科 cited, not among the 13 科室 of 机构设置"),
    (W, "perf.unknown-department", "“数据开发利用科”", "数据开发利用科",
     "not in §7, but printed so: the list has 开发推广科, no 数据开发利用科"),
    *[(W, "perf.unknown-department", "“财务科”", "财务科",
       "not in §7, but printed so: 财务科 pays in 8 tables, no 财务科 in 机构设置") for _ in range(8)],
    # not in §7, but printed so: nine tables have an empty 成本指标 (the §7.B.16 items about misfiled
    # 时效 indicators are wording, not data)
    *[(W, "perf.indicator-missing", "缺少成本指标", "", "empty 成本指标") for _ in range(9)],
]

JIYUAN = [
    (E, "control.mismatch", "增减率(%)：已公开文件印出的 35.37 ≠ 按明细计算 35.38", "change_pct_total: 35.37",
     "§7.1: 1,271.70 / 3,594.70 = 35.377%, the document truncated"),
    (E, "control.mismatch", "增减率(%)：已公开文件印出的 74.06 ≠ 按明细计算 74.07", "change_pct_gpb: 74.06",
     "§7.2: 2,662.50 / 3,594.70 = 74.067%, truncated again"),
    (E, "perf.duplicate", "网站运维服务”有 2 张绩效目标表", "- indicators:",
     "§7.3: 预算12表 prints …5013 twice"),
    (E, "perf.duplicate", "济源工程建设项目审批综合管理平台”有 2 张绩效目标表", "- indicators:",
     "§7.3: 预算12表 prints …5023 twice"),
    (W, "perf.indicator-missing", "“电子政务专项-政务信息化建设资金”缺少成本、产出、效益、满意度指标", "performance: {}",
     "§7.4: …82001 has no indicators at all"),
    (W, "perf.indicator-missing", "“电子政务专项-济源信息化政务平台运维项目”缺少成本指标", "产出指标",
     "§7.4: …5021 has no 成本指标"),
    (W, "perf.cost-indicator", "（起诉费、寄递费、资料费等 2万元）与项目预算 62.00", "2万元",
     "§7.5: …5015 62.00 vs 2万元"),
    (W, "perf.cost-indicator", "（租赁费+委托业务费 329.35万元）与项目预算 329.20", "329.35万元",
     "§7.5: …5019 329.20 vs 329.35万元"),
    (W, "perf.cost-indicator", "15万元/年）与项目预算 14.80", "15万元/年",
     "§7.5: …5022 14.80 vs 15万元/年"),
    (W, "perf.cost-indicator", "117万元/年）与项目预算 103.70", "117万元/年",
     "§7.5: …5024 103.70 vs 117万元/年"),
    (W, "procurement.zero-with-purchases", "政府采购预算为 0", "procurement:",
     "§7.11: 政府采购 0.00 although projects buy services, rent a machine room and buy 负载均衡设备"),
]

GAOPING = [
    (W, "perf.unknown-department", "“2026年高平市电子政务运行维护项目”的绩效目标表提到“技术运维股”", "技术运维股",
     "§7.A.8: 技术运维股 is not among the 6 内设机构"),
    (W, "perf.unknown-department", "“大数据管理业务费”的绩效目标表提到“技术运维股”", "技术运维股",
     "§7.A.8 (its second table); `运维股` in the same table is read as 运维保障股 and not reported"),
]

# Hubei: 表11/表12 declaration forms and a department-wide budget (spec hubei §7)
HUANGPI_WARNINGS = [
    (W, "running.public-institution", "武汉市黄陂区大数据中心本级是事业单位", '"032001": 98',
     "§7.14: 机关运行经费 98 cannot come from the tables, and the glossary restricts it to 行政单位"),
    (W, "assets.value-vehicles", "国有资产总额为 0，但有车辆 1 辆", "total_value: 0",
     "§7.6: 占有使用国有资产 0 万元, yet 一般公务用车 1 辆"),
    (W, "perf.boilerplate-indicators", "全部 183 条指标都是“98%”（行业标准）", "数量指标",
     "§7.13: every indicator of 表11 and 表12 is 安全运行 / 98% / 行业标准"),
    (W, "overall.goal-summary", "长期目标 3 汇总栏写作“做好数据平台运行维护", "summary:",
     "§7.12: long-term goal 3 worded differently in the summary and the detail"),
    (W, "overall.goal-summary", "年度目标 3 汇总栏写作“做好政务数据汇聚平台和社区工作平台运行维护", "summary:",
     "§7.12: annual goal 3 likewise"),
    (W, "form.start-year", "“链路租赁费”起始年度 2024，但预算变动情况写明本项目从 2023 年开始预算", "start_year: 2024",
     "§7.10: 起始年度 2024 vs 本项目从2023年开始预算"),
    (W, "perf.name-mismatch", "“大数据中心运行经费”与项目支出表“单位运行经费”", "title_name:",
     "§7.8: …24032T000000104 is 单位运行经费 in 表10, 大数据中心运行经费 in 表12"),
    (W, "form.executor-mismatch", "“网络运行维护费”申报表的执行单位“武汉市黄陂区大数据中心”", "executor:",
     "§7.9: 表12 执行单位 vs 表10 项目单位 网络运维服务中心"),
    (W, "form.executor-mismatch", "“社区工作平台及系统”申报表的执行单位“武汉市黄陂区大数据中心”", "executor:",
     "§7.9: 表12 执行单位 vs 表10 项目单位 数据资源服务中心"),
]
HUANGPI = [
    (E, "control.mismatch", "(2080505) 增减率(%)：已公开文件印出的 27.83 ≠ 按明细计算 27.84", "27.83",
     "§7.1: 10.70 / 38.43 = 27.8428%, printed 27.83%"),
    (E, "control.mismatch", "(2210202) 增减率(%)：已公开文件印出的 57.28 ≠ 按明细计算 57.27", "57.28",
     "§7.2: 3.90 / 6.81 = 57.2687%, printed 57.28%"),
    (E, "control.mismatch", "项目支出绩效目标（申报表）个数：已公开文件印出的 4 ≠ 按明细计算 6", "project_form_count: 4",
     "§7.7: 4 个一级项目支出绩效目标, but 表10 and 表12 have 6 projects"),
    *HUANGPI_WARNINGS,
]

CASES = {
    "jincheng-as-published": (FIXTURES / "jincheng-bigdata-2023-as-published.yaml", JINCHENG),
    "jiyuan-as-published": (FIXTURES / "jiyuan-bigdata-2024-as-published.yaml", JIYUAN),
    # gaoping's figures are all right (§7.A lists no arithmetic error): its input is as published
    "gaoping": (INPUTS / "gaoping-bigdata-2026.yaml", GAOPING),
    "huangpi-as-published": (FIXTURES / "huangpi-bigdata-2024-as-published.yaml", HUANGPI),
    # the corrected input keeps what the tables cannot correct (the agency's to answer), no arithmetic error
    "huangpi": (INPUTS / "huangpi-bigdata-2024.yaml", HUANGPI_WARNINGS),
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    path, expected = CASES[request.param]
    loaded = check.load(str(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    return loaded, lines, expected


def test_exactly_the_expected_rules_fire(case):
    loaded, _lines, expected = case
    got = Counter((f.severity, f.rule) for f in loaded.findings)
    want = Counter((sev, rule) for sev, rule, *_ in expected)
    assert got == want, "\n".join(f.format() for f in loaded.findings)


def test_each_published_mistake_is_named_at_its_line(case):
    loaded, lines, expected = case
    left = list(loaded.findings)
    for sev, rule, words, on_line, why in expected:
        match = next((f for f in left if f.severity == sev and f.rule == rule and words in f.message
                      and on_line in lines[f.line - 1]), None)
        assert match is not None, f"{rule} «{words}» at a line with «{on_line}» ({why}) not among:\n" + \
            "\n".join(f.format() for f in left if f.rule == rule)
        left.remove(match)


@pytest.mark.parametrize("name", ["jincheng-bigdata-2023.yaml", "jiyuan-bigdata-2024.yaml"])
def test_corrected_inputs_carry_no_arithmetic_error(name):
    """The corrected inputs keep the published wording of the performance tables (their warnings are the
    agency's to answer), but none of the errors above: every figure adds up."""
    loaded = check.load(str(INPUTS / name))
    assert loaded.errors == []
    rules = {f.rule for f in loaded.findings}
    assert not rules & {"control.mismatch", "identity.income-source", "identity.econ-basic", "perf.duplicate",
                        "perf.name-mismatch"}, rules


def test_generic_words_are_not_offices():
    """`巡检报告提供给科室` names no office (it was reported as one before); `财务科室` is 财务科."""
    names = list(check._dept_mentions("按月将巡检报告提供给科室，由相关股室配合，财务科室根据验收结论支付。"))
    assert names == ["财务科"]
    assert check._same_office("运维股", "运维保障股")
    assert not check._same_office("信息管理科", "信息采编科")
