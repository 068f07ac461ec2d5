"""Modules that cannot be read (too deeply nested, a NUL byte, no parse) are skipped with a warning
naming file:line, and the rest of the package is scanned; nothing crashes the scan or the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from conftest import clean_env, run_docgap
from sphinx_helpers import entries, sphinx_build
from docgap.loading import load_packages
from docgap.scan import scan, scan_objects
from docgap.settings import Settings
from docgap.source_facts import body_facts, main_guard_ranges
from docgap.targets import ScanResult

T = TypeVar("T")

DEEP_DEFAULT = "def deep(x=" + "+".join(["1"] * 30_000) + "):\n    return x\n"
"""The attack: a default value of 30,000 terms, past what Python's parser can build."""


def make_package(root: Path, files: dict[str, str | bytes], name: str = "pkg") -> Settings:
    for relative, text in {"__init__.py": '"""A package."""\n', **files}.items():
        path = root / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return Settings(root=root).replace(packages=[name], search_paths=[str(root)], cache_dir=str(root / "cache"))


def warnings_about(result: ScanResult, filename: str) -> list[str]:
    return [str(w) for w in result.warnings if w.filepath and w.filepath.endswith(filename)]


def test_a_deeply_nested_module_is_skipped_and_the_rest_scanned(tmp_path: Path) -> None:
    settings = make_package(tmp_path, {
        "good.py": "def kept(a): ...\n",
        "deep.py": "import os\n\n\n" + DEEP_DEFAULT + "def also_lost(): ...\n",
    })
    result = scan(settings)
    assert "pkg.good.kept" in {t.path for t in result.targets}
    assert not any(t.path.startswith("pkg.deep") for t in result.targets)
    (warning,) = warnings_about(result, "deep.py")
    assert "deep.py:4: module is nested too deeply to read, skipped" in warning  # the `def` line
    assert scan(settings).warnings == result.warnings  # served from the scan cache, warning included


@pytest.mark.parametrize("expression", [
    "not " * 20_000 + "x",           # the parser's own stack overflows: MemoryError
    "a" + ".b" * 20_000,             # the tree builder's limit: RecursionError
    "a" + ".b" * 800,                # parses, but griffe's visitor recurses past the limit (in an `if`)
])
def test_every_kind_of_too_deep_is_a_warning(tmp_path: Path, expression: str) -> None:
    deep = f"def f(): ...\nif {expression}:\n    pass\n"
    result = scan(make_package(tmp_path, {"good.py": "def kept(a): ...\n", "deep.py": deep}))
    assert "pkg.good.kept" in {t.path for t in result.targets}
    (warning,) = warnings_about(result, "deep.py")
    assert "deep.py:2: module is nested too deeply to read, skipped" in warning


def test_an_unreadable_package_init_skips_that_package_only(tmp_path: Path) -> None:
    make_package(tmp_path, {"__init__.py": DEEP_DEFAULT, "sub.py": "def lost(): ...\n"}, name="broken")
    settings = make_package(tmp_path, {"m.py": "def kept(): ...\n"}).replace(packages=["broken", "pkg"])
    result = scan(settings)
    assert {t.path for t in result.targets} == {"pkg.m", "pkg.m.kept"}
    (warning,) = warnings_about(result, "__init__.py")
    assert "broken/__init__.py:1: module is nested too deeply to read, so package 'broken' is skipped" in warning


def test_a_nul_byte_is_a_warning_naming_the_file_and_line(tmp_path: Path) -> None:
    result = scan(make_package(tmp_path, {
        "good.py": "def kept(a): ...\n",
        "nul.py": b"def f(a):\n    return a\x00\n",
    }))
    assert "pkg.good.kept" in {t.path for t in result.targets}
    (warning,) = warnings_about(result, "nul.py")
    assert "nul.py:2: module contains a NUL byte, skipped" in warning


STUB_REEXPORT = {
    "__init__.py": "from basepkg import field\n\n__all__ = ['field', 'make']\n\n\ndef make(value):\n    return value\n",
    "__init__.pyi": ("from typing import overload\nfrom basepkg import field as field\n\n@overload\n"
                     "def field(x: int) -> int: ...\n@overload\ndef field(x: None = None) -> None: ...\n"
                     "def make(value: int) -> int: ...\n"),
}
"""A package with stubs re-exporting another package's function, as `attrs` does from `attr`."""


def test_a_package_whose_stubs_reexport_another_package_is_scanned(tmp_path: Path) -> None:
    # griffe resolves the alias while merging the stubs: it fails unless `basepkg` is loaded too.
    (tmp_path / "basepkg").mkdir()
    (tmp_path / "basepkg" / "__init__.py").write_text("def field(x=None):\n    return x\n")
    result = scan(make_package(tmp_path, dict(STUB_REEXPORT), name="reexp"))
    assert "reexp.make" in {t.path for t in result.targets}
    assert not result.warnings


def test_a_package_reexporting_from_a_missing_package_is_a_warning(tmp_path: Path) -> None:
    result = scan(make_package(tmp_path, dict(STUB_REEXPORT), name="reexp"))
    [warning] = [w.message for w in result.warnings]
    assert warning.startswith("package 'reexp' cannot be loaded: Could not resolve alias reexp.field pointing at "
                              "basepkg.field")
    assert warning.endswith("it is skipped (list the package it re-exports from in `packages` as well)")
    assert not result.targets


def test_syntax_errors_in_same_named_files_point_at_each_file(tmp_path: Path) -> None:
    result = scan(make_package(tmp_path, {
        "a/__init__.py": "", "a/bad.py": "x = (\n",
        "b/__init__.py": "", "b/bad.py": "\n\ndef broken(:\n",
    }))
    found = {(Path(w.filepath).parent.name, w.lineno) for w in result.warnings if w.filepath}
    assert found == {("a", 1), ("b", 3)}


def at_depth(frames: int, call: Callable[[], T]) -> T:
    """Run `call` below `frames` more stack frames, as a host's own stack would put it."""
    return call() if frames == 0 else at_depth(frames - 1, call)


def test_an_object_too_deep_for_the_stack_it_is_scanned_on_is_skipped(tmp_path: Path) -> None:
    # Loaded at a shallow stack (mkdocstrings loads, docgap's griffe extension scans later, deeper).
    settings = make_package(tmp_path, {"m.py": "def deep(x=" + "+".join(["1"] * 300) + "): ...\ndef kept(a): ...\n"})
    modules, _ = load_packages(settings)
    result = at_depth(600, lambda: scan_objects(modules, settings))
    assert "pkg.m.kept" in {t.path for t in result.targets} and "pkg.m.deep" not in {t.path for t in result.targets}
    (warning,) = warnings_about(result, "m.py")
    assert "m.py:1: skipped pkg.m.deep: an expression in it is nested too deeply to read" in warning


def test_source_facts_survive_expressions_too_deep_to_parse_or_unparse() -> None:
    deep_return = "def f():\n    def g(): ...\n    return " + "+".join(["1"] * 5000) + "\n"
    facts = body_facts(deep_return)
    assert facts.returns_expression and not facts.yields
    lines = ["def f(): ...", "", "if __name__ == '__main__' and a" + ".b" * 1500 + ":", "    f()"]
    assert main_guard_ranges(lines) == [(3, 4)]


@pytest.mark.slow
def test_the_cli_scans_and_fills_past_unreadable_modules(tmp_path: Path) -> None:
    make_package(tmp_path, {"good.py": "def kept(a): ...\n", "deep.py": DEEP_DEFAULT, "nul.py": b"x = 1\x00\n"})
    (tmp_path / "pyproject.toml").write_text('[tool.docgap]\npackages = ["pkg"]\n', encoding="utf-8")
    for command in ("scan", "fill"):
        proc = run_docgap(tmp_path, command, "--json", env=clean_env(), check=False)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
        assert "deep.py:1: module is nested too deeply to read, skipped" in proc.stderr
        assert "nul.py:1: module contains a NUL byte, skipped" in proc.stderr
        report = json.loads(proc.stdout)
        if command == "scan":
            assert {o["path"] for o in report["objects"]} == {"pkg", "pkg.good", "pkg.good.kept"}
        else:
            assert report["generated"] == 2 and report["failed"] == []


@pytest.mark.slow
def test_a_sphinx_build_goes_on_past_unreadable_modules(tmp_path: Path) -> None:
    make_package(tmp_path, {"good.py": "def kept(a: int) -> int:\n    return a\n", "deep.py": DEEP_DEFAULT,
                            "nul.py": b"x = 1\x00\n"})
    (tmp_path / "pyproject.toml").write_text('[tool.docgap]\npackages = ["pkg"]\n', encoding="utf-8")
    (tmp_path / "sphinx").mkdir()
    (tmp_path / "sphinx" / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nextensions = ['sphinx.ext.autodoc', 'docgap.sphinx']\n"
        f"docgap_config = {str(tmp_path / 'pyproject.toml')!r}\n", encoding="utf-8")
    (tmp_path / "sphinx" / "index.rst").write_text("pkg\n===\n\n.. automodule:: pkg.good\n   :members:\n",
                                                   encoding="utf-8")
    proc = sphinx_build(tmp_path, tmp_path / "out")
    assert "Traceback" not in proc.stderr
    assert "deep.py:1: module is nested too deeply to read, skipped" in proc.stderr
    assert "nul.py:1: module contains a NUL byte, skipped" in proc.stderr
    assert entries(tmp_path / "out" / "index.html")["pkg.good.kept"].block is not None
