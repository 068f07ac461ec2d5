"""The scan: load packages with griffe (never importing them) and list what has no docstring.

Each undocumented object in scope becomes a `Target` carrying everything a draft depends on and a
content key over exactly that, so a draft is reused until the object really changes.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Iterable

import griffe

from docgap.context import Relations, spells_private
from docgap.loading import load_packages
from docgap.scan_cache import load_cached_scan, save_scan
from docgap.schema import SCHEMA_VERSION
from docgap.scope import Scope, is_dunder, is_test_module
from docgap.settings import Settings
from docgap.human import human_docstring
from docgap.source_facts import annotation_gives_value, body_facts, main_guard_ranges, raise_conditions
from docgap.targets import Documented, Parameter, ScanResult, ScanWarning, Target, TargetKind

_DOC_CALL = re.compile(r"""\bDoc\(\s*(?P<q>['"])(?P<text>.*?)(?P=q)\s*\)""", re.DOTALL)
_EXAMPLE_CHARS = 1200


def scan(settings: Settings) -> ScanResult:
    """Load `settings.packages` statically and list their undocumented objects.

    Args:
        settings: Packages, search paths and scope rules.

    Returns:
        The targets, the documented objects, the names that exist, voice examples and warnings.

    Raises:
        SettingsError: When a package cannot be found on the search paths.

    A scan of packages whose files are all unchanged since the last scan with the same settings is
    served from `docgap.scan_cache` without loading them again.
    """
    cached, fingerprint = load_cached_scan(settings)
    if cached is not None:
        return cached
    result = _scan_packages(settings)
    if fingerprint is not None:
        save_scan(settings, fingerprint, result)
    return result


def _scan_packages(settings: Settings) -> ScanResult:
    modules, warnings = load_packages(settings)
    result = scan_objects(modules, settings)
    return ScanResult(result.targets, result.documented, result.known_names, result.examples,
                      (*warnings, *result.warnings))


def scan_objects(modules: Iterable[griffe.Module], settings: Settings) -> ScanResult:
    """List the undocumented objects of modules griffe has already loaded.

    Args:
        modules: Top-level packages or modules (as mkdocstrings or `scan` loaded them).
        settings: Scope rules and the source size limit.

    Returns:
        The scan result; objects that cannot be read are skipped with a warning.
    """
    objects: dict[str, griffe.Object] = {}
    aliases: list[griffe.Alias] = []
    for module in modules:
        _collect(module, settings, objects, aliases)
    scope = Scope(settings, objects, aliases)
    relations = Relations(objects)
    targets: list[Target] = []
    documented: list[Documented] = []
    warnings: list[ScanWarning] = []
    examples: dict[str, list[str]] = {}
    main_guards: dict[str, list[tuple[int, int]]] = {}
    files: dict[str, str] = {}  # module path -> its file, computed once per module
    for path, obj in objects.items():
        try:
            kind = _kind(obj)
            if (kind is None or _under_main_guard(obj, main_guards) or _names_another(obj, objects)
                    or scope.names_an_import(obj)):
                continue
            fallback = scope.fallback(obj)  # a fallback definition: API only as a primary's duplicate
            if fallback is not None and not fallback.api:
                continue
            public_aliases = scope.public_aliases(obj)
            if not scope.includes(obj, public_aliases):
                if settings.include and scope.includes(obj, public_aliases, ignore_include=True):
                    _add_example(obj, examples, settings)  # outside `include`, still the project's voice
                continue
            if (text := human_docstring(obj, settings) or (fallback.text if fallback else None)) is not None:
                documented.append(Documented(path, kind, public_aliases, text, _parameter_names(obj)))
                _add_example(obj, examples, settings)
                continue
            targets.append(_target(obj, path, kind, public_aliases, settings, files, relations))
        except RecursionError:
            warnings.append(ScanWarning(f"skipped {path}: an expression in it is nested too deeply to read; "
                                        "split it", _relative_file(obj), obj.lineno))
        except (griffe.AliasResolutionError, griffe.CyclicAliasError, AttributeError, ValueError, TypeError) as exc:
            warnings.append(ScanWarning(f"skipped {path}: {exc}", _relative_file(obj), obj.lineno))
    known = _known_names(objects, scope)
    return ScanResult(
        targets=tuple(sorted(targets, key=lambda t: t.path)),
        documented=tuple(sorted(documented, key=lambda d: d.path)),
        known_names=known,
        examples={m: tuple(e) for m, e in examples.items()},
        warnings=tuple(warnings),
    )


def _add_example(obj: griffe.Object, examples: dict[str, list[str]], settings: Settings) -> None:
    module = obj.module.path
    if obj.docstring and obj.docstring.value.strip() and len(examples.setdefault(module, [])) < settings.examples_in_prompt:
        examples[module].append(obj.docstring.value[:_EXAMPLE_CHARS])


def _parameter_names(obj: griffe.Object) -> tuple[str, ...]:
    function = obj.members.get("__init__") if obj.is_class else obj
    if not isinstance(function, griffe.Function):
        return ()
    return tuple(p.name for p in function.parameters if p.name not in ("self", "cls"))


def _collect(root: griffe.Object, settings: Settings, objects: dict[str, griffe.Object], aliases: list[griffe.Alias]) -> None:
    stack: list[griffe.Object] = [root]
    while stack:
        obj = stack.pop()
        if isinstance(obj, griffe.Module) and (obj.name == "__main__" or (settings.exclude_tests and is_test_module(obj))):
            continue  # a `__main__` module is a script, not API
        objects[obj.path] = obj
        for member in obj.members.values():
            if member.is_alias:
                aliases.append(member)
            elif not (member.is_function and member.name == "__init__"):
                stack.append(member)


def _kind(obj: griffe.Object) -> TargetKind | None:
    if obj.is_module:
        return "module"
    if obj.is_class:
        return "class"
    if obj.is_function:
        if "property" in obj.labels:
            return "property"
        return "method" if obj.parent is not None and obj.parent.is_class else "function"
    if obj.is_attribute:
        if "property" in obj.labels:
            return "property"
        return None if is_dunder(obj.name) else "attribute"
    if obj.is_type_alias:
        return "attribute"
    return None


def _names_another(obj: griffe.Object, objects: dict[str, griffe.Object]) -> bool:
    """`alias = function` or `Alias = Class`: another name for an object documented on its own."""
    value = obj.value if obj.is_attribute else None  # type: ignore[attr-defined]
    if not isinstance(value, griffe.ExprName):
        return False
    named = objects.get(value.canonical_path)
    return named is not None and named is not obj and (named.is_function or named.is_class)


def _under_main_guard(obj: griffe.Object, cache: dict[str, list[tuple[int, int]]]) -> bool:
    if obj.is_module or not obj.lineno:
        return False
    module = obj.module
    if module.path not in cache:
        cache[module.path] = main_guard_ranges(module.lines)
    return any(start <= obj.lineno <= end for start, end in cache[module.path])


def _target(obj: griffe.Object, path: str, kind: TargetKind, aliases: tuple[str, ...], settings: Settings,
            files: dict[str, str], relations: Relations) -> Target:
    parent = obj.parent if obj.parent is not None and obj.parent.is_class else None
    parameters: tuple[Parameter, ...] = ()
    returns: str | None = None
    returns_value = yields = is_async = False
    raises: tuple[str, ...] = ()
    conditions: tuple[tuple[str, str], ...] = ()
    decorators: tuple[str, ...] = ()
    source = _source(obj, settings)
    if obj.is_function:
        decorators = tuple(str(d.value) for d in obj.decorators)
        parameters = _parameters(obj, kind)
        returns = str(obj.returns) if obj.returns is not None else None
        facts = body_facts(source, need_returns=returns is None)
        raises = facts.raises
        conditions = raise_conditions(source) if raises else ()
        is_async = "async" in obj.labels or any(d.endswith("coroutine") for d in decorators)
        if any(d.split(".")[-1] in ("contextmanager", "asynccontextmanager") for d in decorators):
            returns_value = True
        elif facts.yields and not any(d.endswith("coroutine") for d in decorators):
            yields = True
        elif kind != "property":
            returns_value = annotation_gives_value(returns) or (returns is None and facts.returns_expression)
    elif obj.is_attribute and kind == "property":
        returns = str(obj.annotation) if obj.annotation is not None else None
        raises = body_facts(source).raises
        conditions = raise_conditions(source) if raises else ()
    elif obj.is_class:
        init = obj.members.get("__init__")
        if init is not None and not init.is_alias and init.lineno:
            parameters = _parameters(init, "method")
            raises = body_facts(init.source).raises
            conditions = raise_conditions(init.source) if raises else ()
        decorators = tuple(str(d.value) for d in obj.decorators)
    attributes = _attribute_names(obj) if obj.is_class else ()
    signature = _signature(obj, kind, parameters, returns)
    parent_signature = _signature(parent, "class", (), None) if parent is not None else None
    parent_summary = _summary(parent) if parent is not None else None
    module_summary = _summary(obj.module) if not obj.is_module else None
    target = Target(
        path=path, kind=kind, key="", parameters=parameters, returns=returns,
        returns_value=returns_value, yields=yields, is_async=is_async, decorators=decorators,
        source=source, signature=signature, attributes=attributes, raises=raises,
        parent_signature=parent_signature, parent_summary=parent_summary, module_summary=module_summary,
        filepath=_module_file(obj.module, files), lineno=obj.lineno or 0, aliases=aliases, module=obj.module.path,
        raise_conditions=tuple((name, test) for name, test in conditions if not spells_private(test)),
        parent_doc=parent.docstring.value[:_EXAMPLE_CHARS] if parent is not None and parent.docstring else None,
        parent_init=_init_signature(parent), **relations.fields(obj, kind, parent),
    )
    return _with_key(target)


def _init_signature(cls: griffe.Class | None) -> str | None:
    init = cls.members.get("__init__") if cls is not None else None
    return _signature(init, "method", _parameters(init, "method"), None) if isinstance(init, griffe.Function) else None


def _parameters(function: griffe.Function, kind: TargetKind) -> tuple[Parameter, ...]:
    params = list(function.parameters)
    bound = kind in ("method", "property") and "staticmethod" not in function.labels
    if bound and params and params[0].kind.value in ("positional-only", "positional or keyword"):
        params = params[1:]
    result = []
    for p in params:
        annotation = str(p.annotation) if p.annotation is not None else None
        doc = None
        if annotation and "Doc(" in annotation and "Annotated[" in annotation:
            match = _DOC_CALL.search(annotation)
            doc = match.group("text") if match else None
        variadic = p.kind.value in ("variadic positional", "variadic keyword")  # griffe says `()` and `{}`
        default = str(p.default) if p.default is not None and not variadic else None
        result.append(Parameter(p.name, p.kind.value, annotation, default, doc))  # type: ignore[arg-type]
    return tuple(result)


def _attribute_names(cls: griffe.Class) -> tuple[str, ...]:
    names = []
    for name, member in cls.members.items():
        if member.is_alias or not member.is_attribute or "property" in member.labels:
            continue
        if name.startswith("_"):
            continue
        names.append(name)
    return tuple(names)


def _signature(obj: griffe.Object, kind: TargetKind, parameters: tuple[Parameter, ...], returns: str | None) -> str:
    if kind == "class":
        bases = ", ".join(str(b) for b in getattr(obj, "bases", ()))
        return f"class {obj.name}({bases})" if bases else f"class {obj.name}"
    if kind in ("module", "attribute"):
        annotation = getattr(obj, "annotation", None)
        return f"{obj.name}: {annotation}" if annotation is not None else obj.name
    shown = []
    for p in parameters:
        text = p.display_name + (f": {p.annotation}" if p.annotation else "")
        if p.default is not None:
            text += f" = {p.default}" if p.annotation else f"={p.default}"
        shown.append(text)
    arrow = f" -> {returns}" if returns else ""
    return f"{obj.name}({', '.join(shown)}){arrow}"


def _source(obj: griffe.Object, settings: Settings) -> str:
    try:
        source = _outline(obj.source) if obj.is_module else obj.source
    except (OSError, ValueError, AttributeError):
        return ""
    limit = settings.max_source_chars
    if len(source) > limit:
        cut = source[:limit]
        return cut[: cut.rfind("\n") + 1 or limit] + f"# [docgap: source truncated, {len(source) - limit} more characters]\n"
    return source


def _outline(source: str) -> str:
    """A module's source with the bodies of its functions and methods (but their docstrings) cut to `...`.

    A module's draft depends on its names, signatures, docstrings and statements, not on what its
    functions do inside: an edit in one function re-drafts that function, not its module.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return source
    bodies = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            if body and body[0].lineno > node.lineno:
                bodies.append((body[0].lineno, node.end_lineno or body[-1].lineno, body[0].col_offset))
    bodies.sort()
    lines = source.splitlines(keepends=True)
    kept: list[str] = []
    done = 0  # lines already copied or cut
    for start, end, indent in bodies:
        if start <= done:
            continue  # inside a body already cut
        kept += lines[done:start - 1]
        kept.append(" " * indent + "...\n")
        done = end
    return "".join(kept + lines[done:])


def _summary(obj: griffe.Object | None) -> str | None:
    if obj is None or obj.docstring is None:
        return None
    first = obj.docstring.value.strip().split("\n\n", 1)[0]
    return " ".join(first.split()) or None


def _module_file(module: griffe.Module, files: dict[str, str]) -> str:
    if module.path not in files:
        files[module.path] = _relative_file(module) or ""
    return files[module.path]


def _relative_file(obj: griffe.Object) -> str | None:
    try:
        return str(obj.relative_filepath)
    except (ValueError, AttributeError, TypeError):
        try:
            return str(obj.filepath)
        except (AttributeError, TypeError):
            return None


def _with_key(target: Target) -> Target:
    material = [
        SCHEMA_VERSION, target.kind, target.name,
        [(p.name, p.kind, p.annotation, p.default, p.doc) for p in target.parameters],
        target.returns, target.returns_value, target.yields, target.is_async, target.decorators,
        target.source, target.attributes, target.raises,
        target.parent_signature, target.parent_summary, target.module_summary,
        target.bases, target.value, target.settable, target.raise_conditions, target.overrides,
        target.default_of, target.own_words,
    ]
    digest = hashlib.sha256(json.dumps(material, separators=(",", ":")).encode("utf-8")).hexdigest()
    return Target(**{**target.__dict__, "key": digest})


def _known_names(objects: dict[str, griffe.Object], scope: Scope) -> frozenset[str]:
    paths = set(objects)
    for alias_paths in scope.reexports.values():
        paths.update(alias_paths)
    known: set[str] = set()
    for path in paths:
        parts = path.split(".")
        known.update(".".join(parts[i:]) for i in range(len(parts)))
    return frozenset(known)
