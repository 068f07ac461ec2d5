"""What the MkDocs plugin hands to the griffe extension for one build, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docgap.hosting import Session
    from docgap.mkdocs.site import SiteFill


@dataclass
class BuildState:
    """The session of the current build, what its pages show, and what to watch.

    Attributes:
        session: The build's session, made by the plugin (one fill: what the site shows).
        site: The objects needing a draft and the pages that show them.
        sources: The file or directory of each package filled, for `mkdocs serve` to watch.
    """

    session: Session
    site: SiteFill
    sources: list[Path] = field(default_factory=list)


_current: BuildState | None = None


def begin_build(session: Session, site: SiteFill) -> BuildState:
    """Start a build (the plugin calls this from `on_config`), dropping any earlier build's state.

    Args:
        session: The build's session.
        site: What the build's pages show, on that session.

    Returns:
        The new state.
    """
    global _current
    _current = BuildState(session, site)
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
