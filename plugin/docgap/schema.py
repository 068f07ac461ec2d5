"""The JSON Schema of a draft, built per target so the real names are enforced by the schema itself.

Two kinds of schema are built from the same description of a target:

- `draft_schema(target)`: what a model is asked for. It is sent as an OpenAI strict
  structured-output schema, so it keeps to the subset strict mode accepts:

  - the root is an object; every object lists all its properties in `required` and sets
    `additionalProperties: false`;
  - an optional value is a required property typed `["string", "null"]`;
  - only `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `title` and
    `description` are used: no `minLength`, `maxLength`, `pattern`, `format`, `minItems` or
    `maxItems`, which strict mode rejects or ignores depending on the model. Lengths,
    placeholders, markup and names are checked by `docgap.validate` instead.

  It offers only what can apply to the object: `parameters` only when it has parameters to
  draft, `returns` only when it returns a value, `yields` only for generators, `attributes` only
  for classes with attributes, `raises` only when its source raises (the exception names limited
  to those, an enum), `examples` only for functions, methods and classes.

- `check_schema(target, partial=...)`: what a draft is checked against (`docgap.validate`). It
  has the same keys, and `raises` always (`docgap.grounding` admits only exceptions the source
  raises); `description`, `raises` and `examples` may be left out, since `Draft.to_json()` writes
  only the fields with content. A *complete* draft, what a model must give, has a summary and
  every parameter, attribute, return and yield described. A *partial* one, what a provider that
  is no model gives, may leave out any field it has nothing true to say about: the offline
  provider states facts or nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docgap.targets import Parameter, Target

SCHEMA_VERSION = 2
"""Bumped whenever the draft schema changes; part of every content key."""

MAX_SUMMARY_CHARS = 200
"""Longest summary line accepted (said in the schema, checked by `docgap.validate`)."""

EXAMPLE_KINDS = frozenset({"function", "method", "class"})
"""The kinds of object a draft may give example code for."""

STRICT_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties", "items", "enum", "title",
                             "description"})
"""The JSON Schema keywords `draft_schema` uses (plus `$schema` at the root, dropped before sending)."""

_CODE_HINT = "Plain text; write a code name in single backticks only if it exists."
_OPTIONAL = ("description", "raises", "examples")  # what a complete draft may leave out: to_json writes no empty field


def draft_schema(target: Target) -> dict[str, Any]:
    """Build the JSON Schema a model's answer for `target` must follow.

    Args:
        target: The undocumented object.

    Returns:
        A JSON Schema (draft 2020-12) that is also a valid strict structured-output schema.
    """
    return _schema(target, check=False)


def check_schema(target: Target, *, partial: bool = False) -> dict[str, Any]:
    """Build the JSON Schema a draft for `target` is checked against (see the module docstring).

    Args:
        target: The undocumented object.
        partial: Check a draft no model wrote: nothing is required and every text may be null.

    Returns:
        A JSON Schema (draft 2020-12) with the keys of `draft_schema(target)`, and `raises`.
    """
    schema = _schema(target, check=True)
    properties = schema["properties"]
    schema["required"] = [] if partial else [key for key in properties if key not in _OPTIONAL]
    if partial:
        for key, value in properties.items():
            if key in ("parameters", "attributes"):
                value["required"] = []
                for text in value["properties"].values():
                    text["type"] = ["string", "null"]
            elif key != "raises":
                value["type"] = ["string", "null"]
    return schema


def _schema(target: Target, *, check: bool) -> dict[str, Any]:
    """The request schema; with `check`, `raises` is always there and any exception name fits it
    (`docgap.grounding` tells which the source raises)."""
    who = display(target)
    properties: dict[str, Any] = {
        "summary": _text("Summary", f"One sentence on one line, at most {MAX_SUMMARY_CHARS} characters, saying what "
                         f"{who} is or does."),
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
    raised = list(dict.fromkeys(target.raises))
    if raised or check:
        listed = ", ".join(raised) or "none"
        properties["raises"] = _raises(f"Exceptions the source raises explicitly (it raises: {listed}), each with "
                                       "the condition the source shows; leave out any whose condition it does not "
                                       "show.", None if check else raised)
    if target.attributes:
        properties["attributes"] = _object(
            "Attributes",
            f"One entry per public attribute of {who}, keyed by these exact names.",
            {name: _text(name, f"What the {name} attribute of {who} holds. {_CODE_HINT}") for name in target.attributes},
        )
    if target.kind in EXAMPLE_KINDS:
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


def _raises(description: str, raised: list[str] | None) -> dict[str, Any]:
    exception = _text("Exception", "The exception's name, as the source raises it.")
    if raised is not None:
        exception["enum"] = raised
    return {
        "type": "array",
        "title": "Raises",
        "description": description,
        "items": _object("Raise", "One exception and when it is raised.", {
            "exception": exception,
            "when": _text("When", "The condition under which it is raised, as one sentence."),
        }),
    }


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
