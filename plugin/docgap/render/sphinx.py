"""Sphinx style: reST field lists that plain Sphinx renders with no other extension."""

from __future__ import annotations

from docgap.drafts import Draft
from docgap.render.parts import code_block, indent, parts
from docgap.targets import Target


def render_sphinx(draft: Draft, target: Target, markup: str = "rest") -> str:
    """Render a draft as a Sphinx field-list docstring.

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
    fields = [_field(f"param {_name(name, markup)}", text) for name, text in p.parameters]
    fields += [_field(f"ivar {name}", text) for name, text in p.attributes]
    if p.returns:
        fields.append(_field("returns", p.returns[1]))
    if p.yields:
        fields.append(_field("Yields", p.yields[1]))
    fields += [_field(f"raises {name}", text) for name, text in p.raises]
    if fields:
        blocks.append("\n".join(fields))
    if p.examples:
        blocks.append("Examples:\n\n" + code_block(p.examples, markup))
    return "\n\n".join(blocks)


def _field(name: str, text: str) -> str:
    first, _, rest = text.partition("\n")
    return f":{name}: {first}" + ("\n" + indent(rest) if rest else "")


def _name(display_name: str, markup: str) -> str:
    """`*args` must be escaped in a reST field name or it would start emphasis."""
    return display_name.replace("*", "\\*") if markup == "rest" else display_name
