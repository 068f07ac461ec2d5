"""Sphinx extension: `extensions = ["sphinx.ext.autodoc", "docgap.sphinx"]`.

A thin adapter over the core: before any document is read, the core scans the packages and reads
the drafts in the lockfile and cache; autodoc's events fill pages from them and record what else
the pages show. Once every document is read, the main process drafts those misses in one batch and
reads their documents again (`docgap.sphinx.events`), so `-j N` workers never call a provider.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgap._version import __version__
from docgap.sphinx import autoapi, autodoc, report, tracking
from docgap.sphinx.config import add_config_values
from docgap.sphinx.events import on_build_finished, on_builder_inited, on_env_before_read_docs, on_env_updated
from docgap.sphinx.nodes import depart_html, docgap_generated, on_doctree_resolved, visit_html
from docgap.sphinx.report import ReportDirective

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

STATIC = Path(__file__).parent / "static"


def setup(app: Sphinx) -> dict[str, Any]:
    """Register docgap's configuration, events, nodes, directives and stylesheet.

    Nothing else: the core (scanner, store, providers) is loaded by the first event with work for
    it (`events._start`), which a no-op rebuild never reaches.
    """
    app.setup_extension("sphinx.ext.autodoc")
    add_config_values(app)
    html = (visit_html, depart_html)
    app.add_node(docgap_generated, html=html, epub=html, singlehtml=html)
    app.add_directive("docgap-report", ReportDirective)
    # Before sphinx-autoapi (500), which writes its pages in its own builder-inited listener.
    app.connect("builder-inited", on_builder_inited, priority=400)
    # Before napoleon (priority 500), so it converts google/numpy drafts like human docstrings.
    app.connect("autodoc-process-docstring", autodoc.on_process_docstring, priority=100)
    app.connect("autodoc-skip-member", autodoc.on_skip_member)
    app.connect("doctree-read", tracking.on_doctree_read)
    app.connect("doctree-resolved", on_doctree_resolved)
    app.connect("doctree-resolved", report.on_doctree_resolved)
    app.connect("env-before-read-docs", on_env_before_read_docs)
    app.connect("env-updated", on_env_updated)
    app.connect("build-finished", on_build_finished)
    app.connect("env-get-outdated", tracking.on_env_get_outdated)
    app.connect("env-purge-doc", tracking.on_env_purge_doc)
    app.connect("env-merge-info", tracking.on_env_merge_info)
    app.connect("config-inited", _add_static_path)
    autoapi.setup(app)
    app.add_css_file("docgap.css")
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 3}


def _add_static_path(app: Sphinx, config: Config) -> None:
    """Ship `docgap.css` with every HTML build."""
    config.html_static_path.append(str(STATIC))
