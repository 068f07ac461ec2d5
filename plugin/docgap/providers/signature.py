"""The offline provider: honest, deterministic drafts made from the target alone."""

from __future__ import annotations

import re

from docgap.drafts import Draft, Raise, Usage
from docgap.errors import GenerationError
from docgap.providers.base import Generation, TargetContext, Validator
from docgap.targets import Parameter, Target

_PLAIN = re.compile(r"^[\w.\[\], ]*$")
_KIND_NOUN = {"class": "class", "module": "module", "property": "property", "attribute": "value"}


class SignatureProvider:
    """Drafts docstrings from names, annotations, defaults and `raise` statements, with no network.

    Every draft says only what the signature shows, so it is labelled "Drafted from signature",
    never as AI text.
    """

    name = "signature"
    model: str | None = None

    async def generate(self, target: Target, context: TargetContext, validate: Validator) -> Generation:
        """Draft `target` from its signature.

        Args:
            target: The undocumented object.
            context: Unused; the signature provider only looks at the target.
            validate: Checks the draft; a draft it rejects is a bug reported as a failure.

        Returns:
            The draft, with zero usage.

        Raises:
            GenerationError: If the draft does not validate.
        """
        draft = draft_from_signature(target)
        errors = validate(draft.to_json())
        if errors:
            raise GenerationError(f"the signature draft for {target.path} is invalid: {'; '.join(errors)}")
        return Generation(draft=draft, usage=Usage(), attempts=1)

    async def aclose(self) -> None:
        """Nothing to release."""


def draft_from_signature(target: Target) -> Draft:
    """Build a draft that states only what the target's signature and body show.

    Args:
        target: The undocumented object.

    Returns:
        The draft.
    """
    return Draft(
        summary=_summary(target),
        parameters={p.name: _describe_parameter(p) for p in target.drafted_parameters},
        returns=_describe_value(target.returns, "The result") if target.returns_value else None,
        yields=_describe_value(_yield_type(target.returns), "The produced values") if target.yields else None,
        raises=tuple(Raise(name, "Raised by this code path; see the source for the conditions.")
                     for name in dict.fromkeys(target.raises)),
        attributes={name: f"The `{name}` attribute." for name in target.attributes},
    )


def _summary(target: Target) -> str:
    words = _words(target.name)
    if target.kind in ("function", "method"):
        prefix = "Asynchronously " if target.is_async else ""
        text = f"{prefix}{words}." if prefix else f"{words[:1].upper()}{words[1:]}."
        return text
    noun = _KIND_NOUN.get(target.kind, target.kind)
    if target.kind == "class":
        return f"The {words} {noun}."
    return f"The `{target.name}` {noun}."


def _describe_parameter(parameter: Parameter) -> str:
    if parameter.kind == "variadic positional":
        text = "Extra positional arguments"
    elif parameter.kind == "variadic keyword":
        text = "Extra keyword arguments"
    else:
        text = f"The {_words(parameter.name)}"
    if parameter.annotation:
        text += f", of type {_code(parameter.annotation)}"
    if parameter.kind == "keyword-only":
        text += " (keyword-only)"
    elif parameter.kind == "positional-only":
        text += " (positional-only)"
    text += "."
    if parameter.default is not None:
        text += f" Defaults to {_code(parameter.default)}."
    return text


def _describe_value(annotation: str | None, fallback: str) -> str:
    return f"{fallback}, of type {_code(annotation)}." if annotation else f"{fallback}."


def _code(text: str) -> str:
    """Source text as prose when it is plain (`int`, `1.0`), else as a code span (`'<string>'`)."""
    return text if _PLAIN.match(text) else f"`{text.replace('`', '')}`"


def _yield_type(annotation: str | None) -> str | None:
    """The yield type of `Iterator[X]`, `Generator[X, ...]` and friends, else the annotation."""
    if annotation is None:
        return None
    match = re.match(r"^(?:[\w.]*\.)?(?:Async)?(?:Iterator|Iterable|Generator)\[", annotation)
    if match is None:
        return annotation
    depth = 0
    for end, char in enumerate(annotation[match.end():], match.end()):
        if char in "[(":
            depth += 1
        elif char in "])" and depth:
            depth -= 1
        elif char in ",]" and not depth:  # the end of the first argument (`X` may be `tuple[a, b]`)
            return annotation[match.end():end].strip()
    return annotation


def _words(name: str) -> str:
    """`parse_http_header` → `parse http header`; `HTTPServer` → `HTTP server`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name.strip("_")).replace("_", " ")
    parts = [p if p.isupper() and len(p) > 1 else p.lower() for p in spaced.split()]
    return " ".join(parts) or name
