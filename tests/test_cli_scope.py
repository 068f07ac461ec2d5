"""`docgap scan` says what it counts: the package, not a site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docgap.cli import main


def test_scan_names_its_scope_in_text_and_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tinypkg").mkdir()
    (tmp_path / "tinypkg" / "__init__.py").write_text('"""Tiny."""\n\ndef area(r):\n    return r\n')
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "tinypkg", "--search-path", "."]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0] == ("scope: package tinypkg (every object in scope; a docs build counts only "
                                    "what its site shows)")
    assert main(["scan", "tinypkg", "--search-path", ".", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["scope"] == {"unit": "package", "packages": ["tinypkg"]}
    assert report["totals"]["missing"] == 1
