"""Where valid drafts live: a committable lockfile (read first) and a diskcache (read and written).

Both are keyed by a target's content key, so a moved object keeps its draft and a changed one misses.
The cache stores records as JSON text, never pickles, so a tampered cache cannot run code. Problems
with either (corrupt, unreadable, read-only, full disk) become one warning each and the run goes on
without that part.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import diskcache

from docgap._version import __version__
from docgap.drafts import Origin, Record, Resolved
from docgap.errors import LockfileError
from docgap.settings import Settings
from docgap.targets import Target
from docgap.validate import validate

logger = logging.getLogger("docgap")

LOCKFILE_VERSION = 1
"""Version of the lockfile format this docgap reads and writes."""

_CACHE_ERRORS = (OSError, sqlite3.Error, diskcache.Timeout, ValueError)


class Store:
    """Lookups in the lockfile then the cache, and saves to the cache.

    Args:
        settings: Where the cache and lockfile are, and whether a bad lockfile is an error (`strict`).
        read_only: Never write to the cache (for processes that must only read, such as Sphinx workers).

    Raises:
        LockfileError: Under `strict`, when the lockfile is malformed or from a newer docgap.
    """

    def __init__(self, settings: Settings, *, read_only: bool = False) -> None:
        self.settings = settings
        self.read_only = read_only
        self.warnings: list[str] = []
        self.invalid_cache_entries = 0
        self._lock = self._read_lockfile(settings.lockfile_path)
        self._cache = self._open_cache(settings.cache_path)

    def lookup(self, target: Target) -> tuple[Record, Origin] | None:
        """Return the stored record for `target`'s content key, lockfile first.

        Args:
            target: The object to look up.

        Returns:
            The record and where it was found, or `None` on a miss.
        """
        record = self._lock.get(target.key)
        if record is not None:
            # The lockfile is edited by people and merged by git: check it like a fresh answer.
            errors = validate(record.draft.to_json(), target)
            if not errors:
                return record, "lock"
            self._warn(f"{self.settings.lockfile_path}: ignoring the entry for {target.path} ({errors[0]})")
        record = self._cache_get(target.key)
        if record is not None:
            # Only valid drafts are saved, but a cache is a directory anyone can write to.
            if not validate(record.draft.to_json(), target):
                return record, "cache"
            self.invalid_cache_entries += 1
        return None

    def filled(self, targets: Iterable[Target]) -> set[str]:
        """The paths of `targets` that have a stored draft: one pass over the cache's keys.

        Cheaper than a `lookup` per target when only presence matters (`docgap scan`).
        """
        targets = list(targets)
        cached: set[str] = set()
        if self._cache is not None:
            try:
                cached = set(self._cache.iterkeys())
            except _CACHE_ERRORS as exc:
                self._disable(f"cannot read the draft cache at {self.settings.cache_path} ({exc})")
        found = {t.path for t in targets if t.key in cached}
        return found | {t.path for t in targets if t.path not in found and t.key in self._lock and self.lookup(t)}

    def save(self, target: Target, record: Record) -> None:
        """Store a valid record under `target`'s content key (a no-op without a usable cache).

        Args:
            target: The object the record documents.
            record: A record whose draft passed validation.
        """
        if self._cache is None or self.read_only:
            return
        try:
            self._cache.set(target.key, json.dumps(record.to_json(), sort_keys=True))
        except _CACHE_ERRORS as exc:
            self._disable(f"cannot write to the draft cache at {self.settings.cache_path} ({exc}); "
                          "drafts made in this run will not be kept")

    def write_lockfile(self, resolved: Iterable[Resolved], path: Path | None = None) -> Path:
        """Write the lockfile: one entry per object path, sorted, stale entries gone.

        Args:
            resolved: The drafts to lock, typically every resolved target of a run.
            path: Where to write; `settings.lockfile_path` by default.

        Returns:
            The path written.
        """
        path = path or self.settings.lockfile_path
        objects = {
            item.target.path: {"key": item.target.key, **item.record.to_json()}
            for item in resolved
        }
        document = {"version": LOCKFILE_VERSION, "generator": f"docgap {__version__}", "objects": objects}
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a reader never sees half a lockfile.
        # Not mkstemp: its files are private (0600), and a lockfile is shared. `open` follows the umask.
        tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        with open(tmp, "x", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, sort_keys=True, ensure_ascii=False)
            handle.write("\n")
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
        return path

    def close(self) -> None:
        """Close the cache, first saying how many entries were invalid, if any."""
        if self.invalid_cache_entries:
            self._warn(f"{self.invalid_cache_entries} drafts in the cache at {self.settings.cache_path} did not "
                       "pass validation and were ignored (they are replaced when generated again)")
            self.invalid_cache_entries = 0
        if self._cache is not None:
            self._cache.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_lockfile(self, path: Path) -> dict[str, Record]:
        if not path.is_file():
            return {}
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(document, dict) or not isinstance(document.get("objects"), dict):
                raise ValueError("expected an object with an 'objects' table")
            version = document.get("version")
            if version != LOCKFILE_VERSION:
                raise ValueError(
                    f"lockfile version {version!r} is not {LOCKFILE_VERSION}; it was written by another "
                    "docgap version: upgrade docgap or regenerate it with `docgap lock`"
                )
            return dict(self._lock_entries(document["objects"]))
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            message = f"{path}: cannot use the lockfile ({exc})"
            if self.settings.strict:
                raise LockfileError(message) from exc
            self._warn(message + "; ignoring it (fix or regenerate it with `docgap lock`)")
            return {}

    def _lock_entries(self, objects: dict[str, Any]) -> Iterable[tuple[str, Record]]:
        for path, entry in objects.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
                raise ValueError(f"entry {path!r} has no content key")
            yield entry["key"], Record.from_json(entry)

    def _open_cache(self, directory: Path) -> diskcache.Cache | None:
        try:
            if self.read_only and not directory.exists():
                return None
            directory.mkdir(parents=True, exist_ok=True)
            cache = diskcache.Cache(str(directory), timeout=5)
            cache.get("docgap:probe")
            return cache
        except _CACHE_ERRORS as exc:
            self._warn(f"cannot open the draft cache at {directory} ({exc}); continuing without it "
                       "(delete the directory to start a fresh cache)")
            return None

    def _cache_get(self, key: str) -> Record | None:
        if self._cache is None:
            return None
        try:
            raw = self._cache.get(key)
        except _CACHE_ERRORS as exc:
            self._disable(f"cannot read the draft cache at {self.settings.cache_path} ({exc}); "
                          "continuing without it (delete the directory to start a fresh cache)")
            return None
        if not isinstance(raw, str):
            return None
        try:
            return Record.from_json(json.loads(raw))
        except (ValueError, KeyError, TypeError):
            return None  # An entry we cannot read is a miss; the next save replaces it.

    def _disable(self, message: str) -> None:
        self._warn(message)
        if self._cache is not None:
            try:
                self._cache.close()
            except _CACHE_ERRORS:
                pass
        self._cache = None

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        logger.warning(message)

