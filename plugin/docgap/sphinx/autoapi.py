"""sphinx-autoapi's side: drafts go into the objects it parsed, before it writes its pages.

`extensions = ["autoapi.extension", "docgap.sphinx"]` (either order). sphinx-autoapi reads the
source statically (astroid) in its `builder-inited` listener and writes a reST page per module
from its templates right there, so docgap resolves every draft first (its own `builder-inited`
listener runs at an earlier priority). autoapi fires `autodoc-process-docstring` only for objects
with a docstring, but it asks `autoapi-skip-member` about every object before writing a page:
that is where an object docgap resolved gets its draft, as if its source had the docstring. Its
ids are dotted import paths like autodoc's names, so `Fill.lookup` finds them, re-exports too.

The drafts are marked like autodoc's: on `doctree-read`, before docgap's own listener wraps the
docstrings it recorded, each object description of a filled object is recorded as showing its
draft (`tracking.note`), so the report, the badge and re-reading work as on an autodoc site.
With `autoapi_keep_files`, autoapi is made to read the source again when a draft changed, and a
site that names its code only in `autoapi_dirs` needs no `docgap_packages`.
"""

from __future__ import annotations

import hashlib
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes

from docgap.sphinx.nodes import docgap_generated
from docgap.sphinx.state import BuildState, state_of
from docgap.sphinx.tracking import note

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

    from docgap.drafts import Resolved

_CLASSES = frozenset({"class", "exception"})
"""autoapi object types whose docstring it may copy from a base class."""

_FILLED: weakref.WeakKeyDictionary[BuildEnvironment, dict[str, str]] = weakref.WeakKeyDictionary()
"""Per build: autoapi id of each object given a draft → the draft's canonical path."""


def setup(app: Sphinx) -> None:
    """Plug into sphinx-autoapi once every extension is loaded, if the site uses it."""
    app.connect("config-inited", _connect)


def default_settings(app: Sphinx) -> dict[str, list[str]]:
    """`packages` and `search_paths` read from `autoapi_dirs`, for a site that names neither.

    An entry of `autoapi_dirs` is a package (it holds `__init__.py`), or a folder holding packages
    and modules, like autoapi reads them; relative entries are relative to the source folder.
    `docgap_packages` and `[tool.docgap]` win over these.

    Returns:
        The settings, or nothing when the site does not use sphinx-autoapi.
    """
    entries = app.config.autoapi_dirs if "autoapi_dirs" in app.config else None
    packages: list[str] = []
    paths: list[str] = []
    for entry in [entries] if isinstance(entries, str) else entries or ():
        folder = (Path(app.srcdir) / entry).resolve()
        if any((folder / name).is_file() for name in ("__init__.py", "__init__.pyi")):
            packages.append(folder.name)
            paths.append(str(folder.parent))
        elif folder.is_dir():
            packages += sorted(p.name for p in folder.iterdir() if (p / "__init__.py").is_file())
            packages += sorted(p.stem for p in folder.glob("*.py"))
            paths.append(str(folder))
    return {"packages": packages, "search_paths": paths} if packages else {}


def _connect(app: Sphinx, config: Config) -> None:
    if "autoapi-skip-member" not in app.events.events:
        return  # no sphinx-autoapi in this build
    # Early, so the object is filled before the user's listeners look at it; they still decide.
    app.connect("autoapi-skip-member", on_skip_member, priority=100)
    # Late: only reached when no listener decided, to show members shown if documented.
    app.connect("autoapi-skip-member", show_filled_member, priority=900)
    # Before docgap's own listener (500), which wraps what the document was noted to show.
    app.connect("doctree-read", on_doctree_read, priority=450)
    # Between docgap's fill (400) and autoapi's reading (500).
    app.connect("builder-inited", reload_when_drafts_change, priority=450)


def reload_when_drafts_change(app: Sphinx) -> None:
    """Have autoapi read the source again when a draft changed, even with `autoapi_keep_files`.

    With `autoapi_keep_files`, autoapi skips reading unchanged source files and keeps the pages it
    wrote, drafts and all; docgap would then re-read the documents showing a changed draft (a new
    model, label or style) without knowing which objects they hold drafts of. Forgetting autoapi's
    record of the source makes it read and write everything again, drafts in.
    """
    state = state_of(app.env)
    if state is None:
        return
    keys = hashlib.sha256("\n".join(f"{p} {state.shown_key(p)}" for p in sorted(state.fill.resolved)).encode())
    if getattr(app.env, "docgap_autoapi_key", None) != keys.hexdigest():
        app.env.autoapi_source_hashes = None  # type: ignore[attr-defined]  # autoapi's record of what it read
        app.env.docgap_autoapi_key = keys.hexdigest()  # type: ignore[attr-defined]


def on_skip_member(app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any) -> None:
    """Give an object docgap resolved its draft, unless autoapi has text for it.

    A person's text wins: autoapi's docstring is kept, except for a class, whose docstring autoapi
    copies from its nearest documented ancestor when it has none (autodoc shows none there, and
    the scan found none: it is not this class's own text).

    Args:
        app: The Sphinx application.
        what: autoapi's object type (`class`, `method`, `data`...).
        name: The object's id, its dotted import path.
        obj: autoapi's object; its `docstring` is what its templates write.
        skip: Whether autoapi would skip it.
        options: `autoapi_options`.
    """
    state = state_of(app.env)
    filled = _FILLED.setdefault(app.env, {})
    if state is None or name in filled:
        return
    resolved = state.fill.lookup(name)
    if resolved is None or (obj.docstring.strip() and what not in _CLASSES):
        return
    obj.docstring = "\n".join(_processed(app, state, resolved, what, name))
    filled[name] = resolved.target.path


def show_filled_member(app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any) -> bool | None:
    """Show a member autoapi skips only for lack of a docstring (`undoc-members` not in its options).

    `skip` was decided before the draft went in; deciding again with the draft in place keeps
    every other reason (private, special, imported, inherited members, `__all__`) as it was.
    """
    if not skip or name not in _FILLED.get(app.env, {}):
        return None
    return None if obj._should_skip() else False  # autoapi's own rules, now with a docstring


def on_doctree_read(app: Sphinx, doctree: nodes.document) -> None:
    """Record that this document shows the drafts of the filled objects it describes.

    docgap's own listener then wraps their docstrings. The summary tables autoapi puts on module
    pages show a docstring's first line: there, a draft's is wrapped in the marked block here.
    """
    state = state_of(app.env)
    filled = _FILLED.get(app.env)
    if state is None or not filled:
        return
    from sphinx.ext.autosummary import autosummary_table  # only sites using sphinx-autoapi get here

    for signature in doctree.findall(addnodes.desc_signature):
        if "fullname" not in signature:
            continue
        name = ".".join(p for p in (signature.get("module"), signature["fullname"]) if p)
        if name in filled:
            note(app.env, name, filled[name], state.shown_key(filled[name]))
    for index in doctree.findall(addnodes.index):  # a module has an index entry, not a signature
        for entry in index["entries"]:
            name = entry[2].removeprefix("module-") if entry[2].startswith("module-") else None
            if name in filled:
                note(app.env, name, filled[name], state.shown_key(filled[name]))
    for table in doctree.findall(autosummary_table):
        for row in table.findall(nodes.row):
            cells = [entry for entry in row.children if isinstance(entry, nodes.entry)]
            link = next(iter(cells[0].findall(addnodes.pending_xref)), None) if len(cells) == 2 else None
            path = filled.get(link["reftarget"]) if link is not None else None
            attributes = state.attributes(path) if path else None
            if attributes is not None:
                note(app.env, link["reftarget"], path, state.shown_key(path))
                block = docgap_generated("", *cells[1].children, **attributes)
                cells[1].clear()
                cells[1] += block


def _processed(app: Sphinx, state: BuildState, resolved: Resolved, what: str, name: str) -> list[str]:
    """The draft's lines as autodoc would show them: google/numpy turned into reST by napoleon.

    Under autodoc, napoleon converts a draft in `autodoc-process-docstring`; autoapi fired that
    event for human docstrings before the drafts went in, so the draft is converted here.
    """
    lines = state.lines(resolved)
    style = state.settings.style
    if style not in ("google", "numpy") or "sphinx.ext.napoleon" not in app.extensions:
        return lines
    from sphinx.ext.napoleon.docstring import GoogleDocstring, NumpyDocstring

    converter = GoogleDocstring if style == "google" else NumpyDocstring
    return converter(lines, app.config, app, what, name).lines()
