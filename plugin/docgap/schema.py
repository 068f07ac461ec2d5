"""The JSON Schema of a draft, built per target so the real names are enforced by the schema itself.

The same schema is sent to models as a strict structured-output schema, so it keeps to what strict
mode accepts: every object closed (`additionalProperties: false`) with every property required,
optional values spelled as `["string", "null"]`, no length or pattern keywords (those checks live
in `docgap.validate`).
"""

from __future__ import annotations

from typing import Any

from docgap.targets import Parameter, Target

SCHEMA_VERSION = 1
"""Bumped whenever the draft schema changes; part of every content key."""

_TEXT = {"type": "string"}
_OPTIONAL_TEXT = {"type": ["string", "null"]}


def draft_schema(target: Target) -> dict[str, Any]:
    """Build the JSON Schema of a valid draft for `target`.

    Args:
        target: The undocumented object.

    Returns:
        A JSON Schema (draft 2020-12) that is also a valid strict structured-output schema.
    """
    properties: dict[str, Any] = {
        "summary": {**_TEXT, "description": f"One sentence saying what {target.path} is or does."},
        "description": {**_OPTIONAL_TEXT, "description": "Optional further paragraphs, plain text; null if not needed."},
    }
    drafted = target.drafted_parameters
    if drafted:
        properties["parameters"] = _closed_object(
            {p.name: {**_TEXT, "description": _parameter_hint(p)} for p in drafted},
            f"One entry per parameter of {target.name}, exactly these names.",
        )
    if target.returns_value:
        properties["returns"] = {**_TEXT, "description": "What is returned" + (f" ({target.returns})." if target.returns else ".")}
    if target.yields:
        properties["yields"] = {**_TEXT, "description": "What each iteration yields."}
    properties["raises"] = {
        "type": "array",
        "description": "Exceptions the code raises, only those visible in the source; may be empty.",
        "items": _closed_object(
            {"exception": {**_TEXT, "description": "Exception class name."},
             "when": {**_TEXT, "description": "When it is raised."}},
            "One exception.",
        ),
    }
    if target.attributes:
        properties["attributes"] = _closed_object(
            {name: {**_TEXT, "description": f"The {name} attribute."} for name in target.attributes},
            "One entry per attribute, exactly these names.",
        )
    properties["examples"] = {**_OPTIONAL_TEXT, "description": "Optional Python example code (no prompts or markup); null if none."}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "docstring",
        **_closed_object(properties, f"A structured docstring for the {target.kind} {target.path}."),
    }


def _closed_object(properties: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _parameter_hint(parameter: Parameter) -> str:
    hint = f"The {parameter.display_name} parameter"
    if parameter.annotation:
        hint += f", annotated {parameter.annotation}"
    if parameter.default is not None:
        hint += f", default {parameter.default}"
    return hint + "."
