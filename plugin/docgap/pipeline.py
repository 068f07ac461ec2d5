"""One run: scan → lockfile/cache lookup → generate the misses → resolved drafts and a summary."""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docgap.drafts import Origin, Record, Resolved, Usage
from docgap.errors import StrictModeError
from docgap.review import REVIEW_STATES, Review, ReviewState, review_state
from docgap.settings import Settings
from docgap.targets import ScanResult, Target

if TYPE_CHECKING:
    from docgap.providers.base import Provider, TargetContext
    from docgap.siblings import ExampleIndex
    from docgap.store import Store

# The scanner (griffe), the engine (asyncio), the providers and the validator are imported where
# they are used: a warm build whose scan and drafts are all cached needs none of them.

logger = logging.getLogger("docgap")


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
        if any(t.path == path for t in self.rejected):
            return "rejected"
        resolved = self.resolved.get(path)
        if resolved is not None and resolved.review is not None:
            return resolved.review.verdict
        return "stale" if path in self.reviews else "unreviewed"

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


def fill(
    settings: Settings,
    *,
    scan_result: ScanResult | None = None,
    progress: Callable[[int, int], None] | None = None,
    lookup_only: bool = False,
) -> Fill:
    """Resolve a draft for every undocumented object: lockfile, then cache, then the provider.

    A provider hiccup never raises here: the objects concerned are listed in `Fill.failed`.

    Args:
        settings: The run's configuration.
        scan_result: A scan already made (the MkDocs host scans what mkdocstrings loaded).
        progress: Called with (done, total) while generating.
        lookup_only: Only read the lockfile and cache (for `docgap show` and `docgap lock`): no
            provider is built and misses are listed in `Fill.missing` without a warning.

    Returns:
        The resolved drafts and what is missing.
    """
    from docgap.limits import Limits
    from docgap.providers import choose_provider, describe_choice, make_provider

    if lookup_only:
        return lookup(settings, scan_result=scan_result)
    choice = None if settings.frozen else choose_provider(settings)
    if choice is not None:
        logger.info("docgap: %s", describe_choice(settings, choice))
    outcome = lookup(settings, scan_result=scan_result, model=choice is not None and choice.is_model,
                     check_lockfile=True)
    # Built only for misses: a run whose drafts are all stored never loads a model's module or SDK.
    provider = make_provider(settings, Limits.from_settings(settings)) if choice and outcome.missing else None
    return generate(settings, [outcome], outcome.missing, provider, progress=progress)[0]


def lookup(
    settings: Settings,
    *,
    scan_result: ScanResult | None = None,
    model: bool = False,
    check_lockfile: bool = False,
) -> Fill:
    """Scan and read the lockfile and cache, generating nothing: the misses are in `Fill.missing`.

    Args:
        settings: The run's configuration.
        scan_result: A scan already made (the MkDocs host scans what mkdocstrings loaded).
        model: Whether a model will generate the misses: stored offline drafts (and, under
            `regenerate`, other models' drafts) are then misses too, to be made again.
        check_lockfile: Warn when the lockfile path is a directory (a build, not `docgap show`).

    Returns:
        The drafts found, and the misses as `missing` (summary provider "none (frozen)").
    """
    from docgap.store import Store

    started = time.perf_counter()
    result, sources = (scan_result, None) if scan_result is not None else _scan(settings)
    for warning in result.warnings:
        logger.warning("docgap: %s", warning)
    resolved: dict[str, Resolved] = {}
    misses: list[Target] = []
    with Store(settings) as store:
        if check_lockfile and settings.lockfile_path.is_dir():
            store.warn(f"{settings.lockfile_path}: the lockfile path is a directory, so no lockfile is read; "
                       "set `lockfile` under [tool.docgap] to a file path")
        reviews = store.reviews
        rejected = tuple(t for t in result.targets if review_state(reviews.get(t.path), t, None) == "rejected")
        refused = {t.path for t in rejected}
        wanted = [t for t in result.targets if t.path not in refused]
        for target, hit in zip(wanted, _hits(store, result, wanted)):
            review = reviews.get(target.path)
            # A draft a person vouched for is shown whatever the provider would make now.
            vouched = hit is not None and review_state(review, target, hit[0].draft) in ("accepted", "edited")
            if hit is not None and (vouched or _usable(hit[0], model, settings)):
                resolved[target.path] = Resolved(target, hit[0], hit[1], review if vouched else None)
            else:
                misses.append(target)
    aliases = {alias: t.path for t in result.targets for alias in t.aliases}
    outcome = Fill(result, resolved, missing=tuple(misses),
                   warnings=tuple(str(w) for w in result.warnings) + tuple(store.warnings),
                   rejected=rejected, reviews=reviews, sources=sources, _aliases=aliases)
    summary = Summary("none (frozen)", None, *(0,) * 11, cost=None, seconds=time.perf_counter() - started)
    return dataclasses.replace(outcome, summary=counted(dataclasses.replace(outcome, summary=summary)))


def generate(
    settings: Settings,
    fills: Sequence[Fill],
    targets: Iterable[Target],
    provider: Provider | None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[Fill]:
    """Generate drafts for some misses of `fills` in one concurrent batch, and merge them in.

    A provider hiccup never raises here: the objects concerned are listed in `Fill.failed`.

    Args:
        settings: The run's configuration.
        fills: Lookups (see `lookup`) whose `missing` holds the targets.
        targets: The misses to generate; targets not missing from any of `fills` are ignored.
        provider: What drafts them; `None` (frozen) leaves them missing, with one warning.
        progress: Called with (done, total) while generating.

    Returns:
        `fills`, each with the batch's drafts, failures and budget skips in place of its misses,
        and the batch's usage and time added to its summary (to the first fill concerned).
    """
    started = time.perf_counter()
    owner = {t.path: i for i, f in enumerate(fills) for t in f.missing}
    wanted = {t.path: t for t in targets if t.path in owner}
    if not wanted:
        return list(fills)
    if provider is None:
        shown = ", ".join(list(wanted)[:20]) + (" ..." if len(wanted) > 20 else "")
        logger.warning("docgap: frozen: %d objects have no draft in the lockfile or cache: %s", len(wanted), shown)
        return list(fills)
    from docgap.engine import Job, generate_async, run_sync
    from docgap.siblings import ExampleIndex
    from docgap.store import Store

    results = {path: fills[owner[path]].scan for path in wanted}
    with Store(settings, lockfile=False) as store:
        indexes = {id(r): ExampleIndex(r) for r in results.values()}
        jobs = [Job(t, _context(t, indexes[id(results[t.path])], settings),
                    _validator(t, results[t.path], partial=not provider.is_model)) for t in wanted.values()]
        report = run_sync(lambda: generate_async(
            jobs, provider, concurrency=settings.concurrency, on_record=store.save, progress=progress,
            claim=lambda t: store.claim(t, lambda r: _usable(r, provider.is_model, settings)
                                        and not _record_check(t, results[t.path])(r)),
        ))
    updated = list(fills)
    skipped = 0
    for path, target in wanted.items():
        i = owner[path]
        outcome = updated[i]
        gained: dict[str, Any] = {"missing": tuple(t for t in outcome.missing if t.path != path)}
        if target.key in report.records:
            gained["resolved"] = {**outcome.resolved, path: Resolved(target, report.records[target.key], "generated")}
        elif target.key in report.stored:  # made by a concurrent run while this one waited
            gained["resolved"] = {**outcome.resolved, path: Resolved(target, report.stored[target.key], "cache")}
        elif target.key in report.failed:
            gained["failed"] = (*outcome.failed, Failure(path, report.failed[target.key]))
            logger.warning("docgap: %s left undocumented: %s", path, report.failed[target.key])
        else:
            gained["skipped"] = (*outcome.skipped, target)
            skipped += 1
        updated[i] = dataclasses.replace(outcome, **gained)
    if skipped:
        logger.warning("docgap: budget reached; %d objects left for a later run", skipped)
    first = min(owner[path] for path in wanted)
    for i in {owner[path] for path in wanted}:
        summary = updated[i].summary
        assert summary is not None
        if i == first:
            usage = report.usage
            summary = dataclasses.replace(
                summary, requests=summary.requests + usage.requests,
                input_tokens=summary.input_tokens + usage.input_tokens,
                output_tokens=summary.output_tokens + usage.output_tokens,
                cached_tokens=summary.cached_tokens + usage.cached_tokens,
                cost=_add(summary.cost, _cost(usage, settings, provider.model)),
                seconds=summary.seconds + time.perf_counter() - started,
                prompt_tokens=summary.prompt_tokens + tuple(
                    r.usage.input_tokens for r in report.records.values() if r.usage.input_tokens))
        summary = dataclasses.replace(summary, provider=provider.name, model=provider.model)
        updated[i] = dataclasses.replace(updated[i], summary=summary,
                                         warnings=updated[i].warnings + tuple(store.warnings))
        updated[i] = dataclasses.replace(updated[i], summary=counted(updated[i]))
    return updated


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


def _add(cost: float | None, more: float | None) -> float | None:
    return more if cost is None else cost if more is None else cost + more


def _scan(settings: Settings) -> tuple[ScanResult, str | None]:
    """`docgap.scan.scan`, without importing the scanner (and griffe) when the scan cache has the result.

    Returns:
        The scan, and the packages' fingerprint taken before it (see `Fill.sources`).
    """
    from docgap.scan_cache import load_cached_scan

    cached, fingerprint = load_cached_scan(settings)
    if cached is not None:
        return cached, fingerprint
    from docgap.scan import scan

    return scan(settings), fingerprint


def _usable(record: Record, model: bool, settings: Settings) -> bool:
    """Whether a stored record serves this run, or should be made again by the configured model."""
    if not model:
        return True
    if not record.is_ai:
        return False  # a model is configured now: upgrade offline drafts
    return not (settings.regenerate and record.model != settings.model)


def _context(target: Target, index: ExampleIndex, settings: Settings) -> TargetContext:
    """Voice examples chosen by relevance (`docgap.siblings`), markup stripped."""
    from docgap.providers.base import TargetContext

    return TargetContext(examples=index.examples(target, settings.examples_in_prompt))


def _validator(target: Target, result: ScanResult, *, partial: bool) -> Callable[[object], list[str]]:
    """Checks an answer for `target`: complete from a model, `partial` from a provider that is none."""

    def check(data: object) -> list[str]:
        from docgap.validate import validate

        return validate(data, target, result.known_names, partial=partial)

    return check


def _record_check(target: Target, result: ScanResult) -> Callable[[Record], list[str]]:
    """Checks a stored record for `target` as its provider's answers were checked (see `_validator`)."""
    return lambda record: _validator(target, result, partial=not record.is_ai)(record.draft.to_json())


def _hits(store: Store, result: ScanResult, targets: Sequence[Target]) -> list[tuple[Record, Origin] | None]:
    """`store.lookup` of `targets`; a warm build reads them all at once, as the last clean lookup left them.

    That lookup's outcome is remembered sealed (`Store.remember`) under everything it depends on:
    the targets' content keys, the names that exist, the lockfile and the cache's drafts. A lookup
    that warned (a bad lockfile entry, a tampered draft) is not remembered: the next one warns again.
    """
    from docgap.seal import digest

    context = _validation_context(result)
    # One entry per set of packages, replaced when anything changes, so stale ones do not pile up.
    slot = "lookup:" + digest(*sorted({t.path.partition(".")[0] for t in result.targets}))
    key = digest(context, store.state(), *(t.key for t in targets))
    kept = json.loads(store.recall(slot) or "{}")
    if kept.get("key") == key:
        return [None if e is None else (Record.from_json(e[1]), e[0]) for e in kept["hits"]]
    hits = [store.lookup(t, _record_check(t, result), context=context) for t in targets]
    if store.clean:
        store.remember(slot, json.dumps({"key": key, "hits": [None if h is None else [h[1], h[0].to_json()]
                                                               for h in hits]}))
    return hits


def _validation_context(result: ScanResult) -> str:
    """What `_validator` depends on besides the target and the draft: the names that exist."""
    from docgap.seal import digest

    return digest(*sorted(result.known_names))


def _cost(usage: Usage, settings: Settings, model: str | None) -> float | None:
    price = settings.prices.get(model) if model else None
    if price is None:
        return None
    return (usage.input_tokens * price.input + usage.output_tokens * price.output) / 1_000_000
