"""What one Sphinx build knows about docgap: settings, resolved drafts and their rendering."""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment

    from docgap.drafts import Resolved
    from docgap.hosting import Session
    from docgap.outcome import Fill
    from docgap.settings import Settings
    from docgap.targets import Target

REPORT = "*report*"
"""The entry a document that shows `.. docgap-report::` records instead of an object path."""

WAITING = ".. docgap: no draft yet for "
"""The analyzer entry of an attribute whose draft is not made yet: a reST comment, never shown."""

_STATES: weakref.WeakKeyDictionary[BuildEnvironment, BuildState] = weakref.WeakKeyDictionary()
_DEFERRED: weakref.WeakKeyDictionary[BuildEnvironment, Callable[[], None]] = weakref.WeakKeyDictionary()


def state_of(env: BuildEnvironment) -> BuildState | None:
    """The build's docgap state (`None` before `builder-inited` or after a failed start).

    A start `defer`red because nothing changed since the last build is made now: something
    (a document read, a report written) needs the drafts after all.
    """
    if (start := _DEFERRED.pop(env, None)) is not None:
        start()
    return _STATES.get(env)


def set_state(env: BuildEnvironment, state: BuildState) -> None:
    """Make `state` the docgap state of the build `env` belongs to."""
    _STATES[env] = state


def defer(env: BuildEnvironment, start: Callable[[], None]) -> None:
    """Put off the build's start (scan, lookup, `set_state`) until `state_of` is first asked."""
    _DEFERRED[env] = start


def deferred(env: BuildEnvironment) -> bool:
    """Whether the build's start is still put off: nothing has needed the drafts so far."""
    return env in _DEFERRED


def drop_deferred(env: BuildEnvironment) -> None:
    """Forget a start still put off: the build is over (the start holds the application)."""
    _DEFERRED.pop(env, None)


@dataclass
class BuildState:
    """What autodoc's events read from while documents are read (forked `-j` workers inherit it).

    Attributes:
        session: The build's docgap session (settings, badges).
        fill: The drafts at hand: found in the lockfile or cache, then the ones generated after reading.
        pending: Canonical paths of the misses a provider may still draft in this build (none when
            frozen): a document showing one wants it, and is read again once the batch is drafted.
        unfilled: Objects without a draft (yet), by path and alias.
        inputs: What the lookup read besides the sources and the cache, as it was before
            (`unchanged.inputs`), for the build's stamp.
        read: Whether Sphinx reads documents in this build.
    """

    session: Session
    fill: Fill
    pending: set[str] = field(default_factory=set)
    unfilled: dict[str, Target] = field(default_factory=dict)
    inputs: str = ""
    read: bool = False

    def __post_init__(self) -> None:
        self._lines: dict[str, list[str]] = {}
        self._keys: dict[str, str] = {}
        self._index()

    def _index(self) -> None:
        resolved = self.fill.resolved
        self.unfilled = {}
        for target in self.fill.scan.targets:
            if target.path not in resolved:
                self.unfilled.update(dict.fromkeys((target.path, *target.aliases), target))
        self.pending &= {t.path for t in self.unfilled.values()}

    def drafted(self, fill: Fill, attempted: set[str]) -> None:
        """Take the outcome of generating `attempted`: they are no longer pending, drafted or not."""
        self.fill = fill
        self.pending -= attempted
        for path in attempted:
            self._keys.pop(path, None)
            self._lines.pop(path, None)
        self._index()

    def target(self, name: str, obj: Any = None) -> Target | None:
        """The object without a draft an autodoc name (or the live object) stands for, if any."""
        found = self.unfilled.get(name)
        if found is None and obj is not None:
            found = self.unfilled.get(canonical_path(obj) or "")
        return found

    def entry_of_docgap(self, path: str, lines: list[str]) -> bool:
        """Whether `lines` are the analyzer entry docgap gave the attribute at `path`."""
        resolved = self.fill.resolved.get(path)
        if not lines:
            return False
        return lines[0].startswith(WAITING) or (resolved is not None and lines == self.lines(resolved))

    @property
    def settings(self) -> Settings:
        """The build's settings."""
        return self.session.settings

    def lookup(self, name: str, obj: Any = None) -> Resolved | None:
        """The draft for an autodoc name, or for the live object's canonical path."""
        found = self.fill.lookup(name)
        return found if found is not None or obj is None else self.lookup_object(obj)

    def lookup_object(self, obj: Any) -> Resolved | None:
        """The draft of a live object by its canonical path (re-exports, inherited members)."""
        canonical = canonical_path(obj)
        return self.fill.lookup(canonical) if canonical else None

    def lines(self, resolved: Resolved) -> list[str]:
        """The docstring lines autodoc gets: the rendered draft (marked later, in the doctree).

        A class draft is rendered without its attribute list: autodoc documents each attribute as
        a member with its own draft, and napoleon would turn the list into a second description
        of every attribute.
        """
        path = resolved.target.path
        if path not in self._lines:
            draft = dataclasses.replace(resolved.record.draft, attributes={})
            from docgap.render import render  # not at start-up: a no-op rebuild renders nothing

            text = render(draft, resolved.target, self.settings.style, markup="rest")
            self._lines[path] = [*text.split("\n"), ""]
        return list(self._lines[path])

    def shown_key(self, path: str) -> str:
        """A digest of what a document shows for `path`: `""` when it has no draft.

        It covers the draft itself, who wrote it and reviewed it, and how it is rendered, so a
        document is read again when a draft is regenerated, upgraded or reviewed (`docgap review`
        rewrites the lockfile) even though the source did not change.
        """
        if path not in self._keys:
            resolved = self.fill.resolved.get(path)
            review = resolved.review if resolved is not None else None
            self._keys[path] = "" if resolved is None else _digest(
                resolved.target.key, resolved.record.provider, resolved.record.model,
                resolved.record.draft.to_json(), self.settings.style,
                self.settings.label_ai, self.settings.label_signature,
                review and review.to_json(), review and self.settings.label_reviewed,
            )
        return self._keys[path]

    def attributes(self, path: str) -> dict[str, str] | None:
        """Node attributes for the block of `path`."""
        resolved = self.fill.resolved.get(path)
        if resolved is None:
            return None
        badge = self.session.badge(resolved.record, resolved.review)
        return {"provider": badge.provider, "model": badge.model, "label": badge.label, "title": badge.title,
                "review": badge.review}


def canonical_path(obj: Any) -> str | None:
    """Module plus qualified name of a live object (functions, classes, properties, enum members)."""
    if isinstance(obj, enum.Enum):
        cls = type(obj)
        return f"{cls.__module__}.{cls.__qualname__}.{obj.name}"
    for attribute in ("fget", "func", "__func__", "__wrapped__"):
        inner = getattr(obj, attribute, None)
        if inner is not None and not isinstance(obj, functools.partial):
            obj = inner
            break
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str) and "<locals>" not in qualname:
        return f"{module}.{qualname}"
    return None


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]
