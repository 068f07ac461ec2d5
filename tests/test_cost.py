"""The cost estimate: the configured price of the model times the usage the service reported."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from conftest import MODEL_VARIABLES, clean_env, run_docgap
from docgap.pipeline import fill
from docgap.settings import Settings
from fake_openai import FakeOpenAI

PACKAGE = {
    "__init__.py": '"""Geometry helpers."""\n',
    "shapes.py": "def area(width: float, height: float) -> float:\n    return width * height\n\n\n"
                 "def scale(value: float, factor: float = 2.0) -> float:\n    return value * factor\n",
}
PRICE_IN, PRICE_OUT = 3.0, 11.0
"""Different prices in and out per million tokens, so a swap shows."""


def make_project(root: Path) -> None:
    (root / "geo").mkdir()
    for name, text in PACKAGE.items():
        (root / "geo" / name).write_text(text, encoding="utf-8")


@pytest.fixture
def no_model_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith(MODEL_VARIABLES)]:
        monkeypatch.delenv(name)


def settings_for(root: Path, server: FakeOpenAI, **prices: dict[str, float]) -> Settings:
    return Settings(root=root).replace(
        packages=["geo"], search_paths=[str(root)], provider="openai", model="fake-model", base_url=server.url,
        cache_dir=str(root / "cache"), lockfile=str(root / "docgap.lock.json"), prices=prices or None)


@pytest.mark.usefixtures("no_model_environment")
def test_cost_is_the_price_times_the_reported_usage(tmp_path: Path) -> None:
    make_project(tmp_path)
    with FakeOpenAI() as server:
        outcome = fill(settings_for(tmp_path, server, **{"fake-model": {"input": PRICE_IN, "output": PRICE_OUT}}))
        reported = server.tokens
    summary = outcome.summary
    assert summary.generated == 3 and summary.requests == len(server.requests)
    assert summary.input_tokens + summary.output_tokens == reported  # the usage is the service's, not a guess
    assert summary.cost is not None
    expected = (summary.input_tokens * PRICE_IN + summary.output_tokens * PRICE_OUT) / 1_000_000
    assert math.isclose(summary.cost, expected) and summary.cost > 0
    assert f"estimated cost {expected:.4f}" in "\n".join(summary.lines())


@pytest.mark.usefixtures("no_model_environment")
def test_no_cost_without_a_price_for_the_model(tmp_path: Path) -> None:
    make_project(tmp_path)
    with FakeOpenAI() as server:
        outcome = fill(settings_for(tmp_path, server, **{"another-model": {"input": 1.0, "output": 1.0}}))
    assert outcome.summary.generated == 3 and outcome.summary.cost is None


@pytest.mark.slow
def test_fill_json_reports_the_cost(tmp_path: Path) -> None:
    make_project(tmp_path)
    with FakeOpenAI() as server:
        (tmp_path / "pyproject.toml").write_text(
            '[tool.docgap]\npackages = ["geo"]\nprovider = "openai"\nmodel = "fake-model"\n'
            f'base_url = "{server.url}"\n[tool.docgap.prices]\n'
            f'fake-model = {{input = {PRICE_IN}, output = {PRICE_OUT}}}\n', encoding="utf-8")
        proc = run_docgap(tmp_path, "fill", "--json", env=clean_env(), check=False)
        reported = server.tokens
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["input_tokens"] + report["output_tokens"] == reported
    expected = (report["input_tokens"] * PRICE_IN + report["output_tokens"] * PRICE_OUT) / 1_000_000
    assert report["cost"] is not None and math.isclose(report["cost"], expected)
