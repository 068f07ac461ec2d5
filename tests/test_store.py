"""Store: lockfile first, then cache; corrupt or unwritable parts warn and the run goes on."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from docgap.drafts import Draft, Record, Resolved, Usage
from docgap.errors import LockfileError
from docgap.settings import Settings
from docgap.lockfile import LOCKFILE_VERSION
from docgap.store import Store
from docgap.targets import Parameter, Target
from docgap.validate import validate

TARGET = Target(path="pkg.mod.area", kind="function", key="k1",
                parameters=(Parameter("radius"),), returns="float", returns_value=True)
RECORD = Record(Draft(summary="Compute the area.", parameters={"radius": "The radius."}, returns="The area."),
                provider="openai", model="m", usage=Usage(1, 100, 20, 10))


def check(record: Record) -> list[str]:
    """The check the pipeline gives the store for TARGET."""
    return validate(record.draft.to_json(), TARGET, partial=not record.is_ai)


def make_settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(root=tmp_path).replace(cache_dir=str(tmp_path / "cache"),
                                           lockfile=str(tmp_path / "lock.json"), **kw)


def test_save_then_lookup_from_cache(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Store(settings) as store:
        assert store.lookup(TARGET, check) is None
        store.save(TARGET, RECORD)
    with Store(settings) as store:
        record, origin = store.lookup(TARGET, check)
    assert origin == "cache"
    assert record.draft == RECORD.draft and record.usage == RECORD.usage and record.model == "m"


def test_cache_stores_json_text_not_pickles(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Store(settings) as store:
        store.save(TARGET, RECORD)
        raw = store._cache.get(TARGET.key)  # noqa: SLF001 - checking the on-disk format
    assert isinstance(raw, str) and json.loads(raw)["draft"]["summary"] == "Compute the area."


def test_lockfile_is_read_first_sorted_and_pruned(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    other = Target(path="pkg.a", kind="attribute", key="k2")
    with Store(settings) as store:
        store.write_lockfile([Resolved(TARGET, RECORD, "cache"),
                              Resolved(other, Record(Draft(summary="The a value."), "signature"), "cache")])
    document = json.loads(settings.lockfile_path.read_text())
    assert list(document["objects"]) == ["pkg.a", "pkg.mod.area"]
    assert document["version"] == LOCKFILE_VERSION
    with Store(settings) as store:
        assert store.lookup(TARGET, check)[1] == "lock"
        store.write_lockfile([Resolved(TARGET, RECORD, "lock")])
    assert list(json.loads(settings.lockfile_path.read_text())["objects"]) == ["pkg.mod.area"]


def test_lockfile_is_shareable_and_keeps_its_mode(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    previous = os.umask(0o022)
    try:
        with Store(settings) as store:
            store.write_lockfile([Resolved(TARGET, RECORD, "cache")])
            assert settings.lockfile_path.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600
            settings.lockfile_path.chmod(0o664)
            store.write_lockfile([Resolved(TARGET, RECORD, "cache")])
    finally:
        os.umask(previous)
    assert settings.lockfile_path.stat().st_mode & 0o777 == 0o664
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_an_invalid_lockfile_entry_is_ignored(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(tmp_path)
    bad = Record(Draft(summary="Compute.", parameters={"radius": "r", "invented": "x"}, returns="r"), "openai")
    with Store(settings) as store:
        store.write_lockfile([Resolved(TARGET, bad, "cache")])
    with caplog.at_level(logging.WARNING, logger="docgap"), Store(settings) as store:
        assert store.lookup(TARGET, check) is None
    assert "pkg.mod.area" in caplog.text


@pytest.mark.parametrize("content", ["{not json", json.dumps({"version": 99, "objects": {}})])
def test_bad_lockfile_warns_or_fails_under_strict(tmp_path: Path, content: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(tmp_path)
    settings.lockfile_path.write_text(content)
    with caplog.at_level(logging.WARNING, logger="docgap"), Store(settings) as store:
        assert store.lookup(TARGET, check) is None
    assert str(settings.lockfile_path) in caplog.text
    with pytest.raises(LockfileError, match="lock.json"):
        Store(settings.replace(strict=True))


def test_corrupt_cache_warns_once_and_continues(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(tmp_path)
    settings.cache_path.mkdir(parents=True)
    (settings.cache_path / "cache.db").write_bytes(b"this is not a sqlite database" * 100)
    with caplog.at_level(logging.WARNING, logger="docgap"), Store(settings) as store:
        assert store.lookup(TARGET, check) is None
        store.save(TARGET, RECORD)
    assert len(store.warnings) == 1 and "draft cache" in store.warnings[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_cache_directory(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    settings.cache_path.mkdir(parents=True)
    settings.cache_path.chmod(0o500)
    try:
        with Store(settings) as store:
            store.save(TARGET, RECORD)
        assert store.warnings
    finally:
        settings.cache_path.chmod(0o700)


def test_read_only_store_never_writes(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Store(settings, read_only=True) as store:
        store.save(TARGET, RECORD)
    assert not settings.cache_path.exists()
