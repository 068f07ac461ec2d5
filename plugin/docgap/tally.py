"""Adding up what a session counts: the fills of a build, and one `Session.generate` batch."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from docgap.outcome import Fill, Summary, counted
from docgap.targets import ScanResult


def batch(before: Sequence[Fill], after: Sequence[Fill], paths: set[str]) -> Fill:
    """What one `Session.generate` call made: the batch's targets, drafts, failures and usage."""
    targets = tuple(t for f in before for t in f.missing if t.path in paths)
    resolved = {p: r for f in after for p, r in f.resolved.items() if p in paths}
    failed = tuple(x for f in after for x in f.failed if x.path in paths)
    skipped = tuple(t for f in after for t in f.skipped if t.path in paths)
    missing = tuple(t for f in after for t in f.missing if t.path in paths)
    aliases = {alias: t.path for t in targets for alias in t.aliases}
    reviews = {p: r for f in before for p, r in f.reviews.items() if p in paths}
    outcome = Fill(ScanResult(targets), resolved, failed, skipped, missing, reviews=reviews, _aliases=aliases)
    spent, start = merged([f.summary for f in after if f.summary]), merged([f.summary for f in before if f.summary])
    if spent is None:
        return dataclasses.replace(outcome, summary=None)
    if start is not None:
        usage = ("requests", "input_tokens", "output_tokens", "cached_tokens", "seconds")
        spent = dataclasses.replace(
            spent, **{name: getattr(spent, name) - getattr(start, name) for name in usage},
            cost=None if spent.cost is None else spent.cost - (start.cost or 0.0),
            prompt_tokens=tuple(r.record.usage.input_tokens for r in resolved.values() if r.origin == "generated"))
    return dataclasses.replace(outcome, summary=counted(dataclasses.replace(outcome, summary=spent)))


def merged(summaries: Sequence[Summary]) -> Summary | None:
    """One summary for several fills: counts, tokens, cost and time added up.

    Args:
        summaries: Summaries of fills made with the same settings.

    Returns:
        Their sum (provider and model of the first), or `None` when there is none.
    """
    if not summaries:
        return None
    first, *rest = summaries
    if not rest:
        return first
    totals = {f.name: sum(getattr(s, f.name) for s in summaries)
              for f in dataclasses.fields(Summary) if f.name not in ("provider", "model", "cost", "prompt_tokens")}
    costs = [s.cost for s in summaries if s.cost is not None]
    return dataclasses.replace(first, **totals, cost=sum(costs) if costs else None,
                               prompt_tokens=tuple(n for s in summaries for n in s.prompt_tokens))


__all__ = ["batch", "merged"]
