"""What a run produced: the resolved drafts, what is left undocumented, and the closing summary."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from docgap.drafts import Resolved
from docgap.errors import StrictModeError
from docgap.review import REVIEW_STATES, Review, ReviewState
from docgap.settings import Settings
from docgap.targets import ScanResult, Target


@dataclass(frozen=True)
class Failure:
    """An object that could not be filled in this run.

    Attributes:
        path: The object's canonical path.
        reason: Why, in one line.
    """

    path: str
    reason: str


@dataclass(frozen=True)
class Summary:
    """The closing summary of a run (`prompt_tokens`: the prompt tokens of each generated draft, re-asks included)."""

    provider: str
    model: str | None
    targets: int
    generated: int
    from_lock: int
    from_cache: int
    failed: int
    skipped: int
    missing: int
    requests: int
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    cost: float | None
    seconds: float
    prompt_tokens: tuple[int, ...] = ()

    def lines(self) -> list[str]:
        """The summary as a few human-readable lines."""
        import statistics  # not at start-up: it costs more than all the rest of this module

        provider = f"{self.provider} ({self.model})" if self.model else self.provider
        lines = [
            f"docgap: {self.targets} undocumented objects: {self.generated} generated, "
            f"{self.from_lock} from lock, {self.from_cache} from cache, {self.failed} failed"
            + (f", {self.skipped} left for a later run (budget)" if self.skipped else "")
            + (f", {self.missing} missing (frozen)" if self.missing else ""),
            f"docgap: provider {provider}; {self.requests} requests, {self.input_tokens} tokens in "
            f"({self.cached_tokens} cached), {self.output_tokens} out"
            + (f", estimated cost {self.cost:.4f}" if self.cost is not None else "")
            + (f"; prompt tokens per object: median {statistics.median_low(self.prompt_tokens)}, "
               f"max {max(self.prompt_tokens)}" if self.prompt_tokens else "")
            + f"; {self.seconds:.1f}s",
        ]
        return lines


@dataclass(frozen=True)
class Fill:
    """The outcome of `fill`: every resolved draft and what is still missing.

    Attributes:
        scan: What the scan found.
        resolved: Resolved drafts by canonical path.
        failed: Objects no valid draft could be had for.
        skipped: Objects left for a later run because the budget ran out.
        missing: Objects not generated because the run was frozen.
        summary: Counts, tokens, cost and time.
        warnings: Problems met on the way (cache, lockfile, scan), already logged.
        rejected: Objects whose draft a person rejected for their current code: neither
            resolved nor missing, never generated; hosts show them undocumented.
        reviews: The review ledger read from the lockfile, by object path.
        sources: The scan cache's fingerprint of the packages' files, taken before they were
            scanned (`scan_cache.sources_unchanged`); `None` when the scan was handed in or the
            files could not all be read.
    """

    scan: ScanResult
    resolved: dict[str, Resolved]
    failed: tuple[Failure, ...] = ()
    skipped: tuple[Target, ...] = ()
    missing: tuple[Target, ...] = ()
    summary: Summary | None = None
    warnings: tuple[str, ...] = ()
    rejected: tuple[Target, ...] = ()
    reviews: dict[str, Review] = field(default_factory=dict)
    sources: str | None = None
    _aliases: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def undocumented(self) -> int:
        """How many objects are left without a draft: failed, over budget, or missing (frozen)."""
        return len(self.failed) + len(self.skipped) + len(self.missing)

    def lookup(self, path: str) -> Resolved | None:
        """Return the resolved draft for a canonical path or any public alias of it."""
        return self.resolved.get(self.canonical(path))

    def canonical(self, path: str) -> str:
        """The canonical path of a target's public alias; any other path as it is."""
        return self._aliases.get(path, path) if path not in self.resolved else path

    def review_state(self, path: str) -> ReviewState:
        """Where the draft of an object stands in the review ledger (canonical path or alias).

        `stale` when the object has a review that vouches for neither its code nor its draft now.
        """
        path = self.canonical(path)
        resolved, review = self.resolved.get(path), self.reviews.get(path)
        if resolved is not None and resolved.review is not None:
            return resolved.review.verdict
        if resolved is None and review is not None and review.verdict == "rejected" \
                and any(t.path == path for t in self.rejected):
            return "rejected"
        return "unreviewed" if review is None else "stale"

    def review_counts(self, only: Collection[str] | None = None) -> dict[ReviewState, int]:
        """How many drafts (and rejected objects) are in each review state.

        Args:
            only: Canonical paths to count (those a site shows); all when `None`.
        """
        counts: dict[ReviewState, int] = dict.fromkeys(REVIEW_STATES, 0)
        for path in [*self.resolved, *(t.path for t in self.rejected)]:
            if only is None or path in only:
                counts[self.review_state(path)] += 1
        return counts

    def check_strict(self, settings: Settings, only: Collection[str] | None = None) -> None:
        """Raise when `strict` is on and anything was left undocumented (or unreviewed, under `require_review`).

        Args:
            settings: The run's settings.
            only: Canonical paths of the objects to check (those a site shows); all when `None`.

        Raises:
            StrictModeError: Naming how many objects and the first few.
        """
        if not settings.strict:
            return
        problems = [f"{f.path}: {f.reason}" for f in self.failed if only is None or f.path in only]
        problems += [f"{t.path}: not in the lockfile or cache (frozen)" for t in self.missing
                     if only is None or t.path in only]
        problems += [f"{t.path}: left for a later run (budget)" for t in self.skipped if only is None or t.path in only]
        if settings.require_review:
            problems += [f"{path}: {_UNREVIEWED[state]} (require_review)" for path in sorted(self.resolved)
                         if (only is None or path in only) and (state := self.review_state(path)) in _UNREVIEWED]
        if problems:
            shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
            what = "left undocumented or unreviewed" if settings.require_review else "left undocumented"
            raise StrictModeError(f"strict: {len(problems)} objects {what}: {shown}")


_UNREVIEWED = {
    "unreviewed": "draft not reviewed yet (`docgap review PATH --accept`)",
    "stale": "the code or draft changed since its review (`docgap review --list` shows it)",
}


def counted(outcome: Fill, paths: Collection[str] | None = None) -> Summary:
    """The summary of `outcome` with its counts made over the targets in `paths` (all when `None`).

    Requests, tokens, cost and time are kept as they are: they are what the run spent.

    Args:
        outcome: A fill (with a summary).
        paths: Canonical paths of the targets to count, e.g. the ones a site shows.

    Returns:
        The summary.
    """
    assert outcome.summary is not None

    def count(items: Iterable[str]) -> int:
        return sum(1 for path in items if paths is None or path in paths)

    origins = [r.origin for path, r in outcome.resolved.items() if paths is None or path in paths]
    return dataclasses.replace(
        outcome.summary,
        targets=count(t.path for t in outcome.scan.targets),
        generated=origins.count("generated"),
        from_lock=origins.count("lock"),
        from_cache=origins.count("cache"),
        failed=count(f.path for f in outcome.failed),
        skipped=count(t.path for t in outcome.skipped),
        missing=count(t.path for t in outcome.missing),
    )


__all__ = ["Failure", "Fill", "Summary", "counted"]
