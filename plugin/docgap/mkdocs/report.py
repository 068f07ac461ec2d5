"""The MkDocs log: core messages forwarded to it, and the closing summary of a build."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from mkdocs.plugins import get_plugin_logger

from docgap.errors import StrictModeError
from docgap.pipeline import Fill, Summary
from docgap.settings import Settings

log = get_plugin_logger("docgap")
_SHOWN = 20  # generated objects named in the log; the rest are counted


class _Forward(logging.Handler):
    """Send the core's `docgap` records to the MkDocs plugin logger (prefix added there)."""

    def emit(self, record: logging.LogRecord) -> None:
        log.log(record.levelno, record.getMessage().removeprefix("docgap: "))


def forward_core_logs() -> None:
    """Show the core's messages (provider choice, warnings) in the MkDocs log, once per process."""
    core = logging.getLogger("docgap")
    if not any(isinstance(h, _Forward) for h in core.handlers):
        core.addHandler(_Forward())
    core.setLevel(logging.INFO)
    core.propagate = False


def merged(summaries: Sequence[Summary]) -> Summary:
    """One summary for several packages: counts, tokens, cost and time added up.

    Args:
        summaries: At least one summary, all from the same settings.

    Returns:
        Their sum (provider and model of the first).
    """
    first, *rest = summaries
    totals = {
        f.name: sum(getattr(s, f.name) for s in summaries)
        for f in dataclasses.fields(Summary) if f.name not in ("provider", "model", "cost")
    }
    costs = [s.cost for s in summaries if s.cost is not None]
    return dataclasses.replace(first, **totals, cost=sum(costs) if costs else None) if rest else first


def report(fills: Sequence[Fill], settings: Settings) -> list[str]:
    """Log the closing summary and name what was generated; return the strict-mode problems.

    Args:
        fills: Every package filled in the build.
        settings: The build's settings (`strict`).

    Returns:
        One message per package with objects left undocumented under `strict`; empty otherwise.
    """
    summaries = [f.summary for f in fills if f.summary is not None]
    if not summaries:
        log.info("nothing to fill: mkdocstrings loaded none of the packages in the settings %s",
                 list(settings.packages) or "(all)")
        return []
    for line in merged(summaries).lines():
        log.info(line.removeprefix("docgap: "))
    generated = sorted(path for f in fills for path, r in f.resolved.items() if r.origin == "generated")
    if generated:
        more = f" and {len(generated) - _SHOWN} more" if len(generated) > _SHOWN else ""
        log.info("generated: %s%s", ", ".join(generated[:_SHOWN]), more)
    problems = []
    for outcome in fills:
        try:
            outcome.check_strict(settings)
        except StrictModeError as exc:
            problems.append(f"docgap: {exc}")
    return problems
