"""`max_tokens` is a hard budget and `max_requests` a hard count: real SDK, fake server, many at once."""

from __future__ import annotations

import json
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from docgap.engine import GenerationReport, Job, generate_async, run_sync
from docgap.errors import GenerationError, SettingsError
from docgap.limits import Limits, Reservation
from docgap.providers.base import TargetContext
from docgap.providers.openai import OpenAIProvider
from docgap.settings import Settings
from docgap.targets import Parameter, Target
from docgap.validate import validate
from fake_openai import FakeOpenAI, Recorded, Reply
from reliability_helpers import BIN, model_env, synthetic_project

TARGETS = [
    Target(path=f"pkg.scale_{i}", kind="function", key=f"k{i}", parameters=(Parameter("value", annotation="int"),),
           returns="float", returns_value=True,
           source=f"def scale_{i}(value: int) -> float:\n    return value * {i} / 3.0\n")
    for i in range(64)
]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-docgap-budget-DUMMY")
    with FakeOpenAI(latency=0.02) as fake:  # answers overlap, as with a real service
        yield fake


def generate(server: FakeOpenAI, limits: Limits, concurrency: int = 32, count: int = len(TARGETS),
             **settings: object) -> GenerationReport:
    options = Settings().replace(provider="openai", model="fake-model", base_url=server.url, max_retries=0,
                                 **settings)
    provider = OpenAIProvider(options, limits)
    jobs = [Job(t, TargetContext(), lambda data, t=t: validate(data, t)) for t in TARGETS[:count]]
    return run_sync(lambda: generate_async(jobs, provider, concurrency=concurrency))


def first_ask_is_invalid(recorded: Recorded) -> Reply:
    """Every target needs a re-ask: its first answer invents a parameter."""
    if len(recorded.body["messages"]) > 2:
        return Reply()
    return Reply(mutate=lambda a: {**a, "parameters": {**a["parameters"], "invented": "x"}})


@pytest.mark.parametrize(("reask", "budget"), [(False, 5000), (True, 15000)])
def test_a_token_budget_is_never_overrun_at_high_concurrency(server: FakeOpenAI, reask: bool, budget: int) -> None:
    if reask:  # a re-ask reserves again
        server.default = first_ask_is_invalid
    report = generate(server, Limits(max_tokens=budget))
    spent = report.usage.input_tokens + report.usage.output_tokens
    assert spent == server.tokens  # what the server reported, all of it counted
    assert 0 < server.tokens <= budget
    assert report.records and report.skipped  # some were drafted, the rest left for a later run
    assert len(report.records) + len(report.skipped) == len(TARGETS) and not report.failed
    if reask:
        assert all(r.attempts == 2 for r in report.records.values())


class RecordingLimits(Limits):
    """The run's limits, noting whether each request was a follow-up (a re-ask goes first for budget)."""

    def __init__(self) -> None:
        super().__init__()
        self.follow_ups: list[bool] = []

    async def acquire(self, prompt_tokens: int, output_tokens: int, *, follow_up: bool = False) -> Reservation:
        self.follow_ups.append(follow_up)
        return await super().acquire(prompt_tokens, output_tokens, follow_up=follow_up)


def test_a_re_ask_reserves_again_as_a_follow_up(server: FakeOpenAI) -> None:
    server.default = first_ask_is_invalid
    limits = RecordingLimits()
    report = generate(server, limits, concurrency=1, count=3)
    assert len(report.records) == 3 and limits.follow_ups == [False, True] * 3


def test_a_budget_too_small_for_one_request_sends_nothing(server: FakeOpenAI) -> None:
    report = generate(server, Limits(max_tokens=1))
    assert server.requests == [] and len(report.skipped) == len(TARGETS)


def test_max_requests_still_holds_at_high_concurrency(server: FakeOpenAI) -> None:
    report = generate(server, Limits(max_requests=10))
    assert len(server.requests) == report.usage.requests == 10
    assert len(report.records) == 10 and len(report.skipped) == len(TARGETS) - 10


def test_every_request_is_capped_at_the_budget_left(server: FakeOpenAI) -> None:
    report = generate(server, Limits(max_tokens=8000), concurrency=1, max_output_tokens=1024)
    caps = [r.body["max_completion_tokens"] for r in server.requests]
    assert caps[0] == 1024 and min(caps) < 1024  # the last ones got only what was left
    assert server.tokens <= 8000 and report.skipped


def ask(server: FakeOpenAI, count: int, **settings: object) -> list[object]:
    """Draft the first `count` targets one after the other with one provider; outcomes or errors."""
    options = Settings().replace(provider="openai", model="fake-model", base_url=server.url, max_retries=0,
                                 **settings)

    async def run() -> list[object]:
        provider = OpenAIProvider(options, Limits())
        outcomes: list[object] = []
        for target in TARGETS[:count]:
            try:
                outcomes.append(await provider.generate(target, TargetContext(), lambda d, t=target: validate(d, t)))
            except GenerationError as exc:
                outcomes.append(exc)
        await provider.aclose()
        return outcomes

    return run_sync(run)


def test_every_request_carries_the_output_cap(server: FakeOpenAI) -> None:
    ask(server, 1)
    ask(server, 1, max_output_tokens=300)
    assert [r.body.get("max_completion_tokens") for r in server.requests] == [1024, 300]
    assert not any("max_tokens" in r.body for r in server.requests)
    for bad in (0, -5, 1.5, True):
        with pytest.raises(SettingsError, match="max_output_tokens"):
            Settings().replace(max_output_tokens=bad)


@pytest.mark.parametrize("rejection", [
    Reply(status=400, error="Unrecognized request argument supplied: max_completion_tokens"),  # Azure before 2024-09
    Reply(status=422, raw=json.dumps({"detail": [{"type": "extra_forbidden", "loc": ["body", "max_completion_tokens"],
                                                  "msg": "Extra inputs are not permitted", "input": 1024}]})),
])
def test_a_server_rejecting_max_completion_tokens_gets_max_tokens(server: FakeOpenAI, rejection: Reply,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    server.script(rejection)
    with caplog.at_level(logging.INFO, logger="docgap"):
        outcomes = ask(server, 2)
    assert [type(o).__name__ for o in outcomes] == ["Generation", "Generation"]
    assert [sorted(k for k in r.body if k.startswith("max_")) for r in server.requests] == [
        ["max_completion_tokens"], ["max_tokens"], ["max_tokens"]]
    assert server.requests[1].body["max_tokens"] == 1024
    assert caplog.text.count("does not accept max_completion_tokens") == 1


def test_a_server_ignoring_max_completion_tokens_gets_max_tokens(server: FakeOpenAI,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    server.caps = ("max_tokens",)  # as Ollama: max_completion_tokens is accepted and not applied
    with caplog.at_level(logging.INFO, logger="docgap"):
        first, second = ask(server, 2, max_output_tokens=20, max_attempts=1)
    assert type(first).__name__ == "Generation"  # the answer was longer than the cap asked for
    assert "ignored max_completion_tokens" in caplog.text
    assert server.requests[1].body["max_tokens"] == 20 and "max_completion_tokens" not in server.requests[1].body
    assert isinstance(second, GenerationError) and "cut off" in second.reason  # now the cap holds


@pytest.mark.slow
def test_fill_with_a_budget_reports_what_was_left(tmp_path: Path) -> None:
    project = synthetic_project(tmp_path, 64, concurrency=32)
    with FakeOpenAI(latency=0.02) as server:
        env = model_env(server.url)

        def fill(budget: str) -> dict:
            proc = subprocess.run([str(BIN / "docgap"), "fill", "--provider", "openai", "--model", "fake-model",
                                   "--max-tokens", budget, "--json"], cwd=project, env=env, capture_output=True,
                                  text=True, timeout=300)
            assert proc.returncode == 0, proc.stderr
            return json.loads(proc.stdout)

        nothing = fill("1")
        assert server.requests == [] and len(nothing["skipped"]) == 64 and nothing["requests"] == 0
        some = fill("5000")
        assert 0 < server.tokens <= 5000
        assert some["input_tokens"] + some["output_tokens"] == server.tokens
        assert some["generated"] > 0 and some["generated"] + len(some["skipped"]) == 64
