"""Human text: what already documents an object, so that no draft is made for it.

Its own docstring; for an attribute, a Sphinx `#:` comment; for a class, its `__init__`'s docstring;
for a method or property that overrides a documented member of a base class griffe can resolve,
that member's docstring (as Sphinx's `autodoc_inherit_docstrings` shows it; configurable).
"""

from __future__ import annotations

import griffe

from docgap.settings import Settings
from docgap.source_facts import doc_comment


def own_docstring(obj: griffe.Object | griffe.Alias) -> str | None:
    """`obj`'s own docstring when it has text (griffe keeps blank ones too)."""
    docstring = obj.docstring
    return docstring.value if docstring is not None and docstring.value.strip() else None


def human_docstring(obj: griffe.Object, settings: Settings) -> str | None:
    """The human text that documents `obj`, if any.

    Args:
        obj: A non-alias object griffe loaded.
        settings: Whether `inherit_docstrings` is on.

    Returns:
        Its own docstring, else an attribute's `#:` comment, else a class's `__init__`'s, else
        (`inherit_docstrings`) that of the member a method or property overrides; `None` when
        there is none.
    """
    if (own := own_docstring(obj)) is not None:
        return own
    if obj.is_attribute and "property" not in obj.labels:
        return doc_comment(obj.module.lines, obj.lineno or 0)
    if obj.is_class:
        init = obj.members.get("__init__")
        return own_docstring(init) if init is not None and not init.is_alias else None
    if settings.inherit_docstrings and obj.parent is not None and obj.parent.is_class and (obj.is_function or "property" in obj.labels):
        return _inherited_docstring(obj)
    return None


def _inherited_docstring(obj: griffe.Object) -> str | None:
    try:
        bases = obj.parent.mro()  # type: ignore[union-attr]
    except (griffe.AliasResolutionError, griffe.CyclicAliasError, ValueError, AttributeError, KeyError):
        return None
    for base in bases:
        member = base.members.get(obj.name)
        try:
            inherited = own_docstring(member) if member is not None else None
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            continue
        if inherited is not None:
            return inherited
    return None
