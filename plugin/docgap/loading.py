"""Loading packages with griffe, never importing them; a module that cannot be read is skipped.

Griffe skips a submodule that does not parse, is not UTF-8 or holds a NUL byte, and says so at
debug level only (a NUL byte without naming the file); a module nested too deeply for Python's
parser or for griffe's visitors raises `RecursionError` (or the parser's `MemoryError`) and ends
the whole load. The loader here turns each of these into one `ScanWarning` naming file:line, and
the rest of the package is loaded as usual.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path
from typing import Any

import griffe

from docgap.errors import SettingsError
from docgap.settings import Settings
from docgap.targets import ScanWarning

# Tokens that add a level to the syntax tree when chained (`a.b.c`, `1+1+1`, `not not x`, `f()()`);
# commas and colons only lengthen a flat list or dict.
_FLAT = frozenset({",", ":", ";", "=", ")", "]", "}"})
_NESTING_WORDS = frozenset({"not", "lambda", "if", "await"})
_LAYOUT = frozenset({tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT})


def load_packages(settings: Settings) -> tuple[list[griffe.Module], list[ScanWarning]]:
    """Load `settings.packages` statically, skipping modules that cannot be read.

    Args:
        settings: Packages and search paths.

    Returns:
        The loaded top-level modules, and one warning per module skipped (a package whose
        `__init__.py` cannot be read is skipped whole).

    Raises:
        SettingsError: When a package cannot be found on the search paths.
    """
    loader = _Loader(search_paths=settings.import_paths, allow_inspection=False)
    modules: list[griffe.Module] = []
    for package in settings.packages:
        try:
            loaded = _load(loader, package)
        except _Unreadable:
            continue  # its `__init__.py` cannot be read: the loader has warned
        except (ImportError, griffe.LoadingError, OSError) as exc:
            where = "".join(f"{path}, " for path in settings.search_paths)
            raise SettingsError(
                f"package {package!r} was not found (searched {where}the current directory and sys.path); "
                "check `packages` and add its directory to `search_paths`"
            ) from exc
        except griffe.AliasResolutionError as exc:
            loader.warnings.append(ScanWarning(
                f"package {package!r} cannot be loaded: {exc}; it is skipped (list the package it re-exports "
                "from in `packages` as well)"))
            continue
        if isinstance(loaded, griffe.Module):
            modules.append(loaded)
    return modules, loader.warnings


def _load(loader: griffe.GriffeLoader, package: str, *, tries: int = 8) -> griffe.Object | griffe.Alias:
    """Load `package`; where merging its stubs needs another package's objects, load that one first.

    Griffe resolves aliases while it merges `.pyi` stubs, so a package re-exporting from another
    one (`attrs` from `attr`) fails unless the other is loaded too. That one is loaded, not scanned.
    """
    for _ in range(tries):
        try:
            with griffe.logger.disable():  # its traceback for a package it cannot load is ours to report
                return loader.load(package)
        except griffe.AliasResolutionError as exc:
            needed = exc.alias.target_path.partition(".")[0]
            if needed in loader.modules_collection or needed == package:
                raise
            try:
                with griffe.logger.disable():
                    loader.load(needed)
            except (ImportError, griffe.GriffeError, OSError):
                raise exc from None
            if package in loader.modules_collection:
                loader.modules_collection.del_member(package)  # half-merged: load it again whole
    with griffe.logger.disable():
        return loader.load(package)


class _Unreadable(griffe.LoadingError):
    """A module's text cannot be read; griffe skips a submodule that raises this."""


class _Loader(griffe.GriffeLoader):
    """A griffe loader that records, rather than hides or raises, why a module cannot be read."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.warnings: list[ScanWarning] = []

    # Griffe has no public hook that runs before a module is parsed; every module load, the
    # package's own and each submodule's, goes through this method.
    def _load_module(self, module_name: str, module_path: Path | list[Path], *args: Any,
                     **kwargs: Any) -> griffe.Module:
        try:
            return super()._load_module(module_name, module_path, *args, **kwargs)
        except _Unreadable:
            raise
        except (griffe.LoadingError, RecursionError, MemoryError, ValueError) as error:
            cause = error.__cause__ if isinstance(error, griffe.LoadingError) else error
            problem = _problem(module_path, cause) if isinstance(module_path, Path) else None
            if problem is None:
                raise
            what, fix, line = problem
            skipped = f"so package {module_name!r} is skipped" if kwargs.get("parent") is None else "skipped"
            self.warnings.append(ScanWarning(f"module {what}, {skipped}; {fix}", _shown(module_path), line))
            raise _Unreadable(what) from error


def _problem(path: Path, error: BaseException | None) -> tuple[str, str, int] | None:
    """What is wrong with a module's text, the fix and the line; `None` when `error` is not about its text."""
    if isinstance(error, UnicodeDecodeError):
        return f"is not UTF-8 ({error.reason})", "save it as UTF-8", _line_of_offset(path, error.start)
    if isinstance(error, (SyntaxError, ValueError)) and "null bytes" in str(error):
        return "contains a NUL byte", "remove it (is the file binary or corrupted?)", _line_of_nul(path)
    if isinstance(error, SyntaxError):
        return f"does not parse ({error.msg})", "fix the syntax error", error.lineno or 1
    if isinstance(error, (RecursionError, MemoryError)):
        return "is nested too deeply to read", "split the long expression near this line", _deepest_line(path)
    if isinstance(error, OSError):
        return f"cannot be read ({error.strerror or error})", "check that the file exists and is readable", 1
    return None


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _line_of_offset(path: Path, offset: int) -> int:
    try:
        return path.read_bytes()[:offset].count(b"\n") + 1
    except OSError:
        return 1


def _line_of_nul(path: Path) -> int:
    try:
        data = path.read_bytes()
    except OSError:
        return 1
    return data[: max(data.find(b"\x00"), 0)].count(b"\n") + 1


def _deepest_line(path: Path) -> int:
    """The first line of the statement that chains the most nesting tokens (iteratively, no parser)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return 1
    best_line, best, start, count = 1, 0, 0, 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if count > best:
                    best_line, best = start, count
                start = count = 0
                continue
            if token.type in _LAYOUT:
                continue
            start = start or token.start[0]
            if token.type == tokenize.OP and token.string not in _FLAT:
                count += 1
            elif token.type == tokenize.NAME and token.string in _NESTING_WORDS:
                count += 1
    except (tokenize.TokenError, SyntaxError):
        pass
    return best_line
