"""Templates only choose and format (issue 13): no arithmetic and no accumulators in any template.

Walks the Jinja AST of every template of every style folder under templates/ (so a style added
later is covered too) and fails on arithmetic nodes (Add, Sub, Mul, Div, FloorDiv, Mod, Pow, Neg)
and on `namespace(...)` calls. Sums, changes and shares are derived facts (derive.py, docfacts.py);
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
    for node in ast.find_all((*ARITHMETIC, n.Call)):
        if isinstance(node, n.Call):
            if isinstance(node.node, n.Name) and node.node.name == "namespace":
                out.append(f"line {node.lineno}: namespace(...) accumulator")
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
    "{{ ('a' + 'b') }}",
])
def test_the_walker_catches(snippet):
    assert violations(snippet)


@pytest.mark.parametrize("snippet", ["{{ a ~ b }}", "{{ a if a > 0 else b }}", "{{ '%02d' | format(n) }}",
                                     "{{ loop.index | cn }}", "{{ f.total('all', 'gpb') }}"])
def test_the_walker_allows(snippet):
    assert not violations(snippet)
