"""The offline signature provider: deterministic drafts that state facts or nothing, and always validate."""

from __future__ import annotations

import asyncio

import pytest

from docgap.errors import GenerationError
from docgap.providers.base import TargetContext, Validator
from docgap.providers.signature import SignatureProvider, draft_from_signature
from docgap.targets import Parameter, Target
from docgap.validate import validate

SHAPES = [
    Target(path="pkg.parse_http_header", kind="function", key="a",
           parameters=(Parameter("raw", annotation="bytes"), Parameter("strict", "keyword-only", "bool", "False"),
                       Parameter("args", "variadic positional"), Parameter("kwargs", "variadic keyword")),
           returns="dict[str, str]", returns_value=True, raises=("ValueError", "KeyError")),
    Target(path="pkg.Reader.lines", kind="method", key="b", returns="Iterator[str]", yields=True),
    Target(path="pkg.fetch", kind="function", key="c", is_async=True, parameters=(Parameter("url", "positional-only"),)),
    Target(path="pkg.Point", kind="class", key="d", attributes=("x", "y"), bases=("NamedTuple",)),
    Target(path="pkg.Point.norm", kind="property", key="e", returns="float", settable=False),
    Target(path="pkg.MAX_SIZE", kind="attribute", key="f", value="1024 * 1024"),
    Target(path="pkg.shapes", kind="module", key="g"),
    Target(path="pkg.check", kind="function", key="h", parameters=(Parameter("value"),),
           source="def check(value):\n    if value < 0:\n        raise ValueError(value)\n    raise NotImplementedError\n",
           raises=("ValueError", "NotImplementedError"),
           raise_conditions=(("ValueError", "value < 0"), ("NotImplementedError", ""))),
    Target(path="pkg.Registry.update", kind="method", key="i", overrides="dict.update",
           own_words=(("the docstring of `dict.update`", "Update D from dict/iterable E and F."),)),
    Target(path="pkg.by_length", kind="function", key="j", parameters=(Parameter("item"),), returns_value=True,
           default_of=(("sort_items()", "key"),),
           own_words=(("the key parameter of `sort_items()`", "The function giving each item's sort key."),)),
    Target(path="pkg.Point.x", kind="attribute", key="k",
           own_words=(("the docstring of `Point`", "The horizontal coordinate. Measured in `float` units."),)),
]
BY_NAME = {t.name: t for t in SHAPES}


def offline(target: Target) -> Validator:
    """The validator the pipeline gives a provider that is no model."""
    return lambda data: validate(data, target, partial=True)


@pytest.mark.parametrize("target", SHAPES, ids=lambda t: t.path)
def test_every_draft_validates(target: Target) -> None:
    draft = draft_from_signature(target)
    assert offline(target)(draft.to_json()) == []


def test_an_offline_draft_would_not_pass_as_a_model_s() -> None:
    target = BY_NAME["parse_http_header"]
    assert validate(draft_from_signature(target).to_json(), target) == ["answer: missing 'summary', 'parameters', 'returns'"]


@pytest.mark.parametrize("name", ["parse_http_header", "lines", "fetch", "shapes"])
def test_without_facts_the_draft_says_nothing(name: str) -> None:
    draft = draft_from_signature(BY_NAME[name])
    assert draft.to_json() == {}  # no "Parse http header.", no "The raw.", no "Extra keyword arguments."


def test_facts_the_source_shows_are_the_summary() -> None:
    assert draft_from_signature(BY_NAME["Point"]).summary == "Subclass of `NamedTuple`."
    assert draft_from_signature(BY_NAME["Point"]).attributes == {}
    assert draft_from_signature(BY_NAME["norm"]).summary == "Read-only property."
    assert draft_from_signature(BY_NAME["MAX_SIZE"]).summary == "Set to `1024 * 1024`."


def test_raises_state_their_condition() -> None:
    draft = draft_from_signature(BY_NAME["check"])
    assert [(r.exception, r.when) for r in draft.raises] == [("ValueError", "If `value < 0`."),
                                                               ("NotImplementedError", "Always.")]
    assert draft.summary == "" and draft.parameters == {}


def test_the_package_s_own_words_are_quoted_with_their_source() -> None:
    update = draft_from_signature(BY_NAME["update"])
    assert update.summary == "Overrides `dict.update`."
    assert update.description == "“Update D from dict/iterable E and F.”, says the docstring of `dict.update`."
    by_length = draft_from_signature(BY_NAME["by_length"])
    assert by_length.summary == "Default of the key parameter of `sort_items()`."
    assert by_length.returns is None
    x = draft_from_signature(BY_NAME["x"])
    assert x.summary == "“The horizontal coordinate.”, says the docstring of `Point`."
    assert x.description == "“Measured in `float` units.”"


def test_facts_too_long_for_one_summary_line_go_on() -> None:
    target = Target(path="pkg.DEFAULT", kind="attribute", key="l", value="x" * 70,
                    default_of=tuple((f"function_number_{i}()", f"parameter_{i}") for i in range(3)))
    draft = draft_from_signature(target)
    assert draft.summary == f"Set to `{'x' * 70}`."
    assert draft.description is not None and draft.description.count("Default of the") == 3


def test_quoted_code_the_scan_cannot_ground_is_quoted_as_prose() -> None:
    target = BY_NAME["x"]

    def no_code(data: object) -> list[str]:
        return ["a code span"] if "`float`" in str(data) else []

    generation = asyncio.run(SignatureProvider().generate(target, TargetContext(), no_code))
    assert generation.draft.description == "“Measured in float units.”"


def test_is_deterministic_and_labelled_signature() -> None:
    provider = SignatureProvider()
    target = BY_NAME["update"]
    first = asyncio.run(provider.generate(target, TargetContext(), offline(target)))
    second = asyncio.run(provider.generate(target, TargetContext(), offline(target)))
    assert first.draft == second.draft
    assert provider.name == "signature" and provider.model is None
    assert first.usage.requests == 0


def test_a_draft_the_validator_rejects_is_a_failure_not_a_result() -> None:
    with pytest.raises(GenerationError, match="pkg.fetch"):
        asyncio.run(SignatureProvider().generate(BY_NAME["fetch"], TargetContext(), lambda d: ["nope"]))
