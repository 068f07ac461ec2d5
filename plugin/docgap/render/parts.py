"""The escaped pieces every style is assembled from."""

from __future__ import annotations

from dataclasses import dataclass

from docgap.drafts import Draft
from docgap.render.sanitize import escape_text
from docgap.targets import Target


@dataclass(frozen=True)
class Parts:
    """A draft's text, escaped for one markup, in the order styles show it.

    Attributes:
        summary: The one-line summary.
        description: Further paragraphs, or an empty string.
        parameters: (display name, text) in signature order; human `Doc(...)` text included.
        returns: (annotation, text) or `None`.
        yields: (annotation, text) or `None`.
        raises: (exception name, text) pairs.
        attributes: (name, text) pairs.
        examples: Example code lines (raw: styles put them in literal blocks), or empty.
    """

    summary: str
    description: str
    parameters: tuple[tuple[str, str], ...]
    returns: tuple[str | None, str] | None
    yields: tuple[str | None, str] | None
    raises: tuple[tuple[str, str], ...]
    attributes: tuple[tuple[str, str], ...]
    examples: tuple[str, ...]


def parts(draft: Draft, target: Target, markup: str) -> Parts:
    """Escape a draft's text for `markup` and pair it with the target's real names.

    Names come from the target, never from the draft, so a rendered docstring can only name
    parameters and attributes that exist.
    """
    def esc(text: str | None) -> str:
        return escape_text(text or "", markup)

    parameters = []
    for parameter in target.parameters:
        text = parameter.doc if parameter.doc is not None else draft.parameters.get(parameter.name)
        if text is not None:
            parameters.append((parameter.display_name, esc(text)))
    attributes = tuple((name, esc(draft.attributes[name])) for name in target.attributes if name in draft.attributes)
    examples = tuple(line.rstrip() for line in (draft.examples or "").replace("\r", "").strip("\n").split("\n")) if draft.examples else ()
    return Parts(
        summary=esc(" ".join(draft.summary.split())),
        description=esc(draft.description),
        parameters=tuple(parameters),
        returns=(target.returns, esc(draft.returns)) if draft.returns is not None else None,
        yields=(None, esc(draft.yields)) if draft.yields is not None else None,
        raises=tuple((r.exception.strip(), esc(r.when)) for r in draft.raises),
        attributes=attributes,
        examples=examples,
    )


def indent(text: str, prefix: str = "    ") -> str:
    """Indent every non-empty line of `text`."""
    return "\n".join(prefix + line if line else "" for line in text.split("\n"))


def code_block(lines: tuple[str, ...], markup: str) -> str:
    """A literal block showing `lines` as code, never interpreted."""
    if markup == "markdown":
        # An indented code block: plain Markdown, no extension needed, and nothing inside is parsed.
        return indent("\n".join(lines))
    return "::\n\n" + indent("\n".join(lines))
