"""The host-neutral session: everything a docs host does with docgap, written once.

A host (the Sphinx extension, the MkDocs plugin, the command line, or a new one) is an adapter
that turns its own configuration into `host_settings(values, base)`, opens a `Session`, asks it
to `fill` (the only way into the core), puts the rendered drafts where its toolchain expects
them with the fields of `Session.badge`, and at the end logs `Session.summary_lines()` and
reports `Session.problems()` (strict mode) the way its toolchain reports errors:

```python
from docgap.render import render

session = Session(host_settings(values, base), log=my_log)
outcome = session.fill()
for resolved in outcome.resolved.values():
    text = render(resolved.record.draft, resolved.target, session.settings.style)
    badge = session.badge(resolved.record, resolved.review)  # label, provider, model, title, review...
    # ... put `text`, marked with `badge`, where the toolchain shows docstrings
for line in session.summary_lines():
    my_log(logging.INFO, line)
if problems := session.problems():
    raise MyHostError("; ".join(f"docgap: {p}" for p in problems))
```

Texts the session hands to a host (log records, summary lines, problems) carry no `docgap: `
prefix: each host adds the prefix its log needs (MkDocs' plugin logger adds it by itself).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgap import pipeline
from docgap.drafts import Record, Resolved
from docgap.errors import StrictModeError
from docgap.host_config import PATH_SETTINGS, SETTING_NAMES, coerce, host_settings
from docgap.host_log import HostLog, forward_logs
from docgap.outcome import Fill, Summary, counted
from docgap.review import REVIEW_STATES, Review, ReviewState
from docgap.tally import batch, merged
from docgap.settings import Settings
from docgap.targets import ScanResult

if TYPE_CHECKING:
    from docgap.limits import Limits
    from docgap.store import Store
# The scanner, the store and the providers are imported where they are used: importing a host
# costs only what configuring it needs.

_CORE = logging.getLogger("docgap")


@dataclass(frozen=True)
class Badge:
    """What every host puts on the marker of a generated docstring.

    Attributes:
        label: The badge's visible text: `label_ai` for a model's draft, `label_signature` otherwise.
        provider: The provider that made the draft (`data-docgap-provider`).
        model: The model, `""` when no model wrote it (`data-docgap-model`).
        title: Who wrote it, for the tooltip (`Record.credit`), and who reviewed it.
        is_model: Whether a model wrote it.
        review: `accepted` or `edited` when a person's review vouches for the draft
            (`data-docgap-review`), `""` otherwise.
        reviewer: Who reviewed it, `""` when nobody did.
    """

    label: str
    provider: str
    model: str
    title: str
    is_model: bool
    review: str = ""
    reviewer: str = ""


@dataclass
class Session:
    """One build of one host: its settings, the fills made in it, and what it tells the reader.

    Two ways to fill. `fill` drafts every undocumented object of the packages (the command line,
    and hosts that render whole packages) and counts all of them. A host that renders only part of
    a package first calls `lookup` (drafts already in the lockfile or cache, misses listed), then
    `generate` with the misses its pages show (one concurrent batch), and `show` with the objects
    it rendered from the lookup: the summary, `generated` and `problems` then count only those.

    Args:
        settings: The build's settings (see `host_settings`).
        log: Where core messages go while the session works, and nowhere after.

    Attributes:
        settings: The build's settings.
        log: The host's log.
        fills: Every fill and lookup made in this session (one per package for the MkDocs host),
            with the drafts generated for them since.
        shown: Canonical paths of the targets the session counts: every target of a `fill`, what
            the host passed to `show` and `generate`.
    """

    settings: Settings
    log: HostLog
    fills: list[Fill] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)
    _limits: Limits | None = field(default=None, repr=False)
    _chosen: tuple[str, str | None, bool] | None = field(default=None, repr=False)
    _renders: Store | None = field(default=None, repr=False)

    def fill(
        self,
        *,
        modules: Iterable[Any] | None = None,
        progress: Callable[[int, int], None] | None = None,
        lookup_only: bool = False,
    ) -> Fill:
        """Resolve every draft (lockfile → cache → provider), core logs going to the host's log.

        Every target of the fill is counted (see `shown`).

        Args:
            modules: Top-level `griffe.Module`s the host already loaded (mkdocstrings' loader): these
                are scanned instead of loading `settings.packages`.
            progress: Called with (done, total) while generating.
            lookup_only: Only read the lockfile and cache, any stored draft counting (`docgap show`,
                `docgap lock`); no provider is built.

        Returns:
            The fill, also kept in `fills`.

        Raises:
            DocgapError: When the settings or the provider are invalid, or a package is not found.
        """
        with forward_logs(self.log):
            scanned = None if modules is None else _scan_objects(modules, self.settings)
            if lookup_only:
                outcome = pipeline.lookup(self.settings, scan_result=scanned)
                self.fills.append(outcome)
            else:
                outcome = self._lookup(scanned)
                self._generate([t.path for t in outcome.missing], progress)
                outcome = self.fills[-1]
        self.shown.update(t.path for t in outcome.scan.targets)
        return outcome

    def lookup(self, *, modules: Iterable[Any] | None = None) -> Fill:
        """Scan and read the lockfile and cache, generating nothing: the first pass of a host.

        The configured provider is chosen (and named in the log, once per session) so that stored
        drafts it would make again (offline drafts when a model is configured) are misses.
        Nothing is counted until the host passes paths to `show` or `generate`.

        Args:
            modules: Top-level `griffe.Module`s the host already loaded: scanned instead of `settings.packages`.

        Returns:
            The lookup, also kept in `fills`: `resolved` holds the drafts found, `missing` the misses.

        Raises:
            DocgapError: When the settings or the provider are invalid, or a package is not found.
        """
        with forward_logs(self.log):
            return self._lookup(None if modules is None else _scan_objects(modules, self.settings))

    def generate(self, paths: Iterable[str], *, progress: Callable[[int, int], None] | None = None) -> Fill:
        """Generate drafts for the misses among `paths` in one concurrent batch, and count `paths`.

        Call it with every object the site shows without text (after `lookup`); paths that are no
        miss (already drafted, documented, unknown) are only counted. Frozen, the misses stay
        missing (one warning). The batch's drafts are saved to the cache and merged into `fills`,
        so `find`, the summary and `problems` see them.

        Args:
            paths: Canonical paths or public aliases of the objects.
            progress: Called with (done, total) while generating.

        Returns:
            The batch alone: `resolved` (origin "generated", or "cache" when a concurrent build made
            it meanwhile), `failed`, `skipped` (budget) and `missing` (frozen) for the misses among
            `paths`, and a summary of their counts and of the requests this batch made.

        Raises:
            DocgapError: When the provider is invalid.
        """
        canonical = self.show(paths)
        with forward_logs(self.log):
            return self._generate(canonical, progress)

    def show(self, paths: Iterable[str]) -> list[str]:
        """Count these objects in the summary and `problems`: the host rendered them.

        Args:
            paths: Canonical paths or public aliases; paths that are no target are ignored when counting.

        Returns:
            The canonical paths.
        """
        canonical = [self._canonical(path) for path in paths]
        self.shown.update(canonical)
        return canonical

    def find(self, path: str) -> Resolved | None:
        """The draft resolved for an object in any fill of the session (canonical path or alias)."""
        for outcome in self.fills:
            if (found := outcome.lookup(path)) is not None:
                return found
        return None

    def write_lockfile(self, outcome: Fill) -> Path:
        """Write the lockfile with every draft `outcome` resolved (`docgap lock`).

        Returns:
            The lockfile's path.
        """
        from docgap.store import Store

        with forward_logs(self.log), Store(self.settings) as store:
            # Reviews of objects that are gone or documented by people now are history, not ledger.
            current = {t.path for t in outcome.scan.targets}
            reviews = {path: review for path, review in store.reviews.items() if path in current}
            return store.write_lockfile(outcome.resolved.values(), reviews=reviews)

    def rendered(self, resolved: Resolved, form: str, render: Callable[[], str]) -> str:
        """The text `render()` makes for a draft, or the text it made for it in an earlier build.

        The text is kept in the cache, sealed (`docgap.seal`), under the draft's content key and
        exact text, `form` and docgap's code, so a warm build neither renders nor escapes again,
        and a kept text that was tampered with is rendered again. Call `close` at the end.

        Args:
            resolved: A draft of this session.
            form: Everything else the text depends on: style, markup, the labels, the object's
                path... as the host puts it in.
            render: Makes the text.

        Returns:
            The text.
        """
        if self._renders is None:
            from docgap.store import Store

            with forward_logs(self.log):
                self._renders = Store(self.settings, lockfile=False)
        return self._renders.rendered(resolved.target, resolved.record, form, render)

    def close(self) -> None:
        """Let go of what `rendered` keeps open (the cache)."""
        if self._renders is not None:
            with forward_logs(self.log):
                self._renders.close()
            self._renders = None

    def badge(self, record: Record, review: Review | None = None) -> Badge:
        """The badge of a draft: its label under this session's settings, provider, model, tooltip.

        Args:
            record: The draft's record.
            review: The review that vouches for it (`Resolved.review`): the label then says who
                reviewed it (`label_reviewed`).
        """
        label, title = record.label(self.settings.label_ai, self.settings.label_signature), record.credit
        if review is not None:
            label += " · " + self.settings.label_reviewed.replace("{by}", review.by)
            title += f"; {review.verdict} by {review.by} on {review.date[:10]}"
        return Badge(
            label=label,
            provider=record.provider,
            model=record.model or "",
            title=title,
            is_model=record.is_ai,
            review=review.verdict if review is not None else "",
            reviewer=review.by if review is not None else "",
        )

    def review_counts(self) -> dict[ReviewState, int]:
        """How many drafts the session counts (see `shown`) are in each review state."""
        counts: dict[ReviewState, int] = dict.fromkeys(REVIEW_STATES, 0)
        for outcome in self.fills:
            for state, count in outcome.review_counts(self.shown).items():
                counts[state] += count
        return counts

    def summary(self) -> Summary | None:
        """The closing summary of the session: counts over `shown`, usage of every request; `None` before any fill."""
        summary = merged([counted(f, self.shown) for f in self.fills])
        if summary is None or self._chosen is None:
            return summary
        name, model, _ = self._chosen
        return dataclasses.replace(summary, provider=name, model=model)

    def summary_lines(self) -> list[str]:
        """The closing summary as a few lines (no prefix); empty before any fill.

        The review counts are a line of their own when a draft has a review or reviews are required.
        """
        summary = self.summary()
        if summary is None:
            return []
        lines = [line.removeprefix("docgap: ") for line in summary.lines()]
        counts = self.review_counts()
        if self.settings.require_review or any(counts[state] for state in REVIEW_STATES if state != "unreviewed"):
            lines.append("reviews: " + ", ".join(f"{counts[state]} {state}" for state in REVIEW_STATES))
        return lines

    def generated(self) -> list[str]:
        """The paths of the objects a provider drafted in this session (and counted), sorted."""
        return sorted(path for f in self.fills for path, r in f.resolved.items()
                      if r.origin == "generated" and path in self.shown)

    def problems(self) -> list[str]:
        """Under `strict`, one message per fill that left objects undocumented; empty otherwise."""
        problems = []
        for outcome in self.fills:
            try:
                outcome.check_strict(self.settings, only=self.shown)
            except StrictModeError as exc:
                problems.append(str(exc))
        return problems

    def check_strict(self) -> None:
        """Raise when `problems` has any.

        Raises:
            StrictModeError: With every problem, under `strict`.
        """
        if problems := self.problems():
            raise StrictModeError("; ".join(problems))


    def _lookup(self, scanned: ScanResult | None) -> Fill:
        model = self._choose()
        outcome = pipeline.lookup(self.settings, scan_result=scanned, model=model, check_lockfile=True)
        if self._chosen is not None and outcome.summary is not None:
            name, chosen_model, _ = self._chosen
            outcome = dataclasses.replace(outcome, summary=dataclasses.replace(
                outcome.summary, provider=name, model=chosen_model))
        self.fills.append(outcome)
        return outcome

    def _generate(self, paths: Sequence[str], progress: Callable[[int, int], None] | None) -> Fill:
        before = self.fills[:]
        wanted = set(paths)
        targets = [t for f in before for t in f.missing if t.path in wanted]
        provider = None
        if targets and not self.settings.frozen:
            from docgap.limits import Limits
            from docgap.providers import make_provider

            self._choose()
            self._limits = self._limits or Limits.from_settings(self.settings)  # one budget for the session
            provider = make_provider(self.settings, self._limits)  # a new one each batch: it closes its connections
        self.fills[:] = pipeline.generate(self.settings, before, targets, provider, progress=progress)
        return batch(before, self.fills, {t.path for t in targets})

    def _choose(self) -> bool:
        """Choose the provider once per session (logging its line); whether it is a model.

        The settings name it; it is built only when a batch has misses to draft, so a warm build
        never loads a model's module or SDK.
        """
        from docgap.providers import choose_provider, describe_choice

        if self.settings.frozen:
            return False
        if self._chosen is None:
            choice = choose_provider(self.settings)
            _CORE.info("docgap: %s", describe_choice(self.settings, choice))
            self._chosen = (choice.name, choice.model, choice.is_model)
        return self._chosen[2]

    def _canonical(self, path: str) -> str:
        for outcome in self.fills:
            if (canonical := outcome.canonical(path)) != path:
                return canonical
        return path


def _scan_objects(modules: Iterable[Any], settings: Settings) -> ScanResult:
    from docgap.scan import scan_objects

    return scan_objects(modules, settings)


__all__ = ["PATH_SETTINGS", "SETTING_NAMES", "Badge", "HostLog", "Session", "coerce", "forward_logs",
           "host_settings", "merged"]
