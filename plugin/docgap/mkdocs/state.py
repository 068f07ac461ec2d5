"""What the MkDocs plugin hands to the griffe extension for one build, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docgap.pipeline import Fill
from docgap.settings import Settings, load_settings


@dataclass
class BuildState:
    """Settings of the current build and the outcome of every package filled in it.

    Attributes:
        settings: The build's settings (set by the plugin, or read from pyproject.toml).
        fills: One `Fill` per package griffe loaded.
    """

    settings: Settings
    fills: list[Fill] = field(default_factory=list)


_current: BuildState | None = None


def begin_build(settings: Settings) -> BuildState:
    """Start a build: the plugin calls this from `on_config`."""
    global _current
    _current = BuildState(settings)
    return _current


def current_build(start: Path | None = None) -> BuildState:
    """The running build; without the plugin, settings come from the nearest `[tool.docgap]`."""
    global _current
    if _current is None:
        _current = BuildState(load_settings(start=start or Path.cwd()))
    return _current


def end_build() -> BuildState | None:
    """Finish the build and forget its state (the plugin calls this after the build)."""
    global _current
    state, _current = _current, None
    return state
