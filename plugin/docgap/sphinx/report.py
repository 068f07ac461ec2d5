"""`.. docgap-report::` — a table of what docgap generated, for a coverage page."""

from __future__ import annotations

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from docgap.sphinx.state import REPORT, state_of
from docgap.sphinx.tracking import note


_MAX_WIDTH = 60
"""The widest a column gets in text output; longer cells wrap."""


class ReportDirective(SphinxDirective):
    """Render a table of generated docstrings: object, kind, provider, model.

    Where a draft came from in one run (generated, cache, lockfile) is left out: it changes from
    one build to the next without the page being read again.
    """

    def run(self) -> list[nodes.Node]:
        state = state_of(self.env)
        if state is None:
            return [nodes.paragraph(text="docgap did not run in this build.")]
        note(self.env, REPORT, REPORT, state.report_key())
        resolved = sorted(state.fill.resolved.values(), key=lambda r: r.target.path)
        ai = sum(1 for r in resolved if r.record.is_ai)
        summary = nodes.paragraph(text=(
            f"{len(resolved)} objects have generated documentation "
            f"({ai} written by a model, {len(resolved) - ai} drafted from signatures); "
            f"{state.fill.undocumented} are still undocumented."
        ))
        headers = ("Object", "Kind", "Provider", "Model")
        rows = [(r.target.path, r.target.kind, r.record.provider, r.record.model or "") for r in resolved]
        return [summary, _table(headers, rows)]


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
