"""NumPy style, as read by napoleon (Sphinx) and griffe (mkdocstrings)."""

from __future__ import annotations

from docgap.drafts import Draft
from docgap.render.parts import indent, parts
from docgap.render.sanitize import escape_text
from docgap.targets import Target


def render_numpy(draft: Draft, target: Target, markup: str = "rest") -> str:
    """Render a draft as a NumPy-style docstring.

    Parameter types are left out (both parsers take them from the signature). `Returns` and
    `Yields` entries need a type line: the annotation (the `X` of `Iterator[X]` for yields),
    else `object`.

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
        blocks.append(_section("Parameters", list(p.parameters)))
    if p.returns is not None:
        blocks.append(_section("Returns", [(_type(p.returns_type, markup), p.returns)]))
    if p.yields is not None:
        blocks.append(_section("Yields", [(_type(p.yields_type, markup), p.yields)]))
    if p.raises:
        blocks.append(_section("Raises", list(p.raises)))
    if p.attributes:
        blocks.append(_section("Attributes", list(p.attributes)))
    if p.examples:
        blocks.append(_header("Examples") + "\n" + p.examples)
    return "\n\n".join(blocks)


def _header(title: str) -> str:
    return f"{title}\n{'-' * len(title)}"


def _section(title: str, entries: list[tuple[str, str]]) -> str:
    body = "\n".join(f"{name}\n{indent(text)}" if text else name for name, text in entries)
    return f"{_header(title)}\n{body}"


def _type(annotation: str | None, markup: str) -> str:
    """The type line: griffe parses it as an expression in Markdown; reST needs it escaped."""
    if annotation is None:
        return "object"
    return escape_text(annotation, "rest") if markup == "rest" else annotation
