"""Store details pinned exactly: the lockfile's bytes, its error messages, and a cache that fails mid-run."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import diskcache
import pytest

from docgap import store as store_module
from docgap._version import __version__
from docgap.drafts import Draft, Record, Resolved, Usage
from docgap.errors import LockfileError
from docgap.settings import Settings
from docgap.lockfile import LOCKFILE_VERSION
from docgap.store import Store
from docgap.targets import Parameter, Target
from docgap.validate import validate

TARGET = Target(path="pkg.mod.area", kind="function", key="k1",
                parameters=(Parameter("radius"),), returns="float", returns_value=True)
RECORD = Record(Draft(summary="Compute the área.", parameters={"radius": "The radius."}, returns="The area."),
                provider="openai", model="m", usage=Usage(1, 100, 20, 10))


def check(record: Record) -> list[str]:
    return validate(record.draft.to_json(), TARGET, partial=not record.is_ai)


def make_settings(tmp_path: Path, **kw: object) -> Settings:
    return Settings(root=tmp_path).replace(**{"cache_dir": str(tmp_path / "cache"),
                                              "lockfile": str(tmp_path / "lock.json"), **kw})


def test_the_lockfile_is_indented_sorted_utf8_json_naming_its_generator(tmp_path: Path) -> None:
    """Byte for byte, so that a regenerated lockfile makes a readable, stable git diff."""
    settings = make_settings(tmp_path)
    with Store(settings) as store:
        store.write_lockfile([Resolved(TARGET, RECORD, "cache")])
    expected = {"version": LOCKFILE_VERSION, "generator": f"docgap {__version__}",
                "objects": {TARGET.path: {"key": TARGET.key, **RECORD.to_json()}}}
    text = settings.lockfile_path.read_bytes().decode("utf-8")
    assert text == json.dumps(expected, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert "área" in text


def test_the_lockfile_s_missing_parent_directories_are_created(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, lockfile=str(tmp_path / "a" / "b" / "lock.json"))
    with Store(settings) as store:
        written = store.write_lockfile([Resolved(TARGET, RECORD, "cache")])
    assert written == settings.lockfile_path and written.is_file()


def test_an_unwritable_lockfile_says_why_plainly_and_how_to_fix_it(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    settings.lockfile_path.mkdir()
    with Store(settings) as store, pytest.raises(LockfileError) as caught:
        store.write_lockfile([Resolved(TARGET, RECORD, "cache")])
    message = str(caught.value)
    assert "(Is a directory)" in message and "[Errno" not in message
    assert message.endswith("; set `lockfile` under [tool.docgap] (or pass --lockfile) "
                            "to a file in a writable directory")


@pytest.mark.parametrize("entry", ["a string", {"summary": "No key."}, {"key": 7}])
def test_a_lockfile_entry_without_a_content_key_is_named_in_the_warning(tmp_path: Path, entry: object,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    settings = make_settings(tmp_path)
    settings.lockfile_path.write_text(json.dumps({"version": LOCKFILE_VERSION, "objects": {"pkg.a": entry}}))
    with caplog.at_level(logging.WARNING, logger="docgap"), Store(settings) as store:
        assert store.lookup(TARGET, check) is None
    assert store.warnings == [f"{settings.lockfile_path}: cannot use the lockfile (entry 'pkg.a' has no content "
                              "key); ignoring it (fix or regenerate it with `docgap lock`)"]


def test_a_cache_that_fails_on_write_is_switched_off_with_one_warning(tmp_path: Path) -> None:
    """A full disk mid-run: one warning naming the cache, then the run goes on without it."""
    settings = make_settings(tmp_path)
    other = Target(path="pkg.b", kind="attribute", key="k2")
    with Store(settings) as store:
        def full(key: str, value: str) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        store._cache.set = full  # noqa: SLF001 - the failure a full disk causes
        store.save(TARGET, RECORD)
        store.save(other, Record(Draft(summary="The b value."), "signature"))
        assert store.lookup(TARGET, check) is None
    assert store.warnings == [f"cannot write to the draft cache at {settings.cache_path} (database or disk is "
                              "full); drafts made in this run will not be kept"]


def test_state_changes_with_the_lockfile_and_with_saved_drafts_only(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Store(settings) as store:
        empty = store.state()
        assert store.state() == empty
        store.write_lockfile([Resolved(TARGET, RECORD, "cache")])
        locked = store.state()
        assert locked != empty
        store.save(TARGET, RECORD)
        saved = store.state()
        assert saved not in (empty, locked)
    settings.lockfile_path.unlink()
    with Store(settings) as store:
        assert store.state() not in (empty, locked, saved)  # drafts saved, no lockfile any more


def test_a_cache_that_fails_when_sealing_a_check_is_switched_off_with_one_warning(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Store(settings) as store:
        store.save(TARGET, RECORD)
    with Store(settings) as store:
        def full(key: str, value: str) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        store._cache.set = full  # noqa: SLF001 - the failure a full disk causes
        assert store.lookup(TARGET, check, context="names") == (RECORD, "cache")  # then sealing it fails
        assert store.lookup(TARGET, check, context="names") is None  # the cache is off
    assert store.warnings == [f"cannot write to the draft cache at {settings.cache_path} (database or disk is "
                              "full); drafts made in this run will not be kept"]


def test_a_read_only_store_keeps_no_seal(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Store(settings) as store:
        store.save(TARGET, RECORD)
    with Store(settings, read_only=True) as store:
        assert store.lookup(TARGET, check, context="names") == (RECORD, "cache")
        store.remember("rendered:x", "text")
    with Store(settings) as store:
        assert sorted(k for k in store._cache.iterkeys() if ":" in k) == ["docgap:drafts"]  # noqa: SLF001


def test_every_invalid_cached_draft_is_counted_once(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    other = Target(path="pkg.b", kind="attribute", key="k2")
    with Store(settings) as store:
        store.save(TARGET, RECORD)
        store.save(other, Record(Draft(summary="The b value."), "signature"))
    with Store(settings) as store:
        for target in (TARGET, other):
            assert store.lookup(target, lambda record: ["not valid here"]) is None
    assert store.warnings == [f"2 drafts in the cache at {settings.cache_path} did not pass validation and were "
                              "ignored (they are replaced when generated again)"]


def test_a_claim_is_a_shareable_lock_file_under_the_cache(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    previous = os.umask(0o022)

    async def scenario() -> None:
        with Store(settings) as store:
            async with store.claim(TARGET, lambda record: True) as stored:
                assert stored is None

    try:
        asyncio.run(scenario())
    finally:
        os.umask(previous)
    lock = settings.cache_path / "claims" / f"{TARGET.key}.lock"
    assert lock.stat().st_mode & 0o777 == 0o644


def test_a_held_claim_is_waited_for_twice_the_worst_case_of_one_target(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """2 × timeout × (retries + 1) × attempts = 2 × 2 × 2 × 2 = 16 s, on a clock moving 2 s per reading;
    a waiter that gives up generates (gets no record) even if one was saved meanwhile."""
    settings = make_settings(tmp_path, timeout=2, max_retries=1, max_attempts=2)
    readings: list[float] = []

    def monotonic() -> float:
        readings.append(2.0 * len(readings))
        return readings[-1]

    async def scenario() -> Record | None:
        with Store(settings) as holder, Store(settings) as waiter:
            async with holder.claim(TARGET, lambda record: True):
                holder.save(TARGET, RECORD)
                monkeypatch.setattr(store_module, "time", SimpleNamespace(monotonic=monotonic))
                async with waiter.claim(TARGET, lambda record: True) as stored:
                    return stored

    assert asyncio.run(scenario()) is None
    assert readings == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0]  # deadline 16, given up past it


@pytest.mark.parametrize(("content", "reason"), [
    ("[1, 2]", "expected an object with an 'objects' table"),
    ('{"objects": []}', "expected an object with an 'objects' table"),
    ('{"version": 99, "objects": {}}', "lockfile version 99 is not one of 1, 2; it was written by another docgap version: "
                                       "upgrade docgap or regenerate it with `docgap lock`"),
    ("[" * 5000 + "]" * 5000, "JSON nested too deeply"),
])
def test_a_bad_lockfile_s_warning_says_exactly_what_is_wrong(tmp_path: Path, content: str, reason: str) -> None:
    settings = make_settings(tmp_path)
    settings.lockfile_path.write_text(content)
    with Store(settings) as store:
        assert store.lookup(TARGET, check) is None
    assert store.warnings == [f"{settings.lockfile_path}: cannot use the lockfile ({reason}); ignoring it "
                              "(fix or regenerate it with `docgap lock`)"]


def test_a_store_opened_without_the_lockfile_never_reads_it(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    settings.lockfile_path.write_text("{not json")
    with Store(settings, lockfile=False) as store:
        assert store.lookup(TARGET, check) is None
    assert store.warnings == []


def test_corrupt_entries_are_counted_by_key_whichever_way_they_are_corrupt(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    targets = [Target(path=f"pkg.t{n}", kind="attribute", key=f"k{n}") for n in range(4)]
    with Store(settings):
        pass
    plain = diskcache.Cache(str(settings.cache_path))  # anyone's writes: pickles, or text that is no record
    plain.set("k0", {"pickled": True})
    plain.set("k1", b"\x80binary")
    plain.set("k2", "not json")
    plain.set("k3", '{"json": "but no record"}')
    plain.close()
    with Store(settings) as store:
        for target in targets:
            assert store.lookup(target, check) is None
        assert not store.clean
    assert store.warnings == [f"4 entries in the cache at {settings.cache_path} were not written by docgap "
                              "(pickled, binary or damaged) and were ignored, never loaded (they are replaced when "
                              "generated again; delete the directory to start a fresh cache)"]


def test_a_claim_does_not_report_a_corrupt_entry_it_reads(tmp_path: Path) -> None:
    """The lookup before a claim already reported the key."""
    settings = make_settings(tmp_path)
    with Store(settings) as store:
        store._cache.set(TARGET.key, "not json")  # noqa: SLF001

    async def scenario() -> Record | None:
        async with store.claim(TARGET, lambda record: True) as stored:
            return stored

    with Store(settings) as store:
        assert asyncio.run(scenario()) is None
        assert store.clean
    assert store.warnings == []


def test_closing_twice_warns_once(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Store(settings) as store:
        store.save(TARGET, RECORD)
    store = Store(settings)
    assert store.lookup(TARGET, lambda record: ["not valid here"]) is None
    store.close()
    store.close()
    assert len(store.warnings) == 1


def test_the_drafts_token_changes_on_the_first_save_and_on_close_only(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    other = Target(path="pkg.b", kind="attribute", key="k2")
    store = Store(settings)
    before = store.state()
    store.save(TARGET, RECORD)
    first = store.state()
    store.save(other, Record(Draft(summary="The b value."), "signature"))
    assert store.state() == first != before
    store.close()
    with Store(settings) as reader:
        assert reader.state() not in (before, first)


def test_a_cache_that_fails_on_read_is_switched_off_with_one_warning(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Store(settings) as store:
        def broken(key: str) -> None:
            raise sqlite3.OperationalError("disk I/O error")

        store._cache.get = broken  # noqa: SLF001 - the failure a dying disk causes
        assert store.lookup(TARGET, check) is None
        assert store.lookup(TARGET, check) is None
    assert store.warnings == [f"cannot read the draft cache at {settings.cache_path} (disk I/O error); continuing "
                              "without it (delete the directory to start a fresh cache)"]


def test_a_cache_that_cannot_be_opened_says_how_to_start_afresh(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    settings.cache_path.mkdir(parents=True)
    (settings.cache_path / "cache.db").write_bytes(b"this is not a sqlite database" * 100)
    with Store(settings) as store:
        pass
    [warning] = store.warnings
    assert warning.startswith(f"cannot open the draft cache at {settings.cache_path} (")
    assert warning.endswith("); continuing without it (delete the directory to start a fresh cache)")


def test_a_rendered_text_is_kept_per_target_and_per_record(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    other = Target(path="pkg.b", kind="function", key="k2")
    newer = Record(Draft(summary="Compute the area, again."), "openai", "m2")
    with Store(settings) as store:
        assert store.rendered(TARGET, RECORD, "html", lambda: "first") == "first"
        assert store.rendered(TARGET, RECORD, "html", lambda: "not rendered again") == "first"
        assert store.rendered(TARGET, newer, "html", lambda: "newer") == "newer"
        assert store.rendered(other, RECORD, "html", lambda: "other") == "other"


def test_a_lockfile_entry_found_valid_is_sealed_for_its_context(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Store(settings) as store:
        store.write_lockfile([Resolved(TARGET, RECORD, "cache")])
    checked: list[Record] = []

    def counting(record: Record) -> list[str]:
        checked.append(record)
        return check(record)

    for _ in range(2):
        with Store(settings) as store:
            assert store.lookup(TARGET, counting, context="names") == (RECORD, "lock")
    assert len(checked) == 1
