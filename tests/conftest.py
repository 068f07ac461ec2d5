"""Fixtures shared by the whole suite."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_DOCS = ROOT / "example_docs"
BIN = Path(sys.executable).parent


def tree_hash(path: Path) -> dict[str, str]:
    """Return sha256 per file under `path` (relative names), ignoring bytecode caches."""
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def example_docs(tmp_path: Path) -> Path:
    """A private copy of `example_docs/` (without build output or caches)."""
    target = tmp_path / "example_docs"
    shutil.copytree(
        EXAMPLE_DOCS,
        target,
        ignore=shutil.ignore_patterns("_build", "site", ".docgap", "__pycache__", "docgap.lock.json"),
    )
    return target


@pytest.fixture
def bin_dir() -> Path:
    """The directory holding this interpreter's console scripts (`docgap`, `sphinx-build`, `mkdocs`)."""
    return BIN
