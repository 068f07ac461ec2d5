"""Google style, as read by napoleon and mkdocstrings."""

from __future__ import annotations

from docgap.drafts import Draft
from docgap.render.parts import code_block, indent, parts
from docgap.targets import Target


def render_google(draft: Draft, target: Target, markup: str = "rest") -> str:
    """Render a draft as a Google-style docstring.

    Args:
        draft: A valid draft.
        target: The object it documents (the source of every name shown).
        markup: What the host parses the text as: `"rest"` or `"markdown"`.

    Returns:
        The docstring text.
    """
    p = parts(draft, target, markup)
    blocks = [p.summary]
    if p.description:
        blocks.append(p.description)
    if p.parameters:
        blocks.append(_section("Args", [f"{name}: {text}" for name, text in p.parameters]))
    if p.returns:
        blocks.append(_section("Returns", [p.returns[1]]))
    if p.yields:
        blocks.append(_section("Yields", [p.yields[1]]))
    if p.raises:
        blocks.append(_section("Raises", [f"{name}: {text}" for name, text in p.raises]))
    if p.attributes:
        blocks.append(_section("Attributes", [f"{name}: {text}" for name, text in p.attributes]))
    if p.examples:
        blocks.append(_section("Examples", [code_block(p.examples, markup)]))
    return "\n\n".join(blocks)


def _section(title: str, entries: list[str]) -> str:
    body = "\n".join(_hanging(entry) for entry in entries)
    return f"{title}:\n{indent(body)}"


def _hanging(entry: str) -> str:
    """Continuation lines of an entry are indented under it, as the Google style requires."""
    first, _, rest = entry.partition("\n")
    return first + ("\n" + indent(rest) if rest else "")
