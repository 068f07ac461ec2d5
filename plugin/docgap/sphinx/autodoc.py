"""autodoc's side: drafts go in through its events and source analyzer; nothing is generated here.

While documents are read, an object the page shows without text gets its draft when the lockfile
or cache has one; otherwise the document records that it wants one (`tracking`), and is read again
once the build has drafted, in one batch, what the site's documents want (`docgap.sphinx.events`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.inspect import unpartial

from docgap.names import is_dunder
from docgap.sphinx.runtime import (autodoc_text, base_comment, builtin_type_text, documents_itself,
                                   listed_without_comment, live)
from docgap.sphinx.state import WAITING, BuildState, canonical_path, state_of
from docgap.sphinx.tracking import hide, note

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from docgap.targets import Target

_ROUTINES = frozenset({"function", "method", "decorator"})
"""autodoc object types of functions: an attribute draft never stands in for their docstring."""


def register_attribute_docs(state: BuildState) -> None:
    """Give autodoc's source analyzer the drafts of attributes, or a stand-in for one to come.

    Autodoc reads attribute documentation (module constants, class attributes, dataclass fields,
    enum members) from `#:` comments found by its `ModuleAnalyzer`, and never fires
    `autodoc-process-docstring` for an attribute without one. Adding the draft there makes autodoc
    show and document the attribute as if the comment existed; the source is untouched and a real
    comment is kept. An attribute a provider may still draft in this build gets a stand-in
    (`WAITING`), so the page shows it and wants its draft; an attribute left without one gets
    nothing. A module-level attribute is also registered in each module re-exporting it.
    """
    for target in state.fill.scan.targets:
        if target.kind != "attribute" or not target.path.startswith(target.module + "."):
            continue
        resolved = state.fill.resolved.get(target.path)
        waiting = _waiting(target.path)
        lines = state.lines(resolved) if resolved else waiting if target.path in state.pending else None
        for module, where, attribute in _places(target):
            analyzer = _analyzer(module)
            if analyzer is None:
                continue
            current = analyzer.attr_docs.get((where, attribute))
            if current is None or current == waiting:
                if lines is None:
                    analyzer.attr_docs.pop((where, attribute), None)
                else:
                    analyzer.attr_docs[(where, attribute)] = lines


def on_process_docstring(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Give an object the page shows without text its draft, or record that the page wants one.

    Text autodoc shows by itself is kept: a docstring, and the run-time text of a property,
    descriptor or module data (`docgap.sphinx.runtime`) when docgap's analyzer entry hid it.
    """
    state = state_of(app.env)
    if state is None:
        return
    resolved = state.lookup(name, obj)
    waiting = lines[0][len(WAITING):] if lines and lines[0].startswith(WAITING) else None
    if waiting or (resolved is not None and lines == state.lines(resolved)):  # docgap's analyzer entry
        lines[:] = _human_text(state, what, waiting or name, obj)
        if lines:
            return
        if what in _ROUTINES:
            # `name = other_module.function`: the scan sees an attribute (the function lies outside
            # the scanned packages), autodoc a function; its own draft, if any, is the one to show.
            resolved = state.lookup_object(obj) or resolved
    elif any(line.strip() for line in lines) and not _synthesized(what, obj, name, lines):
        return
    if resolved is None:
        target = state.target(waiting or name, obj)
        if target is not None:
            note(app.env, name, target.path, "")  # wanted; read again once a draft exists
        return
    note(app.env, name, resolved.target.path, state.shown_key(resolved.target.path))
    lines[:] = state.lines(resolved)


def on_skip_member(app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any) -> bool | None:
    """Show a member autodoc skips only for lack of a docstring, when docgap fills it (`reveal`).

    A filled member is shown exactly where a documented one would be: `:special-members:`,
    `:private-members:`, `:inherited-members:` and `:exclude-members:` apply as usual; a member
    a provider may still draft in this build is shown too, and read again once drafted.
    Attributes are shown by their analyzer entry; one autodoc would not show by itself is hidden
    again when it has text of its own at run time (docgap would not fill it) or without `reveal`.
    """
    state = state_of(app.env)
    if state is None:
        return None
    target = _member_target(app, state, name, obj)
    if target is None:
        return None
    drafted = target.path in state.fill.resolved or target.path in state.pending
    if not skip:
        if not drafted or target.kind != "attribute":
            return None
        if _kept_without_docgap(app, state, target, what, obj, options):
            return None
        text = _human_text(state, "data" if what == "module" else "attribute", target.path, obj)
        return None if state.settings.reveal and not text else True
    if not state.settings.reveal or not _shown_if_documented(what, name, obj, options):
        return None
    if drafted:
        return False
    hide(app.env, target.path)  # shown once it has a draft
    return None


def _member_target(app: Sphinx, state: BuildState, name: str, obj: Any) -> Target | None:
    """The target a member stands for, drafted or not: by its live object, or by where it is listed."""
    path = canonical_path(obj)
    found = state.fill.lookup(path) if path else None
    if found is not None:
        return found.target
    target = state.target(path) if path else None
    if target is not None:
        return target
    listed = _listed_path(app, name)
    if listed is None:
        return None
    found = state.fill.lookup(listed)
    return found.target if found is not None else state.target(listed)


def _listed_path(app: Sphinx, name: str) -> str | None:
    """The canonical path of the member `name` of the module or class autodoc is listing."""
    document = app.env.current_document
    module = getattr(document, "autodoc_module", "")
    owner: Any = sys.modules.get(module) if module else None
    if owner is None:
        return None
    cls = getattr(document, "autodoc_class", "")
    if cls:
        owner = getattr(owner, cls, None)
        base = canonical_path(owner) if isinstance(owner, type) else None
        return f"{base}.{name}" if base else None
    return f"{module}.{name}"


def _kept_without_docgap(app: Sphinx, state: BuildState, target: Target, what: str, obj: Any,
                         options: Any) -> bool:
    """Whether autodoc would show this attribute without docgap's analyzer entry for it.

    A module lists data only when a source comment documents it, `:undoc-members:` or not, and
    without `__all__` only objects defined in it (`__module__`, through a `partial`).
    """
    if what == "module":
        if not listed_without_comment(obj):
            return False
        module = getattr(app.env.current_document, "autodoc_module", "")
        exports = getattr(sys.modules.get(module), "__all__", None)
        everything = getattr(options, "ignore_module_all", False) or exports is None
        listed = isinstance(getattr(options, "members", None), list)  # `:members: a, b`
        if everything and not listed and getattr(unpartial(obj), "__module__", module) != module:
            return False
    name = target.path.rpartition(".")[2]
    shown = (documents_itself(obj) or bool(getattr(options, "undoc_members", None))
             or (what != "module" and bool(base_comment(target.path, state.entry_of_docgap))))
    return shown and _shown_if_documented(what, name, obj, options)


def _human_text(state: BuildState, what: str, path: str, obj: Any) -> list[str]:
    """What autodoc shows for the object at `path` without docgap's analyzer entry for it."""
    text = autodoc_text(what, obj)
    if not text and what == "attribute":
        text = base_comment(path, state.entry_of_docgap)
    return text


def _waiting(path: str) -> list[str]:
    return [f"{WAITING}{path}", ""]


def _places(target: Target) -> list[tuple[str, str, str]]:
    """(module, namespace, name) of each analyzer entry documenting an attribute.

    A module-level attribute is registered in each module re-exporting it; a class attribute also
    in each module its class is re-exported from under the same name, because autodoc looks for
    a class's comments in the module its `__module__` names, which packages often set to the
    public one (`pkg._impl.Client` showing as `pkg.Client`).
    """
    local = target.path[len(target.module) + 1:]
    namespace, _, name = local.rpartition(".")
    places = [(target.module, namespace, name)]
    for alias in target.aliases:
        if not namespace:
            places.append((alias.rpartition(".")[0], "", name))
        elif alias.endswith(f".{local}"):
            places.append((alias[: -len(local) - 1], namespace, name))
    return places


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
    owner = live(path.rpartition(".")[0]) if path else None
    return owner if isinstance(owner, type) else None


def _analyzer(module: str) -> ModuleAnalyzer | None:
    try:
        analyzer = ModuleAnalyzer.for_module(module)
        analyzer.analyze()
    except PycodeError:
        return None
    return analyzer


def _synthesized(what: str, obj: Any, name: str, lines: list[str]) -> bool:
    """A docstring Python wrote, not a person.

    Dataclasses get a `Name(field: type, ...)` docstring, autodoc shows a special method's
    builtin docstring (`__call__`: "Call self as a function.") when the method has none, and
    module data the docstring of its value's builtin type (`int([x]) -> integer`).
    """
    if what == "data" and builtin_type_text(obj, lines):
        return True
    text = " ".join(line.strip() for line in lines if line.strip())
    short = name.rpartition(".")[2]
    own = getattr(obj, "__name__", None)
    if own and hasattr(obj, "__dataclass_fields__") and text.startswith(f"{own}(") and text.endswith(")"):
        return True
    if is_dunder(short):
        builtin_docs = {" ".join((getattr(getattr(base, short, None), "__doc__", None) or "").split()) for base in (object, type)}
        return text in builtin_docs
    return False
