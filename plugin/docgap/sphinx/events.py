"""Start of the build: resolve every draft once, in the main process, before any document is read."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sphinx.application import Sphinx
from sphinx.errors import ConfigError, ExtensionError
from sphinx.util import logging as sphinx_logging

from docgap.errors import DocgapError, ProviderConfigError, SettingsError
from docgap.pipeline import fill
from docgap.sphinx.autodoc import register_attribute_docs
from docgap.sphinx.config import settings_from_config
from docgap.sphinx.state import BuildState, set_state

logger = sphinx_logging.getLogger("docgap")


def on_builder_inited(app: Sphinx) -> None:
    """Scan and resolve every draft, in the main process, before any document is read.

    Raises:
        ConfigError: When a setting is invalid, a package cannot be found or a provider lacks
            what it needs (a model, a key).
        ExtensionError: Under `strict`, when objects are left undocumented; for other docgap errors.
    """
    settings = settings_from_config(app)
    if settings.style in ("google", "numpy") and "sphinx.ext.napoleon" not in app.extensions:
        logger.warning("docgap: docgap_style = %r needs 'sphinx.ext.napoleon' in extensions; "
                       "add it or use docgap_style = 'sphinx'", settings.style, type="docgap", subtype="config")
    logger.info("docgap: scanning %s", ", ".join(settings.packages))
    try:
        with _core_logs_to_sphinx():
            outcome = fill(settings, progress=_progress)
        if outcome.summary is not None:
            for line in outcome.summary.lines():
                logger.info(line)
        outcome.check_strict(settings)
    except (SettingsError, ProviderConfigError) as exc:
        raise ConfigError(f"docgap: {exc} (conf.py: docgap_<setting>; pyproject.toml: [tool.docgap])") from exc
    except DocgapError as exc:
        raise ExtensionError(f"docgap: {exc}") from exc
    state = BuildState(settings, outcome)
    set_state(app.env, state)
    register_attribute_docs(state)


def _progress(done: int, total: int) -> None:
    if done == total or done % max(1, total // 10) == 0:
        logger.info("docgap: generating drafts... [%3d%%] %d/%d", 100 * done // total, done, total)


class _ForwardToSphinx(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            logger.warning(message, type="docgap", subtype="core")
        else:
            logger.info(message)


@contextmanager
def _core_logs_to_sphinx() -> Iterator[None]:
    core = logging.getLogger("docgap")
    handler = _ForwardToSphinx()
    previous = (core.level, core.propagate)
    core.addHandler(handler)
    core.setLevel(logging.INFO)
    core.propagate = False
    try:
        yield
    finally:
        core.removeHandler(handler)
        core.setLevel(previous[0])
        core.propagate = previous[1]
