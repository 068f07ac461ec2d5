"""The session layer and the provider registry on their own: no Sphinx, no MkDocs, no subprocess."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import pytest
from conftest import install_echo_provider
from fake_openai import FakeOpenAI

from docgap.drafts import Draft, Record
from docgap.errors import ProviderConfigError, SettingsError, StrictModeError
from docgap.hosting import Session, coerce, forward_logs, host_settings
from docgap.limits import Limits
from docgap.providers import make_provider, provider_names, resolve_provider_name

PACKAGE = '''"""A tiny package."""


def area(radius: float) -> float:
    return 3.14 * radius ** 2


def perimeter(radius: float) -> float:
    return 6.28 * radius


def scale(value: float, factor: float = 2.0) -> float:
    """Scale a value."""
    return value * factor
'''



@pytest.fixture
def project(tmp_path: Path) -> Path:
    """`tmp/pyproject.toml` naming `tinypkg` (under `tmp/src`), and a docs folder `tmp/docs`."""
    (tmp_path / "src" / "tinypkg").mkdir(parents=True)
    (tmp_path / "src" / "tinypkg" / "__init__.py").write_text(PACKAGE)
    (tmp_path / "pyproject.toml").write_text('[tool.docgap]\npackages = ["tinypkg"]\nsearch_paths = ["src"]\n')
    (tmp_path / "docs").mkdir()
    return tmp_path


@pytest.fixture
def echo_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`echo_docgap` installed on `sys.path`, with a `docgap.providers` entry point `echo`."""
    monkeypatch.syspath_prepend(str(install_echo_provider(tmp_path / "site-packages")))


def session_for(project: Path, messages: list[tuple[int, str]] | None = None, **values: object) -> Session:
    def log(level: int, text: str) -> None:
        if messages is not None:
            messages.append((level, text))

    return Session(host_settings({"cache_dir": "cache", **values}, project / "docs"), log=log)


def test_host_paths_are_relative_to_the_host_folder_and_pyproject_paths_to_the_file(project: Path) -> None:
    settings = host_settings({"search_paths": "lib", "cache_dir": "c", "lockfile": "l.json"}, project / "docs")
    docs = (project / "docs").resolve()
    assert settings.search_paths == (docs / "lib",)  # every path setting follows the one rule
    assert (settings.cache_dir, settings.lockfile) == (docs / "c", docs / "l.json")
    from_file = host_settings({}, project / "docs")
    assert from_file.search_paths == (project.resolve() / "src",) and from_file.packages == ("tinypkg",)


def test_an_explicit_config_is_relative_to_the_host_folder(project: Path) -> None:
    (project / "docs" / "other.toml").write_text('[tool.docgap]\npackages = ["elsewhere"]\n')
    assert host_settings({}, project / "docs", config="other.toml").packages == ("elsewhere",)


def test_strings_are_read_as_the_settings_type(project: Path) -> None:
    settings = host_settings({"frozen": "yes", "concurrency": "3", "timeout": "2.5", "exclude": "a.*, b.*",
                              "max_requests": None}, project / "docs")
    assert (settings.frozen, settings.concurrency, settings.timeout) == (True, 3, 2.5)
    assert settings.exclude == ("a.*", "b.*") and settings.max_requests is None
    assert coerce("frozen", "maybe") == "maybe" and coerce("concurrency", 3) == 3
    with pytest.raises(SettingsError, match="'frozen'"):
        host_settings({"frozen": "maybe"}, project / "docs")


def test_unknown_names_and_missing_packages_are_settings_errors(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="unknown docgap setting 'colour'"):
        host_settings({"colour": "red"}, tmp_path)
    with pytest.raises(SettingsError, match="no package to scan; name one here"):
        host_settings({}, tmp_path, require_packages="name one here")


def test_core_logs_reach_the_host_during_the_fill_only(project: Path, no_model_env: None) -> None:
    core = logging.getLogger("docgap")
    before = (core.level, core.propagate, list(core.handlers))
    messages: list[tuple[int, str]] = []
    session = session_for(project, messages, frozen=True)
    session.fill()
    assert (logging.WARNING, "frozen: 2 objects have no draft in the lockfile or cache: tinypkg.area, "
                               "tinypkg.perimeter") in messages
    assert (core.level, core.propagate, list(core.handlers)) == before
    count = len(messages)
    core.warning("docgap: after the run")
    assert len(messages) == count


def test_forwarding_is_undone_when_the_run_fails() -> None:
    core = logging.getLogger("docgap")
    before = (core.level, core.propagate, list(core.handlers))
    with pytest.raises(RuntimeError), forward_logs(lambda level, text: None):
        raise RuntimeError("boom")
    assert (core.level, core.propagate, list(core.handlers)) == before


def test_summary_generated_badges_and_strict_problems(project: Path, no_model_env: None) -> None:
    session = session_for(project)
    outcome = session.fill()
    assert session.generated() == ["tinypkg.area", "tinypkg.perimeter"]
    lines = session.summary_lines()
    assert lines[0].startswith("2 undocumented objects: 2 generated")
    assert not any(line.startswith("docgap:") for line in lines)  # each host adds its prefix
    badge = session.badge(outcome.resolved["tinypkg.area"].record)
    assert (badge.label, badge.provider, badge.model) == ("Drafted from signature", "signature", "")
    assert not badge.is_model
    assert badge.title == "Generated by docgap with signature; not written by the authors"
    model = session.badge(Record(Draft(summary="S."), provider="openai", model="m"))
    assert (model.label, model.model, model.is_model) == ("AI-generated", "m", True)
    assert session.problems() == []

    strict = session_for(project, frozen=True, strict=True, cache_dir="empty")
    strict.fill()
    strict.fill()
    assert strict.summary() is not None and strict.summary().missing == 4  # two fills, added up
    assert len(strict.problems()) == 2 and all("tinypkg.area" in p for p in strict.problems())
    with pytest.raises(StrictModeError, match="strict: 2 objects left undocumented"):
        strict.check_strict()


def test_a_session_before_any_fill_has_nothing_to_say(project: Path) -> None:
    session = session_for(project)
    assert session.summary() is None and session.summary_lines() == [] and session.problems() == []


def test_third_party_provider_is_selectable_and_treated_as_no_model(
        project: Path, echo_installed: None, no_model_env: None) -> None:
    assert provider_names()[:3] == ("signature", "openai", "azure") and "echo" in provider_names()
    session = session_for(project, provider="echo")
    assert resolve_provider_name(session.settings) == "echo"
    outcome = session.fill()
    record = outcome.resolved["tinypkg.area"].record
    assert (record.provider, record.model, record.is_ai) == ("echo", None, False)
    assert session.badge(record).label == "Drafted from signature"

    with FakeOpenAI() as server:  # a model is configured now: the echo drafts are upgraded, like signature's
        upgraded = session_for(project, provider="openai", model="m", base_url=server.url).fill()
    assert upgraded.summary is not None and (upgraded.summary.generated, upgraded.summary.from_cache) == (2, 0)
    assert {r.record.provider for r in upgraded.resolved.values()} == {"openai"}


def test_unknown_and_broken_providers_are_clear_errors(project: Path, echo_installed: None, tmp_path: Path) -> None:
    with pytest.raises(ProviderConfigError, match=r"unknown provider 'nope'; the providers are: auto, signature, "
                                                  r"openai, azure, echo"):
        make_provider(host_settings({"provider": "nope"}, project), Limits())
    info = next((tmp_path / "site-packages").glob("*.dist-info"))
    (info / "entry_points.txt").write_text("[docgap.providers]\nbroken = echo_docgap:Missing\n")
    with pytest.raises(ProviderConfigError, match=r"provider 'broken' \(echo_docgap:Missing\) cannot be loaded"):
        make_provider(host_settings({"provider": "broken"}, project), Limits())


def test_a_provider_must_say_truly_whether_it_is_a_model(project: Path, echo_installed: None,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import echo_docgap

    monkeypatch.setattr(echo_docgap.EchoProvider, "is_model", True)  # a model without a model name
    with pytest.raises(ProviderConfigError, match="provider 'echo' needs a model"):
        make_provider(host_settings({"provider": "echo"}, project), Limits())


def test_the_engine_uses_the_limits_the_provider_was_built_with(project: Path, no_model_env: None) -> None:
    settings = host_settings({"max_requests": 5}, project)
    limits = Limits.from_settings(settings)
    assert make_provider(settings, limits).limits is limits


def test_module_docstring_example_runs(project: Path, no_model_env: None) -> None:
    """The usage shown in `docgap.hosting`'s docstring works as written."""
    import docgap.hosting

    example = docgap.hosting.__doc__.split("```python\n")[1].split("```")[0]
    shown: list[str] = []
    names = {"values": {"cache_dir": "cache"}, "base": project / "docs", "MyHostError": RuntimeError,
             "my_log": lambda level, text: shown.append(text), "logging": logging, **vars(docgap.hosting)}
    exec(compile(textwrap.dedent(example), "<example>", "exec"), names)
    assert any("undocumented objects" in line for line in shown)


def test_lookup_then_generate_drafts_and_counts_only_what_the_site_shows(project: Path, no_model_env: None) -> None:
    messages: list[tuple[int, str]] = []
    with FakeOpenAI() as server:
        session = session_for(project, messages, provider="openai", model="m", base_url=server.url)
        found = session.lookup()
        assert found.resolved == {} and [t.path for t in found.missing] == ["tinypkg.area", "tinypkg.perimeter"]
        assert server.requests == [] and session.summary_lines()[0].startswith("0 undocumented objects")
        batch = session.generate(["tinypkg.area", "tinypkg.scale"])  # a page shows area (and documented scale)
        assert len(server.requests) == 1 and list(batch.resolved) == ["tinypkg.area"]
        assert batch.summary is not None and (batch.summary.targets, batch.summary.requests) == (1, 1)
        assert session.find("tinypkg.area") is batch.resolved["tinypkg.area"]
        assert session.find("tinypkg.perimeter") is None and session.generated() == ["tinypkg.area"]
        summary = session.summary()
        assert summary is not None
        assert (summary.targets, summary.generated, summary.missing, summary.requests) == (1, 1, 0, 1)
        assert (summary.provider, summary.model) == ("openai", "m")
        assert session.generate(["tinypkg.area"]).resolved == {} and len(server.requests) == 1  # drafted once

        again = session_for(project, provider="openai", model="m", base_url=server.url)
        again.lookup()
        again.show(["tinypkg.area"])  # rendered from the cache: counted, nothing sent
        assert again.generate([]).resolved == {} and len(server.requests) == 1
        summary = again.summary()
        assert summary is not None and (summary.targets, summary.from_cache, summary.requests) == (1, 1, 0)
    assert sum("provider: openai" in text for _, text in messages) == 1  # once per session


def test_a_frozen_session_counts_and_reports_only_the_shown_misses(project: Path, no_model_env: None) -> None:
    messages: list[tuple[int, str]] = []
    session = session_for(project, messages, frozen=True, strict=True)
    session.lookup()
    batch = session.generate(["tinypkg.perimeter"])
    assert [t.path for t in batch.missing] == ["tinypkg.perimeter"]
    assert (logging.WARNING, "frozen: 1 objects have no draft in the lockfile or cache: tinypkg.perimeter") in messages
    assert session.problems() == ["strict: 1 objects left undocumented: tinypkg.perimeter: not in the lockfile "
                                  "or cache (frozen)"]
    assert session.summary() is not None and session.summary().missing == 1


def test_the_provider_line_is_logged_once_per_session(project: Path, no_model_env: None) -> None:
    messages: list[tuple[int, str]] = []
    session = session_for(project, messages)
    session.fill()
    session.fill()  # MkDocs fills once per package
    assert sum(text.startswith("provider: signature") for _, text in messages) == 1


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the providers built (`docgap.providers.make_provider`) while the test runs."""
    import docgap.providers

    names: list[str] = []
    real = docgap.providers.make_provider
    monkeypatch.setattr(docgap.providers, "make_provider", lambda settings, limits: names.append(
        settings.provider) or real(settings, limits))
    return names


def test_a_lookup_names_the_provider_from_the_settings_and_builds_it_only_for_misses(
        project: Path, no_model_env: None, built: list[str]) -> None:
    """A warm build has no miss to draft: it never builds the provider (nor imports a model's SDK)."""
    messages: list[tuple[int, str]] = []
    with FakeOpenAI() as server:
        session = session_for(project, messages, provider="openai", model="m", base_url=server.url)
        found = session.lookup()
        assert built == [] and [t.path for t in found.missing] == ["tinypkg.area", "tinypkg.perimeter"]
        assert (logging.INFO, "provider: openai, model m (configured)") in messages
        session.generate(["tinypkg.area"])
        assert built == ["openai"] and len(server.requests) == 1
    with pytest.raises(ProviderConfigError, match="provider 'openai' needs a model"):  # still said at once
        session_for(project, provider="openai").lookup()


def test_the_pipeline_fill_builds_the_provider_only_for_misses(project: Path, no_model_env: None,
                                                               built: list[str]) -> None:
    from docgap.pipeline import fill

    with FakeOpenAI() as server:
        settings = host_settings({"cache_dir": "cache", "provider": "openai", "model": "m", "base_url": server.url},
                                 project / "docs")
        first = fill(settings)
        assert built == ["openai"] and first.summary is not None and first.summary.generated == 2
        again = fill(settings)  # every draft stored: no provider, no request
        assert built == ["openai"] and again.summary is not None and again.summary.from_cache == 2
        assert len(server.requests) == 2
