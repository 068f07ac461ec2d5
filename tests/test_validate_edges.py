"""Validation at its edges: exact limits, the full wording of each message, every kind of unexpected key.

Written from the mutants `bench/mutation.sh` showed surviving: each case pins a boundary or a
message that a model is re-asked with, so an off-by-one or a changed word fails here.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from docgap.targets import Parameter, Target
from docgap.validate import (
    MAX_ANSWER_CHARS,
    MAX_EXAMPLES_CHARS,
    MAX_FIELD_CHARS,
    MAX_RAISES,
    MAX_SUMMARY_CHARS,
    _SCHEMAS,
    _conforms,
    validate,
)

FUNC = Target(path="pkg.paint", kind="function", key="f", returns_value=True,
              parameters=(Parameter("color"), Parameter("alpha")))
NOTHING = Target(path="pkg.reset", kind="function", key="n")
GEN = Target(path="pkg.count", kind="function", key="g", yields=True)
POINT = Target(path="pkg.Point", kind="class", key="c", attributes=("x", "y"))
GOOD: dict[str, Any] = {"summary": "Paint.", "description": None, "parameters": {"color": "C.", "alpha": "A."},
                        "returns": "R.", "raises": [], "examples": None}


def with_(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(GOOD), **changes}


def only_error(data: Any, target: Target = FUNC) -> str:
    errors = validate(data, target)
    assert len(errors) == 1, errors
    return errors[0]


# Limits: the limit itself is accepted, one more is not.

def test_each_length_limit_is_inclusive() -> None:
    assert validate(with_(summary="S" * (MAX_SUMMARY_CHARS - 1) + "."), FUNC) == []
    assert only_error(with_(summary="S" * MAX_SUMMARY_CHARS + ".")).startswith("summary: 201 characters")
    assert validate(with_(description="d" * MAX_FIELD_CHARS), FUNC) == []
    raiser = Target(path="pkg.check", kind="function", key="r", raises=("ValueError",))
    data = {"summary": "Check.", "description": None, "examples": None,
            "raises": [{"exception": "ValueError", "when": "Bad."}] * MAX_RAISES}
    assert validate(data, raiser) == []


def test_examples_have_their_own_larger_limit() -> None:
    code = "x = 1\n" * (MAX_FIELD_CHARS // 6 + 100)
    assert MAX_FIELD_CHARS < len(code) <= MAX_EXAMPLES_CHARS
    assert validate(with_(examples=code), FUNC) == []
    assert only_error(with_(description=code)).startswith(f"description: {len(code)} characters is too long")


def test_the_whole_answer_limit_is_inclusive() -> None:
    summary = "Many."
    full, rest = divmod(MAX_ANSWER_CHARS - len(summary), MAX_FIELD_CHARS)  # fields at their own limit, then the rest
    texts = ["t" * MAX_FIELD_CHARS] * full + ["t" * rest]
    many = Target(path="pkg.many", kind="function", key="m", parameters=tuple(Parameter(f"p{i}") for i in range(len(texts))))
    data = {"summary": summary, "description": None, "raises": [], "examples": None,
            "parameters": {f"p{i}": text for i, text in enumerate(texts)}}
    assert validate(data, many) == []
    data["parameters"][f"p{full}"] += "t"
    assert only_error(data, many).startswith(f"answer: {MAX_ANSWER_CHARS + 1} characters of text is too long")


# The full wording of messages a model is re-asked with.

@pytest.mark.parametrize(("data", "target", "expected"), [
    (with_(raises=[{"exception": "E", "when": "W."}] * (MAX_RAISES + 1)), FUNC,
     f"raises: {MAX_RAISES + 1} entries is too many (at most {MAX_RAISES}); list only exceptions the code raises"),
    (with_(raises=[{"exception": "no good", "when": "W."}]), FUNC,
     "raises[0].exception: 'no good' is not an exception name; write the class name only, e.g. ValueError"),
    (with_(description="Bad\x07 bell."), FUNC, "description: contains control characters; write plain text"),
    (with_(returns="TODO"), FUNC, "returns: is placeholder text; write the real documentation or leave the field out"),
    (with_(examples="paint('red')\n>>> paint('blue')"), FUNC,
     "examples: has `>>>` prompts; write plain Python code without them"),
    (with_(examples="x" + ".a" * 3900), FUNC, "examples: is not valid Python; write runnable example code"),
    (with_(summary=True), FUNC, "summary: must be a string, got boolean"),
    (with_(description=1.5), FUNC, "description: must be a string or null, got number"),
    (with_(parameters="color and alpha"), FUNC, "parameters: must be an object, got string"),
    (with_(parameters={}), FUNC, "parameters: missing 'color', 'alpha'"),
    (with_(raises=[{"exception": "E", "when": "W.", "why": "Y."}]), FUNC,
     "raises[0]: unexpected key 'why'; the keys are: exception, when"),
    (with_(parameters={"color": "C.", "alpha": "A.", "Xalpha": "X."}), FUNC,  # no hint: it is not about stars
     "parameters: 'Xalpha' is not a parameter of pkg.paint(); its parameters are: color, alpha"),
    (with_(parameters={"color": "C.", "alpha": "A.", "beta": "B.", "gamma": "G."}), FUNC,
     "parameters: 'beta', 'gamma' are not a parameter of pkg.paint(); its parameters are: color, alpha"),
    ({"summary": "A point.", "description": None, "raises": [], "examples": None,
      "attributes": {"x": "X.", "y": "Y.", "z": "Z.", "w": "W."}}, POINT,
     "attributes: 'z', 'w' are not an attribute of pkg.Point; its attributes are: x, y"),
], ids=["too many raises", "exception name", "control", "placeholder", "prompt on a later line", "too deep to parse",
        "boolean", "float", "string for object", "several missing", "nested unexpected key", "another name", "several parameters", "several attributes"])
def test_message_wording(data: Any, target: Target, expected: str) -> None:
    assert only_error(data, target) == expected


@pytest.mark.parametrize(("extra", "head"), [
    ({"returns": "R.", "yields": "Y."},
     "answer: unexpected key 'returns', 'yields' (pkg.reset() returns no value; pkg.reset() is not a generator)"),
    ({"parameters": {}}, "answer: unexpected key 'parameters' (pkg.reset() has no parameters to document)"),
    ({"attributes": {}}, "answer: unexpected key 'attributes' (pkg.reset() has no attributes to document)"),
    ({"notes": "N."}, "answer: unexpected key 'notes'"),
], ids=["returns and yields", "no parameters", "no attributes", "unknown key"])
def test_unexpected_keys_say_why_and_list_the_keys(extra: dict[str, Any], head: str) -> None:
    error = only_error({"summary": "Reset.", "description": None, "raises": [], "examples": None, **extra}, NOTHING)
    said, _, keys = error.partition("; the keys are: ")
    assert said == head
    assert {"summary", "description"} <= set(keys.split(", ")) and not set(extra) & set(keys.split(", "))


def test_a_non_json_value_is_named_by_its_type() -> None:
    assert only_error({"summary"}).endswith("got set")


def test_yields_and_attribute_texts_are_checked_like_the_rest() -> None:
    assert only_error({"summary": "Count.", "description": None, "yields": "TBD", "raises": [], "examples": None},
                      GEN).startswith("yields: is placeholder text")
    assert only_error({"summary": "A point.", "description": None, "raises": [], "examples": None,
                       "attributes": {"x": "X.", "y": "TODO"}}, POINT).startswith("attributes.y: is placeholder text")


def test_several_parameters_documented_by_a_person_are_listed() -> None:
    target = Target(path="pkg.scale", kind="function", key="s",
                    parameters=(Parameter("a", doc="A."), Parameter("b", doc="B."), Parameter("c")))
    error = only_error({"summary": "Scale.", "description": None, "parameters": {"c": "C.", "a": "A.", "b": "B."},
                        "raises": [], "examples": None}, target)
    assert error == ("parameters: 'a', 'b' are not a parameter of pkg.scale(); its parameters are: c; "
                     "a, b are documented already")


@pytest.mark.parametrize(("length", "shown"), [(60, "k" * 60), (61, "k" * 59 + "…"), (300, "k" * 59 + "…")])
def test_long_unexpected_names_are_cut_to_sixty_characters(length: int, shown: str) -> None:
    error = only_error(with_(parameters={"color": "C.", "alpha": "A.", "k" * length: "K."}))
    assert error.startswith(f"parameters: {shown!r} is not a parameter")


# The fast structural check and the schema cache.

@pytest.mark.parametrize(("value", "schema"), [
    ({"a": 1}, {"type": "object"}),
    ({"a": 1}, {"type": "object", "additionalProperties": False}),
    ({}, {"type": "object", "required": ["a"]}),
    ({"a": "x"}, {"type": "object", "properties": {"a": {"type": "string"}}}),
    (3, {"items": {"type": "string"}}),
    (["x", 3], {"items": {"type": "string"}}),
    (["x", 3], {"type": "array"}),
])
def test_fast_check_agrees_with_jsonschema_on_schemas_that_omit_keywords(value: Any, schema: dict[str, Any]) -> None:
    assert _conforms(value, schema) == jsonschema.Draft202012Validator(schema).is_valid(value)


def test_schema_cache_stays_bounded_and_right() -> None:
    targets = [Target(path=f"pkg.f{i}", kind="function", key=str(i), parameters=(Parameter(f"p{i}"),))
               for i in range(4200)]
    for target in targets:
        assert validate({"summary": "F.", "description": None, "parameters": {target.parameters[0].name: "P."},
                         "raises": [], "examples": None}, target) == []
        assert len(_SCHEMAS) <= 4096
    assert validate({"summary": "F.", "description": None, "parameters": {"p1": "P."}, "raises": [], "examples": None},
                    targets[0]) == ["parameters: missing 'p0'", ("parameters: 'p1' is not a parameter of pkg.f0(); "
                                                                 "its parameters are: p0")]
