"""The build's two passes: look drafts up before reading, draft what the pages want after it.

At `builder-inited` the packages are scanned and the lockfile and cache read; no provider is asked.
While documents are read (in `-j` workers too), pages take the drafts found and record the objects
they show, or would reveal, without one (`tracking`). At `env-updated`, in the main process once
every document is read, the misses the site wants are drafted in one concurrent batch and exactly
the documents wanting them are read again, as Sphinx's own serial reading does. A warm build has
nothing to draft and reads nothing again. A build where nothing the drafts depend on changed since
the last one (`unchanged`) does not even look them up, unless a document is read after all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sphinx.errors import ConfigError, ExtensionError
from sphinx.locale import __
from sphinx.util import logging as sphinx_logging
from sphinx.util.display import status_iterator

from docgap.errors import DocgapError, ProviderConfigError, SettingsError
from docgap.sphinx import tracking, unchanged
from docgap.sphinx.autodoc import register_attribute_docs
from docgap.sphinx.config import settings_from_config
from docgap.sphinx.report import changed_reports
from docgap.sphinx.state import BuildState, defer, deferred, drop_deferred, set_state, state_of

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    from docgap.settings import Settings

logger = sphinx_logging.getLogger("docgap")


def on_builder_inited(app: Sphinx) -> None:
    """Scan and read the lockfile and cache, in the main process, before any document is read.

    When nothing the drafts depend on changed since the last build (`unchanged`), this is put off
    until something needs the drafts: on a no-op rebuild, nothing does.

    Raises:
        ConfigError: When a setting is invalid, a package cannot be found or a provider lacks
            what it needs (a model, a key).
        ExtensionError: For other docgap errors.
    """
    settings = settings_from_config(app)
    if settings.style in ("google", "numpy") and "sphinx.ext.napoleon" not in app.extensions:
        logger.warning("docgap: docgap_style = %r needs 'sphinx.ext.napoleon' in extensions; "
                       "add it or use docgap_style = 'sphinx'", settings.style, type="docgap", subtype="config")
    if not _uses_autoapi(app) and unchanged.unchanged(app, settings):
        defer(app.env, lambda: _start(app, settings))
    else:
        _start(app, settings)


def on_env_before_read_docs(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Look drafts up before documents are read, in the main process (`-j` workers inherit it)."""
    if docnames and (state := state_of(env)) is not None:
        state.read = True


def on_env_updated(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Draft the misses the site wants in one batch, read their documents again, and report.

    Returns:
        The documents read again, and those showing a `docgap-report` whose table changed.

    Raises:
        ExtensionError: Under `strict`, when objects the site shows are left undocumented.
    """
    if deferred(env):
        logger.info("docgap: nothing changed since the last build; drafts not looked up")
        return []
    state = state_of(env)
    if state is None:
        return []
    session = state.session
    wanted = tracking.wanted(env)
    shown = tracking.shown_paths(env)
    empty = {path for path in shown if state.shown_key(path) == ""}
    asked = empty | {path for paths in wanted.values() for path in paths if path in state.pending}
    session.show(shown - empty)
    with _errors():
        session.generate(sorted(asked), progress=_progress)
    attempted = asked & state.pending
    again: list[str] = []
    if attempted:
        state.drafted(session.fills[0], attempted)
        register_attribute_docs(state)
        again = sorted(docname for docname, paths in wanted.items() if paths & attempted)
        for docname in status_iterator(again, __("docgap: reading again with new drafts... "), "purple",
                                       len(again), app.verbosity):
            app.events.emit("env-purge-doc", env, docname)
            env.clear_doc(docname)
            app.builder.read_doc(docname)
    for line in session.summary_lines():
        _log(logging.INFO, line)
    with _errors():
        session.check_strict()
    written = again + changed_reports(env, state)
    _leave_stamp(app, state, saved=state.read or bool(written))
    return written


def on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    """Let go of a start that was never needed."""
    drop_deferred(app.env)


def _start(app: Sphinx, settings: Settings) -> None:
    """The lookup: scan, lockfile and cache; the build's state; attributes' analyzer entries.

    sphinx-autoapi writes its pages from the source in its own `builder-inited` listener, and
    documents whole packages: under it, every miss is drafted here, before it writes them.
    """
    from docgap.hosting import Session  # the core, loaded once a build has work for it

    session = Session(settings, log=_log)
    inputs = "" if _uses_autoapi(app) else unchanged.inputs(settings)  # before the lookup reads anything
    logger.info("docgap: scanning %s", ", ".join(settings.packages))
    with _errors():
        found = session.lookup()
        if _uses_autoapi(app):
            session.generate([t.path for t in found.missing], progress=_progress)
    pending = set() if settings.frozen else {t.path for t in session.fills[0].missing}
    state = BuildState(session, session.fills[0], pending, inputs=inputs)
    set_state(app.env, state)
    register_attribute_docs(state)


def _leave_stamp(app: Sphinx, state: BuildState, *, saved: bool) -> None:
    """Stamp what this build's drafts depend on, unless the next build must look them up anyway.

    It must when the lookup warned (the warning is repeated), or when pages still want drafts
    (failed, over budget: retried), unless frozen (nothing is drafted; a draft that appears
    changes the lockfile or cache, and so the stamp). A rejected object is wanted but never
    retried: it keeps no build from being a no-op.
    """
    settings = state.settings
    sources = state.fill.sources
    warned = any(f.warnings for f in state.session.fills)
    rejected = {t.path for f in state.session.fills for t in f.rejected}
    retried = any(paths - rejected for paths in tracking.wanted(app.env).values())
    if not state.inputs or sources is None or warned or (retried and not settings.frozen):
        unchanged.forget(app)
    else:
        unchanged.record(app, settings, state.inputs, sources, saved=saved)


def _uses_autoapi(app: Sphinx) -> bool:
    return "autoapi-skip-member" in app.events.events


@contextmanager
def _errors() -> Iterator[None]:
    """Turn docgap's errors into Sphinx's: configuration errors, or extension errors."""
    try:
        yield
    except (SettingsError, ProviderConfigError) as exc:
        raise ConfigError(f"docgap: {exc} (conf.py: docgap_<setting>; pyproject.toml: [tool.docgap])") from exc
    except DocgapError as exc:
        raise ExtensionError(f"docgap: {exc}") from exc


def _log(level: int, text: str) -> None:
    """The session's log: Sphinx's, with warnings of type `docgap.core` (`suppress_warnings`)."""
    if level >= logging.WARNING:
        logger.warning("docgap: %s", text, type="docgap", subtype="core")
    else:
        logger.info("docgap: %s", text)


def _progress(done: int, total: int) -> None:
    if done == total or done % max(1, total // 10) == 0:
        logger.info("docgap: generating drafts... [%3d%%] %d/%d", 100 * done // total, done, total)
