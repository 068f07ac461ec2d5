"""`docgap eval`: documented objects drafted with their docstrings hidden, scored against the human text."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from docgap import Settings
from docgap.cli import main
from docgap.errors import SettingsError
from docgap.evaluate import evaluate
from fake_openai import FakeOpenAI, Reply

PACKAGE = '''
"""Geometry."""


def area(radius: float) -> float:
    """Return the area of a circle: SECRET-HUMAN-TEXT.

    Args:
        radius: The radius.

    Returns:
        The area.

    Raises:
        ValueError: If the radius is negative.
    """
    if radius < 0:
        raise ValueError("negative")
    return 3.14 * radius ** 2


def scale(value, factor=2):
    """Multiply SECRET-HUMAN-TEXT.

    Args:
        value: What to scale.
        factor: By how much.
    """
    return value * factor


class Shape:
    """A shape SECRET-HUMAN-TEXT."""

    def __init__(self, name):
        self.name = name
'''



@pytest.fixture
def src(tmp_path: Path) -> Path:
    (tmp_path / "src" / "geo").mkdir(parents=True)
    (tmp_path / "src" / "geo" / "__init__.py").write_text(textwrap.dedent(PACKAGE))
    return tmp_path / "src"


def settings(src: Path, server: FakeOpenAI) -> Settings:
    return Settings(packages=("geo",), search_paths=(src,), root=src.parent, cache_dir=src.parent / "cache",
                    provider="openai", model="fake-model", base_url=server.url, max_retries=0)


def test_eval_hides_the_docstrings_and_scores_each_draft(src: Path, server: FakeOpenAI) -> None:
    def answer(draft: dict) -> dict:
        claim = {"summary": "Scale by a factor of 2."} if "factor" in (draft.get("parameters") or {}) else {}
        return {**draft, "raises": [], **claim}

    server.script(*[Reply(mutate=answer)] * 3)
    evaluation = evaluate(settings(src, server), count=10)
    assert [s.path for s in evaluation.scores] == ["geo.Shape", "geo.area", "geo.scale"]
    assert not any("SECRET-HUMAN-TEXT" in json.dumps(r.body) for r in server.requests)
    scores = {s.path: s for s in evaluation.scores}
    assert scores["geo.area"].parameters == (1, 1) and scores["geo.area"].returns == (1, 1)
    assert scores["geo.area"].raises_agree is False  # the human text lists ValueError, the draft none
    assert scores["geo.scale"].parameters == (2, 2) and scores["geo.scale"].raises_agree is True
    assert scores["geo.scale"].claims == (1, 1)  # `2` is the default in the source
    assert scores["geo.area"].usage.input_tokens > 0
    totals = evaluation.totals()
    assert totals["drafted"] == (3, 3) and totals["raises agree"] == (2, 3)
    assert (src / "geo" / "__init__.py").read_text().count("SECRET-HUMAN-TEXT") == 3  # sources untouched
    assert not (src.parent / "cache").exists()  # drafts of documented objects are not stored


def test_eval_reports_a_draft_whose_invented_claim_was_rejected_as_failed(src: Path, server: FakeOpenAI) -> None:
    claim = {"summary": "Scale a value, as released in 2017."}
    server.script(*[Reply(mutate=lambda a: {**a, **claim, "raises": []})] * 9)
    evaluation = evaluate(settings(src, server).replace(max_attempts=1), count=1)
    assert [(s.path, s.failed is not None) for s in evaluation.scores] == [("geo.scale", True)]  # re-asked, then failed


def test_eval_command_prints_per_object_lines_and_totals(src: Path, server: FakeOpenAI,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["eval", "geo", "--search-path", str(src), "--provider", "openai", "--model", "fake-model",
                   "--base-url", server.url, "--cache-dir", str(src.parent / "c"), "-n", "2", "--json"])
    assert status == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["objects"]) == 2 and report["totals"]["drafted"] == [2, 2]


def test_eval_of_a_package_without_docstrings_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "__init__.py").write_text("def f(x):\n    return x\n")
    with pytest.raises(SettingsError, match="no documented function, method or class"):
        evaluate(Settings(packages=("bare",), search_paths=(tmp_path,), root=tmp_path, provider="signature"))
