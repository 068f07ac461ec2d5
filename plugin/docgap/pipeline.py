"""One run: scan → lockfile/cache lookup → generate the misses → resolved drafts and a summary."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from docgap.drafts import Record, Resolved, Usage
from docgap.engine import Job, generate_async, run_sync
from docgap.errors import StrictModeError
from docgap.limits import Limits
from docgap.providers import describe_choice, make_provider
from docgap.providers.base import TargetContext
from docgap.scan import scan
from docgap.settings import Settings
from docgap.store import Store
from docgap.targets import ScanResult, Target
from docgap.validate import validate

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
    """The closing summary of a run."""

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

    def lines(self) -> list[str]:
        """The summary as a few human-readable lines."""
        provider = f"{self.provider} ({self.model})" if self.model else self.provider
        lines = [
            f"docgap: {self.targets} undocumented objects: {self.generated} generated, "
            f"{self.from_lock} from lock, {self.from_cache} from cache, {self.failed} failed"
            + (f", {self.skipped} left for a later run (budget)" if self.skipped else "")
            + (f", {self.missing} missing (frozen)" if self.missing else ""),
            f"docgap: provider {provider}; {self.requests} requests, {self.input_tokens} tokens in "
            f"({self.cached_tokens} cached), {self.output_tokens} out"
            + (f", estimated cost {self.cost:.4f}" if self.cost is not None else "")
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
    """

    scan: ScanResult
    resolved: dict[str, Resolved]
    failed: tuple[Failure, ...] = ()
    skipped: tuple[Target, ...] = ()
    missing: tuple[Target, ...] = ()
    summary: Summary | None = None
    warnings: tuple[str, ...] = ()
    _aliases: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def undocumented(self) -> int:
        """How many objects are left without a draft: failed, over budget, or missing (frozen)."""
        return len(self.failed) + len(self.skipped) + len(self.missing)

    def lookup(self, path: str) -> Resolved | None:
        """Return the resolved draft for a canonical path or any public alias of it."""
        found = self.resolved.get(path)
        if found is None and path in self._aliases:
            found = self.resolved.get(self._aliases[path])
        return found

    def check_strict(self, settings: Settings) -> None:
        """Raise when `strict` is on and anything was left undocumented.

        Raises:
            StrictModeError: Naming how many objects and the first few.
        """
        if not settings.strict:
            return
        problems = [f"{f.path}: {f.reason}" for f in self.failed]
        problems += [f"{t.path}: not in the lockfile or cache (frozen)" for t in self.missing]
        problems += [f"{t.path}: left for a later run (budget)" for t in self.skipped]
        if problems:
            shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
            raise StrictModeError(f"strict: {len(problems)} objects left undocumented: {shown}")


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
    started = time.perf_counter()
    result = scan_result if scan_result is not None else scan(settings)
    for warning in result.warnings:
        logger.warning("docgap: %s", warning)
    limits = Limits.from_settings(settings)
    provider = None if settings.frozen or lookup_only else make_provider(settings, limits)
    provider_name = provider.name if provider else "none (frozen)"
    if provider is not None:
        logger.info("docgap: %s", describe_choice(settings))

    resolved: dict[str, Resolved] = {}
    misses: list[Target] = []
    with Store(settings) as store:
        for target in result.targets:
            hit = store.lookup(target)
            if hit is not None and _usable(hit[0], provider, settings):
                resolved[target.path] = Resolved(target, hit[0], hit[1])
            else:
                misses.append(target)
        failed: list[Failure] = []
        skipped: list[Target] = []
        usage = Usage()
        if provider is not None and misses:
            jobs = [Job(t, _context(t, result, settings), _validator(t, result)) for t in misses]
            report = run_sync(lambda: generate_async(
                jobs, provider, concurrency=settings.concurrency, limits=limits,
                on_record=store.save, progress=progress,
            ))
            usage = report.usage
            for target in misses:
                if target.key in report.records:
                    resolved[target.path] = Resolved(target, report.records[target.key], "generated")
                elif target.key in report.failed:
                    failed.append(Failure(target.path, report.failed[target.key]))
                    logger.warning("docgap: %s left undocumented: %s", target.path, report.failed[target.key])
                else:
                    skipped.append(target)
            if skipped:
                logger.warning("docgap: budget reached; %d objects left for a later run", len(skipped))
            missing: list[Target] = []
        else:
            missing = misses if provider is None else []
        if missing and not lookup_only:
            shown = ", ".join(t.path for t in missing[:20]) + (" ..." if len(missing) > 20 else "")
            logger.warning("docgap: frozen: %d objects have no draft in the lockfile or cache: %s", len(missing), shown)

    warnings = tuple(store.warnings)
    origins = [r.origin for r in resolved.values()]
    summary = Summary(
        provider=provider_name,
        model=provider.model if provider else None,
        targets=len(result.targets),
        generated=origins.count("generated"),
        from_lock=origins.count("lock"),
        from_cache=origins.count("cache"),
        failed=len(failed),
        skipped=len(skipped),
        missing=len(missing),
        requests=usage.requests,
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cached_tokens=usage.cached_tokens,
        cost=_cost(usage, settings, provider.model if provider else None),
        seconds=time.perf_counter() - started,
    )
    aliases = {alias: t.path for t in result.targets for alias in t.aliases}
    return Fill(result, resolved, tuple(failed), tuple(skipped), tuple(missing), summary,
                tuple(str(w) for w in result.warnings) + warnings, aliases)


def _usable(record: Record, provider: object | None, settings: Settings) -> bool:
    """Whether a stored record serves this run, or should be made again by the configured model."""
    name = getattr(provider, "name", None)
    if name is None or name == "signature":
        return True
    if record.provider == "signature":
        return False  # a model is configured now: upgrade offline drafts
    return not (settings.regenerate and record.model != settings.model)


def _context(target: Target, result: ScanResult, settings: Settings) -> TargetContext:
    """Voice examples from the target's module, else from the nearest package above it that has some."""
    module = target.module or target.path.rpartition(".")[0]
    while module and module not in result.examples:
        module = module.rpartition(".")[0]
    examples = result.examples.get(module, ())
    return TargetContext(examples=tuple(examples[: settings.examples_in_prompt]))


def _validator(target: Target, result: ScanResult) -> Callable[[object], list[str]]:
    return lambda data: validate(data, target, result.known_names)


def _cost(usage: Usage, settings: Settings, model: str | None) -> float | None:
    price = settings.prices.get(model) if model else None
    if price is None:
        return None
    return (usage.input_tokens * price.input + usage.output_tokens * price.output) / 1_000_000
