"""A poisoned or broken cache and lockfile, unwritable lockfiles and concurrent builds, through real hosts."""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

import diskcache
import pytest

from conftest import NOT_RENDERED
from fake_openai import FakeOpenAI, Recorded, Reply
from reliability_helpers import BIN, model_env
from sphinx_helpers import clean_env, sphinx_build
from test_store_hardening import DEEP, NOT_DOCGAPS, Evil

pytestmark = pytest.mark.slow

DOCGAP = str(BIN / "docgap")


def docgap(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DOCGAP, *args], cwd=cwd, env=env or clean_env(), capture_output=True, text=True,
                          timeout=600)


def mkdocs_build(docs: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "mkdocs"), "build"], cwd=docs / "mkdocs", capture_output=True, text=True,
                          env=clean_env(NO_MKDOCS_2_WARNING="1"), timeout=600)


def filled_cache(docs: Path) -> diskcache.Cache:
    """Fill example_docs offline, then open its cache as anyone could (diskcache's pickling disk)."""
    assert docgap(docs, "fill").returncode == 0
    return diskcache.Cache(str(docs / ".docgap" / "cache"))


def test_a_planted_pickle_runs_nothing_in_fill_scan_or_sphinx(example_docs: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with filled_cache(example_docs) as cache:
        cache.set(next(iter(cache.iterkeys())), Evil(marker))  # a pickled value under a real content key
        cache.set(Evil(marker), "x")  # a pickled key
    with diskcache.Cache(str(example_docs / ".docgap" / "cache" / "scans")) as scans:
        keys = list(scans.iterkeys())
        for key in keys:
            scans.set(key, Evil(marker))  # the whole-scan cache, read before anything else
    assert keys

    frozen = docgap(example_docs, "fill", "--frozen", "--json")
    assert frozen.returncode == 0 and len(json.loads(frozen.stdout)["missing"]) == 1
    assert frozen.stderr.count(NOT_DOCGAPS) == 1, frozen.stderr
    scanned = docgap(example_docs, "scan", "--json")
    assert scanned.returncode == 0 and scanned.stderr.count(NOT_DOCGAPS) == 1, scanned.stderr
    built = sphinx_build(example_docs, tmp_path / "html")
    assert built.stderr.count(NOT_DOCGAPS) == 1, built.stderr
    assert not marker.exists()
    again = json.loads(docgap(example_docs, "fill", "--frozen", "--json").stdout)
    assert again["missing"] == [] and again["from_cache"] > 30  # the build regenerated and saved the draft


def test_deeply_nested_json_is_one_warning_in_every_host(example_docs: Path, tmp_path: Path) -> None:
    cache = filled_cache(example_docs)
    key = next(iter(cache.iterkeys()))
    lockfile = example_docs / "docgap.lock.json"
    lockfile.write_text(DEEP)

    def expect_warnings(proc: subprocess.CompletedProcess[str]) -> None:
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert proc.stderr.count("nested too deeply") == 1 and str(lockfile) in proc.stderr, proc.stderr
        assert proc.stderr.count(NOT_DOCGAPS) == 1, proc.stderr
        cache.set(key, DEEP)  # the run regenerated the draft: plant the value again for the next host

    cache.set(key, DEEP)
    filled = docgap(example_docs, "fill", "--json")
    expect_warnings(filled)
    assert json.loads(filled.stdout)["generated"] == 1
    expect_warnings(sphinx_build(example_docs, tmp_path / "html", check=False))
    built = mkdocs_build(example_docs)
    expect_warnings(built)
    assert 'class="docgap-generated"' in (example_docs / "mkdocs" / "site" / "api" / "index.html").read_text()
    cache.close()


@pytest.mark.parametrize("where", ["directory", "proc"])
def test_docgap_lock_to_an_unwritable_path_is_one_line_and_exit_2(example_docs: Path, tmp_path: Path,
                                                                  where: str) -> None:
    path = tmp_path / "lockdir" if where == "directory" else Path("/proc/docgap.lock.json")
    if where == "directory":
        path.mkdir()
    assert docgap(example_docs, "fill").returncode == 0
    locked = docgap(example_docs, "lock", "--lockfile", str(path))
    assert locked.returncode == 2
    assert locked.stderr.count("\n") == 1 and str(path) in locked.stderr and "lockfile" in locked.stderr, locked.stderr
    assert "Traceback" not in locked.stderr
    assert [p for p in (path if path.is_dir() else tmp_path).iterdir() if p.suffix == ".tmp"] == []


def test_fill_warns_once_when_the_lockfile_path_is_a_directory(example_docs: Path) -> None:
    (example_docs / "docgap.lock.json").mkdir()
    filled = docgap(example_docs, "fill", "--json")
    assert filled.returncode == 0 and json.loads(filled.stdout)["generated"] > 30
    assert filled.stderr.count("is a directory") == 1 and "docgap.lock.json" in filled.stderr, filled.stderr


def test_two_concurrent_builds_pay_once_per_draft_and_show_the_same_text(example_docs: Path,
                                                                        tmp_path: Path) -> None:
    """A model that never answers the same way twice: each draft is made once, by whichever build claims it."""
    with (example_docs / "pyproject.toml").open("a") as config:
        config.write('model = "fake-model"\n')
    objects = json.loads(docgap(example_docs, "scan", "--json").stdout)["objects"]
    targets = sum(o["state"] == "missing" and o["path"] not in NOT_RENDERED for o in objects)  # what the site shows
    counter = itertools.count()

    def varying(recorded: Recorded) -> Reply:
        number = "".join(chr(ord("a") + int(digit)) for digit in str(next(counter)))  # no digits: claims are checked
        return Reply(mutate=lambda answer: {**answer, "summary": f"Answer {number} of the model."})

    with FakeOpenAI(latency=0.05) as server:
        server.default = varying
        env = model_env(server.url)
        builds = [subprocess.Popen([str(BIN / "sphinx-build"), "--no-color", "-q", str(example_docs / "sphinx"),
                                    str(tmp_path / f"out{i}")], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True) for i in range(2)]
        for build in builds:
            _, err = build.communicate(timeout=600)
            assert build.returncode == 0, err
        requests = len(server.requests)
    first, second = ("".join((tmp_path / f"out{i}" / page).read_text() for page in ("api.html", "text.html"))
                     for i in range(2))
    print(f"\nreliability/concurrent: two sphinx-builds on one fresh cache, {targets} drafts: {requests} requests")
    assert requests == targets
    assert first == second and first.count('class="docgap-generated"') >= targets
