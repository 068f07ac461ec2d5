"""Faults from the model service, killed processes, shared and broken caches.

Run with `-s` to see the figures each scenario prints (the README's reliability table).
"""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import tree_hash
from fake_openai import Chaos, FakeOpenAI, Reply
from reliability_helpers import BIN, KEY, files_containing, model_env, synthetic_project

pytestmark = pytest.mark.slow  # end-to-end: real builds and subprocesses

DOCGAP = str(BIN / "docgap")
MODEL = ["--provider", "openai", "--model", "fake-model"]


def docgap(cwd: Path, env: dict[str, str], *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DOCGAP, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, **kw)


def test_a_third_of_requests_failing_never_breaks_the_run(tmp_path: Path) -> None:
    project = synthetic_project(tmp_path, 300, timeout=0.5, max_retries=1, max_attempts=2, concurrency=16)
    before = tree_hash(project / "synth")
    with FakeOpenAI() as server:
        chaos = server.default = Chaos(rate=1 / 3, seed=11)
        env = model_env(server.url)
        first = docgap(project, env, "fill", *MODEL, "--json")
        assert first.returncode == 0, first.stderr
        report = json.loads(first.stdout)
        targets = json.loads(docgap(project, env, "scan", "--json").stdout)["totals"]
        assert report["generated"] + len(report["failed"]) == targets["missing"] + targets["filled"] == 300
        assert targets["filled"] == report["generated"]  # only valid drafts were cached
        assert all(f["reason"] for f in report["failed"])
        sent_first = len(server.requests)
        print(f"\nreliability/faults: {sent_first} requests, {chaos.total} faults injected "
              f"({', '.join(f'{k} {v}' for k, v in chaos.injected.items())}), "
              f"{report['generated']} filled, {len(report['failed'])} failed on the first run")

        server.default = Reply()
        sent_before = len(server.requests)
        second = json.loads(docgap(project, env, "fill", *MODEL, "--json").stdout)
        retried = len(server.requests) - sent_before
        print(f"reliability/faults: next run retried {retried} objects (the failed ones), filled {second['generated']}")
    assert second["failed"] == [] and second["generated"] + second["from_cache"] == 300
    assert second["generated"] == retried == len(report["failed"])
    assert json.loads(docgap(project, env, "scan", "--json").stdout)["totals"]["missing"] == 0
    assert files_containing(project, KEY) == []
    assert tree_hash(project / "synth") == before


def test_failures_are_an_error_only_under_strict(tmp_path: Path) -> None:
    project = synthetic_project(tmp_path, 20, max_retries=0, max_attempts=1)
    with FakeOpenAI() as server:
        server.default = Reply(status=500, error="down")
        env = model_env(server.url)
        lenient = docgap(project, env, "fill", *MODEL)
        strict = docgap(project, env, "fill", *MODEL, "--strict")
    assert lenient.returncode == 0 and "left undocumented" in lenient.stderr
    assert strict.returncode == 1 and "strict" in strict.stderr and KEY not in strict.stderr


def test_kill_9_during_fill_keeps_finished_work(tmp_path: Path) -> None:
    project = synthetic_project(tmp_path, 100, concurrency=4)
    before = tree_hash(project / "synth")
    with FakeOpenAI(latency=0.3) as server:
        env = model_env(server.url)
        process = subprocess.Popen([DOCGAP, "fill", *MODEL], cwd=project, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(server.requests) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        server.latency = 0.0
        kept = json.loads(docgap(project, env, "scan", "--json").stdout)["totals"]["filled"]
        assert 0 < kept < 100
        rerun = docgap(project, env, "fill", *MODEL, "--json")
        assert rerun.returncode == 0 and "cache" not in rerun.stderr  # the cache opened without a warning
        report = json.loads(rerun.stdout)
        print(f"\nreliability/kill: kill -9 after {kept} drafts; rerun generated {report['generated']}, "
              f"reused {report['from_cache']}")
    assert report["from_cache"] == kept and report["generated"] == 100 - kept and report["failed"] == []
    assert tree_hash(project / "synth") == before


def test_kill_9_of_sphinx_build_during_generation(tmp_path: Path) -> None:
    project = synthetic_project(tmp_path, 100, concurrency=4, provider="openai", model="fake-model")
    site = project / "site"
    site.mkdir()
    (site / "conf.py").write_text(f"import sys\nsys.path.insert(0, {str(project)!r})\n"
                                  "extensions = ['sphinx.ext.autodoc', 'docgap.sphinx']\n"
                                  f"docgap_config = {str(project / 'pyproject.toml')!r}\n")
    (site / "index.rst").write_text("synth\n=====\n\n.. automodule:: synth.mod_0\n   :members:\n")
    before = tree_hash(project / "synth")
    build = [str(BIN / "sphinx-build"), "-b", "html", "-q", str(site), str(project / "out")]
    with FakeOpenAI(latency=0.3) as server:
        env = model_env(server.url)
        process = subprocess.Popen(build, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(server.requests) < 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed_at = len(server.requests)
        server.latency = 0.0
        rerun = subprocess.run(build, env=env, capture_output=True, text=True, timeout=600)
        assert rerun.returncode == 0, rerun.stderr
        regenerated = len(server.requests) - killed_at
    html = (project / "out" / "index.html").read_text()
    assert html.count('class="docgap-generated"') == 100 and 'data-docgap-model="fake-model"' in html
    assert regenerated < 100  # work done before the kill was kept
    print(f"\nreliability/kill: sphinx-build killed after {killed_at} requests; rerun sent {regenerated}")
    assert tree_hash(project / "synth") == before


def test_two_parallel_sphinx_builds_sharing_one_cache(example_docs: Path, tmp_path: Path) -> None:
    env = model_env("http://127.0.0.1:9/v1")
    env.pop("OPENAI_API_KEY")
    env.pop("OPENAI_BASE_URL")
    builds = [subprocess.Popen([str(BIN / "sphinx-build"), "-b", "html", "-j", "2", "-q",
                                str(example_docs / "sphinx"), str(tmp_path / f"out{i}")],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    for build in builds:
        _, err = build.communicate(timeout=600)
        assert build.returncode == 0, err
    first, second = ((tmp_path / f"out{i}" / "api.html").read_text() for i in range(2))
    assert first == second and first.count('class="docgap-generated"') > 30


def test_full_disk_and_unwritable_cache_warn_once(tmp_path: Path) -> None:
    project = synthetic_project(tmp_path, 50)
    env = model_env("http://127.0.0.1:9/v1")
    env.pop("OPENAI_API_KEY")

    def small_files() -> None:  # the cache's writes fail as on a full disk
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    full = docgap(project, env, "fill", "--json", preexec_fn=small_files)
    assert full.returncode == 0
    assert json.loads(full.stdout)["generated"] == 50
    assert full.stderr.count("draft cache") == 1, full.stderr

    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    unwritable = docgap(project, env, "fill", "--json", "--cache-dir", str(blocker / "cache"))
    assert unwritable.returncode == 0 and json.loads(unwritable.stdout)["generated"] == 50
    assert unwritable.stderr.count("draft cache") == 1


def test_tampered_cache_entries_are_rejected_not_rendered(example_docs: Path, tmp_path: Path) -> None:
    import diskcache

    env = model_env("http://127.0.0.1:9/v1")
    env.pop("OPENAI_API_KEY")
    assert docgap(example_docs, env, "fill").returncode == 0
    cache = diskcache.Cache(str(example_docs / ".docgap" / "cache"))
    hostile = '<script>alert("x")</script> .. raw:: html [a](javascript:alert(1)) ' + "A" * 100_000
    for key in list(cache.iterkeys()):
        try:
            record = json.loads(cache[key])
        except ValueError:
            continue  # not a draft: a seal, or the token of saved drafts
        if not isinstance(record, dict) or "draft" not in record:
            continue  # not a draft: a remembered lookup
        record["draft"]["summary"] = hostile
        cache[key] = json.dumps(record)
    cache.close()
    out = tmp_path / "html"
    build = subprocess.run([str(BIN / "sphinx-build"), "-b", "html", "-q", str(example_docs / "sphinx"), str(out)],
                           env=env, capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    assert "did not pass validation" in build.stderr
    html = (out / "api.html").read_text()
    assert "alert" not in html and "AAAAAAAAAA" not in html
    assert html.count('class="docgap-generated"') > 30
