"""`docgap_*` configuration values, mirrored from the core `Settings` dataclass."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.errors import ConfigError

from docgap.errors import SettingsError
from docgap.settings import Settings, load_settings

SPHINX_DEFAULT_STYLE = "sphinx"
"""Sphinx renders reST field lists with no other extension; google/numpy need napoleon."""

_FIELDS = [f.name for f in dataclasses.fields(Settings) if f.name != "root"]
_TYPES = {f.name: str(f.type) for f in dataclasses.fields(Settings)}


def add_config_values(app: Sphinx) -> None:
    """Register `docgap_<setting>` for every core setting, plus `docgap_config`.

    Every default is `None`, meaning "not set here": `[tool.docgap]` or the core default applies.
    """
    for name in _FIELDS:
        app.add_config_value(f"docgap_{name}", None, "env")
    app.add_config_value("docgap_config", None, "env")


def settings_from_config(app: Sphinx) -> Settings:
    """Build the run's settings: core defaults, then `[tool.docgap]`, then `conf.py`.

    Relative paths in `conf.py` are resolved against the configuration directory.

    Raises:
        ConfigError: Naming the value and the fix, when a value is unknown or invalid, or no package
            is listed.
    """
    # conf.py's names are not checked by Sphinx: a misspelt docgap value would be silently ignored.
    # `_raw_config` (private, stable since Sphinx 1.x) is the only record of what conf.py set.
    unknown = sorted(k for k in app.config._raw_config if k.startswith("docgap_") and k not in app.config)
    if unknown:
        raise ConfigError(f"docgap: unknown setting {', '.join(unknown)} in conf.py; the settings are "
                          + ", ".join(f"docgap_{name}" for name in (*_FIELDS, "config")))
    confdir = Path(app.confdir)
    overrides: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(app.config, f"docgap_{name}")
        if value is not None:
            overrides[name] = _from_command_line(name, value)
    config = app.config.docgap_config
    try:
        settings = load_settings(
            (confdir / config).resolve() if config else None,
            _relative_to(overrides, confdir),
            start=confdir,
            defaults={"style": SPHINX_DEFAULT_STYLE},
        )
    except SettingsError as exc:
        raise ConfigError(f"docgap: {exc}") from exc
    if not settings.packages:
        raise ConfigError(
            "docgap: no package to scan; set docgap_packages = ['yourpackage'] in conf.py "
            "(or packages = [...] under [tool.docgap] in pyproject.toml)"
        )
    return settings


def _from_command_line(name: str, value: Any) -> Any:
    """`sphinx-build -D docgap_frozen=1` passes strings; read them as the setting's type."""
    if not isinstance(value, str):
        return value
    kind = _TYPES[name]
    if kind == "bool" and value.lower() in ("1", "0", "true", "false", "yes", "no", "on", "off"):
        return value.lower() in ("1", "true", "yes", "on")
    if kind in ("int", "int | None") and value.isdigit():
        return int(value)
    if kind == "float":
        try:
            return float(value)
        except ValueError:
            return value
    if kind.startswith("tuple["):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _relative_to(overrides: dict[str, Any], confdir: Path) -> dict[str, Any]:
    """Resolve conf.py's relative paths against the conf dir rather than the pyproject's."""
    resolved = dict(overrides)
    for key in ("cache_dir", "lockfile"):
        if key in resolved and not Path(resolved[key]).is_absolute():
            resolved[key] = str((confdir / resolved[key]).resolve())
    if "search_paths" in resolved:
        paths = resolved["search_paths"]
        paths = [paths] if isinstance(paths, (str, Path)) else paths
        resolved["search_paths"] = [str((confdir / p).resolve()) for p in paths]
    return resolved

