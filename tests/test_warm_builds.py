"""Warm builds: what a build already checked and rendered is not done again, and stays tamper-evident."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from docgap.textdisk import open_cache

pytestmark = pytest.mark.slow


BUILD_COUNTING_RENDERS = """
import json
from mkdocs.commands.build import build
from mkdocs.config import load_config
import docgap.render
rendered = []
real = docgap.render.render
def counting(draft, target, *args, **kwargs):
    rendered.append(target.path)
    return real(draft, target, *args, **kwargs)
docgap.render.render = counting  # the MkDocs host imports it when it renders (never in a warm build)
build(load_config("mkdocs.yml"))
print(json.dumps(sorted(rendered)))
"""
"""An in-process `mkdocs build` (in a process of its own: mkdocstrings patches griffe's logger) that
prints the paths of the drafts it rendered."""


def test_a_warm_mkdocs_build_renders_no_draft_again_and_a_tampered_text_is_rendered_again(example_docs: Path) -> None:
    site = example_docs / "mkdocs"

    def build_site() -> tuple[list[str], str]:
        done = subprocess.run([sys.executable, "-c", BUILD_COUNTING_RENDERS], cwd=site, capture_output=True,
                              text=True, check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        return json.loads(done.stdout.strip().splitlines()[-1]), (site / "site" / "api" / "index.html").read_text()

    first, _ = build_site()
    assert first, "the cold build renders every draft"
    rendered, html = build_site()
    assert rendered == [] and 'class="docgap-generated"' in html  # warm: nothing rendered again
    with open_cache(example_docs / ".docgap" / "cache") as cache:
        keys = [key for key in cache.iterkeys() if key.startswith("rendered:")]
        for key in keys:  # an attacker rewrites every kept text, keeping its seal
            cache.set(key, json.dumps({**json.loads(cache.get(key)), "text": "<script>alert('EVIL')</script>"}))
    assert len(keys) == len(first)
    rendered, html = build_site()
    assert rendered == first and "EVIL" not in html


def test_importing_a_host_loads_no_model_client_scanner_validator_or_event_loop() -> None:
    """Start-up pays for what configuring the host needs; the rest is imported when there is work for it."""
    heavy = ("openai", "griffe", "jsonschema", "asyncio", "diskcache", "sqlite3", "docgap.validate", "docgap.engine")
    code = ("import sys, sphinx.ext.autodoc\nbefore = set(sys.modules)\nimport docgap.sphinx\n"
            f"print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in {heavy!r} or m in {heavy!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_a_model_configured_with_every_draft_cached_builds_no_client(tmp_path: Path) -> None:
    """With a model configured and all drafts in the cache, the model's SDK is never imported."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text('"""A package."""\n\n\ndef area(radius: float) -> float:\n    return 2 * radius\n')
    code = f"""
import sys
from docgap.drafts import Draft, Record
from docgap.hosting import Session
from docgap.settings import load_settings
from docgap.store import Store
settings = load_settings(None, {{"packages": ["pkg"], "search_paths": [{str(tmp_path)!r}], "provider": "openai",
                                "model": "m", "base_url": "http://127.0.0.1:9/v1", "cache_dir": {str(tmp_path / "c")!r},
                                "lockfile": {str(tmp_path / "lock.json")!r}}})
session = Session(settings, log=lambda level, text: None)
found = session.lookup()
with Store(settings) as store:
    for target in found.missing:
        store.save(target, Record(Draft(summary="Scale a radius.", parameters={{"radius": "The radius."}},
                                        returns="The radius, scaled."), "openai", "m"))
session = Session(settings, log=lambda level, text: None)
outcome = session.fill()
print(len(outcome.resolved), len(outcome.missing) + len(outcome.failed), "openai" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))})
    resolved, missing, imported = done.stdout.split()
    assert int(resolved) > 0 and missing == "0" and imported == "False", done.stdout + done.stderr
