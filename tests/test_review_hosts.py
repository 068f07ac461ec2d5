"""The review ledger in the hosts: real `sphinx-build` and `mkdocs build` on a copy of example_docs.

Reviews are written into the lockfile directly (`write_lockfile`), as `docgap review` would.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from docgap.drafts import Resolved
from docgap.lockfile import write_lockfile
from docgap.pipeline import lookup
from docgap.review import Review, text_hash
from docgap.settings import load_settings
from sphinx_helpers import entries, sphinx_build
from test_autoapi import block as autoapi_block
from test_autoapi import build as autoapi_build
from test_autoapi import descriptions, own_text
from test_mkdocs import build, doc_blocks, env_for, marker_of, use_plugin_options
from test_sphinx import assert_same_as_fresh_build, reread

pytestmark = pytest.mark.slow

REVIEWER = 'Ada "A&B" <Lovelace>'
"""A reviewer whose name needs escaping everywhere it is shown."""
LABEL = f"Drafted from signature · reviewed by {REVIEWER}"
EDITED = "Colours a circle can be drawn in, as a person wrote it."
ACCEPTED = "example_pkg.shapes.DEFAULT_PRECISION"
EDITED_PATH = "example_pkg.shapes.Color"
HIDDEN = "example_pkg.shapes.Circle.radius"  # rejected; a member shown only when documented
HIDDEN_TEXT = "Settable property."  # its draft's summary
SHOWN_BARE = "example_pkg.text.tokenize"  # rejected; the Sphinx text page shows it by name
STALE = "example_pkg.shapes.scale_all"


def write_reviews(docs: Path, verdicts: dict[str, str], edits: dict[str, str] | None = None) -> None:
    """Lock the drafts the build stored, with `verdicts` by path (every other stored draft accepted).

    An edited draft is stored in the lockfile as the object's draft, its summary replaced by `edits[path]`.
    """
    edits = edits or {}
    settings = load_settings(docs / "pyproject.toml")
    resolved = dict(lookup(settings).resolved)
    reviews = {}
    for path, item in list(resolved.items()):
        if path in edits:
            draft = dataclasses.replace(item.record.draft, summary=edits[path])
            item = resolved[path] = Resolved(item.target, dataclasses.replace(item.record, draft=draft), "lock")
        reviews[path] = Review(key=item.target.key, verdict=verdicts.get(path, "accepted"), by=REVIEWER,  # type: ignore[arg-type]
                               date="2026-11-29T15:40:00Z", text=text_hash(item.record.draft))
    assert set(verdicts) <= set(resolved), set(verdicts) - set(resolved)
    write_lockfile(settings.lockfile_path, resolved.values(), reviews)


def change_scale_all(docs: Path) -> None:
    """Change the code of `scale_all` in the copy (a new content key: its review is stale)."""
    source = docs / "example_pkg" / "shapes.py"
    source.write_text(source.read_text().replace('clamp = options.get("clamp", False)', 'clamp = options.get("clamp", True)'))


VERDICTS = {ACCEPTED: "accepted", EDITED_PATH: "edited", HIDDEN: "rejected", SHOWN_BARE: "rejected",
            STALE: "accepted"}


def test_sphinx_shows_reviews_hides_rejected_drafts_and_counts_them(example_docs: Path, tmp_path: Path) -> None:
    out = tmp_path / "html"
    sphinx_build(example_docs, out, "-b", "html")
    api = entries(out / "api.html")
    assert api[HIDDEN].block is not None and api[ACCEPTED].block.get("data-docgap-review") is None
    write_reviews(example_docs, VERDICTS, {EDITED_PATH: EDITED})

    warm = sphinx_build(example_docs, out, "-b", "html")
    assert {"api", "text"} <= reread(warm) and "index" not in reread(warm), warm.stdout  # the ledger changed
    assert_same_as_fresh_build(example_docs, out, "-b", "html")
    api, text = entries(out / "api.html"), entries(out / "text.html")
    for path, verdict in ((ACCEPTED, "accepted"), (EDITED_PATH, "edited"), (STALE, "accepted")):
        block = api[path].block
        assert block is not None and block["data-docgap-review"] == verdict, path
        assert block.find(class_="docgap-badge").get_text() == LABEL
        assert f"{verdict} by {REVIEWER} on 2026-11-29" in block.find(class_="docgap-badge")["title"]
    assert EDITED in api[EDITED_PATH].block.get_text()
    raw = (out / "api.html").read_text()
    assert "<Lovelace>" not in raw and "&lt;Lovelace&gt;" in raw
    # Rejected: as without docgap. A member shown only when documented is hidden; one shown by name has no text.
    assert HIDDEN not in api and HIDDEN_TEXT not in raw
    assert text[SHOWN_BARE].block is None and text[SHOWN_BARE].text == ""
    counts = BeautifulSoup((out / "coverage.html").read_text(), "html.parser").get_text(" ")
    assert re.search(r"Reviewed: \d+ accepted, 1 edited, 1 rejected, 0 stale, 0 unreviewed\.", counts), counts
    again = sphinx_build(example_docs, out, "-b", "html")
    assert reread(again) == set(), again.stdout  # a rejected object is no miss to come back for
    assert "0 generated" in warm.stdout

    change_scale_all(example_docs)
    stale = sphinx_build(example_docs, out, "-b", "html")
    api = entries(out / "api.html")
    assert api[STALE].block is not None and api[STALE].block.get("data-docgap-review") is None
    assert api[STALE].block.find(class_="docgap-badge").get_text() == "Drafted from signature"
    assert api[ACCEPTED].block["data-docgap-review"] == "accepted"
    counts = BeautifulSoup((out / "coverage.html").read_text(), "html.parser").get_text(" ")
    assert re.search(r"Reviewed: \d+ accepted, 1 edited, 1 rejected, 1 stale, 0 unreviewed\.", counts), counts
    assert "1 stale" in stale.stdout

    conf = example_docs / "sphinx" / "conf.py"
    conf.write_text(conf.read_text() + "docgap_strict = True\ndocgap_require_review = True\n")
    failed = sphinx_build(example_docs, out, "-b", "html", check=False)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "strict: 1 objects left undocumented or unreviewed" in output, output[-3000:]
    assert f"{STALE}: the code or draft changed since its review" in output


def test_mkdocs_shows_reviews_hides_rejected_drafts_and_counts_them(example_docs: Path) -> None:
    html_of = lambda page: (example_docs / "mkdocs" / "site" / page / "index.html").read_text()  # noqa: E731
    build(example_docs, env_for())
    assert marker_of(doc_blocks(html_of("api"))[HIDDEN]) is not None
    write_reviews(example_docs, VERDICTS, {EDITED_PATH: EDITED})

    proc = build(example_docs, env_for())  # the drafts' rendered text is kept: the badge must not be
    api = html_of("api")
    blocks = doc_blocks(api)
    for path, verdict in ((ACCEPTED, "accepted"), (EDITED_PATH, "edited"), (STALE, "accepted")):
        marker = marker_of(blocks[path])
        assert marker is not None and marker["data-docgap-review"] == verdict, path
        assert marker.get_text() == LABEL and f"{verdict} by {REVIEWER} on 2026-11-29" in marker["title"]
    assert EDITED in blocks[EDITED_PATH].get_text()
    assert "<Lovelace>" not in api
    assert HIDDEN not in blocks and HIDDEN_TEXT not in api
    bare = doc_blocks(html_of("text"))[SHOWN_BARE]  # listed by name: shown, without text
    assert marker_of(bare) is None and bare.get_text(strip=True) == ""
    assert re.search(r"reviews: 0 unreviewed, \d+ accepted, 1 edited, 2 rejected, 0 stale", proc.stderr), proc.stderr
    assert " 0 generated," in proc.stderr, proc.stderr  # the rejected are not drafted again

    change_scale_all(example_docs)
    proc = build(example_docs, env_for())
    marker = marker_of(doc_blocks(html_of("api"))[STALE])
    assert marker is not None and "data-docgap-review" not in marker.attrs
    assert marker.get_text() == "Drafted from signature"
    assert re.search(r"reviews: 0 unreviewed, \d+ accepted, 1 edited, 2 rejected, 1 stale", proc.stderr), proc.stderr

    use_plugin_options(example_docs, strict="true", require_review="true")
    failed = build(example_docs, env_for(), check=False)
    assert failed.returncode != 0
    assert "strict: 1 objects left undocumented or unreviewed" in failed.stderr, failed.stderr[-3000:]
    assert f"{STALE}: the code or draft changed since its review" in failed.stderr


def test_sphinx_a_changed_review_rereads_only_the_pages_showing_the_object(example_docs: Path,
                                                                               tmp_path: Path) -> None:
    out = tmp_path / "html"
    sphinx_build(example_docs, out, "-b", "html")
    write_reviews(example_docs, {}, {})  # every stored draft accepted, the lockfile written
    first = sphinx_build(example_docs, out, "-b", "html")
    assert "text" in reread(first)
    settings = load_settings(example_docs / "pyproject.toml")
    resolved = lookup(settings).resolved
    reviews = {path: Review(key=item.target.key, verdict="accepted", by=REVIEWER, date="2026-11-29T15:40:00Z",
                            text=text_hash(item.record.draft))
               for path, item in resolved.items() if path != SHOWN_BARE}
    write_lockfile(settings.lockfile_path, resolved.values(), reviews)  # one review withdrawn
    again = sphinx_build(example_docs, out, "-b", "html")
    assert reread(again) == {"api", "text"}, again.stdout  # the pages showing it (api: `example_pkg.tokenize`)
    assert entries(out / "text.html")[SHOWN_BARE].block.get("data-docgap-review") is None
    assert entries(out / "text.html")["example_pkg.text.iter_lines"].block["data-docgap-review"] == "accepted"


BUILD_COUNTING_RERENDERS = """
import json
from mkdocs.commands.build import build
from mkdocs.config import load_config
from docgap.mkdocs import site
again = []
real = site.rerender
site.rerender = lambda page, *args: (again.append(page.file.src_uri), real(page, *args))
build(load_config("mkdocs.yml"))
print(json.dumps(sorted(again)))
"""
"""An in-process `mkdocs build` (in a process of its own) that prints the pages converted a second time."""


def test_mkdocs_a_rejected_object_holds_no_placeholder(example_docs: Path) -> None:
    """Nothing is drafted for it, so no page showing it is converted again to take a draft."""
    build(example_docs, env_for())
    write_reviews(example_docs, VERDICTS, {EDITED_PATH: EDITED})
    done = subprocess.run([sys.executable, "-c", BUILD_COUNTING_RERENDERS], cwd=example_docs / "mkdocs",
                          capture_output=True, text=True, check=True, env=env_for())
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_sphinx_autoapi_shows_reviews_and_hides_rejected_drafts(example_docs: Path, tmp_path: Path) -> None:
    out = tmp_path / "html"
    autoapi_build(example_docs, out)
    write_reviews(example_docs, VERDICTS, {EDITED_PATH: EDITED})
    autoapi_build(example_docs, out)  # autoapi keeps no page with an old badge
    found = descriptions(out)
    for path, verdict in ((ACCEPTED, "accepted"), (EDITED_PATH, "edited")):
        marked = autoapi_block(found[path])
        assert marked is not None and marked["data-docgap-review"] == verdict, path
        assert marked.find(class_="docgap-badge").get_text() == LABEL
    assert EDITED in own_text(found[EDITED_PATH])
    assert HIDDEN not in found or (autoapi_block(found[HIDDEN]) is None and HIDDEN_TEXT not in own_text(found[HIDDEN]))
