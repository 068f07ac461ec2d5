"""The MkDocs host through real `mkdocs build` and `mkdocs serve` on a copy of example_docs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bs4 import BeautifulSoup

from conftest import tree_hash
from docgap.scan import scan
from docgap.settings import load_settings
from fake_openai import FakeOpenAI, Reply

MKDOCS = str(Path(sys.executable).parent / "mkdocs")
KEY = "sk-docgap-mkdocs-dummy-4c3b2a"


def env_for(server: FakeOpenAI | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if server is not None:
        env.update(OPENAI_BASE_URL=server.url, OPENAI_API_KEY=KEY)
    return env


def use_plugin_options(docs: Path, **options: str) -> None:
    config = docs / "mkdocs" / "mkdocs.yml"
    lines = "".join(f"\n      {key}: {value}" for key, value in options.items())
    config.write_text(config.read_text().replace("  - docgap\n", f"  - docgap:{lines}\n"))


def build(docs: Path, env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([MKDOCS, "build", *args], cwd=docs / "mkdocs", env=env, capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


def doc_blocks(html: str) -> dict[str, object]:
    """Per object id: its `.doc-contents` element."""
    soup = BeautifulSoup(html, "html.parser")
    found = {}
    for element in soup.select("[id]"):
        contents = element.find_next("div", class_="doc-contents")
        if contents is not None and element["id"].count(".") >= 1:
            found.setdefault(element["id"], contents)
    return found


def marker_of(contents) -> object | None:
    return contents.find(class_="docgap-generated", recursive=False)


def test_build_marks_every_undocumented_object(example_docs: Path) -> None:
    before = tree_hash(example_docs / "example_pkg")
    proc = build(example_docs, env_for(), "--strict")
    assert "provider: signature" in proc.stderr and "generated" in proc.stderr
    html = (example_docs / "mkdocs" / "site" / "api" / "index.html").read_text()
    blocks = doc_blocks(html)
    targets = scan(load_settings(example_docs / "pyproject.toml")).targets
    for target in targets:
        path = next((p for p in (target.path, *target.aliases) if p in blocks), None)
        assert path is not None, f"{target.path} not shown"
        marker = marker_of(blocks[path])
        assert marker is not None, f"{target.path} shown without a docgap marker"
        assert marker["data-docgap-provider"] == "signature" and marker["data-docgap-model"] == ""
        assert marker.get_text(strip=True) == "Drafted from signature"
        text = blocks[path].get_text(" ", strip=True)
        for parameter in target.drafted_parameters:
            assert parameter.name in text, f"{target.path}: {parameter.name} missing"
    assert BeautifulSoup(html, "html.parser").select(".docgap-generated").__len__() == len(targets)
    assert (example_docs / "mkdocs" / "site" / "assets" / "docgap.css").is_file()
    assert tree_hash(example_docs / "example_pkg") == before


def test_human_docstrings_unchanged_and_unmarked(example_docs: Path) -> None:
    build(example_docs, env_for())
    blocks = doc_blocks((example_docs / "mkdocs" / "site" / "api" / "index.html").read_text())
    for path, first in {"example_pkg.shapes.Point.distance_to": "Return the Euclidean distance to another point.",
                        "example_pkg.text.logged": "Wrap a function so each call is counted."}.items():
        assert marker_of(blocks[path]) is None
        assert blocks[path].get_text(" ", strip=True).startswith(first)


def test_model_drafts_are_labelled_and_the_key_is_nowhere(example_docs: Path) -> None:
    use_plugin_options(example_docs, provider="openai", model="fake-model")
    with FakeOpenAI() as server:
        proc = build(example_docs, env_for(server))
        sent = len(server.requests)
        assert sent > 20
        build(example_docs, env_for(server))
        assert len(server.requests) == sent
    html = (example_docs / "mkdocs" / "site" / "api" / "index.html").read_text()
    markers = BeautifulSoup(html, "html.parser").select(".docgap-generated")
    assert markers and all(m["data-docgap-model"] == "fake-model" and m.get_text(strip=True) == "AI-generated" for m in markers)
    assert KEY not in proc.stdout + proc.stderr
    assert [p for p in example_docs.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()] == []


def test_frozen_and_strict(example_docs: Path) -> None:
    use_plugin_options(example_docs, frozen="true")
    proc = build(example_docs, env_for())
    assert "frozen" in proc.stderr
    assert "docgap-generated" not in (example_docs / "mkdocs" / "site" / "api" / "index.html").read_text()
    config = example_docs / "mkdocs" / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - docgap:\n      frozen: true\n", "  - docgap:\n      frozen: true\n      strict: true\n"))
    failed = build(example_docs, env_for(), check=False)
    assert failed.returncode != 0 and "strict" in failed.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return None


def wait_for(predicate, timeout: float = 90.0, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out waiting")


def test_serve_regenerates_only_the_edited_function(example_docs: Path) -> None:
    use_plugin_options(example_docs, provider="openai", model="fake-model")
    port = free_port()
    with FakeOpenAI() as server:
        serve = subprocess.Popen([MKDOCS, "serve", "-a", f"127.0.0.1:{port}"], cwd=example_docs / "mkdocs",
                                 env=env_for(server), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            url = f"http://127.0.0.1:{port}/api/"
            wait_for(lambda: fetch(url))
            first = len(server.requests)
            assert first > 20
            server.script(Reply(mutate=lambda a: {**a, "summary": "Yield the lines of the text after the edit."}))
            source = example_docs / "example_pkg" / "text.py"
            source.write_text(source.read_text().replace("        if line or keep_empty:", "        if keep_empty or line:"))
            page = wait_for(lambda: (html := fetch(url)) and "after the edit" in html and html)
            blocks = doc_blocks(page)
            assert "after the edit" in blocks["example_pkg.text.iter_lines"].get_text()
            time.sleep(1.0)
            assert len(server.requests) == first + 1
            assert "example_pkg.text.iter_lines" in server.requests[-1].body["messages"][-1]["content"]
        finally:
            serve.terminate()
            serve.wait(timeout=30)
