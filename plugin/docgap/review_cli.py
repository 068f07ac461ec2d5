"""`docgap review`: a person accepts, rejects or edits drafts, and lists where each one stands.

Verdicts go to the lockfile's review ledger (`docgap.review`), beside the drafts, so they are
committed and a fresh clone shows them; no source file is touched. The lockfile is read first and
written back with every other draft and review as it was: an accepted or edited draft is locked
with its review, a rejection adds only the review.

An edit (`--edit` in `$VISUAL`/`$EDITOR`, or `--from FILE`) is a TOML file (`docgap.draft_toml`)
checked by `docgap.validate.validate`, as a provider's answer is: schema (only the object's own
parameters and attributes), size, one-line summary, no placeholder, no control characters, no
HTML, reST or Markdown markup, examples that compile, names in code spans that exist. It is
checked as complete when a model wrote the draft it replaces and as partial (fields may be left
out) when an offline provider did: the store checks a locked draft the same way (by its record's
provider), so an edit accepted here is never refused by the next build. The check of numbers,
dates and URLs against the source is not applied: it guards against a model inventing facts,
and a maintainer may know them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docgap.errors import DocgapError
from docgap.hosting import Session, forward_logs
from docgap.review import REVIEW_STATES, Review, Verdict, reviewer_name, text_hash

if TYPE_CHECKING:
    from docgap.drafts import Draft, Record, Resolved
    from docgap.outcome import Fill
    from docgap.targets import Target
# The validator, the edit file, the lockfile reader and the subprocess helpers are imported where
# they are used: `docgap scan` and every other command register this one without loading them.

def add_review_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register `docgap review` on the command line's subcommands.

    Args:
        commands: The subparsers action of the `docgap` parser.
        common: The parser holding the options every command takes.
    """
    review = commands.add_parser("review", parents=[common],
                                 help="accept, reject or edit drafts; list where each one stands")
    review.add_argument("paths", nargs="*", metavar="OBJECT.PATH", help="canonical paths or public aliases")
    action = review.add_mutually_exclusive_group(required=True)
    action.add_argument("--accept", dest="verdict", action="store_const", const="accepted",
                        help="vouch for the drafts as they are")
    action.add_argument("--reject", dest="verdict", action="store_const", const="rejected",
                        help="hide the drafts: the objects stay undocumented until their code changes")
    action.add_argument("--edit", dest="verdict", action="store_const", const="edited",
                        help="edit the draft in $VISUAL or $EDITOR (a TOML file) and lock the edit")
    action.add_argument("--from", dest="edit_file", metavar="FILE",
                        help="lock the edited draft in FILE (TOML, as --edit writes it; - for stdin)")
    action.add_argument("--list", action="store_true", help="every draft with its review state")
    review.add_argument("--all", action="store_true", help="every draft still to review (unreviewed or stale)")
    review.add_argument("--by", metavar="NAME", help="the reviewer (default: git config user.name, else the login)")
    review.set_defaults(handler=run_review, packages=None)


def run_review(args: argparse.Namespace, session: Session) -> int:
    """Run `docgap review` (see `add_review_command`).

    Returns:
        The exit status: 0 (errors are raised).

    Raises:
        DocgapError: On bad usage, an unknown object, one without a draft, a refused edit or an
            unreadable lockfile; nothing is written then.
    """
    verdict: Verdict | None = "edited" if args.edit_file is not None else args.verdict
    _check_usage(args, verdict)
    outcome = session.fill(lookup_only=True)
    if verdict is None:
        _print_list(outcome, as_json=args.json)
        return 0
    from datetime import datetime, timezone  # noqa: PLC0415 - see the imports

    by = _reviewer(args.by)
    date = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if args.all:
        items = [r for path, r in sorted(outcome.resolved.items())
                 if outcome.review_state(path) in ("unreviewed", "stale")]
    else:
        items = [_current(outcome, session, path) for path in dict.fromkeys(args.paths)]
    edit_file: Path | None = None  # the file `--edit` had edited: removed once its edit is locked
    if verdict == "edited":
        edited, edit_file = _edited(args, items[0], outcome)
        if edited is None:
            if edit_file is not None:
                edit_file.unlink(missing_ok=True)
            print(f"docgap: {items[0].target.path}: the draft is unchanged; nothing written "
                  "(accept it as it is with --accept)", file=sys.stderr)
            if args.json:
                print(json.dumps({"lockfile": str(session.settings.lockfile_path), "reviews": []}, sort_keys=True))
            return 0
        items = [dataclasses.replace(items[0], record=dataclasses.replace(items[0].record, draft=edited))]
    reviews = {r.target.path: Review(r.target.key, verdict, by, date, text_hash(r.record.draft)) for r in items}
    locked = {} if verdict == "rejected" else {r.target.path: r for r in items}
    try:
        path = _write(session, outcome, reviews, locked) if items else session.settings.lockfile_path
    except DocgapError as exc:
        if edit_file is None:
            raise
        raise DocgapError(f"{exc}; the edit is kept: `docgap review {items[0].target.path} --from {edit_file}`"
                          ) from exc
    if edit_file is not None:
        edit_file.unlink(missing_ok=True)
    if args.json:
        print(json.dumps({"lockfile": str(path), "reviews": [
            {"path": p, "verdict": r.verdict, "by": r.by, "date": r.date} for p, r in reviews.items()]},
            sort_keys=True))
    else:
        for object_path in reviews:
            print(f"docgap: {verdict} {object_path} (by {by})")
        count = f"{len(reviews)} review" + ("s" if len(reviews) != 1 else "")
        print(f"docgap: wrote {count} to {path}" if reviews else "docgap: no draft to review")
    return 0


def _check_usage(args: argparse.Namespace, verdict: Verdict | None) -> None:
    option = ("--list" if verdict is None else "--from" if args.edit_file is not None
              else {"accepted": "--accept", "rejected": "--reject", "edited": "--edit"}[verdict])
    if verdict is None and (args.paths or args.all or args.by is not None):
        raise DocgapError("--list takes no OBJECT.PATH, --all or --by: it lists every draft "
                          "(`docgap review --list`)")
    if verdict == "edited" and (args.all or len(args.paths) != 1):
        raise DocgapError(f"{option} edits one draft: name one object (`docgap review OBJECT.PATH {option}`)")
    if verdict in ("accepted", "rejected") and args.all == bool(args.paths):
        raise DocgapError(f"{option}: name the objects (`docgap review OBJECT.PATH... {option}`) "
                          f"or pass --all, not both")


def _current(outcome: Fill, session: Session, path: str) -> Resolved:
    """The draft of the object at `path` now (a rejected object's too), or an error saying why there is none."""
    canonical = outcome.canonical(path)
    if (item := outcome.resolved.get(canonical)) is not None:
        return item
    target = next((t for t in outcome.scan.targets if t.path == canonical), None)
    if target is not None and target in outcome.rejected:
        from docgap.drafts import Resolved  # noqa: PLC0415 - see the imports
        from docgap.pipeline import record_check  # noqa: PLC0415
        from docgap.store import Store  # noqa: PLC0415

        with forward_logs(session.log), Store(session.settings, read_only=True) as store:
            hit = store.lookup(target, record_check(target, outcome.scan))
        if hit is not None:
            return Resolved(target, hit[0], hit[1])
        # No draft is made for rejected code: only forgetting the rejection brings one back.
        raise DocgapError(f"{path}: its draft was rejected and is in neither the lockfile nor the cache; delete "
                          f"its entry from the 'reviews' table of {session.settings.lockfile_path}, run "
                          "`docgap fill`, then review the new draft")
    if target is not None:
        raise DocgapError(f"{path}: no draft to review in the lockfile or cache; run `docgap fill` first")
    if any(d.path == path or path in d.aliases for d in outcome.scan.documented):
        raise DocgapError(f"{path}: documented by its authors; docgap has no draft of it to review")
    raise DocgapError(f"{path}: no such object in scope of {', '.join(session.settings.packages)}; "
                      "`docgap review --list` lists the drafts to review")


def _edited(args: argparse.Namespace, item: Resolved, outcome: Fill) -> tuple[Draft | None, Path | None]:
    """The edited draft, checked (`None` when it is the draft as it was), and the file `--edit` had edited."""
    from docgap.draft_toml import from_toml, to_toml  # noqa: PLC0415 - see the imports
    from docgap.drafts import Draft  # noqa: PLC0415
    from docgap.validate import validate  # noqa: PLC0415

    path = item.target.path
    kept: Path | None = None
    if args.edit_file is None:
        kept = _run_editor(to_toml(item.record.draft, item.target), path)
        source = str(kept)
        text = kept.read_text(encoding="utf-8")
    elif args.edit_file == "-":
        source, text = "stdin", sys.stdin.read()
    else:
        source = args.edit_file
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DocgapError(f"{source}: cannot read the edited draft ({getattr(exc, 'strerror', None) or exc}); "
                              "pass a UTF-8 TOML file as --edit writes it") from exc
    again = (f"fix {source} and run `docgap review {path} --from {source}`" if source != "stdin"
             else "fix it and pass it again")
    try:
        data = from_toml(text)
    except ValueError as exc:
        raise DocgapError(f"{source}: the edited draft of {path} is {exc}; nothing was written; {again}") from exc
    errors = validate(data, item.target, outcome.scan.known_names, partial=not item.record.is_ai)
    if errors:
        raise DocgapError(f"{source}: the edited draft of {path} is refused: {'; '.join(errors)}; "
                          f"nothing was written; {again}")
    draft = Draft.from_json(data)
    return (None if draft == item.record.draft else draft), kept


def _run_editor(text: str, path: str) -> Path:
    """Let the person edit `text` in their editor; the file edited (kept when the edit is refused)."""
    import shlex  # noqa: PLC0415 - see the imports
    import subprocess  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise DocgapError("--edit: no editor: set VISUAL or EDITOR (e.g. EDITOR=nano), or write the draft "
                          "to a file and pass it with --from FILE")
    try:
        command = shlex.split(editor)
    except ValueError as exc:
        raise DocgapError(f"--edit: cannot read the editor command {editor!r} ({exc}); fix VISUAL or EDITOR") from exc
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".toml", delete=False,
                                     prefix=f"docgap-review-{path.rsplit('.', 1)[-1]}-") as handle:
        handle.write(text)
    file = Path(handle.name)
    try:
        status = subprocess.run([*command, str(file)], check=False).returncode
    except OSError as exc:
        file.unlink(missing_ok=True)
        raise DocgapError(f"--edit: cannot run the editor {editor!r} ({exc.strerror or exc}); "
                          "set VISUAL or EDITOR to an editor command") from exc
    if status != 0:
        file.unlink(missing_ok=True)
        raise DocgapError(f"--edit: the editor {editor!r} exited with status {status}; nothing was written")
    return file


def _reviewer(given: str | None) -> str:
    """`--by`, else `git config user.name`, else the login name; on one line."""
    name = reviewer_name(given if given is not None else _git_user() or _login())
    if not name:
        raise DocgapError("cannot tell who reviews: pass --by NAME (or set `git config user.name`)")
    return name


def _git_user() -> str:
    import subprocess  # noqa: PLC0415 - see the imports

    try:
        proc = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""  # no git: the login name will do
    return proc.stdout.strip() if proc.returncode == 0 else ""


def _login() -> str:
    import getpass  # noqa: PLC0415 - see the imports

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def _write(session: Session, outcome: Fill, reviews: dict[str, Review], drafts: dict[str, Resolved]) -> Path:
    """Write the lockfile: what it held, with `drafts` locked and `reviews` recorded over it."""
    from docgap.lockfile import read_lockfile, write_lockfile  # noqa: PLC0415 - see the imports

    path = session.settings.lockfile_path
    try:
        contents = read_lockfile(path)
    except (OSError, UnicodeDecodeError, ValueError, TypeError, LookupError, RecursionError) as exc:
        raise DocgapError(f"{path}: cannot read the lockfile ({getattr(exc, 'strerror', None) or exc}); fix it "
                          "or regenerate it with `docgap lock`, then review again; nothing was written") from exc
    for problem in contents.problems:
        session.log(logging.WARNING, f"{path}: {problem}; it is left out of the lockfile written now")
    targets = {t.path: t for t in outcome.scan.targets}
    entries = {p: _kept(p, key, record, targets) for p, (key, record) in contents.objects.items()}
    entries.update(drafts)
    return write_lockfile(path, entries.values(), {**contents.reviews, **reviews})


def _kept(path: str, key: str, record: Record, targets: dict[str, Target]) -> Resolved:
    """A locked entry to write back as it was (under its own content key, current or not)."""
    from docgap.drafts import Resolved  # noqa: PLC0415 - see the imports
    from docgap.targets import Target  # noqa: PLC0415

    target = targets.get(path)
    # Only a target's path and key are written: an object out of the scan needs no more.
    kept = dataclasses.replace(target, key=key) if target is not None else Target(path=path, kind="module", key=key)
    return Resolved(kept, record, "lock")


def _print_list(outcome: Fill, *, as_json: bool) -> None:
    rows = []
    for path in sorted([*outcome.resolved, *(t.path for t in outcome.rejected)]):
        item, review = outcome.resolved.get(path), outcome.reviews.get(path)
        kind = item.target.kind if item is not None else next(t.kind for t in outcome.rejected if t.path == path)
        rows.append({"path": path, "kind": kind, "state": outcome.review_state(path),
                     "by": review.by if review else None, "date": review.date if review else None,
                     "provider": item.record.provider if item else None, "model": item.record.model if item else None})
    totals = outcome.review_counts()
    if as_json:
        print(json.dumps({"totals": totals, "objects": rows}, sort_keys=True))
        return
    width = max([len("reviewed by"), *(len(r["by"] or "") for r in rows)])
    print(f"{'state':<11} {'reviewed by':<{width}} {'date':<20} object")
    for row in rows:
        print(f"{row['state']:<11} {row['by'] or '-':<{width}} {row['date'] or '-':<20} {row['path']}")
    print(f"{len(rows)} drafts: " + ", ".join(f"{totals[state]} {state}" for state in REVIEW_STATES))
