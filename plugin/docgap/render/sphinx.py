"""Sphinx style: reST info field lists that plain Sphinx renders with no other extension."""

from __future__ import annotations

from docgap.drafts import Draft
from docgap.render.parts import hanging, parts
from docgap.targets import Target


def render_sphinx(draft: Draft, target: Target, markup: str = "rest") -> str:
    """Render a draft as a Sphinx field-list docstring.

    Fields are those of Sphinx's Python domain: `:param x:`, `:ivar x:`, `:returns:` and
    `:raises E:`; yields, which the domain lacks, get a generic `:Yields:` field in reST and a
    `Yields:` paragraph in Markdown (griffe's Sphinx parser knows no such field). Examples and
    that paragraph come before the fields, because griffe's Sphinx parser reads every line after
    a field, up to the next field, as part of that field.

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
    if p.yields is not None and markup != "rest":
        blocks.append(hanging("Yields:", p.yields))
    if p.examples:
        heading = ".. rubric:: Examples" if markup == "rest" else "Examples:"
        blocks.append(f"{heading}\n\n{p.examples}")
    fields = [hanging(f":param {_name(name, markup)}:", text) for name, text in p.parameters]
    fields += [hanging(f":ivar {_name(name, markup)}:", text) for name, text in p.attributes]
    if p.returns is not None:
        fields.append(hanging(":returns:", p.returns))
    if p.yields is not None and markup == "rest":
        fields.append(hanging(":Yields:", p.yields))
    fields += [hanging(f":raises {_name(name, markup)}:", text) for name, text in p.raises]
    if fields:
        blocks.append("\n".join(fields))
    return "\n\n".join(blocks)


def _name(name: str, markup: str) -> str:
    """In reST a field name is inline text: `*args` would open emphasis, `type_` be a reference."""
    if markup != "rest":
        return name
    if name.startswith("*"):
        name = name.replace("*", "\\*")
    return name[:-1] + "\\_" if name.endswith("_") else name
