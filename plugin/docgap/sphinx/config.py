"""`docgap_*` configuration values, mirrored from the core settings; read by the session layer."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.errors import ConfigError

from docgap.errors import SettingsError
from docgap.host_config import SETTING_NAMES, host_settings
from docgap.sphinx import autoapi

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from docgap.settings import Settings

SPHINX_DEFAULT_STYLE = "sphinx"
"""Sphinx renders reST field lists with no other extension; google/numpy need napoleon."""


def add_config_values(app: Sphinx) -> None:
    """Register `docgap_<setting>` for every core setting, plus `docgap_config`.

    Every default is `None`, meaning "not set here": `[tool.docgap]` or the core default applies.
    """
    for name in SETTING_NAMES:
        app.add_config_value(f"docgap_{name}", None, "env")
    app.add_config_value("docgap_config", None, "env")


def settings_from_config(app: Sphinx) -> Settings:
    """Build the run's settings: core defaults, then `[tool.docgap]`, then `conf.py`.

    Relative paths in `conf.py` (and `-D`) are resolved against the configuration directory.

    Raises:
        ConfigError: Naming the value and the fix, when a value is unknown or invalid, or no package
            is listed.
    """
    # conf.py's names are not checked by Sphinx: a misspelt docgap value would be silently ignored.
    # `_raw_config` (private, stable since Sphinx 1.x) is the only record of what conf.py set.
    unknown = sorted(k for k in app.config._raw_config if k.startswith("docgap_") and k not in app.config)
    if unknown:
        raise ConfigError(f"docgap: unknown setting {', '.join(unknown)} in conf.py; the settings are "
                          + ", ".join(f"docgap_{name}" for name in (*SETTING_NAMES, "config")))
    try:
        return host_settings(
            {name: getattr(app.config, f"docgap_{name}") for name in SETTING_NAMES},
            Path(app.confdir),
            config=app.config.docgap_config,
            defaults={"style": SPHINX_DEFAULT_STYLE, **autoapi.default_settings(app)},
            require_packages="set docgap_packages = ['yourpackage'] in conf.py "
                             "(or packages = [...] under [tool.docgap] in pyproject.toml)",
        )
    except SettingsError as exc:
        raise ConfigError(f"docgap: {exc}") from exc
