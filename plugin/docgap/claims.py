"""Prose claims: numbers, versions, dates and URLs a draft states, and whether anything backs them.

A model that writes "released in 2017", "since version 2.3", "at most 512 items" or a link must
have read it somewhere: in the object's source or in the context it was sent. A claim is
*grounded* when the same text appears there (numbers compared without `_` and `,` separators).
Code spans are not prose and are checked by `docgap.grounding`; `0` and `1` are too common to
count as claims.
"""

from __future__ import annotations

import re
from typing import Any

_CODE_SPAN = re.compile(r"`[^`\n]*`")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>()\"'`]+", re.IGNORECASE)
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_VERSION = re.compile(r"(?<![\w.])v?\d+(?:\.\d+){1,3}(?![\w.]*\d)")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,_]*(?:\.\d+)?(?![\w]|-[A-Za-z])")  # `2-tuple` is a word
_TRAILING = ".,;:!?)]}"
_TRIVIAL = frozenset({"0", "1"})


def claims(text: str) -> list[str]:
    """The claims `text` makes outside code spans: URLs, dates, versions, then other numbers.

    Args:
        text: Prose of one draft field.

    Returns:
        The claims as written, without repeats (a number inside a version, date or URL is not
        counted again).
    """
    prose = _CODE_SPAN.sub(" ", text)
    found: list[str] = []
    for pattern in (_URL, _DATE, _VERSION):
        for match in pattern.finditer(prose):
            found.append(match.group(0).rstrip(_TRAILING))
        prose = pattern.sub(" ", prose)
    for match in _NUMBER.finditer(prose):
        number = match.group(0).rstrip(",_")
        if _normal(number) not in _TRIVIAL:
            found.append(number)
    return list(dict.fromkeys(found))


def ungrounded_claims(data: dict[str, Any], evidence: str) -> list[str]:
    """Errors for claims of a draft (as parsed JSON) that `evidence` does not contain.

    Args:
        data: A draft that passed `docgap.validate`.
        evidence: Everything the claims may come from: the source and the context sent.

    Returns:
        One error per field with unsupported claims, saying what to do.
    """
    errors = []
    for field, text in prose_fields(data):
        missing = unbacked_claims(text, evidence)
        if missing:
            listed = ", ".join(f"'{claim}'" for claim in missing)
            errors.append(f"{field}: {listed} appear{'s' if len(missing) == 1 else ''} nowhere in the source or "
                          "the context given; state only numbers, versions, dates and links they show, or leave them out")
    return errors


def unbacked_claims(text: str, evidence: str) -> list[str]:
    """The claims of `text` that `evidence` does not contain."""
    normal_evidence = _normal(evidence)
    return [claim for claim in claims(text) if not _backed(claim, evidence, normal_evidence)]


def prose_fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The prose fields of a draft as parsed JSON, as (field, text); example code is not prose."""
    fields = [(k, data[k]) for k in ("summary", "description", "returns", "yields") if isinstance(data.get(k), str)]
    for key in ("parameters", "attributes"):
        fields += [(f"{key}.{name}", text) for name, text in (data.get(key) or {}).items() if isinstance(text, str)]
    for index, item in enumerate(data.get("raises") or ()):
        if isinstance(item, dict) and isinstance(item.get("when"), str):
            fields.append((f"raises[{index}].when", item["when"]))
    return fields


def _backed(claim: str, evidence: str, normal_evidence: str) -> bool:
    if _URL.fullmatch(claim):
        return claim in evidence
    normal = _normal(claim.removeprefix("v"))  # a whole number: `512` is not backed by `5120`
    return re.search(rf"(?<![\w.]){re.escape(normal)}(?![\w]|\.\d)", normal_evidence) is not None


def _normal(text: str) -> str:
    """Digits without thousands separators: `1_000` and `1,000` read as `1000`."""
    return re.sub(r"(?<=\d)[_,](?=\d{3})", "", text)
