"""Fallback branches: a definition that stands in for another one is not API of its own.

Two patterns bind a name in a primary block and again, or only, in a fallback block:

```python
try:                                   # primary: the try body
    from ._speedups import escape
except ImportError:                    # fallback: a handler catching ImportError (or ModuleNotFoundError)
    def escape(s): ...

if sys.platform == "win32":            # primary: the first branch of an `if` testing the platform or
    def getch():                       # Python version (`sys.platform`, `os.name`, `platform.*()`,
        '''Read one key.'''            # `sys.version_info`, `sys.implementation`)
else:                                  # fallback: each of its `elif` and `else` branches
    def getch(): ...
```

griffe reads both blocks and keeps the last binding, the fallback. The first block is canonical:
a name defined in a fallback block is API only when the primary block defines it too (with `def`,
`class` or an assignment; an import is not a definition of the package), and then it is documented
when that primary definition has a docstring. So the `escape` above is not API (its real
definition is imported), and `getch` is documented by the first branch.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

_PLATFORM_TEST = re.compile(r"\b(?:sys\.(?:platform|version_info|implementation)|os\.name|platform\.\w+)\b")
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
_EXCEPT = re.compile(r"except\b.*\b(?:ImportError|ModuleNotFoundError)\b")
_CONDITION = re.compile(r"(?:el)?if\b")
_WORD = re.compile(r"[a-z]+\b")
_CLAUSES = frozenset({"except", "else", "elif", "finally"})


@dataclass(frozen=True)
class Fallback:
    """One fallback block and what its primary block defines.

    Attributes:
        start: First line of the fallback block (1-based, decorators included).
        end: Its last line.
        primary: Names the primary block defines, with the docstring of each (`None`: none).
    """

    start: int
    end: int
    primary: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """What a definition in a fallback block is.

    Attributes:
        api: Whether it is API (the primary block defines the name too).
        text: The docstring of the primary definition, when it has one.
    """

    api: bool
    text: str | None = None


def fallbacks(lines: Sequence[str]) -> tuple[Fallback, ...]:
    """Every fallback block of a module's source.

    Only the statements that may hold one are parsed (a module is parsed whole only when a
    statement cannot be cut out of it): griffe has parsed the module already.

    Args:
        lines: The module's source lines.

    Returns:
        The blocks, outermost first; none when the source does not parse.
    """
    found: list[Fallback] = []
    for start, end, indent in _statements(lines):
        try:
            tree = ast.parse("\n".join(line[indent:] for line in lines[start:end]))
        except (SyntaxError, ValueError, RecursionError):
            return _blocks_of("\n".join(lines), 0)
        found += _blocks(tree, start)
    return tuple(found)


def _blocks_of(text: str, offset: int) -> tuple[Fallback, ...]:
    try:
        return tuple(_blocks(ast.parse(text), offset))
    except (SyntaxError, ValueError, RecursionError):
        return ()


def _blocks(tree: ast.AST, offset: int) -> list[Fallback]:
    """The fallback blocks of a parsed text whose first line is line `offset + 1` of the module."""
    found: list[Fallback] = []
    elifs: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
            primary = _defined(node.body)
            found += [_block(h.body, primary, offset) for h in node.handlers if _catches_import_error(h) and h.body]
        elif (isinstance(node, ast.If) and id(node) not in elifs and node.orelse
              and _PLATFORM_TEST.search(ast.unparse(node.test))):
            primary, branch = _defined(node.body), node
            while len(branch.orelse) == 1 and isinstance(branch.orelse[0], ast.If):  # `elif`: the first branch rules
                branch = branch.orelse[0]
                elifs.add(id(branch))
                found.append(_block(branch.body, primary, offset))
            if branch.orelse:
                found.append(_block(branch.orelse, primary, offset))
    return found


def _statements(lines: Sequence[str]) -> list[tuple[int, int, int]]:
    """The `try` and `if` statements that may hold a fallback: (first line, end, indent), 0-based, outermost."""
    spans: dict[int, tuple[int, int]] = {}
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if _EXCEPT.match(stripped):
            head = _opening(lines, i, indent, ("try",))
        elif _CONDITION.match(stripped) and _PLATFORM_TEST.search(stripped):
            head = _opening(lines, i, indent, ("if",))
        else:
            continue
        if head is not None and head not in spans:
            spans[head] = (_end(lines, head, indent), indent)
    statements: list[tuple[int, int, int]] = []
    for head in sorted(spans):
        if not statements or head >= statements[-1][1]:  # nested ones are parsed with their outer statement
            statements.append((head, *spans[head]))
    return statements


def _opening(lines: Sequence[str], i: int, indent: int, keywords: tuple[str, ...]) -> int | None:
    """The line of the `try`/`if` that clause `i` belongs to (walking up past its other clauses)."""
    for j in range(i, -1, -1):
        stripped = lines[j].lstrip()
        if not stripped or stripped.startswith("#") or len(lines[j]) - len(stripped) > indent:
            continue
        if len(lines[j]) - len(stripped) < indent:
            return None
        word = _WORD.match(stripped)
        if word and word.group() in keywords:
            return j
        if not (word and word.group() in _CLAUSES):
            return None
    return None


def _end(lines: Sequence[str], head: int, indent: int) -> int:
    """The end (exclusive) of the statement opening at `head`: the next line as far left that is no clause of it."""
    for j in range(head + 1, len(lines)):
        stripped = lines[j].lstrip()
        if stripped and not stripped.startswith("#") and len(lines[j]) - len(stripped) <= indent:
            word = _WORD.match(stripped)
            if not (word and word.group() in _CLAUSES):
                return j
    return len(lines)


def verdict(name: str, lineno: int, blocks: Sequence[Fallback]) -> Verdict | None:
    """What the definition of `name` at `lineno` is, when it lies in a fallback block.

    Args:
        name: The object's name.
        lineno: The line of its definition.
        blocks: The fallback blocks of its module (see `fallbacks`).

    Returns:
        `None` outside every fallback block; else whether it is API and its primary docstring.
        In nested blocks, the innermost decides.
    """
    inside = [b for b in blocks if b.start <= lineno <= b.end]
    if not inside:
        return None
    block = min(inside, key=lambda b: b.end - b.start)
    if name not in block.primary:
        return Verdict(api=False)
    return Verdict(api=True, text=block.primary[name])


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(k, ast.Name) and k.id in _IMPORT_ERRORS for k in kinds)


def _block(body: Sequence[ast.stmt], primary: dict[str, str | None], offset: int) -> Fallback:
    first = body[0]
    start = min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", ()))])
    return Fallback(offset + start, offset + (body[-1].end_lineno or body[-1].lineno), primary)


def _string(statement: ast.stmt | None) -> str | None:
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        value = statement.value.value
        return inspect.cleandoc(value) if isinstance(value, str) else None
    return None


def _defined(body: Sequence[ast.stmt]) -> dict[str, str | None]:
    """Names a block defines (not imports), with their docstrings; nested blocks too, not scopes."""
    names: dict[str, str | None] = {}
    for statement, following in zip(body, [*body[1:], None]):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[statement.name] = ast.get_docstring(statement)
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            text = _string(following)  # an attribute docstring: a string right after the assignment
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        names[node.id] = text or names.get(node.id)
        elif isinstance(statement, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            for block in ("body", "orelse", "finalbody"):
                names.update({k: v for k, v in _defined(getattr(statement, block, [])).items() if k not in names})
            for handler in getattr(statement, "handlers", []):
                names.update({k: v for k, v in _defined(handler.body).items() if k not in names})
    return names
