"""A no-op Sphinx rebuild looks no draft up; whatever a draft depends on, changed, brings the lookup back."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docgap.hosting import Session
from docgap.lockfile import write_lockfile
from docgap.pipeline import lookup
from docgap.review import Review, text_hash
from docgap.settings import load_settings
from docgap.sphinx import unchanged
from docgap.store import DRAFTS_FILE, Store
from docgap.textdisk import open_cache
from sphinx_helpers import sphinx_build
from test_sphinx import reread

SKIPPED = "docgap: nothing changed since the last build"
LOOKED_UP = "docgap: scanning"

MODULES = {
    "__init__.py": '"""A package."""\n',
    "a.py": '"""Shapes."""\n\nLIMIT = 10\n\n\ndef area(radius: float) -> float:\n    return 3 * radius\n',
    # Not on any page, so Sphinx never reads a document because it changed; yet `LIMIT`'s draft
    # depends on it (the parameters it is the default of).
    "b.py": '"""Clipping."""\n\nfrom pk.a import LIMIT\n\n\ndef clip(x: int, limit: int = LIMIT) -> int:\n'
            '    """Clip a value."""\n    return min(x, limit)\n',
}


def write_site(root: Path) -> Path:
    """Package `pk` and a site showing module `pk.a` only; returns the site's parent.

    The cache and lockfile are in `state/`, not in the search path: a file added or removed
    there changes the search path's folder, which the packages' fingerprint covers.
    """
    (root / "pk").mkdir(parents=True)
    for name, text in MODULES.items():
        (root / "pk" / name).write_text(text)
    (root / "sphinx").mkdir()
    (root / "sphinx" / "conf.py").write_text("\n".join((
        "import sys", f"sys.path.insert(0, {str(root)!r})", "project = 'pk'",
        "extensions = ['sphinx.ext.autodoc', 'docgap.sphinx']", "docgap_packages = ['pk']",
        f"docgap_search_paths = [{str(root)!r}]", f"docgap_cache_dir = {str(root / 'state' / 'cache')!r}",
        f"docgap_lockfile = {str(root / 'state' / 'docgap.lock.json')!r}", "docgap_provider = 'signature'", "")))
    (root / "sphinx" / "index.rst").write_text("pk\n==\n\n.. toctree::\n\n   a\n")
    (root / "sphinx" / "a.rst").write_text("A\n=\n\n.. automodule:: pk.a\n   :members:\n")
    return root


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [(), ("-j", "2")], ids=["serial", "parallel"])
def test_a_noop_rebuild_looks_nothing_up_and_a_source_no_page_reads_still_counts(tmp_path: Path,
                                                                                 jobs: tuple[str, ...]) -> None:
    root = write_site(tmp_path)
    out = tmp_path / "html"
    first = sphinx_build(root, out, "-b", "html", *jobs)
    assert LOOKED_UP in first.stdout and SKIPPED not in first.stdout
    noop = sphinx_build(root, out, "-b", "html", *jobs)
    assert "0 added, 0 changed, 0 removed" in noop.stdout and reread(noop) == set()
    assert SKIPPED in noop.stdout and LOOKED_UP not in noop.stdout and "docgap: provider" not in noop.stdout
    page = (out / "a.html").read_text()
    b = tmp_path / "pk" / "b.py"
    b.write_text(b.read_text().replace("limit", "cap"))  # LIMIT is now the default of `cap`
    edited = sphinx_build(root, out, "-b", "html", *jobs)
    assert LOOKED_UP in edited.stdout and reread(edited) == {"a"}, edited.stdout
    assert "1 generated" in edited.stdout and (out / "a.html").read_text() != page
    assert SKIPPED in sphinx_build(root, out, "-b", "html", *jobs).stdout


@pytest.mark.slow
def test_a_cleared_cache_an_edited_lockfile_and_a_read_document_bring_the_lookup_back(tmp_path: Path) -> None:
    root = write_site(tmp_path)
    out = tmp_path / "html"
    sphinx_build(root, out, "-b", "html")
    shutil.rmtree(root / "state" / "cache")
    cleared = sphinx_build(root, out, "-b", "html")
    assert LOOKED_UP in cleared.stdout and "2 generated" in cleared.stdout, cleared.stdout
    assert SKIPPED in sphinx_build(root, out, "-b", "html").stdout

    docgap = Path(sys.executable).parent / "docgap"
    lockfile = root / "state" / "docgap.lock.json"
    subprocess.run([str(docgap), "lock", "pk", "--search-path", str(root), "--cache-dir", str(root / "state" / "cache"),
                    "--lockfile", str(lockfile), "--provider", "signature"], check=True, capture_output=True)
    locked = sphinx_build(root, out, "-b", "html")
    assert LOOKED_UP in locked.stdout and reread(locked) == set()  # the same drafts, now from the lockfile
    assert SKIPPED in sphinx_build(root, out, "-b", "html").stdout
    data = json.loads(lockfile.read_text())
    data["objects"]["pk.a.area"]["draft"]["summary"] = "Tell how much room a circle takes."
    lockfile.write_text(json.dumps(data))
    edited = sphinx_build(root, out, "-b", "html")
    assert LOOKED_UP in edited.stdout and reread(edited) == {"a"}, edited.stdout
    assert "Tell how much room a circle takes." in (out / "a.html").read_text()

    (root / "sphinx" / "index.rst").write_text("pk\n==\n\nThe package.\n\n.. toctree::\n\n   a\n")
    (root / "sphinx" / "a.rst").write_text("A\n=\n\nShapes.\n\n.. automodule:: pk.a\n   :members:\n")
    touched = sphinx_build(root, out, "-b", "html", "-j", "2")
    # Documents are read after all: the drafts are looked up once, before the workers read them.
    assert reread(touched) == {"index", "a"} and touched.stdout.count(LOOKED_UP) == 1, touched.stdout
    assert (out / "a.html").read_text().count('class="docgap-generated"') == 2


def test_the_drafts_token_is_kept_beside_the_cache_too(tmp_path: Path) -> None:
    """What tells a no-op build that the cache's drafts changed, without opening the cache."""
    root = write_site(tmp_path)
    cache = root / "state" / "cache"
    settings = load_settings(None, {"packages": ["pk"], "search_paths": [str(root)], "cache_dir": str(cache),
                                    "lockfile": str(root / "state" / "docgap.lock.json"), "provider": "signature"})
    Session(settings, log=lambda level, text: None).fill()

    def token() -> str:
        with open_cache(cache) as opened:
            return opened.get("docgap:drafts")

    saved = token()
    assert (cache / DRAFTS_FILE).read_text() == saved and DRAFTS_FILE == unchanged.DRAFTS_FILE
    assert unchanged.cache_stamp(settings) is not None
    with Store(settings):
        pass  # reading changes no draft, and no token
    assert (cache / DRAFTS_FILE).read_text() == token() == saved
    (cache / DRAFTS_FILE).unlink()  # a cache from before the file: no stamp can tell it from a cleared one
    assert unchanged.cache_stamp(settings) is None
    with Store(settings):
        pass
    assert (cache / DRAFTS_FILE).read_text() == token() != saved


@pytest.mark.slow
def test_a_rejected_object_on_a_page_does_not_keep_every_build_looking_drafts_up(tmp_path: Path) -> None:
    """A rejected object stays without a draft on purpose: nothing is retried, so the stamp holds."""
    root = write_site(tmp_path)
    out = tmp_path / "html"
    sphinx_build(root, out, "-b", "html")
    settings = load_settings(None, {"packages": ["pk"], "search_paths": [str(root)],
                                    "cache_dir": str(root / "state" / "cache"),
                                    "lockfile": str(root / "state" / "docgap.lock.json"), "provider": "signature"})
    outcome = lookup(settings)
    area = outcome.resolved["pk.a.area"]
    write_lockfile(settings.lockfile_path, outcome.resolved.values(), {"pk.a.area": Review(
        area.target.key, "rejected", "Ada", "2026-11-29T15:40:00Z", text_hash(area.record.draft))})
    rejected = sphinx_build(root, out, "-b", "html")
    assert LOOKED_UP in rejected.stdout and reread(rejected) == {"a"}, rejected.stdout
    assert "area" not in (out / "a.html").read_text()
    assert SKIPPED in sphinx_build(root, out, "-b", "html").stdout
