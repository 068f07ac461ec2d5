"""The offline signature provider: deterministic drafts that always validate."""

from __future__ import annotations

import asyncio

import pytest

from docgap.errors import GenerationError
from docgap.providers.base import TargetContext
from docgap.providers.signature import SignatureProvider, draft_from_signature
from docgap.targets import Parameter, Target
from docgap.validate import validate

SHAPES = [
    Target(path="pkg.parse_http_header", kind="function", key="a",
           parameters=(Parameter("raw", annotation="bytes"), Parameter("strict", "keyword-only", "bool", "False"),
                       Parameter("args", "variadic positional"), Parameter("kwargs", "variadic keyword")),
           returns="dict[str, str]", returns_value=True, raises=("ValueError", "ValueError", "KeyError")),
    Target(path="pkg.Reader.lines", kind="method", key="b", returns="Iterator[str]", yields=True),
    Target(path="pkg.fetch", kind="function", key="c", is_async=True, parameters=(Parameter("url", "positional-only"),)),
    Target(path="pkg.Point", kind="class", key="d", attributes=("x", "y")),
    Target(path="pkg.Point.norm", kind="property", key="e", returns="float"),
    Target(path="pkg.MAX_SIZE", kind="attribute", key="f"),
    Target(path="pkg.shapes", kind="module", key="g"),
    Target(path="pkg.HTTPServer", kind="class", key="h", parameters=(Parameter("port", annotation="int", default="80"),)),
    Target(path="pkg.annotated", kind="function", key="i",
           parameters=(Parameter("a", doc="Human text."), Parameter("b"))),
    Target(path="pkg.LOREM_IPSUM_WORDS", kind="attribute", key="j"),
    Target(path="pkg.Analyzer.for_string", kind="method", key="l", returns="Analyzer", returns_value=True,
           parameters=(Parameter("source", annotation="str"), Parameter("srcname", default="'<string>'"),
                       Parameter("fn", annotation="Callable[..., int] | None", default="None"))),
]


@pytest.mark.parametrize("target", SHAPES, ids=lambda t: t.path)
def test_every_draft_validates(target: Target) -> None:
    draft = draft_from_signature(target)
    assert validate(draft.to_json(), target) == []


def test_draft_states_what_the_signature_shows() -> None:
    draft = draft_from_signature(SHAPES[0])
    assert draft.summary == "Parse http header."
    assert list(draft.parameters) == ["raw", "strict", "args", "kwargs"]
    assert "bytes" in draft.parameters["raw"]
    assert "keyword-only" in draft.parameters["strict"] and "Defaults to False" in draft.parameters["strict"]
    assert [r.exception for r in draft.raises] == ["ValueError", "KeyError"]
    assert "dict[str, str]" in (draft.returns or "")
    assert draft_from_signature(SHAPES[1]).yields == "The produced values, of type str."
    assert draft_from_signature(SHAPES[2]).summary == "Asynchronously fetch."
    assert draft_from_signature(SHAPES[7]).summary == "The HTTP server class."
    assert list(draft_from_signature(SHAPES[8]).parameters) == ["b"]


def test_is_deterministic_and_labelled_signature() -> None:
    provider = SignatureProvider()
    first = asyncio.run(provider.generate(SHAPES[0], TargetContext(), lambda d: validate(d, SHAPES[0])))
    second = asyncio.run(provider.generate(SHAPES[0], TargetContext(), lambda d: validate(d, SHAPES[0])))
    assert first.draft == second.draft
    assert provider.name == "signature" and provider.model is None
    assert first.usage.requests == 0


def test_a_draft_the_validator_rejects_is_a_failure_not_a_result() -> None:
    with pytest.raises(GenerationError, match="pkg.fetch"):
        asyncio.run(SignatureProvider().generate(SHAPES[2], TargetContext(), lambda d: ["nope"]))


def test_source_text_that_is_not_plain_is_quoted_as_code() -> None:
    draft = draft_from_signature(SHAPES[-1])
    assert draft.parameters["srcname"].endswith("Defaults to `'<string>'`.")
    assert "`Callable[..., int] | None`" in draft.parameters["fn"]
    assert draft_from_signature(SHAPES[-2]).summary == "The `LOREM_IPSUM_WORDS` value."


@pytest.mark.parametrize(("returns", "shown"), [
    ("Iterator[tuple[int, str]]", "tuple[int, str]"),
    ("Generator[dict[str, Any], None, None]", "dict[str, Any]"),
    ("AsyncIterator[str]", "str"),
])
def test_yield_type_is_the_whole_first_argument(returns: str, shown: str) -> None:
    target = Target(path="pkg.pairs", kind="function", key="y", returns=returns, yields=True)
    draft = draft_from_signature(target)
    assert draft.yields == f"The produced values, of type {shown}."
    assert validate(draft.to_json(), target) == []
