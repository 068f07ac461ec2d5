"""Rate limits and the hard token budget, on a clock of the test's own (no real waiting)."""

from __future__ import annotations

import asyncio

import pytest

from docgap.drafts import Usage
from docgap.errors import BudgetExhausted
from docgap.limits import Limits
from docgap.settings import Settings


class Clock:
    """A monotonic clock that moves only when `sleep` is awaited; records every wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def limits(clock: Clock, **kw: int) -> Limits:
    return Limits(clock=clock, sleep=clock.sleep, **kw)


def test_requests_per_minute_waits_for_the_window() -> None:
    clock = Clock()

    async def run() -> None:
        rate = limits(clock, requests_per_minute=2)
        await rate.acquire(10, 10)
        clock.now += 15
        await rate.acquire(10, 10)
        assert clock.waits == []
        await rate.acquire(10, 10)

    asyncio.run(run())
    assert clock.waits == [45.0]  # until the first request leaves the 60 s window


def test_tokens_per_minute_waits_for_the_window() -> None:
    clock = Clock()

    async def run() -> None:
        rate = limits(clock, tokens_per_minute=1000)
        await rate.acquire(500, 300)
        clock.now += 10
        assert clock.waits == []
        await rate.acquire(100, 300)  # 800 + 400 > 1000 in the window

    asyncio.run(run())
    assert clock.waits == [50.0]


def test_tokens_per_minute_counts_an_answered_request_at_its_real_cost() -> None:
    clock = Clock()

    async def run() -> None:
        rate = limits(clock, tokens_per_minute=1000)
        first = await rate.acquire(500, 300)
        rate.settle(first, Usage(1, 150, 50, 0))
        await rate.acquire(400, 300)  # 200 + 700 fits
        assert clock.waits == []
        await rate.acquire(50, 100)  # 900 + 150 does not

    asyncio.run(run())
    assert clock.waits == [60.0]


def test_a_reservation_gets_at_most_the_budget_left_as_its_output_cap() -> None:
    async def run() -> list[int]:
        budget = Limits(max_tokens=2000)
        first = await budget.acquire(300, 1024)
        second = await budget.acquire(300, 1024)  # 2000 - 1324 - 300 = 376 left for its output
        return [first.output_tokens, second.output_tokens]

    assert asyncio.run(run()) == [1024, 376]


def test_a_request_waits_for_requests_in_flight_then_gets_what_they_gave_back() -> None:
    async def run() -> None:
        budget = Limits(max_tokens=2000)
        first = await budget.acquire(300, 1024)
        second = await budget.acquire(300, 376)
        waiting = asyncio.create_task(budget.acquire(200, 1024))
        for _ in range(5):
            await asyncio.sleep(0)
        assert not waiting.done()  # the budget is all reserved
        budget.settle(first, Usage(1, 120, 80, 0))
        third = await waiting
        assert third.output_tokens == 2000 - 200 - 676 - 200  # what first really cost, second's worst case
        budget.settle(second, Usage(1, 100, 50, 0))
        budget.settle(third, Usage(1, 100, 50, 0))
        assert budget.spent == Usage(3, 320, 180, 0)

    asyncio.run(run())


def test_a_request_that_could_overrun_the_budget_never_starts() -> None:
    async def run() -> None:
        budget = Limits(max_tokens=1)
        with pytest.raises(BudgetExhausted, match="token budget"):
            await budget.acquire(40, 1024)
        small = Limits(max_tokens=500)
        with pytest.raises(BudgetExhausted):
            await small.acquire(300, 1024)  # 200 left: too little for a useful answer
        assert (await small.acquire(300, 100)).output_tokens == 100  # a small cap asked for fits
        assert budget.spent == small.spent == Usage()

    asyncio.run(run())


def test_a_lost_answer_keeps_its_reservation_counted() -> None:
    async def run() -> None:
        budget = Limits(max_tokens=3000)
        lost = await budget.acquire(1000, 1024)
        budget.settle(lost, Usage(), measured=False)  # a timeout: the service may have billed it
        with pytest.raises(BudgetExhausted):
            await budget.acquire(1000, 1024)
        refused = Limits(max_tokens=3000)
        budget_error = await refused.acquire(1000, 1024)
        refused.settle(budget_error, Usage())  # an error answer costs nothing
        await refused.acquire(1000, 1024)

    asyncio.run(run())


def test_max_requests_holds() -> None:
    async def run() -> None:
        budget = Limits(max_requests=2)
        for _ in range(2):
            budget.settle(await budget.acquire(10, 10), Usage(1, 5, 5, 0))
        assert budget.exhausted
        with pytest.raises(BudgetExhausted, match="request budget"):
            await budget.acquire(10, 10)

    asyncio.run(run())


def test_a_waiting_re_ask_goes_before_new_targets() -> None:
    async def run() -> None:
        budget = Limits(max_tokens=3000)
        first = await budget.acquire(1000, 1024)
        reask = asyncio.create_task(budget.acquire(1000, 1024, follow_up=True))  # must wait for `first`
        for _ in range(3):
            await asyncio.sleep(0)
        new = asyncio.create_task(budget.acquire(500, 256))  # would fit now, but would starve the re-ask
        for _ in range(3):
            await asyncio.sleep(0)
        assert not reask.done() and not new.done()
        budget.settle(first, Usage(1, 300, 100, 0))
        assert (await reask).output_tokens == 1024
        for _ in range(3):
            await asyncio.sleep(0)
        assert not new.done()  # 3000 - 400 spent - 2024 reserved leaves too little
        budget.settle(reask.result(), Usage(1, 300, 100, 0))
        assert (await new).output_tokens == 256

    asyncio.run(run())


def test_from_settings_carries_every_limit() -> None:
    settings = Settings().replace(requests_per_minute=7, tokens_per_minute=9000, max_requests=3, max_tokens=5000)
    built = Limits.from_settings(settings)
    assert (built.requests_per_minute, built.tokens_per_minute, built.max_requests, built.max_tokens) == (7, 9000, 3,
                                                                                                          5000)


def test_the_default_sleep_really_waits_out_the_window() -> None:
    """Without a `sleep` of its own, a request waits with asyncio's (here for 10 ms of a scripted clock)."""
    times = iter([0.0, 0.0, 59.99])

    async def run() -> list[int]:
        rate = Limits(requests_per_minute=1, clock=lambda: next(times, 60.0))
        return [(await rate.acquire(10, 10)).tokens for _ in range(2)]

    assert asyncio.run(run()) == [20, 20]
    assert next(times, None) is None  # the clock was read again after the wait


def test_settling_a_reservation_twice_counts_it_once() -> None:
    async def run() -> None:
        budget = Limits(max_tokens=5000)
        first = await budget.acquire(1000, 1000)
        for _ in range(2):
            budget.settle(first, Usage(1, 300, 100, 0))
        assert budget.spent == Usage(1, 300, 100, 0)
        assert (await budget.acquire(1000, 10_000)).output_tokens == 5000 - 400 - 1000

    asyncio.run(run())


def test_every_lost_answer_stays_counted() -> None:
    async def run() -> None:
        budget = Limits(max_tokens=5000)
        for _ in range(2):
            budget.settle(await budget.acquire(1000, 1000), Usage(), measured=False)
        assert (await budget.acquire(300, 10_000)).output_tokens == 5000 - 4000 - 300

    asyncio.run(run())


def test_tokens_per_minute_allows_exactly_the_limit() -> None:
    clock = Clock()

    async def run() -> None:
        rate = limits(clock, tokens_per_minute=1000)
        await rate.acquire(500, 300)
        await rate.acquire(100, 100)  # 800 + 200 = 1000: at the limit, not over it

    asyncio.run(run())
    assert clock.waits == []


def test_even_a_short_wait_for_the_window_is_waited_and_then_the_request_starts() -> None:
    clock = Clock()

    async def run() -> int:
        rate = limits(clock, requests_per_minute=1)
        await rate.acquire(10, 10)
        clock.now += 59.5
        return (await rate.acquire(10, 20)).tokens

    assert asyncio.run(run()) == 30
    assert clock.waits == [0.5]


def test_a_request_that_leaves_exactly_the_least_output_cap_starts() -> None:
    async def run() -> None:
        alone = Limits(max_tokens=1000)
        assert (await alone.acquire(744, 1024)).output_tokens == 256  # 1000 - 744: just enough
        shared = Limits(max_tokens=2000)
        await shared.acquire(500, 500)
        second = asyncio.create_task(shared.acquire(744, 1024))  # 2000 - 1000 in flight - 744 = 256
        for _ in range(3):
            await asyncio.sleep(0)
        assert second.done() and second.result().output_tokens == 256
        with pytest.raises(BudgetExhausted, match="^the run's request budget is spent$"):
            await Limits(max_requests=0).acquire(10, 10)

    asyncio.run(run())
