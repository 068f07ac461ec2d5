"""The docstrings docgap gives griffe objects: marked drafts, placeholders, and human text griffe does not read.

A draft is a plain docstring whose first line opens with docgap's marker (`marker`), so
mkdocstrings renders it with its normal templates. With `reveal = false` every docstring docgap
gives is a `QuietDocstring`, which mkdocstrings renders but does not count when it decides
whether to show an undocumented object.
"""

from __future__ import annotations

import dataclasses
import html
import json
from typing import Any

import griffe

from docgap.drafts import Resolved
from docgap.hosting import Badge, Session
from docgap.human import human_docstring, own_docstring
from docgap.outcome import Fill
from docgap.settings import Settings

_MARKDOWN_ACTIVE = frozenset("\\`*_[]{}|~^=+$:")  # none of them in what html.escape writes


def apply(outcome: Fill, pkg: griffe.Module, session: Session, style: str, options: dict[str, Any]) -> None:
    """Give each resolved object of `pkg` that still has no docstring its marked, rendered draft.

    The draft is a plain docstring whose first line starts with docgap's marker (see `marker`), so
    mkdocstrings renders the summary, parameters and returns with its normal templates and no extra
    Markdown conversion, and its summary tables (which show a docstring's first line) show the badge.
    Then the human text the scan counted but griffe does not read is shown (see `show_human_text`).

    Args:
        outcome: The package's fill.
        pkg: The loaded package the drafts belong to.
        session: The build's session: badges, and whether overrides inherit docstrings.
        style: Docstring style to render and parse drafts in.
        options: The handler's docstring parser options.
    """
    for resolved in outcome.resolved.values():
        obj = find(pkg, resolved.target.path)
        if obj is not None and own_docstring(obj) is None:  # never touch what a person wrote
            give_draft(obj, resolved, session, style, options)
    show_human_text(outcome, pkg, session.settings, style, options)


def give_draft(obj: griffe.Object, resolved: Resolved, session: Session, style: str, options: dict[str, Any]) -> None:
    """Set an object's docstring to its marked, rendered draft.

    Args:
        obj: The undocumented object.
        resolved: Its draft.
        session: The build's session: the badge, and `reveal`.
        style: Docstring style to render and parse the draft in.
        options: The style's parser options.
    """
    badge = session.badge(resolved.record, resolved.review)

    def text() -> str:
        from docgap.render import render  # only without a rendered text in the cache (not in a warm build)

        draft = render(resolved.record.draft, resolved.target, style, markup="markdown")
        sections = _titled_sections(draft, obj, style, options) if obj.is_module or obj.is_class else None
        return marker(badge, sections=sections, path=resolved.target.path) + draft

    # Kept across builds (MkDocs renders every page every time): what the text depends on
    # besides the draft and docgap's code; the badge says who reviewed it, which the ledger changes.
    form = json.dumps(["mkdocs", style, options, dataclasses.asdict(badge), resolved.target.path],
                      sort_keys=True, default=str)
    obj.docstring = make_docstring(session.rendered(resolved, form, text), obj, style, options,
                                   reveal=session.settings.reveal)


class QuietDocstring(griffe.Docstring):
    """A docstring mkdocstrings shows, but which does not make it show its object (`reveal = false`).

    mkdocstrings hides an object without a docstring (`show_if_no_docstring: false`) by asking
    `bool(obj.docstring)`; for this docstring the answer is no, so the object is shown exactly
    where it would be without docgap, and its text is rendered there.
    """

    def __bool__(self) -> bool:
        return False


def make_docstring(
    text: str, obj: griffe.Object, style: str, options: dict[str, Any], *, reveal: bool
) -> griffe.Docstring:
    """A docstring of docgap's for `obj`: one mkdocstrings shows like a person's, or (`reveal` off) a quiet one.

    Args:
        text: The docstring's text.
        obj: Its object.
        style: Parser style.
        options: The style's parser options.
        reveal: Whether the docstring may make mkdocstrings show an object it hides as undocumented.

    Returns:
        The docstring.
    """
    kind = griffe.Docstring if reveal else QuietDocstring
    return kind(text, parent=obj, parser=style, parser_options=options)


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
        obj = find(pkg, documented.path)
        if obj is None or own_docstring(obj) is not None:
            continue  # the usual case, and nothing to add
        text = human_docstring(obj, settings)
        if text:
            obj.docstring = make_docstring(text, obj, style, options, reveal=settings.reveal)


def marker(badge: Badge, *, sections: int | None = None, path: str | None = None) -> str:
    """docgap's marker, which opens a draft's first line: the badge, one inline element.

    Everything in it is docgap's own and escaped (provider, model, label, tooltip); no text from a
    draft goes inside it. Being inline at the start of the summary, it costs no Markdown conversion
    of its own, and the summary tables, which show a docstring's first line, show it too. It is a
    single element (no inner badge element) because each raw HTML tag costs Markdown a little, on
    every generated object.

    Args:
        badge: The draft's badge: provider, model, text, tooltip, and review (`data-docgap-review`,
            when a person accepted or edited the draft).
        sections: For a module or class, how many titled sections (Parameters, Attributes...) the
            draft has, so the stylesheet can end the marked block before mkdocstrings' summary
            tables of its members; `None` for other objects.
        path: The object's canonical path (`data-docgap-path`): the plugin reads from the
            pages which objects the site shows.

    Returns:
        The marker element followed by a space, all on one line.
    """
    attributes = {
        "class": "docgap-generated",
        "data-docgap-provider": badge.provider,
        "data-docgap-model": badge.model,
        **({"data-docgap-review": badge.review} if badge.review else {}),
        **({"data-docgap-sections": str(sections)} if sections is not None else {}),
        **({"data-docgap-path": path} if path is not None else {}),
        "title": badge.title,
    }
    rendered = " ".join(f'{name}="{_escape(_one_line(value))}"' for name, value in attributes.items())
    label = _escape(_one_line(badge.label))
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


def find(pkg: griffe.Module, path: str) -> griffe.Object | None:
    """The object of `pkg` at a canonical path (not an alias), if it is there."""
    if path == pkg.path:
        return pkg
    if not path.startswith(pkg.path + "."):
        return None
    try:
        found = pkg.get_member(path[len(pkg.path) + 1:])
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    return None if found.is_alias else found
