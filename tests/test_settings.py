"""Settings: [tool.docgap] loading, overrides, and errors that name the key."""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

import pytest

from docgap.cli import main
from docgap.errors import SettingsError
from docgap.settings import Price, Settings, load_settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def write_pyproject(directory: Path, body: str) -> Path:
    path = directory / "pyproject.toml"
    path.write_text("[tool.docgap]\n" + body, encoding="utf-8")
    return path


def test_reads_table_and_resolves_paths_against_the_file(tmp_path: Path) -> None:
    config = write_pyproject(tmp_path, 'packages = ["pkg"]\nsearch-paths = ["src"]\ncache_dir = "c"\nstyle = "numpy"\n')
    settings = load_settings(config)
    assert settings.packages == ("pkg",)
    assert settings.search_paths == ((tmp_path / "src").resolve(),)
    assert settings.cache_path == (tmp_path / "c").resolve()
    assert settings.lockfile_path == tmp_path.resolve() / "docgap.lock.json"
    assert settings.style == "numpy"


def test_overrides_win_and_none_is_ignored(tmp_path: Path) -> None:
    config = write_pyproject(tmp_path, 'packages = ["pkg"]\nconcurrency = 4\n')
    settings = load_settings(config, {"concurrency": 16, "model": None})
    assert settings.concurrency == 16
    assert settings.model is None


def test_finds_the_nearest_pyproject_with_a_docgap_table(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'packages = ["outer"]\n')
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert load_settings(start=inner).packages == ("outer",)


# One or more bad values for every setting, with the start of the message that must name it.
BAD_VALUES = [
    ("packages", "3", "must be a list of non-empty strings"),
    ("packages", "['']", "must be a list of non-empty strings"),
    ("search_paths", "['src', '']", "must be a list of non-empty strings"),
    ("search_paths", "[1]", "must be a list of non-empty strings"),
    ("root", "''", "must be a non-empty path"),
    ("root", "5", "must be a non-empty path"),
    ("provider", "''", "must be a provider name"),
    ("model", "''", "must be a non-empty string"),
    ("model", "'  '", "must be a non-empty string"),
    ("base_url", "''", "must be a non-empty string"),
    ("api_key_env", "''", "must be the name of an environment variable"),
    ("api_key_env", "'MY KEY'", "must be the name of an environment variable"),
    ("api_version", "3", "must be a non-empty string"),
    ("allow_insecure_http", "'yes'", "must be true or false"),
    ("output_mode", "'xml'", "must be one of"),
    ("style", "'rst'", "must be one of"),
    ("cache_dir", "''", "must be a non-empty path"),
    ("cache_dir", "'   '", "must be a non-empty path"),
    ("lockfile", "''", "must be a non-empty path"),
    ("lockfile", "3", "must be a non-empty path"),
    ("include", "['']", "must be a list of non-empty strings"),
    ("exclude", "[1]", "must be a list of non-empty strings"),
    ("private", "1", "must be true or false"),
    ("special_methods", "'no'", "must be true or false"),
    ("inherit_docstrings", "0", "must be true or false"),
    ("exclude_tests", "'true'", "must be true or false"),
    ("max_source_chars", "0", "must be a whole number from 1 to 10,000,000"),
    ("concurrency", "0", "must be a whole number from 1 to 256"),
    ("concurrency", "100000", "must be a whole number from 1 to 256"),
    ("concurrency", "8.0", "must be a whole number from 1 to 256"),
    ("requests_per_minute", "0", "must be a whole number from 1 to"),
    ("tokens_per_minute", "0", "must be a whole number from 1 to"),
    ("tokens_per_minute", "9223372036854775807", "must be a whole number from 1 to"),
    ("timeout", "nan", "must be a number of seconds above 0 and at most 3600"),
    ("timeout", "inf", "must be a number of seconds above 0 and at most 3600"),
    ("timeout", "-inf", "must be a number of seconds above 0 and at most 3600"),
    ("timeout", "0", "must be a number of seconds above 0 and at most 3600"),
    ("timeout", "1e300", "must be a number of seconds above 0 and at most 3600"),
    ("timeout", "true", "must be a number of seconds above 0 and at most 3600"),
    ("max_retries", "-1", "must be a whole number from 0 to 10"),
    ("max_retries", "1000", "must be a whole number from 0 to 10"),
    ("max_attempts", "0", "must be a whole number from 1 to 10"),
    ("max_requests", "0", "must be a whole number from 1 to"),
    ("max_requests", "-5", "must be a whole number from 1 to"),
    ("max_tokens", "0", "must be a whole number from 1 to"),
    ("max_tokens", "10_000_000_000_000", "must be a whole number from 1 to"),
    ("max_output_tokens", "0", "must be a whole number from 1 to"),
    ("temperature", "2.5", "must be a number from 0 to 2"),
    ("temperature", "true", "must be a number from 0 to 2"),
    ("prices", "{m = 1}", "must be a table"),
    ("prices", "{m = {input = 'cheap', output = 1}}", "must be a table"),
    ("prices", "{m = {input = -1, output = 1}}", "must be a table"),
    ("prices", "{m = {input = true, output = 1}}", "must be a table"),
    ("prices", "{m = {input = inf, output = 1}}", "must be a table"),
    ("prices", "{m = {input = 1, output = nan}}", "must be a table"),
    ("examples_in_prompt", "-1", "must be a whole number from 0 to 50"),
    ("examples_in_prompt", "1000", "must be a whole number from 0 to 50"),
    ("frozen", "'yes'", "must be true or false"),
    ("strict", "1", "must be true or false"),
    ("regenerate", "'false'", "must be true or false"),
    ("reveal", "'no'", "must be true or false"),
    ("label_ai", "''", "must be a non-empty string"),
    ("label_signature", "3", "must be a non-empty string"),
    ("label_reviewed", "''", "must be a non-empty string"),
    ("require_review", "'yes'", "must be true or false"),
]


def test_every_setting_has_bad_values_in_the_table() -> None:
    assert {f.name for f in dataclasses.fields(Settings)} <= {key for key, _, _ in BAD_VALUES}


@pytest.mark.parametrize(("key", "value", "fragment"), BAD_VALUES)
def test_bad_values_name_the_key_and_what_is_expected(tmp_path: Path, key: str, value: str, fragment: str) -> None:
    config = write_pyproject(tmp_path, f"{key} = {value}\n")
    with pytest.raises(SettingsError) as info:
        load_settings(config)
    message = str(info.value)
    assert message.startswith(f"{config}: docgap setting {key!r} {fragment}"), message
    with pytest.raises(SettingsError, match=f"^override: docgap setting {key!r} "):
        Settings().replace(**tomllib.loads(f"{key} = {value}"))


@pytest.mark.parametrize(("key", "value"), [
    ("max_retries", 0), ("examples_in_prompt", 0), ("concurrency", 256), ("timeout", 3600), ("timeout", 0.5),
    ("max_requests", 1), ("max_source_chars", 1), ("tokens_per_minute", 10**12), ("api_key_env", "MY_KEY_2"),
    ("prices", {"m": {"input": 0, "output": 0}}),
])
def test_edge_values_that_make_sense_are_accepted(key: str, value: object) -> None:
    assert getattr(Settings().replace(**{key: value}), key) in (value, {"m": Price(0.0, 0.0)})


def test_unknown_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="unknown docgap setting 'colour'"):
        load_settings(write_pyproject(tmp_path, "colour = 'red'\n"))


def test_a_key_pasted_as_api_key_env_is_not_repeated() -> None:
    with pytest.raises(SettingsError) as info:
        Settings().replace(api_key_env="sk-proj-SECRETSECRET")
    assert "SECRET" not in str(info.value) and "not the key itself" in str(info.value)


def test_a_huge_bad_value_is_quoted_short() -> None:
    with pytest.raises(SettingsError, match="'concurrency'") as info:
        Settings().replace(concurrency="8" * 100_000)
    assert len(str(info.value)) < 300


BROKEN_LATER = '[tool.docgap]\npackages = ["pkg"]\n\n[project]\nname = = "x"\n'
"""A valid docgap table, then a syntax error on line 5."""


def test_invalid_toml_names_the_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(BROKEN_LATER, encoding="utf-8")
    for how in ({"config": config}, {"start": tmp_path}):
        with pytest.raises(SettingsError, match=rf"^{re.escape(str(config))}:5: invalid TOML \(.+ at column 8\)"):
            load_settings(**how)  # type: ignore[arg-type]


def test_a_pyproject_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.docgap]\npackages = ["pkg"]\n# caf\xe9\n')
    with pytest.raises(SettingsError, match=r"pyproject.toml:3: not UTF-8"):
        load_settings(start=tmp_path)


def test_a_broken_pyproject_that_is_not_about_docgap_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = = "x"\n', encoding="utf-8")
    inner = tmp_path / "project"
    inner.mkdir()
    assert load_settings(start=inner).root == inner.resolve()
    (inner / "pyproject.toml").write_text('[tool.docgap]\npackages = ["mine"]\n', encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(BROKEN_LATER, encoding="utf-8")
    assert load_settings(start=inner).packages == ("mine",)  # the nearest file wins; the broken one is not read


def test_the_cli_exits_2_on_broken_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text(BROKEN_LATER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["scan"]) == 2
    error = capsys.readouterr().err
    assert "pyproject.toml:5: invalid TOML" in error and "no package to scan" not in error


def test_replace_checks_values() -> None:
    settings = Settings()
    assert settings.replace(provider="openai").provider == "openai"
    with pytest.raises(SettingsError, match="'provider'"):
        settings.replace(provider="not a name")


def test_prices_table() -> None:
    settings = Settings().replace(prices={"m": {"input": 0.5, "output": 2}})
    assert settings.prices["m"] == Price(0.5, 2.0)
