"""A cache of whole scans, so a warm `scan` of unchanged packages skips loading them.

The entry is keyed by the scan-relevant settings and validated by a fingerprint of every source
file of the packages (path, size, modification time) and of the scanner itself: docgap's and
griffe's versions, the draft schema's version and the text of the modules that make a scan (so an
edited or upgraded scanner never serves what an older one found). Any change anywhere in the
packages means a full scan: cross-module facts (re-exports, `__all__`, inherited docstrings) make
a partial reuse unsafe.

Where each package lives is found with griffe's finder when scanning, and kept in the entry, so
that a warm hit imports no griffe: the fingerprint also covers the modification time of each
directory packages are looked for in (`Settings.import_paths`) up to the one a package was found
in (all of them for a namespace package), which changes whenever an entry is added to or removed
from it (a new module or package that would now be found first).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgap._version import __version__
from docgap.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    import diskcache

    from docgap.settings import Settings
    from docgap.targets import ScanResult

# The cache (diskcache, SQLite) and the scan's data classes are imported where they are used:
# `sources_unchanged` (a Sphinx no-op rebuild) needs neither.

_SCOPE_SETTINGS = ("packages", "search_paths", "private", "special_methods", "include", "exclude",
                   "inherit_docstrings", "exclude_tests", "max_source_chars", "examples_in_prompt")
_SCAN_MODULES = ("scan.py", "loading.py", "scope.py", "fallbacks.py", "source_facts.py", "context.py", "plain.py", "targets.py", "scan_cache.py")
"""docgap's modules whose code decides what a scan finds."""


def load_cached_scan(settings: Settings) -> tuple[ScanResult | None, str | None]:
    """Return the cached scan for these settings if the packages are unchanged.

    Returns:
        The cached result (or `None`) and the current fingerprint (`None` when the package
        files cannot be listed, in which case nothing is cached). The fingerprint is opaque: pass
        it to `save_scan`.
    """
    try:
        with _open(settings) as cache:
            raw = cache.get(_entry_key(settings))
        entry = json.loads(raw) if isinstance(raw, str) else None
        if isinstance(entry, dict) and isinstance(fingerprint := entry.get("fingerprint"), str):
            roots = json.loads(fingerprint)["roots"]
            if _plausible(roots, settings) and fingerprint == _fingerprint(settings, roots):
                return _decode(entry["result"]), fingerprint
    except _errors():
        pass
    roots = _find_roots(settings)
    return None, None if roots is None else _fingerprint(settings, roots)


def sources_unchanged(settings: Settings, fingerprint: str) -> bool:
    """Whether the packages' files are as they were when `load_cached_scan` returned `fingerprint`.

    Neither the cache nor griffe is opened: where each package was found is in the fingerprint.
    """
    try:
        roots = json.loads(fingerprint)["roots"]
        return _plausible(roots, settings) and fingerprint == _fingerprint(settings, roots)
    except (ValueError, LookupError, TypeError, OSError):
        return False


def save_scan(settings: Settings, fingerprint: str, result: ScanResult) -> None:
    """Remember a scan (silently skipped when the cache cannot be written)."""
    try:
        with _open(settings) as cache:
            cache.set(_entry_key(settings), json.dumps({"fingerprint": fingerprint, "result": _encode(result)}))
    except _errors():
        pass


def _errors() -> tuple[type[BaseException], ...]:
    """What reading or writing the scan cache may raise: the entry is then a miss, or not saved."""
    import sqlite3

    import diskcache

    from docgap.textdisk import CorruptEntry

    return (OSError, sqlite3.Error, diskcache.Timeout, ValueError, LookupError, TypeError, AttributeError,
            RecursionError, CorruptEntry)


def _open(settings: Settings) -> diskcache.Cache:
    from docgap.textdisk import make_cache_dir, open_cache

    make_cache_dir(settings.cache_path)
    return open_cache(settings.cache_path / "scans")


def _entry_key(settings: Settings) -> str:
    scope = {name: str(getattr(settings, name)) for name in _SCOPE_SETTINGS}
    return "scan:" + hashlib.sha256(json.dumps(scope, sort_keys=True).encode()).hexdigest()


@functools.cache
def _scanner_identity() -> str:
    """A hash of what a scan's output depends on besides the packages and settings.

    griffe is identified by its installed `__init__.py` (path, size, modification time), which an
    upgrade rewrites, rather than by its version: reading that costs importing `importlib.metadata`.
    """
    spec = importlib.util.find_spec("griffe")
    griffe_file = (spec.origin or "") if spec is not None else ""
    try:
        info = os.stat(griffe_file)
        griffe_id = f"{griffe_file}:{info.st_size}:{info.st_mtime_ns}"
    except OSError:
        griffe_id = griffe_file
    digest = hashlib.sha256(f"{__version__}:{SCHEMA_VERSION}:{griffe_id}".encode())
    here = Path(__file__).parent
    for name in _SCAN_MODULES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def _find_roots(settings: Settings) -> list[str] | None:
    """The file or directory of each package, found as the scan's loader finds it (`None`: one is not found)."""
    import griffe  # a miss: the scan that follows loads griffe anyway

    finder = griffe.ModuleFinder(search_paths=settings.import_paths)
    roots = []
    for name in settings.packages:
        try:
            # Found the way the scan's loader finds it: a directory of that name here comes first.
            _, package = finder.find_spec(name)
        except (ImportError, OSError):
            return None
        paths = package.path if isinstance(package.path, list) else [package.path]
        roots += [str(p.parent if p.name in ("__init__.py", "__init__.pyi") else p) for p in map(Path, paths)]
    return roots


def _plausible(roots: object, settings: Settings) -> bool:
    """Whether roots read from the (untrusted) cache could be the packages': named after one, in a search path.

    A planted root elsewhere (`/`) would make the fingerprint walk the whole file system.
    """
    if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
        return False
    names = {name.rpartition(".")[2] for name in settings.packages}
    bases = _bases(settings)
    return all(Path(root).name.removesuffix("-stubs").partition(".")[0] in names and _base_of(root, bases) is not None
               for root in roots)


def _bases(settings: Settings) -> list[Path]:
    return [Path(folder or ".").absolute() for folder in settings.import_paths]


def _base_of(root: str, bases: list[Path]) -> int | None:
    """The index of the first search path `root` is in."""
    path = Path(root).absolute()
    return next((i for i, base in enumerate(bases) if path.is_relative_to(base)), None)


def _fingerprint(settings: Settings, roots: list[str]) -> str | None:
    """The packages' fingerprint, holding `roots` (`None` when a file cannot be read)."""
    digest = hashlib.sha256(_scanner_identity().encode())
    bases = _bases(settings)
    found = [_base_of(root, bases) for root in roots]
    namespace = len(roots) > len(settings.packages)  # portions may appear in any search path
    last = len(bases) - 1 if namespace or None in found else max(found, default=-1)  # type: ignore[type-var]
    for folder in settings.import_paths[: last + 1]:
        try:
            digest.update(f"{folder}:{os.stat(folder or '.').st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{folder}:-\n".encode())
    for root in map(Path, roots):
        for path in sorted(root.rglob("*.py*")) if root.is_dir() else [root]:
            if path.suffix in (".py", ".pyi") and "__pycache__" not in path.parts:
                try:
                    stat = path.stat()
                except OSError:
                    return None  # a dangling link or a file being replaced: scan, do not cache
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return json.dumps({"roots": roots, "digest": digest.hexdigest()})


def _encode(result: ScanResult) -> dict[str, Any]:
    return {
        "targets": [dataclasses.asdict(t) for t in result.targets],
        "documented": [dataclasses.asdict(d) for d in result.documented],
        "known_names": sorted(result.known_names),
        "examples": {m: list(e) for m, e in result.examples.items()},
        "warnings": [dataclasses.asdict(w) for w in result.warnings],
    }


def _decode(data: dict[str, Any]) -> ScanResult:
    from docgap.targets import Documented, Parameter, ScanResult, ScanWarning, Target

    targets = []
    for item in data["targets"]:
        item["parameters"] = tuple(Parameter(**p) for p in item["parameters"])
        for name in ("decorators", "attributes", "raises", "aliases", "bases", "call_sites"):
            item[name] = tuple(item[name])
        for name in ("raise_conditions", "default_of", "own_words"):
            item[name] = tuple(tuple(pair) for pair in item[name])
        targets.append(Target(**item))
    return ScanResult(
        targets=tuple(targets),
        documented=tuple(Documented(**{**d, "aliases": tuple(d["aliases"]), "parameters": tuple(d["parameters"])})
                         for d in data["documented"]),
        known_names=frozenset(data["known_names"]),
        examples={m: tuple(e) for m, e in data["examples"].items()},
        warnings=tuple(ScanWarning(**w) for w in data["warnings"]),
    )


