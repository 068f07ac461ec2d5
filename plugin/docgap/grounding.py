"""Grounding: a draft may only name things that exist.

Every identifier in a code span of a draft's text must name something real: the span itself when
it is a dotted name (`` `name` ``, `` `module.name` ``, `` `*args` ``), and every name a Python
expression in it reads (`` `name(arg)` ``, `` `items[0]` ``, `` `total - discount` ``,
`` `not parser.done` ``; each attribute chain as a whole). Names an expression binds itself (a
lambda's arguments, comprehension variables) are its own. Spans that are not a Python expression
(statements, shell commands, paths) and literals (`` `'red'` ``, `` `1.0` ``) name nothing, and so
does a span without spaces made of words joined by `-` (`` `utf-8` ``, `` `--dry-run` ``): a
hyphenated word, not a subtraction. Example code is not checked (it may define its own names).
A name is grounded when:

1. it is one of the target's own names: a parameter (stars dropped), an attribute, any run of
   the target's path (`pkg.shapes.Circle.area`, `Circle`, `Circle.area`), or a dotted name that
   appears in the target's signature, annotations, defaults, decorators or source (with each of
   its prefixes, and without a leading `self.`/`cls.`);
2. its first part is a parameter (an attribute of an argument: its type is not known statically);
3. it is a builtin, attribute chains included (`len`, `str.join`, `ValueError`), or a keyword
   constant (`True`, `None`: keywords are never treated as names);
4. its first part is a standard-library module (`sys.stdlib_module_names`): `os.PathLike`,
   `json.loads`;
5. it is `self.x`/`cls.x` where `x` is an attribute of the target or a member of its class that
   the scan knows;
6. it is a special method (`__init__`, `Point.__eq__`) whose prefix, if any, is grounded;
7. it is in `known_names`, the scan's set of every dotted path in the scanned packages and each
   of its trailing parts: `pkg.shapes.Circle.area`, `shapes.Circle.area`, `Circle.area` and
   `area` all match that method, `Circle.perimeter` does not unless it exists. The name is matched
   exactly as written, so a draft may write a name the way a reader would.

An empty `known_names` means there is no scan context (re-checking a stored draft): rules 1-6
still apply (a builtin's attribute chain is still checked), and any other name is accepted
because it cannot be checked.

A raised exception is grounded only when the target's source raises it (matched in full or by
last part): a draft lists what the code raises, not what it might.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from docgap.render.sanitize import CODE_SPAN
from docgap.schema import display
from docgap.targets import Target

_DOTTED = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*")
_CALL = re.compile(r"(?P<name>[^\W\d]\w*(?:\.[^\W\d]\w*)*)\s*\(.*\)")
_HYPHENATED = re.compile(r"-*\w+(?:-\w+)*")
_STDLIB = frozenset(sys.stdlib_module_names)
_MISSING = object()


def is_dotted_name(text: str) -> bool:
    """Whether `text` is a dotted Python identifier such as `ValueError` or `pkg.errors.Bad`."""
    return _DOTTED.fullmatch(text) is not None and not any(map(keyword.iskeyword, text.split(".")))


def code_names(text: str) -> Iterator[str]:
    """Yield the dotted identifiers `text` reads in code spans (`name(x)` gives `name` and `x`)."""
    for match in CODE_SPAN.finditer(text):
        yield from _span_names(match.group(2).strip().lstrip("*"))


@lru_cache(maxsize=4096)
def _span_names(span: str) -> tuple[str, ...]:
    """The names one code span reads (cached: the same spans recur across drafts and builds)."""
    if is_dotted_name(span):
        return (span,)  # the common case, without parsing
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning for `1 is 1`
            tree = ast.parse(span, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        call = _CALL.fullmatch(span)  # `name(pseudo code)` still names `name`
        return (call.group("name"),) if call and is_dotted_name(call.group("name")) else ()
    if _HYPHENATED.fullmatch(span) and _only_minus(tree.body):
        return ()
    bound = _bound_names(tree)
    return tuple(name for name in _read_names(tree.body) if name.split(".", 1)[0] not in bound)


def _read_names(node: ast.AST) -> Iterator[str]:
    """The dotted names an expression reads: each attribute chain whole, outermost first."""
    chain = _chain(node)
    if chain is not None:
        yield chain
        return
    for child in ast.iter_child_nodes(node):
        yield from _read_names(child)


def _chain(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _chain(node.value)
        return f"{base}.{node.attr}" if base is not None else None
    return None


def _bound_names(tree: ast.AST) -> set[str]:
    """Names an expression binds itself: lambda arguments, comprehension and `:=` targets."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
    return bound


def _only_minus(node: ast.AST) -> bool:
    """Whether an expression is only names and numbers joined by `-` (a hyphenated word)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub):
        return _only_minus(node.left) and _only_minus(node.right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _only_minus(node.operand)
    return isinstance(node, (ast.Name, ast.Constant))


def ungrounded_names(data: dict[str, Any], target: Target, known_names: frozenset[str]) -> list[str]:
    """Return an error for every name the draft mentions that does not exist.

    Args:
        data: A draft as JSON (valid against the target's schema).
        target: The object the draft documents.
        known_names: Names of the scanned packages (see the module docstring); empty when there
            is no scan context.

    Returns:
        Human-readable errors naming each invented identifier and the field it is in.
    """
    scope = _scope(target)
    errors: list[str] = []
    for field, text in _texts(data):
        for name in dict.fromkeys(code_names(text)):
            if not _grounded(name, scope, known_names):
                errors.append(f"{field}: `{name}` is not a parameter, attribute or known object of "
                              f"{display(target)}; mention only names that exist")
    for index, item in enumerate(data.get("raises") or ()):
        exception = item.get("exception") if isinstance(item, dict) else None
        if not isinstance(exception, str) or not is_dotted_name(exception.strip()):
            continue  # not a name at all: `docgap.validate` reports that
        if not _exception_grounded(exception.strip(), scope):
            raised = ", ".join(dict.fromkeys(target.raises))
            errors.append(f"raises[{index}].exception: `{exception.strip()}` is not raised in the source of "
                          f"{display(target)}; " + (f"list only exceptions the code raises: {raised}" if raised
                                                      else "it raises nothing explicitly: leave raises empty"))
    return errors


@dataclass(frozen=True)
class _Scope:
    """What a target itself makes real."""

    own: frozenset[str]
    parameters: frozenset[str]
    attributes: frozenset[str]
    owner: str | None  # the class `self`/`cls` refer to
    raised: frozenset[str]  # names the source raises, in full and by last part


@lru_cache(maxsize=256)
def _scope(target: Target) -> _Scope:
    parts = target.path.split(".")
    own = {".".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)}
    code = [target.signature, target.returns or "", target.source, target.parent_signature or "", *target.decorators]
    code += [text for p in target.parameters for text in (p.annotation or "", p.default or "")]
    for token in _DOTTED.findall("\n".join(code)):
        pieces = token.split(".")
        own.update(".".join(pieces[:i]) for i in range(1, len(pieces) + 1))
        if pieces[0] in ("self", "cls"):
            own.update(".".join(pieces[1:i]) for i in range(2, len(pieces) + 1))
    parameters = frozenset(p.name for p in target.parameters)
    owner = target.path if target.kind == "class" else (
        target.path.rsplit(".", 1)[0] if target.kind in ("method", "property") else None)
    raised = frozenset(target.raises) | frozenset(name.rsplit(".", 1)[-1] for name in target.raises)
    return _Scope(frozenset(own) | parameters | frozenset(target.attributes), parameters,
                  frozenset(target.attributes), owner, raised)


def _grounded(name: str, scope: _Scope, known_names: frozenset[str]) -> bool:
    first, _, rest = name.partition(".")
    if name in scope.own or first in scope.parameters or first in _STDLIB:
        return True
    if first in ("self", "cls"):
        return (not rest or rest.split(".", 1)[0] in scope.attributes or not known_names
                or (scope.owner is not None and f"{scope.owner}.{rest}" in known_names))
    prefix, _, last = name.rpartition(".")
    if last.startswith("__") and last.endswith("__") and len(last) > 4:
        return not prefix or _grounded(prefix, scope, known_names)
    if _builtin(first) is not None:  # checkable without a scan: `str.join` exists, `str.frobnicate` does not
        return _builtin(name) is not None or name in known_names
    return not known_names or name in known_names


def _exception_grounded(name: str, scope: _Scope) -> bool:
    return name in scope.raised or name.rsplit(".", 1)[-1] in scope.raised


def _builtin(name: str) -> object | None:
    """The builtin object a dotted name reaches (`str.join`), or `None`."""
    found: object = builtins
    for part in name.split("."):
        found = getattr(found, part, _MISSING)
        if found is _MISSING:
            return None
    return found


def _texts(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for key in ("summary", "description", "returns", "yields"):
        if isinstance(data.get(key), str):
            yield key, data[key]
    for key in ("parameters", "attributes"):
        entries = data.get(key)
        for name, text in (entries.items() if isinstance(entries, dict) else ()):
            if isinstance(text, str):
                yield f"{key}.{name}", text
    for index, item in enumerate(data.get("raises") or ()):
        if isinstance(item, dict) and isinstance(item.get("when"), str):
            yield f"raises[{index}].when", item["when"]
