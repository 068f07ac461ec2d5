"""Rate limits and the per-run budget, shared by every request of a run."""

from __future__ import annotations

import asyncio
import time
from collections import deque

from docgap.drafts import Usage
from docgap.errors import BudgetExhausted
from docgap.settings import Settings

_WINDOW = 60.0


class Limits:
    """Requests-per-minute and tokens-per-minute windows, and a request/token budget.

    Args:
        requests_per_minute: At most this many requests start in any 60 s window.
        tokens_per_minute: At most this many (estimated) tokens are sent in any 60 s window.
        max_requests: Requests allowed in the whole run.
        max_tokens: Tokens (in + out) allowed in the whole run.
    """

    def __init__(
        self,
        *,
        requests_per_minute: int | None = None,
        tokens_per_minute: int | None = None,
        max_requests: int | None = None,
        max_tokens: int | None = None,
    ) -> None:
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.max_requests = max_requests
        self.max_tokens = max_tokens
        self.spent = Usage()
        self._started = 0
        self._window: deque[tuple[float, int]] = deque()
        self._lock = asyncio.Lock()

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
        return self.max_tokens is not None and self.spent.input_tokens + self.spent.output_tokens >= self.max_tokens

    async def acquire(self, estimated_tokens: int) -> None:
        """Wait until a request of about `estimated_tokens` may start, and count it as started.

        Raises:
            BudgetExhausted: When the run's budget is spent.
        """
        async with self._lock:
            while True:
                if self.exhausted:
                    raise BudgetExhausted("the run's request or token budget is spent")
                delay = self._delay(estimated_tokens)
                if delay <= 0:
                    break
                await asyncio.sleep(delay)
            self._started += 1
            self._window.append((time.monotonic(), estimated_tokens))

    def record(self, usage: Usage) -> None:
        """Add what a finished request really cost (every answer, whether it gave a draft or not)."""
        self.spent += usage

    def _delay(self, tokens: int) -> float:
        now = time.monotonic()
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
