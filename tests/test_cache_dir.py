"""The cache ignores itself in git, and never writes into a directory docgap did not create."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from docgap.settings import Settings
from docgap.store import Store
from docgap.textdisk import GITIGNORE, make_cache_dir


def test_the_default_docgap_folder_gets_a_gitignore_on_creation(tmp_path: Path) -> None:
    with Store(Settings(root=tmp_path)):
        pass
    assert (tmp_path / ".docgap" / ".gitignore").read_text() == GITIGNORE
    assert (tmp_path / ".docgap" / "cache").is_dir() and not (tmp_path / ".docgap" / "cache" / ".gitignore").exists()


def test_git_ignores_everything_docgap_keeps_there(tmp_path: Path) -> None:
    if subprocess.run(["git", "--version"], capture_output=True).returncode:  # pragma: no cover
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with Store(Settings(root=tmp_path)):
        pass
    listed = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=tmp_path,
                            capture_output=True, text=True, check=True).stdout
    assert ".docgap" not in listed


def test_a_cache_dir_docgap_creates_elsewhere_ignores_itself(tmp_path: Path) -> None:
    make_cache_dir(tmp_path / "build" / "drafts")
    assert (tmp_path / "build" / "drafts" / ".gitignore").read_text() == GITIGNORE
    assert not (tmp_path / "build" / ".gitignore").exists()


def test_existing_directories_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    make_cache_dir(tmp_path / "mine")
    (tmp_path / ".docgap").mkdir()
    make_cache_dir(tmp_path / ".docgap" / "cache")  # docgap creates only `cache` now: it ignores itself
    assert not (tmp_path / "mine" / ".gitignore").exists() and not (tmp_path / ".docgap" / ".gitignore").exists()
    assert (tmp_path / ".docgap" / "cache" / ".gitignore").exists()
