"""Validation of a draft: the per-target schema, then what a schema cannot say, then grounding.

An answer that fails any check is never cached or rendered. Errors name the key at fault
(`parameters.alpha`, `raises[0].exception`) and say what to do, so that a model re-asked with
them can fix its answer and a person reading a warning knows what was wrong.

A model's draft must be complete: a summary, every parameter, attribute, return and yield
described (a model is re-asked until it is). A draft no model wrote is checked with `partial`:
it may leave out any field, and says nothing rather than filler (see `docgap.schema`).

Checks after the schema:

- the summary is one non-empty line of at most `MAX_SUMMARY_CHARS` characters;
- no field is empty or placeholder text (`TODO`, `TBD`, `N/A`, `...`, `Lorem ipsum`,
  `<description>`...); no field holds control characters;
- no field is longer than `MAX_FIELD_CHARS` (`MAX_EXAMPLES_CHARS` for examples), the whole
  answer stays under `MAX_ANSWER_CHARS` and lists at most `MAX_RAISES` exceptions;
- exception names are dotted identifiers;
- no text holds markup: reST directives, comments and targets, roles, field markers,
  substitutions, hyperlink and footnote references, raw HTML, script or data URLs, Markdown links
  and images (the renderer would show them as text anyway; an answer that needs them is wrong);
- examples are plain Python that compiles, without `>>>` prompts;
- every name in a code span exists (`docgap.grounding`).
"""

from __future__ import annotations

import ast
import re
import warnings
from typing import TYPE_CHECKING, Any

from docgap.grounding import is_dotted_name, ungrounded_names
from docgap.render.sanitize import CODE_SPAN
from docgap.schema import EXAMPLE_KINDS, MAX_SUMMARY_CHARS, check_schema, display, draft_schema
from docgap.targets import Target

if TYPE_CHECKING:
    import jsonschema

MAX_FIELD_CHARS = 4000
"""Longest text accepted in any field but `examples`."""
MAX_EXAMPLES_CHARS = 8000
"""Longest example code accepted."""
MAX_ANSWER_CHARS = 50_000
"""Most text accepted in one answer, all fields together."""
MAX_RAISES = 20
"""Most exceptions accepted in `raises`."""

# Control characters (Unicode category Cc) but line breaks and tabs, surrogates (Cs), bidirectional overrides.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")

_PLACEHOLDER_FIELD = re.compile(
    r"(?:todo|tbd|tba|fixme|xxx|n/?a|none|null|nil|undefined|description|placeholder|\.{2,}|…|[-_?*.]+|<[^<>]*>)[.!]?",
    re.IGNORECASE,
)
_PLACEHOLDER_WORD = re.compile(r"\b(?:TODO|FIXME|TBD|XXX)\b")
_PLACEHOLDER_ANYWHERE = re.compile(
    r"lorem ipsum|<\s*(?:[\w-]+\s+)*(?:description|summary|text|details?|explanation|value|name|type|param(?:eter)?|"
    r"returns?|yields?|example|insert[\w ]*)s?\s*>|\[\s*(?:description|insert[\w ]*|placeholder)\s*\]",
    re.IGNORECASE,
)
_MARKUP_ANYWHERE = [  # checked on the whole text, code spans included
    (re.compile(r"^[ \t]*\.\.(?:\s|$)", re.MULTILINE),
     "a reST directive, comment or target (a line starting with `..`)"),
    (re.compile(r"\b(?:javascript|vbscript|livescript)\s*:|\bdata:[\w.+-]+/[\w.+-]+", re.IGNORECASE),
     "a script or data URL"),
    (re.compile(r":[A-Za-z][\w+.-]*(?::[A-Za-z][\w+.-]*)?:`|`[^`\n]*`:[A-Za-z][\w+.-]*:"), "a reST role (`:role:`text``)"),
    (re.compile(r"`[^`\n]*`__?(?!\w)"), "a reST hyperlink reference (`` `text <url>`_ ``)"),
]
# Checked outside code spans, which render as literals. Bracket texts are bounded so that
# matching stays linear on hostile input.
_MARKUP_PROSE = [
    (re.compile(r"^[ \t]*:[^:\s`][^:\n`]*:(?:\s|$)", re.MULTILINE), "a reST field marker (`:name:` at a line start)"),
    (re.compile(r"(?<![\w`:]):[A-Za-z][\w+.-]*:(?![\w:`])"), "a reST role or emoji marker (`:name:`)"),
    (re.compile(r"(?<![\w|])\|[^\s|][^|\n]*(?<!\s)\|(?![\w|])"), "a reST substitution reference (`|name|`)"),
    (re.compile(r"\[[^\]\n]{1,200}\]_"), "a reST footnote or citation reference (`[1]_`)"),
    (re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>\n]*)?/?>|<!--|<\?|<!\[CDATA\[|<!doctype|"
                r"<(?:script|img|iframe|object|embed|svg|style|link|meta|form|input|a)\b", re.IGNORECASE), "raw HTML"),
    (re.compile(r"!?\[[^\]\n]{0,200}\]\(|^[ \t]*\[[^\]\n]{1,200}\]:\s", re.MULTILINE),
     "a Markdown link or image"),
]


def validate(data: Any, target: Target, known_names: frozenset[str] = frozenset(), *,
             partial: bool = False) -> list[str]:
    """Check a draft (as parsed JSON) for `target`.

    Args:
        data: The answer, parsed from JSON.
        target: The object it documents.
        known_names: Names of the scanned packages, for grounding (see `docgap.grounding`);
            empty when there is no scan context.
        partial: The draft is from a provider that is no model (`Provider.is_model` false): it
            may leave out any field. A model's draft must be complete.

    Returns:
        Human-readable errors; empty when the draft may be cached and rendered.
    """
    errors = _schema_errors(data, target, partial)
    if errors:
        return errors
    errors = _size_errors(data)
    if errors:
        return errors  # nothing more is read from an oversized answer
    return _semantic_errors(data, target) + ungrounded_names(data, target, known_names)


_SCHEMAS: dict[tuple[Any, ...], dict[str, Any]] = {}


def _schema(target: Target, partial: bool) -> dict[str, Any]:
    # Targets of the same shape share one schema here: descriptions differ, constraints do not.
    shape = (tuple(p.name for p in target.drafted_parameters), target.returns_value, target.yields, target.attributes,
             target.kind in EXAMPLE_KINDS, partial)
    schema = _SCHEMAS.get(shape)
    if schema is None:
        if len(_SCHEMAS) >= 4096:
            _SCHEMAS.pop(next(iter(_SCHEMAS)))
        schema = _SCHEMAS[shape] = check_schema(target, partial=partial)
    return schema


def _schema_errors(data: Any, target: Target, partial: bool) -> list[str]:
    if not isinstance(data, dict):
        keys = ", ".join(draft_schema(target)["properties"])
        return [f"answer: must be a JSON object with the keys {keys}, got {_json_type(data)}"]
    schema = _schema(target, partial)
    if _conforms(data, schema):
        return []  # the common case, without jsonschema's cost; it explains the failures below
    import jsonschema  # here, not above: a build whose drafts all conform never loads it

    errors = (_explain(error, target) for error in jsonschema.Draft202012Validator(schema).iter_errors(data))
    return list(dict.fromkeys(errors))


_JSON_TYPES: dict[str, tuple[type, ...]] = {"object": (dict,), "array": (list,), "string": (str,), "null": (type(None),)}


def _conforms(value: Any, schema: dict[str, Any]) -> bool:
    """Whether `value` is valid against a schema made of `schema.STRICT_KEYWORDS` only."""
    kinds = schema.get("type")
    if kinds is not None:
        allowed = kinds if isinstance(kinds, list) else [kinds]
        if not any(isinstance(value, _JSON_TYPES.get(kind, ())) for kind in allowed):
            return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        if not set(schema.get("required", ())) <= value.keys():
            return False
        if schema.get("additionalProperties") is False and not value.keys() <= properties.keys():
            return False
        return all(_conforms(item, properties[key]) for key, item in value.items() if key in properties)
    if isinstance(value, list) and "items" in schema:
        return all(_conforms(item, schema["items"]) for item in value)
    return True


def _explain(error: jsonschema.ValidationError, target: Target) -> str:
    where = _where(error.absolute_path)
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = list(error.schema.get("properties", {}))
        extra = [key for key in instance if key not in allowed]
        return _unexpected(where, extra, allowed, target)
    if error.validator == "required" and isinstance(instance, dict):
        missing = [key for key in error.validator_value if key not in instance]
        return f"{where}: missing {', '.join(map(repr, missing))}"
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        wanted = " or ".join(("an " if t in ("object", "array") else "a " if t != "null" else "") + t for t in expected)
        return f"{where}: must be {wanted}, got {_json_type(instance)}"
    return f"{where}: {error.message[:200]}"


def _unexpected(where: str, extra: list[str], allowed: list[str], target: Target) -> str:
    names = ", ".join(repr(_short(key)) for key in extra)
    who = display(target)
    verb = "is" if len(extra) == 1 else "are"
    if where == "parameters":
        documented = [p.name for p in target.parameters if p.doc is not None]
        hint = "; write names without stars" if any(key.lstrip("*") in allowed for key in extra) else ""
        hint += f"; {', '.join(documented)} {'is' if len(documented) == 1 else 'are'} documented already" if documented else ""
        return f"parameters: {names} {verb} not a parameter of {who}; its parameters are: {', '.join(allowed)}{hint}"
    if where == "attributes":
        return f"attributes: {names} {verb} not an attribute of {who}; its attributes are: {', '.join(allowed)}"
    if where == "answer":
        why = {"parameters": f"{who} has no parameters to document", "returns": f"{who} returns no value",
               "yields": f"{who} is not a generator", "attributes": f"{who} has no attributes to document",
               "examples": "examples are only for functions, methods and classes"}
        reasons = [why[key] for key in extra if key in why]
        reason = f" ({'; '.join(reasons)})" if reasons else ""
        return f"answer: unexpected key {names}{reason}; the keys are: {', '.join(allowed)}"
    return f"{where}: unexpected key {names}; the keys are: {', '.join(allowed)}"


def _size_errors(data: dict[str, Any]) -> list[str]:
    errors = []
    for field, text in _fields(data):
        limit = MAX_EXAMPLES_CHARS if field == "examples" else MAX_FIELD_CHARS
        if len(text) > limit:
            errors.append(f"{field}: {len(text)} characters is too long (at most {limit}); be brief")
    total = sum(len(text) for _, text in _fields(data))
    if total > MAX_ANSWER_CHARS:
        errors.append(f"answer: {total} characters of text is too long (at most {MAX_ANSWER_CHARS}); be brief")
    if len(data.get("raises") or ()) > MAX_RAISES:
        errors.append(f"raises: {len(data['raises'])} entries is too many (at most {MAX_RAISES}); "
                      "list only exceptions the code raises")
    return errors


def _semantic_errors(data: dict[str, Any], target: Target) -> list[str]:
    errors: list[str] = []
    summary = (data.get("summary") or "").strip()
    if len(summary.splitlines()) > 1:
        errors.append("summary: must be one line; put further text in `description`")
    elif len(summary) > MAX_SUMMARY_CHARS:
        errors.append(f"summary: {len(summary)} characters; write one sentence of at most {MAX_SUMMARY_CHARS}")
    own_names = {p.name for p in target.parameters} | set(target.attributes) | {target.name}
    for field, text in _fields(data):
        problem = _text_problem(field, text, own_names)
        if problem:
            errors.append(f"{field}: {problem}")
    for index, item in enumerate(data.get("raises") or ()):
        name = item["exception"]
        if not is_dotted_name(name):
            errors.append(f"raises[{index}].exception: {_short(name)!r} is not an exception name; "
                          "write the class name only, e.g. ValueError")
    return errors


def _text_problem(field: str, text: str, own_names: set[str]) -> str | None:
    """The first thing wrong with one field's text, or `None`."""
    if _CONTROL.search(text):
        return "contains control characters; write plain text"
    if not text.strip():
        nullable = field in ("description", "examples")
        return "is empty; " + ("use null when there is nothing to add" if nullable else "write the documentation")
    prose = CODE_SPAN.sub(" ", text)
    if (_PLACEHOLDER_FIELD.fullmatch(text.strip()) or _PLACEHOLDER_ANYWHERE.search(text)
            or any(word not in own_names for word in _PLACEHOLDER_WORD.findall(prose))):
        return "is placeholder text; write the real documentation or leave the field out"
    if field == "examples":
        return _code_problem(text)
    for pattern, what in _MARKUP_ANYWHERE:
        if pattern.search(text):
            return f"contains {what}; write plain text (links, HTML and reST/Markdown markup are not rendered)"
    for pattern, what in _MARKUP_PROSE:
        if pattern.search(prose):
            return f"contains {what}; write plain text (links, HTML and reST/Markdown markup are not rendered)"
    return None


def _code_problem(code: str) -> str | None:
    if re.search(r"^\s*>>>", code, re.MULTILINE):
        return "has `>>>` prompts; write plain Python code without them"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning for an invalid escape in a string
            ast.parse(code)
    except SyntaxError as exc:
        return f"is not valid Python (line {exc.lineno}: {exc.msg}); write runnable example code"
    except (ValueError, RecursionError, MemoryError):
        return "is not valid Python; write runnable example code"
    return None


def _fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    fields = [(k, data[k]) for k in ("summary", "description", "returns", "yields", "examples") if isinstance(data.get(k), str)]
    for key in ("parameters", "attributes"):
        fields += [(f"{key}.{name}", text) for name, text in (data.get(key) or {}).items() if isinstance(text, str)]
    for index, item in enumerate(data.get("raises") or ()):
        fields.append((f"raises[{index}].when", item["when"]))
    return fields


def _where(path: Any) -> str:
    where = ""
    for part in path:
        where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
    return where or "answer"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return {dict: "object", list: "array", str: "string", int: "number", float: "number"}.get(type(value), type(value).__name__)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

