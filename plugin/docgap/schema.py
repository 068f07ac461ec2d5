"""The JSON Schema of a draft, built per target so the real names are enforced by the schema itself.

The same schema is sent to models as an OpenAI strict structured-output schema, so it keeps to
the subset strict mode accepts:

- the root is an object; every object lists all its properties in `required` and sets
  `additionalProperties: false`;
- an optional value is a required property typed `["string", "null"]`;
- only `type`, `properties`, `required`, `additionalProperties`, `items`, `title` and
  `description` are used: no `minLength`, `maxLength`, `pattern`, `format`, `minItems` or
  `maxItems`, which strict mode rejects or ignores depending on the model. Lengths, placeholders,
  markup and names are checked by `docgap.validate` instead.

The keys match `Draft.to_json()`: `parameters` only when the target has parameters to draft,
`returns` only when it returns a value, `yields` only for generators, `attributes` only for
classes with attributes.
"""

from __future__ import annotations

from typing import Any

from docgap.targets import Parameter, Target

SCHEMA_VERSION = 1
"""Bumped whenever the draft schema changes; part of every content key."""

STRICT_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties", "items", "title", "description"})
"""The JSON Schema keywords `draft_schema` uses (plus `$schema` at the root, dropped before sending)."""

_CODE_HINT = "Plain text; write a code name in single backticks only if it exists."


def draft_schema(target: Target) -> dict[str, Any]:
    """Build the JSON Schema of a valid draft for `target`.

    Args:
        target: The undocumented object.

    Returns:
        A JSON Schema (draft 2020-12) that is also a valid strict structured-output schema.
    """
    who = display(target)
    properties: dict[str, Any] = {
        "summary": _text("Summary", f"One sentence on one line saying what {who} is or does."),
        "description": _text(
            "Description",
            f"Further paragraphs about {who}, only if the source shows more worth saying; null otherwise. {_CODE_HINT}",
            optional=True,
        ),
    }
    drafted = target.drafted_parameters
    if drafted:
        properties["parameters"] = _object(
            "Parameters",
            f"One entry per parameter of {who}, keyed by these exact names (no stars, no self/cls).",
            {p.name: _text(p.display_name, _parameter_hint(p)) for p in drafted},
        )
    if target.returns_value:
        annotated = f", annotated `{_short(target.returns)}`" if target.returns else ""
        properties["returns"] = _text("Returns", f"What {who} returns{annotated}. {_CODE_HINT}")
    if target.yields:
        annotated = f" (annotated `{_short(target.returns)}`)" if target.returns else ""
        properties["yields"] = _text("Yields", f"What each iteration of {who} yields{annotated}. {_CODE_HINT}")
    raised = ", ".join(dict.fromkeys(target.raises))
    properties["raises"] = {
        "type": "array",
        "title": "Raises",
        "description": "Exceptions the source raises explicitly"
        + (f" (it raises: {raised})" if raised else " (none are visible: leave this empty)")
        + "; never guess.",
        "items": _object("Raise", "One exception and when it is raised.", {
            "exception": _text("Exception", "The exception's class name, e.g. ValueError or module.Error."),
            "when": _text("When", "The condition under which it is raised, as one sentence."),
        }),
    }
    if target.attributes:
        properties["attributes"] = _object(
            "Attributes",
            f"One entry per public attribute of {who}, keyed by these exact names.",
            {name: _text(name, f"What the {name} attribute of {who} holds. {_CODE_HINT}") for name in target.attributes},
        )
    properties["examples"] = _text(
        "Examples",
        "Optional runnable Python code showing typical use, without >>> prompts or markup; null if none.",
        optional=True,
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **_object("docstring", f"A structured docstring for the {target.kind} {who}.", properties),
    }


def display(target: Target) -> str:
    """How schema descriptions and error messages name a target: `pkg.paint()` for callables, else the path."""
    return f"{target.path}()" if target.kind in ("function", "method") else target.path


def _text(title: str, description: str, *, optional: bool = False) -> dict[str, Any]:
    return {"type": ["string", "null"] if optional else "string", "title": title, "description": description}


def _object(title: str, description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "title": title,
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _parameter_hint(parameter: Parameter) -> str:
    hint = f"The {parameter.kind} parameter {parameter.display_name}"
    if parameter.annotation:
        hint += f", annotated `{_short(parameter.annotation)}`"
    if parameter.default is not None:
        hint += f", default `{_short(parameter.default)}`"
    return f"{hint}: what it means and how it is used. {_CODE_HINT}"


def _short(source: str, limit: int = 80) -> str:
    """Source text on one line, cut at `limit` characters (a default can be a whole literal)."""
    text = " ".join(source.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
