"""Every request carries a temperature (configurable), dropped once a service rejects it."""

from __future__ import annotations


import pytest

from fake_openai import FakeOpenAI, Reply
from test_openai_provider import generate, generate_twice, settings_for



def test_every_request_carries_the_configured_temperature_and_output_cap(server: FakeOpenAI) -> None:
    generate(settings_for(server, temperature=0.7, max_output_tokens=300))
    body = server.requests[0].body
    assert body["temperature"] == 0.7 and body["max_completion_tokens"] == 300
    generate(settings_for(server))
    assert server.requests[1].body["temperature"] == 0.2


def test_a_rejected_temperature_is_dropped_for_the_rest_of_the_run(server: FakeOpenAI,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    server.script(Reply(status=400, error="Unsupported value: 'temperature' does not support 0.2 with this model. "
                                          "Only the default (1) value is supported."))
    settings = settings_for(server)

    with caplog.at_level("INFO", logger="docgap"):
        generate_twice(settings)
    assert [("temperature" in r.body) for r in server.requests] == [True, False, False]
    assert "does not accept a temperature" in caplog.text
