"""Validation of a draft: the per-target schema, then what a schema cannot say, then grounding.

An answer that fails any check is never cached or rendered; the errors are worded so that a model
re-asked with them can fix its answer, and a person reading a warning knows what was wrong.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema

from docgap.grounding import ungrounded_names
from docgap.schema import draft_schema
from docgap.targets import Target

MAX_FIELD_CHARS = 4000
MAX_EXAMPLES_CHARS = 8000
MAX_SUMMARY_CHARS = 200

_IDENTIFIER = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
_PLACEHOLDER_FIELD = re.compile(r"^\s*(todo|tbd|n/?a|fixme|xxx|\.\.\.|…|none|null|-+|\?+|<[^<>]*>|description)\s*\.?\s*$", re.I)
_PLACEHOLDER_ANYWHERE = re.compile(r"\b(TODO|FIXME|TBD|XXX)\b|lorem ipsum", re.I)
_MARKUP = [
    (re.compile(r"^\s*\.\.\s*[\w:+-]+\s*::", re.M), "a reST directive (`.. name::`)"),
    (re.compile(r"^\s*\.\.\s+(_|\[|\|)", re.M), "a reST target, footnote or substitution definition"),
    (re.compile(r":[A-Za-z][\w:+.-]*:`"), "a reST role (`:role:`text``)"),
    (re.compile(r"(?<![\w|])\|[^\s|][^|\n]*(?<!\s)\|(?![\w|])"), "a reST substitution reference (`|name|`)"),
    (re.compile(r"`[^`]*<[^`>]*>`__?"), "a reST hyperlink"),
    (re.compile(r"<\s*/?\s*[A-Za-z][\w:-]*(\s[^<>]*)?/?\s*>|<!--|<\?|<!\[CDATA\[", re.I), "raw HTML"),
    (re.compile(r"\b(javascript|vbscript|data)\s*:", re.I), "a script or data URL"),
    (re.compile(r"!?\[[^\]\n]*\]\([^)\n]*\)"), "a Markdown link or image"),
]


def validate(data: Any, target: Target, known_names: frozenset[str] = frozenset()) -> list[str]:
    """Check a draft (as parsed JSON) for `target`.

    Args:
        data: The answer, parsed from JSON.
        target: The object it documents.
        known_names: Names of the scanned packages, for grounding (see `docgap.grounding`).

    Returns:
        Human-readable errors; empty when the draft may be cached and rendered.
    """
    errors = _schema_errors(data, target)
    if errors:
        return errors
    errors = _semantic_errors(data)
    return errors or ungrounded_names(data, target, known_names)


def _schema_errors(data: Any, target: Target) -> list[str]:
    shape = (tuple(p.name for p in target.drafted_parameters), target.returns_value, target.yields, target.attributes)
    validator = _VALIDATORS.get(shape)
    if validator is None:
        # Targets of the same shape share one validator: descriptions differ, constraints do not.
        validator = _VALIDATORS[shape] = _validator(json.dumps(draft_schema(target), sort_keys=True))
        if len(_VALIDATORS) > 4096:
            _VALIDATORS.pop(next(iter(_VALIDATORS)))
    errors = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        errors.append(_explain(error, data, target))
    return errors


_VALIDATORS: dict[tuple[Any, ...], jsonschema.protocols.Validator] = {}


def _validator(schema_json: str) -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(json.loads(schema_json))


def _explain(error: jsonschema.ValidationError, data: Any, target: Target) -> str:
    where = ".".join(map(str, error.absolute_path)) or "answer"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        if where == "parameters":
            allowed = [p.name for p in target.drafted_parameters]
            return (f"parameters: {', '.join(map(repr, extra))} is not a parameter of {target.path}; "
                    f"its parameters are: {', '.join(allowed)}")
        if where == "attributes":
            allowed = list(target.attributes)
            return f"attributes: {', '.join(map(repr, extra))} is not an attribute of {target.path}; its attributes are: {', '.join(allowed)}"
        return f"{where}: unexpected key(s) {', '.join(map(repr, extra))}; allowed keys: {', '.join(allowed)}"
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"{where}: missing {', '.join(map(repr, missing))}"
    if error.validator == "type":
        return f"{where}: must be {error.validator_value}, got {type(error.instance).__name__}"
    return f"{where}: {error.message}"


def _semantic_errors(data: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    summary = data["summary"].strip()
    if not summary:
        errors.append("summary: must not be empty")
    elif "\n" in summary:
        errors.append("summary: must be one line (put more in `description`)")
    elif len(summary) > MAX_SUMMARY_CHARS:
        errors.append(f"summary: {len(summary)} characters; keep it to one sentence under {MAX_SUMMARY_CHARS}")
    for field, text in _fields(data):
        limit = MAX_EXAMPLES_CHARS if field == "examples" else MAX_FIELD_CHARS
        if len(text) > limit:
            errors.append(f"{field}: {len(text)} characters is too long (at most {limit})")
            continue
        if field != "description" and not text.strip():
            errors.append(f"{field}: must not be empty")
        elif _PLACEHOLDER_FIELD.match(text) or _PLACEHOLDER_ANYWHERE.search(text):
            errors.append(f"{field}: placeholder text; write the real documentation")
        if field == "examples":
            continue
        for pattern, what in _MARKUP:
            if pattern.search(text):
                errors.append(f"{field}: contains {what}; write plain text only")
                break
    for index, item in enumerate(data.get("raises") or ()):
        if not _IDENTIFIER.match(item["exception"].strip()):
            errors.append(f"raises[{index}].exception: {item['exception']!r} is not an exception name")
    return errors


def _fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    fields = [(k, data[k]) for k in ("summary", "description", "returns", "yields", "examples") if isinstance(data.get(k), str)]
    for key in ("parameters", "attributes"):
        fields += [(f"{key}.{name}", text) for name, text in (data.get(key) or {}).items()]
    for index, item in enumerate(data.get("raises") or ()):
        fields.append((f"raises[{index}].when", item["when"]))
    return fields
