"""Issue 11, class 1: no YAML reader problem reaches the author in English.

The problem strings are read out of the installed libyaml (statically linked into PyYAML's C
extension), so a libyaml upgrade that adds a message fails here until it is translated. Every
problem a text can provoke is provoked, and the message the user sees is checked: Chinese, no
English words, at a line and column.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from disclosure_gen.reading import yaml_messages
from disclosure_gen.reading import yamlsrc

_PREFIX = re.compile(rb"(?:found|did not find|could not find|mapping (?:keys|values)|block sequence|control characters"
                     rb"|invalid (?:leading|trailing|length|Unicode)|input (?:is|error)|incompatible|duplicate %"
                     rb"|exceeded|incomplete UTF|while (?:parsing|scanning|increasing))[ -~]{3,80}?(?=\x00)")
# Messages of libyaml's emitter and API guards: a loader never raises them.
EMITTER_ONLY = re.compile(r"^expected (?:DOCUMENT|SCALAR|STREAM|nothing)|^incompatible %YAML directive$"
                          r"|^duplicate %TAG directive$|^found for imported type")   # the last: Cython


def libyaml_messages() -> set[str]:
    import yaml._yaml as c
    blob = Path(c.__file__).read_bytes()
    return {m.decode() for m in _PREFIX.findall(blob) if b"%" not in m or b"directive" in m}


def test_the_binary_was_read():
    found = libyaml_messages()
    assert "did not find expected ',' or '}'" in found and "found character that cannot start any token" in found
    assert len(found) > 50


def test_every_libyaml_message_is_translated():
    missing = []
    for msg in sorted(libyaml_messages()):
        if EMITTER_ONLY.search(msg):
            continue
        table = yaml_messages.CONTEXTS if msg.startswith("while ") else yaml_messages.PROBLEMS
        if not any(msg.startswith(en) for en in table):
            missing.append(msg)
    assert not missing, f"untranslated libyaml messages: {missing}"


# problem → a text that provokes it (through the C loader)
PROVOKE = {
    "found character that cannot start any token": "a: `x\n",
    "mapping values are not allowed in this context": "a:\n  b: 1\n    c: 2\n",
    "mapping keys are not allowed in this context": "a: ? x\n",
    "block sequence entries are not allowed in this context": "a: - 1\n",
    "could not find expected ':'": "a: 1\nb\nc: 2\n",
    "found unexpected end of stream": "a: \"abc\nb: 2\n",
    "found unexpected document indicator": "a: 'x\n---\n'\n",
    "found unknown escape character": "a: \"\\q\"\n",
    "did not find expected hexdecimal number": "a: \"C:\\Users\"\n",
    "found invalid Unicode character escape code": "a: \"\\ud800\"\n",
    "found an indentation indicator equal to 0": "a: |0\n  x\n",
    "did not find expected comment or line break": "a: | x\n  y\n",
    "did not find expected whitespace or line break": "a: !<x>y\n",
    "did not find expected whitespace": "%TAG !a!x y\n--- a\n",
    "did not find expected alphabetic or numeric character": "a: &\n",
    "did not find expected '!'": "%TAG !a x\n--- a\n",
    "did not find expected tag URI": "a: !<>\n",
    "did not find URI escaped octet": "a: !a%zz b\n",
    "found undefined tag handle": "a: !x!y b\n",
    "found unexpected non-alphabetical character": "%YA.ML 1.1\n--- a\n",
    "found unknown directive name": "%FOO\n--- a\n",
    "could not find expected directive name": "% x\n--- a\n",
    "did not find expected version number": "%YAML x\n--- a\n",
    "did not find expected digit or '.' character": "%YAML 1x1\n--- a\n",
    "found extremely long version number": "%YAML 12345678901.1\n--- a\n",
    "found duplicate %YAML directive": "%YAML 1.1\n%YAML 1.1\n--- a\n",
    "found incompatible YAML document": "%YAML 2.0\n--- a\n",
    "found duplicate %TAG directive": "%TAG !a! x\n%TAG !a! y\n--- a\n",
    "did not find the expected '>'": "a: !<x\n",
    "did not find expected <document start>": "--- a\n... b\n",
    "did not find expected node content": "a: [1, ,]\n",
    "did not find expected key": "a:\n  - 1\n b: 2\n",
    "did not find expected '-' indicator": "- a\nb: 1\n",
    "did not find expected ',' or ']'": "a: [1, 2\nb: 3\n",
    "did not find expected ',' or '}'": "a: {x: 1， y: 2}\n",
    "found a tab character that violates indentation": "a:\n  b: 1\n\t c: 2\n",
    "found a tab character where an indentation space is expected": "a: |\n \tx\n",
    "found undefined alias": "a: *y\n",
    "second occurrence": "a: &x 1\nb: &x 2\n",
    "but found another document": "a: 1\n---\nb: 2\n",
    "exceeded maximum nesting depth": "[" * 1100 + "]" * 1100 + "\n",
    "control characters are not allowed": "a: \x01\n",
    "invalid leading UTF-8 octet": b"a: \xff\n",
}

_ENGLISH = re.compile(r"\b(?:found|expected|mapping|scanning|parsing|token|allowed|character|context|while)\b")


def _raw_problem(text) -> str:
    try:
        yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as e:
        return e.problem or e.context
    except yaml.reader.ReaderError as e:
        return e.reason
    return "(no error)"


@pytest.mark.parametrize("problem", sorted(PROVOKE))
def test_each_problem_is_provoked_and_reaches_the_user_in_chinese(problem):
    text = PROVOKE[problem]
    raw = _raw_problem(text)
    assert raw.startswith(problem), f"{text!r} gives {raw!r}, not {problem!r}"
    if isinstance(text, bytes):      # yamlsrc refuses non-UTF-8 before the parser; the table still covers it
        msg = yaml_messages.translate(raw)
        assert re.search("[\u4e00-\u9fff]", msg) and not _ENGLISH.search(msg), msg
        return
    else:
        with pytest.raises(yamlsrc.InputError) as e:
            yamlsrc.load("x.yaml", text)
    msg = e.value.message
    assert re.search("[\u4e00-\u9fff]", msg) and not _ENGLISH.search(msg), msg
    if problem != "exceeded maximum nesting depth":
        assert e.value.line and e.value.col, msg


def test_every_provokable_problem_has_a_case():
    """Each reader message a text can cause is in PROVOKE (the rest are emitter or API guards)."""
    unreachable = {"did not find expected <stream-start>", "input is too long", "input error",
                   "invalid trailing UTF-8 octet", "invalid length of a UTF-8 sequence", "invalid Unicode character",
                   "found an incorrect leading UTF-8 octet", "found an incorrect trailing UTF-8 octet",
                   "found unexpected ':'", "incomplete UTF-8 octet sequence",
                   "incomplete UTF-16 character", "incomplete UTF-16 surrogate pair"}   # UTF-8 text only reaches it
    for msg in libyaml_messages():
        if msg.startswith("while ") or EMITTER_ONLY.search(msg) or msg in unreachable:
            continue
        assert any(msg.startswith(p) or p.startswith(msg) for p in PROVOKE), msg


@pytest.mark.parametrize("text, words, line, col", [
    ("a: {x: 1， y: 2}\n", ["全角逗号“，”", "半角逗号"], 1, 9),
    ("agency:\n  name：甲\n  kind: 单位\n", ["全角冒号“：”", "半角冒号"], 2, 7),
    ("a:\n\tb: 1\n", ["制表符（Tab）", "空格"], 2, 1),
    ("a:\n  b: 1\n    c: 2\n", ["缩进不对", "对齐"], 3, 5),
    ("a: 1\n  b: 2\n", ["缩进不对"], 2, 3),
    ("notes:\n  other: 说明: 见附件\n", ["值中含有“: ”", "引号"], 2, 12),
    ("a:\n  - 1\n b: 2\n", ["缩进不对"], 3, 2),
    ("a: [1, 2\nb: 3\n", ["方括号", "半角逗号"], 2, 2),
])
def test_typical_slips_say_what_to_type(text, words, line, col):
    with pytest.raises(yamlsrc.InputError) as e:
        yamlsrc.load("x.yaml", text)
    for w in words:
        assert w in e.value.message, e.value.message
    assert (e.value.line, e.value.col) == (line, col), e.value.message
