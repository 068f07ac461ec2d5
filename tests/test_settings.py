"""Settings: [tool.docgap] loading, overrides, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgap.errors import SettingsError
from docgap.settings import Price, Settings, load_settings


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


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("colour = 'red'\n", "unknown docgap setting 'colour'"),
        ("style = 'rst'\n", "'style' must be one of"),
        ("concurrency = 0\n", "'concurrency' must be a positive whole number"),
        ("frozen = 'yes'\n", "'frozen' must be true or false"),
        ("packages = 3\n", "'packages' must be a list of strings"),
        ("prices = {m = 1}\n", "'prices' must be"),
        ("prices = {m = {input = 'cheap', output = 1}}\n", "'prices' must be"),
        ("prices = {m = {input = -1, output = 1}}\n", "'prices' must be"),
        ("prices = {m = {input = true, output = 1}}\n", "'prices' must be"),
        ("requests_per_minute = 0\n", "'requests_per_minute' must be a positive whole number"),
        ("tokens_per_minute = 0\n", "'tokens_per_minute' must be a positive whole number"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, body: str, fragment: str) -> None:
    config = write_pyproject(tmp_path, body)
    with pytest.raises(SettingsError, match=fragment.replace("(", r"\(")) as info:
        load_settings(config)
    assert str(config) in str(info.value)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    config = write_pyproject(tmp_path, "packages = [\n")
    with pytest.raises(SettingsError, match="invalid TOML"):
        load_settings(config)


def test_replace_checks_values() -> None:
    settings = Settings()
    assert settings.replace(provider="openai").provider == "openai"
    with pytest.raises(SettingsError, match="'provider'"):
        settings.replace(provider="anthropic")


def test_prices_table() -> None:
    settings = Settings().replace(prices={"m": {"input": 0.5, "output": 2}})
    assert settings.prices["m"] == Price(0.5, 2.0)
