"""Store against a hostile cache or lockfile, unwritable lockfile paths, and concurrent runs (fast, in process)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import threading
from pathlib import Path

import diskcache
import pytest

from docgap.drafts import Draft, Record, Resolved, Usage
from docgap.engine import Job, generate_async
from docgap.errors import LockfileError
from docgap.limits import Limits
from docgap.providers.base import Generation, TargetContext
from docgap.settings import Settings
from docgap.store import Store
from docgap.targets import Parameter, Target
from docgap.textdisk import MAX_VALUE_BYTES, open_cache
from docgap.validate import validate

TARGET = Target(path="pkg.mod.area", kind="function", key="k1",
                parameters=(Parameter("radius"),), returns="float", returns_value=True)
RECORD = Record(Draft(summary="Compute the area.", parameters={"radius": "The radius."}, returns="The area."),
                provider="openai", model="m", usage=Usage(1, 100, 20, 10))
DEEP = "[" * 2000 + "]" * 2000
NOT_DOCGAPS = "not written by docgap"


class Evil:
    """Unpickling this creates `marker` (and does nothing else): proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return open, (str(self.marker), "w")


def check(record: Record) -> list[str]:
    return validate(record.draft.to_json(), TARGET, partial=not record.is_ai)


def make_settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(root=tmp_path).replace(**{"cache_dir": str(tmp_path / "cache"),
                                              "lockfile": str(tmp_path / "lock.json"), **kw})


def saved(tmp_path: Path) -> Settings:
    """Settings whose cache holds RECORD for TARGET, written by docgap."""
    settings = make_settings(tmp_path)
    with Store(settings) as store:
        store.save(TARGET, RECORD)
    return settings


def plain_cache(settings: Settings) -> diskcache.Cache:
    """The cache opened as anyone could: diskcache's default (pickling) disk."""
    return diskcache.Cache(str(settings.cache_path))


def set_row(settings: Settings, key: str, **columns: object) -> None:
    """Overwrite columns of the cache row of `key` directly in the database."""
    with sqlite3.connect(settings.cache_path / "cache.db") as db:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        db.execute(f"UPDATE Cache SET {assignments} WHERE key = ?", (*columns.values(), key))


def lookup_once(settings: Settings) -> tuple[tuple[Record, str] | None, list[str]]:
    with Store(settings) as store:
        hit = store.lookup(TARGET, check)
    return hit, store.warnings


def test_a_pickled_value_is_never_loaded_and_is_replaced(tmp_path: Path) -> None:
    settings = saved(tmp_path)
    marker = tmp_path / "pwned"
    with plain_cache(settings) as cache:
        cache.set(TARGET.key, Evil(marker))
    with Store(settings) as store:
        assert store.lookup(TARGET, check) is None
        assert store.lookup(TARGET, check) is None  # looked up twice, counted once
        store.save(TARGET, RECORD)  # what a run does after regenerating the draft
    assert not marker.exists()
    assert len(store.warnings) == 1 and NOT_DOCGAPS in store.warnings[0] and "1 entries" in store.warnings[0]
    assert lookup_once(settings) == ((RECORD, "cache"), [])


def test_a_pickled_key_is_never_loaded_and_gets_in_no_ones_way(tmp_path: Path) -> None:
    settings = saved(tmp_path)
    marker = tmp_path / "pwned"
    with plain_cache(settings) as cache:
        cache.set(Evil(marker), "x")
    with open_cache(settings.cache_path) as cache:
        keys = [key for key in cache.iterkeys() if key != "docgap:drafts"]  # the token of saved drafts
        assert sorted(keys, key=str) == [None, TARGET.key]  # the pickled key reads as None
    with Store(settings) as store:
        assert store.lookup(TARGET, check) == (RECORD, "cache")
        store.save(TARGET, RECORD)
    assert not marker.exists() and store.warnings == []


@pytest.mark.parametrize("value", [b"bytes", 42, DEEP, json.dumps({"draft": json.loads("[" * 500 + "]" * 500)})])
def test_other_values_docgap_did_not_write_are_corrupt_entries(tmp_path: Path, value: object) -> None:
    settings = saved(tmp_path)
    with plain_cache(settings) as cache:
        cache.set(TARGET.key, value)
    hit, warnings = lookup_once(settings)
    assert hit is None and len(warnings) == 1 and NOT_DOCGAPS in warnings[0]


def test_a_cache_written_by_plain_diskcache_still_reads(tmp_path: Path) -> None:
    """Caches of earlier docgap versions: JSON text inline, or in a file when long."""
    settings = make_settings(tmp_path)
    long = Record(Draft(summary="Compute the area.", description="Long. " * 10_000), provider="openai", model="m")
    other = Target(path="pkg.other", kind="function", key="k2")
    with plain_cache(settings) as cache:
        cache.set(TARGET.key, json.dumps(RECORD.to_json()))
        cache.set(other.key, json.dumps(long.to_json()))  # over 32 KB: diskcache keeps it in a file
    with Store(settings) as store:
        assert store.lookup(TARGET, check) == (RECORD, "cache")
        assert store.lookup(other, lambda record: []) == (long, "cache")
    assert store.warnings == []


def test_a_value_file_outside_the_cache_is_neither_read_nor_deleted(tmp_path: Path) -> None:
    settings = saved(tmp_path)
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps(RECORD.to_json()))
    for filename in (str(outside), "../outside.json"):
        set_row(settings, TARGET.key, mode=3, filename=filename, value=None)  # 3: diskcache's text file mode
        with Store(settings) as store:
            assert store.lookup(TARGET, check) is None
            store.save(TARGET, RECORD)  # replacing a row removes its old file: not this one
        assert outside.exists() and len(store.warnings) == 1 and NOT_DOCGAPS in store.warnings[0]


def test_a_fifo_or_an_oversized_value_file_is_corrupt_and_does_not_hang(tmp_path: Path) -> None:
    settings = saved(tmp_path)
    os.mkfifo(settings.cache_path / "fifo.val")
    with open(settings.cache_path / "huge.val", "wb") as handle:
        handle.truncate(MAX_VALUE_BYTES + 1)  # sparse: costs no disk
    for name in ("fifo.val", "huge.val"):
        set_row(settings, TARGET.key, mode=3, filename=name, value=None)
        outcome: list[object] = []
        reader = threading.Thread(target=lambda: outcome.append(lookup_once(settings)), daemon=True)
        reader.start()
        reader.join(60)  # a blocking open of the FIFO would never return
        assert outcome and outcome[0][0] is None and NOT_DOCGAPS in outcome[0][1][0], name


@pytest.mark.parametrize("row", [("_disk", "x"), ("_directory", "/"), ("eviction_policy", "nope"),
                                 ("disk_directory", "/")])
def test_a_tampered_settings_table_switches_the_cache_off_with_one_warning(tmp_path: Path,
                                                                            row: tuple[str, str]) -> None:
    settings = saved(tmp_path)
    with sqlite3.connect(settings.cache_path / "cache.db") as db:
        db.execute("INSERT OR REPLACE INTO Settings VALUES (?, ?)", row)
    with Store(settings) as store:
        assert store.lookup(TARGET, check) is None
        store.save(TARGET, RECORD)
    assert len(store.warnings) == 1 and "cannot open the draft cache" in store.warnings[0]


def test_settings_rows_cannot_point_the_disk_elsewhere(tmp_path: Path) -> None:
    settings = saved(tmp_path)
    with sqlite3.connect(settings.cache_path / "cache.db") as db:
        db.executemany("INSERT INTO Settings VALUES (?, ?)", [("disk__root", str(tmp_path)),
                                                               ("disk__directory", str(tmp_path))])
    (tmp_path / "outside.json").write_text(json.dumps(RECORD.to_json()))
    set_row(settings, TARGET.key, mode=3, filename="outside.json", value=None)
    assert lookup_once(settings) == (None, [])  # the value file is looked for in the cache: a miss


def test_a_deeply_nested_lockfile_is_one_warning_or_a_strict_error(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    settings = saved(tmp_path)
    settings.lockfile_path.write_text(DEEP)
    with caplog.at_level(logging.WARNING, logger="docgap"):
        hit, warnings = lookup_once(settings)
    assert hit == (RECORD, "cache")
    assert len(warnings) == 1 and str(settings.lockfile_path) in warnings[0] and "nested too deeply" in warnings[0]
    with pytest.raises(LockfileError, match="nested too deeply"):
        Store(settings.replace(strict=True))


def test_a_deeply_nested_lockfile_entry_is_ignored_naming_the_object(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Store(settings) as store:
        store.write_lockfile([Resolved(TARGET, RECORD, "cache")])
    document = json.loads(settings.lockfile_path.read_text())
    document["objects"][TARGET.path]["draft"]["parameters"] = {"radius": json.loads("[" * 500 + "]" * 500)}
    settings.lockfile_path.write_text(json.dumps(document))
    hit, warnings = lookup_once(settings)
    assert hit is None and len(warnings) == 1 and TARGET.path in warnings[0]


def test_stored_drafts_are_validated_with_the_callers_validator(tmp_path: Path) -> None:
    """The store keeps no rules of its own: a check naming an unknown object rejects the stored draft."""
    settings = saved(tmp_path)
    with Store(settings) as store:
        store.write_lockfile([Resolved(TARGET, RECORD, "cache")])
    with Store(settings) as store:
        assert store.lookup(TARGET, check) == (RECORD, "lock")
        assert store.lookup(TARGET, lambda data: ["`Gone` is not a known name"]) is None
    assert any("pkg.mod.area" in w and "Gone" in w for w in store.warnings)
    assert any("did not pass validation" in w for w in store.warnings)


@pytest.mark.parametrize("kind", ["directory", "proc", "missing parent under a file"])
def test_an_unwritable_lockfile_path_is_one_error_and_leaves_no_temporary_file(tmp_path: Path, kind: str) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    path = {"directory": tmp_path / "lockdir", "proc": Path("/proc/docgap.lock.json"),
            "missing parent under a file": blocker / "docgap.lock.json"}[kind]
    if kind == "directory":
        path.mkdir()
    settings = make_settings(tmp_path, lockfile=str(path))
    with Store(settings) as store, pytest.raises(LockfileError) as caught:
        store.write_lockfile([Resolved(TARGET, RECORD, "cache")])
    message = str(caught.value)
    assert str(path) in message and "\n" not in message and "lockfile" in message
    leftovers = [p for p in (tmp_path, path, path.parent) if p.is_dir() for p in p.iterdir() if p.suffix == ".tmp"]
    assert leftovers == []


def test_a_claim_makes_a_second_store_wait_then_use_the_first_ones_draft(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)

    async def scenario() -> Record | None:
        with Store(settings) as first, Store(settings) as second:
            async def other() -> Record | None:
                async with second.claim(TARGET, lambda record: True) as stored:
                    return stored

            async with first.claim(TARGET, lambda record: True) as stored:
                assert stored is None
                waiting = asyncio.create_task(other())
                await asyncio.sleep(0.2)  # the other store tries to claim while this one holds it
                first.save(TARGET, RECORD)
            return await waiting

    assert asyncio.run(scenario()) == RECORD


def test_a_claim_ignores_a_stored_draft_the_caller_does_not_accept(tmp_path: Path) -> None:
    settings = saved(tmp_path)

    async def scenario() -> tuple[Record | None, Record | None]:
        with Store(settings) as store:
            async with store.claim(TARGET, lambda record: record.provider != "openai") as refused:
                pass
            async with store.claim(TARGET, lambda record: True) as accepted:
                return refused, accepted

    assert asyncio.run(scenario()) == (None, RECORD)


def test_a_read_only_store_claims_nothing(tmp_path: Path) -> None:
    settings = saved(tmp_path)

    async def scenario() -> Record | None:
        with Store(settings, read_only=True) as store:
            async with store.claim(TARGET, lambda record: True) as stored:
                return stored

    assert asyncio.run(scenario()) is None
    assert not (settings.cache_path / "claims").exists()


class OneShotProvider:
    """Drafts every target it is asked for, and counts how many it was asked for."""

    name = "oneshot"
    model = "m"

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.limits = Limits()

    async def generate(self, target: Target, context: TargetContext, validate: object) -> Generation:
        self.asked.append(target.key)
        return Generation(Draft(summary="Made here."), Usage(1, 1, 1, 0))

    async def aclose(self) -> None:
        pass


def test_the_engine_uses_a_record_yielded_by_the_claim_instead_of_generating() -> None:
    import contextlib

    targets = [Target(path=f"p.f{i}", kind="function", key=f"k{i}") for i in range(4)]
    held: list[str] = []

    @contextlib.asynccontextmanager
    async def claim(target: Target):  # noqa: ANN202 - the engine's hook
        held.append(target.key)
        yield RECORD if target.key in ("k1", "k3") else None

    provider = OneShotProvider()
    jobs = [Job(t, TargetContext(), lambda data: []) for t in targets]
    report = asyncio.run(generate_async(jobs, provider, concurrency=2, claim=claim))
    assert sorted(held) == ["k0", "k1", "k2", "k3"]
    assert sorted(provider.asked) == ["k0", "k2"]
    assert report.stored == {"k1": RECORD, "k3": RECORD} and sorted(report.records) == ["k0", "k2"]


def tiny_project(tmp_path: Path) -> Settings:
    package = tmp_path / "tinypkg"
    package.mkdir()
    (package / "__init__.py").write_text('"""Tiny package."""\n')
    (package / "core.py").write_text('"""Core."""\n\n\ndef helper(count: int) -> int:\n    return count * 2\n')
    return make_settings(tmp_path, packages=["tinypkg"], search_paths=[str(tmp_path)], provider="signature")


@pytest.mark.parametrize("where", ["cache", "lock"])
def test_fill_checks_stored_drafts_against_the_scans_names(tmp_path: Path, where: str) -> None:
    """A stored draft naming an object that does not exist is rejected like a fresh answer would be."""
    from docgap.pipeline import fill

    settings = tiny_project(tmp_path)
    first = fill(settings)
    (resolved,) = first.resolved.values()
    invented = Record(Draft(summary="Double `count` with `tinypkg.core.no_such_helper`.",
                            parameters={"count": "How many."}, returns="Twice `count`."), provider="signature")
    assert validate(invented.draft.to_json(), resolved.target) == []  # only the scan's names can tell
    if where == "cache":
        with Store(settings) as store:
            store.save(resolved.target, invented)
    else:
        with Store(settings) as store:
            store.write_lockfile([Resolved(resolved.target, invented, "cache")])
    second = fill(settings)
    assert second.resolved["tinypkg.core.helper"].record.draft == resolved.record.draft
    assert second.summary.from_cache + second.summary.generated == 1 and second.summary.from_lock == 0
    if where == "cache":
        assert [w for w in second.warnings if "did not pass validation" in w] != []
    else:
        assert [w for w in second.warnings if str(settings.lockfile_path) in w and "no_such_helper" in w] != []


def test_a_claim_held_by_a_stopped_process_is_given_up_after_the_worst_case_of_one_target(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, timeout=0.1, max_retries=0, max_attempts=1)

    async def scenario() -> Record | None:
        with Store(settings) as holder, Store(settings) as waiter:
            async with holder.claim(TARGET, lambda record: True):  # never released while the other waits
                async with waiter.claim(TARGET, lambda record: True) as stored:
                    return stored

    assert asyncio.run(asyncio.wait_for(scenario(), 60)) is None  # waiting forever fails here instead of hanging
