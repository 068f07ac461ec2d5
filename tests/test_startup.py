"""Start-up: a host and the command line load what their work needs, and nothing before there is work for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BIN, clean_env
from fake_openai import FakeOpenAI

pytestmark = pytest.mark.slow

PACKAGE = '''"""A tiny package."""


def area(radius: float) -> float:
    return 3.14 * radius ** 2


class Counter:
    def bump(self, by: int = 1) -> int:
        return by
'''

HEAVY = ("openai", "griffe", "jsonschema", "diskcache", "sqlite3", "asyncio", "docgap.providers.openai",
         "docgap.render", "docgap.validate", "docgap.engine", "docgap.store", "docgap.scan")
"""Modules a host must not import before it has work for them (a package counts with its submodules)."""

RUN_REPORTING_MODULES = """
import atexit, json, runpy, sys
atexit.register(lambda: print("MODULES " + json.dumps(sorted(sys.modules)), file=sys.stderr))
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
"""Runs the script given as first argument with the rest as its arguments, then prints every module imported."""


def heavy_modules(modules: list[str] | set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def run_reporting_modules(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[str, set[str]]:
    """Run `command` (a console script and its arguments); its output and the modules it imported."""
    done = subprocess.run([sys.executable, "-c", RUN_REPORTING_MODULES, *command], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    line = next(line for line in done.stderr.splitlines() if line.startswith("MODULES "))
    return done.stdout, set(json.loads(line.removeprefix("MODULES ")))


def project(tmp_path: Path) -> Path:
    (tmp_path / "src" / "tinypkg").mkdir(parents=True)
    (tmp_path / "src" / "tinypkg" / "__init__.py").write_text(PACKAGE)
    return tmp_path


def test_importing_the_mkdocs_plugin_loads_no_model_client_scanner_cache_or_renderer() -> None:
    """MkDocs imports every configured plugin first: the session and its machinery wait for the build."""
    code = ("import json, sys, mkdocstrings\nbefore = set(sys.modules)\nimport docgap.mkdocs.plugin\n"
            "print(json.dumps(sorted(set(sys.modules) - before)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert heavy_modules(json.loads(done.stdout)) == []


def test_a_warm_mkdocs_build_with_a_model_configured_never_imports_the_model_module(tmp_path: Path) -> None:
    """Every draft in the cache: the provider is named from the settings, never built; nothing is rendered again."""
    root = project(tmp_path)
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# API\n\n::: tinypkg\n")
    with FakeOpenAI() as server:
        options = {"packages": ["tinypkg"], "search_paths": [str(root / "src")], "provider": "openai",
                   "model": "m", "base_url": server.url, "cache_dir": str(root / "cache")}
        (root / "mkdocs.yml").write_text(
            "site_name: t\nplugins:\n  - docgap: " + json.dumps(options) + "\n"
            f"  - mkdocstrings:\n      handlers:\n        python:\n          paths: [{root / 'src'}]\n")
        env = clean_env(NO_MKDOCS_2_WARNING="1", OPENAI_API_KEY="sk-startup-dummy")
        build = [str(BIN / "mkdocs"), "build", "-q"]
        _, cold = run_reporting_modules(build, root, env)
        sent = len(server.requests)
        run_reporting_modules(build, root, env)  # checks the cached drafts once, and seals them as checked
        _, warm = run_reporting_modules(build, root, env)
        assert len(server.requests) == sent > 0
    assert {"openai", "docgap.providers.openai", "docgap.render"} <= cold  # the cold build drafted and rendered
    assert {"openai", "docgap.providers.openai", "docgap.render", "jsonschema", "docgap.validate",
            "docgap.engine"} & warm == set()
    assert 'data-docgap-model="m"' in (root / "site" / "index.html").read_text()


def test_a_warm_docgap_scan_loads_no_scanner_model_client_or_validator(tmp_path: Path) -> None:
    """The scan and the drafts are cached: `docgap scan` reads them, and imports neither griffe nor a provider's module."""
    root = project(tmp_path)
    args = ["tinypkg", "--search-path", "src", "--provider", "signature", "--json"]
    env = clean_env()
    for command in ("fill", "scan"):  # the drafts, then their check, sealed for the next runs
        subprocess.run([str(BIN / "docgap"), command, *args], cwd=root, env=env, check=True, capture_output=True)
    output, modules = run_reporting_modules([str(BIN / "docgap"), "scan", *args], root, env)
    states = {entry["path"]: entry["state"] for entry in json.loads(output)["objects"]}
    assert states["tinypkg.area"] == states["tinypkg.Counter.bump"] == "filled"
    assert {"griffe", "openai", "jsonschema", "asyncio", "docgap.providers.openai", "docgap.providers.signature",
            "docgap.limits", "docgap.engine", "importlib.metadata", "docgap.render.google"} & modules == set()


def test_an_unknown_provider_is_still_a_usage_error_naming_the_providers(tmp_path: Path) -> None:
    """`--provider` is checked when given (installed packages' providers are looked up only for an unknown name)."""
    proc = subprocess.run([str(BIN / "docgap"), "scan", "tinypkg", "--provider", "nope"], cwd=tmp_path,
                          env=clean_env(), capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "argument --provider: unknown provider 'nope' (choose from auto, signature, openai, azure)" in proc.stderr
