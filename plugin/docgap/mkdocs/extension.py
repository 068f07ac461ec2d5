"""A griffe extension that gives undocumented objects their drafts as mkdocstrings loads them.

Each draft opens with docgap's marker (`marker`); objects the scan counts as documented by text
griffe does not read (`#:` comments, inherited docstrings) get that text, unmarked.

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

from docgap.drafts import Record
from docgap.errors import DocgapError
from docgap.human import human_docstring, own_docstring
from docgap.mkdocs.report import forward_core_logs, report
from docgap.mkdocs.state import current_build
from docgap.pipeline import Fill, fill
from docgap.render import render
from docgap.scan import scan_objects
from docgap.settings import STYLES, Settings, load_settings

_MARKDOWN_ACTIVE = frozenset("\\`*_[]{}|~^=+$:")  # none of them in what html.escape writes


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

    The draft is a plain docstring whose first line starts with docgap's marker (see `marker`), so
    mkdocstrings renders the summary, parameters and returns with its normal templates and no extra
    Markdown conversion, and its summary tables (which show a docstring's first line) show the badge.
    Then the human text the scan counted but griffe does not read is shown (see `show_human_text`).

    Args:
        outcome: The package's fill.
        pkg: The loaded package the drafts belong to.
        settings: Labels, and whether overrides inherit docstrings.
        style: Docstring style to render and parse drafts in.
        options: The handler's docstring parser options.
    """
    for resolved in outcome.resolved.values():
        obj = _find(pkg, resolved.target.path)
        if obj is None or own_docstring(obj) is not None:
            continue  # never touch what a person wrote
        draft = render(resolved.record.draft, resolved.target, style, markup="markdown")
        sections = _titled_sections(draft, obj, style, options) if obj.is_module or obj.is_class else None
        opening = marker(resolved.record, settings.label_ai, settings.label_signature, sections=sections)
        obj.docstring = griffe.Docstring(opening + draft, parent=obj, parser=style, parser_options=options)
    show_human_text(outcome, pkg, settings, style, options)


def show_human_text(outcome: Fill, pkg: griffe.Module, settings: Settings, style: str, options: dict[str, Any]) -> None:
    """Show, unmarked, the human text of documented objects griffe gives no docstring.

    The scan counts as documented an attribute with a Sphinx `#:` comment and (`inherit_docstrings`)
    an override of a documented base member; griffe reads neither, so mkdocstrings would show such
    an object with no text at all. A class documented by its `__init__` is left alone: mkdocstrings
    shows that docstring itself (as the `__init__` member, or merged with `merge_init_into_class`).

    Args:
        outcome: The package's fill (its scan lists the documented objects).
        pkg: The loaded package.
        settings: Whether overrides inherit docstrings.
        style: Docstring style to parse the text in.
        options: The handler's docstring parser options.
    """
    for documented in outcome.scan.documented:
        if documented.kind in ("module", "class"):
            continue
        obj = _find(pkg, documented.path)
        if obj is None or own_docstring(obj) is not None:
            continue  # the usual case, and nothing to add
        text = human_docstring(obj, settings)
        if text:
            obj.docstring = griffe.Docstring(text, parent=obj, parser=style, parser_options=options)


def marker(record: Record, label_ai: str, label_signature: str, *, sections: int | None = None) -> str:
    """docgap's marker, which opens a draft's first line: the badge, one inline element.

    Everything in it is docgap's own and escaped (provider, model, label, tooltip); no text from a
    draft goes inside it. Being inline at the start of the summary, it costs no Markdown conversion
    of its own, and the summary tables, which show a docstring's first line, show it too. It is a
    single element (no inner badge element) because each raw HTML tag costs Markdown a little, on
    every generated object.

    Args:
        record: The draft's record: provider, model, and the badge's text and tooltip.
        label_ai: Badge text for a model's draft.
        label_signature: Badge text for the signature provider's.
        sections: For a module or class, how many titled sections (Parameters, Attributes...) the
            draft has, so the stylesheet can end the marked block before mkdocstrings' summary
            tables of its members; `None` for other objects.

    Returns:
        The marker element followed by a space, all on one line.
    """
    attributes = {
        "class": "docgap-generated",
        "data-docgap-provider": record.provider,
        "data-docgap-model": record.model or "",
        **({"data-docgap-sections": str(sections)} if sections is not None else {}),
        "title": record.credit,
    }
    rendered = " ".join(f'{name}="{_escape(_one_line(value))}"' for name, value in attributes.items())
    label = _escape(_one_line(record.label(label_ai, label_signature)))
    return f'<span {rendered}>{label}</span> '


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _escape(text: str) -> str:
    """`html.escape`, then what Markdown (or an extension) would read even in a tag, as references.

    Markdown reads code spans, links and backslashes before raw HTML, so a backquote could open a
    code span inside an attribute; and the badge's text is read for emphasis, emoji and the like.
    """
    return "".join(f"&#{ord(c)};" if c in _MARKDOWN_ACTIVE else c for c in html.escape(text))


def _titled_sections(draft: str, obj: griffe.Object, style: str, options: dict[str, Any]) -> int:
    """How many sections with a title mkdocstrings renders for a draft (all but text and admonitions)."""
    sections = griffe.parse(griffe.Docstring(draft, parent=obj), style, **{**options, "warnings": False})
    return sum(s.kind not in (griffe.DocstringSectionKind.text, griffe.DocstringSectionKind.admonition)
               for s in sections)


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
