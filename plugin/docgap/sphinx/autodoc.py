"""autodoc's side: drafts go in through its events and source analyzer; nothing is generated here."""

from __future__ import annotations

import sys
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docstrings import prepare_docstring
from sphinx.util.inspect import getdoc

from docgap.scope import is_dunder
from docgap.sphinx.state import BuildState, canonical_path, state_of
from docgap.sphinx.tracking import note

_ROUTINES = frozenset({"function", "method", "decorator"})
"""autodoc object types of functions: an attribute draft never stands in for their docstring."""


def register_attribute_docs(state: BuildState) -> None:
    """Give autodoc's source analyzer the drafts of attributes.

    Autodoc reads attribute documentation (module constants, class attributes, dataclass fields,
    enum members) from `#:` comments found by its `ModuleAnalyzer`, and never fires
    `autodoc-process-docstring` for an attribute without one. Adding the draft there makes autodoc
    show and document the attribute as if the comment existed; the source is untouched and a real
    comment is kept. A module-level attribute is also registered in each module re-exporting it.
    """
    for resolved in state.fill.resolved.values():
        target = resolved.target
        if target.kind != "attribute" or not target.path.startswith(target.module + "."):
            continue
        namespace, _, name = target.path[len(target.module) + 1:].rpartition(".")
        places = [(target.module, namespace, name)]
        if not namespace:
            places += [(alias.rpartition(".")[0], "", alias.rpartition(".")[2]) for alias in target.aliases]
        for module, where, attribute in places:
            analyzer = _analyzer(module)
            if analyzer is not None:
                analyzer.attr_docs.setdefault((where, attribute), state.lines(resolved))


def on_process_docstring(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Give an object with an empty docstring its draft, and note which drafts each document shows."""
    state = state_of(app.env)
    if state is None:
        return
    resolved = state.lookup(name, obj)
    if resolved is not None and lines == state.lines(resolved):  # an attribute draft, via the analyzer
        if resolved.target.kind == "attribute" and what in _ROUTINES:
            # `name = other_module.function`: the scan sees an attribute (the function lies outside
            # the scanned packages), autodoc a function, and it reads the attribute's `#:` comment
            # (here, its draft) before the function's docstring. The function's own text wins.
            lines[:] = _own_docstring(obj)
            if lines:
                return
            resolved = state.lookup_object(obj) or resolved
    elif any(line.strip() for line in lines) and not _synthesized(obj, name, lines):
        return
    if resolved is None:
        target = state.unfilled.get(name) or state.unfilled.get(canonical_path(obj) or "")
        if target is not None:
            note(app.env, name, target.path, "")  # read this document again once a draft exists
        return
    note(app.env, name, resolved.target.path, state.shown_key(resolved.target.path))
    lines[:] = state.lines(resolved)


def on_skip_member(app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any) -> bool | None:
    """Keep a member autodoc skips only for lack of a docstring, when docgap fills it.

    A filled member is shown exactly where a documented one would be: `:special-members:`,
    `:private-members:`, `:inherited-members:` and `:exclude-members:` apply as usual. Attributes
    need nothing here: their drafts reach autodoc as source comments.
    """
    state = state_of(app.env)
    if state is None or not skip or not _shown_if_documented(what, name, obj, options):
        return None
    return False if state.lookup_object(obj) is not None else None


def _shown_if_documented(what: str, name: str, obj: Any, options: Any) -> bool:
    """Whether autodoc would show this member if it had a docstring."""
    if name in (getattr(options, "exclude_members", None) or ()):
        return False
    if is_dunder(name):
        return name in (getattr(options, "special_members", None) or ())
    if name.startswith("_"):
        return name in (getattr(options, "private_members", None) or ())
    inherited = set(getattr(options, "inherited_members", None) or ())
    if what in ("class", "exception") and inherited - {"object"}:
        return not _below_named_base(obj, inherited)
    return True


def _below_named_base(obj: Any, inherited: set[str]) -> bool:
    """Whether `:inherited-members: Base` hides this member: it is defined in `Base` or above it.

    autodoc walks the documented class's MRO and hides what it finds at or after a class named in
    the option. The event does not say which class is documented, so the member's own class is
    looked at instead: it is hidden when a class of that name derives from it (or is it).
    """
    owner = _owner_class(obj)
    if owner is None:
        return False
    seen: set[type] = set()
    pending = [owner]
    while pending:
        cls = pending.pop()
        if cls.__name__ in inherited:
            return True
        seen.add(cls)
        pending.extend(sub for sub in type.__subclasses__(cls) if sub not in seen)
    return False


def _owner_class(obj: Any) -> type | None:
    """The live class a member is defined in, found from its canonical path."""
    path = canonical_path(obj)
    parts = path.split(".")[:-1] if path else []
    for cut in range(len(parts) - 1, 0, -1):
        module = sys.modules.get(".".join(parts[:cut]))
        if module is not None:
            found: Any = module
            for name in parts[cut:]:
                found = getattr(found, name, None)
            return found if isinstance(found, type) else None
    return None


def _analyzer(module: str) -> ModuleAnalyzer | None:
    try:
        analyzer = ModuleAnalyzer.for_module(module)
        analyzer.analyze()
    except PycodeError:
        return None
    return analyzer


def _own_docstring(obj: Any) -> list[str]:
    doc = getdoc(obj)
    return prepare_docstring(doc) if isinstance(doc, str) and doc.strip() else []


def _synthesized(obj: Any, name: str, lines: list[str]) -> bool:
    """A docstring Python wrote, not a person.

    Dataclasses get a `Name(field: type, ...)` docstring, and autodoc shows a special method's
    builtin docstring (`__call__`: "Call self as a function.") when the method has none.
    """
    text = " ".join(line.strip() for line in lines if line.strip())
    short = name.rpartition(".")[2]
    own = getattr(obj, "__name__", None)
    if own and hasattr(obj, "__dataclass_fields__") and text.startswith(f"{own}(") and text.endswith(")"):
        return True
    if is_dunder(short):
        builtin_docs = {" ".join((getattr(getattr(base, short, None), "__doc__", None) or "").split()) for base in (object, type)}
        return text in builtin_docs
    return False
