"""Engine: bounded concurrency, dedupe of content keys, budget, failures isolated."""

from __future__ import annotations

import asyncio

from docgap.drafts import Draft, Usage
from docgap.engine import Job, generate_async, run_sync
from docgap.errors import GenerationError
from docgap.limits import Limits
from docgap.providers.base import Generation, TargetContext
from docgap.targets import Target


class CountingProvider:
    """A provider of the test's own (not an SDK stand-in) that records concurrency.

    Like a real provider, it reserves each request in the run's limits and settles it with its
    usage: one request per target, answered or not.
    """

    name = "counting"
    model = "m"

    def __init__(self, fail: set[str] = frozenset(), crash: set[str] = frozenset(),
                 limits: Limits | None = None) -> None:
        self.calls: list[str] = []
        self.running = 0
        self.peak = 0
        self.fail = fail
        self.crash = crash
        self.limits = limits or Limits()

    async def generate(self, target: Target, context: TargetContext, validate) -> Generation:
        self.calls.append(target.path)
        self.running += 1
        self.peak = max(self.peak, self.running)
        reservation = await self.limits.acquire(10, 5)
        await asyncio.sleep(0.01)
        self.limits.settle(reservation, Usage(1, 10, 5, 0))
        self.running -= 1
        if target.path in self.fail:
            raise GenerationError("refused")
        if target.path in self.crash:
            raise RuntimeError("secret-bearing message")
        return Generation(Draft(summary=f"Do {target.name}."), Usage(1, 10, 5, 0))

    async def aclose(self) -> None:
        pass


def jobs(n: int, *, same_key: bool = False) -> list[Job]:
    return [Job(Target(path=f"p.f{i}", kind="function", key="same" if same_key else f"k{i}"),
                TargetContext(), lambda data: []) for i in range(n)]


def run(provider: CountingProvider, job_list: list[Job], **kw: object):
    return run_sync(lambda: generate_async(job_list, provider, concurrency=kw.pop("concurrency", 4), **kw))


def test_concurrency_is_bounded_and_everything_runs() -> None:
    provider = CountingProvider()
    report = run(provider, jobs(20), concurrency=4)
    assert len(report.records) == 20
    assert provider.peak == 4
    assert report.usage == Usage(20, 200, 100, 0)


def test_identical_content_keys_are_generated_once() -> None:
    provider = CountingProvider()
    report = run(provider, jobs(5, same_key=True))
    assert provider.calls == ["p.f0"] and list(report.records) == ["same"]


def test_failures_and_crashes_are_isolated_and_reported() -> None:
    provider = CountingProvider(fail={"p.f1"}, crash={"p.f2"})
    report = run(provider, jobs(4))
    assert set(report.records) == {"k0", "k3"}
    assert report.failed["k1"] == "refused"
    assert "RuntimeError" in report.failed["k2"] and "secret" not in report.failed["k2"]


def test_usage_counts_the_requests_of_targets_that_failed() -> None:
    report = run(CountingProvider(fail={"p.f1", "p.f2"}), jobs(4))
    assert len(report.records) == 2 and len(report.failed) == 2
    assert report.usage == Usage(4, 40, 20, 0)


def test_usage_is_the_runs_own_when_limits_are_shared() -> None:
    limits = Limits()
    limits.settle(run_sync(lambda: limits.acquire(500, 50)), Usage(5, 500, 50, 0))  # before this run
    report = run(CountingProvider(limits=limits), jobs(2))
    assert report.usage == Usage(2, 20, 10, 0)


def test_budget_leaves_the_rest_for_later() -> None:
    report = run(CountingProvider(limits=Limits(max_requests=3)), jobs(10), concurrency=1)
    assert len(report.records) == 3
    assert len(report.skipped) == 7
    assert report.usage.requests == 3


def test_records_are_handed_over_as_they_are_made_and_progress_is_reported() -> None:
    saved: list[str] = []
    seen: list[tuple[int, int]] = []
    run(CountingProvider(), jobs(3), on_record=lambda t, r: saved.append(t.path), progress=lambda d, t: seen.append((d, t)))
    assert sorted(saved) == ["p.f0", "p.f1", "p.f2"]
    assert seen[-1] == (3, 3)


def test_run_sync_works_inside_a_running_loop() -> None:
    async def outer() -> int:
        return run_sync(lambda: asyncio.sleep(0, result=7))

    assert asyncio.run(outer()) == 7
