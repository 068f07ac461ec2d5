"""The `docgap` MkDocs plugin: settings, the griffe extension's registration, CSS and the summary."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files

from docgap.errors import DocgapError
from docgap.mkdocs.state import begin_build, end_build
from docgap.settings import Settings, load_settings

EXTENSION = "docgap.mkdocs.extension:DocgapExtension"
CSS = "assets/docgap.css"
log = get_plugin_logger("docgap")

_SETTINGS_FIELDS = [f.name for f in dataclasses.fields(Settings) if f.name != "root"]
DocgapConfig = type(
    "DocgapConfig",
    (base.Config,),
    {"config": c.Optional(c.Type(str)), **{name: c.Optional(c.Type(object)) for name in _SETTINGS_FIELDS}},
)
DocgapConfig.__doc__ = "Options of the docgap plugin: every core setting, plus `config` (a pyproject.toml)."


class DocgapPlugin(BasePlugin[DocgapConfig]):  # type: ignore[valid-type]
    """Fill undocumented API in mkdocstrings pages and mark what was generated."""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Build the settings, start the build's state, and register the griffe extension."""
        root = Path(config.config_file_path).parent
        overrides = {name: self.config[name] for name in _SETTINGS_FIELDS if self.config[name] is not None}
        for key in ("cache_dir", "lockfile"):
            if key in overrides and not Path(overrides[key]).is_absolute():
                overrides[key] = str((root / overrides[key]).resolve())
        try:
            pyproject = (root / self.config["config"]).resolve() if self.config["config"] else None
            self.settings = load_settings(pyproject, overrides, start=root)
        except DocgapError as exc:
            raise PluginError(f"docgap: {exc}") from exc
        begin_build(self.settings)
        _register_extension(config)
        config.extra_css.append(CSS)
        _forward_core_logs()
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Ship the stylesheet with the site."""
        files.append(File(CSS, str(Path(__file__).parent), config.site_dir, config.use_directory_urls))
        return files

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild when the documented packages change."""
        for directory in _package_dirs(self.settings):
            server.watch(str(directory))
        return server

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Print the closing summary; under `strict`, fail on anything left undocumented."""
        state = end_build()
        if state is None:
            return
        for outcome in state.fills:
            assert outcome.summary is not None
            for line in outcome.summary.lines():
                log.info(line.removeprefix("docgap: "))
        problems = []
        for outcome in state.fills:
            try:
                outcome.check_strict(state.settings)
            except DocgapError as exc:
                problems.append(str(exc))
        if problems:
            raise PluginError("; ".join(problems))

    def on_build_error(self, *, error: Exception) -> None:
        end_build()


def _register_extension(config: MkDocsConfig) -> None:
    mkdocstrings = config.plugins.get("mkdocstrings")
    if mkdocstrings is None:
        log.warning("the mkdocstrings plugin is not enabled: add it after docgap under `plugins`")
        return
    handlers = mkdocstrings.config.setdefault("handlers", {})
    options = handlers.setdefault("python", {}).setdefault("options", {})
    extensions = options.setdefault("extensions", [])
    names = [next(iter(e)) if isinstance(e, dict) else str(e) for e in extensions]
    if not any(n.split(":")[0] == "docgap.mkdocs.extension" for n in names):
        extensions.append(EXTENSION)


def _package_dirs(settings: Settings) -> list[Path]:
    directories = []
    for package in settings.packages:
        for root in settings.search_paths:
            candidate = root / package.replace(".", "/")
            if candidate.is_dir():
                directories.append(candidate)
            elif candidate.with_suffix(".py").is_file():
                directories.append(candidate.with_suffix(".py"))
    return directories


class _Forward(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        log.log(record.levelno, record.getMessage().removeprefix("docgap: "))


def _forward_core_logs() -> None:
    core = logging.getLogger("docgap")
    if not any(isinstance(h, _Forward) for h in core.handlers):
        core.addHandler(_Forward())
    core.setLevel(logging.INFO)
    core.propagate = False
