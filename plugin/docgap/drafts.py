"""The structured docstring a provider produces, and the record a store keeps of it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from docgap.targets import Target

if TYPE_CHECKING:
    from docgap.review import Review

Origin = Literal["lock", "cache", "generated"]
"""Where a resolved draft came from in this run."""


@dataclass(frozen=True)
class Raise:
    """One exception a callable may raise.

    Attributes:
        exception: The exception's name, e.g. `ValueError`.
        when: When it is raised.
    """

    exception: str
    when: str


@dataclass(frozen=True)
class Draft:
    """A style-neutral structured docstring.

    A model's draft is complete (a summary, every parameter, attribute, return and yield). One no
    model wrote may leave any field empty: it says nothing rather than filler, and an object the
    source shows no fact about gets an empty draft, which hosts show as its badge alone.

    Attributes:
        summary: One sentence, or `""`.
        description: Optional longer text.
        parameters: Text per parameter name (names without stars), in signature order.
        returns: What is returned, for callables that return a value.
        yields: What is yielded, for generators.
        raises: Exceptions and when they are raised.
        attributes: Text per attribute name, for classes.
        examples: Optional example code.
    """

    summary: str
    description: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    returns: str | None = None
    yields: str | None = None
    raises: tuple[Raise, ...] = ()
    attributes: dict[str, str] = field(default_factory=dict)
    examples: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the draft as a JSON object valid against the target's check schema.

        Only the keys with content are written (see `docgap.schema.check_schema`).
        """
        data: dict[str, Any] = {}
        if self.summary:
            data["summary"] = self.summary
        if self.description:
            data["description"] = self.description
        if self.parameters:
            data["parameters"] = dict(self.parameters)
        if self.returns is not None:
            data["returns"] = self.returns
        if self.yields is not None:
            data["yields"] = self.yields
        if self.raises:
            data["raises"] = [{"exception": r.exception, "when": r.when} for r in self.raises]
        if self.attributes:
            data["attributes"] = dict(self.attributes)
        if self.examples:
            data["examples"] = self.examples
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        """Build a draft from a JSON object that passed validation.

        Args:
            data: A JSON object valid against the target's schema.

        Returns:
            The draft.
        """
        return cls(
            summary=data.get("summary") or "",
            description=data.get("description") or None,
            parameters={name: text for name, text in (data.get("parameters") or {}).items() if text is not None},
            returns=data.get("returns"),
            yields=data.get("yields"),
            raises=tuple(Raise(r["exception"], r["when"]) for r in data.get("raises") or ()),
            attributes={name: text for name, text in (data.get("attributes") or {}).items() if text is not None},
            examples=data.get("examples") or None,
        )


@dataclass(frozen=True)
class Usage:
    """Token usage of the requests that produced one draft.

    Attributes:
        requests: How many requests were sent (re-asks included).
        input_tokens: Prompt tokens.
        output_tokens: Completion tokens.
        cached_tokens: Prompt tokens the service reported as served from its prompt cache.
    """

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.requests + other.requests,
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cached_tokens + other.cached_tokens,
        )

    def __sub__(self, other: Usage) -> Usage:
        return Usage(
            self.requests - other.requests,
            self.input_tokens - other.input_tokens,
            self.output_tokens - other.output_tokens,
            self.cached_tokens - other.cached_tokens,
        )


@dataclass(frozen=True)
class Record:
    """A valid draft with where it came from, as stored in the cache and the lockfile.

    Attributes:
        draft: The draft.
        provider: The provider that made it (`signature`, `openai`, `azure`, or a third party's).
        model: The model or deployment name; `None` when no model wrote it (`signature`).
        created: When it was made (seconds since the epoch).
        usage: What it cost.
        attempts: How many answers it took to get a valid one.
    """

    draft: Draft
    provider: str
    model: str | None = None
    created: float = field(default_factory=time.time)
    usage: Usage = field(default_factory=Usage)
    attempts: int = 1

    @property
    def is_ai(self) -> bool:
        """Whether a model wrote it: a provider names a model exactly when it is one (`Provider.is_model`)."""
        return self.model is not None

    def label(self, label_ai: str, label_signature: str) -> str:
        """The badge text hosts show for this record: one label for a model, one for signatures."""
        return label_ai if self.is_ai else label_signature

    @property
    def credit(self) -> str:
        """Who wrote the draft, for a badge's tooltip: `Generated by docgap with openai (gpt-4o-mini); ...`."""
        who = f"{self.provider} ({self.model})" if self.model else self.provider
        return f"Generated by docgap with {who}; not written by the authors"

    def to_json(self) -> dict[str, Any]:
        """Return the record as a JSON object."""
        return {
            "draft": self.draft.to_json(),
            "provider": self.provider,
            "model": self.model,
            "created": self.created,
            "usage": {
                "requests": self.usage.requests,
                "input_tokens": self.usage.input_tokens,
                "output_tokens": self.usage.output_tokens,
                "cached_tokens": self.usage.cached_tokens,
            },
            "attempts": self.attempts,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        """Build a record from `to_json` output (the draft is not re-validated here)."""
        usage = data.get("usage") or {}
        return cls(
            draft=Draft.from_json(data["draft"]),
            provider=str(data["provider"]),
            model=data.get("model"),
            created=float(data.get("created", 0.0)),
            usage=Usage(**{k: int(usage.get(k, 0)) for k in ("requests", "input_tokens", "output_tokens", "cached_tokens")}),
            attempts=int(data.get("attempts", 1)),
        )


@dataclass(frozen=True)
class Resolved:
    """A target together with the valid record that fills it in this run.

    Attributes:
        target: The undocumented object.
        record: The draft and its provenance.
        origin: Where the record came from in this run.
        review: The person's review that vouches for this very draft (accepted or edited), if any.
    """

    target: Target
    record: Record
    origin: Origin
    review: Review | None = None
