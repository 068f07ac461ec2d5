"""`docgap fill` with a model, end to end: real CLI process, real SDK, fake server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import clean_env, run_docgap, tree_hash
from fake_openai import FakeOpenAI, Reply

pytestmark = pytest.mark.slow  # end-to-end: real builds and subprocesses

KEY = "sk-docgap-dummy-SECRET-9f8e7d"


def run(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_docgap(cwd, *args, env=env, check=False)


def openai_env(server: FakeOpenAI) -> dict[str, str]:
    return clean_env(OPENAI_BASE_URL=server.url, OPENAI_API_KEY=KEY)


def files_containing(root: Path, needle: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_fill_with_a_model_then_nothing_is_sent_again(example_docs: Path) -> None:
    before = tree_hash(example_docs / "example_pkg")
    with FakeOpenAI() as server:
        env = openai_env(server)
        first = run(example_docs, env, "fill", "--provider", "openai", "--model", "fake-model", "--json")
        assert first.returncode == 0, first.stderr
        report = json.loads(first.stdout)
        assert report["provider"] == "openai" and report["model"] == "fake-model"
        assert report["generated"] > 20 and report["failed"] == []
        assert report["requests"] == len(server.requests) and report["input_tokens"] > 0 and report["output_tokens"] > 0
        sent = len(server.requests)

        again = run(example_docs, env, "fill", "--provider", "openai", "--model", "fake-model", "--json")
        second = json.loads(again.stdout)
        assert second["generated"] == 0 and second["from_cache"] == report["generated"]
        assert len(server.requests) == sent

        shown = json.loads(run(example_docs, env, "show", "example_pkg.Circle.unit", "--json").stdout)
        assert shown["provider"] == "openai" and shown["model"] == "fake-model"

        locked = run(example_docs, env, "lock")
        assert locked.returncode == 0
        for proc in (first, again, locked):
            assert KEY not in proc.stdout + proc.stderr
    assert files_containing(example_docs, KEY) == []
    assert tree_hash(example_docs / "example_pkg") == before


def test_signature_drafts_are_upgraded_when_a_model_is_configured(example_docs: Path) -> None:
    offline = json.loads(run(example_docs, clean_env(), "fill", "--json").stdout)
    with FakeOpenAI() as server:
        upgraded = json.loads(run(example_docs, openai_env(server), "fill", "--provider", "openai",
                                  "--model", "fake-model", "--json").stdout)
    assert upgraded["generated"] == offline["generated"] and upgraded["from_cache"] == 0


def test_azure_fill(example_docs: Path) -> None:
    with FakeOpenAI() as server:
        env = clean_env(AZURE_OPENAI_ENDPOINT=server.azure_endpoint, AZURE_OPENAI_API_KEY=KEY,
                        OPENAI_API_VERSION="2024-10-21")
        for provider in ("auto", "azure"):
            sent = len(server.requests)
            proc = run(example_docs, env, "fill", "--provider", provider, "--model", "docs-deployment", "--json")
            assert proc.returncode == 0, proc.stderr
            report = json.loads(proc.stdout)
            assert report["provider"] == "azure" and report["requests"] == len(server.requests) - sent
            assert KEY not in proc.stdout + proc.stderr
        assert report["generated"] == 0 and report["from_cache"] > 20  # the second run sent nothing
        assert {r.path for r in server.requests} == {"/openai/deployments/docs-deployment/chat/completions"}
        assert all(r.query["api-version"] == ["2024-10-21"] and r.headers["api-key"] == KEY for r in server.requests)
    assert files_containing(example_docs, KEY) == []


def test_answers_that_stay_invalid_warn_and_strict_fails(example_docs: Path) -> None:
    with FakeOpenAI() as server:
        invalid = Reply(mutate=lambda a: {**a, "summary": "TODO"})
        server.script(*[invalid] * 200)
        env = openai_env(server)
        proc = run(example_docs, env, "fill", "--provider", "openai", "--model", "fake-model", "--json")
        assert proc.returncode == 0
        report = json.loads(proc.stdout)
        assert report["generated"] == 0 and len(report["failed"]) > 20
        assert "placeholder" in report["failed"][0]["reason"]
        assert report["requests"] == len(server.requests) == 3 * len(report["failed"])  # failed answers count
        assert report["input_tokens"] > 0 and report["output_tokens"] > 0
        warnings = [line for line in proc.stderr.splitlines() if "left undocumented" in line]
        assert len(warnings) == len(report["failed"])
        failure = report["failed"][0]
        assert sum(failure["path"] in line for line in warnings) == 1  # one warning for the object...
        assert next(line for line in warnings if failure["path"] in line).count(failure["path"]) == 1  # naming it once
        rescanned = json.loads(run(example_docs, env, "scan", "--json").stdout)
        assert rescanned["totals"]["filled"] == 0  # nothing invalid was cached
        strict = run(example_docs, env, "fill", "--provider", "openai", "--model", "fake-model", "--strict")
        assert strict.returncode == 1 and "strict" in strict.stderr
