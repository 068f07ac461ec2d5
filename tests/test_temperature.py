"""Every request carries a temperature (configurable), dropped once a service rejects it."""

from __future__ import annotations

import asyncio

import pytest

from docgap.limits import Limits
from docgap.providers.base import TargetContext
from docgap.providers.openai import OpenAIProvider
from docgap.validate import validate
from fake_openai import FakeOpenAI, Reply
from test_openai_provider import TARGET, generate, settings_for



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

    async def run() -> None:
        provider = OpenAIProvider(settings, Limits())
        for _ in range(2):
            await provider.generate(TARGET, TargetContext(), lambda data: validate(data, TARGET))
        await provider.aclose()

    with caplog.at_level("INFO", logger="docgap"):
        asyncio.run(run())
    assert [("temperature" in r.body) for r in server.requests] == [True, False, False]
    assert "does not accept a temperature" in caplog.text
