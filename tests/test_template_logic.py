"""Templates only choose and format (issue 13): no arithmetic and no accumulators in any template.

Walks the Jinja AST of every template of every style folder under templates/ (so a style added
later is covered too) and fails on arithmetic nodes (Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Neg),
on `namespace(...)` accumulators and on sums (`sum(...)`, `| sum`). Sums, changes and shares are derived facts (derive.py, docfacts.py);
string concatenation uses `~`.
"""
from __future__ import annotations

from pathlib import Path

import jinja2
import jinja2.nodes as n
import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
ARITHMETIC = (n.Add, n.Sub, n.Mul, n.Div, n.FloorDiv, n.Mod, n.Pow, n.Neg)
FILES = sorted(p for p in TEMPLATES.rglob("*.j2"))


def violations(source: str) -> list[str]:
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    ast = env.parse(source)
    out = []
    for node in ast.find_all((*ARITHMETIC, n.Call, n.Filter)):
        if isinstance(node, n.Filter):
            if node.name == "sum":
                out.append(f"line {node.lineno}: sum filter")
        elif isinstance(node, n.Call):
            if isinstance(node.node, n.Name) and node.node.name in ("namespace", "sum"):
                out.append(f"line {node.lineno}: {node.node.name}(...) accumulator")
        else:
            out.append(f"line {node.lineno}: arithmetic {type(node).__name__}")
    return out


def test_every_style_folder_is_walked():
    folders = {p.parent.name for p in FILES}
    assert {"shanxi", "henan", "_shared"} <= folders
    for style in TEMPLATES.glob("*/style.yaml"):
        assert any(p.parent == style.parent for p in FILES), style.parent


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(TEMPLATES)) for p in FILES])
def test_no_arithmetic_or_accumulators(path):
    found = violations(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(TEMPLATES)}:\n" + "\n".join(found)


@pytest.mark.parametrize("snippet", [
    "{{ a + b }}", "{{ a - 1 }}", "{{ x * 100 }}", "{{ a / b }}", "{{ a // 2 }}", "{{ a % 2 }}",
    "{{ -d }}", "{% set ns = namespace(t=0) %}", "{% for p in ps %}{% set t = t + p.total %}{% endfor %}",
    "{{ ('a' + 'b') }}", "{{ sum(xs) }}", "{{ xs | sum(attribute='total') }}",
])
def test_the_walker_catches(snippet):
    assert violations(snippet)


@pytest.mark.parametrize("snippet", ["{{ a ~ b }}", "{{ a if a > 0 else b }}", "{{ '%02d' | format(n) }}",
                                     "{{ loop.index | cn }}", "{{ f.total('all', 'gpb') }}"])
def test_the_walker_allows(snippet):
    assert not violations(snippet)


# ---- sentences as keyed frames (wording.say) ---------------------------------------------------------
import copy  # noqa: E402
import re  # noqa: E402

from markupsafe import Markup  # noqa: E402

from disclosure_gen.check import rules as check   # noqa: E402
from disclosure_gen.render import document as render
from disclosure_gen.render import wording

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"


class _Doc:
    def __init__(self, sentences, name="测试样式"):
        self.style = {"name": name, "sentences": sentences}


def _say(sentences, key, **values):
    env = render._env("shanxi")
    t = env.from_string("{{ say(key, **values) }}")
    return t.render(doc=_Doc(sentences), key=key, values=values)


def test_say_fills_named_placeholders_and_allows_unused_values():
    out = _say({"k": "{year}年收入{total}万元"}, "k", year=2026, total="1,157.13", unused="x")
    assert out == "2026年收入1,157.13万元"


def test_say_escapes_frame_and_values_but_not_markup():
    out = _say({"k": "<b>{a}</b>{m}"}, "k", a="<i>", m=Markup("<br>"))
    assert out == "&lt;b&gt;&lt;i&gt;&lt;/b&gt;<br>"


def test_say_unknown_key_names_style_and_key():
    with pytest.raises(wording.WordingError, match="样式“测试样式”没有句式“nope”"):
        _say({"k": "x"}, "nope")


def test_say_missing_value_names_style_key_and_placeholder():
    with pytest.raises(wording.WordingError, match=r"样式“测试样式”的句式“k”需要 \{total\}"):
        _say({"k": "合计{total}万元"}, "k", year=2026)


def test_say_bad_placeholder_is_a_chinese_error():
    with pytest.raises(wording.WordingError, match="占位符"):
        _say({"k": "合计{total:.2f}"}, "k", total=1)


def test_shared_frames_are_written_once_and_overridable():
    assert _say({}, "amount_item", label="甲", amount="1.00") == "甲1.00万元"
    assert _say({"amount_item": "{label}：{amount}万元"}, "amount_item", label="甲", amount="1.00") == "甲：1.00万元"


def test_no_frame_is_written_twice_across_province_folders():
    import yaml
    styles = {p.parent.name: yaml.safe_load(p.read_text(encoding="utf-8")).get("sentences") or {}
              for p in [*TEMPLATES.glob("*/style.yaml"), TEMPLATES / "_shared" / wording.SHARED]}
    assert len(styles) >= 3
    seen = {}
    for name, frames in styles.items():
        for key, text in frames.items():
            # (one style may use the same words at two places a city could reword apart)
            assert text not in seen or seen[text] == name or len(text) < 6, \
                f"“{text}” in {name} and {seen.get(text)}: move it to _shared"
            seen.setdefault(text, name)


def _render(path, style, monkeypatch, sentences=None):
    """HTML of `path` in `style`, or — with `sentences` — in a variant style that `extends:` it and
    overrides only those frames (a user's style folder, as a city would write it)."""
    import re
    import tempfile
    import yaml
    from disclosure_gen.render import styles
    name = style
    if sentences:
        root = Path(tempfile.mkdtemp())
        (root / "variant").mkdir()
        (root / "variant" / "style.yaml").write_text(
            yaml.safe_dump({"extends": style, "sentences": sentences}, allow_unicode=True), encoding="utf-8")
        monkeypatch.setenv(styles.ENV_VAR, str(root))
        name = "variant"
    styles.registry.cache_clear()
    loaded = check.load(str(path))
    html, _assets, _doc = render.render_html(loaded.facts, name)
    monkeypatch.undo()
    styles.registry.cache_clear()
    return re.sub(r'class="style-[^" ]+', 'class="style-', html)


def _text(html):
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


def test_a_city_variant_is_a_few_key_overrides(monkeypatch):
    """Another Shanxi city: “我单位是公益一类事业单位，无机关运行经费。” and its 三公 sentence without
    “同口径” — two key overrides, the rest of the document unchanged."""
    gaoping = INPUTS / "gaoping-bigdata-2026.yaml"
    before = _render(gaoping, "shanxi", monkeypatch)
    after = _render(gaoping, "shanxi", monkeypatch, {"running_none_institution": "我单位是公益一类事业单位，无机关运行经费。"})
    assert "我单位是公益一类事业单位，无机关运行经费。" in after and "本单位为全额事业单位,无机关运行经费。" in before
    assert after.replace("我单位是公益一类事业单位，无机关运行经费。", "本单位为全额事业单位,无机关运行经费。") == before

    jiyuan = INPUTS / "jiyuan-bigdata-2024.yaml"
    before = _render(jiyuan, "shanxi", monkeypatch)
    after = _render(jiyuan, "shanxi", monkeypatch, {"sangong_basis": ""})
    assert "比2023年同口径减少0.30万元" in _text(before)
    assert "“三公”经费预算1.50万元,比2023年减少0.30万元。" in _text(after)
    assert after.replace("比2023年减少0.30万元", "比2023年同口径减少0.30万元") == before
    # or the whole clause reworded
    after = _render(jiyuan, "shanxi", monkeypatch, {"sangong_down": "较{prior_year}年下降{amount}万元"})
    assert "“三公”经费预算1.50万元,较2023年下降0.30万元。" in _text(after)


# ---- consistency conditions the tables depend on are check rules ---------------------------------
def test_econ_total_is_a_check_rule_of_the_henan_style():
    path = INPUTS / "gaoping-bigdata-2026.yaml"      # project spending without economic lines
    text = path.read_text(encoding="utf-8")
    as_shanxi = check.load(str(path), text)
    assert not [f for f in as_shanxi.findings if f.rule == "identity.econ-total"]   # Shanxi prints no 07表
    as_henan = check.load(str(path), re.sub(r"(?m)^style: shanxi", "style: henan", text))
    found = [f for f in as_henan.findings if f.rule == "identity.econ-total"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert "有项目支出 994.73 万元" in found[0].message and "kind: project" in found[0].message
    assert found[0].line == as_henan.source.where(("economic",))[0]


def test_unit_income_is_a_check_rule():
    path = INPUTS / "jincheng-bigdata-2023.yaml"
    text = re.sub(r"(?m)^style: shanxi", "style: henan", path.read_text(encoding="utf-8"))
    assert not [f for f in check.load(str(path), text).findings if f.rule == "identity.unit-income"]
    # one line's spending booked to a unit that is not in units: the units' rows no longer give the income
    bad = text.replace('{code: "2010504", name: 信息事务, unit: "102001"', '{code: "2010504", name: 信息事务, unit: "109999"', 1)
    found = [f for f in check.load(str(path), bad).findings if f.rule == "identity.unit-income"]
    assert len(found) == 1 and "一般公共预算：各单位合计" in found[0].message, [f.format() for f in found]


def test_rendering_in_another_style_runs_that_styles_rules():
    from disclosure_gen.check import template_facts as check_template_facts
    loaded = check.load(str(INPUTS / "gaoping-bigdata-2026.yaml"))
    assert [f.rule for f in check_template_facts.for_render(loaded, "henan")] == ["identity.econ-total"]
    assert check_template_facts.for_render(loaded, "shanxi") == []


# ---- shares a reader can verify -----------------------------------------------------------------------
def test_document_shares_are_forced_only_when_the_style_says_so():
    from decimal import Decimal as D
    loaded = check.load(str(INPUTS / "gaoping-bigdata-2026.yaml"))
    parts = [D("8.77"), D("300.77"), D("791.50")]
    for style_name in ("shanxi", "henan"):
        style = render.load_style(style_name)
        assert style["numbers"]["force_shares_total"] is False
        doc = render.Document(loaded.facts, style, render.Assets())
        assert doc.shares(parts) == [D("0.80"), D("27.32"), D("71.89")]      # 8.77 ÷ 1,101.04 = 0.7965…%
        forced = copy.deepcopy(style)
        forced["numbers"]["force_shares_total"] = True
        assert render.Document(loaded.facts, forced, render.Assets()).shares(parts) == [D("0.79"), D("27.32"), D("71.89")]


def test_a_frame_missing_from_a_style_is_a_chinese_message_not_a_traceback(tmp_path):
    """A user-made style that lacks a frame the templates ask for: the CLI names the style and the key,
    exits 1 and writes nothing."""
    import os
    import shutil
    import subprocess
    import sys
    # a user's copy of the style under the same name comes before the built-in one
    shutil.copytree(TEMPLATES / "shanxi", tmp_path / "t" / "shanxi")
    style = tmp_path / "t" / "shanxi" / "style.yaml"
    text = style.read_text(encoding="utf-8")
    assert "\n  running_none_institution:" in text
    style.write_text(re.sub(r"\n  running_none_institution:[^\n]*", "", text), encoding="utf-8")
    env = dict(os.environ, DISCLOSURE_GEN_STYLES=str(tmp_path / "t"), PYTHONPATH=str(ROOT / "src"))
    env.pop("DISCLOSURE_GEN_DEBUG", None)
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "disclosure_gen", "render", str(INPUTS / "gaoping-bigdata-2026.yaml"),
                        "--format", "html", "-o", str(out)], capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 1, p.stderr
    assert "样式“shanxi”没有句式“running_none_institution”" in p.stderr
    assert "Traceback" not in p.stderr
    assert not out.exists() or not any(out.iterdir())
