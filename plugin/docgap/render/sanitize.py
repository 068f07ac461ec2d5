"""Neutralising untrusted text for the markup a host parses docstrings as.

A draft's text may come from a model, so it is treated as hostile: whatever it contains, the reader
sees those characters as text and nothing else. Code spans (`` `name` ``) become inline literals;
every other character that could start markup is escaped:

- reST (`"rest"`, Sphinx with or without napoleon): backslash escapes for inline markup
  (emphasis, literals, roles, interpreted text, substitutions, hyperlinks, footnotes) and for
  anything at the start of a line that would change structure (directives and comments `..`,
  field lists, lists, section underlines, block quotes from indentation).
- Markdown (`"markdown"`, mkdocstrings): `&`, `<` and `>` become entities (no raw HTML can
  exist), the other punctuation Markdown reads is backslash-escaped, and line starts that would
  make headings, lists, quotes or code blocks are escaped too.

Colons become `\\:` (reST) or `&#58;` (Markdown) so a docstring parser never reads a line of
generated text as `name: description` or as a section header.
"""

from __future__ import annotations

import re

MARKUPS = ("rest", "markdown")

_CODE_SPAN = re.compile(r"(`+)([^`\n]+?)\1")
_REST_SPECIAL = re.compile(r"([\\`*_|:\[\]<>])")
_MD_SPECIAL_CHARS = frozenset("\\`*_{}[]()#+-.!|~^=")
_MD_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", ":": "&#58;", '"': "&quot;"}
_REST_LINE_START = re.compile(r"^([-+#=.~^'\"!$%&(),/;?@{}]|\d+[.)])")


def escape_text(text: str, markup: str) -> str:
    """Return `text` safe to embed as prose in a docstring parsed as `markup`.

    Lines are stripped of leading white space (indentation is structure in both markups);
    blank lines are kept as paragraph breaks.

    Args:
        text: Untrusted text.
        markup: `"rest"` or `"markdown"`.

    Returns:
        The escaped text.
    """
    if markup not in MARKUPS:
        raise ValueError(f"unknown markup {markup!r}; expected one of {MARKUPS}")
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        lines.append(_escape_line(line.strip(), markup))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def literal(code: str, markup: str) -> str:
    """An inline literal showing `code` as is (no backticks inside: they are dropped)."""
    code = code.replace("`", "")
    if markup == "rest":
        return f"``{code}``" if code.strip() == code and code else code
    return f"`{code}`"


def _escape_line(line: str, markup: str) -> str:
    parts: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(line):
        parts.append(_escape_prose(line[position:match.start()], markup))
        parts.append(literal(match.group(2).strip(), markup))
        position = match.end()
    parts.append(_escape_prose(line[position:], markup))
    escaped = "".join(parts)
    if markup == "rest" and _REST_LINE_START.match(escaped):
        escaped = "\\" + escaped
    return escaped


def _escape_prose(text: str, markup: str) -> str:
    if markup == "rest":
        return _REST_SPECIAL.sub(r"\\\1", text)
    return "".join(_MD_ENTITIES.get(char) or ("\\" + char if char in _MD_SPECIAL_CHARS else char) for char in text)
