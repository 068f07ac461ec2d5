"""The Sphinx host on a site that shows part of a package: requests, human text, member options, counts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import clean_env
from docgap.scan import scan
from docgap.settings import load_settings
from sphinx_helpers import sphinx_build as build
from sphinx_helpers import write_site
from test_sphinx import reread

pytestmark = pytest.mark.slow

PAGES = ("api", "picked", "runtime")
MODEL = ("-b", "html", "-D", "docgap_model=fake-model")


def descriptions(out: Path, page: str) -> dict[str, tuple[str, bool]]:
    """Each described object of a page: its own text (not its members', not docgap's block), and whether it has a block."""
    soup = BeautifulSoup((out / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
    found = {}
    for dt in soup.select("dt[id]"):
        dd = dt.find_next_sibling("dd")
        block = dd.find(class_="docgap-generated", recursive=False)
        text = " ".join(c.get_text(" ", strip=True) for c in dd.find_all(recursive=False) if c.name != "dl" and c is not block)
        found[dt["id"]] = (text, block is not None)
    return found


def canonical_paths(root: Path) -> dict[str, str]:
    """Every path a target is shown under (its own, its aliases) → its canonical path."""
    targets = scan(load_settings(None, {"packages": ["sitepkg"], "search_paths": [str(root)]})).targets
    return {p: t.path for t in targets for p in (t.path, *t.aliases)}


def generated_shown(root: Path, out: Path) -> set[str]:
    """The canonical paths of the objects the HTML shows a model's draft for."""
    paths = canonical_paths(root)
    shown = set()
    for page in PAGES:
        soup = BeautifulSoup((out / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        for block in soup.select(".docgap-generated"):
            assert block["data-docgap-model"] == "fake-model"
            dd = block.find_parent("dd")
            if dd is None:  # a module's docstring: its anchor is in it, or before it
                anchor = block.find(id=re.compile("^module-")) or block.find_previous(id=re.compile("^module-"))
                shown.add(paths[anchor["id"].removeprefix("module-")])
            else:
                shown.add(paths[dd.find_previous_sibling("dt")["id"]])
    return shown


@pytest.mark.parametrize("jobs", [(), ("-j", "2")], ids=["serial", "parallel"])
def test_requests_follow_the_site_and_a_warm_build_sends_and_rereads_nothing(tmp_path: Path, jobs: tuple[str, ...]) -> None:
    from fake_openai import FakeOpenAI

    root = write_site(tmp_path)
    out = tmp_path / "html"
    with FakeOpenAI() as server:
        env = clean_env(OPENAI_BASE_URL=server.url, OPENAI_API_KEY="sk-test")
        cold = build(root, out, *MODEL, *jobs, env=env)
        sent = len(server.requests)
        shown = generated_shown(root, out)
        warm = build(root, out, *MODEL, *jobs, env=env)
        assert len(server.requests) == sent
    targets = set(canonical_paths(root).values())
    assert len(targets) > 2 * len(shown) > 20  # most of the package is not on the site
    assert len(shown) <= sent <= 1.05 * len(shown)
    prompts = " ".join(str(r.body) for r in server.requests)
    assert "hidden_" not in prompts and "Picky.third" not in prompts and "Picky.excluded" not in prompts
    assert "join" not in prompts and not {"sitepkg.shown.join", "sitepkg.shown.join_parts"} & shown  # stdlib names
    assert {"sitepkg.shown.area", "sitepkg._base.Base.shared", "sitepkg.picked.MAX_SIZE", "sitepkg.bare"} <= shown
    assert f"{len(shown)} undocumented objects: {len(shown)} generated, 0 from lock, 0 from cache" in cold.stdout
    assert cold.stdout.count("docgap: provider:") == 1 and cold.stdout.count(f"{sent} requests") == 1
    assert "0 added, 0 changed, 0 removed" in warm.stdout and reread(warm) == set()
    assert "reading again" in cold.stdout and "reading again" not in warm.stdout
    # Nothing changed: the drafts are not even looked up again (`docgap.sphinx.unchanged`).
    assert "docgap: nothing changed since the last build" in warm.stdout and "docgap: scanning" not in warm.stdout
    report = BeautifulSoup((out / "coverage.html").read_text(), "html.parser")
    assert {row.find("td").get_text(strip=True) for row in report.select("table.docgap-report tbody tr")} == shown
    assert f"{len(shown)} objects shown have generated documentation ({len(shown)} written by a model, " \
           "0 drafted from signatures); 0 are still undocumented." in report.get_text(" ")


def test_shown_but_empty_members_are_filled_and_options_still_hide(tmp_path: Path) -> None:
    root = write_site(tmp_path)
    build(root, tmp_path / "html", "-b", "html", "-W")
    api, picked = descriptions(tmp_path / "html", "api"), descriptions(tmp_path / "html", "picked")
    filled = {"sitepkg.shown.Client.shared",  # inherited from a class of a private module
              "sitepkg.shown.Client.retries", "sitepkg.shown.Point.x", "sitepkg.shown.Color.RED", "sitepkg.shown.LIMIT"}
    assert all(api[name][1] for name in filled)
    assert picked["sitepkg.picked.Picky.size"][1] and picked["sitepkg.picked.MAX_SIZE"][1]  # autoattribute, autodata
    assert picked["sitepkg.Engine.speed"][1]  # of a class whose `__module__` names the package
    assert picked["sitepkg.picked.Picky.first"][1] and picked["sitepkg.picked.Picky.second"][1]
    for hidden in ("sitepkg.picked.Picky.third", "sitepkg.picked.Picky.excluded"):  # `:members:` list, `:exclude-members:`
        assert hidden not in picked
    assert "sitepkg.shown.documented" not in api and "sitepkg.shown.Client._internal" not in api


def test_human_text_at_run_time_wins_object_by_object(tmp_path: Path) -> None:
    plain_root, docgap_root = write_site(tmp_path / "plain", docgap=False), write_site(tmp_path / "docgap")
    build(plain_root, tmp_path / "plain-html", "-b", "html")
    build(docgap_root, tmp_path / "docgap-html", "-b", "html")
    compared = 0
    for page in PAGES:
        plain, docgap = descriptions(tmp_path / "plain-html", page), descriptions(tmp_path / "docgap-html", page)
        assert plain.keys() <= docgap.keys(), page  # docgap hides nothing
        for name, (text, _) in plain.items():
            if not text or text.startswith("int([x])"):  # no text, or `int`'s: not this object's description
                continue
            assert docgap[name] == (text, False), name
            compared += 1
    assert compared >= 10
    runtime = descriptions(tmp_path / "docgap-html", "runtime")
    for name in ("Holder.described", "Holder.cwd", "Holder.sized", "later",  # text set at run time
                 "later_twice", "Strict.retries"):  # a function's, a base attribute's comment
        assert not runtime[f"sitepkg.runtime.{name}"][1]
    for name in ("Holder.widget", "Holder.plain", "COUNT"):  # no text at run time either
        assert runtime[f"sitepkg.runtime.{name}"] == ("", True)
    assert "sitepkg.runtime.DEFAULT" not in runtime  # its class's text is its own: nothing to fill, nothing revealed
    assert descriptions(tmp_path / "docgap-html", "picked")["sitepkg.picked.MAX_SIZE"] == ("", True)


def test_reveal_false_fills_only_what_the_site_shows(tmp_path: Path) -> None:
    plain_root, docgap_root = write_site(tmp_path / "plain", docgap=False), write_site(tmp_path / "docgap", "docgap_reveal = False")
    build(plain_root, tmp_path / "plain-html", "-b", "html")
    proc = build(docgap_root, tmp_path / "docgap-html", "-b", "html", "-j", "2")
    filled = 0
    for page in PAGES:
        plain, docgap = descriptions(tmp_path / "plain-html", page), descriptions(tmp_path / "docgap-html", page)
        assert plain.keys() == docgap.keys(), page
        for name, (text, block) in docgap.items():
            assert not block or not plain[name][0] or plain[name][0].startswith("int([x])"), name
        filled += len(BeautifulSoup((tmp_path / "docgap-html" / f"{page}.html").read_text(), "html.parser")
                      .select(".docgap-generated"))
    assert filled >= 4
    assert re.search(rf"\b{filled} undocumented objects: {filled} generated", proc.stdout), proc.stdout
