"""What the engine's report says: who made each record, which keys were left, what a claim returned, how long.

Written from the mutants `bench/mutation.sh` showed surviving in `docgap.engine`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator

from test_engine import CountingProvider, jobs, run

from docgap.drafts import Draft, Record, Usage
from docgap.limits import Limits
from docgap.targets import Target


def test_records_name_the_provider_model_and_usage() -> None:
    report = run(CountingProvider(), jobs(2))
    assert report.records["k0"] == Record(Draft(summary="Do f0."), provider="counting", model="m",
                                          usage=Usage(1, 10, 5, 0), attempts=1, created=report.records["k0"].created)


def test_the_keys_left_for_later_are_the_ones_not_generated() -> None:
    provider = CountingProvider(limits=Limits(max_requests=3))
    report = run(provider, jobs(10), concurrency=1)
    assert len(report.records) == 3
    assert sorted(report.skipped) == sorted({f"k{i}" for i in range(10)} - set(report.records))


def test_a_record_another_run_made_during_the_claim_is_used_not_generated() -> None:
    stored = Record(Draft(summary="Made elsewhere."), provider="other", model="x")

    @contextlib.asynccontextmanager
    async def claim(target: Target) -> AsyncIterator[Record | None]:
        yield stored if target.key == "k1" else None

    provider = CountingProvider()
    report = run(provider, jobs(3), claim=claim)
    assert report.stored == {"k1": stored} and set(report.records) == {"k0", "k2"}
    assert sorted(provider.calls) == ["p.f0", "p.f2"]


def test_seconds_is_the_wall_time_of_the_run() -> None:
    before = time.perf_counter()
    report = run(CountingProvider(), jobs(2))
    assert 0 < report.seconds <= time.perf_counter() - before
