"""What one Sphinx build knows about docgap: settings, resolved drafts and their rendering."""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import weakref
from dataclasses import dataclass, field
from typing import Any

from sphinx.environment import BuildEnvironment

from docgap.drafts import Resolved
from docgap.pipeline import Fill
from docgap.render import render
from docgap.settings import Settings
from docgap.targets import Target

REPORT = "*report*"
"""The entry a document that shows `.. docgap-report::` records instead of an object path."""

_STATES: weakref.WeakKeyDictionary[BuildEnvironment, BuildState] = weakref.WeakKeyDictionary()


def state_of(env: BuildEnvironment) -> BuildState | None:
    """The build's docgap state (`None` before `builder-inited` or after a failed start)."""
    return _STATES.get(env)


def set_state(env: BuildEnvironment, state: BuildState) -> None:
    """Make `state` the docgap state of the build `env` belongs to."""
    _STATES[env] = state


@dataclass
class BuildState:
    """The precomputed drafts autodoc reads from (forked `-j` workers inherit it).

    Attributes:
        settings: The run's settings.
        fill: The pipeline's outcome.
        unfilled: Objects left without a draft (frozen, failed, over budget), by path and alias.
    """

    settings: Settings
    fill: Fill
    unfilled: dict[str, Target] = field(default_factory=dict)

    def __post_init__(self) -> None:
        resolved = self.fill.resolved
        for target in self.fill.scan.targets:
            if target.path not in resolved:
                self.unfilled.update(dict.fromkeys((target.path, *target.aliases), target))
        self._lines: dict[str, list[str]] = {}
        self._keys: dict[str, str] = {}

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
            text = render(draft, resolved.target, self.settings.style, markup="rest")
            self._lines[path] = [*text.split("\n"), ""]
        return list(self._lines[path])

    def shown_key(self, path: str) -> str:
        """A digest of what a document shows for `path`: `""` when it has no draft.

        It covers the draft itself, who wrote it and how it is rendered, so a document is read
        again when a draft is regenerated or upgraded even though the source did not change.
        """
        if path not in self._keys:
            resolved = self.fill.resolved.get(path)
            self._keys[path] = "" if resolved is None else _digest(
                resolved.target.key, resolved.record.provider, resolved.record.model,
                resolved.record.draft.to_json(), self.settings.style,
                self.settings.label_ai, self.settings.label_signature,
            )
        return self._keys[path]

    def report_key(self) -> str:
        """A digest of everything `.. docgap-report::` shows."""
        if REPORT not in self._keys:
            rows = [(p, r.target.kind, r.record.provider, r.record.model) for p, r in sorted(self.fill.resolved.items())]
            self._keys[REPORT] = _digest(rows, self.fill.undocumented)
        return self._keys[REPORT]

    def attributes(self, path: str) -> dict[str, str] | None:
        """Node attributes for the block of `path`."""
        resolved = self.fill.resolved.get(path)
        if resolved is None:
            return None
        record = resolved.record
        return {"provider": record.provider, "model": record.model or "",
                "label": record.label(self.settings.label_ai, self.settings.label_signature), "title": record.credit}


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
