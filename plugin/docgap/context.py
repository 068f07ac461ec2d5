"""What the package says around an undocumented object: relations, its own words, call sites.

Read from griffe's objects (never importing the package): the base member a method overrides,
where an object is the default of a parameter, the entries of a class docstring's `Args`,
`Attributes` or `Parameters` section that document a member, the documented parameter whose
default an object is, and lines of the package that call it. The docstring of a standard-library
or builtin base member an override replaces (`dict.update`, `datetime.tzinfo.dst`) is read from
the running Python: only standard-library modules are ever imported here.
"""

from __future__ import annotations

import builtins
import inspect
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import griffe

from docgap.plain import quote
from docgap.scope import is_dunder

_CALL = re.compile(r"(?<![\w.])(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)\(")
_VALUE_CHARS = 80
_CALL_SITE_CHARS = 120
_CALL_SITES_KEPT = 8
# Standard-library modules that do something when imported.
_NOT_IMPORTED = frozenset({"antigravity", "this", "idlelib", "turtle", "turtledemo", "tkinter", "__hello__", "__phello__"})
_STDLIB = frozenset(sys.stdlib_module_names) - _NOT_IMPORTED
_ERRORS = (griffe.AliasResolutionError, griffe.CyclicAliasError, AttributeError, KeyError, ValueError, TypeError)


def is_private(path: str) -> bool:
    """Whether a dotted path has a `_private` part (dunders like `__init__` are not private)."""
    return any(part.startswith("_") and not is_dunder(part) for part in path.split("."))


def spells_private(code: str) -> bool:
    """Whether source text names something private (`_MISSING`, `self._cache`), strings aside."""
    names = re.findall(r"(?<![\w'\"])[A-Za-z_][\w.]*", re.sub(r"(['\"]).*?\1", "", code))
    return any(is_private(name) for name in names)


class Relations:
    """Cross-object facts about the objects of one scan, indexed once.

    Args:
        objects: Every object of the scan by path (`__init__` methods excluded: they are read
            through their class).
    """

    def __init__(self, objects: dict[str, griffe.Object]) -> None:
        self._objects = objects
        self._defaults: dict[str, list[tuple[griffe.Function, str]]] | None = None
        self._calls: dict[str, list[str]] | None = None
        self._entries: dict[str, dict[str, str]] = {}

    def default_of(self, obj: griffe.Object) -> list[tuple[str, str, str | None]]:
        """Where `obj` is the default value of a public callable's parameter.

        Returns:
            (callable as shown, e.g. `sort_items()` or `Sorter`; parameter name; the parameter's
            human documentation or `None`), at most three.
        """
        if self._defaults is None:
            self._defaults = self._index_defaults()
        found = []
        for function, parameter in self._defaults.get(obj.path, ())[:3]:
            owner = function.parent if function.name == "__init__" else function
            shown = qualname(owner) + ("" if function.name == "__init__" else "()")
            documented = self.entries(owner).get(parameter)
            if documented is None and function.name == "__init__":
                documented = self.entries(function).get(parameter)
            found.append((shown, parameter, documented))
        return found

    def fields(self, obj: griffe.Object, kind: str, parent: griffe.Class | None) -> dict[str, Any]:
        """The `Target` fields about `obj` read outside its own text: facts, own words, call sites.

        Args:
            obj: The undocumented object.
            kind: Its target kind.
            parent: The class it is defined in, if any.

        Returns:
            `bases`, `value`, `settable`, `overrides`, `default_of`, `own_words` and `call_sites`.
        """
        own_words: list[tuple[str, str]] = []
        if parent is not None and (text := self.entries(parent).get(obj.name)):
            own_words.append((f"the docstring of `{qualname(parent)}`", quote(text)))
        default_of = []
        for callable_, parameter, documented in self.default_of(obj):
            default_of.append((callable_, parameter))
            if documented:
                own_words.append((f"the {parameter} parameter of `{callable_}`", quote(documented)))
        overrides = overridden(obj) if kind in ("method", "property") else None
        if overrides is not None and overrides[1]:
            own_words.append((f"the docstring of `{overrides[0]}`", quote(overrides[1])))
        return {
            "bases": public_bases(obj) if obj.is_class else (),
            "value": _value(obj) if kind == "attribute" else None,
            "settable": ("writable" in obj.labels) if kind == "property" and "cached" not in obj.labels else None,
            "overrides": overrides[0] if overrides is not None else None,
            "default_of": tuple(default_of),
            "own_words": tuple((where, text) for where, text in own_words if text),
            "call_sites": self.call_sites(obj) if kind in ("function", "method", "class") else (),
        }

    def entries(self, obj: griffe.Object) -> dict[str, str]:
        """The names an object's docstring documents in `Args`/`Parameters`/`Attributes` sections, with their text."""
        if obj.path not in self._entries:
            self._entries[obj.path] = _docstring_entries(obj)
        return self._entries[obj.path]

    def call_sites(self, obj: griffe.Object, limit: int = 3) -> tuple[str, ...]:
        """Lines of the scanned packages that call `obj` by its name, shortest first."""
        if self._calls is None:
            self._calls = self._index_calls()
        return tuple(self._calls.get(obj.name, ())[:limit])

    def _index_defaults(self) -> dict[str, list[tuple[griffe.Function, str]]]:
        index: dict[str, list[tuple[griffe.Function, str]]] = defaultdict(list)
        for obj in self._objects.values():
            functions = [obj] if obj.is_function else []
            if obj.is_class and isinstance(init := obj.members.get("__init__"), griffe.Function):
                functions.append(init)
            for function in functions:
                if is_private(function.parent.path if function.name == "__init__" else function.path):
                    continue
                for parameter in function.parameters:
                    default = parameter.default
                    if isinstance(default, (griffe.ExprName, griffe.ExprAttribute)):
                        try:
                            index[default.canonical_path].append((function, parameter.name))
                        except _ERRORS:
                            continue
        return index

    def _index_calls(self) -> dict[str, list[str]]:
        calls: dict[str, set[str]] = defaultdict(set)
        modules = {id(o.module): o.module for o in self._objects.values() if o.is_module}
        for module in modules.values():
            try:
                lines = module.lines
            except _ERRORS:
                continue
            for line in lines:
                if "(" not in line or len(line) > _CALL_SITE_CHARS * 2:
                    continue
                stripped = line.strip()
                if stripped.startswith(("def ", "async def ", "class ", "#", "@")) or len(stripped) > _CALL_SITE_CHARS:
                    continue
                for name in _CALL.findall(stripped):
                    calls[name].add(stripped)
        return {name: sorted(found, key=lambda s: (len(s), s))[:_CALL_SITES_KEPT] for name, found in calls.items()}


def overridden(obj: griffe.Object) -> tuple[str, str | None] | None:
    """The base member a method or property overrides: its display name and its docstring.

    A base in the scanned packages is read with griffe; a builtin or standard-library base
    (`dict`, `datetime.tzinfo`) from the running Python.
    """
    cls = obj.parent
    if cls is None or not cls.is_class or obj.name in ("__init__", "__new__"):
        return None
    try:
        bases = cls.mro()
    except _ERRORS:
        bases = []
    for base in bases:
        member = base.members.get(obj.name)
        if member is not None and not is_private(base.path):
            try:
                doc = member.docstring.value if member.docstring else None
            except _ERRORS:
                doc = None  # an alias griffe cannot follow: the override is still a fact
            return f"{qualname(base)}.{obj.name}", doc
    for expression in _all_bases(cls):
        path = expression.canonical_path if isinstance(expression, (griffe.ExprName, griffe.ExprAttribute)) else str(expression)
        found = _stdlib_member(path, obj.name)
        if found is not None:
            return f"{path}.{obj.name}", found or None
    return None


def _value(obj: griffe.Object) -> str | None:
    """A module or class attribute's defining expression, when short, on one line and all public."""
    if "instance-attribute" in obj.labels or getattr(obj, "value", None) is None:
        return None
    text = str(obj.value)  # type: ignore[attr-defined]
    return text if len(text) <= _VALUE_CHARS and "\n" not in text and not spells_private(text) else None


def public_bases(cls: griffe.Class) -> tuple[str, ...]:
    """A class's bases as written, without private ones and `object`."""
    shown = []
    for base in cls.bases:
        text = str(base)
        if text != "object" and "\n" not in text and not spells_private(text):
            shown.append(text)
    return tuple(shown)


def _all_bases(cls: griffe.Class) -> Iterable[griffe.Expr | str]:
    """The base expressions of a class and of its bases in the scanned packages."""
    yield from cls.bases
    try:
        for base in cls.mro():
            yield from base.bases
    except _ERRORS:
        return


def _stdlib_member(path: str, name: str) -> str | None:
    """The docstring (`""` when it has none) of `name` on a builtin or standard-library class, else `None`."""
    parts = path.split(".")
    try:
        if len(parts) == 1:
            owner = getattr(builtins, parts[0], None)
        elif parts[0] in _STDLIB:
            import importlib

            owner = importlib.import_module(parts[0])
            for part in parts[1:]:
                owner = getattr(owner, part)
        else:
            return None
        member = getattr(owner, name, None) if isinstance(owner, type) else None
        if member is None or member is getattr(object, name, None):
            return None  # not there, or `object`'s own (every class overrides `__repr__` of something)
        return inspect.getdoc(member) or ""
    except Exception:  # noqa: BLE001 - a standard-library module that fails to import is simply not read
        return None


_QUIET: Any = {style: {"warnings": False} for style in ("google", "numpy", "sphinx")}


def _docstring_entries(obj: griffe.Object) -> dict[str, str]:
    docstring = obj.docstring
    if docstring is None or not docstring.value.strip():
        return {}
    # Not `docstring.parse`: a host's parser options may not fit. Not `griffe.logger.disable()`:
    # under MkDocs griffe's logger is a `LoggerAdapter`, which has no level to set.
    try:
        sections = griffe.parse_auto(docstring, per_style_options=_QUIET)
    except Exception:  # noqa: BLE001 - a docstring griffe cannot parse documents nothing here
        return {}
    entries: dict[str, str] = {}
    for section in sections:
        if section.kind.value in ("parameters", "attributes", "other parameters"):
            for item in section.value:
                if item.description and item.name not in entries:
                    entries[item.name.lstrip("*")] = item.description
    return entries


def qualname(obj: griffe.Object) -> str:
    """The path within its module: `Sorter`, `Sorter.sort`, `sort_items` (a module: its path)."""
    if obj.is_module:
        return obj.path
    return obj.path[len(obj.module.path) + 1:]
