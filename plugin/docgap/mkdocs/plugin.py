"""The `docgap` MkDocs plugin: settings, the griffe extension, drafts for what the pages show, CSS, the summary."""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File

from docgap.errors import DocgapError
from docgap.host_config import SETTING_NAMES
from docgap.mkdocs.report import log, report, to_mkdocs_log
from docgap.mkdocs.state import begin_build, current_build, end_build

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page
# MkDocs imports every configured plugin before it builds: the session and the site's machinery
# (griffe, the renderers) are imported by the hooks that use them.

EXTENSION = "docgap.mkdocs.extension:DocgapExtension"
CSS = "assets/docgap.css"

DocgapConfig = type(
    "DocgapConfig",
    (base.Config,),
    {"config": c.Optional(c.Type(str)), **{name: c.Optional(c.Type(object)) for name in SETTING_NAMES}},
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
        from docgap.hosting import Session, host_settings
        from docgap.mkdocs.site import SiteFill

        root = Path(config.config_file_path).parent
        try:
            settings = host_settings({name: self.config[name] for name in SETTING_NAMES}, root,
                                     config=self.config["config"])
        except DocgapError as exc:
            raise PluginError(f"docgap: {exc}") from exc
        session = Session(settings, log=to_mkdocs_log)
        begin_build(session, SiteFill(session))
        _register_extension(config)
        config.extra_css.insert(0, CSS)  # before the user's stylesheets, so they can override it
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Ship the stylesheet with the site."""
        files.append(File(CSS, str(Path(__file__).parent), config.site_dir, config.use_directory_urls))
        return files

    @event_priority(100)  # before other plugins rewrite the HTML
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Note which undocumented objects the page shows."""
        if (state := current_build()) is not None:
            state.site.seen(page, html)
        return html

    @event_priority(90)  # before mkdocstrings and autorefs read the pages (50 and below)
    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        """Draft what the pages show, in one batch, and convert again the pages that show new drafts.

        Raises:
            PluginError: When the settings or the provider are invalid.
        """
        from docgap.mkdocs.site import rerender

        if (state := current_build()) is None:
            return env
        try:
            pages = state.site.settle()
        except DocgapError as exc:
            raise PluginError(f"docgap: {exc}") from exc
        for page in pages:
            rerender(page, config, files)
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Log the closing summary and what was generated; under `strict`, fail on anything left undocumented.

        Raises:
            PluginError: Under `strict`, naming the objects left undocumented.
        """
        state = end_build()
        if state is None:
            return
        self.sources = list(dict.fromkeys(state.sources))
        state.session.close()
        problems = report(state.session)
        if problems:
            raise PluginError("; ".join(problems))

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        """Rebuild when the source of a package docgap filled changes (called after the first build)."""
        for source in self.sources:
            server.watch(str(source))
        return server

    def on_build_error(self, *, error: Exception) -> None:
        """Forget the failed build's state."""
        if (state := end_build()) is not None:
            state.session.close()


def _register_extension(config: MkDocsConfig) -> None:
    mkdocstrings = config.plugins.get("mkdocstrings")
    if mkdocstrings is None:
        log.warning("the mkdocstrings plugin is not enabled: add it under `plugins`")
        return
    register_extension(mkdocstrings.config)


def register_extension(mkdocstrings_config: MutableMapping[str, Any]) -> None:
    """Name docgap's griffe extension in the options of mkdocstrings' Python handler, once.

    Args:
        mkdocstrings_config: mkdocstrings' configuration (the plugin's, or Zensical's copy of it).
    """
    handlers = mkdocstrings_config.setdefault("handlers", {})
    python = handlers.setdefault("python", {})
    options = python["options"] = python.get("options") or {}
    extensions = options["extensions"] = options.get("extensions") or []
    names = [next(iter(e)) if isinstance(e, dict) else str(e) for e in extensions]
    if not any(n.split(":")[0] == "docgap.mkdocs.extension" for n in names):
        extensions.append(EXTENSION)
