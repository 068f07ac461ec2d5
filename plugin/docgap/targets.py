"""What the scan finds: an undocumented object, described by plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

TargetKind = Literal["module", "class", "function", "method", "property", "attribute"]
"""The kinds of object docgap documents."""

ParameterKind = Literal[
    "positional-only",
    "positional or keyword",
    "variadic positional",
    "keyword-only",
    "variadic keyword",
]
"""Parameter kinds, spelled as `griffe.ParameterKind` values."""


@dataclass(frozen=True)
class Parameter:
    """One parameter of a callable target.

    Attributes:
        name: The parameter's name, without stars (`args`, not `*args`).
        kind: How the parameter is passed.
        annotation: The annotation as source text, if any.
        default: The default value as source text, if any.
        doc: Human-written documentation from `Annotated[..., Doc("...")]`, if any. A parameter
            with a `doc` is documented already and is not part of the draft schema.
    """

    name: str
    kind: ParameterKind = "positional or keyword"
    annotation: str | None = None
    default: str | None = None
    doc: str | None = None

    @property
    def display_name(self) -> str:
        """The name as written in a signature: `*args`, `**kwargs` or `name`."""
        if self.kind == "variadic positional":
            return f"*{self.name}"
        if self.kind == "variadic keyword":
            return f"**{self.name}"
        return self.name


@dataclass(frozen=True)
class Target:
    """An object whose docstring is missing, with everything a draft may depend on.

    Attributes:
        path: Canonical dotted path (module plus qualified name), e.g. `pkg.shapes.Circle.area`.
        kind: What the object is.
        parameters: The callable's parameters, without the bound first one (`self`, `cls`, ...).
        returns: The return annotation as source text, if any.
        returns_value: Whether the callable gives a value back (a `returns` entry is expected).
        yields: Whether the callable is a generator (a `yields` entry is expected).
        is_async: Whether it is an `async def`.
        decorators: Decorator expressions as source text.
        source: The object's source, truncated past the configured size with a marker.
        signature: A one-line signature for prompts and display, e.g. `area(self, scale: float = 1)`.
        attributes: For classes, the names of the public attributes (fields) to document.
        raises: Exception names found in `raise` statements of the body.
        parent_signature: The enclosing class's signature line, if any.
        parent_summary: The enclosing class's docstring summary, if any.
        module_summary: The module's docstring summary, if any.
        filepath: The file the object is defined in, relative to its search path when possible.
        lineno: The line the object starts on.
        aliases: Other public paths this object is reachable by (re-exports).
        module: The dotted path of the module the object is defined in.
        bases: For classes, the public bases as written (`ValueError`, `Generic[T]`).
        value: For module and class attributes, the defining expression when it is short, on
            one line and names nothing private.
        settable: For properties, whether a setter is defined (`None`: not a property, or cached).
        raise_conditions: (exception, condition) for each `raise` directly in the body (condition
            `""`: always) or directly under one top-level `if` (its test, as source text).
        overrides: The base member a method or property overrides, as a reader names it
            (`Base.method`, `dict.update`).
        default_of: (callable, parameter) for each public callable whose parameter defaults to
            this object: (`sort_items()`, `key`), (`Sorter`, `key`) for a constructor.
        own_words: (where, text): what the package's own documentation says about this object
            elsewhere (a class docstring's entry, the documented parameter it is the default
            of, the docstring of the member it overrides), markup stripped.
        parent_doc: The enclosing class's docstring (not in the content key: prompt context).
        parent_init: The enclosing class's `__init__` signature (prompt context).
        call_sites: A few lines of the packages that call the object by name, shortest first
            (prompt context).
        key: The content key: sha256 over everything a draft depends on (see `docgap.scan`).
    """

    path: str
    kind: TargetKind
    key: str
    parameters: tuple[Parameter, ...] = ()
    returns: str | None = None
    returns_value: bool = False
    yields: bool = False
    is_async: bool = False
    decorators: tuple[str, ...] = ()
    source: str = ""
    signature: str = ""
    attributes: tuple[str, ...] = ()
    raises: tuple[str, ...] = ()
    parent_signature: str | None = None
    parent_summary: str | None = None
    module_summary: str | None = None
    filepath: str = ""
    lineno: int = 0
    aliases: tuple[str, ...] = ()
    module: str = ""
    bases: tuple[str, ...] = ()
    value: str | None = None
    settable: bool | None = None
    raise_conditions: tuple[tuple[str, str], ...] = ()
    overrides: str | None = None
    default_of: tuple[tuple[str, str], ...] = ()
    own_words: tuple[tuple[str, str], ...] = ()
    parent_doc: str | None = None
    parent_init: str | None = None
    call_sites: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The last component of the path."""
        return self.path.rsplit(".", 1)[-1]

    @property
    def drafted_parameters(self) -> tuple[Parameter, ...]:
        """The parameters a draft must document: those without human documentation."""
        return tuple(p for p in self.parameters if p.doc is None)


@dataclass(frozen=True)
class Documented:
    """An object in scope that already has human documentation (for coverage reports).

    Attributes:
        path: Canonical dotted path.
        kind: What the object is.
        aliases: Public dotted paths that re-export the object.
        text: The human text (its own docstring, `#:` comment, `__init__`'s or inherited one).
        parameters: Its parameter names (a class: its `__init__`'s), to pick relevant examples.
    """

    path: str
    kind: TargetKind
    aliases: tuple[str, ...] = ()
    text: str = ""
    parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScanWarning:
    """Something the scan could not handle, reported and skipped.

    Attributes:
        message: What went wrong and what to do about it.
        filepath: The file concerned, if known.
        lineno: The line concerned, if known.
    """

    message: str
    filepath: str | None = None
    lineno: int | None = None

    def __str__(self) -> str:
        where = f"{self.filepath}:{self.lineno or 1}: " if self.filepath else ""
        return f"{where}{self.message}"


@dataclass(frozen=True)
class ScanResult:
    """Everything one scan found.

    Attributes:
        targets: Undocumented objects, one per canonical path, sorted by path.
        documented: Objects in scope that have human documentation.
        known_names: Every dotted path (and its last components) griffe knows in the scanned
            packages; used to check that drafts only name things that exist.
        examples: Up to a few existing human docstrings per module path, as voice examples.
        warnings: Problems met and skipped.
    """

    targets: tuple[Target, ...]
    documented: tuple[Documented, ...] = ()
    known_names: frozenset[str] = frozenset()
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)
    warnings: tuple[ScanWarning, ...] = ()
