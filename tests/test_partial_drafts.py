"""Only a draft no model wrote may leave fields out; a model's answers and stored drafts stay complete."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI, Reply

from docgap import pipeline
from docgap.settings import Settings
from docgap.store import Store

SOURCE = '''
def scale(value: float, factor: float = 2.0) -> float:
    return value * factor
'''


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    for name in ("OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-docgap-partial-test")
    with FakeOpenAI() as fake:
        yield fake


def settings_for(tmp_path: Path, **kw: object) -> Settings:
    package = tmp_path / "pkg"
    if not package.exists():
        package.mkdir()
        (package / "__init__.py").write_text('"""A package."""\n' + SOURCE)
    return Settings(root=tmp_path).replace(packages=["pkg"], search_paths=[str(tmp_path)],
                                           cache_dir=str(tmp_path / "cache"), max_retries=0, **kw)


def test_offline_drafts_say_nothing_where_the_source_shows_no_fact(tmp_path: Path) -> None:
    outcome = pipeline.fill(settings_for(tmp_path, provider="signature"))
    record = outcome.resolved["pkg.scale"].record
    assert outcome.summary.failed == 0 and not record.is_ai
    assert record.draft.to_json() == {}  # no "Scale.", no "The value.": the host shows the badge alone


@pytest.mark.parametrize("mutate", [
    lambda a: {k: v for k, v in a.items() if k != "summary"},
    lambda a: {**a, "summary": None},
    lambda a: {**a, "parameters": {"value": a["parameters"]["value"]}},
    lambda a: {**a, "parameters": {**a["parameters"], "factor": None}},
], ids=["no summary", "null summary", "a parameter left out", "a null parameter"])
def test_a_model_that_leaves_a_field_out_is_asked_again(tmp_path: Path, server: FakeOpenAI, mutate: Any) -> None:
    server.script(Reply(mutate=mutate))
    settings = settings_for(tmp_path, provider="openai", model="fake", base_url=server.url)
    record = pipeline.fill(settings).resolved["pkg.scale"].record
    assert len(server.requests) == 2 and record.attempts == 2
    assert record.draft.summary and set(record.draft.parameters) == {"value", "factor"}
    reask = server.requests[1].body["messages"][-1]["content"]
    assert "summary" in reask or "factor" in reask


def test_a_stored_draft_is_checked_as_its_provider_s_answers_are(tmp_path: Path, server: FakeOpenAI) -> None:
    settings = settings_for(tmp_path, provider="openai", model="fake", base_url=server.url, frozen=True)
    made = pipeline.fill(settings.replace(frozen=False))
    with Store(settings) as store:
        store.write_lockfile(made.resolved.values())
    document = json.loads(settings.lockfile_path.read_text())
    del document["objects"]["pkg.scale"]["draft"]["parameters"]["factor"]  # an edit or a bad merge
    settings.lockfile_path.write_text(json.dumps(document))
    fresh = settings.replace(cache_dir=str(tmp_path / "other-cache"))  # only the lockfile holds drafts

    model_s = pipeline.lookup(fresh)
    assert "pkg.scale" not in model_s.resolved
    assert any("ignoring the entry for pkg.scale (parameters: missing 'factor')" in w for w in model_s.warnings)

    document["objects"]["pkg.scale"].update(provider="signature", model=None)  # the same draft, made offline
    settings.lockfile_path.write_text(json.dumps(document))
    offline = pipeline.lookup(fresh)
    assert offline.warnings == () and offline.resolved["pkg.scale"].record.draft.parameters.keys() == {"value"}
