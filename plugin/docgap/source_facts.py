"""What source text shows: whether a body yields, returns a value, what it raises; doc comments.

Read from the object's source text, cheaply: a regular expression answers most cases and the
`ast` module is only consulted when the text is ambiguous (a `yield` or a bare `return` may
belong to a nested function).
"""

from __future__ import annotations

import ast
import io
import re
import textwrap
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

# An exception class by its CapWords name (`ValueError`, `errors.BadInput`); `raise exc` re-raises a
# caught object and `raise self.error(...)` calls a factory, neither names a type.
_RAISE = re.compile(r"^[ \t]*raise[ \t]+((?:[A-Za-z_]\w*\.)*_?[A-Z]\w*)\b(?!\.)", re.MULTILINE)
_RETURN_VALUE = re.compile(r"^[ \t]*return[ \t]+(?!None[ \t]*(?:#.*)?$)\S", re.MULTILINE)
# What `ast.parse` raises on text it cannot read: bad syntax (a NUL byte is a `ValueError` before
# Python 3.12), or nesting deeper than the parser (`MemoryError`) or the tree builder (`RecursionError`) allow.
_UNPARSABLE = (SyntaxError, ValueError, RecursionError, MemoryError)
_NO_VALUE = {"None", "NoReturn", "Never", "typing.NoReturn", "typing.Never", "typing_extensions.Never"}


@dataclass(frozen=True)
class BodyFacts:
    """Facts about a function body.

    Attributes:
        yields: The body (not a nested function) contains `yield`.
        returns_expression: The body contains `return <value>`.
        raises: Exception class names raised, in order of appearance, without repeats.
    """

    yields: bool
    returns_expression: bool
    raises: tuple[str, ...]


def body_facts(source: str, *, need_returns: bool = True) -> BodyFacts:
    """Read the facts of a `def` from its source.

    Args:
        source: The function's source, decorators included or not.
        need_returns: Whether `returns_expression` matters (it does not when the return
            annotation already says); skipping it avoids parsing most bodies.

    Returns:
        The facts; a body that cannot be parsed gives the regular-expression answers.
    """
    raises = tuple(dict.fromkeys(_RAISE.findall(source))) if "raise" in source else ()
    has_yield = "yield" in source
    has_return = need_returns and "return" in source
    if not has_yield and not has_return:
        return BodyFacts(False, False, raises)
    if not has_yield and source.count("def ") + source.count("lambda") <= 1:
        # No nested scope: a `return <value>` line is the function's own.
        return BodyFacts(False, bool(_RETURN_VALUE.search(source)), raises)
    try:
        tree = ast.parse(textwrap.dedent(source))
    except _UNPARSABLE:
        return BodyFacts(has_yield, has_return, raises)
    function = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if function is None:
        return BodyFacts(has_yield, has_return, raises)
    yields = returns = False
    for node in _own_nodes(function):
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            yields = True
        elif isinstance(node, ast.Return) and node.value is not None:
            if not (isinstance(node.value, ast.Constant) and node.value.value is None):
                returns = True
    return BodyFacts(yields, returns, raises)


def raise_conditions(source: str) -> tuple[tuple[str, str], ...]:
    """The exceptions a function raises under a condition its source states plainly.

    Only two shapes are read, before any statement that may `return`: a `raise` directly in the
    function's body (raised always) and a `raise` directly inside one `if` at the top of the body
    (raised when its test holds). A raise anywhere else (in a loop, a `try`, an `else`, nested
    `if`s, after a `return`) has a condition that needs reading the code, so it is left out.

    Args:
        source: The function's source.

    Returns:
        (exception name, condition) pairs in order of appearance; the condition is the `if` test
        as source text on one line, or `""` for a raise that always happens.
    """
    if "raise" not in source:
        return ()
    try:
        text = textwrap.dedent(source)
        tree = ast.parse(text)
    except _UNPARSABLE:
        return ()
    function = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if function is None:
        return ()
    found: dict[str, str] = {}
    for statement in function.body:
        if any(isinstance(node, ast.Return) for node in (statement, *_own_nodes(statement))):
            break  # past a `return`, reaching a `raise` takes more than its own condition
        if isinstance(statement, ast.Raise):
            _add_raise(found, statement, "")
        elif isinstance(statement, ast.If):
            test = ast.get_source_segment(text, statement.test) or ast.unparse(statement.test)
            for inner in statement.body:
                if isinstance(inner, ast.Raise):
                    _add_raise(found, inner, " ".join(test.split()))
    return tuple(found.items())


def _add_raise(found: dict[str, str], node: ast.Raise, condition: str) -> None:
    raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
    try:
        name = ast.unparse(raised) if raised is not None else ""
    except (ValueError, RecursionError):
        return
    if _RAISE.match(f"raise {name}") and name not in found:  # a class name, as `body_facts` reads them
        found[name] = condition


def annotation_gives_value(annotation: str | None) -> bool:
    """Whether a return annotation promises a value (anything but `None`, `NoReturn`, `Never`)."""
    return annotation is not None and annotation.strip() not in _NO_VALUE


def _own_nodes(function: ast.AST) -> list[ast.AST]:
    """The nodes of a function's body, not descending into nested functions, classes or lambdas."""
    found: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def doc_comment(lines: Sequence[str], lineno: int) -> str | None:
    """The `#:` documentation comment of the assignment on line `lineno`, as Sphinx reads it.

    Sphinx's autodoc documents an attribute by `#:` comment lines right above its assignment, or by
    one after it on the same line; griffe does not read them, but a reader of a Sphinx site sees them.

    Args:
        lines: The module's source lines.
        lineno: The assignment's first line (1-based).

    Returns:
        The comment's text, or `None` when there is none.
    """
    if not 0 < lineno <= len(lines):
        return None
    first = lineno - 1
    while first > 0 and lines[first - 1].lstrip().startswith("#:"):
        first -= 1
    above = [line.strip()[2:].strip() for line in lines[first: lineno - 1]]
    if any(above):
        return "\n".join(above)
    if "#:" not in lines[lineno - 1]:
        return None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(lines[lineno - 1]).readline))
    except (tokenize.TokenError, SyntaxError):
        return None  # a statement spanning lines: a trailing comment is not read there
    trailing = [t.string[2:].strip() for t in tokens if t.type == tokenize.COMMENT and t.string.startswith("#:")]
    return trailing[0] if trailing and trailing[0] else None


def main_guard_ranges(lines: Sequence[str]) -> list[tuple[int, int]]:
    """The line ranges of a module's `if __name__ == "__main__":` blocks: script code, not API.

    Args:
        lines: The module's source lines.

    Returns:
        (first, last) line of each such top-level block, 1-based.
    """
    if not any("__main__" in line for line in lines):
        return []
    try:
        tree = ast.parse("\n".join(lines))
    except _UNPARSABLE:
        return []
    ranges = []
    for node in tree.body:
        if not isinstance(node, ast.If):
            continue
        test = "\n".join(lines[node.test.lineno - 1: node.test.end_lineno or node.test.lineno])
        if "__main__" in test and "__name__" in test:
            ranges.append((node.lineno, node.end_lineno or node.lineno))
    return ranges
