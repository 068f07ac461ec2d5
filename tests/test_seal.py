"""Seals: a warm build skips re-checking and re-rendering only what this user's docgap sealed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from docgap import pipeline
from docgap.drafts import Draft, Record, Usage
from docgap.seal import Seal, digest, key_file
from docgap.settings import Settings, load_settings
from docgap.store import Store
from docgap.targets import Parameter, Target
from docgap.validate import validate

TARGET = Target(path="pkg.mod.area", kind="function", key="k1",
                parameters=(Parameter("radius"),), returns="float", returns_value=True)
RECORD = Record(Draft(summary="Compute the area.", parameters={"radius": "The radius."}, returns="The area."),
                provider="openai", model="m", usage=Usage(1, 100, 20, 10))


class Checks:
    """The validator the pipeline gives the store, counting its calls; it rejects "EVIL"."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, record: Record) -> list[str]:
        self.calls += 1
        if "EVIL" in json.dumps(record.to_json()):
            return ["planted text"]
        return validate(record.draft.to_json(), TARGET, partial=not record.is_ai)


def make_settings(tmp_path: Path) -> Settings:
    return Settings(root=tmp_path).replace(cache_dir=str(tmp_path / "cache"), lockfile=str(tmp_path / "lock.json"))


def saved(tmp_path: Path) -> Settings:
    settings = make_settings(tmp_path)
    with Store(settings) as store:
        store.save(TARGET, RECORD)
    return settings


def test_a_draft_found_valid_is_not_validated_again_in_the_same_context(tmp_path: Path) -> None:
    settings, checks = saved(tmp_path), Checks()
    for _ in range(3):
        with Store(settings) as store:
            record, origin = store.lookup(TARGET, checks, context="names")
        assert origin == "cache" and record.draft == RECORD.draft
    assert checks.calls == 1
    with Store(settings) as store:
        assert store.lookup(TARGET, checks, context="other names") is not None
    assert checks.calls == 2  # another context (other names exist): checked again


def test_without_a_context_every_lookup_validates(tmp_path: Path) -> None:
    settings, checks = saved(tmp_path), Checks()
    for _ in range(2):
        with Store(settings) as store:
            assert store.lookup(TARGET, checks) is not None
    assert checks.calls == 2


def test_a_draft_tampered_with_after_it_was_sealed_is_validated_and_rejected(tmp_path: Path) -> None:
    settings, checks = saved(tmp_path), Checks()
    with Store(settings) as store:
        assert store.lookup(TARGET, checks, context="names") is not None
    with Store(settings) as store:
        tampered = {**RECORD.to_json(), "draft": {**RECORD.draft.to_json(), "summary": "EVIL."}}
        store._cache.set(TARGET.key, json.dumps(tampered))  # noqa: SLF001 - an attacker writes the cache
    with Store(settings) as store:
        assert store.lookup(TARGET, checks, context="names") is None
        assert store.invalid_cache_entries == 1
    assert checks.calls == 2


@pytest.mark.parametrize("forger", ["hash", "other key", "copied"])
def test_a_seal_not_made_with_the_users_key_is_not_trusted(tmp_path: Path, forger: str) -> None:
    """Whoever writes the cache can compute any hash, and can copy seals, but has no key."""
    settings, checks = make_settings(tmp_path), Checks()
    evil = Record(Draft(summary="EVIL.", parameters={"radius": "The radius."}, returns="The area."), "openai", "m")
    with Store(settings) as store:
        store.save(TARGET, RECORD)
        assert store.lookup(TARGET, checks, context="names") is not None  # sealed, honestly
        honest = "checked:" + digest(TARGET.key, "names", json.dumps(RECORD.to_json(), sort_keys=True))
        planted = "checked:" + digest(TARGET.key, "names", json.dumps(evil.to_json(), sort_keys=True))
        seal = {"hash": digest(planted), "other key": Seal(b"k" * 32).sign(planted),
                "copied": store._cache.get(honest)}[forger]  # noqa: SLF001
        store._cache.set(TARGET.key, json.dumps(evil.to_json()))  # noqa: SLF001
        store._cache.set(planted, seal)  # noqa: SLF001
    with Store(settings) as store:
        assert store.lookup(TARGET, checks, context="names") is None
    assert checks.calls == 2


def test_a_rendered_form_is_kept_and_a_tampered_one_is_rendered_again(tmp_path: Path) -> None:
    settings = saved(tmp_path)
    renders: list[str] = []

    def render() -> str:
        renders.append("google")
        return "Compute the area.\n\nArgs:\n    radius: The radius."

    for _ in range(2):
        with Store(settings) as store:
            assert store.rendered(TARGET, RECORD, "google/markdown", render).startswith("Compute the area.")
    assert len(renders) == 1
    with Store(settings) as store:
        assert store.rendered(TARGET, RECORD, "numpy/markdown", render)
    assert len(renders) == 2  # another form: rendered
    with Store(settings) as store:
        [key] = [k for k in store._cache.iterkeys() if k.startswith("rendered:")][:1]  # noqa: SLF001
        kept = json.loads(store._cache.get(key))  # noqa: SLF001
        store._cache.set(key, json.dumps({**kept, "text": "<script>EVIL</script>"}))  # noqa: SLF001
    with Store(settings) as store:
        texts = {store.rendered(TARGET, RECORD, form, render) for form in ("google/markdown", "numpy/markdown")}
    assert texts == {render()} and "EVIL" not in "".join(texts)


def test_a_key_file_others_can_read_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "seal.key"
    path.write_bytes(b"k" * 32)
    path.chmod(0o644)
    assert Seal.load(path) is None
    path.chmod(0o600)
    assert Seal.load(path) is not None


def test_the_key_is_made_private_outside_the_cache(tmp_path: Path) -> None:
    settings, checks = saved(tmp_path), Checks()
    with Store(settings) as store:
        store.lookup(TARGET, checks, context="names")
    key = key_file()
    assert key.is_file() and not key.is_relative_to(settings.cache_path)
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32


def write_package(root: Path, extra: str = "") -> Settings:
    package = root / "pkg"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text('"""A package."""\n\n\ndef area(radius: float) -> float:\n'
                                         '    return 3.14 * radius * radius\n' + extra)
    return load_settings(None, {"packages": ["pkg"], "search_paths": [str(root)], "provider": "signature",
                                "cache_dir": str(root / "cache"), "lockfile": str(root / "lock.json")})


def test_a_warm_fill_validates_no_stored_draft_until_the_names_change(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import docgap.validate

    calls: list[str] = []
    real = docgap.validate.validate

    def counting(data: object, target: Target, known_names: frozenset[str] = frozenset(), *,
                 partial: bool = False) -> list[str]:
        calls.append(target.path)
        return real(data, target, known_names, partial=partial)

    monkeypatch.setattr(docgap.validate, "validate", counting)
    settings = write_package(tmp_path)
    assert pipeline.fill(settings).resolved  # generated: validated as made
    calls.clear()
    assert pipeline.lookup(settings).resolved and calls  # first lookup: validated, sealed
    calls.clear()
    assert pipeline.lookup(settings).resolved and not calls  # warm: nothing validated again
    settings = write_package(tmp_path, "\n\nLIMIT = 3\n")  # a new name exists: drafts may mention it
    os.utime(tmp_path / "pkg" / "__init__.py", ns=(1, 1))
    assert pipeline.lookup(settings).resolved and "pkg.area" in calls


def counting_lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = Store.lookup

    def lookup(self: Store, target: Target, *args: object, **kwargs: object) -> object:
        calls.append(target.path)
        return real(self, target, *args, **kwargs)

    monkeypatch.setattr(Store, "lookup", lookup)
    return calls


def test_a_warm_lookup_reads_the_last_clean_outcome_until_drafts_change(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = write_package(tmp_path)
    pipeline.fill(settings)
    calls = counting_lookups(monkeypatch)
    first = pipeline.lookup(settings)
    assert calls  # looked up one by one, then remembered
    calls.clear()
    again = pipeline.lookup(settings)
    assert calls == [] and again.resolved == first.resolved
    target = first.resolved["pkg.area"].target
    newer = Record(Draft(summary="Return the area of a circle.", parameters={"radius": "Its radius."},
                         returns="The area."), "openai", "m2")
    with Store(settings) as store:  # another build saves a newer draft
        store.save(target, newer)
    assert pipeline.lookup(settings).resolved["pkg.area"].record == newer and calls


def test_a_tampered_remembered_outcome_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = write_package(tmp_path)
    pipeline.fill(settings)
    honest = pipeline.lookup(settings).resolved["pkg.area"].record
    with Store(settings) as store:
        [key] = [k for k in store._cache.iterkeys() if k.startswith("lookup:")]  # noqa: SLF001
        kept = json.loads(store._cache.get(key))  # noqa: SLF001
        tampered = kept["text"].replace(honest.draft.summary, "EVIL.")  # the seal is kept as it was
        store._cache.set(key, json.dumps({**kept, "text": tampered}))  # noqa: SLF001
    calls = counting_lookups(monkeypatch)
    assert pipeline.lookup(settings).resolved["pkg.area"].record == honest and calls


def test_a_lookup_that_warned_is_not_remembered_so_it_warns_again(tmp_path: Path) -> None:
    settings = write_package(tmp_path)
    outcome = pipeline.fill(settings)
    with Store(settings) as store:
        store.write_lockfile(outcome.resolved.values())
    lock = json.loads(settings.lockfile_path.read_text())
    for entry in lock["objects"].values():
        entry["draft"]["parameters"] = {"nope": "Not a parameter."}
    settings.lockfile_path.write_text(json.dumps(lock))
    for _ in range(2):
        assert any("ignoring the entry" in w for w in pipeline.lookup(settings).warnings)
