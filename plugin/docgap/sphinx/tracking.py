"""Which drafts each document shows: marking them on read, and re-reading when they change.

Per document, the environment keeps `{shown name: (canonical path, shown key)}`. The shown key is
`""` for an object the document shows without a draft, so the document is read again once a draft
exists; the report directive records `(REPORT, report key)`.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from docgap.sphinx.nodes import wrap_generated
from docgap.sphinx.state import REPORT, state_of

Shown = dict[str, tuple[str, str]]
"""What one document shows: autodoc name → (canonical path, shown key)."""


def note(env: BuildEnvironment, name: str, path: str, key: str) -> None:
    """Record that the document being read shows `name` (the object at `path`) with `key`."""
    _shown(env).setdefault(env.docname, {})[name] = (path, key)


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
    """Documents showing a draft that changed since they were read (and only those)."""
    state = state_of(env)
    if state is None:
        return []
    outdated = []
    for docname, shown in _shown(env).items():
        if docname in removed:
            continue
        for path, key in shown.values():
            if key != (state.report_key() if path == REPORT else state.shown_key(path)):
                outdated.append(docname)
                break
    return outdated


def on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    """Forget what a document showed before it is read again."""
    _shown(env).pop(docname, None)


def on_env_merge_info(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    """Take what `-j` workers recorded for the documents they read."""
    _shown(env).update({d: s for d, s in _shown(other).items() if d in docnames})


def _shown(env: BuildEnvironment) -> dict[str, Shown]:
    if not hasattr(env, "docgap_shown"):
        env.docgap_shown = {}  # type: ignore[attr-defined]
    return env.docgap_shown  # type: ignore[attr-defined]
