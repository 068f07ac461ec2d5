"""`docgap review` end to end on a copy of example_docs, with the offline signature provider."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DocgapRunner, clean_env, tree_hash
from docgap.draft_toml import from_toml, to_toml
from docgap.drafts import Draft, Raise
from docgap.review import text_hash
from docgap.scan import scan
from docgap.settings import load_settings
from docgap.targets import Parameter, Target

DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
CIRCLE = "example_pkg.shapes.Circle"
SCALE_ALL = "example_pkg.shapes.scale_all"
VERSION = "example_pkg.VERSION"
TOKENIZE = "example_pkg.text.tokenize"

EDITOR = '''
import pathlib, sys
path = pathlib.Path(sys.argv[1])
text = path.read_text()
pathlib.Path({seen}).write_text(text)
text = text.replace('summary = ""', 'summary = "Scale every circle by one factor."')
path.write_text(text.replace('factor = ""', 'factor = """\\nHow much larger each circle gets.\\nOne means unchanged."""'))
'''
"""An editor: keeps what it was shown in `{seen}`, writes a summary and the `factor` parameter."""


def as_json(proc: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(proc.stdout)


def lockfile(root: Path) -> dict:
    return json.loads((root / "docgap.lock.json").read_text())


def states(docgap: DocgapRunner, root: Path, *args: str) -> dict[str, dict]:
    return {o["path"]: o for o in as_json(docgap(root, "review", "--list", "--json", *args))["objects"]}


def env_with(**extra: str) -> dict[str, str]:
    """A clean environment with a known git user and no editor, plus `extra`."""
    env = {k: v for k, v in clean_env().items() if k not in ("VISUAL", "EDITOR")}
    return {**env, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", **extra}


@pytest.mark.slow
def test_accept_and_reject_lock_the_verdicts_and_keep_the_rest(docgap: DocgapRunner, example_docs: Path,
                                                               tmp_path: Path) -> None:
    before = tree_hash(example_docs / "example_pkg")
    docgap(example_docs, "fill")
    docgap(example_docs, "lock")
    locked = lockfile(example_docs)
    # An entry of code that changed since (another content key) is not in the lookup: kept as it was.
    locked["objects"][TOKENIZE]["key"] = "0" * 64
    (example_docs / "docgap.lock.json").write_text(json.dumps(locked))

    out = as_json(docgap(example_docs, "review", "example_pkg.Circle", "--accept", "--by", " Ada \n Lovelace ",
                         "--json"))
    assert [(r["path"], r["verdict"], r["by"]) for r in out["reviews"]] == [(CIRCLE, "accepted", "Ada Lovelace")]
    docgap(example_docs, "review", VERSION, "--reject", "--by", "Bob")

    lock = lockfile(example_docs)
    assert lock["objects"] == locked["objects"]  # every draft as it was, the stale entry too
    for path, verdict, by in ((CIRCLE, "accepted", "Ada Lovelace"), (VERSION, "rejected", "Bob")):
        review = lock["reviews"][path]
        assert (review["verdict"], review["by"]) == (verdict, by)
        assert DATE.fullmatch(review["date"])
        assert review["key"] == lock["objects"][path]["key"]
        assert review["text"] == text_hash(Draft.from_json(lock["objects"][path]["draft"]))
    listed = states(docgap, example_docs)
    assert (listed[CIRCLE]["state"], listed[CIRCLE]["by"]) == ("accepted", "Ada Lovelace")
    assert (listed[VERSION]["state"], listed[VERSION]["provider"]) == ("rejected", None)
    assert listed[SCALE_ALL]["state"] == "unreviewed" and listed[SCALE_ALL]["by"] is None
    # A rejected object's draft can still be accepted: the person changed their mind.
    docgap(example_docs, "review", VERSION, "--accept", "--by", "Bob")
    assert states(docgap, example_docs)[VERSION]["state"] == "accepted"
    assert tree_hash(example_docs / "example_pkg") == before


@pytest.mark.slow
def test_an_accepted_draft_is_locked_so_a_fresh_clone_shows_it(docgap: DocgapRunner, example_docs: Path,
                                                                 tmp_path: Path) -> None:
    docgap(example_docs, "fill")  # drafts in the cache only, no lockfile
    docgap(example_docs, "review", CIRCLE, "--accept", "--by", "Ada")
    docgap(example_docs, "review", VERSION, "--reject", "--by", "Ada")
    lock = lockfile(example_docs)
    assert sorted(lock["objects"]) == [CIRCLE] and sorted(lock["reviews"]) == [VERSION, CIRCLE]
    fresh = ["--cache-dir", str(tmp_path / "fresh-cache")]
    shown = as_json(docgap(example_docs, "show", CIRCLE, "--json", *fresh))
    assert shown["origin"] == "lock" and shown["state"] == "filled"
    listed = states(docgap, example_docs, *fresh)
    assert {path: row["state"] for path, row in listed.items()} == {CIRCLE: "accepted", VERSION: "rejected"}
    # No draft of rejected code is made again: the error says how to get one, not to run `docgap fill`.
    proc = docgap(example_docs, "review", VERSION, "--accept", "--by", "Ada", *fresh, check=False)
    assert proc.returncode == 2 and "delete its entry from the 'reviews' table" in proc.stderr, proc.stderr


@pytest.mark.slow
def test_edit_from_a_file_becomes_the_locked_draft(docgap: DocgapRunner, example_docs: Path, tmp_path: Path) -> None:
    before = tree_hash(example_docs / "example_pkg")
    docgap(example_docs, "fill")
    edit = tmp_path / "edit.toml"
    edit.write_text('summary = "Scale every circle by one factor."\ndescription = ""\n'
                    '[parameters]\nfactor = """\nHow much larger each circle gets.\nOne means unchanged."""\n')
    out = as_json(docgap(example_docs, "review", SCALE_ALL, "--from", str(edit), "--by", "Ada", "--json"))
    assert [(r["path"], r["verdict"]) for r in out["reviews"]] == [(SCALE_ALL, "edited")]
    lock = lockfile(example_docs)
    expected = {"summary": "Scale every circle by one factor.",
                "parameters": {"factor": "How much larger each circle gets.\nOne means unchanged."}}
    assert lock["objects"][SCALE_ALL]["draft"] == expected
    assert lock["objects"][SCALE_ALL]["provider"] == "signature"
    assert lock["reviews"][SCALE_ALL]["text"] == text_hash(Draft.from_json(expected))
    assert states(docgap, example_docs)[SCALE_ALL]["state"] == "edited"
    shown = as_json(docgap(example_docs, "show", SCALE_ALL, "--json"))
    assert "Scale every circle by one factor." in shown["docstring"] and "One means unchanged." in shown["docstring"]
    assert tree_hash(example_docs / "example_pkg") == before


def _model_draft_of_version(root: Path) -> None:
    """Lock a complete draft of VERSION as a model's, so an edit of it must stay complete."""
    lock = lockfile(root)
    entry = lock["objects"][VERSION]
    entry.update(draft={"summary": "The version of the package."}, provider="openai", model="gpt-test")
    (root / "docgap.lock.json").write_text(json.dumps(lock))


@pytest.mark.slow
@pytest.mark.parametrize(("path", "edit", "reason"), [
    (SCALE_ALL, '[parameters]\nfactor = "How much."\nbogus = "Made up."\n', "'bogus' is not a parameter"),
    (SCALE_ALL, 'summary = "Scale <script>alert(1)</script> them."\n', "raw HTML"),
    (SCALE_ALL, 'summary = "Returns `no_such_helper` output."\n', "no_such_helper"),
    (SCALE_ALL, 'summary = "unterminated\n', "not valid TOML"),
    (SCALE_ALL, 'summary = "First line.\\nSecond line."\n', "must be one line"),
    (VERSION, 'summary = ""\ndescription = "Only a description."\n', "missing 'summary'"),
])
def test_an_invalid_edit_is_refused_with_reasons(docgap: DocgapRunner, example_docs: Path, tmp_path: Path,
                                                path: str, edit: str, reason: str) -> None:
    docgap(example_docs, "fill")
    docgap(example_docs, "lock")
    _model_draft_of_version(example_docs)
    locked = (example_docs / "docgap.lock.json").read_bytes()
    file = tmp_path / "edit.toml"
    file.write_text(edit)
    proc = docgap(example_docs, "review", path, "--from", str(file), "--by", "Ada", check=False)
    assert proc.returncode == 2, proc.stderr
    assert reason in proc.stderr and str(file) in proc.stderr and path in proc.stderr
    assert proc.stderr.count("\n") == 1 and "nothing was written" in proc.stderr
    assert (example_docs / "docgap.lock.json").read_bytes() == locked


@pytest.mark.slow
def test_edit_in_the_editor(docgap: DocgapRunner, example_docs: Path, tmp_path: Path) -> None:
    docgap(example_docs, "fill")
    seen = tmp_path / "seen.toml"
    script = tmp_path / "editor.py"
    script.write_text(EDITOR.replace("{seen}", repr(str(seen))))
    editor = f"{sys.executable} {script}"
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = env_with(VISUAL=editor, EDITOR="false", TMPDIR=str(temporary))
    docgap(example_docs, "review", SCALE_ALL, "--edit", "--by", "Ada", env=env)
    template = seen.read_text()
    assert "factor = \"\"" in template and "def scale_all(" in template  # every field, and the source
    assert lockfile(example_docs)["objects"][SCALE_ALL]["draft"] == {
        "summary": "Scale every circle by one factor.",
        "parameters": {"factor": "How much larger each circle gets.\nOne means unchanged."}}
    assert states(docgap, example_docs)[SCALE_ALL]["state"] == "edited"
    assert not list(temporary.iterdir())  # the file edited is gone once its edit is locked

    locked = (example_docs / "docgap.lock.json").read_bytes()
    for env, message in ((env_with(), "set VISUAL or EDITOR"), (env_with(EDITOR="false"), "exited with status 1")):
        proc = docgap(example_docs, "review", CIRCLE, "--edit", "--by", "Ada", env=env, check=False)
        assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    bad = tmp_path / "bad.py"
    bad.write_text("import sys\nopen(sys.argv[1], 'w').write('summary = \"A <b>bold</b> circle.\"')\n")
    proc = docgap(example_docs, "review", CIRCLE, "--edit", "--by", "Ada", check=False,
                  env=env_with(EDITOR=f"{sys.executable} {bad}", TMPDIR=str(temporary)))
    assert proc.returncode == 2 and "raw HTML" in proc.stderr, proc.stderr
    kept = next(temporary.iterdir())  # the refused edit is kept for the person to fix, and named
    assert str(kept) in proc.stderr and "<b>bold</b>" in kept.read_text()
    proc = docgap(example_docs, "review", CIRCLE, "--edit", "--by", "Ada", env=env_with(EDITOR="true"))
    assert "the draft is unchanged; nothing written" in proc.stderr
    assert (example_docs / "docgap.lock.json").read_bytes() == locked


@pytest.mark.slow
def test_list_says_where_each_draft_stands_and_goes_stale(docgap: DocgapRunner, example_docs: Path,
                                                          tmp_path: Path) -> None:
    docgap(example_docs, "fill")
    edit = tmp_path / "edit.toml"
    edit.write_text('summary = "Scale every circle by one factor."\n')
    for args in ((TOKENIZE, "--accept"), (CIRCLE, "--accept"), (SCALE_ALL, "--from", str(edit)), (VERSION, "--reject")):
        docgap(example_docs, "review", *args, "--by", "Ada")
    source = example_docs / "example_pkg" / "text.py"
    source.write_text(source.read_text().replace("words = text.split()", "words = text.split(None)"))
    docgap(example_docs, "fill")  # a new draft for the changed code

    listing = as_json(docgap(example_docs, "review", "--list", "--json"))
    rows = {o["path"]: o for o in listing["objects"]}
    assert {path: rows[path]["state"] for path in (TOKENIZE, CIRCLE, SCALE_ALL, VERSION)} == {
        TOKENIZE: "stale", CIRCLE: "accepted", SCALE_ALL: "edited", VERSION: "rejected"}
    assert rows[TOKENIZE]["by"] == "Ada" and DATE.fullmatch(rows[TOKENIZE]["date"])
    assert set(rows[CIRCLE]) == {"path", "kind", "state", "by", "date", "provider", "model"}
    assert rows[CIRCLE]["kind"] == "class" and rows[CIRCLE]["provider"] == "signature"
    totals = listing["totals"]
    assert totals == {"stale": 1, "accepted": 1, "edited": 1, "rejected": 1, "unreviewed": len(rows) - 4}
    text = docgap(example_docs, "review", "--list").stdout
    assert re.search(rf"^stale +Ada +\S+Z +{re.escape(TOKENIZE)}$", text, re.MULTILINE), text
    assert f"{len(rows)} drafts: {len(rows) - 4} unreviewed, 1 accepted, 1 edited, 1 rejected, 1 stale" in text


@pytest.mark.slow
def test_all_reviews_every_draft_awaiting_review(docgap: DocgapRunner, example_docs: Path) -> None:
    docgap(example_docs, "fill")
    docgap(example_docs, "review", CIRCLE, "--accept", "--by", "Ada")
    docgap(example_docs, "review", VERSION, "--reject", "--by", "Ada")
    total = len(states(docgap, example_docs))
    out = as_json(docgap(example_docs, "review", "--all", "--accept", "--by", "Bob", "--json"))
    assert len(out["reviews"]) == total - 2 and {r["by"] for r in out["reviews"]} == {"Bob"}
    listed = states(docgap, example_docs)
    assert {o["state"] for p, o in listed.items() if p != VERSION} == {"accepted"}
    assert listed[CIRCLE]["by"] == "Ada" and listed[VERSION]["state"] == "rejected"
    assert len(lockfile(example_docs)["objects"]) == total - 1  # every accepted draft is locked
    out = as_json(docgap(example_docs, "review", "--all", "--reject", "--by", "Bob", "--json"))
    assert out["reviews"] == []


@pytest.mark.slow
def test_reviewer_defaults_to_git_then_the_login(docgap: DocgapRunner, example_docs: Path, tmp_path: Path) -> None:
    docgap(example_docs, "fill")
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Grace  Hopper\n")
    docgap(example_docs, "review", CIRCLE, "--accept", env=env_with(GIT_CONFIG_GLOBAL=str(config)))
    docgap(example_docs, "review", VERSION, "--accept", env=env_with(LOGNAME="carol", USER="carol"))
    listed = states(docgap, example_docs)
    assert (listed[CIRCLE]["by"], listed[VERSION]["by"]) == ("Grace Hopper", "carol")


@pytest.mark.slow
@pytest.mark.parametrize(("args", "message"), [
    (("example_pkg.nothing_here", "--accept"), "example_pkg.nothing_here: no such object in scope of example_pkg"),
    ((SCALE_ALL, "--accept"), f"{SCALE_ALL}: no draft to review in the lockfile or cache; run `docgap fill` first"),
    (("example_pkg.Shape", "--reject"), "example_pkg.Shape: documented by its authors"),
    (("--accept",), "name the objects"),
    ((CIRCLE, "--accept", "--all"), "name the objects"),
    ((CIRCLE, SCALE_ALL, "--edit"), "edits one draft"),
    ((CIRCLE, "--list"), "--list takes no OBJECT.PATH"),
    ((CIRCLE, "--from", "no-such-file.toml"), "no-such-file.toml: cannot read the edited draft"),
])
def test_errors_name_the_object_and_the_fix(docgap: DocgapRunner, example_docs: Path, args: tuple[str, ...],
                                            message: str) -> None:
    if "no draft" not in message:
        docgap(example_docs, "fill")
    proc = docgap(example_docs, "review", *args, "--by", "Ada", check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert message in proc.stderr
    assert not (example_docs / "docgap.lock.json").exists()


def test_the_edit_file_gives_the_draft_back_exactly() -> None:
    target = Target(path="pkg.f", kind="function", key="k", returns_value=True, raises=("ValueError",),
                    parameters=(Parameter("x"), Parameter("rest", kind="variadic positional")),
                    source="def f(x, *rest):\n    raise ValueError(x)\n", signature="f(x, *rest)")
    tricky = ['a "quoted" \\ text', 'two\nlines ending in "', 'ends with a backslash \\', '"""triple"""\n\n',
              "tab\there\r\nand ü €"]
    for text in tricky:
        draft = Draft(summary="One line.", description=text, parameters={"x": text, "rest": "More."},
                      returns=text, raises=(Raise("ValueError", text),), examples=None)
        assert Draft.from_json(from_toml(to_toml(draft, target))) == draft
    empty = from_toml(to_toml(Draft(summary=""), target))
    assert empty == {}  # every field is offered, and what is left "" is left out
    assert 'x = ""' in to_toml(Draft(summary=""), target) and "#   def f(x, *rest):" in to_toml(Draft(""), target)


@pytest.mark.slow
def test_an_edit_stays_with_its_object_when_another_has_the_same_content_key(docgap: DocgapRunner,
                                                                            tmp_path: Path) -> None:
    """Two modules defining the same function share a content key; an edit is one object's, by path."""
    (tmp_path / "twin").mkdir()
    (tmp_path / "twin" / "__init__.py").write_text('"""Twins."""\n')
    for module in ("a", "b"):
        (tmp_path / "twin" / f"{module}.py").write_text('"""Half of a pair."""\n\n\ndef double(x):\n    return 2 * x\n')
    (tmp_path / "pyproject.toml").write_text('[tool.docgap]\npackages = ["twin"]\nsearch_paths = ["."]\n')
    docgap(tmp_path, "fill")
    docgap(tmp_path, "lock")
    edit = tmp_path / "edit.toml"
    edit.write_text('summary = "Double a number, as module a does it."\n')
    docgap(tmp_path, "review", "twin.a.double", "--from", str(edit), "--by", "Ada")
    docgap(tmp_path, "review", "twin.b.double", "--accept", "--by", "Bob")  # rewrites the lockfile again
    lock = lockfile(tmp_path)
    assert lock["objects"]["twin.a.double"]["draft"]["summary"] == "Double a number, as module a does it."
    assert lock["objects"]["twin.b.double"]["draft"].get("summary") != "Double a number, as module a does it."
    listed = states(docgap, tmp_path)
    assert (listed["twin.a.double"]["state"], listed["twin.b.double"]["state"]) == ("edited", "accepted")
    assert "as module a does it" in as_json(docgap(tmp_path, "show", "twin.a.double", "--json"))["docstring"]
    assert "as module a does it" not in as_json(docgap(tmp_path, "show", "twin.b.double", "--json"))["docstring"]


@pytest.mark.slow
def test_an_edit_made_in_the_editor_is_kept_when_the_lockfile_cannot_be_written(docgap: DocgapRunner,
                                                                                example_docs: Path,
                                                                                tmp_path: Path) -> None:
    docgap(example_docs, "fill")
    (example_docs / "docgap.lock.json").write_text("{ not JSON")  # read (and refused) only once the edit is made
    script = tmp_path / "editor.py"
    script.write_text(EDITOR.replace("{seen}", repr(str(tmp_path / "seen.toml"))))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    proc = docgap(example_docs, "review", SCALE_ALL, "--edit", "--by", "Ada", check=False,
                  env=env_with(VISUAL=f"{sys.executable} {script}", TMPDIR=str(temporary)))
    assert proc.returncode == 2 and "cannot read the lockfile" in proc.stderr, proc.stderr
    kept = next(temporary.iterdir())  # the person's work is not lost with the failed write, and named
    assert f"--from {kept}" in proc.stderr and "Scale every circle by one factor." in kept.read_text()
