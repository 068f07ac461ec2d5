"""Validation: schema errors worded for people and models, then every semantic check, then grounding."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from docgap.drafts import Draft, Raise
from docgap.targets import Parameter, Target
from docgap.validate import MAX_ANSWER_CHARS, MAX_EXAMPLES_CHARS, MAX_FIELD_CHARS, MAX_RAISES, validate

PAINT = Target(path="example_pkg.paint", kind="function", key="p", returns="bool", returns_value=True,
               parameters=(Parameter("color"), Parameter("alpha", default="1.0"), Parameter("rest", "variadic keyword")),
               raises=("ValueError",), source="def paint(color, alpha=1.0, **rest):\n    raise ValueError(color)\n")
POINT = Target(path="example_pkg.Point", kind="class", key="c", attributes=("x", "TODO"))
KNOWN = frozenset({"example_pkg", "example_pkg.paint", "paint", "example_pkg.Point", "Point"})
GOOD: dict[str, Any] = {
    "summary": "Paint the canvas.",
    "description": "Uses `color` at the given `alpha`: 0 is transparent.",
    "parameters": {"color": "The color to use.", "alpha": "Opacity.", "rest": "Options passed to `Point`."},
    "returns": "Whether anything changed.",
    "raises": [{"exception": "ValueError", "when": "If the color is unknown."}],
    "examples": "paint('red', alpha=0.5)",
}


def with_(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    data.update(changes)
    return data


def test_a_good_draft_is_valid_and_round_trips_through_draft() -> None:
    assert validate(GOOD, PAINT, KNOWN) == []
    assert Draft.from_json(GOOD).to_json() == GOOD
    draft = Draft(summary="Paint.", parameters={"color": "c", "alpha": "a", "rest": "r"}, returns="r",
                  raises=(Raise("ValueError", "If bad."),))
    assert validate(draft.to_json(), PAINT, KNOWN) == []


# Schema errors, rewritten for people and for re-asking a model.

@pytest.mark.parametrize(("data", "target", "expected"), [
    (with_(parameters={**GOOD["parameters"], "colour": "x"}), PAINT,
     ["parameters: 'colour' is not a parameter of example_pkg.paint(); its parameters are: color, alpha, rest"]),
    (with_(parameters={"color": "c", "rest": "r"}), PAINT, ["parameters: missing 'alpha'"]),
    (with_(parameters={"color": "c", "alpha": "a", "**rest": "r"}), PAINT,
     ["parameters: missing 'rest'", ("parameters: '**rest' is not a parameter of example_pkg.paint(); "
       "its parameters are: color, alpha, rest; write names without stars")]),
    ({k: v for k, v in GOOD.items() if k != "returns"}, PAINT, ["answer: missing 'returns'"]),
    (with_(summary=None), PAINT, ["summary: must be a string, got null"]),
    (with_(description=3), PAINT, ["description: must be a string or null, got number"]),
    (with_(raises=[{"exception": ["ValueError"], "when": "x"}]), PAINT,
     ["raises[0].exception: must be a string, got array"]),
    (with_(raises={"ValueError": "x"}), PAINT, ["raises: must be an array, got object"]),
    (["Paint."], PAINT,
     ["answer: must be a JSON object with the keys summary, description, parameters, returns, raises, examples, got array"]),
    ({"summary": "A point.", "description": None, "attributes": {"x": "X.", "TODO": "T."}, "raises": [],
      "examples": None, "returns": "A point."}, POINT,
     [("answer: unexpected key 'returns' (example_pkg.Point returns no value); "
       "the keys are: summary, description, raises, attributes, examples")]),
    ({"summary": "A point.", "description": None, "attributes": {"x": "X.", "z": "Z."}, "raises": [],
      "examples": None}, POINT,
     ["attributes: missing 'TODO'",
      "attributes: 'z' is not an attribute of example_pkg.Point; its attributes are: x, TODO"]),
], ids=["extra parameter", "missing parameter", "starred name", "missing key", "null summary", "number",
        "nested type", "array type", "not an object", "key of another kind", "extra attribute"])
def test_schema_errors_name_the_key_and_the_fix(data: Any, target: Target, expected: list[str]) -> None:
    assert validate(data, target, KNOWN) == expected


@pytest.mark.parametrize(("data", "complete", "partial"), [
    (with_(parameters={"color": "c", "rest": "r"}), ["parameters: missing 'alpha'"], []),
    (with_(parameters={"color": "c", "alpha": None, "rest": "r"}), ["parameters.alpha: must be a string, got null"],
     []),
    ({k: v for k, v in GOOD.items() if k != "returns"}, ["answer: missing 'returns'"], []),
    ({k: v for k, v in GOOD.items() if k != "summary"}, ["answer: missing 'summary'"], []),
    (with_(summary=None), ["summary: must be a string, got null"], []),
    ({}, ["answer: missing 'summary', 'parameters', 'returns'"], []),
    (with_(summary=3), ["summary: must be a string, got number"], ["summary: must be a string or null, got number"]),
], ids=["missing parameter", "null parameter", "missing returns", "missing summary", "null summary", "empty",
        "number summary"])
def test_only_a_draft_no_model_wrote_may_leave_fields_out(data: Any, complete: list[str], partial: list[str]) -> None:
    assert validate(data, PAINT, KNOWN) == complete  # a model is re-asked with these
    assert validate(data, PAINT, KNOWN, partial=True) == partial


def test_a_partial_draft_is_checked_like_any_other() -> None:
    data = {"summary": "Paint `frobnicate`.", "parameters": {"colour": "x"}, "examples": ">>> paint()"}
    assert validate(data, PAINT, KNOWN, partial=True) == [
        "parameters: 'colour' is not a parameter of example_pkg.paint(); its parameters are: color, alpha, rest"]
    assert validate({k: v for k, v in data.items() if k != "parameters"}, PAINT, KNOWN, partial=True) == [
        "examples: has `>>>` prompts; write plain Python code without them",
        ("summary: `frobnicate` is not a parameter, attribute or known object of example_pkg.paint(); "
         "mention only names that exist")]


def test_a_parameter_documented_by_a_person_is_named_as_such() -> None:
    target = Target(path="pkg.scale", kind="function", key="s", parameters=(Parameter("factor", doc="Human."), Parameter("origin")))
    errors = validate({"summary": "Scale.", "description": None, "parameters": {"origin": "O.", "factor": "F."},
                       "raises": [], "examples": None}, target)
    assert errors == [("parameters: 'factor' is not a parameter of pkg.scale(); its parameters are: origin; "
                       "factor is documented already")]


# Semantic checks: each case breaks exactly one rule, so each fails if its check is removed.

@pytest.mark.parametrize(("data", "field", "fragment"), [
    (with_(summary="Paint.\nAnd more."), "summary", "one line"),
    (with_(summary="Paint " + "very " * 60 + "well."), "summary", "one sentence of at most 200"),
    (with_(summary="   "), "summary", "is empty"),
    (with_(returns=""), "returns", "is empty; write the documentation"),
    (with_(description=""), "description", "is empty; use null"),
    (with_(examples=" \n"), "examples", "is empty; use null"),
    (with_(returns="TODO"), "returns", "placeholder"),
    (with_(returns="TBD."), "returns", "placeholder"),
    (with_(returns="N/A"), "returns", "placeholder"),
    (with_(returns="..."), "returns", "placeholder"),
    (with_(returns="<description>"), "returns", "placeholder"),
    (with_(description="Lorem ipsum dolor sit amet."), "description", "placeholder"),
    (with_(description="Paints things. FIXME: explain alpha."), "description", "placeholder"),
    (with_(parameters={**GOOD["parameters"], "alpha": "XXX"}), "parameters.alpha", "placeholder"),
    (with_(parameters={**GOOD["parameters"], "alpha": "<insert text here>"}), "parameters.alpha", "placeholder"),
    (with_(raises=[{"exception": "ValueError", "when": "TODO"}]), "raises[0].when", "placeholder"),
    (with_(examples="# TODO\npaint('red')"), "examples", "placeholder"),
    (with_(description="Paint\x00 it."), "description", "control characters"),
    (with_(description="Paint \u202eit."), "description", "control characters"),
    (with_(raises=[{"exception": "Value Error!", "when": "Always."}]), "raises[0].exception", "not an exception name"),
    (with_(raises=[{"exception": "errors.raise", "when": "Always."}]), "raises[0].exception", "not an exception name"),
    (with_(description=".. raw:: html\n\n   <b>x</b>"), "description", "reST directive"),
    (with_(description="Text.\n\n.. include:: /etc/passwd"), "description", "reST directive"),
    (with_(description="Text.\n\n.. _target: https://example.com"), "description", "reST directive"),
    (with_(description="Text.\n\n.. a hidden comment"), "description", "reST directive"),
    (with_(description="See :func:`os.path.join`."), "description", "reST role (`:role:`text``)"),
    (with_(description="See :py:func:`os.path.join`."), "description", "reST role (`:role:`text``)"),
    (with_(description="See `os.path.join`:func: too."), "description", "reST role (`:role:`text``)"),
    (with_(description="Ends with :smile: here."), "description", "reST role or emoji"),
    (with_(description=":param color: the color"), "description", "field marker"),
    (with_(description="Uses |version| here."), "description", "substitution"),
    (with_(description="As in [1]_."), "description", "footnote"),
    (with_(description="A `link <https://example.com>`_ here."), "description", "hyperlink reference"),
    (with_(description="Use `x <javascript:alert(1)>`_."), "description", "script or data URL"),
    (with_(description="<script>alert(1)</script>"), "description", "raw HTML"),
    (with_(description="Click <img src=x onerror=alert(1)>."), "description", "raw HTML"),
    (with_(description="Hidden <!-- comment --> text."), "description", "raw HTML"),
    (with_(description="A <a href='https://example.com'>link</a>."), "description", "raw HTML"),
    (with_(description="Go [here](javascript:alert(1))."), "description", "script or data URL"),
    (with_(description="Open data:text/html;base64,PHNjcmlwdD4= now."), "description", "script or data URL"),
    (with_(description="See [the docs](https://example.com)."), "description", "Markdown link"),
    (with_(description="Look ![logo](https://example.com/x.png)."), "description", "Markdown link or image"),
    (with_(description="Text.\n\n[docs]: https://example.com"), "description", "Markdown link"),
    (with_(parameters={**GOOD["parameters"], "alpha": "<b>Opacity</b>."}), "parameters.alpha", "raw HTML"),
    (with_(examples=">>> paint('red')"), "examples", "has `>>>` prompts"),
    (with_(examples="paint('red'"), "examples", "not valid Python"),
    (with_(description="x" * (MAX_FIELD_CHARS + 1)), "description", "too long"),
    (with_(examples="x = 1\n" * (MAX_EXAMPLES_CHARS // 6 + 1)), "examples", "too long"),
    (with_(raises=[{"exception": "ValueError", "when": "Bad."}] * (MAX_RAISES + 1)), "raises", "too many"),
])
def test_each_semantic_check(data: dict[str, Any], field: str, fragment: str) -> None:
    errors = validate(data, PAINT, KNOWN)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{field}: ") and fragment in errors[0], errors


@pytest.mark.parametrize("text", [
    "Paints. .. raw:: html is not a directive mid-line.",
    "Ratio 1:2, at 10:30, key:value:pair; see Example: this.",
    "Pipes | between | words and a|b|c.",
    "Compares `alpha < 1` and writes `<b>` in code.",
    "A literal `'<script>'` is only text.",
    "Reads data: the raw bytes; javascript is a language.",
    "Plain URL https://example.com/page is fine.",
    "Works on items[0] and mapping[key].",
    "Ellipsis... inside text, and todo lists in lower case.",
    "Mentions `**rest` and `rest` by name.",
])
def test_ordinary_prose_passes(text: str) -> None:
    assert validate(with_(description=text), PAINT, KNOWN) == []


def test_code_is_checked_as_code_not_as_prose() -> None:
    example = "def show(x):\n    ...\n\n\nprint('<b>', ':func:', '.. raw:: html', '|x|')\nshow(paint)"
    assert validate(with_(examples=example), PAINT, KNOWN) == []


def test_placeholder_words_that_are_real_names_pass() -> None:
    data = {"summary": "A point.", "description": "The TODO attribute holds open items.",
            "attributes": {"x": "The x coordinate.", "TODO": "Open TODO items."}, "raises": [], "examples": None}
    assert validate(data, POINT, KNOWN) == []


def test_whole_answer_size_is_capped() -> None:
    many = Target(path="pkg.many", kind="function", key="m", parameters=tuple(Parameter(f"p{i}") for i in range(15)))
    text = "Long text. " * (MAX_FIELD_CHARS // 11 - 1)
    data = {"summary": "Many.", "description": None, "parameters": {f"p{i}": text for i in range(15)},
            "raises": [], "examples": None}
    assert 15 * len(text) > MAX_ANSWER_CHARS
    assert validate(data, many) == [(f"answer: {15 * len(text) + 5} characters of text is too long "
                                     f"(at most {MAX_ANSWER_CHARS}); be brief")]


def test_a_huge_answer_is_rejected_quickly_by_size() -> None:
    errors = validate(with_(description="<" * 100_000), PAINT, KNOWN)
    assert errors[0] == f"description: 100000 characters is too long (at most {MAX_FIELD_CHARS}); be brief"
    assert [e.split(":")[0] for e in errors] == ["description", "answer"]


def test_semantic_and_grounding_errors_are_reported_together() -> None:
    errors = validate(with_(description="Calls `frobnicate`. FIXME"), PAINT, KNOWN)
    assert [e.split(":")[0] for e in errors] == ["description", "description"]
    assert "placeholder" in errors[0] and "`frobnicate`" in errors[1]


def test_grounding_runs_only_with_scan_context() -> None:
    draft = with_(description="Calls `frobnicate`.", raises=[{"exception": "InventedError", "when": "Sometimes."}])
    assert validate(draft, PAINT) == [  # an exception is checked against the source alone
        ("raises[0].exception: `InventedError` is not raised in the source of example_pkg.paint(); "
         "list only exceptions the code raises: ValueError")]
    assert validate(draft, PAINT, KNOWN) == [
        ("description: `frobnicate` is not a parameter, attribute or known object of example_pkg.paint(); "
         "mention only names that exist"),
        ("raises[0].exception: `InventedError` is not raised in the source of example_pkg.paint(); "
         "list only exceptions the code raises: ValueError"),
    ]


@pytest.mark.parametrize("which", ["request", "complete", "partial"])
def test_fast_structural_check_agrees_with_jsonschema(which: str) -> None:
    """The fast path that skips jsonschema for valid answers accepts exactly what jsonschema accepts."""
    import jsonschema as js
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from docgap.schema import check_schema, draft_schema
    from docgap.targets import Parameter, Target
    from docgap.validate import _conforms

    target = Target(path="pkg.f", kind="function", key="k", parameters=(Parameter("a"), Parameter("b")),
                    returns_value=True, raises=("E",))
    schema = draft_schema(target) if which == "request" else check_schema(target, partial=which == "partial")
    leaf = st.one_of(st.none(), st.text(max_size=3), st.integers(), st.booleans())
    value = st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.sampled_from(["a", "b", "c", "exception", "when"]), inner, max_size=3)),
                         max_leaves=6)
    base = {"summary": "S.", "description": None, "parameters": {"a": "x", "b": "y"}, "returns": "r",
            "raises": [{"exception": "E", "when": "w"}], "examples": None}

    @settings(max_examples=200, deadline=None)
    @given(key=st.sampled_from([*base, "extra"]), replacement=value, drop=st.booleans())
    def check(key: str, replacement: object, drop: bool) -> None:
        data = {**base}
        if drop:
            data.pop(key, None)
        else:
            data[key] = replacement
        assert _conforms(data, schema) == (not list(js.Draft202012Validator(schema).iter_errors(data)))

    check()
