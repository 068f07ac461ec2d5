"""Google style, as read by napoleon (Sphinx) and griffe (mkdocstrings)."""

from __future__ import annotations

from docgap.drafts import Draft
from docgap.render.parts import hanging, indent, parts
from docgap.targets import Target


def render_google(draft: Draft, target: Target, markup: str = "rest") -> str:
    """Render a draft as a Google-style docstring.

    Types are left out: napoleon (with `autodoc_typehints`) and griffe take them from the
    signature. Examples go in an `Examples:` section as a block neither parser interprets.

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
        blocks.append(_section("Args", [hanging(f"{name}:", text) for name, text in p.parameters]))
    if p.returns is not None:
        blocks.append(_section("Returns", [_value(p.returns, markup)]))
    if p.yields is not None:
        blocks.append(_section("Yields", [_value(p.yields, markup)]))
    if p.raises:
        blocks.append(_section("Raises", [hanging(f"{name}:", text) for name, text in p.raises]))
    if p.attributes:
        blocks.append(_section("Attributes", [hanging(f"{name}:", text) for name, text in p.attributes]))
    if p.examples:
        blocks.append(_section("Examples", [p.examples]))
    return "\n\n".join(blocks)


def _section(title: str, entries: list[str]) -> str:
    return f"{title}:\n" + indent("\n".join(entries))


def _value(text: str, markup: str) -> str:
    """A `Returns`/`Yields` entry: the text, without a type.

    Both parsers read `type: text` there, so when the first line has a colon (an escaped one in
    reST, one inside a code span in Markdown) an empty type is written first: `: text`. Napoleon
    reads the section as one block (deeper lines would become a block quote); griffe reads items,
    whose further lines must be indented under the first.
    """
    if ":" in text.partition("\n")[0]:
        text = ": " + text
    return text if markup == "rest" else hanging("", text).lstrip()
