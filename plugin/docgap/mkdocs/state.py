"""What the MkDocs plugin hands to the griffe extension for one build, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docgap.pipeline import Fill
from docgap.settings import Settings


@dataclass
class BuildState:
    """Settings of the current build and the outcome of every package filled in it.

    Attributes:
        settings: The build's settings, made by the plugin.
        fills: One `Fill` per package griffe loaded and docgap filled.
        sources: The file or directory of each package filled, for `mkdocs serve` to watch.
    """

    settings: Settings
    fills: list[Fill] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)


_current: BuildState | None = None


def begin_build(settings: Settings) -> BuildState:
    """Start a build (the plugin calls this from `on_config`), dropping any earlier build's state.

    Args:
        settings: The build's settings.

    Returns:
        The new state.
    """
    global _current
    _current = BuildState(settings)
    return _current


def current_build() -> BuildState | None:
    """The build the plugin started, or `None` when the extension runs without the plugin."""
    return _current


def end_build() -> BuildState | None:
    """Finish the build and forget its state (the plugin calls this after the build).

    Returns:
        The state of the build that ended, if one was running.
    """
    global _current
    state, _current = _current, None
    return state
