"""The `docgap` MkDocs plugin: settings, the griffe extension's registration, CSS and the summary."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from docgap.errors import DocgapError
from docgap.mkdocs.report import forward_core_logs, log, report
from docgap.mkdocs.state import begin_build, end_build
from docgap.settings import Settings, load_settings

EXTENSION = "docgap.mkdocs.extension:DocgapExtension"
CSS = "assets/docgap.css"

_SETTINGS_FIELDS = [f.name for f in dataclasses.fields(Settings) if f.name != "root"]
DocgapConfig = type(
    "DocgapConfig",
    (base.Config,),
    {"config": c.Optional(c.Type(str)), **{name: c.Optional(c.Type(object)) for name in _SETTINGS_FIELDS}},
)
DocgapConfig.__doc__ = "Options of the docgap plugin: every core setting, plus `config` (a pyproject.toml)."


class DocgapPlugin(BasePlugin[DocgapConfig]):  # type: ignore[valid-type]
    """Fill undocumented API in mkdocstrings pages and mark what was generated."""

    def __init__(self) -> None:
        super().__init__()
        self.sources: list[Path] = []

    @event_priority(100)  # before mkdocstrings builds its Python handler from the handler options
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Build the settings, start the build's state, and register the griffe extension.

        Args:
            config: The MkDocs configuration.

        Returns:
            The configuration, with docgap's stylesheet added.

        Raises:
            PluginError: When a setting is unknown or invalid.
        """
        root = Path(config.config_file_path).parent
        overrides = {name: self.config[name] for name in _SETTINGS_FIELDS if self.config[name] is not None}
        for key in ("cache_dir", "lockfile"):
            if key in overrides and not Path(overrides[key]).is_absolute():
                overrides[key] = str((root / overrides[key]).resolve())
        try:
            pyproject = (root / self.config["config"]).resolve() if self.config["config"] else None
            settings = load_settings(pyproject, overrides, start=root)
        except DocgapError as exc:
            raise PluginError(f"docgap: {exc}") from exc
        begin_build(settings)
        _register_extension(config)
        config.extra_css.insert(0, CSS)  # before the user's stylesheets, so they can override it
        forward_core_logs()
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Ship the stylesheet with the site."""
        files.append(File(CSS, str(Path(__file__).parent), config.site_dir, config.use_directory_urls))
        return files

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Log the closing summary and what was generated; under `strict`, fail on anything left undocumented.

        Raises:
            PluginError: Under `strict`, naming the objects left undocumented.
        """
        state = end_build()
        if state is None:
            return
        self.sources = list(dict.fromkeys(state.sources))
        problems = report(state.fills, state.settings)
        if problems:
            raise PluginError("; ".join(problems))

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild when the source of a package docgap filled changes (called after the first build)."""
        for source in self.sources:
            server.watch(str(source))
        return server

    def on_build_error(self, *, error: Exception) -> None:
        """Forget the failed build's state."""
        end_build()


def _register_extension(config: MkDocsConfig) -> None:
    mkdocstrings = config.plugins.get("mkdocstrings")
    if mkdocstrings is None:
        log.warning("the mkdocstrings plugin is not enabled: add it under `plugins`")
        return
    handlers = mkdocstrings.config.setdefault("handlers", {})
    python = handlers.setdefault("python", {})
    options = python["options"] = python.get("options") or {}
    extensions = options["extensions"] = options.get("extensions") or []
    names = [next(iter(e)) if isinstance(e, dict) else str(e) for e in extensions]
    if not any(n.split(":")[0] == "docgap.mkdocs.extension" for n in names):
        extensions.append(EXTENSION)
