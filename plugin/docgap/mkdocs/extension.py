"""A griffe extension that gives undocumented objects their drafts as mkdocstrings loads them.

Registered automatically by the `docgap` MkDocs plugin, or by hand in the handler options:

```yaml
plugins:
  - mkdocstrings:
      handlers:
        python:
          options:
            extensions: [docgap.mkdocs.extension:DocgapExtension]
```

Without the plugin, settings come from the nearest `[tool.docgap]` at or above the current
directory, and the summary is logged once per package.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import griffe
from mkdocs.exceptions import PluginError

from docgap.drafts import Resolved
from docgap.errors import DocgapError
from docgap.mkdocs.report import forward_core_logs, report
from docgap.mkdocs.state import current_build
from docgap.pipeline import Fill, fill
from docgap.render import render
from docgap.scan import scan_objects
from docgap.settings import STYLES, Settings, load_settings

CLOSE = "</div>"


class GeneratedDocstring(griffe.Docstring):
    """A draft as a griffe docstring, whose rendered sections all sit inside docgap's marker.

    `value` is the marker (badge) followed by the draft, so whatever reads the raw text sees the
    label. Parsed, it is the draft's own sections between two text sections that open and close
    the marker element: mkdocstrings renders every section with its normal templates, and the
    whole generated part (summary, parameters, returns...) is one `.docgap-generated` block, apart
    from the object's members.
    """

    def __init__(self, draft: str, opening: str, *, parent: griffe.Object, parser: str,
                 parser_options: dict[str, Any]) -> None:
        super().__init__(opening + CLOSE + "\n\n" + draft, parent=parent, parser=parser, parser_options=parser_options)
        self.draft = draft
        self.opening = opening

    def parse(self, parser: Any = None, **options: Any) -> list[griffe.DocstringSection]:
        """Parse the draft and wrap its sections in the marker element.

        Args:
            parser: The docstring parser; the one set on this docstring by default.
            **options: Parser options; this docstring's by default.

        Returns:
            The opening marker, the draft's sections, the closing tag.
        """
        plain = griffe.Docstring(self.draft, lineno=self.lineno, parent=self.parent)
        sections = griffe.parse(plain, parser or self.parser, **(options or self.parser_options))
        return [griffe.DocstringSectionText(self.opening), *sections, griffe.DocstringSectionText(CLOSE)]


class DocgapExtension(griffe.Extension):
    """Fill every undocumented object of a package once griffe has loaded all of it."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Scan the package, resolve drafts (lockfile → cache → provider) and set docstrings.

        Args:
            pkg: The top-level package griffe loaded.
            loader: The loader, whose docstring parser is the handler's `docstring_style`.
            **kwargs: Other event arguments.

        Raises:
            PluginError: When settings or the provider are invalid, or under `strict` without the plugin.
        """
        state = current_build()
        try:
            settings = state.settings if state is not None else _settings_without_plugin()
            roots = _roots(pkg, settings)
            if not roots:
                return
            outcome = fill(settings, scan_result=scan_objects(roots, settings))
        except DocgapError as exc:
            raise PluginError(f"docgap: {exc}") from exc
        apply(outcome, pkg, settings, _style(loader, settings.style), loader.docstring_options or {})
        if state is not None:
            state.fills.append(outcome)
            state.sources.extend(_source(root) for root in roots if root.filepath)
        elif problems := report([outcome], settings):
            raise PluginError("; ".join(problems))


def apply(outcome: Fill, pkg: griffe.Module, settings: Settings, style: str, options: dict[str, Any]) -> None:
    """Give each resolved object of `pkg` that still has no docstring its marked, rendered draft.

    Args:
        outcome: The package's fill.
        pkg: The loaded package the drafts belong to.
        settings: Labels.
        style: Docstring style to render and parse drafts in.
        options: The handler's docstring parser options.
    """
    for resolved in outcome.resolved.values():
        obj = _find(pkg, resolved.target.path)
        if obj is None or (obj.docstring is not None and obj.docstring.value.strip()):
            continue  # never touch what a person wrote
        draft = render(resolved.record.draft, resolved.target, style, markup="markdown")
        obj.docstring = GeneratedDocstring(draft, opening(resolved, settings.label_ai, settings.label_signature),
                                           parent=obj, parser=style, parser_options=options)


def opening(resolved: Resolved, label_ai: str, label_signature: str) -> str:
    """docgap's own marker element, left open, with its badge (escaped; no text from a draft in it)."""
    record = resolved.record
    label = label_ai if record.is_ai else label_signature
    who = f"{record.provider} ({record.model})" if record.model else record.provider
    attrs = (f'class="docgap-generated" data-docgap-provider="{html.escape(record.provider)}" '
             f'data-docgap-model="{html.escape(record.model or "")}"')
    title = html.escape(f"Generated by docgap with {who}; not written by the authors")
    return f'<div {attrs}><span class="docgap-badge" title="{title}">{html.escape(label)}</span>'


def _settings_without_plugin() -> Settings:
    forward_core_logs()
    return load_settings(start=Path.cwd())


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


def _find(pkg: griffe.Module, path: str) -> griffe.Object | None:
    if path == pkg.path:
        return pkg
    if not path.startswith(pkg.path + "."):
        return None
    try:
        found = pkg.get_member(path[len(pkg.path) + 1:])
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    return None if found.is_alias else found
