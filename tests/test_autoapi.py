"""The sphinx-autoapi host: the example package read statically by autoapi, through the real sphinx-build."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from conftest import EXAMPLE_DOCS, clean_env, tree_hash
from docgap.providers.signature import draft_from_signature
from docgap.scan import scan
from docgap.settings import load_settings
from sphinx_helpers import SPHINX_BUILD, assert_shows_its_draft

pytestmark = pytest.mark.slow

SITE = "sphinx-autoapi"


def build(docs: Path, out: Path, *args: str, warnings: bool = False) -> subprocess.CompletedProcess[str]:
    """Run sphinx-build on the autoapi example site; it must succeed, without a warning unless `warnings`."""
    strict = () if warnings else ("-W",)
    proc = subprocess.run([SPHINX_BUILD, "--no-color", *strict, "-b", "html", *args, str(docs / SITE), str(out)],
                          capture_output=True, text=True, env=clean_env(), timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def descriptions(out: Path) -> dict[str, Tag]:
    """Every object description on autoapi's pages: `dt[id]` → its `dd`."""
    found = {}
    for page in sorted((out / "autoapi").rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for dt in soup.select("dl.py > dt[id]"):
            found[dt["id"]] = dt.find_next_sibling("dd")
    return found


def block(dd: Tag) -> Tag | None:
    """docgap's marked block in a description's own docstring part."""
    return dd.find(class_="docgap-generated", recursive=False)


def own_text(dd: Tag) -> str:
    """The text of a description's docstring part: everything but its members' descriptions."""
    return " ".join(c.get_text(" ", strip=True) for c in dd.find_all(recursive=False) if c.name != "dl")


def summary_counts(proc: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    """(generated, from cache) from the closing summary in sphinx-build's output."""
    found = re.search(r"(\d+) generated, \d+ from lock, (\d+) from cache", proc.stdout)
    assert found, proc.stdout[-3000:]
    return int(found[1]), int(found[2])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """A copy of example_docs built with autoapi and docgap, and with autoapi alone."""
    docs = tmp_path_factory.mktemp("autoapi") / "example_docs"
    shutil.copytree(EXAMPLE_DOCS, docs, ignore=shutil.ignore_patterns(
        "_build", "site", ".docgap", "__pycache__", "docgap.lock.json"))
    before = tree_hash(docs / "example_pkg")
    with_docgap = build(docs, docs.parent / "html")
    # autoapi alone shows `Color` with `enum.Enum`'s docstring, whose reST it warns about; and no report.
    build(docs, docs.parent / "plain", "-D", "extensions=autoapi.extension", warnings=True)
    targets = scan(load_settings(docs / "pyproject.toml")).targets
    return docs, targets, with_docgap, before


def test_every_gap_is_shown_with_a_marked_draft(site) -> None:
    docs, targets, proc, before = site
    shown = descriptions(docs.parent / "html")
    assert len(targets) > 20
    for target in targets:
        ids = [p for p in (target.path, *target.aliases) if p in shown]
        assert ids, f"{target.path} is not shown"
        for path in ids:
            marked = block(shown[path])
            assert marked is not None, f"{path} is shown without docgap's block"
            assert marked["data-docgap-provider"] == "signature"
            assert marked.find(class_="docgap-badge").get_text(strip=True) == "Drafted from signature"
            assert_shows_its_draft(marked, draft_from_signature(target), path)
    assert summary_counts(proc)[0] == len(targets)
    assert tree_hash(docs / "example_pkg") == before


def test_human_text_is_unchanged_object_by_object(site) -> None:
    """What autoapi alone shows for every object docgap leaves alone is shown the same, unmarked."""
    docs, targets, _, _ = site
    filled = {p for t in targets for p in (t.path, *t.aliases)}
    shown, plain = descriptions(docs.parent / "html"), descriptions(docs.parent / "plain")
    assert shown.keys() == plain.keys()
    kept = [i for i in plain if i not in filled]
    assert sum(bool(own_text(plain[i])) for i in kept) >= 8
    for i in kept:
        assert block(shown[i]) is None, f"{i} is marked but docgap did not fill it"
        assert own_text(shown[i]) == own_text(plain[i]), i
    assert {i for i in shown if block(shown[i]) is not None} == filled & shown.keys()


def test_a_class_shows_its_draft_not_a_base_class_docstring(site) -> None:
    """autoapi copies `Shape`'s docstring onto `Circle`, which has none; autodoc shows none there."""
    docs, _, _, _ = site
    shown, plain = descriptions(docs.parent / "html"), descriptions(docs.parent / "plain")
    circle = "example_pkg.shapes.Circle"
    assert "Base class of every shape." in own_text(plain[circle])
    assert block(shown[circle]) is not None and "Base class of every shape." not in own_text(shown[circle])


def test_report_stylesheet_and_cache(site) -> None:
    docs, targets, _, _ = site
    out = docs.parent / "html"
    report = BeautifulSoup((out / "coverage.html").read_text(), "html.parser")
    rows = report.select("table.docgap-report tbody tr")
    assert {row.find("code").get_text() for row in rows} == {t.path for t in targets}
    page = BeautifulSoup((out / "autoapi" / "example_pkg" / "shapes" / "index.html").read_text(), "html.parser")
    assert any("docgap.css" in link.get("href", "") for link in page.select("link[rel=stylesheet]"))
    again = build(docs, docs.parent / "again", "-E")
    assert summary_counts(again) == (0, len(targets))
    assert descriptions(docs.parent / "again").keys() == descriptions(out).keys()


def test_extension_order_does_not_matter(site, tmp_path: Path) -> None:
    """`["docgap.sphinx", "autoapi.extension"]` fills and marks the same objects."""
    docs, _, _, _ = site
    reverse = build(docs, tmp_path / "reverse", "-D", "extensions=docgap.sphinx,autoapi.extension")
    assert "docgap" in reverse.stdout
    marked = {i for i, dd in descriptions(tmp_path / "reverse").items() if block(dd) is not None}
    assert marked == {i for i, dd in descriptions(docs.parent / "html").items() if block(dd) is not None}
    assert marked


def test_members_autoapi_skips_as_undocumented_are_shown_once_filled(site, tmp_path: Path) -> None:
    """Without `undoc-members`, autoapi leaves out undocumented members; filled, they are documented."""
    docs, targets, _, _ = site
    out = tmp_path / "documented-only"
    build(docs, out, "-D", "autoapi_options=members,show-inheritance,show-module-summary,imported-members")
    shown = descriptions(out)
    public = [t for t in targets if not any(part.startswith("_") for part in t.path.split("."))]
    for target in public:
        assert any(block(shown[p]) is not None for p in (target.path, *target.aliases) if p in shown), target.path


def test_packages_default_to_autoapi_dirs(site, tmp_path: Path) -> None:
    """A site naming its code only in `autoapi_dirs` needs no `docgap_packages` nor `[tool.docgap]` packages."""
    docs = tmp_path / "example_docs"
    shutil.copytree(site[0], docs, ignore=shutil.ignore_patterns(".docgap", "docgap.lock.json"))
    config = docs / "pyproject.toml"
    config.write_text("\n".join(line for line in config.read_text().splitlines()
                                if not line.startswith(("packages", "search_paths"))) + "\n")
    proc = build(docs, tmp_path / "html")
    assert summary_counts(proc)[0] == len(site[1])
    assert sum(block(dd) is not None for dd in descriptions(tmp_path / "html").values()) > len(site[1])


def test_kept_autoapi_files_show_changed_drafts_marked(site, tmp_path: Path) -> None:
    """With `autoapi_keep_files`, autoapi reads unchanged source only once; changed drafts still come in marked."""
    docs = tmp_path / "example_docs"
    shutil.copytree(site[0], docs)
    out = tmp_path / "html"
    build(docs, out, "-D", "autoapi_keep_files=1")
    first = {i for i, dd in descriptions(out).items() if block(dd) is not None}
    config = docs / "pyproject.toml"
    config.write_text(config.read_text() + 'label_signature = "Sketched by docgap"\n')  # not conf.py: no new config
    build(docs, out, "-D", "autoapi_keep_files=1")
    shown = descriptions(out)
    assert {i for i, dd in shown.items() if block(dd) is not None} == first
    assert {block(shown[i]).find(class_="docgap-badge").get_text(strip=True) for i in first} == {"Sketched by docgap"}


def test_google_drafts_go_through_napoleon(site, tmp_path: Path) -> None:
    """autoapi ran napoleon on human docstrings before drafts went in; drafts get the same conversion."""
    docs, _, _, _ = site
    out = tmp_path / "google"
    build(docs, out, "-D", "extensions=sphinx.ext.napoleon,autoapi.extension,docgap.sphinx", "-D", "docgap_style=google")
    marked = block(descriptions(out)["example_pkg.shapes.Circle"])  # its offline draft: a fact and a raise
    assert marked is not None
    fields = [dt.get_text(strip=True) for dt in marked.select("dl.field-list > dt")]
    assert fields == ["Raises:"], fields


def test_summary_tables_mark_draft_summaries(site) -> None:
    """autoapi's member tables show a docstring's first line: a draft's is marked there too."""
    docs, targets, _, _ = site
    filled = {p for t in targets for p in (t.path, *t.aliases)}
    rows = {}
    for page in (docs.parent / "html" / "autoapi").rglob("*.html"):
        for row in BeautifulSoup(page.read_text(), "html.parser").select("table.autosummary tr"):
            name, summary = row.select("td")
            rows[name.find("a")["title"]] = summary.find(class_="docgap-generated") is not None
    assert len(rows) > 10 and any(rows.values()) and not all(rows.values())
    assert {name for name, marked in rows.items() if marked} == filled & rows.keys()


def test_a_module_draft_is_marked(site, tmp_path: Path) -> None:
    """A module has no signature on autoapi's page: its draft, after the module's index entry, is marked too."""
    docs = tmp_path / "example_docs"
    shutil.copytree(site[0], docs, ignore=shutil.ignore_patterns(".docgap", "docgap.lock.json"))
    module = docs / "example_pkg" / "text.py"
    module.write_text(module.read_text().replace('"""Splitting and reading text."""\n', "", 1))
    build(docs, tmp_path / "html")
    soup = BeautifulSoup((tmp_path / "html" / "autoapi" / "example_pkg" / "text" / "index.html").read_text(),
                         "html.parser")
    section = soup.find(id="module-example_pkg.text")
    assert section is not None
    marked = section.find("h1").find_next_sibling()  # the module's docstring part, before its members
    assert marked is not None and "docgap-generated" in marked.get("class", []), "the module's draft is not marked"
    assert marked.find(class_="docgap-badge").get_text(strip=True) == "Drafted from signature"
