"""Fixtures shared by the whole suite."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_DOCS = ROOT / "example_docs"
NOT_RENDERED = frozenset(f"example_pkg.text.{name}" for name in
                         ("F", "SEPARATORS", "normalize", "opened", "read_async", "stream_words"))
"""Targets of example_pkg on no page of the example sites (their second page renders part of `text`)."""
BIN = Path(sys.executable).parent
MODEL_VARIABLES = ("OPENAI_", "AZURE_OPENAI_")
"""Prefixes of the environment variables that configure a model (keys, endpoints, versions)."""

DUMMY_KEY = "sk-docgap-test-DUMMY-0123456789"
"""The API key the `server` fixture sets: recognisable, so a test can prove it leaked nowhere."""

DocgapRunner = Callable[..., "subprocess.CompletedProcess[str]"]

ECHO_PROVIDER = '''
from docgap.providers.base import Generation
from docgap.providers.signature import draft_from_signature


class EchoProvider:
    """A provider another package ships: drafts from signatures, under its own name; no model."""

    name = "echo"
    model = None
    is_model = False

    def __init__(self, settings, limits):
        self.limits = limits

    async def generate(self, target, context, validate):
        return Generation(draft_from_signature(target))

    async def aclose(self):
        pass
'''


def tree_hash(path: Path) -> dict[str, str]:
    """Return sha256 per file under `path` (relative names), ignoring bytecode caches."""
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def example_docs(tmp_path: Path) -> Path:
    """A private copy of `example_docs/` (without build output or caches)."""
    target = tmp_path / "example_docs"
    shutil.copytree(
        EXAMPLE_DOCS,
        target,
        ignore=shutil.ignore_patterns("_build", "site", ".docgap", "__pycache__", "docgap.lock.json"),
    )
    return target


@pytest.fixture
def bin_dir() -> Path:
    """The directory holding this interpreter's console scripts (`docgap`, `sphinx-build`, `mkdocs`)."""
    return BIN


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any model configuration, plus `extra` (for subprocesses)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(MODEL_VARIABLES)}
    env.update(extra)
    return env


def run_docgap(cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = True,
               timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the `docgap` command in `cwd`, in a clean environment unless `env` is given.

    With `check`, the run must succeed (its stderr is the assertion's message).
    """
    proc = subprocess.run([str(BIN / "docgap"), *args], cwd=cwd, env=clean_env() if env is None else env,
                          capture_output=True, text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def docgap() -> DocgapRunner:
    """The `docgap` command as a subprocess: `docgap(cwd, *args, env=None, check=True)`."""
    return run_docgap


@pytest.fixture
def no_model_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's environment without any model configuration, for the test's duration."""
    for name in list(os.environ):
        if name.startswith(MODEL_VARIABLES):
            monkeypatch.delenv(name)


@pytest.fixture
def server(no_model_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """A fake OpenAI-compatible server on 127.0.0.1, with a dummy key and no other model configured."""
    monkeypatch.setenv("OPENAI_API_KEY", DUMMY_KEY)
    with FakeOpenAI() as fake:
        yield fake


def install_echo_provider(site: Path) -> Path:
    """Install, in the folder `site`, a package `echo_docgap` registering the provider `echo`.

    It is what `pip install` leaves: the module and a `.dist-info` with a `docgap.providers` entry
    point. Returns `site`, to put on `sys.path` (or `PYTHONPATH`).
    """
    (site / "echo_docgap").mkdir(parents=True)
    (site / "echo_docgap" / "__init__.py").write_text(ECHO_PROVIDER)
    info = site / "echo_docgap-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-docgap\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[docgap.providers]\necho = echo_docgap:EchoProvider\n")
    return site


@pytest.fixture(autouse=True, scope="session")
def _seal_key_of_the_test_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """docgap's seal key (`docgap.seal`) in a folder of this test run, not in the user's state directory."""
    before = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))
    yield
    if before is None:
        os.environ.pop("XDG_STATE_HOME", None)
    else:
        os.environ["XDG_STATE_HOME"] = before
