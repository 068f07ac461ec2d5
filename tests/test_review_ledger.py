"""The review ledger in the core: lockfile format, review states, what a lookup does with reviews."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI

from docgap.drafts import Draft, Resolved
from docgap.errors import StrictModeError
from docgap.hosting import Session, host_settings
from docgap.lockfile import LOCKFILE_VERSION, read_lockfile
from docgap.review import Review, review_state, reviewer_name, text_hash
from docgap.targets import Target

PACKAGE = '''"""A tiny package."""


def area(radius: float) -> float:
    return 3.14 * radius ** 2


def perimeter(radius: float) -> float:
    return 6.28 * radius
'''


@pytest.fixture
def project(tmp_path: Path, no_model_env: None) -> Path:
    (tmp_path / "src" / "tinypkg").mkdir(parents=True)
    (tmp_path / "src" / "tinypkg" / "__init__.py").write_text(PACKAGE)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.docgap]\npackages = ["tinypkg"]\nsearch_paths = ["src"]\ncache_dir = "cache"\n')
    return tmp_path


def session(project: Path, messages: list[str] | None = None, **values: object) -> Session:
    return Session(host_settings(dict(values), project),
                   log=lambda level, text: messages.append(text) if messages is not None else None)


def review(target: Target, verdict: str, draft: Draft, by: str = "Ada") -> Review:
    return Review(key=target.key, verdict=verdict, by=by, date="2026-11-29T15:40:00Z", text=text_hash(draft))


def lock_with_reviews(project: Path, **reviews: Review) -> None:
    """Lock every current draft (as `docgap lock`) with these reviews, by object path."""
    first = session(project)
    outcome = first.fill()
    from docgap.store import Store

    with Store(first.settings) as store:
        store.write_lockfile(outcome.resolved.values(), reviews=reviews)


def area_reviewed(project: Path, verdict: str) -> Resolved:
    """Draft the package, lock it with `verdict` on `tinypkg.area`'s draft; that draft."""
    area = session(project).fill().resolved["tinypkg.area"]
    lock_with_reviews(project, **{"tinypkg.area": review(area.target, verdict, area.record.draft)})
    return area


def test_review_states_follow_the_code_and_the_exact_text() -> None:
    target = Target("pkg.f", "function", key="k1")
    draft, other = Draft(summary="Do it."), Draft(summary="Do it twice.")
    assert review_state(None, target, draft) == "unreviewed"
    assert review_state(review(target, "accepted", draft), target, draft) == "accepted"
    assert review_state(review(target, "edited", draft), target, draft) == "edited"
    assert review_state(review(target, "accepted", draft), target, other) == "stale"  # not the text reviewed
    assert review_state(review(target, "accepted", draft), dataclasses.replace(target, key="k2"), draft) == "stale"
    assert review_state(review(target, "rejected", draft), target, None) == "rejected"
    assert review_state(review(target, "rejected", draft), dataclasses.replace(target, key="k2"), None) == "stale"


def test_a_review_entry_is_checked_field_by_field() -> None:
    good = {"key": "k", "verdict": "accepted", "by": "Ada\n  Lovelace", "date": "2026-11-29T15:40:00Z", "text": "h"}
    assert Review.from_json(good).by == "Ada Lovelace"
    assert Review.from_json(good).to_json() == {**good, "by": "Ada Lovelace"}
    with pytest.raises(ValueError, match="verdict 'approved' is not one of accepted, edited, rejected"):
        Review.from_json({**good, "verdict": "approved"})
    with pytest.raises(ValueError, match="a review needs by, text"):
        Review.from_json({**good, "by": "", "text": 3})
    assert reviewer_name("x" * 500) == "x" * 200


def test_the_lockfile_keeps_reviews_beside_the_drafts_and_reads_version_1(project: Path) -> None:
    area = area_reviewed(project, "accepted")
    document = json.loads((project / "docgap.lock.json").read_text())
    assert document["version"] == LOCKFILE_VERSION == 2
    assert document["reviews"] == {"tinypkg.area": {"key": area.target.key, "verdict": "accepted", "by": "Ada",
                                                    "date": "2026-11-29T15:40:00Z",
                                                    "text": text_hash(area.record.draft)}}
    assert set(document["objects"]) == {"tinypkg.area", "tinypkg.perimeter"}

    document["version"] = 1
    del document["reviews"]
    (project / "docgap.lock.json").write_text(json.dumps(document))
    contents = read_lockfile(project / "docgap.lock.json")
    assert contents.reviews == {} and set(contents.records) == {e["key"] for e in document["objects"].values()}
    assert area.target.key in contents.records


def test_a_bad_review_entry_is_one_warning_and_the_rest_is_used(project: Path) -> None:
    area_reviewed(project, "accepted")
    document = json.loads((project / "docgap.lock.json").read_text())
    document["reviews"]["tinypkg.perimeter"] = {"verdict": "maybe"}
    (project / "docgap.lock.json").write_text(json.dumps(document))
    messages: list[str] = []
    again = session(project, messages).fill()
    assert any("ignoring the review of tinypkg.perimeter (a review needs key, by, date, text" in m for m in messages)
    assert again.review_state("tinypkg.area") == "accepted"
    assert again.review_state("tinypkg.perimeter") == "unreviewed"


def test_an_accepted_draft_is_shown_with_its_reviewer(project: Path) -> None:
    area_reviewed(project, "accepted")
    build = session(project)
    again = build.fill()
    shown = again.resolved["tinypkg.area"]
    assert shown.review is not None and shown.review.by == "Ada"
    badge = build.badge(shown.record, shown.review)
    assert (badge.label, badge.review, badge.reviewer) == ("Drafted from signature · reviewed by Ada", "accepted", "Ada")
    assert badge.title.endswith("; accepted by Ada on 2026-11-29")
    assert build.badge(again.resolved["tinypkg.perimeter"].record).review == ""
    assert again.review_counts() == {"unreviewed": 1, "accepted": 1, "edited": 0, "rejected": 0, "stale": 0}
    assert build.summary_lines()[-1] == "reviews: 1 unreviewed, 1 accepted, 0 edited, 0 rejected, 0 stale"
    custom = session(project, label_reviewed="checked ({by})")
    custom.fill()
    assert custom.badge(shown.record, shown.review).label == "Drafted from signature · checked (Ada)"


def test_a_vouched_offline_draft_is_kept_when_a_model_is_configured(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    area = area_reviewed(project, "accepted")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-ledger")
    with FakeOpenAI() as server:
        upgraded = session(project, provider="openai", model="m", base_url=server.url).fill()
        assert len(server.requests) == 1  # perimeter only: the offline draft is upgraded, the accepted one kept
    assert upgraded.resolved["tinypkg.area"].record == area.record
    assert upgraded.resolved["tinypkg.perimeter"].record.provider == "openai"


def test_a_rejected_draft_is_neither_shown_nor_generated_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    area_reviewed(project, "rejected")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-ledger")
    with FakeOpenAI() as server:
        build = session(project, provider="openai", model="m", base_url=server.url)
        again = build.fill()
        assert len(server.requests) == 1  # perimeter's: area's code was rejected
    assert "tinypkg.area" not in again.resolved and [t.path for t in again.rejected] == ["tinypkg.area"]
    assert "tinypkg.area" not in {t.path for t in again.missing}
    assert again.review_state("tinypkg.area") == "rejected"
    assert build.review_counts()["rejected"] == 1


def test_a_review_goes_stale_when_the_code_changes(project: Path) -> None:
    outcome = session(project).fill()
    area, perimeter = outcome.resolved["tinypkg.area"], outcome.resolved["tinypkg.perimeter"]
    lock_with_reviews(project, **{"tinypkg.area": review(area.target, "accepted", area.record.draft),
                                  "tinypkg.perimeter": review(perimeter.target, "rejected", perimeter.record.draft)})
    source = project / "src" / "tinypkg" / "__init__.py"
    source.write_text(PACKAGE.replace("3.14 * radius", "3.1416 * radius").replace("6.28", "6.2832"))
    again = session(project).fill()
    assert again.resolved["tinypkg.area"].review is None  # a new draft, shown unreviewed
    assert "tinypkg.perimeter" in again.resolved and not again.rejected  # rejected for the old code only
    assert (again.review_state("tinypkg.area"), again.review_state("tinypkg.perimeter")) == ("stale", "stale")


def test_require_review_makes_unreviewed_and_stale_drafts_strict_errors(project: Path) -> None:
    area_reviewed(project, "accepted")
    gate = session(project, strict=True, require_review=True)
    gate.fill()
    with pytest.raises(StrictModeError, match=r"strict: 1 objects left undocumented or unreviewed: "
                                              r"tinypkg.perimeter: draft not reviewed yet"):
        gate.check_strict()
    lax = session(project, strict=True)
    lax.fill()
    lax.check_strict()  # without require_review, reviews are not a gate


def test_docgap_lock_keeps_the_reviews_of_current_objects_only(project: Path) -> None:
    outcome = session(project).fill()
    area = outcome.resolved["tinypkg.area"]
    gone = Review(key="old", verdict="accepted", by="Bob", date="2026-01-01T00:00:00Z", text="h")
    lock_with_reviews(project, **{"tinypkg.area": review(area.target, "accepted", area.record.draft),
                                  "tinypkg.removed": gone})
    build = session(project)
    build.write_lockfile(build.fill(lookup_only=True))
    assert set(read_lockfile(project / "docgap.lock.json").reviews) == {"tinypkg.area"}


def test_required_reviews_are_counted_even_before_the_first_review(project: Path) -> None:
    quiet, gate = session(project), session(project, require_review=True)
    quiet.fill()
    gate.fill()
    assert not any(line.startswith("reviews:") for line in quiet.summary_lines())
    assert gate.summary_lines()[-1] == "reviews: 2 unreviewed, 0 accepted, 0 edited, 0 rejected, 0 stale"
