"""The provider protocol: what turns one `Target` into one valid `Draft`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from docgap.drafts import Draft, Usage
from docgap.limits import Limits
from docgap.targets import Target

Validator = Callable[[Any], list[str]]
"""Checks a raw answer (parsed JSON) for one target; returns human-readable errors, empty if valid."""


@dataclass(frozen=True)
class Generation:
    """A provider's successful answer for one target.

    Attributes:
        draft: The valid draft.
        usage: What the requests cost.
        attempts: How many answers it took.
    """

    draft: Draft
    usage: Usage = field(default_factory=Usage)
    attempts: int = 1


@dataclass(frozen=True)
class TargetContext:
    """What a provider may use besides the target itself.

    Attributes:
        examples: Existing human docstrings from the same module, as examples of the project's voice.
    """

    examples: tuple[str, ...] = ()


class Provider(Protocol):
    """Something that drafts docstrings.

    Attributes:
        name: The name it is registered under (`signature`, `openai`, `azure`, or a third party's);
            recorded with every draft.
        model: The model or deployment; `None` exactly when `is_model` is false.
        is_model: Whether a model writes its drafts. One that is not (like `signature`) is labelled
            `label_signature`, and its drafts are replaced once a model is configured.
        limits: The run's rate limits and budget, given to its factory. A provider that sends
            requests acquires them before each and records what each cost; the engine reads
            `exhausted` and the run's usage from the same object.
    """

    name: str
    model: str | None
    is_model: bool
    limits: Limits

    async def generate(self, target: Target, context: TargetContext, validate: Validator) -> Generation:
        """Draft one target.

        Args:
            target: The undocumented object.
            context: Extra material for the prompt.
            validate: Returns the errors of a parsed answer; the provider must only return a
                draft for which it returned no error.

        Returns:
            The valid draft and its cost.

        A provider that sends requests reserves each one with the run's `Limits.acquire` (and
        sends it with the output cap granted) and settles it with `Limits.settle`, answers that
        gave no draft included: the run's totals come from there.

        Raises:
            GenerationError: When no valid draft could be had; the reason is safe to show and
                does not repeat the object's path (the caller names the object).
        """
        ...

    async def aclose(self) -> None:
        """Release network resources."""
        ...
