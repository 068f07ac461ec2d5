"""The Zensical host: the example MkDocs site as it is, through the real `zensical build`."""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import EXAMPLE_DOCS, clean_env, tree_hash
from docgap.scan import scan
from docgap.settings import load_settings
from test_mkdocs import doc_blocks, marker_of

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
DOCGAP_LINE = "  - docgap.mkdocs.zensical\n"


def zensical(docs: Path, *args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `zensical build` on the example MkDocs site (from its folder unless `cwd` is given)."""
    proc = subprocess.run([str(BIN / "zensical"), "build", *args], cwd=cwd or docs / "mkdocs", env=clean_env(),
                          capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def copy_of_example(root: Path) -> Path:
    docs = root / "example_docs"
    shutil.copytree(EXAMPLE_DOCS, docs, ignore=shutil.ignore_patterns(
        "_build", "site", ".cache", ".docgap", "__pycache__", "docgap.lock.json"))
    return docs


def site_blocks(site: Path) -> dict:
    """Per object id shown on any page of a built site: its `.doc-contents` element."""
    found: dict = {}
    for page in sorted(site.rglob("index.html")):
        for key, value in doc_blocks(page.read_text()).items():
            found.setdefault(key, value)
    return found


def stylesheets(html: str) -> list[str]:
    return [link["href"] for link in BeautifulSoup(html, "html.parser").select("link[rel=stylesheet]")]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """The example site built by Zensical as it is, and without docgap's line."""
    docs = copy_of_example(tmp_path_factory.mktemp("zensical"))
    before = tree_hash(docs / "example_pkg")
    config = (docs / "mkdocs" / "mkdocs.yml").read_text()
    assert DOCGAP_LINE in config
    (docs / "mkdocs" / "plain.yml").write_text(config.replace(DOCGAP_LINE, "") + "site_dir: plain\n")
    proc = zensical(docs)
    zensical(docs, "-f", "plain.yml")
    targets = scan(load_settings(docs / "pyproject.toml")).targets
    return docs, targets, proc, before


def test_every_gap_is_marked_and_summed_up_once(site) -> None:
    docs, targets, proc, before = site
    blocks = site_blocks(docs / "mkdocs" / "site")
    shown = [t for t in targets if any(p in blocks for p in (t.path, *t.aliases))]
    assert len(shown) > 20  # the site shows part of the package: every gap it shows is checked
    for target in shown:
        path = next(p for p in (target.path, *target.aliases) if p in blocks)
        marker = marker_of(blocks[path])
        assert marker is not None, f"{path} is shown without docgap's marker"
        assert marker["data-docgap-provider"] == "signature" and marker.get_text() == "Drafted from signature"
    assert proc.stderr.count("undocumented objects:") == 1, proc.stderr
    assert f"docgap: {len(targets)} undocumented objects: {len(targets)} generated" in proc.stderr
    assert tree_hash(docs / "example_pkg") == before


def test_the_stylesheet_opens_each_page_with_a_draft(site) -> None:
    docs, _, _, _ = site
    out = docs / "mkdocs" / "site"
    inline = [h for h in stylesheets((out / "api" / "index.html").read_text()) if h.startswith("data:")]
    assert len(inline) == 1
    css = base64.b64decode(inline[0].removeprefix("data:text/css;base64,")).decode()
    assert ".docgap-generated {" in css and ".doc-contents:has(" in css and "/*" not in css
    assert not any(h.startswith("data:") for h in stylesheets((out / "index.html").read_text()))


def test_human_text_is_unchanged_object_by_object(site) -> None:
    """Every object docgap leaves alone reads as in a Zensical build without docgap, unmarked."""
    docs, targets, _, _ = site
    filled = {p for t in targets for p in (t.path, *t.aliases)}
    shown = site_blocks(docs / "mkdocs" / "site")
    plain = site_blocks(docs / "mkdocs" / "plain")
    kept = [i for i in plain if i not in filled]
    assert shown.keys() >= plain.keys() and len(kept) >= 8
    assert all(marker_of(b) is None for b in plain.values())
    for i in kept:
        assert marker_of(shown[i]) is None, i
        own = [c.get_text(" ", strip=True) for c in shown[i].find_all(recursive=False) if "doc-children" not in c.get("class", [])]
        was = [c.get_text(" ", strip=True) for c in plain[i].find_all(recursive=False) if "doc-children" not in c.get("class", [])]
        assert own == was, i


def test_the_same_site_under_mkdocs_ships_the_stylesheet_as_a_file(site, tmp_path: Path) -> None:
    """The site as it is, under `mkdocs build`: the plugin's file, not the inline stylesheet; the same objects marked."""
    docs = copy_of_example(tmp_path)
    proc = subprocess.run([str(BIN / "mkdocs"), "build"], cwd=docs / "mkdocs", env=clean_env(NO_MKDOCS_2_WARNING="1"),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = (docs / "mkdocs" / "site" / "api" / "index.html").read_text()
    assert not any(h.startswith("data:") for h in stylesheets(html))
    assert "../assets/docgap.css" in stylesheets(html) and (docs / "mkdocs" / "site" / "assets" / "docgap.css").is_file()
    marked = {i for i, b in site_blocks(docs / "mkdocs" / "site").items() if marker_of(b) is not None}
    assert marked == {i for i, b in site_blocks(site[0] / "mkdocs" / "site").items() if marker_of(b) is not None}


def test_settings_come_from_the_config_folder_not_the_working_directory(tmp_path: Path) -> None:
    docs = copy_of_example(tmp_path)
    config = docs / "pyproject.toml"
    config.write_text(config.read_text() + 'label_signature = "Sketched by docgap"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    zensical(docs, "-f", str(docs / "mkdocs" / "mkdocs.yml"), cwd=elsewhere)
    labels = {marker_of(b).get_text() for b in site_blocks(docs / "mkdocs" / "site").values() if marker_of(b) is not None}
    assert labels == {"Sketched by docgap"}
    assert (docs / ".docgap" / "cache").is_dir() and not any(elsewhere.iterdir())


def test_strict_fails_the_build_naming_what_is_left(tmp_path: Path) -> None:
    docs = copy_of_example(tmp_path)
    config = docs / "pyproject.toml"
    config.write_text(config.read_text() + "frozen = true\nstrict = true\n")
    failed = zensical(docs, check=False)
    assert failed.returncode != 0 and "docgap: strict: 33 objects left undocumented" in failed.stderr


def test_one_closing_summary_for_several_packages(tmp_path: Path) -> None:
    docs = copy_of_example(tmp_path)
    other = docs / "other_pkg"
    other.mkdir()
    (other / "__init__.py").write_text('"""Another package."""\n\n\ndef double(value: int) -> int:\n    return 2 * value\n')
    config = docs / "pyproject.toml"
    config.write_text(config.read_text().replace('["example_pkg"]', '["example_pkg", "other_pkg"]'))
    api = docs / "mkdocs" / "docs" / "api.md"
    api.write_text(api.read_text() + "\n::: other_pkg\n")
    proc = zensical(docs)
    assert proc.stderr.count("undocumented objects:") == 1, proc.stderr
    assert "docgap: 34 undocumented objects: 34 generated" in proc.stderr
    assert marker_of(doc_blocks((docs / "mkdocs" / "site" / "api" / "index.html").read_text())["other_pkg.double"])
