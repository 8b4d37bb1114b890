"""Issue 11: a corpus of typical authors' mistakes, each found at the line to change, in plain Chinese.

Each tests/mistakes/NN-name.yaml takes a base file (inputs/…, optionally rolled over to the next year
first), makes one mistake in it (text replacements) and lists every finding the mistake adds — rule,
severity, words on the line pointed at, words of the message — and nothing else: a finding that
moves, disappears, or a false second finding fails the case. `gone:` lists rules that must stop
firing (a confirmation). `unusable:` expects the file to be refused (YAML syntax) at a line.

    .venv/bin/python tests/test_mistakes.py 08     # show what a case yields (to write its expectations)
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from disclosure_gen.check import rules as check
from disclosure_gen.model import budget as model
from disclosure_gen.commands import rollover
from disclosure_gen.reading import yamlsrc

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "tests" / "mistakes").glob("[0-9]*-*.yaml"), key=lambda p: int(p.name.split("-")[0]))  # 100- too
BASES = {"gaoping": ROOT / "inputs" / "gaoping-bigdata-2026.yaml",
         "jincheng": ROOT / "inputs" / "jincheng-bigdata-2023.yaml",
         "jiyuan": ROOT / "inputs" / "jiyuan-bigdata-2024.yaml",
         "huangpi": ROOT / "inputs" / "huangpi-bigdata-2024.yaml"}
SEVERITY = {"error": check.ERROR, "warning": check.WARNING, "错误": check.ERROR, "警告": check.WARNING}


@lru_cache(maxsize=None)
def base_text(base: str, rolled: bool) -> str:
    if not rolled:
        return BASES[base].read_text(encoding="utf-8")
    return rollover.rollover(str(BASES[base])).text


def _yuan_in_wan(text: str) -> str:
    """Every 万元 figure typed as 元 (×10 000), amount_unit left at 万元."""
    def x(m):
        return m.group(1) + str(int((float(m.group(2)) * 10000) + 0.5))
    return re.sub(r"((?:wages|family|office|ops|target|amount|一般公共预算|政府性基金预算|goods|works|services|公务接待|"
                  r"公务用车运行|\"\d{6}\"): )(\d+(?:\.\d+)?)", x, text)


def build(case: dict, tmp: Path) -> tuple[Path, str, str]:
    """(edited file, edited text, base text) for a case."""
    rolled = bool(case.get("rollover"))
    base = base_text(case["base"], rolled)
    text = base
    for e in case.get("edits", []):
        if e.get("transform") == "yuan-in-wan":
            text = _yuan_in_wan(text)
            continue
        old, new = e["from"], e["to"]
        assert old in text, f"edit not applicable: {old!r}"
        text = text.replace(old, new, 1 if not e.get("all") else -1)
    for name, content in (case.get("files") or {}).items():
        (tmp / name).write_text(content, encoding="utf-8")
    base_path = tmp / "base.yaml"
    base_path.write_text(base, encoding="utf-8")
    path = tmp / f"{case['base']}-case.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text, base


def _key(f):
    # the same finding in the base and the edited file: same rule and words (lines may shift)
    return (f.rule, f.severity, re.sub(r"第 ?\d+ ?行", "第N行", f.message))


def new_findings(case: dict, tmp: Path):
    path, text, base = build(case, tmp)
    before = Counter(_key(f) for f in check.load(str(tmp / "base.yaml")).findings)
    loaded = check.load(str(path))
    added = []
    for f in loaded.findings:
        k = _key(f)
        if before[k]:
            before[k] -= 1
        else:
            added.append(f)
    return loaded, added, text, before


def _load_case(p: Path) -> dict:
    return yaml.safe_load(p.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_mistake_is_found_at_the_line_to_change(case_file, tmp_path):
    case = _load_case(case_file)
    if case.get("unusable"):
        path, text, _ = build(case, tmp_path)
        with pytest.raises(yamlsrc.InputError) as e:
            check.load(str(path))
        exp = case["unusable"]
        line = text.splitlines()[e.value.line - 1]
        assert exp["at"] in line, (e.value.line, line, e.value.message)
        for w in exp.get("words", []):
            assert w in e.value.message, e.value.message
        if "col_at" in exp:
            assert line[e.value.col - 1:].startswith(exp["col_at"]), (e.value.col, line)
        return
    loaded, added, text, before = new_findings(case, tmp_path)
    lines = text.splitlines()
    shown = "\n".join(f.format() for f in added)
    expected = case.get("expect") or []
    assert len(added) == len(expected), f"{case_file.name}: expected {len(expected)} new findings, got:\n{shown}"
    unmatched = list(added)
    for exp in expected:
        hit = None
        for f in unmatched:
            if f.rule != exp["rule"] or f.severity != SEVERITY[exp["severity"]]:
                continue
            if exp["at"] not in lines[f.line - 1]:
                continue
            if all(w in f.message for w in exp.get("words", [])):
                hit = f
                break
        assert hit is not None, f"{case_file.name}: no finding like {exp} among:\n{shown}"
        unmatched.remove(hit)
    for rule in case.get("gone", []):
        assert not any(f.rule == rule for f in loaded.findings), f"{rule} still reported"
        assert any(k[0] == rule for k in before.elements()), f"{rule} was not reported in the base file"


def test_the_corpus_is_large_enough_and_covers_every_class():
    classes = Counter()
    for p in CASES:
        for c in _load_case(p).get("classes", []):
            classes[c] += 1
    assert len(CASES) >= 40
    assert set(classes) >= set(range(1, 11)), sorted(classes)


# -- messages speak the author's language ---------------------------------------------------------------
_CLASS_NAMES = {n for n, v in vars(model).items() if isinstance(v, type) and hasattr(v, "model_fields")}
_FIELD_NAMES = {f for v in vars(model).values() if isinstance(v, type) and hasattr(v, "model_fields")
                for f in v.model_fields if f.isascii()}
_ZERO_BASED = re.compile(r"\b[a-z_]+\.\d+\b")
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|`[^`]*`")
_HINT = re.compile(r"是否应为 [a-z_]+")


def speaks_the_authors_language(msg: str) -> list[str]:
    """What in a message is not for the author: 0-based paths, class names, bare English field names."""
    bad = []
    if _ZERO_BASED.search(msg):
        bad.append(f"0-based path {_ZERO_BASED.search(msg).group(0)}")
    bare = _HINT.sub("", _QUOTED.sub("", msg))
    for w in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", bare):
        if w in _CLASS_NAMES:
            bad.append(f"class name {w}")
        elif w in _FIELD_NAMES:
            bad.append(f"field name {w}")
    return bad


def test_no_message_has_a_0_based_path_a_class_name_or_an_english_field_name(tmp_path):
    messages = []
    for p in CASES:
        case = _load_case(p)
        d = tmp_path / p.stem
        d.mkdir()
        if case.get("unusable"):
            path, _t, _b = build(case, d)
            with pytest.raises(yamlsrc.InputError) as e:
                check.load(str(path))
            messages.append((p.stem, e.value.message))
            continue
        loaded, _added, _t, _b = new_findings(case, d)
        messages += [(p.stem, f.message) for f in loaded.findings]
    for f in list(BASES.values()) + sorted((ROOT / "tests" / "fixtures").glob("*.yaml")):
        messages += [(f.name, x.message) for x in check.load(str(f)).findings]
    bad = [(where, m, speaks_the_authors_language(m)) for where, m in messages if speaks_the_authors_language(m)]
    assert not bad, "\n".join(f"{w}: {m} ← {b}" for w, m, b in bad[:20])


def test_the_language_check_can_fail():
    assert speaks_the_authors_language("projects.0.code：应为文字")
    assert speaks_the_authors_language("Performance 中缺少字段")
    assert speaks_the_authors_language("须填写 unit")
    assert not speaks_the_authors_language("第1个项目（甲）的绩效目标表中没有字段“goal_anual”；是否应为 goal_annual（年度目标）？")


if __name__ == "__main__":      # show what a case yields
    import tempfile
    for arg in sys.argv[1:]:
        for p in CASES:
            if p.stem.startswith(arg):
                case = _load_case(p)
                with tempfile.TemporaryDirectory() as d:
                    if case.get("unusable"):
                        path, text, _ = build(case, Path(d))
                        try:
                            check.load(str(path))
                            print(p.stem, "NOT REFUSED")
                        except yamlsrc.InputError as e:
                            print(p.stem, e.line, e.col, e.message, "|", text.splitlines()[e.line - 1] if e.line else "")
                        continue
                    loaded, added, text, _ = new_findings(case, Path(d))
                    print("==", p.stem)
                    for f in added:
                        print(f"  {f.line}:{f.col} {f.severity} {f.rule} {f.message}\n     | {text.splitlines()[f.line - 1].strip()[:100]}")
