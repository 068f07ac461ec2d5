"""`regenerate`: drafts made by another model are kept unless asked, then made once by the configured model."""

from __future__ import annotations

from pathlib import Path

from fake_openai import FakeOpenAI

from docgap.outcome import Fill
from docgap.pipeline import fill
from docgap.settings import Settings

SOURCE = '''
def area(radius: float) -> float:
    return 3.14 * radius ** 2


def scale(value: float, factor: float = 2.0) -> float:
    return value * factor


class Box:
    def volume(self) -> float:
        return 1.0
'''



def settings_for(tmp_path: Path, server: FakeOpenAI, model: str, **kw: object) -> Settings:
    package = tmp_path / "pkg"
    if not package.exists():
        package.mkdir()
        (package / "__init__.py").write_text('"""A package."""\n')
        (package / "shapes.py").write_text('"""Shapes."""\n' + SOURCE)
    return Settings(root=tmp_path).replace(
        packages=["pkg"], search_paths=[str(tmp_path)], cache_dir=str(tmp_path / "cache"),
        provider="openai", model=model, base_url=server.url, max_retries=0, **kw)


def run(settings: Settings, server: FakeOpenAI) -> tuple[Fill, int]:
    """Fill once; return the outcome and how many requests the server got during it."""
    before = len(server.requests)
    outcome = fill(settings)
    return outcome, len(server.requests) - before


def models(outcome: Fill) -> set[str | None]:
    return {r.record.model for r in outcome.resolved.values()}


def test_drafts_of_another_model_are_kept_without_regenerate(tmp_path: Path, server: FakeOpenAI) -> None:
    first, sent = run(settings_for(tmp_path, server, "model-a"), server)
    targets = len(first.scan.targets)
    assert targets >= 4 and sent == first.summary.generated == targets and models(first) == {"model-a"}

    kept, sent = run(settings_for(tmp_path, server, "model-b"), server)
    assert sent == 0 and kept.summary.generated == 0 and kept.summary.from_cache == targets
    assert models(kept) == {"model-a"}


def test_regenerate_remakes_only_drafts_of_another_model_and_only_once(tmp_path: Path, server: FakeOpenAI) -> None:
    first, _ = run(settings_for(tmp_path, server, "model-a"), server)
    targets = len(first.scan.targets)

    same, sent = run(settings_for(tmp_path, server, "model-a", regenerate=True), server)
    assert sent == 0 and same.summary.from_cache == targets  # already by the configured model

    remade, sent = run(settings_for(tmp_path, server, "model-b", regenerate=True), server)
    assert sent == remade.summary.generated == targets and remade.summary.from_cache == 0
    assert models(remade) == {"model-b"}
    assert {r.body["model"] for r in server.requests[-sent:]} == {"model-b"}

    again, sent = run(settings_for(tmp_path, server, "model-b", regenerate=True), server)
    assert sent == 0 and again.summary.from_cache == targets and models(again) == {"model-b"}
