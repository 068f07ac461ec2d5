"""NumPy style, as read by napoleon (numpy) and mkdocstrings."""

from __future__ import annotations

from docgap.drafts import Draft
from docgap.render.parts import code_block, indent, parts
from docgap.targets import Target


def render_numpy(draft: Draft, target: Target, markup: str = "rest") -> str:
    """Render a draft as a NumPy-style docstring.

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
        blocks.append(_section("Parameters", p.parameters))
    if p.returns:
        blocks.append(_section("Returns", [(p.returns[0] or "object", p.returns[1])]))
    if p.yields:
        blocks.append(_section("Yields", [("object", p.yields[1])]))
    if p.raises:
        blocks.append(_section("Raises", p.raises))
    if p.attributes:
        blocks.append(_section("Attributes", p.attributes))
    if p.examples:
        blocks.append("Examples\n--------\n" + code_block(p.examples, markup))
    return "\n\n".join(blocks)


def _section(title: str, entries: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str:
    body = "\n".join(f"{name}\n{indent(text)}" for name, text in entries)
    return f"{title}\n{'-' * len(title)}\n{body}"
