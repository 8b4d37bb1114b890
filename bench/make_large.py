"""Generate a large 部门 budget (10 units, 300 项 lines, 80 projects with full performance tables).

Deterministic (seeded): the same seed gives the same bytes. The file follows the input format of
src/disclosure_gen/model.py and is consistent, so that `disclosure-gen check` finds no error in it:

* every 项 code belongs to a known 类/款 and keeps one name wherever it appears;
* each project is the only project money of its (unit, 项 code, source) line, with the same
  amount, type (其他运转类 → ops, 特定目标类 → target) and function code;
* economic rows split each unit's functional 基本支出 exactly (in cents), per source:
  wages → 301xx, family → 303xx, office → 302xx; 三公 equals the 30217/30231 rows;
* each performance table has every indicator category, annual funds = the budget in 元 and a
  cost indicator that states the budget.

    .venv/bin/python bench/make_large.py [-o bench/work/large-dept.yaml] [--seed 2026]
"""
from __future__ import annotations

import argparse
import random
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from disclosure_gen.model import codes   # noqa: E402

N_UNITS, N_LINES, N_PROJECTS = 10, 300, 80
CENT = Decimal("0.01")

DEPTS = ["办公室", "财务科", "人事科", "政策法规科", "数据资源科", "网络安全科", "信息化建设科",
         "运维保障科", "规划发展科", "应用推广科", "督查考核科", "政务服务科"]
PHRASES = [
    "围绕全市数字政府建设总体部署", "按照统一规划、统一标准、统一建设、统一运维的原则",
    "推进政务数据汇聚共享和开放利用", "提升政务服务“一网通办”水平", "保障电子政务外网安全稳定运行",
    "强化基础设施集约化建设和运维管理", "完善数据治理体系和标准规范", "加强网络安全等级保护和风险监测",
    "做好项目招标、合同签订、过程监理和竣工验收", "严格执行财务管理制度和资金支付审批程序",
    "按季度开展绩效运行监控并及时纠偏", "建立健全项目台账和档案管理制度", "聘请第三方机构进行评估",
    "确保资金使用规范、安全、有效", "有效降低行政运行成本", "为群众和企业办事提供便利",
    "根据年度工作计划分阶段组织实施", "年底前完成全部建设内容并通过验收",
]
OUTPUT_QTY = [("系统运维数量", "≥{n}个"), ("培训人次", "≥{n}人次"), ("数据归集条数", "≥{n}万条"),
              ("服务终端数量", "≥{n}台"), ("巡检次数", "≥{n}次"), ("接入单位数量", "≥{n}家")]
OUTPUT_QUAL = [("验收合格率", "100%"), ("系统可用率", "≥99.{n}%"), ("数据准确率", "≥9{n}%"),
               ("安全事件处置率", "100%")]
OUTPUT_TIME = [("项目完成时间", "{y}年12月底前"), ("资金支付时间", "年底前"), ("故障响应时间", "≤{n}小时")]
BENEFIT_ECON = [("节约财政资金", "有效节约"), ("降低运维成本", "降低{n}%")]
BENEFIT_SOC = [("政务服务效率", "明显提升"), ("数据共享水平", "显著提高"), ("群众办事便利度", "有效提升")]
BENEFIT_ECO = [("无纸化办公比例", "≥{n}0%"), ("机房能耗", "逐年下降")]
BENEFIT_SUST = [("系统持续稳定运行年限", "≥{n}年"), ("长效运维机制", "建立健全")]
SATISFY = [("服务对象满意度(%)", "≥9{n}%"), ("使用单位满意度(%)", "≥9{n}%")]


def _pool():
    """7-digit 项 codes under known 款, each with one fixed name."""
    out = []
    for k5, name in sorted(codes.SUBCATEGORIES.items()):
        if k5[:3] not in codes.CATEGORIES:
            continue
        for suffix, what in (("01", "行政运行"), ("02", "一般行政管理事务"), ("50", "事业运行"),
                             ("99", "其他" + name + "支出")):
            out.append((k5 + suffix, what))
    return out


def _split(total_cents: int, n: int, rnd: random.Random) -> list[int]:
    """Split an integer number of cents into n positive parts (exactly)."""
    if n <= 1 or total_cents < n:
        return [total_cents]
    cuts = sorted(rnd.sample(range(1, total_cents), n - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [total_cents])]


def _money(cents: int) -> str:
    return f"{Decimal(cents) * CENT:.2f}"


def _q(s: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(rnd: random.Random, n: int) -> str:
    return "，".join(rnd.choice(PHRASES) for _ in range(n)) + "。"


def _ind(rnd, table, year, k=None):
    k = k or rnd.randint(1, 3)
    picks = rnd.sample(table, min(k, len(table)))
    return [[name, val.format(n=rnd.randint(2, 9), y=year)] for name, val in picks]


def build(seed: int = 2026, year: int = 2026, projects: int = N_PROJECTS) -> str:
    """`projects`: how many projects (each on its own 项 line, with its performance table); beyond
    the default, units are added so that every unit keeps at most 60 项 lines."""
    rnd = random.Random(seed)
    pool = _pool()
    n_lines = max(N_LINES, projects + N_LINES - N_PROJECTS)
    n_units = max(N_UNITS, -(-n_lines // 60))
    units = []
    for i in range(n_units):
        typ = "行政单位" if i == 0 else rnd.choice(["事业单位", "参照公务员法管理", "事业单位"])
        units.append({
            "code": f"031{i + 1:03d}", "type": typ,
            "name": "晋阳市大数据应用局" + ("机关" if i == 0 else f"第{i}数据服务中心"),
            "departments": rnd.sample(DEPTS, 5),
        })

    # 300 项 lines: 80 carry exactly one project each, 220 carry basic spending
    per_unit = n_lines // n_units
    lines = []
    for u in units:
        for code, name in rnd.sample(pool, per_unit):
            lines.append({"unit": u["code"], "code": code, "name": name})
    rnd.shuffle(lines)
    project_lines = lines[:projects]
    basic_lines = lines[projects:]

    exp_rows = []
    basic = {}   # (unit, source) -> [wages, family, office] in cents
    for ln in basic_lines:
        src = "一般公共预算" if rnd.random() < 0.85 else "事业收入"
        w = rnd.randint(50_00, 400_00) if rnd.random() < 0.8 else 0
        fam = rnd.randint(1_00, 30_00) if rnd.random() < 0.3 else 0
        off = rnd.randint(5_00, 60_00) if rnd.random() < 0.7 else 0
        if w + fam + off == 0:
            off = 10_00
        acc = basic.setdefault((ln["unit"], src), [0, 0, 0])
        acc[0] += w
        acc[1] += fam
        acc[2] += off
        cells = [f"code: {_q(ln['code'])}", f"name: {ln['name']}", f"unit: {_q(ln['unit'])}"]
        if src != "一般公共预算":
            cells.append(f"source: {src}")
        for key, v in (("wages", w), ("family", fam), ("office", off)):
            if v:
                cells.append(f"{key}: {_money(v)}")
        exp_rows.append((ln["unit"], ln["code"], "  - {" + ", ".join(cells) + "}"))

    projects = []
    for j, ln in enumerate(project_lines):
        src = "一般公共预算" if rnd.random() < 0.8 else "政府性基金预算"
        typ = "特定目标类" if rnd.random() < 0.7 else "其他运转类"
        cents = rnd.randint(5_00, 900_00)
        kind = "target" if typ == "特定目标类" else "ops"
        cells = [f"code: {_q(ln['code'])}", f"name: {ln['name']}", f"unit: {_q(ln['unit'])}"]
        if src != "一般公共预算":
            cells.append(f"source: {src}")
        cells.append(f"{kind}: {_money(cents)}")
        exp_rows.append((ln["unit"], ln["code"], "  - {" + ", ".join(cells) + "}"))
        projects.append({"no": j + 1, "unit": ln["unit"], "function": ln["code"], "source": src,
                         "type": typ, "cents": cents})
    exp_rows.sort()

    # economic rows: exact split of each (unit, source) 基本支出 into 款
    unit_type = {u["code"]: u["type"] for u in units}
    econ = []
    sangong_reception = sangong_car = 0
    for (ucode, src), (w, fam, off) in sorted(basic.items()):
        admin = unit_type[ucode] != "事业单位"
        g_w, g_o, g_f = ("50101", "50201", "50901") if admin else ("50501", "50502", "50901")
        for total, codes_ in ((w, ["30101", "30102", "30103", "30107", "30108", "30109", "30110", "30113"]),
                              (fam, ["30302", "30305", "30399"]),
                              (off, ["30201", "30205", "30206", "30211", "30213", "30217", "30228", "30231",
                                     "30299"])):
            if not total:
                continue
            n = min(len(codes_), max(1, total // 100))
            chosen = codes_[:n]
            parts = _split(total, len(chosen), rnd)
            for code, c in zip(chosen, parts):
                gov = g_w if code.startswith("301") else g_f if code.startswith("303") else g_o
                econ.append(f"  - {{code: {_q(code)}, gov: {_q(gov)}, amount: {_money(c)}, unit: {_q(ucode)}"
                            + (f", source: {src}" if src != "一般公共预算" else "") + "}")
                if code == "30217":
                    sangong_reception += c
                elif code == "30231":
                    sangong_car += c

    out = []
    w = out.append
    w("# 生成的大型部门预算（bench/make_large.py，seed=%d）：10 个单位、300 个项级科目、80 个项目。" % seed)
    w("amount_unit: 万元")
    w("style: shanxi")
    w("options:\n  template_version: \"2026\"")
    w("agency:\n  name: 晋阳市大数据应用局\n  kind: 部门\n  year: %d\n  code: \"031\"\n  region: 晋阳市\n"
      "  level: 市级\n  finance_word: 市级财政" % year)
    w("units:")
    for u in units:
        w(f"  - code: {_q(u['code'])}\n    name: {u['name']}\n    type: {u['type']}")
        if u["type"] == "事业单位":
            w("    funding: 全额")
        w(f"    departments: [{', '.join(u['departments'])}]")
    w("overview:\n  duties:")
    for _ in range(12):
        w(f"    - {_q(_text(rnd, 5))}")
    w("  organization:")
    for u in units:
        w(f"    - {_q(u['name'] + '内设' + '、'.join(u['departments']) + '。' + _text(rnd, 3))}")
    w("expenditure:")
    out.extend(r for _u, _c, r in exp_rows)
    w("economic:")
    out.extend(econ)

    all_depts = [d for u in units for d in u["departments"]]
    w("projects:")
    for p in projects:
        amount = Decimal(p["cents"]) * CENT
        yuan = p["cents"] * 100
        years = rnd.choice([1, 3, 99])
        period = yuan * (years if years == 3 else 1)
        dept = rnd.choice(all_depts)
        w(f"  - code: {_q('14050025%03d%07d' % (int(p['unit'][-3:]), p['no']))}")
        w(f"    name: {_q('%d年%s项目%02d' % (year, rnd.choice(['政务云运维', '数据共享平台建设', '网络安全保障', '电子政务外网租赁', '信息系统升级改造', '12345热线运行']), p['no']))}")
        w(f"    unit: {_q(p['unit'])}\n    type: {p['type']}\n    function: {_q(p['function'])}")
        w(f"    amounts: {{{p['source']}: {amount:.2f}}}")
        w("    performance:")
        w(f"      attribute: {rnd.choice(['经常性项目(长期开展)', '一次性项目', '延续性项目'])}")
        w(f"      period_years: {years}")
        w(f"      funds_yuan:\n        period: {{市县: {period}}}\n        annual: {{市县: {yuan}}}")
        for key, n in (("overview", 8), ("basis", 3), ("necessity", 6), ("measures", 7), ("plan", 5),
                       ("goal_period", 4), ("goal_annual", 4)):
            text = _text(rnd, n)
            if key == "measures":
                text = f"由{dept}具体负责，" + text
            w(f"      {key}: {_q(text)}")
        tree = {
            "产出指标": {"数量指标": _ind(rnd, OUTPUT_QTY, year), "质量指标": _ind(rnd, OUTPUT_QUAL, year),
                     "时效指标": _ind(rnd, OUTPUT_TIME, year), "成本指标": [["项目总金额", f"≤{amount:.2f}万元"]]},
            "效益指标": {"经济效益": _ind(rnd, BENEFIT_ECON, year), "社会效益": _ind(rnd, BENEFIT_SOC, year),
                     "生态效益": _ind(rnd, BENEFIT_ECO, year), "可持续影响": _ind(rnd, BENEFIT_SUST, year)},
            "满意度指标": {"服务对象满意度": _ind(rnd, SATISFY, year)},
        }
        w("      indicators:")
        for l1, sub in tree.items():
            w(f"        {l1}:")
            for l2, items in sub.items():
                w(f"          {l2}: [{', '.join('[' + _q(a) + ', ' + _q(b) + ']' for a, b in items)}]")
        w(f"      owner: 张{rnd.choice('伟芳敏静丽强磊军洋勇')}\n      handler: 李{rnd.choice('伟芳敏静丽强磊军洋勇')}")
        w(f"      phone: \"0356-{rnd.randint(2000000, 8999999)}\"\n      filled_at: \"{year}0108{rnd.randint(80000, 175959):06d}\"")

    w(f"sangong: {{公务接待: {_money(sangong_reception)}, 公务用车运行: {_money(sangong_car)}}}")
    admin_units = [u["code"] for u in units if u["type"] != "事业单位"]
    w("running_costs: {" + ", ".join(f"{_q(c)}: {_money(basic.get((c, '一般公共预算'), [0, 0, 0])[2])}"
                                     for c in admin_units) + "}")
    w(f"procurement: {{goods: 356.20, works: 120.00, services: 845.60}}")
    w(f"performance_overall: {_q(_text(rnd, 6))}")
    w("assets:\n  vehicle_quota: 6\n  vehicles: {领导用车: 0, 机要通信用车: 1, 应急保障用车: 2, 执法执勤用车: 0, "
      "特种专业技术用车: 0, 事业单位业务用车: 3, 其他公务用车: 0}\n  office_area_m2: 5230\n"
      "  equipment_50w: 2\n  equipment_100w: 1")
    w("notes:\n  purchase_services: 本部门政府购买服务事项按指导性目录执行。\n  other: 本部门无其他情况。")
    w("prior_year:\n  total: {amount: 30000.00, reason: 项目支出增加}\n  gpb: {amount: 25000.00}")
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default=str(ROOT / "bench" / "work" / "large-dept.yaml"))
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--projects", type=int, default=N_PROJECTS)
    args = ap.parse_args(argv)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build(args.seed, projects=args.projects), encoding="utf-8")
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
