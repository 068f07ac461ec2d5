"""The committable lockfile: drafts by object path, and the review ledger beside them.

```json
{"version": 2, "generator": "docgap 0.x",
 "objects": {"pkg.mod.func": {"key": "<content key>", "draft": {...}, "provider": "openai", ...}},
 "reviews": {"pkg.mod.func": {"key": "<content key>", "verdict": "accepted", "by": "Ada",
                              "date": "2026-11-29T15:40:00Z", "text": "<hash of the draft>"}}}
```

Keys are sorted and the file indented, so a review or a new draft is a small diff. Version 1
files (no reviews) are still read. Everything read is untrusted: the store validates each draft.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docgap._version import __version__
from docgap.drafts import Record, Resolved
from docgap.errors import LockfileError
from docgap.review import Review

LOCKFILE_VERSION = 2
"""Version of the lockfile format this docgap writes."""

_READABLE_VERSIONS = (1, 2)


@dataclass(frozen=True)
class LockfileContents:
    """What a lockfile holds.

    Attributes:
        records: Drafts by content key (an object that moved keeps its draft).
        reviews: Reviews by object path.
        problems: Review entries that could not be read (and were left out), one line each.
        objects: Each entry by object path: its content key and record. Objects defined alike
            share a content key, but an edited draft is one object's own.
    """

    records: dict[str, Record]
    reviews: dict[str, Review]
    problems: tuple[str, ...] = ()
    objects: dict[str, tuple[str, Record]] = field(default_factory=dict)


def read_lockfile(path: Path) -> LockfileContents:
    """Read a lockfile; an absent one is empty.

    Raises:
        OSError: When it cannot be read.
        ValueError: (or `TypeError`, `LookupError`, `RecursionError`) When it is malformed or of
            an unknown version; a bad review entry is only a problem, not an error.
    """
    if not path.is_file():
        return LockfileContents({}, {})
    document = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or not isinstance(document.get("objects"), dict):
        raise ValueError("expected an object with an 'objects' table")
    version = document.get("version")
    if version not in _READABLE_VERSIONS:
        raise ValueError(
            f"lockfile version {version!r} is not one of {', '.join(map(str, _READABLE_VERSIONS))}; it was "
            "written by another docgap version: upgrade docgap or regenerate it with `docgap lock`"
        )
    objects = {}
    for object_path, entry in document["objects"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            raise ValueError(f"entry {object_path!r} has no content key")
        objects[object_path] = (entry["key"], Record.from_json(entry))
    reviews, problems = _reviews(document.get("reviews", {}))
    return LockfileContents({key: record for key, record in objects.values()}, reviews, tuple(problems), objects)


def write_lockfile(path: Path, resolved: Iterable[Resolved], reviews: Mapping[str, Review]) -> Path:
    """Write the lockfile: one entry per object path, sorted; what is not passed is gone.

    Args:
        path: Where to write.
        resolved: The drafts to lock.
        reviews: The review ledger, by object path.

    Returns:
        The path written.

    Raises:
        LockfileError: When the path is a directory or cannot be written; no temporary file is left.
    """
    objects = {item.target.path: {"key": item.target.key, **item.record.to_json()} for item in resolved}
    document: dict[str, Any] = {"version": LOCKFILE_VERSION, "generator": f"docgap {__version__}",
                                "objects": objects}
    if reviews:
        document["reviews"] = {p: review.to_json() for p, review in reviews.items()}
    fix = "set `lockfile` under [tool.docgap] (or pass --lockfile) to a file in a writable directory"
    # Write then rename, so a reader never sees half a lockfile.
    # Not mkstemp: its files are private (0600), and a lockfile is shared. `open` follows the umask.
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "x", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, sort_keys=True, ensure_ascii=False)
            handle.write("\n")
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise LockfileError(f"{path}: cannot write the lockfile ({exc.strerror or exc}); {fix}") from exc
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return path


def _reviews(table: Any) -> tuple[dict[str, Review], list[str]]:
    if not isinstance(table, dict):
        return {}, ["the 'reviews' table is not an object; no review is used"]
    reviews, problems = {}, []
    for object_path, entry in table.items():
        try:
            reviews[object_path] = Review.from_json(entry)
        except ValueError as exc:
            problems.append(f"ignoring the review of {object_path} ({exc})")
    return reviews, problems


__all__ = ["LOCKFILE_VERSION", "LockfileContents", "read_lockfile", "write_lockfile"]
