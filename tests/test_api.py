"""The public API re-exported by `docgap` runs the whole pipeline as the README shows it."""

from __future__ import annotations

import importlib
import json
import types
from pathlib import Path

from fake_openai import FakeOpenAI

import docgap
from docgap.render import render
from docgap.validate import validate


def test_every_public_name_is_exported() -> None:
    assert all(hasattr(docgap, name) for name in docgap.__all__)
    assert docgap.fill.__module__ == "docgap.pipeline" and docgap.Settings.__module__ == "docgap.settings"
    for module in ("scan", "render", "validate"):  # not shadowed by the functions they define
        importlib.import_module(f"docgap.{module}")
        assert isinstance(getattr(docgap, module), types.ModuleType)


def test_fill_and_render_through_the_public_api(example_docs: Path, tmp_path: Path) -> None:
    settings = docgap.load_settings(example_docs / "pyproject.toml", {"cache_dir": str(tmp_path / "cache")})
    outcome = docgap.fill(settings)
    assert outcome.summary is not None and outcome.summary.generated == len(outcome.scan.targets) > 0
    resolved = outcome.lookup("example_pkg.shapes.Circle")
    assert resolved is not None and not resolved.record.is_ai
    assert not validate(resolved.record.draft.to_json(), resolved.target, partial=True)
    draft = resolved.record.draft
    assert draft.summary == "Subclass of `Shape`." and [(r.exception, r.when) for r in draft.raises] == [
        ("ValueError", "If `radius < 0`.")]
    text = render(draft, resolved.target, "google", markup="markdown")
    assert text == "Subclass of `Shape`.\n\nRaises:\n    ValueError: If `radius < 0`."


def test_prompts_carry_voice_examples_from_the_targets_own_module(
        example_docs: Path, tmp_path: Path, no_model_env: None) -> None:
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
