"""`.. docgap-report::` — a table of what docgap generated, for a coverage page."""

from __future__ import annotations

from docutils import nodes
from sphinx.util.docutils import SphinxDirective


class ReportDirective(SphinxDirective):
    """Render a table of generated docstrings: object, kind, provider, model, origin."""

    def run(self) -> list[nodes.Node]:
        from docgap.sphinx.events import note_report, state_of

        state = state_of(self.env.app)
        if state is None:
            return [nodes.paragraph(text="docgap did not run in this build.")]
        note_report(self.env.app)
        resolved = sorted(state.fill.resolved.values(), key=lambda r: r.target.path)
        ai = sum(1 for r in resolved if r.record.is_ai)
        summary = nodes.paragraph(text=(
            f"{len(resolved)} objects have generated documentation "
            f"({ai} written by a model, {len(resolved) - ai} drafted from signatures); "
            f"{len(state.fill.failed) + len(state.fill.missing) + len(state.fill.skipped)} are still undocumented."
        ))
        headers = ("Object", "Kind", "Provider", "Model", "Origin")
        rows = [(r.target.path, r.target.kind, r.record.provider, r.record.model or "", r.origin) for r in resolved]
        return [summary, _table(headers, rows)]


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> nodes.table:
    table = nodes.table(classes=["docgap-report"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in headers)
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
