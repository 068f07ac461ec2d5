"""Which drafts each document shows: marking them on read, and re-reading when they change.

Per document, the environment keeps `{shown name: (canonical path, shown key)}`. The shown key is
`""` for an object the document shows without a draft, so the document is read again once a draft
exists; the report directive records `(REPORT, REPORT)`. It also keeps the paths of the members
a document hides only because they have no draft yet (`reveal`): they are shown once drafted.
What a document shows without a draft is what it wants drafted (`wanted`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docgap.sphinx.nodes import wrap_generated
from docgap.sphinx.state import REPORT, deferred, state_of

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

Shown = dict[str, tuple[str, str]]
"""What one document shows: autodoc name → (canonical path, shown key)."""


def note(env: BuildEnvironment, name: str, path: str, key: str) -> None:
    """Record that the document being read shows `name` (the object at `path`) with `key`."""
    _shown(env).setdefault(env.docname, {})[name] = (path, key)


def hide(env: BuildEnvironment, path: str) -> None:
    """Record that the document being read hides the object at `path` until it has a draft."""
    _hidden(env).setdefault(env.docname, set()).add(path)


def wanted(env: BuildEnvironment) -> dict[str, set[str]]:
    """Per document, the paths of the objects it shows, or would reveal, once they have a draft."""
    found = {docname: {path for path, key in shown.values() if not key and path != REPORT}
             for docname, shown in _shown(env).items()}
    for docname, paths in _hidden(env).items():
        found.setdefault(docname, set()).update(paths)
    return {docname: paths for docname, paths in found.items() if paths}


def documents_with(env: BuildEnvironment, name: str) -> list[str]:
    """The documents that recorded showing `name`."""
    return sorted(docname for docname, shown in _shown(env).items() if name in shown)


def shown_paths(env: BuildEnvironment) -> set[str]:
    """The canonical paths of every object the site shows, with a draft or without one."""
    return {path for shown in _shown(env).values() for path, _ in shown.values() if path != REPORT}


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Wrap each docstring docgap filled in this document in its marked block."""
    state = state_of(app.env)
    if state is None:
        return
    shown = _shown(app.env).get(app.env.docname, {})

    def attributes_for(name: str) -> dict[str, str] | None:
        path, key = shown.get(name, ("", ""))
        return state.attributes(path) if key else None

    wrap_generated(doctree, attributes_for)


def on_env_get_outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                        removed: set[str]) -> list[str]:
    """Documents showing a draft that changed since they were read, or an object it may get now.

    None when the lookup was put off: nothing it depends on changed since the last build.
    """
    if deferred(env):
        return []
    state = state_of(env)
    if state is None:
        return []
    outdated = set()
    for docname, shown in _shown(env).items():
        if any(path != REPORT and key != state.shown_key(path) for path, key in shown.values()):
            outdated.add(docname)
    for docname, paths in wanted(env).items():
        if any(path in state.pending or state.shown_key(path) for path in paths):
            outdated.add(docname)
    return sorted(outdated - removed)


def on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Forget what a document showed before it is read again."""
    _shown(env).pop(docname, None)
    _hidden(env).pop(docname, None)


def on_env_merge_info(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    """Take what `-j` workers recorded for the documents they read."""
    _shown(env).update({d: s for d, s in _shown(other).items() if d in docnames})
    _hidden(env).update({d: s for d, s in _hidden(other).items() if d in docnames})


def _shown(env: BuildEnvironment) -> dict[str, Shown]:
    if not hasattr(env, "docgap_shown"):
        env.docgap_shown = {}  # type: ignore[attr-defined]
    return env.docgap_shown  # type: ignore[attr-defined]


def _hidden(env: BuildEnvironment) -> dict[str, set[str]]:
    if not hasattr(env, "docgap_hidden"):
        env.docgap_hidden = {}  # type: ignore[attr-defined]
    return env.docgap_hidden  # type: ignore[attr-defined]
