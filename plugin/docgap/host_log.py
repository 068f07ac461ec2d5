"""Core log records shown in a host's log, for the duration of a call only."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

HostLog = Callable[[int, str], None]
"""Where a host shows docgap's messages: called with a `logging` level and a text without prefix."""

_CORE = logging.getLogger("docgap")


class _Forward(logging.Handler):
    def __init__(self, log: HostLog) -> None:
        super().__init__(logging.INFO)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        self.log(record.levelno, record.getMessage().removeprefix("docgap: "))


@contextmanager
def forward_logs(log: HostLog) -> Iterator[None]:
    """Send the core's `docgap` log records to a host's log, only while the block runs.

    The core logger's level, propagation and handlers are as before once the block ends, so
    nothing of one build stays in the process (a live-reload server, a test run, a notebook).

    Args:
        log: The host's log.
    """
    handler = _Forward(log)
    level, propagate = _CORE.level, _CORE.propagate
    _CORE.addHandler(handler)
    _CORE.setLevel(logging.INFO)
    _CORE.propagate = False
    try:
        yield
    finally:
        _CORE.removeHandler(handler)
        _CORE.setLevel(level)
        _CORE.propagate = propagate


__all__ = ["HostLog", "forward_logs"]
