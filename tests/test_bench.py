"""Issue 6: keep the benchmark working (one quick repetition on one input) and `check` light."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GAOPING = ROOT / "inputs" / "gaoping-bigdata-2026.yaml"
RENDERING = ("weasyprint", "docx", "matplotlib", "jinja2", "lxml", "disclosure_gen.render.document")


def test_check_imports_no_rendering_stack():
    """`check` must stay fast: it may not import the rendering stack."""
    p = subprocess.run([sys.executable, "-X", "importtime", "-m", "disclosure_gen", "check", str(GAOPING)],
                       capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert p.returncode == 0, p.stderr[-2000:]
    imported = {ln.split("|")[-1].strip() for ln in p.stderr.splitlines() if ln.startswith("import time:")}
    heavy = sorted(m for m in imported if m.split(".")[0] in RENDERING or m in RENDERING)
    assert not heavy, f"check imported rendering modules: {heavy[:10]}"


def test_large_generator_is_deterministic_and_checks_clean(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import make_large
    finally:
        sys.path.remove(str(ROOT / "bench"))
    text = make_large.build(seed=7)
    assert text == make_large.build(seed=7)
    path = tmp_path / "large.yaml"
    path.write_text(text, encoding="utf-8")
    from disclosure_gen.check import rules as check
    loaded = check.load(str(path))
    assert loaded.budget is not None
    assert [f.format() for f in loaded.errors] == []
    b = loaded.budget
    assert (len(b.units), len(b.expenditure), len(b.projects)) == (10, 300, 80)
    assert all(p.performance is not None for p in b.projects)


@pytest.mark.timeout(120)
@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_bench_quick_smoke(tmp_path):
    results = tmp_path / "results.md"
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--reps", "1",
                        "--inputs", str(GAOPING), "--results", str(results), "--work", str(tmp_path / "work")],
                       capture_output=True, text=True, timeout=110, cwd=ROOT)
    assert p.returncode == 0, p.stderr[-3000:]
    text = results.read_text(encoding="utf-8")
    for heading in ("## Machine", "## Targets", "## Times and memory per document", "## Sizes and pages"):
        assert heading in text
    table = text.split("## Times and memory per document", 1)[1].split("\n## ", 1)[0]
    assert "failed" not in table, table
    for label in ("check", "render DOCX", "render PDF", "render DOCX+PDF", "LibreOffice DOCX→PDF"):
        assert re.search(rf"\| gaoping-bigdata-2026 \| {re.escape(label)} \| \d+\.\d+ \|", table), label
    assert re.search(r"gaoping PDF ≤ 1\.0× LibreOffice .*\| \d+\.\d+×", text)
