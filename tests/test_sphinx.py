"""The Sphinx host through the real sphinx-build on a copy of example_docs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import EXAMPLE_DOCS, NOT_RENDERED, ROOT, clean_env, tree_hash
from docgap.providers.signature import draft_from_signature
from docgap.scan import scan
from docgap.settings import load_settings
from sphinx_helpers import assert_shows_its_draft, entries, sphinx_build, write_edge_site

PAGES = ("api.html", "text.html", "coverage.html")


def scan_of(docs: Path):
    return scan(load_settings(docs / "pyproject.toml"))


def shown_path(target, page: dict) -> str | None:
    return next((p for p in (target.path, *target.aliases) if p in page), None)


def site_entries(out: Path) -> dict:
    """The entries of both pages of the example site that render objects (`api`, `text`)."""
    return {**entries(out / "api.html"), **entries(out / "text.html")}


def marked(page: dict) -> set[str]:
    return {i for i, e in page.items() if e.block is not None}


def reread(proc) -> set[str]:
    """The documents a build read, from its `reading sources... [ 50%] api` lines.

    Terminal control codes are dropped first; output without a reading phase fails the test instead
    of reading as "nothing was re-read".
    """
    text = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", proc.stdout)
    assert "updating environment: " in text, text
    return set(re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", text))


def assert_same_as_fresh_build(docs: Path, out: Path, *args: str, env: dict[str, str] | None = None) -> None:
    """An incremental build's pages equal those of a build from scratch: nothing is stale."""
    fresh = out.parent / f"{out.name}-fresh"
    sphinx_build(docs, fresh, "-E", *args, env=env)
    for name in PAGES:
        assert (out / name).read_text() == (fresh / name).read_text(), f"{name} is stale"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """One signature-provider build shared by the read-only checks below."""
    docs = tmp_path_factory.mktemp("s") / "example_docs"
    shutil.copytree(EXAMPLE_DOCS, docs, ignore=shutil.ignore_patterns("_build", "site", ".docgap", "__pycache__", "docgap.lock.json"))
    before = tree_hash(docs / "example_pkg")
    out = docs.parent / "html"
    proc = sphinx_build(docs, out, "-b", "html", "-W")
    return docs, out, proc, before


@pytest.mark.slow
def test_every_undocumented_object_shows_a_marked_draft_with_real_parameters(built) -> None:
    docs, out, proc, before = built
    page = site_entries(out)
    targets = scan_of(docs).targets
    assert len(targets) > 20
    for target in targets:
        path = shown_path(target, page)
        if target.path in NOT_RENDERED:  # the site renders only part of the package
            assert path is None, f"{target.path} is shown"
            continue
        assert path is not None, f"{target.path} is not shown"
        block = page[path].block
        assert block is not None, f"{target.path} is shown without a docgap block"
        assert block["data-docgap-provider"] == "signature"
        assert block.find(class_="docgap-badge").get_text(strip=True) == "Drafted from signature"
        assert_shows_its_draft(block, draft_from_signature(target), target.path)
    assert tree_hash(docs / "example_pkg") == before


@pytest.mark.slow
def test_human_docstrings_are_unchanged_and_unmarked(built) -> None:
    docs, out, _, _ = built
    page = site_entries(out)
    documented = {"example_pkg.shapes.Point.distance_to": "Return the Euclidean distance to another point.",
                  "example_pkg.text.logged": "Wrap a function so each call is counted.",
                  "example_pkg.shapes.Shape": "Base class of every shape."}
    for path, first_line in documented.items():
        assert page[path].block is None
        assert page[path].text.startswith(first_line)
    shown = [d.path for d in scan_of(docs).documented if d.path in page]
    assert len(shown) >= 6 and all(page[p].block is None for p in shown)


@pytest.mark.slow
def test_marked_blocks_match_filled_objects_and_css_is_shipped(built) -> None:
    docs, out, proc, _ = built
    page = entries(out / "api.html")
    expected = {p for t in scan_of(docs).targets for p in (t.path, *t.aliases) if p in page}
    assert marked(page) == expected
    soup = BeautifulSoup((out / "api.html").read_text(), "html.parser")
    assert len(soup.select(".docgap-generated")) == len(expected)
    assert any("docgap.css" in link.get("href", "") for link in soup.select("link[rel=stylesheet]"))
    assert (out / "_static" / "docgap.css").is_file()
    assert "provider signature" in proc.stdout and "generated" in proc.stdout


@pytest.mark.slow
def test_filled_special_members_follow_autodoc_options(built) -> None:
    """`__call__` is filled; like a documented one it shows only where `:special-members:` asks."""
    _, out, _, _ = built
    page = site_entries(out)
    assert page["example_pkg.text.Tokenizer.__call__"].block is not None
    assert "example_pkg.Tokenizer.__call__" not in page and "example_pkg.Tokenizer.split" in page


@pytest.mark.slow
def test_report_page_lists_generated_objects(built) -> None:
    docs, out, _, _ = built
    soup = BeautifulSoup((out / "coverage.html").read_text(), "html.parser")
    assert [th.get_text(strip=True) for th in soup.select("table.docgap-report thead th")] == \
        ["Object", "Kind", "Provider", "Model"]
    rows = soup.select("table.docgap-report tbody tr")
    paths = {row.find("td").get_text(strip=True) for row in rows}
    assert paths == {t.path for t in scan_of(docs).targets} - NOT_RENDERED  # what the site shows


def test_dark_palette_only_for_themes_in_dark_mode() -> None:
    css = (ROOT / "plugin" / "docgap" / "sphinx" / "static" / "docgap.css").read_text()
    media = re.search(r"@media \(prefers-color-scheme: dark\) \{(.*?)\n\}", css, re.S)
    assert media is not None
    selectors = [s for rule in re.findall(r"([^{}]+)\{", media.group(1)) for s in rule.split(",")]
    assert selectors and all('[data-theme="auto"]' in s for s in selectors), selectors


@pytest.mark.slow
def test_parallel_and_other_builders(built, example_docs: Path, tmp_path: Path) -> None:
    serial, site = entries(built[1] / "api.html"), site_entries(built[1])
    parallel = sphinx_build(example_docs, tmp_path / "par", "-b", "html", "-j", "2", "-W")
    assert parallel.stdout.count("docgap: scanning") == 1
    page = entries(tmp_path / "par" / "api.html")
    assert page.keys() == serial.keys() and marked(page) == marked(serial)
    outputs = {"text": "api.txt", "man": "example_pkg.1", "latex": "example_pkg.tex", "epub": "api.xhtml"}
    for builder, name in outputs.items():
        out = tmp_path / builder
        sphinx_build(example_docs, out, "-b", builder, "-W", "-d", str(tmp_path / f"doctrees-{builder}"))
        text = (out / name).read_text()
        if builder == "text":  # the report's table is laid out by its column widths
            assert all(f'"{t.path}"' in (out / "coverage.txt").read_text() for t in scan_of(example_docs).targets
                       if t.path not in NOT_RENDERED)
        if builder == "epub":
            assert text.count('class="docgap-generated"') == len(marked(serial))
        else:  # man and latex write the whole site into one file
            shown = marked(serial) if builder == "text" else marked(site)
            assert text.count("Drafted from signature") == len(shown), builder


@pytest.mark.slow
def test_warm_rebuild_rereads_nothing_and_a_changed_function_is_reread(example_docs: Path, tmp_path: Path) -> None:
    out = tmp_path / "html"
    sphinx_build(example_docs, out, "-b", "html", "-j", "2")
    again = sphinx_build(example_docs, out, "-b", "html", "-j", "2")
    assert "0 added, 0 changed, 0 removed" in again.stdout and reread(again) == set(), again.stdout
    source = example_docs / "example_pkg" / "shapes.py"
    source.write_text(source.read_text().replace("    clamp = options.get(\"clamp\", False)\n",
                                                 "    clamp = options.get(\"clamp\", True)\n"))
    changed = sphinx_build(example_docs, out, "-b", "html")
    assert "api" in reread(changed) and "index" not in reread(changed)
    assert "1 generated" in changed.stdout
    assert_same_as_fresh_build(example_docs, out, "-b", "html")


@pytest.mark.slow
def test_pyproject_is_read_conf_wins_and_a_label_change_rereads(example_docs: Path, tmp_path: Path) -> None:
    pyproject = example_docs / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'label_signature = "Sketched by docgap"\n')
    out = tmp_path / "html"
    sphinx_build(example_docs, out, "-b", "html")
    badges = BeautifulSoup((out / "api.html").read_text(), "html.parser").select(".docgap-badge")
    assert badges and {b.get_text() for b in badges} == {"Sketched by docgap"}
    pyproject.write_text(pyproject.read_text().replace("Sketched by docgap", "Outlined by docgap"))
    relabelled = sphinx_build(example_docs, out, "-b", "html")
    assert "api" in reread(relabelled)
    assert_same_as_fresh_build(example_docs, out, "-b", "html")
    conf = sphinx_build(example_docs, tmp_path / "conf", "-b", "html", "-D", "docgap_label_signature=From conf")
    assert "From conf" in (tmp_path / "conf" / "api.html").read_text() and "Outlined" not in conf.stderr


@pytest.mark.slow
def test_frozen_lists_misses_and_strict_fails(example_docs: Path, tmp_path: Path) -> None:
    proc = sphinx_build(example_docs, tmp_path / "f", "-b", "html", "-D", "docgap_frozen=1")
    page = site_entries(tmp_path / "f")
    shown = [t.path for t in scan_of(example_docs).targets if shown_path(t, page)]
    assert "example_pkg.shapes.Circle" in shown and "example_pkg.shapes.scale_all" not in shown  # not revealed
    assert proc.stderr.count("WARNING") == 1 and f"frozen: {len(shown)} objects" in proc.stderr
    assert "example_pkg.shapes.Circle" in proc.stderr and "scale_all" not in proc.stderr
    assert f"{len(shown)} undocumented objects: 0 generated" in proc.stdout
    assert not BeautifulSoup((tmp_path / "f" / "api.html").read_text(), "html.parser").select(".docgap-generated")
    strict = sphinx_build(example_docs, tmp_path / "s", "-b", "html", "-D", "docgap_frozen=1",
                          "-D", "docgap_strict=1", check=False)
    assert strict.returncode != 0 and "strict" in strict.stderr


@pytest.mark.slow
def test_failed_generations_warn_and_are_errors_under_strict(example_docs: Path, tmp_path: Path) -> None:
    from fake_openai import FakeOpenAI, Reply

    args = ("-b", "html", "-D", "docgap_provider=openai", "-D", "docgap_model=m", "-D", "docgap_max_retries=0")
    with FakeOpenAI() as server:
        server.default = Reply(status=400, error="no such model")
        env = clean_env(OPENAI_BASE_URL=server.url, OPENAI_API_KEY="sk-test")
        lenient = sphinx_build(example_docs, tmp_path / "l", *args, env=env)
        strict = sphinx_build(example_docs, tmp_path / "s", *args, "-D", "docgap_strict=1", env=env, check=False)
    assert "example_pkg.shapes.scale_all left undocumented" in lenient.stderr
    assert not (tmp_path / "l" / "api.html").read_text().count("docgap-generated")
    assert strict.returncode != 0 and "docgap: strict:" in strict.stderr and "scale_all" in strict.stderr


@pytest.mark.slow
def test_configuration_errors_are_clear(example_docs: Path, tmp_path: Path) -> None:
    proc = sphinx_build(example_docs, tmp_path / "x", "-b", "html", "-D", "docgap_packages=no_such_pkg_42",
                        check=False)
    assert proc.returncode != 0 and "Configuration error" in proc.stderr
    assert "package 'no_such_pkg_42' was not found" in proc.stderr and "search_paths" in proc.stderr
    empty = sphinx_build(example_docs, tmp_path / "y", "-b", "html", "-D", "docgap_packages=", check=False)
    assert empty.returncode != 0 and "Configuration error" in empty.stderr and "docgap_packages" in empty.stderr
    model = sphinx_build(example_docs, tmp_path / "z", "-b", "html", "-D", "docgap_provider=openai", check=False,
                         env=clean_env(OPENAI_API_KEY="sk-test"))
    assert model.returncode != 0 and "Configuration error" in model.stderr and "needs a model" in model.stderr
    conf = example_docs / "sphinx" / "conf.py"
    conf.write_text(conf.read_text() + "docgap_frozn = True\n")
    typo = sphinx_build(example_docs, tmp_path / "t", "-b", "html", check=False)
    assert typo.returncode != 0 and "unknown setting docgap_frozn" in typo.stderr and "docgap_frozen" in typo.stderr


@pytest.mark.slow
@pytest.mark.parametrize(("style", "autoclass_content"), [("sphinx", "class"), ("google", "both"), ("numpy", "init")])
def test_autodoc_member_rules_aliases_and_napoleon(tmp_path: Path, style: str, autoclass_content: str) -> None:
    write_edge_site(tmp_path, f"docgap_style = {style!r}", f"autoclass_content = {autoclass_content!r}")
    sphinx_build(tmp_path, tmp_path / "html", "-b", "html", "-W")
    core = entries(tmp_path / "html" / "core.html")
    assert core["edgepkg.core.documented_alias"].block is None
    assert core["edgepkg.core.documented_alias"].text == "Human text of documented."
    helper = core["edgepkg.core.helper"].block
    assert helper is not None and core["edgepkg.core.helper_alias"].block.get_text() == helper.get_text()
    assert {"edgepkg.core.Child.size", "edgepkg.core.Plain.width", "edgepkg.core.LIMIT"} <= marked(core)
    plain = core["edgepkg.core.Plain"].block
    assert plain is not None and plain.get_text(strip=True) == "Drafted from signature"  # no fact: the badge alone
    assert "Bases:" in core["edgepkg.core.Plain"].text and "Bases:" not in plain.get_text()
    for hidden in ("Child.__call__", "Child._secret", "Skipped.size", "Child.from_base"):
        assert f"edgepkg.core.{hidden}" not in core, hidden
    again = entries(tmp_path / "html" / "reexported.html")
    assert {"edgepkg.LIMIT", "edgepkg.Child.__call__", "edgepkg.Child._secret", "edgepkg.Child.from_base"} <= marked(again)
    filtered = BeautifulSoup((tmp_path / "html" / "filtered.html").read_text(), "html.parser")
    assert "own" in filtered.get_text() and "from_base" not in filtered.get_text()
    assert "from_root" not in filtered.get_text()  # above the named base too, as autodoc hides it
    for name in ("core.html", "reexported.html"):
        soup = BeautifulSoup((tmp_path / "html" / name).read_text(), "html.parser")
        assert len(soup.select(".docgap-generated")) == len(marked(entries(tmp_path / "html" / name)))


@pytest.mark.slow
def test_model_build_then_a_second_build_sends_nothing_and_rereads_nothing(example_docs: Path, tmp_path: Path) -> None:
    """Offline drafts first; with a key the same configuration upgrades them, re-reading their pages."""
    from fake_openai import FakeOpenAI

    key = "sk-docgap-sphinx-DUMMY-1f2e3d"
    before = tree_hash(example_docs / "example_pkg")
    out = tmp_path / "html"
    args = ("-b", "html", "-D", "docgap_model=fake-model")
    offline = sphinx_build(example_docs, out, *args)
    assert "provider signature" in offline.stdout
    with FakeOpenAI() as server:
        env = clean_env(OPENAI_BASE_URL=server.url, OPENAI_API_KEY=key)
        first = sphinx_build(example_docs, out, *args, env=env)
        sent = len(server.requests)
        assert sent >= len({t.path for t in scan_of(example_docs).targets} - NOT_RENDERED)
        assert reread(first) == {"api", "text"}  # the report is filled when its page is written
        second = sphinx_build(example_docs, out, *args, env=env)
        assert len(server.requests) == sent
        assert_same_as_fresh_build(example_docs, out, *args, env=env)
        assert len(server.requests) == sent
    assert "0 added, 0 changed, 0 removed" in second.stdout and reread(second) == set()
    page = entries(out / "api.html")
    blocks = [e.block for e in page.values() if e.block is not None]
    assert blocks and all(b["data-docgap-model"] == "fake-model" and b["data-docgap-provider"] == "openai" for b in blocks)
    assert all(b.find(class_="docgap-badge").get_text(strip=True) == "AI-generated" for b in blocks)
    for proc in (first, second):
        assert key not in proc.stdout + proc.stderr
    assert [p for p in (*example_docs.rglob("*"), *out.rglob("*")) if p.is_file() and key.encode() in p.read_bytes()] == []
    assert tree_hash(example_docs / "example_pkg") == before
