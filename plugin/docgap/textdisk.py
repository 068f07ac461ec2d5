"""A diskcache `Disk` that keeps keys and values as text and never unpickles what it reads.

diskcache's default `Disk` (and its `JSONDisk`, which still reads pickled rows) unpickles keys and
values, so a planted row runs code when read. A cache directory is shared (CI caches move between
branches and forks), so everything in it is untrusted: here a key or value that is not plain text,
a value file outside the cache directory or larger than `MAX_VALUE_BYTES`, reads as a corrupt entry.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import diskcache
from diskcache.core import MODE_RAW, MODE_TEXT, UNKNOWN

MAX_VALUE_BYTES = 64 * 1024 * 1024
"""Largest value file read back; anything larger is a corrupt entry (a draft is a few KB)."""

GITIGNORE = "# Created by docgap: caches are not for version control (docgap.lock.json is).\n*\n"
"""What a folder docgap creates for its cache gets as `.gitignore` (as pytest's and ruff's caches do)."""


class CorruptEntry(Exception):
    """A cache row docgap did not write: a pickle, bytes, a file outside the cache, or too large."""


class TextDisk(diskcache.Disk):
    """Text keys and text values only; reading anything else raises `CorruptEntry`.

    Settings rows of the cache database (`disk_*`) are ignored after construction, so a tampered
    database cannot point the disk at another directory.

    Args:
        directory: The cache directory.
        min_file_size: Values at least this long are stored in files (diskcache's setting).
        **ignored: Other `disk_*` settings of the database (pickle protocol...), unused.
    """

    def __init__(self, directory: str, min_file_size: int = 2**15, **ignored: Any) -> None:
        super().__init__(directory, min_file_size=min_file_size if type(min_file_size) is int else 2**15)
        self._root = os.path.realpath(directory)
        self._sealed = True

    def __setattr__(self, name: str, value: Any) -> None:
        # diskcache copies every `disk_*` row of its Settings table onto the disk with setattr.
        if not getattr(self, "_sealed", False):
            super().__setattr__(name, value)

    def put(self, key: Any) -> tuple[str, bool]:
        """Store a key as itself; only text keys exist in docgap's caches."""
        if type(key) is not str:
            raise TypeError(f"cache keys are text, not {type(key).__name__}")
        return key, True

    def get(self, key: Any, raw: bool) -> str | None:
        """Return a stored key, or `None` for a key docgap did not write (a pickle, bytes, a number)."""
        return key if raw and type(key) is str else None

    def store(self, value: Any, read: bool, key: Any = UNKNOWN) -> tuple[int, int, str | None, str | None]:
        """Store a text value inline, or in a file when it is long; anything else is refused."""
        if read or type(value) is not str:
            raise TypeError(f"cache values are text, not {type(value).__name__}")
        if len(value) < self.min_file_size:
            return 0, MODE_RAW, None, value
        return super().store(value, read, key)  # type: ignore[no-any-return]

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> str:
        """Return a stored text value.

        Raises:
            CorruptEntry: For a row docgap did not write (pickle, bytes, bad or oversized file).
        """
        if not read and mode == MODE_RAW and type(value) is str:
            return value
        if not read and mode == MODE_TEXT and value is None and isinstance(filename, str):
            return self._read_text(filename)
        raise CorruptEntry(f"not a text entry (mode {mode!r})")

    def remove(self, file_path: str) -> None:
        """Remove a value file, only if it is inside the cache directory."""
        if isinstance(file_path, str) and self._inside(file_path):
            super().remove(file_path)

    def _inside(self, filename: str) -> bool:
        full = os.path.realpath(os.path.join(self._root, filename))
        return full.startswith(self._root + os.sep)

    def _read_text(self, filename: str) -> str:
        if not self._inside(filename):
            raise CorruptEntry("value file outside the cache directory")
        # Non-blocking and no symlink: a FIFO or device planted in the cache must not hang or flood the read.
        fd = os.open(os.path.join(self._root, filename), os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_VALUE_BYTES:
                raise CorruptEntry("value file is not a regular file of a sane size")
            data = handle.read(MAX_VALUE_BYTES + 1)
        if len(data) > MAX_VALUE_BYTES:
            raise CorruptEntry("value file is too large")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorruptEntry("value file is not UTF-8 text") from exc


def make_cache_dir(directory: Path) -> None:
    """Create the cache directory; the folder docgap creates for it ignores itself in git.

    The `.gitignore` (see `GITIGNORE`) goes into `.docgap/` when docgap creates that folder (the
    default cache is `.docgap/cache`), else into the cache directory when docgap creates it; never
    into a directory that existed before.

    Args:
        directory: The cache directory (`Settings.cache_path`).

    Raises:
        OSError: When the directory cannot be created.
    """
    if directory.is_dir():
        return
    folder = directory.parent if directory.parent.name == ".docgap" and not directory.parent.exists() else directory
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with open(folder / ".gitignore", "x", encoding="utf-8") as file:
            file.write(GITIGNORE)
    except OSError:
        pass  # another process wrote it first, or the folder is read-only: the cache works all the same


def open_cache(directory: Path, *, timeout: float = 5) -> diskcache.Cache:
    """Open a diskcache at `directory` that stores and reads text only.

    Args:
        directory: The cache directory (created if missing).
        timeout: SQLite's wait for a lock, in seconds.

    Returns:
        The open cache.

    Raises:
        CorruptEntry: When the cache's settings table redirected the disk or the directory.
    """
    cache = diskcache.Cache(str(directory), timeout=timeout, disk=TextDisk)
    # diskcache also setattr()s every Settings row onto the Cache itself (`_disk`, `_directory`...).
    expected = os.path.expandvars(os.path.expanduser(str(directory)))  # as diskcache reads the path
    if type(cache.disk) is not TextDisk or cache.directory != expected:
        cache.close()
        raise CorruptEntry("the cache's settings table was tampered with")
    return cache
