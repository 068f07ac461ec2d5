"""Where valid drafts live: a committable lockfile (read first) and a diskcache (read and written).

Both are keyed by a target's content key, so a moved object keeps its draft and a changed one misses.
Everything read back is untrusted: the cache stores text only and never unpickles (`docgap.textdisk`),
and every stored draft is checked by the caller's validator before use. Problems with either part
(corrupt, unreadable, read-only, full disk) become one warning each and the run goes on without it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from pathlib import Path

import diskcache

from docgap.drafts import Origin, Record, Resolved
from docgap.errors import LockfileError
from docgap.lockfile import read_lockfile, write_lockfile
from docgap.review import Review
from docgap.seal import Seal, digest
from docgap.settings import Settings
from docgap.targets import Target
from docgap.textdisk import CorruptEntry, make_cache_dir, open_cache

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: concurrent builds may each pay for a draft
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger("docgap")

_CACHE_ERRORS = (OSError, sqlite3.Error, diskcache.Timeout)
"""Failures of the cache's storage: the cache is switched off for the run with one warning."""

_TAMPERED = (ValueError, TypeError, LookupError, AttributeError, RecursionError, CorruptEntry)
"""What diskcache or decoding raise on rows or settings docgap did not write."""

_DRAFTS_TOKEN = "docgap:drafts"
"""The cache entry `Store.state` reads: changed by every store that saves drafts."""

DRAFTS_FILE = "drafts.token"
"""A file in the cache directory holding that token too, so a host can tell whether the drafts
changed without opening the cache (`docgap.sphinx.unchanged`)."""

_CLAIM_POLL = 0.05
"""Seconds between attempts to claim a content key another process is generating."""


RecordCheck = Callable[[Record], list[str]]
"""What is wrong with a stored record's draft for one target (`[]` when it is valid): the checks
fresh answers go through, complete for a model's draft, partial for one no model wrote."""


_UNUSABLE_CACHES: set[str] = set()
"""Problems opening a cache already reported in this process."""


class Store:
    """Lookups in the lockfile then the cache, and saves to the cache.

    Args:
        settings: Where the cache and lockfile are, and whether a bad lockfile is an error (`strict`).
        read_only: Never write to the cache (for processes that must only read, such as Sphinx workers).
        lockfile: Read the lockfile (a store opened only to save fresh drafts does without).

    Raises:
        LockfileError: Under `strict`, when the lockfile is malformed or from a newer docgap.
    """

    def __init__(self, settings: Settings, *, read_only: bool = False, lockfile: bool = True) -> None:
        self.settings = settings
        self.read_only = read_only
        self.warnings: list[str] = []
        self.invalid_cache_entries = 0
        self._corrupt: set[str] = set()  # content keys whose cache entry docgap did not write
        self._lock: dict[str, Record] = {}
        self._locked_objects: dict[str, tuple[str, Record]] = {}
        self.reviews: dict[str, Review] = {}
        if lockfile:
            self._read_lockfile(settings.lockfile_path)
        self._cache = self._open_cache(settings.cache_path)
        self._seal: Seal | None = None
        self._seal_loaded = False
        self._saved = False

    def lookup(self, target: Target, check: RecordCheck, *, context: str | None = None) -> tuple[Record, Origin] | None:
        """Return the stored record for `target`'s content key, lockfile first, if its draft is valid.

        Args:
            target: The object to look up.
            check: Validates a record's draft for `target` (as fresh answers are validated).
            context: A digest of everything `check` depends on besides the target and the draft
                (the names that exist...). When given, a draft this user's docgap found valid
                before in the same context is not validated again: its seal is checked instead
                (see `docgap.seal`), and a draft found valid is sealed.

        Returns:
            The record and where it was found, or `None` on a miss.
        """
        # Its own entry first: objects defined alike share a content key, but an edit is one object's.
        key, record = self._locked_objects.get(target.path, (None, None))
        if key != target.key:
            record = self._lock.get(target.key)  # any entry of this code: a moved object keeps its draft
        if record is not None:
            # The lockfile is edited by people and merged by git: check it like a fresh answer.
            errors = self._problems(target, record, check, context)
            if not errors:
                return record, "lock"
            self.warn(f"{self.settings.lockfile_path}: ignoring the entry for {target.path} ({errors[0]})")
        record = self._cache_get(target.key)
        if record is not None:
            # Only valid drafts are saved, but a cache is a directory anyone can write to.
            if not self._problems(target, record, check, context):
                return record, "cache"
            self.invalid_cache_entries += 1
        return None

    def rendered(self, target: Target, record: Record, form: str, render: Callable[[], str]) -> str:
        """The text `render()` makes of `record`'s draft, kept sealed in the cache across builds.

        Args:
            target: The object the record documents.
            record: A record `lookup` returned (so its draft is valid).
            form: Everything the text depends on besides the target, the record and docgap's code:
                style, markup, labels...
            render: Renders the draft; called when no sealed text is kept (or it was tampered with).

        Returns:
            The rendered text.
        """
        key = "rendered:" + digest(target.key, form, json.dumps(record.to_json(), sort_keys=True))
        text = self.recall(key)
        if text is None:
            text = render()
            self.remember(key, text)
        return text

    def recall(self, key: str) -> str | None:
        """The text `remember` kept under `key`, if this user's seal on it holds (`None` otherwise)."""
        seal = self._sealer()
        if seal is None:
            return None
        try:
            kept = json.loads(self._raw(key) or "{}")
            text = kept.get("text")
        except _TAMPERED:
            return None  # not JSON docgap wrote: made again, and replaced
        return text if isinstance(text, str) and seal.verify(kept.get("seal"), key, text) else None

    def remember(self, key: str, text: str) -> None:
        """Keep `text` under `key` in the cache, sealed (nothing is kept without a cache or a seal)."""
        if (seal := self._sealer()) is not None:
            self._put(key, json.dumps({"text": text, "seal": seal.sign(key, text)}))

    @property
    def clean(self) -> bool:
        """Whether nothing was wrong so far: no warning, no invalid or corrupt cache entry."""
        return not (self.warnings or self.invalid_cache_entries or self._corrupt)

    def state(self) -> str:
        """What any lookup depends on besides the target: the lockfile's stamp and the cache's drafts.

        The latter is a token every store that saves drafts changes (on its first save and when
        it closes), so a result remembered under it is not served once drafts changed.
        """
        try:
            info = self.settings.lockfile_path.stat()
            lock = f"{self.settings.lockfile_path}:{info.st_size}:{info.st_mtime_ns}"
        except OSError:
            lock = "-"
        return digest(lock, self._raw(_DRAFTS_TOKEN) or "")

    def _problems(self, target: Target, record: Record, check: RecordCheck, context: str | None) -> list[str]:
        """`check(record)`, or none when this user's seal says so for this context."""
        seal = self._sealer() if context is not None else None
        if seal is None:
            return check(record)
        key = "checked:" + digest(target.key, context or "", json.dumps(record.to_json(), sort_keys=True))
        if seal.verify(self._raw(key), key):
            return []
        errors = check(record)
        if not errors:
            self._put(key, seal.sign(key))
        return errors

    def _sealer(self) -> Seal | None:
        """This user's seal, when there is a cache to keep seals in."""
        if self._cache is None:
            return None
        if not self._seal_loaded:
            self._seal, self._seal_loaded = Seal.load(), True
        return self._seal

    def _raw(self, key: str) -> str | None:
        try:
            raw = self._cache.get(key) if self._cache is not None else None
        except _CACHE_ERRORS + _TAMPERED:
            return None  # unreadable: treated as absent (the draft is checked, the text rendered)
        return raw if isinstance(raw, str) else None

    def _put(self, key: str, value: str) -> None:
        if self._cache is None or self.read_only:
            return
        try:
            self._cache.set(key, value)
        except _CACHE_ERRORS + _TAMPERED as exc:
            self._disable(f"cannot write to the draft cache at {self.settings.cache_path} ({exc}); "
                          "drafts made in this run will not be kept")

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
        except _CACHE_ERRORS + _TAMPERED as exc:
            self._disable(f"cannot write to the draft cache at {self.settings.cache_path} ({exc}); "
                          "drafts made in this run will not be kept")
            return
        if not self._saved:
            self._saved = True
            self._drafts_changed()

    @contextlib.asynccontextmanager
    async def claim(self, target: Target, accept: Callable[[Record], bool]) -> AsyncIterator[Record | None]:
        """Hold `target`'s content key against other processes while it is generated and saved.

        The claim is an advisory lock on a file under the cache directory, which the system
        releases when the process ends, even on `kill -9`. Waiting for it polls, so other targets
        keep going meanwhile, and ends after twice the longest one target can take (every attempt
        and retry timing out): a stopped process then costs a second draft, not a hung build.
        Without a writable cache there is nothing to share and no claim.

        Args:
            target: The object about to be generated.
            accept: Whether a record another process saved meanwhile serves this run.

        Yields:
            That record, read after the claim was taken (then nothing needs generating), else `None`.
        """
        fd = self._claim_fd(target.key)
        try:
            if fd is not None and await self._take(fd):
                record = self._cache_get(target.key, report=False)  # the lookup before it reported this key
                yield record if record is not None and accept(record) else None
            else:
                yield None
        finally:
            if fd is not None:
                os.close(fd)

    def write_lockfile(self, resolved: Iterable[Resolved], path: Path | None = None, *,
                       reviews: Mapping[str, Review] | None = None) -> Path:
        """Write the lockfile: one entry per object path, sorted, stale entries gone.

        Args:
            resolved: The drafts to lock, typically every resolved target of a run.
            path: Where to write; `settings.lockfile_path` by default.
            reviews: The review ledger to write; the one read from the lockfile by default.

        Returns:
            The path written.

        Raises:
            LockfileError: When the path is a directory or cannot be written; no temporary file is left.
        """
        return write_lockfile(path or self.settings.lockfile_path, resolved,
                              self.reviews if reviews is None else reviews)

    def close(self) -> None:
        """Close the cache, first saying how many entries were corrupt or invalid, if any."""
        if self._corrupt:
            self.warn(f"{len(self._corrupt)} entries in the cache at {self.settings.cache_path} were not written "
                       "by docgap (pickled, binary or damaged) and were ignored, never loaded (they are replaced "
                       "when generated again; delete the directory to start a fresh cache)")
            self._corrupt.clear()
        if self.invalid_cache_entries:
            self.warn(f"{self.invalid_cache_entries} drafts in the cache at {self.settings.cache_path} did not "
                       "pass validation and were ignored (they are replaced when generated again)")
            self.invalid_cache_entries = 0
        if self._cache is not None:
            if self._saved or not (self.read_only or (self.settings.cache_path / DRAFTS_FILE).exists()):
                self._drafts_changed()  # a cache from before `DRAFTS_FILE`: mirrored from now on
            with contextlib.suppress(*_CACHE_ERRORS, *_TAMPERED):
                self._cache.close()

    def _drafts_changed(self) -> None:
        """Give the drafts a new token, in the cache and in `DRAFTS_FILE`."""
        if self._cache is None or self.read_only:
            return
        token = secrets.token_hex(8)
        self._put(_DRAFTS_TOKEN, token)
        with contextlib.suppress(OSError):
            (self.settings.cache_path / DRAFTS_FILE).write_text(token)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def warn(self, message: str) -> None:
        """Log a warning of this run and keep it in `warnings`."""
        self.warnings.append(message)
        logger.warning(message)

    def _read_lockfile(self, path: Path) -> None:
        try:
            contents = read_lockfile(path)
        except (OSError, UnicodeDecodeError, *_TAMPERED) as exc:
            reason = "JSON nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            message = f"{path}: cannot use the lockfile ({reason})"
            if self.settings.strict:
                raise LockfileError(message) from exc
            self.warn(message + "; ignoring it (fix or regenerate it with `docgap lock`)")
            return
        self._lock, self._locked_objects, self.reviews = contents.records, contents.objects, contents.reviews
        for problem in contents.problems:
            self.warn(f"{path}: {problem}")

    def _open_cache(self, directory: Path) -> diskcache.Cache | None:
        try:
            if self.read_only and not directory.exists():
                return None
            make_cache_dir(directory)
            cache = open_cache(directory)
            cache.get("docgap:probe")
            return cache
        except _CACHE_ERRORS + _TAMPERED as exc:
            message = (f"cannot open the draft cache at {directory} ({exc}); continuing without it "
                       "(delete the directory to start a fresh cache)")
            # A run opens the store more than once (lookup, then the batch it generates): say it once.
            if message not in _UNUSABLE_CACHES:
                _UNUSABLE_CACHES.add(message)
                self.warn(message)
            return None

    def _cache_get(self, key: str, *, report: bool = True) -> Record | None:
        """The record cached under `key`; a corrupt entry is noted for `close` unless not `report`."""
        if self._cache is None:
            return None
        corrupt = self._corrupt if report else set()
        try:
            raw = self._cache.get(key)
        except _TAMPERED:
            corrupt.add(key)
            return None
        except _CACHE_ERRORS as exc:
            self._disable(f"cannot read the draft cache at {self.settings.cache_path} ({exc}); "
                          "continuing without it (delete the directory to start a fresh cache)")
            return None
        if raw is None:
            return None
        try:
            return Record.from_json(json.loads(raw))
        except _TAMPERED:
            corrupt.add(key)  # The next save replaces it.
            return None

    def _claim_fd(self, key: str) -> int | None:
        if self._cache is None or self.read_only or fcntl is None:
            return None
        try:
            claims = self.settings.cache_path / "claims"
            claims.mkdir(exist_ok=True)
            return os.open(claims / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return None  # Generate without a claim: at worst another process pays for the same draft.

    async def _take(self, fd: int) -> bool:
        import asyncio  # running already: this only binds the name

        settings = self.settings
        deadline = time.monotonic() + 2 * settings.timeout * (settings.max_retries + 1) * settings.max_attempts
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return False
                await asyncio.sleep(_CLAIM_POLL)
            except OSError:
                return False  # No locking on this file system.

    def _disable(self, message: str) -> None:
        self.warn(message)
        if self._cache is not None:
            with contextlib.suppress(*_CACHE_ERRORS, *_TAMPERED):
                self._cache.close()
        self._cache = None
