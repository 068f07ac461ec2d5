"""The offline provider: honest, deterministic drafts made from the target alone."""

from __future__ import annotations

import re

from docgap.drafts import Draft, Raise, Usage
from docgap.errors import GenerationError
from docgap.limits import Limits
from docgap.providers.base import Generation, TargetContext, Validator
from docgap.schema import MAX_SUMMARY_CHARS
from docgap.settings import Settings
from docgap.targets import Target


class SignatureProvider:
    """Drafts docstrings from facts the source and the package show, with no network.

    Every draft states only facts (bases, values, overrides, where an object is a default, the
    condition of a `raise`) and the package's own words, quoted with their source; it is labelled
    "Drafted from signature", never as AI text.

    Args:
        settings: Unused (the signature provider needs no configuration); there so that the class
            is its own `ProviderFactory`.
        limits: The run's limits; the provider sends no request, so it only hands them to the engine.
    """

    name = "signature"
    model: str | None = None
    is_model = False

    def __init__(self, settings: Settings | None = None, limits: Limits | None = None) -> None:
        self.limits = limits if limits is not None else Limits()

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
        if errors and target.own_words:  # quoted text may name what the scan does not know: quote it as prose
            draft = draft_from_signature(target, code_in_quotes=False)
            errors = validate(draft.to_json()) and errors
        if errors:
            raise GenerationError(f"the signature draft for {target.path} is invalid: {'; '.join(errors)}")
        return Generation(draft=draft, usage=Usage(), attempts=1)

    async def aclose(self) -> None:
        """Nothing to release."""


def draft_from_signature(target: Target, *, code_in_quotes: bool = True) -> Draft:
    """Build a draft that states only facts the source and the package show, and leaves out the rest.

    Facts: a class's bases, an attribute's defining expression, a property read-only or settable,
    the member a method overrides, where the object is a parameter's default, the condition of a
    `raise` directly under one `if`; and the package's own words about the object, quoted with
    their source. A field with nothing true to say is left out.

    Args:
        target: The undocumented object.
        code_in_quotes: Keep code spans in quoted human text (`False` makes them plain text,
            for text naming something the scan does not know).

    Returns:
        The draft.
    """
    known = facts(target)
    quotes = [(where, _plain(text, code_in_quotes)) for where, text in target.own_words]
    lines = [" ".join(known)] if known and len(" ".join(known)) <= MAX_SUMMARY_CHARS else known
    if not lines and quotes:  # the package's own words lead: their first sentence is the summary
        where, text = quotes.pop(0)
        first, rest = _first_sentence(text)
        lines = [_quoted(where, first)] + ([f"“{rest}”"] if rest else [])
    paragraphs = [*lines, *(_quoted(where, text) for where, text in quotes)]
    summary = paragraphs.pop(0) if paragraphs and _one_line(paragraphs[0]) else None
    return Draft(
        summary=summary or "",
        description="\n\n".join(paragraphs) or None,
        raises=tuple(Raise(name, f"If `{test}`." if test else "Always.") for name, test in target.raise_conditions),
    )


def facts(target: Target) -> list[str]:
    """The facts a target carries, as sentences: bases, value, property kind, override, default uses.

    Args:
        target: The undocumented object.

    Returns:
        One sentence per fact; code names in single backticks.
    """
    facts = []
    if target.bases:
        facts.append(f"Subclass of {_join([f'`{base}`' for base in target.bases])}.")
    if target.value is not None:
        facts.append(f"Set to `{target.value.replace('`', '')}`.")
    if target.settable is not None:
        facts.append("Settable property." if target.settable else "Read-only property.")
    if target.overrides:
        facts.append(f"Overrides `{target.overrides}`.")
    facts += [f"Default of the {parameter} parameter of `{callable_}`." for callable_, parameter in target.default_of]
    return facts


def _quoted(where: str, text: str) -> str:
    # No colon before the quote: napoleon reads `words: text` opening an attribute's docstring as `type: text`.
    return f"“{text}”, says {where}."


def _first_sentence(text: str) -> tuple[str, str]:
    """`text` split after its first sentence (when it ends on the first line), else `(text, "")`."""
    match = re.match(r"[^\n]*?[.!?](?=\s|$)", text)
    if match is None:
        return text, ""
    return match.group(0), text[match.end():].strip()


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _plain(text: str, code: bool) -> str:
    return text if code else text.replace("`", "")


def _one_line(text: str) -> bool:
    return "\n" not in text and len(text) <= MAX_SUMMARY_CHARS
