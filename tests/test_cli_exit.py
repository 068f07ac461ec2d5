"""The `docgap` command spares its ending process a last garbage collection over everything the run made."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from docgap.cli import main


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    (tmp_path / "tinypkg").mkdir()
    (tmp_path / "tinypkg" / "__init__.py").write_text('"""Tiny."""\n\ndef area(r):\n    return r\n')
    monkeypatch.chdir(tmp_path)
    gc.unfreeze()
    yield
    gc.unfreeze()  # this test process goes on: its objects must be collectable again


def test_the_command_freezes_what_is_left_when_it_ends(tiny: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["docgap", "scan", "tinypkg", "--search-path", "."])
    assert main() == 0
    assert gc.get_freeze_count() > 0


def test_a_call_with_arguments_leaves_the_collector_alone(tiny: None) -> None:
    assert main(["scan", "tinypkg", "--search-path", "."]) == 0
    assert gc.get_freeze_count() == 0
