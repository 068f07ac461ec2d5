"""The per-target draft schema: its shape follows the target, and it is a valid strict schema."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import jsonschema
import pytest

from docgap.drafts import Draft, Raise
from docgap.schema import STRICT_KEYWORDS, check_schema, draft_schema
from docgap.targets import Parameter, Target

PAINT = Target(path="pkg.paint", kind="function", key="p", returns="bool", returns_value=True,
               parameters=(Parameter("color", annotation="str"), Parameter("alpha", default="1.0"),
                           Parameter("shades", "variadic positional"), Parameter("options", "variadic keyword")))
POINT = Target(path="pkg.Point", kind="class", key="c", attributes=("x", "y"),
               parameters=(Parameter("x", annotation="int"), Parameter("y", annotation="int")))
LINES = Target(path="pkg.Reader.lines", kind="method", key="g", returns="Iterator[str]", yields=True)
MODULE = Target(path="pkg.shapes", kind="module", key="m")
HALF_DOCUMENTED = Target(path="pkg.scale", kind="function", key="h",
                         parameters=(Parameter("factor", doc="Written by a person."), Parameter("origin")))
RAISING = Target(path="pkg.check", kind="function", key="r", parameters=(Parameter("value"),),
                 raises=("ValueError", "errors.Bad", "ValueError"))
SHAPES = [PAINT, POINT, LINES, MODULE, HALF_DOCUMENTED, RAISING]


def strict_violations(node: dict[str, Any], where: str = "root") -> list[str]:
    """Every way `node` breaks the strict structured-output rules docgap keeps to."""
    found = [f"{where}: keyword {key}" for key in node if key not in STRICT_KEYWORDS and not (where == "root" and key == "$schema")]
    kinds = node["type"] if isinstance(node["type"], list) else [node["type"]]
    found += [f"{where}: type {kind}" for kind in kinds if kind not in ("object", "array", "string", "null")]
    if "object" in kinds:
        if node.get("additionalProperties") is not False:
            found.append(f"{where}: additionalProperties is not false")
        if node.get("required") != list(node["properties"]):
            found.append(f"{where}: required is not every property")
        for name, child in node["properties"].items():
            found += strict_violations(child, f"{where}.{name}")
    if "array" in kinds:
        found += strict_violations(node["items"], f"{where}[]")
    return found


@pytest.mark.parametrize("target", SHAPES, ids=lambda t: t.path)
def test_schema_is_a_valid_strict_schema(target: Target) -> None:
    schema = draft_schema(target)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert strict_violations(schema) == []
    # The SDK's own strictness pass (used for its pydantic helpers) has nothing to add.
    # The SDK's own strictness pass (a private helper: skipped if a future SDK moves it).
    strict = pytest.importorskip("openai.lib._pydantic")._ensure_strict_json_schema
    assert strict(copy.deepcopy(schema), path=(), root=schema) == schema


def test_strict_check_catches_what_it_should() -> None:
    loose = {"type": "object", "properties": {"a": {"type": "string", "minLength": 1}, "b": {"type": "integer"}},
             "required": ["a"]}
    assert sorted(strict_violations(loose)) == ["root.a: keyword minLength", "root.b: type integer",
                                                "root: additionalProperties is not false",
                                                "root: required is not every property"]


@pytest.mark.parametrize(("target", "keys"), [
    (PAINT, ["summary", "description", "parameters", "returns", "examples"]),
    (POINT, ["summary", "description", "parameters", "attributes", "examples"]),
    (LINES, ["summary", "description", "yields", "examples"]),
    (MODULE, ["summary", "description"]),
    (RAISING, ["summary", "description", "parameters", "raises", "examples"]),
    (Target(path="pkg.LIMIT", kind="attribute", key="l"), ["summary", "description"]),
], ids=["function", "class", "generator", "module", "raising", "attribute"])
def test_keys_offer_only_what_can_apply_to_the_object(target: Target, keys: list[str]) -> None:
    assert list(draft_schema(target)["properties"]) == keys


def test_raised_exceptions_are_an_enum_of_what_the_source_raises() -> None:
    exception = draft_schema(RAISING)["properties"]["raises"]["items"]["properties"]["exception"]
    assert exception["enum"] == ["ValueError", "errors.Bad"]


@pytest.mark.parametrize("target", SHAPES, ids=lambda t: t.path)
def test_the_partial_check_schema_requires_nothing_and_admits_every_key(target: Target) -> None:
    strict, partial = draft_schema(target), check_schema(target, partial=True)
    assert partial["required"] == [] and set(partial["properties"]) == set(strict["properties"]) | {"raises"}
    assert all(partial["properties"][key]["required"] == [] for key in ("parameters", "attributes")
               if key in partial["properties"])
    jsonschema.Draft202012Validator.check_schema(partial)
    assert list(jsonschema.Draft202012Validator(partial).iter_errors({})) == []


@pytest.mark.parametrize(("target", "required"), [
    (PAINT, ["summary", "parameters", "returns"]),
    (POINT, ["summary", "parameters", "attributes"]),
    (LINES, ["summary", "yields"]),
    (MODULE, ["summary"]),
    (RAISING, ["summary", "parameters"]),
], ids=["function", "class", "generator", "module", "raising"])
def test_the_complete_check_schema_requires_what_a_model_must_describe(target: Target, required: list[str]) -> None:
    schema = check_schema(target)
    assert schema["required"] == required
    for key in ("parameters", "attributes"):
        if key in schema["properties"]:
            entries = schema["properties"][key]
            assert entries["required"] == list(entries["properties"])
            assert all(text["type"] == "string" for text in entries["properties"].values())
    assert "enum" not in schema["properties"]["raises"]["items"]["properties"]["exception"]  # grounding says why
    assert draft_schema(target)["properties"] == draft_schema(target)["properties"]  # not changed in place


def test_parameters_are_exactly_the_drafted_ones_without_stars() -> None:
    assert list(draft_schema(PAINT)["properties"]["parameters"]["properties"]) == ["color", "alpha", "shades", "options"]
    assert list(draft_schema(HALF_DOCUMENTED)["properties"]["parameters"]["properties"]) == ["origin"]
    assert list(draft_schema(POINT)["properties"]["attributes"]["properties"]) == ["x", "y"]


def test_optional_values_are_nullable_strings() -> None:
    properties = draft_schema(PAINT)["properties"]
    assert properties["description"]["type"] == ["string", "null"]
    assert properties["examples"]["type"] == ["string", "null"]
    assert properties["summary"]["type"] == "string" and properties["returns"]["type"] == "string"
    partial = check_schema(PAINT, partial=True)["properties"]
    assert partial["summary"]["type"] == ["string", "null"] and partial["returns"]["type"] == ["string", "null"]
    assert partial["parameters"]["properties"]["color"]["type"] == ["string", "null"]


@pytest.mark.parametrize(("change", "path"), [
    (lambda d: d["parameters"].update(colour="Typo."), ["parameters"]),
    (lambda d: d["parameters"].pop("alpha"), ["parameters"]),
    (lambda d: d.pop("returns"), []),
    (lambda d: d.update(yields="Not a generator."), []),
    (lambda d: d["raises"].append({"exception": "ValueError"}), ["raises", 0]),
    (lambda d: d["raises"].append({"exception": "KeyError", "when": "w"}), ["raises", 0, "exception"]),
], ids=["extra parameter", "missing parameter", "missing returns", "yields on a function", "raise without when",
        "raise not in the source"])
def test_schema_rejects_wrong_shapes(change: Any, path: list[Any]) -> None:
    data = {"summary": "Paint.", "description": None, "parameters": {"color": "c", "alpha": "a", "shades": "s",
            "options": "o"}, "returns": "r", "raises": [], "examples": None}
    validator = jsonschema.Draft202012Validator(draft_schema(replace(PAINT, raises=("ValueError",))))
    assert list(validator.iter_errors(data)) == []
    change(data)
    assert [list(e.absolute_path) for e in validator.iter_errors(data)] == [path]


@pytest.mark.parametrize("target", SHAPES, ids=lambda t: t.path)
def test_draft_to_json_matches_the_partial_schema(target: Target) -> None:
    draft = Draft(
        summary="Do it.", description="More.",
        parameters={p.name: "Text." for p in target.drafted_parameters},
        returns="A value." if target.returns_value else None,
        yields="Each item." if target.yields else None,
        raises=(Raise("ValueError", "When bad."),),
        attributes={name: "Text." for name in target.attributes},
        examples="print(1)" if target.kind in ("function", "method", "class") else None,
    )
    complete = jsonschema.Draft202012Validator(check_schema(target))
    partial = jsonschema.Draft202012Validator(check_schema(target, partial=True))
    assert list(complete.iter_errors(draft.to_json())) == [] and list(partial.iter_errors(draft.to_json())) == []
    assert list(partial.iter_errors(Draft(summary="").to_json())) == []
    missing = [e.message for e in complete.iter_errors(Draft(summary="").to_json())]
    assert missing == [f"{key!r} is a required property" for key in check_schema(target)["required"]]


def test_descriptions_tell_the_model_what_each_key_is() -> None:
    schema = draft_schema(PAINT)
    color = schema["properties"]["parameters"]["properties"]["color"]
    assert color["title"] == "color" and "`str`" in color["description"]
    alpha = schema["properties"]["parameters"]["properties"]["alpha"]
    assert "default `1.0`" in alpha["description"]
    shades = schema["properties"]["parameters"]["properties"]["shades"]
    assert shades["title"] == "*shades" and "variadic positional" in shades["description"]
    assert "`bool`" in schema["properties"]["returns"]["description"]
    assert "pkg.paint()" in schema["description"]
    assert "raises" not in schema["properties"]
    raising = Target(path="pkg.f", kind="function", key="r", raises=("KeyError", "KeyError", "errors.Bad"))
    assert "it raises: KeyError, errors.Bad" in draft_schema(raising)["properties"]["raises"]["description"]
    long_default = Target(path="pkg.f", kind="function", key="d", parameters=(Parameter("table", default="{" + "1: 2, " * 100 + "}"),))
    assert len(draft_schema(long_default)["properties"]["parameters"]["properties"]["table"]["description"]) < 250


@pytest.mark.parametrize(("annotation", "shown"), [
    ("A" * 80, "A" * 80),                          # up to 80 characters: whole
    ("A" * 81, "A" * 79 + "…"),                    # longer: cut, with a marker, to 80
    ("dict[\n    str,\n    int]", "dict[ str, int]"),  # on one line, runs of white space as one space
])
def test_long_or_multiline_source_in_descriptions_is_one_short_line(annotation: str, shown: str) -> None:
    target = Target(path="pkg.f", kind="function", key="a", parameters=(Parameter("table", annotation=annotation),))
    description = draft_schema(target)["properties"]["parameters"]["properties"]["table"]["description"]
    assert f"annotated `{shown}`:" in description
