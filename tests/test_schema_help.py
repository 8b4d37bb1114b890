"""Issue 11, class 11: the JSON Schema an editor shows is the Chinese help of docs/format.md, with an
example for every field, and it states the constraints `check` enforces."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from disclosure_gen.commands import schema

ROOT = Path(__file__).resolve().parents[1]
jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def s():
    return json.loads((ROOT / "schema" / "disclosure.schema.json").read_text(encoding="utf-8"))


def _objects(s):
    yield "Budget", s
    yield from s["$defs"].items()


def test_every_field_has_chinese_help_with_an_example(s):
    missing = [(n, f) for n, o in _objects(s) for f, p in o.get("properties", {}).items()
               if "例：" not in p.get("description", "")]
    assert not missing, missing
    n = sum(len(o.get("properties", {})) for _n, o in _objects(s))
    assert n > 100


def test_the_help_is_the_text_of_format_md(s):
    helps = schema.format_help()
    meaning, example = helps[("Performance", "goal_annual")]
    d = s["$defs"]["Performance"]["properties"]["goal_annual"]["description"]
    assert meaning in d and "例：开通短信政务平台" in d
    assert "元" in s["$defs"]["Funds"]["properties"]["annual"]["description"]
    assert "amount_unit 所示单位" not in json.dumps(s["$defs"]["Performance"], ensure_ascii=False)


def _gaoping():
    data = yaml.safe_load((ROOT / "inputs" / "gaoping-bigdata-2026.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))


@pytest.mark.parametrize("change", [
    lambda d: d["expenditure"][0].update(wages="850万"),
    lambda d: d["expenditure"][0].update(wages=-3),
    lambda d: d["expenditure"][0].update(wages="1,041.40"),
    lambda d: d["expenditure"][0].update(code="201045"),
    lambda d: d["economic"][0].update(gov="5050"),
    lambda d: d["units"][0].update(code="03100"),
    lambda d: d["agency"].update(code="31"),
    lambda d: d["projects"][0]["performance"].update(period_years=0),
    lambda d: d["projects"][0]["performance"].update(goal_anual="x"),
    lambda d: d["functional_names"].update({"2130": "x"}) if "functional_names" in d else d.update(functional_names={"2130": "x"}),
], ids=["850万", "negative", "thousands", "6-digit-item", "4-digit-gov", "5-digit-unit", "2-digit-agency",
        "period-0", "misspelt-key", "functional-name-code"])
def test_the_schema_refuses_what_check_refuses(s, change):
    d = _gaoping()
    jsonschema.validate(d, s)
    bad = copy.deepcopy(d)
    change(bad)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, s)
