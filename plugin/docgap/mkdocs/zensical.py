"""docgap where the MkDocs plugin does not run: Zensical, or mkdocstrings set up by hand.

Zensical builds `mkdocs.yml` sites and runs mkdocstrings (as a Markdown extension), but no MkDocs
plugin: it drops the `docgap` entry of `plugins` without a word. This module gives docgap's griffe
extension what the plugin gives it under MkDocs. Under Zensical, one line does it all:

```yaml
markdown_extensions:
  - docgap.mkdocs.zensical
```

- The griffe extension: under Zensical, this Markdown extension names it in the options of
  mkdocstrings' Python handler before mkdocstrings starts (as the plugin does under MkDocs).
  Naming it there by hand (`extensions: [docgap.mkdocs.extension:DocgapExtension]`) works too.
- Settings: `[tool.docgap]` of the nearest `pyproject.toml` at or above the folder of the
  configuration file (Zensical's), or the current directory; the plugin's options are not read.
- A log: MkDocs' under MkDocs; under Zensical, which shows no Python log record below a warning,
  standard error, each line opening with `docgap: ` (and MkDocs' after its build, when its
  handler is gone).
- One session per build, that is per mkdocstrings handler (Zensical and MkDocs make one per
  build); its closing summary is logged once, when the handler is let go or at exit. Under
  `strict`, the package left with gaps fails the build while its page is rendered.
- The stylesheet: Zensical copies to the site only files of the docs folder and the theme, and
  removes every other file from the site folder, so `docgap.css` cannot be shipped as a file the
  way the plugin does. Each page that shows a draft opens with it instead, as a `data:` URL (a
  stylesheet `<link>` is allowed in the body, and its text stays out of the search index). Under
  the plugin this extension does nothing: the plugin ships the file.
"""
from __future__ import annotations

import base64
import functools
import logging
import re
import sys
import weakref
from pathlib import Path
from typing import Any

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor

from docgap.hosting import Session, host_settings
from docgap.mkdocs.plugin import register_extension
from docgap.mkdocs.report import to_mkdocs_log
from docgap.mkdocs.state import current_build

STYLESHEET = Path(__file__).parent / "assets" / "docgap.css"
_SHOWN = 20  # generated objects named in the closing log; the rest are counted

_SESSIONS: weakref.WeakKeyDictionary[Any, Session] = weakref.WeakKeyDictionary()
"""Per mkdocstrings handler (its griffe modules collection): the build's session."""


def standalone_session(collection: Any) -> Session:
    """The session of the build a griffe modules collection belongs to, opened on first use.

    Args:
        collection: The loader's `modules_collection`: mkdocstrings keeps one per handler, so
            one per build.

    Returns:
        The build's session; its closing summary is logged once the collection is let go, or at exit.

    Raises:
        SettingsError: When `[tool.docgap]` has an unknown or invalid setting.
    """
    session = _SESSIONS.get(collection)
    if session is None:
        session = Session(host_settings({}, _config_folder()), log=_log)
        _SESSIONS[collection] = session
        weakref.finalize(collection, _close, session)
    return session


def _close(session: Session) -> None:
    """Log a build's closing summary and what was generated (nothing when nothing was filled)."""
    for line in session.summary_lines():
        session.log(logging.INFO, line)
    generated = session.generated()
    if generated:
        more = f" and {len(generated) - _SHOWN} more" if len(generated) > _SHOWN else ""
        session.log(logging.INFO, f"generated: {', '.join(generated[:_SHOWN])}{more}")


def _under_zensical() -> bool:
    return "zensical" in sys.modules


def _config_folder() -> Path:
    """The folder of Zensical's configuration file, else the current directory."""
    if _under_zensical():
        from zensical.config import get_config

        return Path(get_config()["root_dir"])
    return Path.cwd()


def _log(level: int, text: str) -> None:
    """MkDocs' log while it has a handler; else standard error.

    Zensical prints Python log records only from warnings up, unformatted; and MkDocs takes its
    handler away once the build is over, before the closing summary of a build without the plugin.
    """
    if logging.getLogger("mkdocs").handlers:
        to_mkdocs_log(level, text)
    else:
        print(f"docgap: {'warning: ' if level >= logging.WARNING else ''}{text}", file=sys.stderr, flush=True)


@functools.cache
def _inline_stylesheet() -> str:
    """docgap's stylesheet as a `<link>` with a `data:` URL, comments and spacing left out."""
    css = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(encoding="utf-8"), flags=re.DOTALL)
    css = re.sub(r"\s+", " ", css).strip()
    return f'<link rel="stylesheet" href="data:text/css;base64,{base64.b64encode(css.encode()).decode()}">\n'


class _AddStylesheet(Postprocessor):
    """Open a page that shows a draft with the stylesheet."""

    def run(self, text: str) -> str:
        # mkdocstrings converts each docstring with a Markdown of its own, with these extensions
        # too: only the page itself holds an object's `doc-contents` around the marker.
        if 'class="docgap-generated"' not in text or "doc-contents" not in text or current_build() is not None:
            return text
        return _inline_stylesheet() + text


class ZensicalExtension(Extension):
    """The Markdown extension `docgap.mkdocs.zensical`: what the plugin does, where it does not run."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Markdown's name
        """Register the griffe extension (Zensical), and add the stylesheet once raw HTML is back."""
        if _under_zensical():
            _register_with_zensical()
        md.postprocessors.register(_AddStylesheet(md), "docgap-stylesheet", 0)


def _register_with_zensical() -> None:
    """Name the griffe extension in Zensical's mkdocstrings options, before mkdocstrings reads them.

    Zensical makes the handlers from these options on the first page, in the Markdown extension it
    appends after the site's own, so this extension (one of the site's) always runs first.
    """
    from zensical.config import get_config
    from zensical.extensions.mkdocstrings import MkdocstringsExtension

    options = get_config()["mdx_configs"].get(MkdocstringsExtension.name)
    if options is not None:  # else mkdocstrings is off: nothing to fill
        register_extension(options)


def makeExtension(**kwargs: Any) -> ZensicalExtension:  # noqa: N802 - Markdown's name
    """Python-Markdown's entry point for `markdown_extensions: [docgap.mkdocs.zensical]`."""
    return ZensicalExtension(**kwargs)
