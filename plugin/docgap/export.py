"""Promotion as a patch: drafts as real docstrings, in a unified diff a person reviews and applies.

`make_patch` renders each draft in the configured style, inserts it into a copy of its module's
text with `docgap.insert` and diffs the copy against the file. Paths in the diff are relative to
the project root (`Settings.root`) with `a/` and `b/` prefixes, so `git apply` and `patch -p1`
take it from there. An object only a `.pyi` stub defines (griffe merges stubs into the module) gets
its docstring in the stub. No source file is ever written: applying the patch is the reviewer's
act, and after it the scan counts those objects as documented by people.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from docgap.drafts import Resolved
from docgap.insert import Docstring, insert_docstrings, split_lines
from docgap.render import render
from docgap.settings import Settings
from docgap.targets import Target

_NO_NEWLINE = "\n\\ No newline at end of file\n"


@dataclass(frozen=True)
class Skipped:
    """A draft left out of the patch.

    Attributes:
        path: The object's canonical path.
        reason: Why, and what to do about it.
    """

    path: str
    reason: str


@dataclass(frozen=True)
class Patch:
    """A unified diff inserting drafts as docstrings.

    Attributes:
        text: The diff (empty when nothing is exported).
        files: The files it changes, relative to the project root.
        exported: The canonical paths of the objects it documents.
        skipped: The drafts left out, with the reason.
        empty: The objects whose draft is empty (the source shows no fact to state): left out.
    """

    text: str
    files: tuple[str, ...]
    exported: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    empty: tuple[str, ...] = ()


def make_patch(resolved: Iterable[Resolved], settings: Settings, *, reviewed_only: bool = False) -> Patch:
    """Write the drafts as docstrings into a patch of the sources (the sources are only read).

    Args:
        resolved: The drafts, as `Session.fill(lookup_only=True)` resolves them.
        settings: The project root (`root`), the search paths and the docstring style.
        reviewed_only: Export only drafts a person accepted or edited (`Resolved.review`).

    Returns:
        The patch, what it documents and what it leaves out: empty drafts (the source shows no
        fact to state), and with a reason a file outside the project root or that cannot be read
        or parsed, an object no longer where the scan saw it, or one with no place for a docstring.
    """
    by_file: dict[Path, list[tuple[Target, str]]] = {}
    skipped: list[Skipped] = []
    empty: list[str] = []
    for item in sorted(resolved, key=lambda r: r.target.path):
        target = item.target
        if reviewed_only and item.review is None:
            continue
        text = render(item.record.draft, target, settings.style, markup="rest").strip()
        if not text:
            empty.append(target.path)
            continue
        file = _module_file(target, settings)
        if file is None:
            skipped.append(Skipped(target.path, f"its module's file {target.filepath or target.module!r} was not "
                                                "found; run `docgap export` where `docgap fill` ran"))
            continue
        by_file.setdefault(file, []).append((target, text))
    hunks: list[str] = []
    files: list[str] = []
    exported: list[str] = []
    for file, drafts in sorted(by_file.items(), key=lambda pair: str(pair[0])):
        # An object a `.pyi` stub defines (griffe merges stubs) is not in the `.py` file: try the stub.
        stub = file.with_suffix(".pyi")
        for path in (file, stub) if file.suffix == ".py" and stub.is_file() else (file,):
            if drafts:
                diff, done, left, drafts = _file_patch(path, drafts, settings.root)
                skipped += left
                if done:
                    hunks.append(diff)
                    files.append(_relative(path, settings.root) or str(path))
                    exported += done
        skipped += [Skipped(t.path, f"{_relative(file, settings.root)}:{t.lineno}: no {t.kind} named {t.name!r} at "
                                    "this line; the file changed since the scan: run `docgap fill` again")
                    for t, _ in drafts]
    return Patch("".join(hunks), tuple(files), tuple(sorted(exported)), tuple(sorted(skipped, key=lambda s: s.path)),
                 tuple(empty))


def _file_patch(file: Path, drafts: list[tuple[Target, str]], root: Path
                ) -> tuple[str, list[str], list[Skipped], list[tuple[Target, str]]]:
    """The diff of one file, the objects it documents, the drafts left out and those not found in it."""
    relative = _relative(file, root)
    if relative is None:
        return "", [], [Skipped(t.path, f"{file} is outside the project root {root}; run `docgap export` with "
                                        "the pyproject.toml of the project that holds it") for t, _ in drafts], []
    try:
        source = file.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return "", [], [Skipped(t.path, f"{relative} cannot be read as UTF-8 ({exc}); fix the file")
                        for t, _ in drafts], []
    if "\r" in source.replace("\r\n", ""):
        return "", [], [Skipped(t.path, f"{relative} ends lines with a lone CR, which patch tools do not read; "
                                        "convert it to LF or CRLF") for t, _ in drafts], []
    by_name = {_qualified_name(t): (t, text) for t, text in drafts}
    try:
        result = insert_docstrings(source, [Docstring(name, t.kind, t.lineno, text) for name, (t, text) in by_name.items()])
    except (SyntaxError, ValueError) as exc:
        return "", [], [Skipped(t.path, f"{relative} does not parse ({exc}); fix the syntax error")
                        for t, _ in drafts], []
    skipped = [Skipped(by_name[name][0].path, f"{relative}:{by_name[name][0].lineno}: {reason}")
               for name, reason in result.skipped]
    lines = difflib.unified_diff(split_lines(source), split_lines(result.source), f"a/{relative}", f"b/{relative}")
    diff = "".join(line if line.endswith("\n") else line + _NO_NEWLINE for line in lines)
    return diff, [by_name[name][0].path for name in result.inserted], skipped, [by_name[name] for name in result.missing]


def _qualified_name(target: Target) -> str:
    """The name of the object within its module (`""` for the module itself)."""
    if target.path == target.module:
        return ""
    return target.path.removeprefix(target.module + ".") if target.module else target.path.partition(".")[2]


def _module_file(target: Target, settings: Settings) -> Path | None:
    """The file the scan read `target` from: its recorded path, or the module found on the search paths.

    The scan records the path relative to the directory it ran in; a cached scan may come from
    another one, so the recorded path is trusted only when it is the module's file.
    """
    parts = target.module.split(".")
    recorded = Path(target.filepath)
    candidates = [] if not target.filepath else [recorded] if recorded.is_absolute() else [
        Path.cwd() / recorded, settings.root / recorded]
    for base in (*settings.search_paths, settings.root):
        for name in (Path(*parts).with_suffix(".py"), Path(*parts, "__init__.py")):
            candidates.append(Path(base) / name)
    return next((path.resolve() for path in candidates if _is_module_file(path, parts)), None)


def _is_module_file(path: Path, parts: list[str]) -> bool:
    names = [*path.parent.parts, path.stem] if path.stem != "__init__" else list(path.parent.parts)
    return names[-len(parts):] == parts and path.suffix in (".py", ".pyi") and path.is_file()


def _relative(file: Path, root: Path) -> str | None:
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
