"""The public API re-exported by `docgap` runs the whole pipeline as the README shows it."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI

import docgap
from docgap.render import render
from docgap.validate import validate


def test_every_public_name_is_exported() -> None:
    assert all(hasattr(docgap, name) for name in docgap.__all__)
    assert docgap.fill.__module__ == "docgap.pipeline" and docgap.Settings.__module__ == "docgap.settings"
    for module in ("scan", "render", "validate"):  # not shadowed by the functions they define
        assert isinstance(getattr(docgap, module), types.ModuleType)


def test_fill_and_render_through_the_public_api(example_docs: Path, tmp_path: Path) -> None:
    settings = docgap.load_settings(example_docs / "pyproject.toml", {"cache_dir": str(tmp_path / "cache")})
    outcome = docgap.fill(settings)
    assert outcome.summary is not None and outcome.summary.generated == len(outcome.scan.targets) > 0
    resolved = outcome.lookup("example_pkg.shapes.scale_all")
    assert resolved is not None and not validate(resolved.record.draft.to_json(), resolved.target)
    text = render(resolved.record.draft, resolved.target, "google")
    assert "Args:" in text and all(p.name in text for p in resolved.target.parameters)


def test_prompts_carry_voice_examples_from_the_targets_own_module(
        example_docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with FakeOpenAI() as server:
        settings = docgap.load_settings(example_docs / "pyproject.toml", {
            "cache_dir": str(tmp_path / "cache"), "provider": "openai", "model": "fake", "base_url": server.url})
        assert docgap.fill(settings).summary.failed == 0
    prompts = {path: json.dumps(request.body["messages"]) for request in server.requests
               for path in ("example_pkg.shapes.scale_all", "example_pkg.text.tokenize")
               if path in json.dumps(request.body["messages"])}
    assert "Base class of every shape" in prompts["example_pkg.shapes.scale_all"]  # a docstring of shapes.py
    assert "Base class of every shape" not in prompts["example_pkg.text.tokenize"]
    assert "Split text into tokens" in prompts["example_pkg.text.tokenize"]
