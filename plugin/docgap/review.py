"""The review ledger: what a person decided about a draft, kept in the lockfile beside the drafts.

A review ties a verdict (`accepted`, `edited`, `rejected`) to an object's content key and to a
hash of the exact draft the person read. Change the code (a new content key) or the draft (a new
text hash) and the review no longer applies: it is `stale`, and the draft shown is unreviewed.
An edited draft is stored in the lockfile as the object's draft, so the hash is of the edit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal, get_args

from docgap.drafts import Draft
from docgap.targets import Target

Verdict = Literal["accepted", "edited", "rejected"]
"""What a person decided about a draft."""

ReviewState = Literal["unreviewed", "accepted", "edited", "rejected", "stale"]
"""Where a draft stands: no review, a review that applies (its verdict), or one that no longer does."""

VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
REVIEW_STATES: tuple[ReviewState, ...] = get_args(ReviewState)

_MAX_NAME = 200
"""Characters of a reviewer's name kept: a name, not a document."""


@dataclass(frozen=True)
class Review:
    """One person's verdict on one draft of one object.

    Attributes:
        key: The object's content key when it was reviewed.
        verdict: `accepted`, `edited` (accepted after changes) or `rejected`.
        by: Who reviewed it.
        date: When, as ISO 8601 UTC (`2026-11-29T15:40:00Z`).
        text: `text_hash` of the draft reviewed (for `edited`, of the edited draft).
    """

    key: str
    verdict: Verdict
    by: str
    date: str
    text: str

    def to_json(self) -> dict[str, str]:
        """Return the review as a lockfile entry."""
        return {"key": self.key, "verdict": self.verdict, "by": self.by, "date": self.date, "text": self.text}

    @classmethod
    def from_json(cls, data: Any) -> Review:
        """Read a lockfile entry (people edit and merge lockfiles: every field is checked).

        Raises:
            ValueError: Naming what is wrong with the entry.
        """
        if not isinstance(data, dict):
            raise ValueError("a review must be an object")
        values = {name: data.get(name) for name in ("key", "verdict", "by", "date", "text")}
        if missing := [name for name, value in values.items() if not isinstance(value, str) or not value]:
            raise ValueError(f"a review needs {', '.join(missing)} (non-empty strings)")
        if values["verdict"] not in VERDICTS:
            raise ValueError(f"verdict {values['verdict']!r} is not one of {', '.join(VERDICTS)}")
        return cls(key=values["key"], verdict=values["verdict"], by=reviewer_name(values["by"]),
                   date=values["date"], text=values["text"])


def text_hash(draft: Draft) -> str:
    """A hash of a draft's exact content: what a review vouches for."""
    canonical = json.dumps(draft.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def reviewer_name(name: str) -> str:
    """A reviewer's name on one line, within a sane length (it is shown on every badge)."""
    return " ".join(name.split())[:_MAX_NAME]


def review_state(review: Review | None, target: Target, draft: Draft | None) -> ReviewState:
    """Where the draft shown for `target` stands.

    Args:
        review: The object's review in the ledger, if any.
        target: The object as scanned now.
        draft: The draft found for it now (`None` when there is none).

    Returns:
        `unreviewed` without a review; `stale` when the code changed since (another content key)
        or, for an accepted or edited draft, the draft is not the text reviewed; else the verdict.
    """
    if review is None:
        return "unreviewed"
    if review.key != target.key:
        return "stale"
    if review.verdict == "rejected":
        return "rejected"
    return review.verdict if draft is not None and text_hash(draft) == review.text else "stale"


__all__ = ["REVIEW_STATES", "VERDICTS", "Review", "ReviewState", "Verdict", "review_state", "reviewer_name",
           "text_hash"]
