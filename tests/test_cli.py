"""The `docgap` command line end to end on a copy of example_docs, with the signature provider."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import BIN, DocgapRunner, clean_env, install_echo_provider, tree_hash
from docgap.providers.signature import draft_from_signature
from docgap.render import render
from docgap.scan import scan
from docgap.settings import load_settings

pytestmark = pytest.mark.slow  # end-to-end: real builds and subprocesses


def as_json(proc: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(proc.stdout)


@pytest.mark.slow
def test_scan_fill_refill_lock_and_reproduce(docgap: DocgapRunner, example_docs: Path, tmp_path: Path) -> None:
    package = example_docs / "example_pkg"
    before = tree_hash(package)

    scanned = as_json(docgap(example_docs, "scan", "--json"))
    totals = scanned["totals"]
    missing = [o["path"] for o in scanned["objects"] if o["state"] == "missing"]
    assert totals["missing"] == len(missing) > 10
    assert totals["documented"] > 0 and totals["filled"] == 0
    assert totals["objects"] == totals["documented"] + totals["missing"]

    first = as_json(docgap(example_docs, "fill", "--json"))
    assert first["provider"] == "signature" and first["model"] is None
    assert first["generated"] == len(missing) and first["failed"] == [] and first["requests"] == 0

    second = as_json(docgap(example_docs, "fill", "--json"))
    assert second["generated"] == 0 and second["from_cache"] == len(missing)

    rescanned = as_json(docgap(example_docs, "scan", "--json"))["totals"]
    assert rescanned["filled"] == len(missing) and rescanned["missing"] == 0

    shown = {path: as_json(docgap(example_docs, "show", path, "--json")) for path in missing[:8]}
    assert all(s["origin"] == "cache" and s["provider"] == "signature" for s in shown.values())
    targets = {t.path: t for t in scan(load_settings(example_docs / "pyproject.toml")).targets}
    for path, s in shown.items():  # what the offline draft says, and nothing when the source shows no fact
        assert s["docstring"] == render(draft_from_signature(targets[path]), targets[path], s["style"]), path
    assert "" in {s["docstring"] for s in shown.values()}
    empty = next(path for path, s in shown.items() if s["docstring"] == "")
    assert "an empty draft" in docgap(example_docs, "show", empty).stdout

    locked = as_json(docgap(example_docs, "lock", "--json"))
    assert locked["objects"] == len(missing)
    lock = json.loads((example_docs / "docgap.lock.json").read_text())
    assert sorted(lock["objects"]) == sorted(missing)

    fresh = ["--cache-dir", str(tmp_path / "fresh-cache")]
    third = as_json(docgap(example_docs, "fill", "--json", *fresh))
    assert third["from_lock"] == len(missing) and third["generated"] == 0
    for path, before_show in shown.items():
        again = as_json(docgap(example_docs, "show", path, "--json", *fresh))
        assert again["origin"] == "lock"
        assert again["docstring"] == before_show["docstring"]

    assert tree_hash(package) == before


def test_human_text_wins_in_show(docgap: DocgapRunner, example_docs: Path) -> None:
    scanned = as_json(docgap(example_docs, "scan", "--json"))
    documented = next(o["path"] for o in scanned["objects"] if o["state"] == "documented" and o["kind"] == "function")
    shown = as_json(docgap(example_docs, "show", documented, "--json"))
    assert shown["origin"] == "human" and shown["provider"] is None and shown["docstring"]


@pytest.mark.parametrize(("name", "path", "text"), [
    ("example_pkg.Shape", "example_pkg.shapes.Shape", "Base class of every shape."),  # a public re-export
    ("example_pkg.shapes.Circle.area", "example_pkg.shapes.Circle.area", "Return the area of the shape."),  # inherited
    ("example_pkg.Circle.area", "example_pkg.shapes.Circle.area", "Return the area of the shape."),
])
def test_show_finds_human_text_by_alias_and_inheritance(docgap: DocgapRunner, example_docs: Path, name: str,
                                                        path: str, text: str) -> None:
    shown = as_json(docgap(example_docs, "show", name, "--json"))
    assert (shown["path"], shown["state"], shown["origin"], shown["docstring"]) == (path, "documented", "human", text)


def test_text_output_and_verbose_listing(docgap: DocgapRunner, example_docs: Path) -> None:
    out = docgap(example_docs, "scan", "-v").stdout
    assert "coverage:" in out and "missing" in out and "total" in out
    out = docgap(example_docs, "fill").stdout
    assert "generated" in out and "provider signature" in out


def test_frozen_strict_fails_with_a_reason(docgap: DocgapRunner, example_docs: Path) -> None:
    proc = docgap(example_docs, "fill", "--frozen", "--strict", check=False)
    assert proc.returncode == 1
    assert "strict" in proc.stderr and "frozen" in proc.stderr
    proc = docgap(example_docs, "fill", "--frozen", check=False)
    assert proc.returncode == 0 and "frozen" in proc.stderr


def test_module_that_does_not_parse_warns_and_scan_goes_on(docgap: DocgapRunner, tmp_path: Path) -> None:
    package = tmp_path / "brokenpkg"
    package.mkdir()
    (package / "__init__.py").write_text("def ok(x):\n    return x\n")
    (package / "bad.py").write_text("def broken(:\n    pass\n")
    proc = docgap(tmp_path, "fill", "brokenpkg", "--search-path", str(tmp_path), "--json")
    assert "bad.py" in proc.stderr
    assert as_json(proc)["generated"] >= 1
    proc = docgap(tmp_path, "scan", "brokenpkg", "--search-path", str(tmp_path), "--json")
    assert "bad.py:1" in proc.stderr and as_json(proc)["totals"]["filled"] >= 1


def test_corrupt_cache_warns_and_the_fill_goes_on(docgap: DocgapRunner, example_docs: Path) -> None:
    cache = example_docs / "broken-cache"
    cache.mkdir()
    (cache / "cache.db").write_bytes(b"garbage" * 1000)
    proc = docgap(example_docs, "fill", "--json", "--cache-dir", str(cache))
    assert "draft cache" in proc.stderr
    assert as_json(proc)["failed"] == [] and as_json(proc)["generated"] > 0


@pytest.mark.parametrize("args", [
    ["scan", "no_such_pkg_xyz"], ["show", "example_pkg.nope"], ["scan", "--style", "rst"], ["fill", "--bogus"],
    ["lock", "--concurrency", "many"], [], ["scan", "--config", "bad.toml"],
])
def test_bad_input_is_one_line_and_nonzero(docgap: DocgapRunner, example_docs: Path, args: list[str]) -> None:
    (example_docs / "bad.toml").write_text("[tool.docgap]\npackages = ['example_pkg']\ncolour = 'red'\n")
    proc = docgap(example_docs, *args, check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("docgap: error:") and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_a_closed_pipe_ends_quietly(example_docs: Path) -> None:
    proc = subprocess.Popen([str(BIN / "docgap"), "scan", "-v"], cwd=example_docs, env=clean_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # like `docgap scan -v | head -1` once head has its line
    stderr = proc.stderr.read()
    assert proc.wait(timeout=300) == 1 and "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_repeated_runs_in_one_process_log_once(example_docs: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from docgap.cli import main

    monkeypatch.chdir(example_docs)
    for _ in range(2):
        assert main(["fill", "--frozen", "--json"]) == 0
    assert capsys.readouterr().err.count("objects have no draft") == 2


def test_show_keeps_griffe_noise_off_stderr(docgap: DocgapRunner, tmp_path: Path) -> None:
    package = tmp_path / "deep"
    package.mkdir()
    # griffe logs an error for an expression too deep for it; the scan is fine and so is `show`.
    (package / "__init__.py").write_text('def f():\n    """Doc."""\n\nX = ' + "-" * 600 + "1\n")
    proc = docgap(tmp_path, "show", "deep.f", "--search-path", str(tmp_path))
    assert proc.stdout.endswith("Doc.\n") and proc.stderr == ""


@pytest.mark.slow
def test_a_provider_another_package_registers_is_offered_and_used(docgap: DocgapRunner, tmp_path: Path) -> None:
    site = install_echo_provider(tmp_path / "site-packages")
    (tmp_path / "tinypkg").mkdir()
    (tmp_path / "tinypkg" / "__init__.py").write_text("def area(radius: float) -> float:\n    return radius\n")
    env = clean_env(PYTHONPATH=str(site))
    assert "echo" in docgap(tmp_path, "fill", "--help", env=env).stdout
    proc = docgap(tmp_path, "fill", "tinypkg", "--search-path", ".", "--provider", "echo", "--json", env=env)
    assert as_json(proc)["provider"] == "echo" and as_json(proc)["generated"] == 2  # the module and `area`
    assert "signature" in docgap(tmp_path, "fill", "--help").stdout  # not installed: not offered
    assert "echo" not in docgap(tmp_path, "fill", "--help").stdout
