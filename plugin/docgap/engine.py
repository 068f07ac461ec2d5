"""Running a provider over many targets: bounded concurrency, dedupe, budget, progress.

Retries of 429/5xx/timeouts are the SDK's job and re-asks the provider's; the engine only decides
what runs, how many at once, and what to do with each outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from docgap.drafts import Record, Usage
from docgap.errors import BudgetExhausted, GenerationError
from docgap.providers.base import Provider, TargetContext, Validator
from docgap.targets import Target

T = TypeVar("T")

Progress = Callable[[int, int], None]
"""Called with (done, total) after each target."""

Claim = Callable[[Target], contextlib.AbstractAsyncContextManager["Record | None"]]
"""Holds a target's content key while it is generated and saved, so that other processes wait for it.

It yields a record another process made meanwhile (then nothing is generated), else `None`.
"""


@dataclass(frozen=True)
class Job:
    """One target to generate, with what its provider call needs.

    Attributes:
        target: The undocumented object.
        context: Prompt material besides the target.
        validate: Checks an answer for this target.
    """

    target: Target
    context: TargetContext
    validate: Validator


@dataclass
class GenerationReport:
    """What a generation run produced.

    Attributes:
        records: New valid records by content key.
        stored: Records another process made while this run waited for its claim, by content key.
        failed: Reason per content key, for targets no valid draft could be had for.
        skipped: Content keys left for a later run because the budget ran out.
        usage: Total usage of the run: every request the provider recorded in the run's `Limits`,
            including the answers of targets that failed or were skipped after a re-ask.
        seconds: Wall time.
    """

    records: dict[str, Record] = field(default_factory=dict)
    stored: dict[str, Record] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0


async def generate_async(
    jobs: Sequence[Job],
    provider: Provider,
    *,
    concurrency: int,
    on_record: Callable[[Target, Record], None] | None = None,
    progress: Progress | None = None,
    claim: Claim | None = None,
) -> GenerationReport:
    """Generate a draft for every job, at most `concurrency` at once, each content key once.

    Args:
        jobs: The targets to generate; jobs sharing a content key are generated once.
        provider: What drafts them. Its `limits` are the run's rate limits and budget (the one
            route by which they reach the engine): once the budget is spent, remaining jobs are
            skipped; the provider records every request there, which is what the report's usage counts.
        concurrency: How many provider calls run at once.
        on_record: Called as soon as a record is made (to save it before the run ends).
        progress: Called with (done, total) after each job.
        claim: Taken around each generation and its `on_record`, so concurrent runs sharing a cache
            make each draft once; without it every run generates its own.

    Returns:
        The report.
    """
    started = time.perf_counter()
    limits = provider.limits
    spent_before = limits.spent
    first: dict[str, Job] = {}
    for job in jobs:
        first.setdefault(job.target.key, job)
    unique = list(first.values())
    report = GenerationReport()
    queue: asyncio.Queue[Job] = asyncio.Queue()
    for job in unique:
        queue.put_nowait(job)
    done = 0

    async def make(job: Job) -> None:
        key = job.target.key
        try:
            generation = await provider.generate(job.target, job.context, job.validate)
        except BudgetExhausted:
            report.skipped.append(key)
        except GenerationError as exc:
            report.failed[key] = exc.reason
        except Exception as exc:  # noqa: BLE001 - one target's bug must not break the docs build
            # Only the type is shown: an arbitrary message might carry request details.
            report.failed[key] = f"unexpected {type(exc).__name__} while generating the draft"
        else:
            record = Record(
                draft=generation.draft,
                provider=provider.name,
                model=provider.model,
                usage=generation.usage,
                attempts=generation.attempts,
            )
            report.records[key] = record
            if on_record is not None:
                on_record(job.target, record)

    async def worker() -> None:
        nonlocal done
        while not queue.empty():
            job = queue.get_nowait()
            if limits.exhausted:
                report.skipped.append(job.target.key)
            else:
                async with claim(job.target) if claim is not None else contextlib.nullcontext() as stored:
                    if stored is not None:
                        report.stored[job.target.key] = stored
                    else:
                        await make(job)
            done += 1
            if progress is not None:
                progress(done, len(unique))

    try:
        await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(unique))))))
    finally:
        await provider.aclose()
    report.usage = limits.spent - spent_before
    report.seconds = time.perf_counter() - started
    return report


def run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion from synchronous code, even inside a running event loop.

    Hosts call the engine from synchronous hooks; some of them (a live-reload server, a notebook)
    already run an event loop in this thread, where `asyncio.run` is not allowed, so the coroutine
    then runs on a loop of its own in a helper thread.

    Args:
        factory: Makes the coroutine to run.

    Returns:
        The coroutine's result.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())  # type: ignore[arg-type]
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(factory())  # type: ignore[arg-type]
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="docgap-engine")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
