"""Human docstring text as plain text: what a draft may quote and a prompt may show as an example.

Drafts hold plain text (see `docgap.validate`), so the package's own words are quoted without
their markup, and voice examples are sent to a model without it (a model copies what it sees).
"""

from __future__ import annotations

import re

_QUOTE_CHARS = 600


def strip_markup(text: str) -> str:
    """Human docstring text without the markup a plain-text draft may not hold.

    reST roles become code spans (``:class:`~pkg.Foo` `` → `` `Foo` ``), double backticks single
    ones, Markdown links and reST hyperlinks their text, emphasis plain; directive, comment and
    field lines are dropped.
    """
    text = re.sub(r":[\w+.-]+(?::[\w+.-]+)?:`([^`]+)`", _role, text)
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    text = re.sub(r"`([^`<]+?)\s*<[^`>]+>`__?", r"\1", text)
    text = re.sub(r"!?\[([^\]\n]*)\]\([^)\n]*\)", r"\1", text)
    text = re.sub(r"`([^`]+)`__?", r"\1", text)
    text = re.sub(r"(\*\*|__)(\S[^*\n]*?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(\S[^*\n]*?)\*(?!\w)", r"\1", text)
    text = re.sub(r"<[^<>\n]+>", "", text)
    kept: list[str] = []
    directive: int | None = None  # the indentation of a directive whose body is being dropped
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip())
        if directive is not None and (not line.strip() or indent > directive):
            continue
        directive = None
        if re.match(r"\s*\.\.(?:\s|$)", line):
            directive = indent
        elif not re.match(r"\s*:[^:\s][^:]*:(?:\s|$)", line):
            kept.append(line)
    return "\n".join(kept).strip()


def _role(match: re.Match[str]) -> str:
    inner = match[1]
    if "<" in inner:
        return inner.split("<")[0].strip()  # `:ref:`Title <target>``: the title, as plain text
    shown = inner.lstrip("~!")
    return f"`{shown.split('.')[-1] if inner.startswith('~') else shown}`"


def quote(text: str) -> str:
    """Human text for quoting in a draft: markup stripped, each paragraph on one line, bounded."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", strip_markup(text))]
    joined = "\n\n".join(p for p in paragraphs if p)
    if len(joined) > _QUOTE_CHARS:
        cut = joined[:_QUOTE_CHARS]
        joined = cut[: cut.rfind(". ") + 1] or cut.rstrip() + "…"
    return joined
