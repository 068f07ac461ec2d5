"""The text autodoc shows for a live object by itself: docgap never puts a draft in its place.

The scan reads the source, so it counts as undocumented an object whose documentation only exists
at run time: a property built from a documented function, a descriptor whose `__doc__` is set when
it is made, module data holding an instance of a documented class. autodoc shows that text; these
functions say what it is, as autodoc reads it (Sphinx's `_get_docstring_lines`, less the `#:`
comments: a commented attribute is documented, never a target).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docstrings import prepare_docstring
from sphinx.util.inspect import getdoc, isattributedescriptor, isclass, ispartial, isroutine

_ATTRIBUTES = frozenset({"data", "attribute"})
"""autodoc object types of assigned names, whose value's docstring autodoc may show."""

_GENERIC = frozenset({"builtins", "typing"})
"""Modules whose types' docstrings describe the type, never a value (`int`, `TypeVar`)."""


def autodoc_text(what: str, obj: Any) -> list[str]:
    """The docstring lines autodoc shows for `obj` when no source comment documents it.

    A class attribute shows its value's docstring only when the value is an attribute descriptor
    (a property, a data descriptor); module data shows its value's docstring, unless it is the
    docstring of a builtin or `typing` type (`int([x]) -> integer` describes `int`, not the
    constant; autodoc itself leaves out `TypeVar`'s).

    Args:
        what: autodoc's object type (`data`, `attribute`, `property`, `function`...).
        obj: The live object autodoc documents.

    Returns:
        The lines, or none when autodoc would show no text.
    """
    if _is_sentinel(obj) or (what == "attribute" and not isattributedescriptor(obj)):
        return []
    doc = getdoc(obj)
    if not isinstance(doc, str) or not doc.strip():
        return []
    if (what in _ATTRIBUTES or type(obj).__module__ == "typing") and _generic_type_text(obj, doc):
        return []
    return prepare_docstring(doc)


def base_comment(path: str, ours: Callable[[str, list[str]], bool]) -> list[str]:
    """The `#:` comment of the base-class attribute a class attribute overrides.

    autodoc looks for an attribute's comment along its class's MRO, so an override of a commented
    attribute shows the base's comment.

    Args:
        path: The attribute's path (`pkg.mod.Class.name`).
        ours: Whether an analyzer entry (path, lines) is one docgap put there.

    Returns:
        The comment's lines, or none.
    """
    owner_path, _, attribute = path.rpartition(".")
    owner = live(owner_path)
    for cls in owner.__mro__[1:] if isinstance(owner, type) else ():
        try:
            analyzer = ModuleAnalyzer.for_module(cls.__module__)
            analyzer.analyze()
        except PycodeError:
            continue
        lines = analyzer.attr_docs.get((cls.__qualname__, attribute))
        if lines and not ours(f"{cls.__module__}.{cls.__qualname__}.{attribute}", lines):
            return list(lines)
    return []


def listed_without_comment(obj: Any) -> bool:
    """Whether a module lists this value as a member when no comment documents it.

    autodoc documents module data only when a comment does; functions and classes it lists.
    """
    return isroutine(obj) or isclass(obj) or ispartial(obj)


def live(path: str) -> Any:
    """The object at a dotted path among the modules imported so far, or `None`."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        module = sys.modules.get(".".join(parts[:cut]))
        if module is not None:
            found: Any = module
            for name in parts[cut:]:
                found = getattr(found, name, None)
            return found
    return None


def documents_itself(obj: Any) -> bool:
    """Whether autodoc counts a member as documented by its own value, when choosing what to show.

    autodoc's member filter ignores a docstring the value only has from its class.
    """
    if _is_sentinel(obj):
        return False
    doc = getdoc(obj)
    return isinstance(doc, str) and bool(doc.strip()) and doc != getattr(type(obj), "__doc__", None)


def builtin_type_text(obj: Any, lines: list[str]) -> bool:
    """Whether `lines` are only the docstring of the builtin or `typing` type of `obj`."""
    doc = type(obj).__doc__
    return _generic_type_text(obj, doc) and [line for line in lines if line.strip()] == [
        line for line in prepare_docstring(doc) if line.strip()]


def _generic_type_text(obj: Any, doc: Any) -> bool:
    return isinstance(doc, str) and type(obj).__module__ in _GENERIC and doc == type(obj).__doc__


def _is_sentinel(obj: Any) -> bool:
    """autodoc's stand-ins for values it could not read (an annotation alone, `__slots__`)."""
    return type(obj).__module__.startswith("sphinx.")
