"""The Sphinx host through the real sphinx-build on a copy of example_docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import tree_hash
from docgap.scan import scan
from docgap.settings import load_settings
from sphinx_helpers import clean_env, entries, sphinx_build


def targets_of(docs: Path):
    return scan(load_settings(docs / "pyproject.toml")).targets


def shown_path(target, page: dict) -> str | None:
    return next((p for p in (target.path, *target.aliases) if p in page), None)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """One signature-provider build shared by the read-only checks below."""
    import shutil

    from conftest import EXAMPLE_DOCS

    docs = tmp_path_factory.mktemp("s") / "example_docs"
    shutil.copytree(EXAMPLE_DOCS, docs, ignore=shutil.ignore_patterns("_build", "site", ".docgap", "__pycache__", "docgap.lock.json"))
    before = tree_hash(docs / "example_pkg")
    out = docs.parent / "html"
    proc = sphinx_build(docs, out, "-b", "html", "-W")
    return docs, out, proc, before


def test_every_undocumented_object_shows_a_marked_draft_with_real_parameters(built) -> None:
    docs, out, proc, before = built
    page = entries(out / "api.html")
    targets = targets_of(docs)
    assert len(targets) > 20
    for target in targets:
        path = shown_path(target, page)
        assert path is not None, f"{target.path} is not shown"
        block = page[path].block
        assert block is not None, f"{target.path} is shown without a docgap block"
        assert block["data-docgap-provider"] == "signature"
        assert block.find(class_="docgap-badge").get_text(strip=True) == "Drafted from signature"
        text = block.get_text(" ", strip=True)
        for parameter in target.drafted_parameters:
            assert parameter.name in text, f"{target.path}: parameter {parameter.name} not shown"
    assert tree_hash(docs / "example_pkg") == before


def test_human_docstrings_are_unchanged_and_unmarked(built) -> None:
    docs, out, _, _ = built
    page = entries(out / "api.html")
    documented = {"example_pkg.shapes.Point.distance_to": "Return the Euclidean distance to another point.",
                  "example_pkg.text.logged": "Wrap a function so each call is counted.",
                  "example_pkg.shapes.Shape": "Base class of every shape."}
    for path, first_line in documented.items():
        assert page[path].block is None
        assert page[path].text.startswith(first_line)


def test_marked_blocks_match_filled_objects_and_css_is_shipped(built) -> None:
    docs, out, proc, _ = built
    page = entries(out / "api.html")
    targets = targets_of(docs)
    marked = {i for i, e in page.items() if e.block is not None}
    expected = {p for t in targets for p in (t.path, *t.aliases) if p in page}
    assert marked == expected
    soup = BeautifulSoup((out / "api.html").read_text(), "html.parser")
    assert len(soup.select(".docgap-generated")) == len(marked)
    assert any("docgap.css" in link.get("href", "") for link in soup.select("link[rel=stylesheet]"))
    assert (out / "_static" / "docgap.css").is_file()
    assert "provider: signature" in proc.stdout and "generated" in proc.stdout


def test_report_page_lists_generated_objects(built) -> None:
    docs, out, _, _ = built
    soup = BeautifulSoup((out / "coverage.html").read_text(), "html.parser")
    rows = soup.select("table.docgap-report tbody tr")
    paths = {row.find("td").get_text(strip=True) for row in rows}
    assert paths == {t.path for t in targets_of(docs)}


def test_parallel_and_text_builders(example_docs: Path, tmp_path: Path) -> None:
    sphinx_build(example_docs, tmp_path / "par", "-b", "html", "-j", "2", "-W")
    page = entries(tmp_path / "par" / "api.html")
    marked = sum(e.block is not None for e in page.values())
    assert marked >= len(targets_of(example_docs))
    sphinx_build(example_docs, tmp_path / "text", "-b", "text", "-W")
    text = (tmp_path / "text" / "api.txt").read_text()
    assert text.count("[Drafted from signature]") == marked


def test_warm_rebuild_rereads_nothing_and_a_changed_function_is_reread(example_docs: Path, tmp_path: Path) -> None:
    out = tmp_path / "html"
    sphinx_build(example_docs, out, "-b", "html")
    again = sphinx_build(example_docs, out, "-b", "html")
    assert re.search(r"0 added, 0 changed, 0 removed", again.stdout), again.stdout
    source = example_docs / "example_pkg" / "shapes.py"
    source.write_text(source.read_text().replace("    clamp = options.get(\"clamp\", False)\n",
                                                 "    clamp = options.get(\"clamp\", True)\n"))
    changed = sphinx_build(example_docs, out, "-b", "html")
    assert "0 added, 0 changed" not in changed.stdout
    assert "1 generated" in changed.stdout


def test_frozen_lists_misses_and_strict_fails(example_docs: Path, tmp_path: Path) -> None:
    proc = sphinx_build(example_docs, tmp_path / "f", "-b", "html", "-D", "docgap_frozen=1")
    assert "frozen" in proc.stderr and "example_pkg.shapes.Circle" in proc.stderr
    assert not BeautifulSoup((tmp_path / "f" / "api.html").read_text(), "html.parser").select(".docgap-generated")
    strict = sphinx_build(example_docs, tmp_path / "s", "-b", "html", "-D", "docgap_frozen=1",
                          "-D", "docgap_strict=1", check=False)
    assert strict.returncode != 0 and "strict" in strict.stderr


def test_missing_package_is_a_clear_configuration_error(example_docs: Path, tmp_path: Path) -> None:
    proc = sphinx_build(example_docs, tmp_path / "x", "-b", "html", "-D", "docgap_packages=no_such_pkg_42",
                        check=False)
    assert proc.returncode != 0
    assert "package 'no_such_pkg_42' was not found" in proc.stderr and "search_paths" in proc.stderr


def test_model_build_then_a_second_build_sends_nothing_and_rereads_nothing(example_docs: Path, tmp_path: Path) -> None:
    from fake_openai import FakeOpenAI

    key = "sk-docgap-sphinx-DUMMY-1f2e3d"
    before = tree_hash(example_docs / "example_pkg")
    out = tmp_path / "html"
    with FakeOpenAI() as server:
        env = clean_env(OPENAI_BASE_URL=server.url, OPENAI_API_KEY=key)
        args = ("-b", "html", "-D", "docgap_provider=openai", "-D", "docgap_model=fake-model")
        first = sphinx_build(example_docs, out, *args, env=env)
        sent = len(server.requests)
        assert sent >= len(targets_of(example_docs))
        second = sphinx_build(example_docs, out, *args, env=env)
        assert len(server.requests) == sent
    assert "0 added, 0 changed, 0 removed" in second.stdout
    page = entries(out / "api.html")
    blocks = [e.block for e in page.values() if e.block is not None]
    assert blocks and all(b["data-docgap-model"] == "fake-model" and b["data-docgap-provider"] == "openai" for b in blocks)
    assert all(b.find(class_="docgap-badge").get_text(strip=True) == "AI-generated" for b in blocks)
    for proc in (first, second):
        assert key not in proc.stdout + proc.stderr
    assert [p for p in (*example_docs.rglob("*"), *out.rglob("*")) if p.is_file() and key.encode() in p.read_bytes()] == []
    assert tree_hash(example_docs / "example_pkg") == before
