"""A griffe extension that gives undocumented objects their drafts as mkdocstrings loads them.

Each draft opens with docgap's marker (`marker`); objects the scan counts as documented by text
griffe does not read (`#:` comments, inherited docstrings) get that text, unmarked. Under the
plugin, objects with no draft in store get a placeholder, and only those the pages show are
drafted (`docgap.mkdocs.site`); without it, every object of the loaded package is.

Registered automatically by the `docgap` MkDocs plugin, or by hand in the handler options:

```yaml
plugins:
  - mkdocstrings:
      handlers:
        python:
          options:
            extensions: [docgap.mkdocs.extension:DocgapExtension]
```

Without the plugin (Zensical runs none; or mkdocstrings set up by hand), `docgap.mkdocs.zensical`
gives the build its session: settings from the nearest `[tool.docgap]`, a log, and the closing
summary once per build.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import griffe
from mkdocs.exceptions import PluginError

from docgap.errors import DocgapError
from docgap.mkdocs.docstrings import apply
from docgap.mkdocs.state import current_build
from docgap.mkdocs.zensical import standalone_session
from docgap.settings import STYLES, Settings


class DocgapExtension(griffe.Extension):
    """Give a loaded package's undocumented objects their drafts (or, under the plugin, placeholders)."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Scan the package and set docstrings: under the plugin, stored drafts and placeholders; else every draft.

        Args:
            pkg: The top-level package griffe loaded.
            loader: The loader, whose docstring parser is the handler's `docstring_style`.
            **kwargs: Other event arguments.

        Raises:
            PluginError: When settings or the provider are invalid, or under `strict` without the plugin.
        """
        state = current_build()
        try:
            session = state.session if state is not None else standalone_session(loader.modules_collection)
            roots = _roots(pkg, session.settings)
            if not roots:
                return
            style = _style(loader, session.settings.style)
            options = parser_options(loader, style)
            if state is not None:  # the plugin fills what the pages show (see `docgap.mkdocs.site`)
                state.site.hold(pkg, roots, style, options)
                state.sources.extend(_source(root) for root in roots if root.filepath)
                return
            outcome = session.fill(modules=roots)
        except DocgapError as exc:
            raise PluginError(f"docgap: {exc}") from exc
        apply(outcome, pkg, session, style, options)
        if problems := session.problems():  # the summary is logged at the end of the build
            raise PluginError("; ".join(f"docgap: {problem}" for problem in problems))


def _roots(pkg: griffe.Module, settings: Settings) -> list[griffe.Module]:
    """The modules of `pkg` to fill: all of it, or those of its modules the settings list."""
    if not settings.packages or pkg.path in settings.packages:
        return [pkg]
    roots = []
    for name in settings.packages:
        if name.startswith(pkg.path + "."):
            try:
                member = pkg.get_member(name[len(pkg.path) + 1:])
            except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
                continue
            if isinstance(member, griffe.Module):
                roots.append(member)
    return roots


def _source(module: griffe.Module) -> Path:
    path = module.filepath if isinstance(module.filepath, Path) else module.filepath[0]  # type: ignore[index]
    return path.parent if path.name in ("__init__.py", "__init__.pyi") else path


def _style(loader: griffe.GriffeLoader, fallback: str) -> str:
    """The style the handler parses docstrings with wins: a draft must parse like the rest."""
    parser = loader.docstring_parser
    value = getattr(parser, "value", parser)
    return value if value in STYLES else fallback


def parser_options(loader: griffe.GriffeLoader, style: str) -> dict[str, Any]:
    """The handler's docstring options that the parser of `style` takes.

    With `docstring_style: auto`, the loader's options are those of griffe's `auto` parser
    (`method`, `default`, `per_style_options`...); a draft is parsed in one style, with that
    style's entry of `per_style_options`.

    Args:
        loader: The loader, with the handler's `docstring_options`.
        style: The style drafts are rendered and parsed in.

    Returns:
        Options `griffe.parse` accepts for `style`.
    """
    options = dict(loader.docstring_options or {})
    if getattr(loader.docstring_parser, "value", loader.docstring_parser) == "auto":
        options = dict((options.get("per_style_options") or {}).get(style) or {})
    accepted = inspect.signature(griffe.parsers[griffe.Parser(style)]).parameters
    return {name: value for name, value in options.items() if name in accepted and name != "docstring"}
