"""Human text: what already documents an object, so that no draft is made for it.

Its own docstring; for an attribute, a Sphinx `#:` comment; for a class, its `__init__`'s docstring;
for a method or property that overrides a documented member of a base class griffe can resolve,
that member's docstring (as Sphinx's `autodoc_inherit_docstrings` shows it; configurable).
"""

from __future__ import annotations

import griffe

from docgap.settings import Settings
from docgap.source_facts import doc_comment


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
    if obj.docstring is not None and obj.docstring.value.strip():
        return obj.docstring.value
    if obj.is_attribute and "property" not in obj.labels:
        return doc_comment(obj.module.lines, obj.lineno or 0)
    if obj.is_class:
        init = obj.members.get("__init__")
        has_doc = init is not None and not init.is_alias and init.docstring and init.docstring.value.strip()
        return init.docstring.value if has_doc else None  # type: ignore[union-attr]
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
            if member is not None and member.docstring is not None and member.docstring.value.strip():
                return member.docstring.value
        except (griffe.AliasResolutionError, griffe.CyclicAliasError):
            continue
    return None
