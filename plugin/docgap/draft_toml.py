"""A draft as a TOML file a person edits (`docgap review --edit`), and back.

TOML rather than JSON: a multi-line description or example reads as it is written (no `\\n`
escapes, no quoting of every line), comments say what each field is for and show the object's
source, and Python reads it (`tomllib`). docgap writes the file itself: a draft needs only
strings, two tables and an array of tables, and every string is written as a TOML basic string
with everything TOML requires escaped (`to_toml` then `from_toml` gives the draft back exactly).

Every field the object can have is in the file, `""` where the draft says nothing: a field
left `""` (or deleted) is left out of the draft.
"""

from __future__ import annotations

import re
import sys
import textwrap
from typing import Any

from docgap.drafts import Draft
from docgap.schema import check_schema
from docgap.targets import Target

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_SOURCE_LINES = 60
"""Lines of the object's source shown (as comments) at the end of the file."""
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# What a TOML basic string may not hold as it is: control characters but tab (and, in a
# multi-line string, newline); `\r` is escaped too, since a lone one is not a TOML newline.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
_UNPRINTABLE_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_TEXT_FIELDS = ("summary", "description", "returns", "yields", "examples")


def to_toml(draft: Draft, target: Target) -> str:
    """Write `draft` for `target` as a commented TOML file with every field the object can have.

    Args:
        draft: The draft to edit.
        target: The object it documents.

    Returns:
        The file's text.
    """
    properties = check_schema(target)["properties"]
    data = draft.to_json()
    where = f"{target.filepath}:{target.lineno}" if target.filepath else "its source"
    lines = [
        f"# docgap review --edit: the draft of {target.path} ({target.kind}, {where}).",
        "# Edit the values and save. A field left \"\" is left out of the draft. Write plain text:",
        "# no HTML, reST or Markdown markup; a name in `backticks` must exist in the package.",
        "# The edit is checked like any draft and recorded in the lockfile as \"edited\" by you.",
        "",
    ]
    for name in _TEXT_FIELDS:
        if name in properties:
            lines += [*_comment(properties[name]["description"]), f"{name} = {_string(data.get(name) or '')}", ""]
    for name in ("parameters", "attributes"):
        if name in properties:
            lines += [*_comment(properties[name]["description"]), f"[{name}]"]
            for key in properties[name]["properties"]:
                lines.append(f"{_key(key)} = {_string(data.get(name, {}).get(key, ''))}")
            lines.append("")
    lines += _comment("One [[raises]] table per exception, with when it is raised; the source raises: "
                      + (", ".join(dict.fromkeys(target.raises)) or "none") + ".")
    for item in data.get("raises", ()):
        lines += ["[[raises]]", f"exception = {_string(item['exception'])}", f"when = {_string(item['when'])}", ""]
    if not data.get("raises"):
        lines += ["# [[raises]]", '# exception = "ValueError"', '# when = "If ..."', ""]
    if target.source:
        source = target.source.splitlines()
        lines.append(f"# The source ({target.signature or target.path}):")
        lines += [f"#   {line}".rstrip() for line in source[:_SOURCE_LINES]]
        if len(source) > _SOURCE_LINES:
            lines.append(f"#   ... ({len(source) - _SOURCE_LINES} more lines)")
    return "\n".join(lines).rstrip("\n") + "\n"


def from_toml(text: str) -> dict[str, Any]:
    """Read an edited draft: the JSON-like data `docgap.validate.validate` checks.

    Fields left `""` (or only spaces) are left out, and so are tables left empty. Anything else
    is passed on as written, for the validator to name what is wrong.

    Args:
        text: The file's text.

    Returns:
        The draft's data.

    Raises:
        ValueError: When the text is not TOML, naming the line.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"not valid TOML ({exc})") from exc
    pruned: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, dict):
            value = {key: entry for key, entry in value.items() if not _blank(entry)}
        if not _blank(value) and value not in ({}, []):
            pruned[name] = value
    return pruned


def _blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def _string(text: str) -> str:
    """`text` as a TOML basic string: multi-line when it has line breaks, so it reads as written."""
    escaped = text.replace("\\", "\\\\")
    if "\n" not in text:
        escaped = escaped.replace('"', '\\"')
        return '"' + _UNPRINTABLE.sub(_unicode_escape, escaped) + '"'
    escaped = _UNPRINTABLE_MULTILINE.sub(_unicode_escape, escaped).replace('"""', '""\\"')
    # The newline after the opening quotes is not part of the value, nor the one after a line-ending
    # backslash: the closing quotes sit on their own line without adding a newline to the text.
    return '"""\n' + escaped + '\\\n"""'


def _unicode_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04X}"


def _key(name: str) -> str:
    return name if _BARE_KEY.fullmatch(name) else _string(name)


def _comment(text: str) -> list[str]:
    # The field descriptions are the model's schema's, where a field left out is null; here it is "".
    return [f"# {line}" for line in textwrap.wrap(re.sub(r"\bnull\b", '""', text), 96)]


__all__ = ["from_toml", "to_toml"]
