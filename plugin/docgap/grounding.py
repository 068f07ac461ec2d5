"""Grounding: a draft may only name things that exist.

Every dotted identifier in a code span (`` `name` ``, `` `module.name` ``, `` `name()` ``) must be
one of the target's parameters or attributes, the target itself, an object of the scanned packages,
a builtin, or a standard-library name; every raised exception must be a builtin exception, a
standard-library name, an object of the scanned packages, or a name the source itself raises.

`known_names` holds every dotted path of the scanned packages and all its trailing parts
(`pkg.shapes.Circle.area`, `shapes.Circle.area`, `Circle.area`, `area`), so a draft may write a
name the way a reader would. An empty `known_names` means "no scan context" (re-checking a stored
draft): then only the target's own names are checked strictly and other names are accepted.
"""

from __future__ import annotations

import builtins
import keyword
import re
import sys
from collections.abc import Iterator
from typing import Any

from docgap.targets import Target

_CODE_SPAN = re.compile(r"(`+)([^`\n]+?)\1")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")
_BUILTINS = frozenset(dir(builtins)) | frozenset({"True", "False", "None", "self", "cls"})
_BUILTIN_EXCEPTIONS = frozenset(
    name for name in dir(builtins) if isinstance(getattr(builtins, name), type) and issubclass(getattr(builtins, name), BaseException)
)
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | frozenset({"typing", "collections", "os", "sys"})


def code_names(text: str) -> Iterator[str]:
    """Yield the dotted identifiers written as code spans in `text` (`name()` gives `name`)."""
    for match in _CODE_SPAN.finditer(text):
        name = match.group(2).strip().removesuffix("()").lstrip("*")
        if _DOTTED.match(name) and not keyword.iskeyword(name):
            yield name


def ungrounded_names(data: dict[str, Any], target: Target, known_names: frozenset[str]) -> list[str]:
    """Return an error for every name the draft mentions that does not exist.

    Args:
        data: A draft as JSON (already valid against the target's schema).
        target: The object the draft documents.
        known_names: Names of the scanned packages (see the module docstring).

    Returns:
        Human-readable errors, one per invented name.
    """
    own = {p.name for p in target.parameters} | set(target.attributes) | {target.name, target.path}
    errors: list[str] = []
    for field, text in _texts(data):
        for name in dict.fromkeys(code_names(text)):
            first = name.split(".", 1)[0]
            if first in own or _exists(name, known_names):
                continue
            errors.append(
                f"{field}: `{name}` is not a parameter, attribute or known object of {target.path}; "
                "mention only names that exist"
            )
    for index, item in enumerate(data.get("raises") or ()):
        exception = item.get("exception", "") if isinstance(item, dict) else ""
        short = exception.rsplit(".", 1)[-1]
        if (not known_names or exception in _BUILTIN_EXCEPTIONS or exception in known_names
                or short in {r.rsplit(".", 1)[-1] for r in target.raises}
                or exception.split(".", 1)[0] in _STDLIB):
            continue
        errors.append(f"raises[{index}]: `{exception}` is not raised by the source and is not a known exception; "
                      "list only exceptions the code raises")
    return errors


def _exists(name: str, known_names: frozenset[str]) -> bool:
    first = name.split(".", 1)[0]
    if first in _BUILTINS or first in _STDLIB:
        return True
    if not known_names:
        return True
    return name in known_names


def _texts(data: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for key in ("summary", "description", "returns", "yields"):
        if isinstance(data.get(key), str):
            yield key, data[key]
    for key in ("parameters", "attributes"):
        for name, text in (data.get(key) or {}).items():
            if isinstance(text, str):
                yield f"{key}.{name}", text
    for index, item in enumerate(data.get("raises") or ()):
        if isinstance(item, dict) and isinstance(item.get("when"), str):
            yield f"raises[{index}].when", item["when"]
