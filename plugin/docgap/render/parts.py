"""The escaped pieces every style is assembled from, and small layout helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from docgap.drafts import Draft
from docgap.render.sanitize import code_block, escape_text, normalize
from docgap.targets import Target

_DOTTED = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*")
_ITERATOR = re.compile(r"^(?:[\w.]*\.)?(?:Async)?(?:Iterator|Iterable|Generator)\[(?P<args>.*)\]$")


@dataclass(frozen=True)
class Parts:
    """A draft's text, escaped for one markup, paired with the target's real names.

    Attributes:
        summary: The one-line summary.
        description: Further paragraphs, or an empty string.
        parameters: (display name, text) in signature order, human `Doc(...)` text included.
        returns: The text about the returned value, if the draft has one.
        returns_type: The return annotation as one line, if the target has one.
        yields: The text about yielded values, if the draft has one.
        yields_type: The yield type read from an `Iterator[...]`-like annotation, if any.
        raises: (exception name, text) pairs.
        attributes: (name, text) in the target's order.
        examples: The example code as a block nothing interprets, or an empty string.
    """

    summary: str
    description: str
    parameters: tuple[tuple[str, str], ...]
    returns: str | None
    returns_type: str | None
    yields: str | None
    yields_type: str | None
    raises: tuple[tuple[str, str], ...]
    attributes: tuple[tuple[str, str], ...]
    examples: str


def parts(draft: Draft, target: Target, markup: str) -> Parts:
    """Escape a draft's text for `markup` and pair it with the target's names.

    Names come from the target, never from the draft, so a rendered docstring can only name
    parameters and attributes that exist. A human `Doc(...)` text is escaped like generated text:
    it is plain prose, and escaping keeps it from breaking the section it sits in.

    Args:
        draft: The draft (normally validated; rendering stays safe when it is not).
        target: The object it documents.
        markup: `"rest"` or `"markdown"`.

    Returns:
        The pieces.
    """
    def esc(text: str | None) -> str:
        return escape_text(text or "", markup)

    parameters = []
    for parameter in target.parameters:
        text = parameter.doc if parameter.doc is not None else draft.parameters.get(parameter.name)
        if text is not None:
            parameters.append((parameter.display_name, esc(text)))
    returns_type = " ".join(target.returns.split()) if target.returns else None
    return Parts(
        summary=esc(" ".join(draft.summary.split())),
        description=esc(draft.description),
        parameters=tuple(parameters),
        returns=esc(draft.returns) if draft.returns is not None else None,
        returns_type=returns_type,
        yields=esc(draft.yields) if draft.yields is not None else None,
        yields_type=_yield_type(returns_type),
        raises=tuple((exception_name(r.exception), esc(r.when)) for r in draft.raises),
        attributes=tuple((name, esc(draft.attributes[name])) for name in target.attributes if name in draft.attributes),
        examples=code_block(draft.examples or "", markup),
    )


def exception_name(name: str) -> str:
    """A raised exception's name: as is when it is a dotted identifier, else only its word characters.

    Validation admits identifiers only; this keeps an unchecked draft from putting markup, or a
    colon a parser would split on, where a name goes.
    """
    name = name.strip()
    if _DOTTED.fullmatch(name):
        return name
    return re.sub(r"[^\w.]+", " ", normalize(name)).strip(" ._") or "Exception"


def indent(text: str, prefix: str = "    ") -> str:
    """Indent every non-empty line of `text`."""
    return "\n".join(prefix + line if line else "" for line in text.split("\n"))


def hanging(first: str, text: str) -> str:
    """`first` followed by `text` on the same line, its further lines indented under it."""
    head, _, rest = text.partition("\n")
    line = f"{first} {head}".rstrip()
    return line + ("\n" + indent(rest) if rest else "")


def _yield_type(annotation: str | None) -> str | None:
    """`X` from `Iterator[X]`, `Generator[X, S, R]` and their async and `typing.` forms."""
    match = _ITERATOR.match(annotation or "")
    if match is None:
        return None
    depth = 0
    for index, char in enumerate(args := match.group("args")):
        depth += (char in "[(") - (char in "])")
        if char == "," and depth == 0:
            return args[:index].strip()
    return args.strip()
