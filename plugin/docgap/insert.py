"""Inserting docstrings into Python source text, where Python and griffe read them.

Where each kind of docstring goes:

- A function, method, property or class: as the first statement of its body, on the line after
  the header's colon (after decorators and a multi-line signature), indented as the body's first
  statement is (tabs or spaces, as the file has them); a class's is followed by a blank line
  (PEP 257). A body on the header's line
  (`def f(): pass`) is split: the header keeps its line, the docstring and then the body follow,
  indented one level deeper than the header in the file's own indentation unit.
- A module: before its first statement, after the comment lines the file starts with (a shebang,
  an encoding line, a licence header), followed by a blank line when code follows directly.
- An attribute (module or class level, an enum member, a dataclass field, `self.name = ...` in a
  method): a string literal on the line after the assignment ends, at its indentation. A class
  docstring is inserted as its draft renders (an `Attributes` section there included), and each
  attribute that is a target gets its own literal: that is what counts it as documented. An
  assignment sharing its line with another statement (`a = 1; b = 2`, `if x: a = 1`) is skipped.

The literal uses `\"\"\"`: one line when the text is one line, else the closing quotes on a line
of their own. Text with backslashes is a raw string (as pydocstyle's D301 asks) unless it cannot
be one (it holds `\"\"\"`, ends with a quote or a backslash, or holds control characters); then it
is an ordinary string with those characters escaped. `ast.get_docstring` of the result is the
text. Line endings (LF, CRLF), a byte order mark and a missing final newline are kept.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_ASSIGNS = (ast.Assign, ast.AnnAssign, ast.AugAssign) + ((ast.TypeAlias,) if hasattr(ast, "TypeAlias") else ())


@dataclass(frozen=True)
class Docstring:
    """A docstring to insert.

    Attributes:
        name: The object's qualified name in its module (`Circle.radius`); `""` for the module.
        kind: `module`, `class`, `function`, `method`, `property` or `attribute`.
        lineno: The line the object starts on: its `def` or `class` line (or a decorator's), or
            the first line of the assignment.
        text: The docstring text, without quotes or indentation.
    """

    name: str
    kind: str
    lineno: int
    text: str


@dataclass(frozen=True)
class Inserted:
    """The source with docstrings inserted, and those that could not be.

    Attributes:
        source: The new source text.
        inserted: The names of the docstrings inserted.
        skipped: (name, reason) for each docstring left out for want of a place.
        missing: The names of the docstrings whose object is not at its line.
    """

    source: str
    inserted: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Edit:
    index: int  # 0-based line the edit starts at
    remove: int  # lines replaced (0: an insertion before `index`)
    lines: tuple[str, ...]


def insert_docstrings(source: str, docstrings: Iterable[Docstring]) -> Inserted:
    """Insert docstrings into a module's source.

    Args:
        source: The module's text.
        docstrings: What to insert, each naming its object by qualified name and line.

    Returns:
        The new text, with each docstring where Python reads it; an object with no place for a
        docstring is skipped with the reason, one not found at its line is listed as missing.

    Raises:
        SyntaxError: When `source` does not parse.
    """
    bom = "\ufeff" if source.startswith("\ufeff") else ""
    text = source[len(bom):]
    lines = split_lines(text)
    newline = next((line[len(line.rstrip("\r\n")):] for line in lines if line.endswith(("\n", "\r"))), "\n")
    final_newline = not lines or lines[-1].endswith(("\n", "\r"))
    if not final_newline:
        lines[-1] += newline
    places = _Places(ast.parse(text), lines, newline)
    edits: list[_Edit] = []
    inserted: list[str] = []
    skipped: list[tuple[str, str]] = []
    missing: list[str] = []
    for docstring in docstrings:
        edit = places.edit(docstring)
        if edit is None:
            missing.append(docstring.name)
        elif isinstance(edit, str):
            skipped.append((docstring.name, edit))
        else:
            edits.append(edit)
            inserted.append(docstring.name)
    result = list(lines)
    # Bottom up, and at one line a replacement before an insertion, so indices stay those of `lines`.
    for edit in sorted(edits, key=lambda e: (e.index, e.remove), reverse=True):
        result[edit.index:edit.index + edit.remove] = edit.lines
    if not final_newline and result:
        result[-1] = result[-1].rstrip("\r\n")
    return Inserted(bom + "".join(result), tuple(inserted), tuple(skipped), tuple(missing))


def split_lines(text: str) -> list[str]:
    """`text`'s lines with their endings: only `\\n`, `\\r\\n` and `\\r` end one, as for Python and patch tools."""
    return _LINE.findall(text)


def docstring_lines(text: str, indent: str, newline: str = "\n") -> list[str]:
    """The lines of a docstring literal holding `text`, each indented and ended with `newline`.

    Args:
        text: The docstring text (no leading or trailing blank lines).
        indent: The indentation of the literal's first line, and of every non-blank line after it.
        newline: The file's line ending.

    Returns:
        One line for one-line text; else the text's lines and the closing quotes on their own line.
    """
    prefix, body = _quoted(text)
    first, *rest = body.split("\n")
    if not rest:
        return [f'{indent}{prefix}"""{first}"""{newline}']
    return [f'{indent}{prefix}"""{first}{newline}',
            *[(indent + line if line else "") + newline for line in rest],
            f'{indent}"""{newline}']


def _quoted(text: str) -> tuple[str, str]:
    """The string prefix (`r` or none) and the text as it goes between triple quotes."""
    controls = any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text)
    if "\\" in text and not controls and '"""' not in text and not text.endswith(('"', "\\")):
        return "r", text
    out = []
    for i, char in enumerate(text):
        if char == "\\":
            out.append("\\\\")
        elif char == '"' and text[i + 1:i + 2] in ('"', ""):  # no run of quotes, no quote before the closing ones
            out.append('\\"')
        elif unicodedata.category(char) == "Cc" and char not in "\n\t":
            out.append(f"\\x{ord(char):02x}")  # control characters are all below U+00A0
        else:
            out.append(char)
    return "", "".join(out)


class _Places:
    """Where docstrings go in one parsed module."""

    def __init__(self, tree: ast.Module, lines: list[str], newline: str) -> None:
        self.tree = tree
        self.lines = lines
        self.newline = newline
        self.defs: dict[tuple[str, int], ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef] = {}
        self.assigns: dict[int, list[tuple[ast.stmt, list[ast.stmt], int]]] = {}
        for node in ast.walk(tree):
            for _, value in ast.iter_fields(node):
                if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                    for index, stmt in enumerate(value):
                        self._index(stmt, value, index)
        self.colons, self.unit = _colons_and_unit(lines)
        self.claimed: dict[tuple[int, int], str] = {}

    def _index(self, stmt: ast.stmt, siblings: list[ast.stmt], index: int) -> None:
        if isinstance(stmt, _DEFS):
            for line in (stmt.lineno, *(d.lineno for d in stmt.decorator_list)):
                self.defs[(stmt.name, line)] = stmt
        elif isinstance(stmt, _ASSIGNS):
            self.assigns.setdefault(stmt.lineno, []).append((stmt, siblings, index))

    def edit(self, docstring: Docstring) -> _Edit | str | None:
        """The edit inserting `docstring`, why there is none, or `None` when its object is not at its line."""
        if docstring.kind == "module":
            edit = self._module(docstring)
        elif docstring.kind == "attribute":
            edit = self._attribute(docstring)
        else:
            edit = self._body(docstring)
        if isinstance(edit, _Edit):
            slot = (edit.index, edit.remove)
            if slot in self.claimed:
                return (f"one statement defines it and {self.claimed[slot]}; the string literal exported for "
                        f"{self.claimed[slot]} after that statement documents both")
            self.claimed[slot] = docstring.name
        return edit

    def _module(self, docstring: Docstring) -> _Edit | str:
        if self.tree.body and _is_string(self.tree.body[0]):
            return "the module starts with a string literal already; put the text there by hand"
        header = 0
        while header < len(self.lines) and self.lines[header].lstrip().startswith("#"):
            header += 1
        lines = docstring_lines(docstring.text, "", self.newline)
        if header < len(self.lines) and self.lines[header].strip():
            lines.append(self.newline)
        return _Edit(header, 0, tuple(lines))

    def _body(self, docstring: Docstring) -> _Edit | str | None:
        node = self.defs.get((docstring.name.rpartition(".")[2], docstring.lineno))
        if node is None:
            return None
        first = node.body[0]
        if _is_string(first):
            return "its body starts with a string literal already; put the text there by hand"
        start = min((first, *getattr(first, "decorator_list", ())), key=lambda n: (n.lineno, n.col_offset))
        start_at = (start.lineno, self._column(start.lineno, start.col_offset))
        row, column = self.colons[bisect_left(self.colons, start_at) - 1]
        # PEP 257: a blank line after a class's docstring.
        blank = (self.newline,) if isinstance(node, ast.ClassDef) else ()
        if row < start.lineno:
            indent = _indentation(self.lines[start.lineno - 1])
            lines = docstring_lines(docstring.text, indent, self.newline)
            return _Edit(row, 0, (*lines, *(blank if self.lines[row].strip() else ())))
        # The body shares the header's line: split it after the colon.
        line = self.lines[row - 1]
        indent = _indentation(self.lines[node.lineno - 1]) + self.unit
        return _Edit(row - 1, 1, (line[:column + 1] + self.newline,
                                  *docstring_lines(docstring.text, indent, self.newline), *blank,
                                  indent + line[column + 1:].lstrip(" \t")))

    def _attribute(self, docstring: Docstring) -> _Edit | str | None:
        name = docstring.name.rpartition(".")[2]
        found = next(((stmt, siblings, index) for stmt, siblings, index in self.assigns.get(docstring.lineno, ())
                      if name in _bound_names(stmt)), None)
        if found is None:
            return None
        stmt, siblings, index = found
        prefix = self.lines[stmt.lineno - 1][:self._column(stmt.lineno, stmt.col_offset)]
        after = siblings[index + 1] if index + 1 < len(siblings) else None
        end = stmt.end_lineno or stmt.lineno
        if prefix.strip() or (after is not None and after.lineno == end):
            return "its assignment shares a line with another statement; put it on a line of its own"
        if after is not None and _is_string(after):
            return "a string literal follows its assignment already; put the text there by hand"
        return _Edit(end, 0, tuple(docstring_lines(docstring.text, prefix, self.newline)))

    def _column(self, lineno: int, offset: int) -> int:
        """The character column of a UTF-8 byte offset that `ast` gives on line `lineno`."""
        return len(self.lines[lineno - 1].encode("utf-8")[:offset].decode("utf-8", errors="ignore"))


def _colons_and_unit(lines: list[str]) -> tuple[list[tuple[int, int]], str]:
    """The positions of every `:` operator, sorted, and the file's first indentation (its unit)."""
    readable = io.StringIO("".join(line.rstrip("\r\n") + "\n" for line in lines))
    colons: list[tuple[int, int]] = []
    unit = ""
    for token in tokenize.generate_tokens(readable.readline):
        if token.type == tokenize.OP and token.string == ":":
            colons.append(token.start)
        elif token.type == tokenize.INDENT and not unit:
            unit = token.string
    return colons, unit or "    "


def _bound_names(stmt: ast.stmt) -> set[str]:
    """The names an assignment binds: `x`, `self.x`, each name of `x, y = ...`."""
    if isinstance(stmt, ast.Assign):
        targets = list(stmt.targets)
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        targets = [stmt.target]
    else:  # `type X = ...`
        targets = [stmt.name]  # type: ignore[attr-defined]
    names = set()
    while targets:
        target = targets.pop()
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
        elif isinstance(target, (ast.Tuple, ast.List)):
            targets.extend(target.elts)
        elif isinstance(target, ast.Starred):
            targets.append(target.value)
    return names


def _is_string(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _indentation(line: str) -> str:
    return line[:len(line) - len(line.lstrip(" \t"))]
