"""Prose claims (numbers, versions, dates, URLs) must come from the source or the context sent."""

from __future__ import annotations


import pytest

from docgap.claims import claims, ungrounded_claims, unbacked_claims
from fake_openai import FakeOpenAI, Reply
from test_openai_provider import TARGET, generate, settings_for



@pytest.mark.parametrize(("text", "found"), [
    ("Released in 2017.", ["2017"]),
    ("Since version 2.3, see https://example.com/docs.", ["https://example.com/docs", "2.3"]),
    ("Dated 2020-01-02, at most 1,000 items.", ["2020-01-02", "1,000"]),
    ("Returns a 2-tuple, index 0 or 1; `x = 512` is code.", []),
])
def test_claims_are_found_in_prose_only(text: str, found: list[str]) -> None:
    assert claims(text) == found


def test_a_claim_is_grounded_by_the_same_text_in_the_evidence() -> None:
    assert unbacked_claims("At most 1,000 items, since 2.3.", "LIMIT = 1_000  # added in 2.3") == []
    assert unbacked_claims("At most 512 items.", "LIMIT = 5120") == ["512"]
    errors = ungrounded_claims({"summary": "Released in 2017.", "raises": []}, "def area(radius): ...")
    assert errors == ["summary: '2017' appears nowhere in the source or the context given; state only numbers, "
                      "versions, dates and links they show, or leave them out"]


def test_a_model_s_invented_claim_is_reasked_with_the_reason(server: FakeOpenAI) -> None:
    server.script(Reply(mutate=lambda a: {**a, "summary": "Compute the area, released in 2017."}))
    generation = generate(settings_for(server))
    assert generation.attempts == 2
    reask = server.requests[1].body["messages"][-1]["content"]
    assert "'2017' appears nowhere in the source or the context given" in reask


def test_a_claim_the_source_shows_is_accepted(server: FakeOpenAI) -> None:
    server.script(Reply(mutate=lambda a: {**a, "summary": "Compute the area with pi taken as 3.14."}))
    generation = generate(settings_for(server))
    assert generation.attempts == 1 and "3.14" in generation.draft.summary
    assert TARGET.source.count("3.14") == 1
