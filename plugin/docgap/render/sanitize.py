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
  ``, ' / ;`` becomes a numeric character reference (`&#60;`), which every Markdown parser and
  extension passes through as plain text: no raw HTML or comments, links, autolinks (`www.`),
  images, emphasis, headings, lists, tables, attribute lists, admonitions, emoji, math, snippets
  or fences can form, and no colon remains for griffe to split on. Leading white space is dropped,
  so no code block forms either.

Control characters, Unicode line separators and lone surrogates are normalised first: a parser
that splits lines differently from Python must not see a line start we did not escape.
"""

from __future__ import annotations

import re
import unicodedata

MARKUPS = ("rest", "markdown")
"""The markups a host can parse docstrings as."""

CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)([^`\n]+?)\1(?!`)")
"""A code span as Markdown reads it: a run of backticks, text, a run of the same length, on one line.

Runs are matched whole (the lookarounds), which also keeps matching linear on long runs.
"""

_REST_INLINE = frozenset("\\`*_|:[]<>@")
_REST_OPENERS = frozenset("-/'\"([{")
"""What may come right before an inline literal in reST (of docutils' list, those prose never escapes)."""
_REST_CLOSERS = frozenset("-.,;!?/'\")]}")
"""What may come right after an inline literal in reST (of docutils' list, those prose never escapes)."""
_REST_ENUMERATOR = re.compile(r"^(?:\d+|[A-Za-z]|[IVXLCDM]+|[ivxlcdm]+)[.)](?:\s|$)")
_MD_PLAIN = frozenset(",'/; ")
# Markdown: every ASCII character but letters, digits and `_MD_PLAIN` becomes a character
# reference; full stops are decided by `_escape_prose`. reST: inline markup characters get a backslash.
_MD_TABLE = {c: f"&#{c};" for c in range(128) if not chr(c).isalnum() and chr(c) not in _MD_PLAIN and chr(c) != "."}
_MD_INNER_DOT = re.compile(r"\.(?=[^ ])")
_REST_TABLE = {ord(c): "\\" + c for c in _REST_INLINE}


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
    lines = [_escape_line(line, markup) for line in normalize(text).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def normalize(text: str) -> str:
    """Unify line breaks to `\\n` and keep only printable characters and plain spaces.

    Every separator `str.splitlines` knows (form feed, `\\u2028`, ...) becomes `\\n`, because
    docutils splits lines that way; tabs and other white space become spaces; other control and
    format characters (bidirectional overrides included) are dropped; lone surrogates become
    U+FFFD so the text can be encoded.
    """
    lines = (line.expandtabs(4) for line in text.splitlines())
    return "\n".join(line if line.isprintable() else "".join(map(_printable, line)) for line in lines)


def _printable(char: str) -> str:
    if char.isprintable():
        return char
    if char.isspace():
        return " "
    return "\ufffd" if unicodedata.category(char) == "Cs" else ""


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
    """One line, stripped, with its prose escaped and its code spans as inline literals."""
    rendered: list[tuple[bool, str]] = []  # (is a literal, text)
    for is_code, text in _segments(line.strip()):
        if is_code:
            rendered.append((True, f"``{text}``" if markup == "rest" else f"`{text}`"))
        else:
            at_start = not rendered
            rendered.append((False, _escape_prose(text.lstrip() if at_start else text, markup, at_line_start=at_start)))
    if markup == "markdown":
        return "".join(text for _, text in rendered).rstrip()
    joined = _join_rest(rendered).rstrip()
    # Escaped backslashes are still backslashes: a line of them would be a transition or a
    # section underline. An escaped space (rendered as nothing) breaks the run.
    return "\\ " + joined if joined and set(joined) == {"\\"} else joined


def _segments(line: str) -> list[tuple[bool, str]]:
    """Split a line into prose and code (`True`) segments, code without backticks or outer spaces.

    Empty code spans are dropped; what touches is merged, so prose is escaped as a whole and two
    literals never touch (Markdown would fuse their backticks into one span).
    """
    segments: list[tuple[bool, str]] = []

    def add(is_code: bool, text: str) -> None:
        if not text:
            return
        if segments and segments[-1][0] == is_code:
            segments[-1] = (is_code, segments[-1][1] + text)
        else:
            segments.append((is_code, text))

    position = 0
    for match in CODE_SPAN.finditer(line):
        add(False, line[position:match.start()])
        add(True, match.group(2).replace("`", "").strip())
        position = match.end()
    add(False, line[position:])
    return segments


def _join_rest(rendered: list[tuple[bool, str]]) -> str:
    """Join prose and literals into one line.

    reST only recognises ``` ``x`` ``` between white space or some punctuation (`_REST_OPENERS`
    before, `_REST_CLOSERS` after), so a literal that touches other text is separated from it by
    `\\ `, an escaped space that renders as nothing. An escaped character counts as text.
    """
    out = ""
    after_literal = False
    for is_literal, text in rendered:
        if not text:
            continue
        if out and (is_literal or after_literal) and not out[-1].isspace() and not text[0].isspace():
            delimited = (out[-1] in _REST_OPENERS and out[-2:-1] != "\\") if is_literal else text[0] in _REST_CLOSERS
            if not delimited:
                out += "\\ "
        out += text
        after_literal = is_literal
    return out


def _escape_prose(text: str, markup: str, *, at_line_start: bool) -> str:
    if not text:
        return ""
    if markup == "rest":
        escaped = text.translate(_REST_TABLE)
        first = text[0]
        if at_line_start and first not in _REST_INLINE and (not first.isalnum() or _REST_ENUMERATOR.match(text)):
            escaped = "\\" + escaped
        return escaped
    # A full stop that ends a sentence (followed by a space or nothing) stays as it is: most text
    # has one per sentence and it can form no link, list or other syntax. Every other punctuation
    # character, a full stop opening a line included, is a reference.
    escaped = _MD_INNER_DOT.sub("&#46;", text.translate(_MD_TABLE))
    return "&#46;" + escaped[1:] if at_line_start and escaped.startswith(".") else escaped


def _encode_code_line(line: str) -> str:
    stripped = line.lstrip(" ")
    leading = "&#32;" * (len(line) - len(stripped))
    return leading + "".join(char if char.isalnum() or char == " " or not char.isascii() else f"&#{ord(char)};"
                             for char in stripped)
