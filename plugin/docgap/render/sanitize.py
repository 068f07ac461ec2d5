"""Neutralising untrusted text for the markup a host parses docstrings as.

A draft's text may come from a model, so it is treated as hostile: whatever it contains, the
reader sees those characters as text and nothing else. Two things are kept: paragraph breaks
(single blank lines) and code spans (`` `name` ``), which become inline literals.

- reST (`"rest"`: Sphinx, with or without napoleon). Characters that start inline markup
  anywhere (``\\ ` * _ | : [ ] < > @``: emphasis, literals, roles, interpreted text,
  substitutions, hyperlink references and targets, footnotes, citations, standalone URIs and
  e-mail links) are backslash-escaped. The first character of a line is escaped when it is not
  alphanumeric or the line looks like an enumerator (`1.`, `a)`), so no line starts a directive,
  comment, field list, option list, bullet list, table, line block, doctest block or section
  adornment. Leading white space is dropped, so no block quote or definition list can form.
  Escaped colons also keep napoleon and griffe from reading a line as a section header.
- Markdown (`"markdown"`: mkdocstrings). Every ASCII punctuation character except
  ``, . ' / ;`` becomes a numeric character reference (`&#60;`), which every Markdown parser and
  extension passes through as plain text: no raw HTML or comments, links, images, emphasis,
  headings, lists, tables, attribute lists, admonitions, emoji, math, snippets or fences can
  form, and no colon remains for griffe to split on. Leading white space is dropped (no code
  blocks), and a `.` after a leading number is encoded too (no ordered lists).

Control characters, Unicode line separators and lone surrogates are normalised first: a parser
that splits lines differently from Python must not see a line start we did not escape.
"""

from __future__ import annotations

import re
import unicodedata

MARKUPS = ("rest", "markdown")
"""The markups a host can parse docstrings as."""

CODE_SPAN = re.compile(r"(`+)([^`\n]+?)\1")
"""A code span as a draft writes it: one or more backticks, text, the same backticks."""

_REST_INLINE = frozenset("\\`*_|:[]<>@")
_REST_ENUMERATOR = re.compile(r"^(?:\d+|[A-Za-z]|[IVXLCDM]+|[ivxlcdm]+)[.)](?:\s|$)")
_MD_PLAIN = frozenset(",.'/; ")
_MD_NUMBERED = re.compile(r"^(\d+)\.")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def escape_text(text: str, markup: str) -> str:
    """Return untrusted prose as docstring text that reads as exactly that text in `markup`.

    Each line is stripped (indentation is structure in both markups); runs of blank lines
    become one paragraph break; code spans become inline literals.

    Args:
        text: Untrusted text.
        markup: `"rest"` or `"markdown"`.

    Returns:
        The escaped text, with no leading or trailing blank lines.

    Raises:
        ValueError: For an unknown markup.
    """
    _check_markup(markup)
    lines = [_escape_line(line.strip(), markup) for line in normalize(text).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def normalize(text: str) -> str:
    """Unify line breaks to `\\n`, turn tabs into spaces and drop other control characters.

    Every separator `str.splitlines` knows (form feed, `\\u2028`, ...) becomes `\\n`, because
    docutils splits lines that way; lone surrogates become U+FFFD so the text can be encoded.
    """
    lines = text.splitlines()
    cleaned = []
    for line in lines:
        line = line.expandtabs(4)
        cleaned.append("".join(
            "\ufffd" if unicodedata.category(char) == "Cs" else char
            for char in line
            if char not in _BIDI_CONTROLS and (char.isprintable() or unicodedata.category(char) in ("Zs", "Cs"))
        ))
    return "\n".join(cleaned)


def inline_literal(code: str, markup: str) -> str:
    """An inline literal showing `code` as is (backticks and surrounding spaces are dropped)."""
    code = code.replace("`", "").strip()
    if not code:
        return ""
    return f"``{code}``" if markup == "rest" else f"`{code}`"


def code_block(code: str, markup: str) -> str:
    """Example code as a block no parser interprets, ready to be indented into a section.

    reST gets a `::` literal block. Markdown gets a raw `<pre><code>` block whose every
    punctuation character and leading space is a character reference: Python-Markdown passes
    raw HTML blocks through untouched, and griffe sees no fence, prompt, dash line or colon that
    would split the block. Runs of blank lines become one, because napoleon's NumPy parser ends a
    section at two blank lines and would read the rest of the code as reST.

    Args:
        code: Untrusted example code.
        markup: `"rest"` or `"markdown"`.

    Returns:
        The block, or an empty string when there is no code.
    """
    _check_markup(markup)
    lines = [line.rstrip() for line in normalize(code).split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    if not text.strip():
        return ""
    if markup == "rest":
        return "::\n\n" + "\n".join("    " + line if line else "" for line in text.split("\n"))
    encoded = [_encode_code_line(line) for line in text.split("\n")]
    return "<pre><code>" + "\n".join(encoded) + "</code></pre>"


def _check_markup(markup: str) -> None:
    if markup not in MARKUPS:
        raise ValueError(f"unknown markup {markup!r}; expected one of {', '.join(MARKUPS)}")


def _escape_line(line: str, markup: str) -> str:
    pieces: list[str] = []
    position = 0
    for match in CODE_SPAN.finditer(line):
        pieces.append(_escape_prose(line[position:match.start()], markup, at_line_start=position == 0))
        pieces.append(inline_literal(match.group(2), markup))
        position = match.end()
    pieces.append(_escape_prose(line[position:], markup, at_line_start=position == 0))
    if markup == "rest":
        return _join_rest(pieces)
    return "".join(pieces)


def _join_rest(pieces: list[str]) -> str:
    """Join prose and literals (odd indexes) into one line.

    reST only recognises ``` ``x`` ``` between white space or punctuation, so a literal that
    touches text is separated from it by `\\ `, an escaped space that renders as nothing.
    """
    out = ""
    after_literal = False
    for index, piece in enumerate(pieces):
        if not piece:
            continue
        is_literal = index % 2 == 1
        if out and (is_literal or after_literal) and not out[-1].isspace() and not piece[0].isspace():
            out += "\\ "
        out += piece
        after_literal = is_literal
    return out


def _escape_prose(text: str, markup: str, *, at_line_start: bool) -> str:
    if not text:
        return ""
    if markup == "rest":
        escaped = "".join("\\" + char if char in _REST_INLINE else char for char in text)
        first = text[0]
        if at_line_start and first not in _REST_INLINE and (not first.isalnum() or _REST_ENUMERATOR.match(text)):
            escaped = "\\" + escaped
        return escaped
    prefix = ""
    if at_line_start and (numbered := _MD_NUMBERED.match(text)):
        prefix, text = numbered.group(1) + "&#46;", text[numbered.end():]
    return prefix + "".join(_md_char(char) for char in text)


def _md_char(char: str) -> str:
    if char.isalnum() or char in _MD_PLAIN or ord(char) > 127:
        return char
    return f"&#{ord(char)};"


def _encode_code_line(line: str) -> str:
    stripped = line.lstrip(" ")
    leading = "&#32;" * (len(line) - len(stripped))
    return leading + "".join(char if char.isalnum() or char == " " or ord(char) > 127 else f"&#{ord(char)};"
                             for char in stripped)
