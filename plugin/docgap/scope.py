"""Which objects are API: public along their own path, or reached through a public re-export."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

import griffe

from docgap.fallbacks import Fallback, Verdict, fallbacks, verdict
from docgap.names import is_dunder
from docgap.settings import Settings

ALWAYS_DOCUMENTED_DUNDERS = frozenset({"__call__"})
"""Special methods that are API by default (`__init__` is documented on its class instead)."""


def is_test_module(module: griffe.Module) -> bool:
    """Whether a module is a test package or module (`test`, `tests`, `test_*`) below the top level."""
    return any(part in ("test", "tests") or part.startswith("test_") for part in module.path.split(".")[1:])


class Scope:
    """Decides what is API for one scan.

    Args:
        settings: `private`, `special_methods`, `include` and `exclude` are read.
        objects: Every non-alias object of the scanned packages, by path.
        aliases: Every alias (import) found in the scanned packages.
    """

    def __init__(self, settings: Settings, objects: dict[str, griffe.Object], aliases: Iterable[griffe.Alias]) -> None:
        self.settings = settings
        self.objects = objects
        self._paths = {id(obj): path for path, obj in objects.items()}
        self._reached: dict[str, bool] = {}
        self._public: dict[str, bool] = {}
        self._fallbacks: dict[str, tuple[Fallback, ...]] = {}
        self._roots = {path.split(".")[0] for path in objects}
        self._subclasses: dict[str, list[griffe.Class]] | None = None
        self.reexports: dict[str, list[str]] = {}
        for alias in aliases:
            target = alias.target_path
            if target in objects and target != alias.path and self._alias_is_public(alias):
                self.reexports.setdefault(target, []).append(alias.path)

    def public_aliases(self, obj: griffe.Object) -> tuple[str, ...]:
        """Public paths other than its own by which `obj` is reached (re-exports of it or a parent, API classes inheriting it)."""
        found = list(self._inheriting_paths(obj))
        if not self.reexports:
            return tuple(sorted(found))
        own = self._path(obj)
        node: griffe.Object | None = obj
        while node is not None and (path := self._path(node)) in self.objects:
            for alias_path in self.reexports.get(path, ()):
                found.append(alias_path + own[len(path):])
            node = node.parent
        return tuple(sorted(set(found)))

    def includes(self, obj: griffe.Object, aliases: tuple[str, ...], *, ignore_include: bool = False) -> bool:
        """Whether `obj` (reachable by `aliases` too) is in scope.

        `include` keeps an object when any of its paths matches (unless `ignore_include`: whether
        it would be in scope without that setting). `exclude` leaves it out when its own path
        matches, or when every public path to it does: excluding a module that re-exports an
        object that is public elsewhere does not exclude that object.
        """
        name = obj.name
        if is_dunder(name) and not (self.settings.special_methods or name in ALWAYS_DOCUMENTED_DUNDERS):
            return False
        if not self.settings.private and not self._reachable(obj):
            return False
        own = self._path(obj)
        if self.settings.include and not ignore_include and not any(_match(p, self.settings.include) for p in (own, *aliases)):
            return False
        if not self.settings.exclude:
            return True
        if _match(own, self.settings.exclude):
            return False
        return self._public_along_path(obj) or not aliases or not all(_match(p, self.settings.exclude) for p in aliases)

    def fallback(self, obj: griffe.Object) -> Verdict | None:
        """What `obj` is when its definition lies in a fallback block (see `docgap.fallbacks`), else `None`."""
        if obj.is_module or not obj.lineno:
            return None
        module = obj.module
        if module.path not in self._fallbacks:
            self._fallbacks[module.path] = fallbacks(module.lines)
        return verdict(obj.name, obj.lineno, self._fallbacks[module.path])

    def names_an_import(self, obj: griffe.Object) -> bool:
        """`sep = join` after `from os.path import join`: another package's object, not API unless in `__all__`."""
        value = obj.value if obj.is_attribute else None  # type: ignore[attr-defined]
        first = value.first if isinstance(value, griffe.ExprAttribute) else value
        parent = obj.parent
        if not isinstance(first, griffe.ExprName) or parent is None:
            return False
        bound = parent.members.get(first.name)
        if bound is None or not bound.is_alias or bound.target_path.split(".")[0] in self._roots:
            return False
        exported = getattr(parent, "exports", None) or ()
        return obj.name not in {e if isinstance(e, str) else getattr(e, "name", str(e)) for e in exported}

    def _reachable(self, obj: griffe.Object) -> bool:
        """Public names all the way up, or up to an object that a public re-export points at."""
        path = self._path(obj)
        if path not in self._reached:
            parent = obj.parent
            if path in self.reexports:
                reached = True
            elif not _is_public(obj):
                reached = False
            else:
                reached = (parent is None or self._path(parent) not in self.objects or self._reachable(parent)
                           or any(self._inheriting_paths(obj)))
            self._reached[path] = reached
        return self._reached[path]

    def _inheriting_paths(self, obj: griffe.Object) -> Iterable[str]:
        """The paths of `obj` as an inherited member of API classes (`pkg.Client.shared` for `pkg._base.Base.shared`).

        A reader meets the members of a base class that is not API (a class of a private module)
        on the public classes that inherit them.
        """
        parent = obj.parent
        if parent is None or not parent.is_class or obj.is_alias:
            return
        if self._subclasses is None:
            self._subclasses = {}
            for cls in self.objects.values():
                if cls.is_class:
                    try:
                        bases = [b for b in cls.mro() if not b.is_alias]  # type: ignore[attr-defined]
                    except (ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
                        continue
                    for base in bases:
                        self._subclasses.setdefault(self._path(base), []).append(cls)  # type: ignore[arg-type]
        own = self._path(obj)
        for cls in self._subclasses.get(self._path(parent), ()):
            member = cls.inherited_members.get(obj.name)
            if member is not None and member.target_path == own and self._reachable(cls):
                yield f"{self._path(cls)}.{obj.name}"

    def _path(self, obj: griffe.Object) -> str:
        return self._paths.get(id(obj)) or obj.path

    def _public_along_path(self, obj: griffe.Object) -> bool:
        path = self._path(obj)
        cached = self._public.get(path)
        if cached is None:
            parent = obj.parent
            own = _is_public(obj)
            cached = own and (parent is None or self._path(parent) not in self.objects or self._public_along_path(parent))
            self._public[path] = cached
        return cached

    def _alias_is_public(self, alias: griffe.Alias) -> bool:
        """A name in `__all__`, or without `__all__` a public name imported by a package's `__init__`.

        As PEP 8 has it, other imports are implementation details; `import pkg.sub` inside `pkg`
        binds `pkg` again and is never a re-export (it would give every object a second path).
        """
        parent = alias.parent
        if parent is None or (parent_path := self._path(parent)) not in self.objects:
            return False
        target = alias.target_path
        if parent_path == target or parent_path.startswith(target + "."):
            return False
        exported = getattr(parent, "exports", None)
        if exported is not None:
            names = {e if isinstance(e, str) else getattr(e, "name", str(e)) for e in exported}
            in_all = alias.name in names
        else:
            in_all = not alias.name.startswith("_") and bool(getattr(parent, "is_init_module", False))
        return in_all and self._public_along_path(parent)


def _is_public(obj: griffe.Object) -> bool:
    try:
        return bool(obj.is_public)
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return not obj.name.startswith("_")


def _match(path: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)
