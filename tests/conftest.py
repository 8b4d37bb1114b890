"""Fixtures shared between test files."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INPUTS = sorted((ROOT / "inputs").glob("*.yaml"))


@pytest.fixture(scope="session")
def printed(tmp_path_factory) -> dict[str, dict]:
    """stem → {docx, pdf, html, lo}: each input rendered, and its DOCX converted to PDF by LibreOffice
    as it opens (one conversion for all inputs, shared by the tests that read LibreOffice's layout)."""
    if not (shutil.which("soffice") and shutil.which("pdftotext")):
        pytest.skip("LibreOffice or poppler not installed")
    from disclosure_gen.commands import pipeline
    out = tmp_path_factory.mktemp("pages")
    docs = {}
    for path in INPUTS:
        res = pipeline.render_file(str(path), out / path.stem, formats=("pdf", "docx", "html"))
        docs[path.stem] = {Path(t).suffix[1:]: Path(t) for t, _n in res.written}
    lo_dir = out / "lo"
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(lo_dir),
                    *[str(d["docx"]) for d in docs.values()]], check=True, capture_output=True, timeout=300,
                   env={**os.environ, "HOME": str(out)})
    for d in docs.values():
        d["lo"] = lo_dir / (d["docx"].stem + ".pdf")
        assert d["lo"].is_file()
    return docs
