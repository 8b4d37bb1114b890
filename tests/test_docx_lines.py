"""Issue 14 item 3 in the DOCX: no cell or title leaves one character alone on a line, as LibreOffice
lays the document out (its PDF read line by line), for every input; and the line filling behind it."""
from __future__ import annotations

from pathlib import Path

import pytest

from disclosure_gen.writers import docx_lines
from disclosure_gen.writers.docx import Run

from lo_layout import lone_characters, markup_texts

INPUTS = sorted((Path(__file__).resolve().parents[1] / "inputs").glob("*.yaml"))


def test_a_break_goes_before_the_last_two_characters():
    # 国有资本经营预算 in a column of seven characters: 国有资本经营预 / 算 without the break
    assert docx_lines.lone(docx_lines.lay_out("国有资本经营预算", 7.2))
    assert docx_lines.break_before("国有资本经营预算", 7.2) == 6
    runs = docx_lines.no_lone_runs([Run("国有资本经营"), Run("预算", bold=True)], 7.2 * 9, 9)
    assert [(r.text, r.br) for r in runs] == [("国有资本经营", False), ("", True), ("预算", False)]
    assert runs[-1].bold


def test_no_break_where_nothing_is_alone():
    assert docx_lines.break_before("国有资本经营预算", 8.2) is None        # one line
    assert docx_lines.break_before("国有资本经营预算", 4.2) is None        # 4 + 4
    assert docx_lines.break_before("一般公共预算", 5.2) == 4
    assert docx_lines.break_before("其中：财政拨款", 6.2) == 5
    runs = [Run("上级补助收入")]
    assert docx_lines.no_lone_runs(runs, 100, 9) == runs


def test_latin_words_stay_whole_and_widths_of_both_fonts_are_tried():
    # 12345 is one unit; a Chinese character next to a digit gets the word processor's autospace
    assert docx_lines.clusters("12345政务") == ("12345", "政", "务")
    text = "12345政务服务便民热线语音线路租用费"
    p = docx_lines.break_before(text, 6.25)
    assert p is not None and text[p:] == "用费"
    for variant in (0, 1):
        assert not docx_lines.lone(docx_lines.lay_out(text[:p], 6.25, variant=variant))


@pytest.mark.parametrize("stem", [p.stem for p in INPUTS])
def test_libreoffice_leaves_no_character_alone_in_cells_and_titles(printed, stem):
    d = printed[stem]
    assert lone_characters(d["lo"], markup_texts(d["html"])) == []
