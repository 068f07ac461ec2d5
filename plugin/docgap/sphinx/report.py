"""`.. docgap-report::` — a table of what docgap generated for the objects the site shows.

The table depends on every page, so the directive leaves a placeholder that is filled when the
page is written (`doctree-resolved`), once every document has been read and drafted; a page
showing a report is written again whenever its table changes.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from docgap.sphinx.state import REPORT, BuildState, state_of
from docgap.sphinx.tracking import documents_with, note, shown_paths

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

_MAX_WIDTH = 60
"""The widest a column gets in text output; longer cells wrap."""


class docgap_report(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """Where a report's summary and table go when the page is written."""


class ReportDirective(SphinxDirective):
    """Render a table of generated docstrings (object, kind, provider, model), and their review counts.

    Where a draft came from in one run (generated, cache, lockfile) is left out: it changes from
    one build to the next without the page changing.
    """

    def run(self) -> list[nodes.Node]:
        if state_of(self.env) is None:
            return [nodes.paragraph(text="docgap did not run in this build.")]
        note(self.env, REPORT, REPORT, REPORT)
        return [docgap_report()]


def on_doctree_resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fill each report placeholder with the summary and table of what the site shows."""
    state = state_of(app.env)
    for node in list(doctree.findall(docgap_report)):
        node.replace_self(_content(app.env, state) if state is not None else [])


def changed_reports(env: BuildEnvironment, state: BuildState) -> list[str]:
    """The documents showing a report whose table changed since it was last written."""
    digest = hashlib.sha256(json.dumps([_rows(env, state), _reviews(state)]).encode()).hexdigest()
    if getattr(env, "docgap_report_digest", None) == digest:
        return []
    env.docgap_report_digest = digest  # type: ignore[attr-defined]
    return documents_with(env, REPORT)


def _rows(env: BuildEnvironment, state: BuildState) -> list[list[str]]:
    """One row per object the site shows with a draft, and a last row of the count without one."""
    rows, empty = [], 0
    for path in sorted(shown_paths(env)):
        resolved = state.fill.resolved.get(path)
        if resolved is None:
            empty += 1
        else:
            rows.append([path, resolved.target.kind, resolved.record.provider, resolved.record.model or ""])
    return [*rows, [str(empty)]]


def _content(env: BuildEnvironment, state: BuildState) -> list[nodes.Node]:
    *rows, (empty,) = _rows(env, state)
    ai = sum(1 for row in rows if row[3])
    summary = nodes.paragraph(text=(
        f"{len(rows)} objects shown have generated documentation "
        f"({ai} written by a model, {len(rows) - ai} drafted from signatures); "
        f"{empty} are still undocumented."
    ))
    headers = ("Object", "Kind", "Provider", "Model")
    return [summary, nodes.paragraph(text=_reviews(state)), _table(headers, [tuple(row) for row in rows])]


def _reviews(state: BuildState) -> str:
    """The drafts shown (and rejected objects) by review state: `Reviewed: 1 accepted, ... 20 unreviewed.`"""
    counts = state.session.review_counts()
    order = sorted(counts, key=lambda name: name == "unreviewed")  # the other states first, as they are
    return "Reviewed: " + ", ".join(f"{counts[name]} {name}" for name in order) + "."


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> nodes.table:
    """A table whose column widths fit their longest cell (text builders lay tables out by them)."""
    table = nodes.table(classes=["docgap-report"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    widths = [min(_MAX_WIDTH, 2 + max(len(cell) for cell in column)) for column in zip(headers, *rows)]
    group.extend(nodes.colspec(colwidth=width) for width in widths)
    head = nodes.thead()
    head += _row(headers)
    body = nodes.tbody()
    body.extend(_row(row, literal_first=True) for row in rows)
    group += head
    group += body
    return table


def _row(cells: tuple[str, ...], literal_first: bool = False) -> nodes.row:
    row = nodes.row()
    for index, text in enumerate(cells):
        entry = nodes.entry()
        content = nodes.literal(text=text) if literal_first and index == 0 else nodes.Text(text)
        entry += nodes.paragraph("", "", content)
        row += entry
    return row
