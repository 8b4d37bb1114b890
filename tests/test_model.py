"""Issue 2: the data model — figures derived exactly, findings at the line, bad input refused."""
from __future__ import annotations

import copy
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from disclosure_gen.check import rules as check
from disclosure_gen.model import budget as model
from disclosure_gen.reading import yamlsrc
from disclosure_gen.derive.facts import Facts
from disclosure_gen.model.money import Change, pct, r2, shares

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
GAOPING = INPUTS / "gaoping-bigdata-2026.yaml"
D = Decimal


def load_ok(path) -> check.Loaded:
    loaded = check.load(str(path))
    assert loaded.budget is not None, [f.format() for f in loaded.findings]
    return loaded


@pytest.fixture(scope="module")
def gaoping():
    return load_ok(GAOPING).facts


# ---- every input passes check -----------------------------------------------------------------
@pytest.mark.parametrize("path", sorted(INPUTS.glob("*.yaml")), ids=lambda p: p.name)
def test_inputs_have_no_errors(path):
    loaded = load_ok(path)
    assert loaded.errors == [], "\n".join(f.format() for f in loaded.errors)


def test_every_input_names_the_schema_on_its_first_line():
    for path in INPUTS.glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schema/disclosure.schema.json", path


# ---- gaoping: every figure the seed prints (all correct there, spec §7.A) -------------------------
def test_gaoping_totals(gaoping):
    f = gaoping
    assert f.income_total == D("1157.13") == f.expenditure_total
    assert f.income["一般公共预算"] == D("1157.13")
    assert f.total("basic") == D("162.40") and f.total("project") == D("994.73")
    assert f.total("personnel", "gpb") == D("149.74") and f.total("office", "gpb") == D("12.66")
    cats = {r.code: r.v() for r in f.func_rows(levels=("类",))}
    assert cats == {"201": D("126.80"), "208": D("23.75"), "210": D("9.40"), "212": D("984.73"), "221": D("12.45")}
    kuan = {r.code: (r.v("basic"), r.v("project")) for r in f.func_rows(levels=("款",))}
    assert kuan["20104"] == (D("116.80"), 0) and kuan["20199"] == (0, D("10.00"))
    assert kuan["20805"] == (D("23.75"), 0) and kuan["21011"] == (D("9.40"), 0)


def test_gaoping_economic_table(gaoping):
    rows = gaoping.econ_rows()
    classes = [(r.code, r.v(), r.v("personnel"), r.v("office")) for r in rows if r.level == "类"]
    assert classes == [("301", D("149.74"), D("149.74"), 0), ("302", D("12.66"), 0, D("12.66"))]
    names = [r.name for r in rows if r.level == "款"]
    assert names[:3] == ["基本工资", "津贴补贴", "绩效工资"] and names[-1] == "其他商品和服务支出"
    assert all(r.gov_name in ("工资福利支出", "商品和服务支出") for r in rows if r.level == "款")
    assert gaoping.econ_names("office") == ["办公费", "印刷费", "邮电费", "差旅费", "工会经费", "其他商品和服务支出"]


def test_gaoping_shares_and_changes(gaoping):
    f = gaoping
    total = f.income_total
    assert shares([f.total("basic"), f.total("project")]) == [D("14.03"), D("85.97")]
    cats = [r.v("all", "gpb") for r in f.func_rows(source="gpb", levels=("类",))]
    assert shares(cats) == [D("10.96"), D("2.05"), D("0.81"), D("85.10"), D("1.08")]
    ch = Change(total, f.prior_total.amount)
    assert (ch.sign, ch.amount, ch.percent) == (-1, D("1866.62"), D("61.73"))
    assert pct(f.income["一般公共预算"], total) == D("100.00")
    assert f.procurement_total == D("1.50")
    assert [p.total for p in f.projects] == [D("984.73"), D("10.00")]
    assert all(p.type == "特定目标类" for p in f.projects)


def test_gaoping_perf_funds_match_project_amounts(gaoping):
    for p in gaoping.projects:
        t = p.performance_tables[0]
        assert t.funds_yuan.annual.total() == p.total * 10000


# ---- findings point at the line --------------------------------------------------------------------
def _write(tmp_path, text, name="x.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def _mutated(tmp_path, old, new):
    text = GAOPING.read_text(encoding="utf-8")
    assert old in text
    return _write(tmp_path, text.replace(old, new, 1))


def test_typo_is_an_error_at_its_line(tmp_path):
    path = _mutated(tmp_path, "  - {code: \"30101\", gov: \"50501\", amount: 51.05}",
                    "  - {code: \"30101\", gov: \"50501\", ammount: 51.05}")
    loaded = check.load(path)
    line = GAOPING.read_text(encoding="utf-8").splitlines().index(
        "  - {code: \"30101\", gov: \"50501\", amount: 51.05}   # 基本工资") + 1
    f = [x for x in loaded.findings if x.rule == "schema.unknown-key"]
    assert len(f) == 1 and f[0].line == line and "ammount" in f[0].message and "是否应为 amount" in f[0].message
    # the misspelt key explains the missing `amount`: no second error (issue 11)
    assert not any(x.rule == "schema.missing" for x in loaded.findings)


def test_economic_vs_functional_mismatch_names_both_figures(tmp_path):
    path = _mutated(tmp_path, "amount: 6.31}", "amount: 6.41}")
    loaded = check.load(path)
    (f,) = [x for x in loaded.findings if x.rule == "identity.econ-basic"]
    assert f.severity == "error" or "容差" in f.message
    assert "12.76" in f.message and "12.66" in f.message


def test_project_sum_mismatch_is_an_error(tmp_path):
    path = _mutated(tmp_path, "amounts: {一般公共预算: 10.00}", "amounts: {一般公共预算: 11.00}")
    loaded = check.load(path)
    rules = {x.rule for x in loaded.errors}
    assert "identity.project-function" in rules and "perf.funds-annual" in rules
    # issue 11: at the project that carries the figure, naming its 项 line (not the total at `projects:`)
    f = next(x for x in loaded.errors if x.rule == "identity.project-function")
    assert "11.00" in f.message and "10.00" in f.message and "2019999" in f.message
    assert "11.00" in Path(path).read_text(encoding="utf-8").splitlines()[f.line - 1]


def test_bad_code_and_negative_amount(tmp_path):
    path = _mutated(tmp_path, '{code: "2080506", name: 机关事业单位职业年金缴费支出, wages: 7.92}',
                    '{code: "208056", name: 机关事业单位职业年金缴费支出, wages: -7.92}')
    loaded = check.load(path)
    msgs = " ".join(x.message for x in loaded.errors)
    assert "应为 7 位数字" in msgs and "不能为负数" in msgs


def test_duplicate_code_and_unknown_unit(tmp_path):
    text = GAOPING.read_text(encoding="utf-8").replace(
        '  - {code: "2210201", name: 住房公积金, wages: 12.45}',
        '  - {code: "2210201", name: 住房公积金, wages: 12.00}\n  - {code: "2210201", name: 住房公积金, wages: 0.45}\n'
        '  - {code: "2210201", name: 住房公积金, unit: "999999", wages: 0}')
    loaded = check.load(_write(tmp_path, text))
    rules = [x.rule for x in loaded.errors]
    assert "code.duplicate" in rules and "ref.unknown-unit" in rules


def test_control_total_mismatch(tmp_path):
    text = GAOPING.read_text(encoding="utf-8") + "controls: {expenditure_total: 1157.12, basic_total: 162.40}\n"
    loaded = check.load(_write(tmp_path, text))
    (f,) = [x for x in loaded.errors if x.rule == "control.mismatch"]
    assert "1,157.12" in f.message and "1,157.13" in f.message
    assert f.line == len(text.splitlines())


def test_amounts_in_yuan_are_converted_exactly(tmp_path):
    text = GAOPING.read_text(encoding="utf-8").replace("amount_unit: 万元", "amount_unit: 元")
    text = text.replace("wages: 104.14, office: 12.66", "wages: 1041400, office: 126600")
    loaded = check.load(_write(tmp_path, text))
    assert loaded.facts.total("office") == D("12.66")


# ---- unusable input: exit 2, fast, a clear message --------------------------------------------------
def _cli(*args, timeout=20):
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "disclosure_gen", *args], capture_output=True, text=True,
                       timeout=timeout)
    return p, time.perf_counter() - t


@pytest.mark.parametrize("case", ["malformed", "empty", "gbk", "bomb", "huge", "deep", "list"])
def test_unusable_input_exits_2(tmp_path, case):
    p = tmp_path / f"{case}.yaml"
    if case == "malformed":
        p.write_text("amount_unit: 万元\nagency:\n  name: [unclosed\n  kind: 单位\n", encoding="utf-8")
    elif case == "empty":
        p.write_text("# 只有注释\n\n", encoding="utf-8")
    elif case == "gbk":
        p.write_bytes("agency:\n  name: 高平市\n".encode("gbk"))
    elif case == "bomb":
        lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
        for i in range(1, 10):
            prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
            lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif case == "huge":
        with open(p, "w", encoding="utf-8") as fh:
            fh.write("amount_unit: 万元\nexpenditure:\n")
            row = '  - {code: "2010450", name: 事业运行, wages: 1.00}\n'
            fh.write(row * (50 * 1024 * 1024 // len(row.encode())))
    elif case == "deep":
        p.write_text("x: " + "[" * 10000 + "]" * 10000 + "\n", encoding="utf-8")
    elif case == "list":
        p.write_text("- a\n- b\n", encoding="utf-8")
    proc, seconds = _cli("check", str(p))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "无法使用" in proc.stderr
    assert seconds < 5
    if case == "malformed":
        assert f"{p}:4:" in proc.stderr or f"{p}:3:" in proc.stderr


# ---- property tests ----------------------------------------------------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

cents = st.integers(min_value=0, max_value=10**9).map(lambda n: D(n) / 100)


@given(st.lists(cents, min_size=1, max_size=12).filter(lambda xs: sum(xs) > 0))
def test_forced_shares_of_a_whole_sum_to_100(parts):
    s = shares(parts, force_total=True)
    assert sum(s) == D("100.00")
    for part, share in zip(parts, s):
        exact = part / sum(parts) * 100
        assert abs(share - exact) <= D("0.01") + D("0.005")
        if part == 0:
            assert share == 0


@given(st.lists(cents, min_size=1, max_size=12).filter(lambda xs: sum(xs) > 0))
def test_shares_are_own_over_whole_half_up(parts):
    whole = sum(parts)
    for part, share in zip(parts, shares(parts)):
        assert share == r2(r2(part) / r2(whole) * 100)


def test_shares_are_not_forced_to_100_unless_asked():
    # 8.77 ÷ 1,101.04 = 0.7965…% prints 0.80% although the set then adds to 100.01 (as published);
    # forcing the set to 100.00 (style option numbers.force_shares_total) would print 0.79%
    parts = [D("8.77"), D("300.77"), D("791.50")]
    assert shares(parts) == [D("0.80"), D("27.32"), D("71.89")]
    assert sum(shares(parts)) == D("100.01")
    assert shares(parts, force_total=True) == [D("0.79"), D("27.32"), D("71.89")]


@given(cents, cents)
def test_change_follows_the_sign(cur, prior):
    ch = Change(cur, prior)
    assert ch.sign == (1 if cur > prior else -1 if cur < prior else 0)
    assert ch.amount == abs(r2(cur) - r2(prior))
    if prior > 0:
        assert ch.percent == r2(ch.amount / prior * 100)
    else:
        assert ch.percent is None


leaf = st.tuples(
    st.sampled_from(["2010450", "2010499", "2019999", "2080505", "2080506", "2101102", "2129999", "2210201"]),
    st.sampled_from(["一般公共预算", "政府性基金预算", "财政专户管理资金", "事业收入"]),
    cents, cents, cents, cents)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(leaf, min_size=1, max_size=20, unique_by=lambda t: (t[0], t[1])))
def test_rollups_are_exact(rows):
    data = yaml.safe_load(GAOPING.read_text(encoding="utf-8"))
    data["expenditure"] = [{"code": c, "name": "科目", "source": s, "wages": str(w), "office": str(o),
                            "ops": str(a), "target": str(t)} for c, s, w, o, a, t in rows]
    data["economic"], data["projects"] = [], []
    f = Facts(model.validate(data))
    tree = f.func_rows(carry=None)
    for node in tree:
        if node.level == "项":
            continue
        children = [r for r in tree if r.code.startswith(node.code) and len(r.code) == len(node.code) + 2]
        assert node.v() == sum((c.v() for c in children), D(0))
        for kind in ("basic", "project", "personnel", "office"):
            assert node.v(kind) == sum((c.v(kind) for c in children), D(0))
    assert sum((r.v() for r in tree if r.level == "类"), D(0)) == sum(w + o + a + t for _c, _s, w, o, a, t in rows)


def _mutations():
    scalar = st.one_of(st.none(), st.text(max_size=8), st.integers(-10**6, 10**6), st.sampled_from(
        ["-1", "1e400", "NaN", "0x10", "１２.５", "12.345678912", "true", "2026-13-45", "{", "*"]))
    return st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["set", "delete", "wrap"]), scalar),
                    min_size=1, max_size=4)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_random_mutations_never_raise(tmp_path_factory, muts):
    data = yaml.safe_load(GAOPING.read_text(encoding="utf-8"))
    for pick, op, value in muts:
        paths = [p for p in _paths(data) if p]
        path = paths[pick % len(paths)]
        parent = data
        for k in path[:-1]:
            parent = parent[k]
        key = path[-1]
        if op == "delete":
            del parent[key]
        elif op == "wrap":
            parent[key] = [parent[key]]
        else:
            parent[key] = value
    p = tmp_path_factory.mktemp("mut") / "m.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        loaded = check.load(str(p))
    except yamlsrc.InputError:
        return
    for f in loaded.findings:
        assert f.rule and f.message and f.line >= 1


@settings(max_examples=200, deadline=None)
@given(st.lists(cents, min_size=1, max_size=30), st.data())
def test_a_figures_peers_median_is_the_median_of_the_others(values, data):
    # amount.unit-slip compares every figure with the median of its peers; the constant-time
    # median_without (a large 部门 has tens of thousands of figures) equals removing it and sorting
    from disclosure_gen.check.amounts import median, median_without
    x = data.draw(st.sampled_from(values))
    others = list(values)
    others.remove(x)
    if others:
        assert median_without(sorted(values), x) == median(others)
