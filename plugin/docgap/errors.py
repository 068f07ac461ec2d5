"""The exceptions docgap raises, as a small hierarchy with actionable messages."""

from __future__ import annotations


class DocgapError(Exception):
    """Base class of every error docgap raises on purpose."""


class SettingsError(DocgapError):
    """A configuration value is unknown or invalid; the message names the key and the fix."""


class ProviderConfigError(DocgapError):
    """A provider cannot be built from the settings and environment (missing key, bad URL...)."""


class GenerationError(DocgapError):
    """A provider gave up on one target; the object stays undocumented.

    Args:
        reason: A one-line human-readable reason, safe to show (never contains a secret).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class LockfileError(DocgapError):
    """The lockfile cannot be read: malformed JSON or a schema version this docgap does not know."""


class StrictModeError(DocgapError):
    """`strict` is on and some objects were left undocumented or failed to generate."""


class BudgetExhausted(DocgapError):
    """The run's request or token budget is spent; remaining targets wait for a later run."""
