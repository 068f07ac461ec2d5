"""`docgap eval`: draft objects the authors documented, with their docstrings hidden, and compare.

A team compares models and settings on its own code: N documented functions, methods and classes
are chosen (spread over the package by a hash of their path, so the same N every run), their
docstrings are hidden from the scan (also from their source text), the configured provider drafts
them through the usual pipeline (into a throw-away cache: nothing is stored), and each draft is
compared with the human docstring:

- parameters covered: the parameters the draft describes, of those it had to;
- raises agree: the exceptions the draft lists (by last name) are those the human text lists;
- returns described: the draft says what is returned when the object returns a value or the
  human text has a Returns section;
- claims grounded: numbers, versions, dates and URLs in the draft's prose that appear in the
  prompt sent for it (source and context, see `docgap.claims`);
- tokens and cost of each draft.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import griffe

from docgap.claims import claims, prose_fields, unbacked_claims
from docgap.drafts import Draft, Usage
from docgap.errors import SettingsError
from docgap.loading import load_packages
from docgap.outcome import Fill
from docgap.pipeline import fill
from docgap.providers.base import TargetContext
from docgap.providers.prompt import build_messages
from docgap.scan import scan_objects
from docgap.settings import Settings
from docgap.siblings import ExampleIndex
from docgap.targets import ScanResult, Target

_KINDS = ("function", "method", "class")


@dataclass(frozen=True)
class Score:
    """How one draft compares with the human docstring it replaced.

    Attributes:
        path: The object.
        parameters: (described, expected) parameter counts.
        raises_agree: Whether the draft's exceptions are the human text's; `None` when the draft failed.
        returns: (described, expected): 1 or 0 each.
        claims: (grounded, total) prose claims.
        usage: What the draft cost.
        failed: Why no draft could be had, if so.
    """

    path: str
    parameters: tuple[int, int] = (0, 0)
    raises_agree: bool | None = None
    returns: tuple[int, int] = (0, 0)
    claims: tuple[int, int] = (0, 0)
    usage: Usage = field(default_factory=Usage)
    failed: str | None = None

    def line(self) -> str:
        """One line for the report."""
        if self.failed is not None:
            return f"{self.path}: failed: {self.failed}"
        raises = "agree" if self.raises_agree else "differ"
        return (f"{self.path}: parameters {self.parameters[0]}/{self.parameters[1]}, raises {raises}, "
                f"returns {self.returns[0]}/{self.returns[1]}, claims grounded {self.claims[0]}/{self.claims[1]}, "
                f"tokens {self.usage.input_tokens} in, {self.usage.output_tokens} out")


@dataclass(frozen=True)
class Evaluation:
    """The scores of one `evaluate` run.

    Attributes:
        scores: One per object, in path order.
        fill: The pipeline run that drafted them (its summary holds requests, tokens and cost).
    """

    scores: tuple[Score, ...]
    fill: Fill

    def totals(self) -> dict[str, tuple[int, int]]:
        """(achieved, possible) per measure, over the objects that got a draft."""
        done = [s for s in self.scores if s.failed is None]
        return {
            "drafted": (len(done), len(self.scores)),
            "parameters covered": (sum(s.parameters[0] for s in done), sum(s.parameters[1] for s in done)),
            "raises agree": (sum(bool(s.raises_agree) for s in done), len(done)),
            "returns described": (sum(s.returns[0] for s in done), sum(s.returns[1] for s in done)),
            "claims grounded": (sum(s.claims[0] for s in done), sum(s.claims[1] for s in done)),
        }

    def lines(self) -> list[str]:
        """The report: one line per object, then the totals and the run's cost."""
        totals = ", ".join(f"{name} {got}/{of}" for name, (got, of) in self.totals().items())
        summary = self.fill.summary
        cost = f", estimated cost {summary.cost:.4f}" if summary is not None and summary.cost is not None else ""
        spent = (f"{summary.requests} requests, {summary.input_tokens} tokens in, {summary.output_tokens} out{cost}"
                 if summary is not None else "")
        return [score.line() for score in self.scores] + [f"total: {totals}", f"provider {self._provider()}: {spent}"]

    def _provider(self) -> str:
        summary = self.fill.summary
        if summary is None:
            return "none"
        return f"{summary.provider} ({summary.model})" if summary.model else summary.provider


def evaluate(settings: Settings, count: int = 20) -> Evaluation:
    """Hide the docstrings of `count` documented objects, draft them, and score the drafts.

    Args:
        settings: The run's configuration (provider, model, packages).
        count: How many objects.

    Returns:
        The scores and the run.

    Raises:
        SettingsError: When `count` is not positive or the packages have no documented function,
            method or class.
    """
    if count < 1:
        raise SettingsError(f"eval: the number of objects must be at least 1, got {count}")
    modules, _ = load_packages(settings)
    objects = {o.path: o for o in _walk(modules)}
    first = scan_objects(modules, settings)
    chosen = sorted((d.path for d in first.documented if d.kind in _KINDS and _own_doc(objects.get(d.path))),
                    key=lambda path: hashlib.sha256(path.encode()).hexdigest())[:count]
    if not chosen:
        raise SettingsError(f"eval: {', '.join(settings.packages)} has no documented function, method or class to "
                            "compare with; name a package with docstrings")
    human = {path: _hide(objects[path]) for path in chosen}
    hidden = scan_objects(modules, settings.replace(inherit_docstrings=False))
    targets = tuple(t for t in hidden.targets if t.path in human)
    result = ScanResult(targets, hidden.documented, hidden.known_names, hidden.examples, hidden.warnings)
    with tempfile.TemporaryDirectory(prefix="docgap-eval-") as tmp:
        run = fill(settings.replace(cache_dir=Path(tmp) / "cache", lockfile=Path(tmp) / "none.lock.json", frozen=False),
                   scan_result=result)
    index = ExampleIndex(result)
    failures = {f.path: f.reason for f in run.failed}
    scores = []
    for target in sorted(targets, key=lambda t: t.path):
        resolved = run.resolved.get(target.path)
        if resolved is None:
            scores.append(Score(target.path, failed=failures.get(target.path, "not drafted (budget)")))
            continue
        context = TargetContext(examples=index.examples(target, settings.examples_in_prompt))
        evidence = build_messages(target, context, "json_schema")[1]["content"]  # the user message: source and context
        scores.append(_score(target, resolved.record.draft, human[target.path], evidence, resolved.record.usage))
    return Evaluation(tuple(scores), run)


def _score(target: Target, draft: Draft, human: str, evidence: str, usage: Usage) -> Score:
    sections = _sections(human)
    expected = [p.name for p in target.drafted_parameters]
    described = [name for name in expected if draft.parameters.get(name)]
    human_raises = {name.split(".")[-1] for name in sections.get("raises", ())}
    draft_raises = {r.exception.split(".")[-1] for r in draft.raises}
    wants_returns = target.returns_value or "returns" in sections
    prose = [text for _, text in prose_fields(draft.to_json())]
    total = sum(len(claims(text)) for text in prose)
    ungrounded = sum(len(unbacked_claims(text, evidence)) for text in prose)
    return Score(
        target.path,
        parameters=(len(described), len(expected)),
        raises_agree=draft_raises == human_raises,
        returns=(int(wants_returns and bool(draft.returns)), int(wants_returns)),
        claims=(total - ungrounded, total),
        usage=usage,
    )


def _sections(text: str) -> dict[str, tuple[str, ...]]:
    """The names a human docstring lists per section kind (`raises`, `parameters`; `returns`: present)."""
    try:
        with griffe.logger.disable():
            parsed = griffe.Docstring(text).parse("auto")
    except Exception:  # noqa: BLE001 - an unparsable docstring lists nothing
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for section in parsed:
        kind = section.kind.value
        if kind == "raises":
            found["raises"] = found.get("raises", ()) + tuple(str(item.annotation) for item in section.value)
        elif kind == "returns":
            found["returns"] = ("",)
    return found


def _walk(modules: list[griffe.Module]) -> list[griffe.Object]:
    found: list[griffe.Object] = []
    stack: list[griffe.Object] = list(modules)
    while stack:
        obj = stack.pop()
        found.append(obj)
        stack.extend(m for m in obj.members.values() if not m.is_alias)
    return found


def _own_doc(obj: griffe.Object | None) -> bool:
    return obj is not None and obj.docstring is not None and bool(obj.docstring.value.strip())


def _hide(obj: griffe.Object) -> str:
    """Remove `obj`'s docstring (and a class's `__init__`'s) from griffe and from the source lines; return it."""
    text = obj.docstring.value if obj.docstring is not None else ""
    hidden = [obj]
    init = obj.members.get("__init__") if obj.is_class else None
    if isinstance(init, griffe.Function) and init.docstring is not None:
        text += "\n\n" + init.docstring.value
        hidden.append(init)
    for item in hidden:
        docstring = item.docstring
        if docstring is None:
            continue
        if docstring.lineno and docstring.endlineno and item.filepath is not None and not isinstance(item.filepath, list):
            lines = list(item.lines_collection[item.filepath])
            for number in range(docstring.lineno, docstring.endlineno + 1):
                indent = lines[number - 1][: len(lines[number - 1]) - len(lines[number - 1].lstrip())]
                lines[number - 1] = f"{indent}..." if number == docstring.lineno else ""
            item.lines_collection[item.filepath] = lines
        item.docstring = None
    return text
