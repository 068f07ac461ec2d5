"""Schema, semantic checks and grounding: what makes a draft valid."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from docgap.drafts import Draft, Raise
from docgap.schema import draft_schema
from docgap.targets import Parameter, Target
from docgap.validate import validate

FUNC = Target(path="pkg.paint", kind="function", key="k",
              parameters=(Parameter("color"), Parameter("alpha", default="1.0"), Parameter("rest", "variadic keyword")),
              returns="bool", returns_value=True, raises=("ValueError",))
CLASS = Target(path="pkg.Point", kind="class", key="c", attributes=("x", "y"))
GEN = Target(path="pkg.lines", kind="function", key="g", yields=True)
KNOWN = frozenset({"pkg.paint", "paint", "pkg.Point", "Point", "pkg"})
GOOD = {"summary": "Paint the canvas.", "description": None,
        "parameters": {"color": "The `color` to use.", "alpha": "Opacity.", "rest": "Options passed to `Point`."},
        "returns": "Whether anything changed.", "raises": [{"exception": "ValueError", "when": "If the color is unknown."}],
        "examples": "paint('red')"}


def with_(**changes: object) -> dict:
    data = copy.deepcopy(GOOD)
    data.update(changes)
    return data


def test_good_draft_is_valid_and_round_trips_through_draft() -> None:
    assert validate(GOOD, FUNC, KNOWN) == []
    assert Draft.from_json(GOOD).to_json() == GOOD


def test_schema_is_strict_everywhere() -> None:
    def check(node: dict) -> None:
        if node.get("type") == "object":
            assert node["additionalProperties"] is False
            assert set(node["required"]) == set(node["properties"])
            for child in node["properties"].values():
                check(child)
        if node.get("type") == "array":
            check(node["items"])
    for target in (FUNC, CLASS, GEN):
        schema = draft_schema(target)
        jsonschema.Draft202012Validator.check_schema(schema)
        check(schema)
    assert "returns" not in draft_schema(CLASS)["properties"] and "yields" in draft_schema(GEN)["properties"]
    assert list(draft_schema(CLASS)["properties"]["attributes"]["properties"]) == ["x", "y"]
    assert "parameters" not in draft_schema(GEN)["properties"]


def test_extra_parameter_is_named_with_the_real_ones() -> None:
    errors = validate(with_(parameters={**GOOD["parameters"], "colour": "x"}), FUNC, KNOWN)
    assert errors == ["parameters: 'colour' is not a parameter of pkg.paint; its parameters are: color, alpha, rest"]


def test_missing_parameter_and_key_for_the_wrong_kind() -> None:
    assert validate(with_(parameters={"color": "c", "rest": "r"}), FUNC, KNOWN) == ["parameters: missing 'alpha'"]
    assert any("missing 'returns'" in e for e in validate({k: v for k, v in GOOD.items() if k != "returns"}, FUNC, KNOWN))
    class_draft = {"summary": "A point.", "description": None, "attributes": {"x": "X.", "y": "Y."}, "raises": [],
                   "examples": None, "returns": "nope"}
    assert any("unexpected key(s) 'returns'" in e for e in validate(class_draft, CLASS))


@pytest.mark.parametrize(("data", "fragment"), [
    (with_(summary="Paint.\nAnd more."), "one line"),
    (with_(summary="x" * 300), "one sentence"),
    (with_(summary="   "), "must not be empty"),
    (with_(returns="TODO"), "placeholder"),
    (with_(returns="N/A"), "placeholder"),
    (with_(summary="Lorem ipsum dolor."), "placeholder"),
    (with_(returns="..."), "placeholder"),
    (with_(returns=""), "must not be empty"),
    (with_(raises=[{"exception": "Value Error!", "when": "x"}]), "not an exception name"),
    (with_(summary="Paint. .. raw:: html"), None),
    (with_(description=".. raw:: html\n\n   <script>alert(1)</script>"), "directive"),
    (with_(description="See :func:`os.path`."), "role"),
    (with_(description="Uses |subst| here."), "substitution"),
    (with_(description="Click <img src=x onerror=alert(1)>."), "raw HTML"),
    (with_(description="Go to [here](javascript:alert(1))."), "script or data URL"),
    (with_(description="See [docs](https://example.com)."), "Markdown link"),
    (with_(description="A `link <https://x>`_ here."), "reST hyperlink"),
    (with_(description="x" * 5000), "too long"),
])
def test_semantic_checks(data: dict, fragment: str | None) -> None:
    errors = validate(data, FUNC, KNOWN)
    if fragment is None:
        assert errors == []  # ".." in the middle of a line is not a directive
    else:
        assert any(fragment in e for e in errors), errors


@pytest.mark.parametrize(("text", "ok"), [
    ("Calls `frobnicate` first.", False),
    ("Uses `color` and `**rest`.", True),
    ("Like `len()` and `os.path.join`.", True),
    ("Returns a `Point` or `pkg.paint`.", True),
    ("Same as `pkg.nothing_here`.", False),
    ("Accepts `'red'` or `3 + 4`.", True),
])
def test_grounding_of_code_spans(text: str, ok: bool) -> None:
    errors = validate(with_(description=text), FUNC, KNOWN)
    assert (errors == []) is ok, errors


@pytest.mark.parametrize(("exception", "ok"), [("ValueError", True), ("KeyError", True), ("json.JSONDecodeError", True),
                                                ("InventedError", False), ("pkg.Point", True)])
def test_grounding_of_raised_exceptions(exception: str, ok: bool) -> None:
    errors = validate(with_(raises=[{"exception": exception, "when": "Sometimes."}]), FUNC, KNOWN)
    assert (errors == []) is ok, errors


def test_without_scan_context_only_the_schema_and_semantics_hold() -> None:
    assert validate(with_(description="Calls `frobnicate`."), FUNC) == []
    assert validate(with_(description="<script>"), FUNC) != []


def test_draft_dataclass_to_json_matches_schema() -> None:
    draft = Draft(summary="Paint.", parameters={"color": "c", "alpha": "a", "rest": "r"}, returns="r",
                  raises=(Raise("ValueError", "bad"),))
    assert validate(draft.to_json(), FUNC, KNOWN) == []
