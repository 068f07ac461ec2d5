"""A cache of whole scans, so a warm `scan` of unchanged packages skips loading them.

The entry is keyed by the scan-relevant settings and validated by a fingerprint of every source
file of the packages (path, size, modification time) and of the scanner itself: docgap's and
griffe's versions, the draft schema's version and the text of the modules that make a scan (so an
edited or upgraded scanner never serves what an older one found). Any change anywhere in the
packages means a full scan: cross-module facts (re-exports, `__all__`, inherited docstrings) make
a partial reuse unsafe.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import sqlite3
from pathlib import Path
from typing import Any

import diskcache
import griffe

from docgap._version import __version__
from docgap.schema import SCHEMA_VERSION
from docgap.settings import Settings
from docgap.targets import Documented, Parameter, ScanResult, ScanWarning, Target

_SCOPE_SETTINGS = ("packages", "search_paths", "private", "special_methods", "include", "exclude",
                   "inherit_docstrings", "exclude_tests", "max_source_chars", "examples_in_prompt")
_ERRORS = (OSError, sqlite3.Error, diskcache.Timeout, ValueError, KeyError, TypeError)
_SCAN_MODULES = ("scan.py", "scope.py", "source_facts.py", "targets.py", "scan_cache.py")
"""docgap's modules whose code decides what a scan finds."""


def load_cached_scan(settings: Settings) -> tuple[ScanResult | None, str | None]:
    """Return the cached scan for these settings if the packages are unchanged.

    Returns:
        The cached result (or `None`) and the current fingerprint (`None` when the package
        files cannot be listed, in which case nothing is cached).
    """
    fingerprint = _fingerprint(settings)
    if fingerprint is None:
        return None, None
    try:
        with _open(settings) as cache:
            raw = cache.get(_entry_key(settings))
        if not isinstance(raw, str):
            return None, fingerprint
        entry = json.loads(raw)
        if entry.get("fingerprint") != fingerprint:
            return None, fingerprint
        return _decode(entry["result"]), fingerprint
    except _ERRORS:
        return None, fingerprint


def save_scan(settings: Settings, fingerprint: str, result: ScanResult) -> None:
    """Remember a scan (silently skipped when the cache cannot be written)."""
    try:
        with _open(settings) as cache:
            cache.set(_entry_key(settings), json.dumps({"fingerprint": fingerprint, "result": _encode(result)}))
    except _ERRORS:
        pass


def _open(settings: Settings) -> diskcache.Cache:
    return diskcache.Cache(str(settings.cache_path / "scans"), timeout=5)


def _entry_key(settings: Settings) -> str:
    scope = {name: str(getattr(settings, name)) for name in _SCOPE_SETTINGS}
    return "scan:" + hashlib.sha256(json.dumps(scope, sort_keys=True).encode()).hexdigest()


@functools.cache
def _scanner_identity() -> str:
    """A hash of what a scan's output depends on besides the packages and settings."""
    try:
        griffe_version = importlib.metadata.version("griffe")
    except importlib.metadata.PackageNotFoundError:
        griffe_version = griffe.__file__ or ""
    digest = hashlib.sha256(f"{__version__}:{SCHEMA_VERSION}:{griffe_version}".encode())
    here = Path(__file__).parent
    for name in _SCAN_MODULES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def _fingerprint(settings: Settings) -> str | None:
    finder = griffe.ModuleFinder(search_paths=settings.import_paths)
    digest = hashlib.sha256(_scanner_identity().encode())
    for name in settings.packages:
        try:
            # Found the way the scan's loader finds it: a directory of that name here comes first.
            _, package = finder.find_spec(name)
        except (ImportError, OSError):
            return None
        paths = package.path if isinstance(package.path, list) else [package.path]
        roots = [p.parent if p.name in ("__init__.py", "__init__.pyi") else p for p in map(Path, paths)]
        for root in roots:
            for path in sorted(root.rglob("*.py*")) if root.is_dir() else [root]:
                if path.suffix in (".py", ".pyi") and "__pycache__" not in path.parts:
                    stat = path.stat()
                    digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _encode(result: ScanResult) -> dict[str, Any]:
    return {
        "targets": [dataclasses.asdict(t) for t in result.targets],
        "documented": [dataclasses.asdict(d) for d in result.documented],
        "known_names": sorted(result.known_names),
        "examples": {m: list(e) for m, e in result.examples.items()},
        "warnings": [dataclasses.asdict(w) for w in result.warnings],
    }


def _decode(data: dict[str, Any]) -> ScanResult:
    targets = []
    for item in data["targets"]:
        item["parameters"] = tuple(Parameter(**p) for p in item["parameters"])
        for name in ("decorators", "attributes", "raises", "aliases"):
            item[name] = tuple(item[name])
        targets.append(Target(**item))
    return ScanResult(
        targets=tuple(targets),
        documented=tuple(Documented(**d) for d in data["documented"]),
        known_names=frozenset(data["known_names"]),
        examples={m: tuple(e) for m, e in data["examples"].items()},
        warnings=tuple(ScanWarning(**w) for w in data["warnings"]),
    )


