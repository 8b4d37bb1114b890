"""Issue 14, contents: when the 目录 field is updated, the word processor rebuilds the entries we list,
with their printed text (表一… prefixes included) and their levels — nothing dropped, nothing added.

The DOCX's TOC field is built from TC fields only (one at each entry's target). LibreOffice updates it
here through its UNO bridge (tests/lo_toc_update.py, run by the system Python that has python3-uno),
for every input, and the rebuilt entries are compared with the ones the DOCX was written with.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from test_docx_pages import INPUTS, flat, toc_entries

SYSTEM_PY = "/usr/bin/python3"
HERE = Path(__file__).resolve().parent


def _have_uno() -> bool:
    if not (shutil.which("soffice") and Path(SYSTEM_PY).exists()):
        return False
    return subprocess.run([SYSTEM_PY, "-c", "import uno"], capture_output=True).returncode == 0


@pytest.fixture(scope="session")
def rebuilt(printed, tmp_path_factory) -> dict[str, list[tuple[int, str]]]:
    """stem → the (level, text) of each entry of the 目录 as LibreOffice rebuilds it (one LibreOffice run)."""
    if not _have_uno():
        pytest.skip("LibreOffice's Python bridge (python3-uno) not installed")
    profile = tmp_path_factory.mktemp("lo-profile")
    files = {str(d["docx"]): stem for stem, d in printed.items()}
    out = subprocess.run([SYSTEM_PY, str(HERE / "lo_toc_update.py"), str(profile), *files], check=True,
                         capture_output=True, timeout=300).stdout.decode()
    res = {}
    for line in out.splitlines():
        d = json.loads(line)
        res[files[d["file"]]] = [(lvl, text) for lvl, text in d["entries"]]
    return res


@pytest.mark.parametrize("stem", [p.stem for p in INPUTS])
def test_an_updated_contents_lists_the_same_entries_at_the_same_levels(printed, rebuilt, stem):
    ours = toc_entries(printed[stem]["docx"])
    if not ours:
        pytest.skip("this style has no 目录")
    theirs = rebuilt[stem]
    assert [flat(t) for _l, t in theirs] == [flat(t) for t, _n, _l in ours]
    # LibreOffice 7.4 reads a TC field's \l N one level deeper (and writes its level back as \l N+1), so
    # the levels are compared relative to the top one: the hierarchy must be the one we wrote
    shift = min(lvl for lvl, _t in theirs) - min(lvl for _t, _n, lvl in ours)
    assert shift in (0, 1)
    assert [lvl - shift for lvl, _t in theirs] == [lvl for _t, _n, lvl in ours]


def test_the_contents_field_collects_tc_fields_only(printed):
    """The TOC field has no \\o or \\u (headings and outline levels would add every heading, and take a
    table's entry text from its title without the 表一 prefix); each entry's target carries one TC field
    with the entry's text and level."""
    from docx_read import parts
    xml = parts(printed["gaoping-bigdata-2026"]["docx"].read_bytes())["word/document.xml"].decode()
    instr = re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", xml)
    toc = [i for i in instr if i.strip().startswith("TOC ")]
    assert len(toc) == 1 and "\\f C" in toc[0] and "\\o" not in toc[0] and "\\u" not in toc[0]
    tc = [i for i in instr if i.strip().startswith("TC ")]
    entries = toc_entries(printed["gaoping-bigdata-2026"]["docx"])
    assert len(tc) == len(entries)
    assert any("表一2026年预算收支总表" in t and "\\l 2" in t for t in tc)
