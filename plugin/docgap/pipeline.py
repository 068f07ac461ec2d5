"""One run: scan → lockfile/cache lookup → generate the misses → resolved drafts and a summary."""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from docgap.drafts import Origin, Record, Resolved, Usage
from docgap.outcome import Failure, Fill, Summary, counted
from docgap.review import review_state
from docgap.settings import Settings
from docgap.targets import ScanResult, Target

if TYPE_CHECKING:
    from docgap.providers.base import Provider, TargetContext
    from docgap.siblings import ExampleIndex
    from docgap.store import Store

# The scanner (griffe), the engine (asyncio), the providers and the validator are imported where
# they are used: a warm build whose scan and drafts are all cached needs none of them.

logger = logging.getLogger("docgap")


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
                                        and not record_check(t, results[t.path])(r)),
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


def record_check(target: Target, result: ScanResult) -> Callable[[Record], list[str]]:
    """Checks a stored record for `target` as its provider's answers were checked (see `_validator`).

    Args:
        target: The object the record documents.
        result: The scan it was found in (the names that exist).

    Returns:
        A check returning the record's problems, none when it is valid.
    """
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
    # The paths too: the lockfile's entry at an object's own path comes first (`Store.lookup`).
    key = digest(context, store.state(), *(t.key for t in targets), *(t.path for t in targets))
    kept = json.loads(store.recall(slot) or "{}")
    if kept.get("key") == key:
        return [None if e is None else (Record.from_json(e[1]), e[0]) for e in kept["hits"]]
    hits = [store.lookup(t, record_check(t, result), context=context) for t in targets]
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
