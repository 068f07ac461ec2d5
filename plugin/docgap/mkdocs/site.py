"""Drafts for what the site shows: the MkDocs plugin asks a provider only for objects a page renders.

MkDocs converts every page (`on_page_content`) before it writes any (after `on_env`), and
mkdocstrings decides while converting which objects a page shows, under the page's own options
(`members`, `filters`, `inherited_members`, `show_submodules`, `show_if_no_docstring`...). So a
build goes:

1. While pages are converted, the griffe extension hands each package mkdocstrings loads to
   `SiteFill.hold`: a stored draft (lockfile, cache) goes on its object at once; every other
   undocumented object gets a placeholder docstring holding a token unique in the build, which
   mkdocstrings shows wherever it would show the draft (and reveals, like a draft, unless
   `reveal = false`).
2. `SiteFill.seen` reads, in each page's HTML, the tokens and draft markers (`data-docgap-path`)
   it holds: the objects that page shows.
3. `SiteFill.settle`, from `on_env`: the session counts what the site shows and generates the
   placeholders among it in one concurrent batch (`Session.generate`); drafts replace the
   placeholders, and `rerender` converts again each page that showed one, before anything is
   written.

The lookup (`Session.lookup`) already treats as misses the stored drafts the configured provider
would make again (offline drafts once a model is configured), so a stored draft given at load is final.
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from typing import Any

import griffe
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from docgap.hosting import Session
from docgap.human import own_docstring
from docgap.mkdocs.docstrings import find, give_draft, make_docstring, show_human_text

_PATH = re.compile(r'data-docgap-path="([^"]*)"')


@dataclass
class _Held:
    """An undocumented object of a loaded package with no draft in store: it holds a placeholder."""

    obj: griffe.Object
    style: str
    options: dict[str, Any]


class SiteFill:
    """The objects of one build's site that need a draft, and the pages that show them.

    Args:
        session: The build's session: a lookup per package, one batch for what the site shows.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._prefix = f"docgap-pending-{secrets.token_hex(4)}-"
        self._tokens = re.compile(re.escape(self._prefix) + r"(\d+)")
        self._held: dict[str, _Held] = {}  # by canonical path
        self._placeholders: list[str] = []  # canonical path by token number
        self._drafted: set[str] = set()  # canonical paths given a stored draft
        self._loaded = False
        self._pages: dict[str, Page] = {}
        self._shown: dict[str, set[str]] = {}  # page (source URI) -> target paths it shows

    def hold(self, pkg: griffe.Module, roots: list[griffe.Module], style: str, options: dict[str, Any]) -> None:
        """Give a loaded package's objects their stored drafts, and placeholders where there is none.

        Args:
            pkg: The package griffe loaded.
            roots: Its modules in scope (all of it, or the modules the settings list).
            style: Docstring style of drafts.
            options: Parser options of that style.

        Raises:
            DocgapError: When the settings are invalid.
        """
        lookup = self.session.lookup(modules=roots)
        self._loaded = True
        # A rejected draft is not shown and not made again: the object stays as mkdocstrings shows
        # it undocumented, with no placeholder; it has no marker to find in the pages, so every
        # rejected object of the package counts (the review counts).
        rejected = set(self.session.show(t.path for t in lookup.rejected))
        for target in lookup.scan.targets:
            obj = find(pkg, target.path)
            if obj is None or own_docstring(obj) is not None or target.path in rejected:
                continue
            resolved = lookup.resolved.get(target.path)
            if resolved is not None:
                give_draft(obj, resolved, self.session, style, options)
                self._drafted.add(target.path)
            else:
                obj.docstring = make_docstring(f"{self._prefix}{len(self._placeholders)}", obj, style, options,
                                               reveal=self.session.settings.reveal)
                self._held[target.path] = _Held(obj, style, options)
                self._placeholders.append(target.path)
        show_human_text(lookup, pkg, self.session.settings, style, options)

    def seen(self, page: Page, content: str) -> None:
        """Note which held objects a page's HTML shows (placeholders' tokens, markers of stored drafts).

        Args:
            page: The page, just converted.
            content: Its HTML.
        """
        shown = {self._placeholders[int(n)] for n in self._tokens.findall(content)}
        shown.update(path for found in _PATH.findall(content) if (path := html.unescape(found)) in self._drafted)
        self._pages[page.file.src_uri] = page
        self._shown[page.file.src_uri] = shown

    def settle(self) -> list[Page]:
        """Count what the site shows, draft its placeholders in one batch, and give the drafts to their objects.

        Returns:
            The pages to convert again: those showing a placeholder.

        Raises:
            DocgapError: When the provider is invalid.
        """
        if not self._loaded:
            return []  # mkdocstrings loaded no package docgap fills
        shown = set().union(*self._shown.values())
        batch = self.session.generate(sorted(shown))
        pending = shown & self._held.keys()
        for path in pending:
            held = self._held[path]
            if (resolved := batch.lookup(path)) is not None:
                give_draft(held.obj, resolved, self.session, held.style, held.options)
            else:
                held.obj.docstring = None  # failed, over budget or frozen: shown as mkdocstrings would
        return [self._pages[uri] for uri, paths in self._shown.items() if paths & pending]


def rerender(page: Page, config: MkDocsConfig, files: Files) -> None:
    """Convert a page's Markdown again (after its drafts changed) and run the `page_content` event again.

    The page's Markdown is the one the `page_markdown` event already gave; mkdocstrings renders
    the same objects with the same headings, so autorefs and the inventory get the same anchors.

    Args:
        page: A page converted in this build.
        config: The MkDocs configuration.
        files: The build's files.
    """
    config._current_page = page
    autorefs = config.plugins.get("autorefs")
    if autorefs is not None:
        autorefs.current_page = page  # type: ignore[attr-defined]  # where mkdocstrings registers anchors
    try:
        page.render(config, files)
        page.content = config.plugins.on_page_content(page.content, page=page, config=config, files=files)
    finally:
        config._current_page = None
