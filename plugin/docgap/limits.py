"""Rate limits and the per-run budget, shared by every request of a run.

The token budget is hard: each request reserves its worst case (a bound on its prompt plus the
output cap it is sent with) before it starts, and gives back what it did not use when its answer
says what it cost. A request whose worst case could overrun the budget never starts.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from docgap.drafts import Usage
from docgap.errors import BudgetExhausted
from docgap.settings import Settings

if TYPE_CHECKING:
    import asyncio  # imported when a request waits: a run that sends none never loads asyncio

_WINDOW = 60.0
_MIN_OUTPUT = 256
"""A request is not started with an output cap below this (or below the cap asked for, if smaller):
an answer cut that short is no draft, only spent tokens."""


@dataclass
class Reservation:
    """Tokens set aside for one request until its answer says what it cost.

    Attributes:
        prompt_tokens: The bound on the request's prompt tokens.
        output_tokens: The output cap the request must be sent with.
    """

    prompt_tokens: int
    output_tokens: int
    _entry: list[float] = field(default_factory=list, repr=False)
    _open: bool = field(default=True, repr=False)

    @property
    def tokens(self) -> int:
        """The worst case of the request: prompt bound plus output cap."""
        return self.prompt_tokens + self.output_tokens


class Limits:
    """Requests-per-minute and tokens-per-minute windows, and a request/token budget.

    Args:
        requests_per_minute: At most this many requests start in any 60 s window.
        tokens_per_minute: At most this many tokens are used in any 60 s window (a request in
            flight counts with its reservation, an answered one with what it cost).
        max_requests: Requests allowed in the whole run.
        max_tokens: Tokens (in + out) allowed in the whole run, reserved before each request.
        clock: Seconds of a monotonic clock.
        sleep: Waits that many seconds (`asyncio.sleep` by default).
    """

    def __init__(
        self,
        *,
        requests_per_minute: int | None = None,
        tokens_per_minute: int | None = None,
        max_requests: int | None = None,
        max_tokens: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.max_requests = max_requests
        self.max_tokens = max_tokens
        self.spent = Usage()
        self._clock = clock
        self._sleep = sleep or _sleep
        self._started = 0
        self._reserved = 0  # worst cases of the requests in flight
        self._unknown = 0  # reservations of requests whose answer was lost: they may have been billed
        self._window: deque[list[float]] = deque()  # [start time, tokens] per request
        self._mutex: asyncio.Lock | None = None
        self._event: asyncio.Event | None = None  # replaced each time it fires: waiters hold the one they saw
        self._follow_ups = 0  # re-asks waiting for budget: they go before new targets

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """Build the limits a run's settings ask for."""
        return cls(
            requests_per_minute=settings.requests_per_minute,
            tokens_per_minute=settings.tokens_per_minute,
            max_requests=settings.max_requests,
            max_tokens=settings.max_tokens,
        )

    @property
    def exhausted(self) -> bool:
        """Whether the budget is spent: no further request may start."""
        if self.max_requests is not None and self._started >= self.max_requests:
            return True
        return self.max_tokens is not None and self._committed >= self.max_tokens

    async def acquire(self, prompt_tokens: int, output_tokens: int, *, follow_up: bool = False) -> Reservation:
        """Wait until a request may start, reserve its worst case and count it as started.

        While requests in flight hold the budget a new request needs, this waits for their
        answers (which give back what they did not use). Follow-ups (re-asks of a target already
        started) waiting for budget go before first requests of new targets, so that a tight
        budget finishes drafts rather than starting ones it cannot finish.

        Args:
            prompt_tokens: An upper bound on the request's prompt tokens.
            output_tokens: The output cap wanted; the reservation's cap is smaller when only
                that much budget is left.
            follow_up: Whether the request continues a target whose first request was answered.

        Returns:
            The reservation, to `settle` when the request ends, however it ends.

        Raises:
            BudgetExhausted: When the request could overrun the run's budget even once every
                request in flight has ended.
        """
        waiting = False
        try:
            while True:
                async with self._lock:
                    cap = None if self._follow_ups and not follow_up else self._output_cap(prompt_tokens, output_tokens)
                    if cap is not None:
                        delay = self._delay(prompt_tokens + cap)
                        if delay <= 0:
                            return self._reserve(prompt_tokens, cap)
                        await self._sleep(delay)
                        continue
                    if follow_up and not waiting:
                        waiting, self._follow_ups = True, self._follow_ups + 1
                    changed = self._changed
                await changed.wait()
        finally:
            if waiting:
                self._follow_ups -= 1
                self._fire()

    def settle(self, reservation: Reservation, usage: Usage, *, measured: bool = True) -> None:
        """End a reservation with what the request really cost (every request, answered or not).

        Args:
            reservation: What `acquire` returned.
            usage: What the answer says the request cost; `Usage()` for an error answer, which
                costs nothing.
            measured: `False` when the cost is unknown (no answer came, or one without usage):
                the service may have billed it, so the whole reservation stays counted against
                the budget.
        """
        if not reservation._open:
            return
        reservation._open = False
        self._reserved -= reservation.tokens
        self.spent += usage
        if measured:
            reservation._entry[1] = usage.input_tokens + usage.output_tokens
        else:
            self._unknown += reservation.tokens
        self._fire()

    def _reserve(self, prompt_tokens: int, output_tokens: int) -> Reservation:
        reservation = Reservation(prompt_tokens, output_tokens, [self._clock(), prompt_tokens + output_tokens])
        self._started += 1
        self._reserved += reservation.tokens
        self._window.append(reservation._entry)
        return reservation

    def _fire(self) -> None:
        """Wake every request waiting for the budget to change (the next waiter gets a new event)."""
        if self._event is not None:
            self._event.set()
            self._event = None

    @property
    def _lock(self) -> asyncio.Lock:
        if self._mutex is None:
            import asyncio

            self._mutex = asyncio.Lock()
        return self._mutex

    @property
    def _changed(self) -> asyncio.Event:
        if self._event is None:
            import asyncio

            self._event = asyncio.Event()
        return self._event

    @property
    def _committed(self) -> int:
        return self.spent.input_tokens + self.spent.output_tokens + self._unknown

    def _output_cap(self, prompt_tokens: int, output_tokens: int) -> int | None:
        """The output cap a request may have now; `None` when it must wait for requests in flight."""
        if self.max_requests is not None and self._started >= self.max_requests:
            raise BudgetExhausted("the run's request budget is spent")
        if self.max_tokens is None:
            return output_tokens
        least = min(output_tokens, _MIN_OUTPUT)
        room = self.max_tokens - self._committed - prompt_tokens
        if room < least:
            raise BudgetExhausted(f"the run's token budget ({self.max_tokens}) has no room for another request")
        room -= self._reserved
        return min(output_tokens, room) if room >= least else None

    def _delay(self, tokens: int) -> float:
        now = self._clock()
        while self._window and now - self._window[0][0] >= _WINDOW:
            self._window.popleft()
        waits = [0.0]
        if self.requests_per_minute and len(self._window) >= self.requests_per_minute:
            waits.append(self._window[0][0] + _WINDOW - now)
        if self.tokens_per_minute and self._window:
            used = sum(t for _, t in self._window)
            if used + tokens > self.tokens_per_minute:
                waits.append(self._window[0][0] + _WINDOW - now)
        return max(waits)


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)
