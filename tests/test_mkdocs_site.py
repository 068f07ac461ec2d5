"""The MkDocs plugin drafts what the built site shows: real `mkdocs build` of a multi-page site, fake_openai's model."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import clean_env
from fake_openai import FakeOpenAI

MKDOCS = str(Path(sys.executable).parent / "mkdocs")
KEY = "sk-docgap-site-dummy-7d1e"
UNRENDERED = [f"pkg.extra{n}" for n in range(6)]

SOURCES = {
    "__init__.py": '"""A package whose site renders only part of it."""\n',
    "_base.py": """\
        class Base:
            def shared(self, count: int) -> int:
                return count * 2
        """,
    "api.py": '''\
        """The client API."""

        import dataclasses
        import enum

        from pkg._base import Base

        TIMEOUT = 5

        #: How often to try again (a comment griffe does not read: docgap shows it).
        RETRIES = 3


        class Client(Base):
            """A client."""

            def get(self, url: str) -> str:
                return url


        @dataclasses.dataclass
        class Options:
            """Options of a client."""

            retries: int = 3
            verbose: bool = False


        class Mode(enum.Enum):
            """How fast to go."""

            FAST = 1
            SLOW = 2
        ''',
    "listed.py": '''\
        """Only some of it is shown."""


        def shown(value: int) -> int:
            return value + 1


        def hidden_by_list(value: int) -> int:
            return value - 1


        def also_shown(value: int) -> int:
            return value * 3


        def skipped_by_filter(value: int) -> int:
            return value
        ''',
    **{f"extra{n}.py": "".join(f"\n\ndef work{i}(value: int) -> int:\n    return value + {10 * n + i}\n" for i in range(8))
       for n in range(6)},
}

PAGES = {
    "index.md": "# Home\n\nNo API here; see [`get`][pkg.api.Client.get].\n",
    "api.md": "# API\n\n::: pkg.api\n    options:\n      inherited_members: true\n",
    "listed.md": textwrap.dedent("""\
        # Listed

        ::: pkg.listed
            options:
              members: [shown]

        ::: pkg.listed
            options:
              filters: ["!^hidden", "!^skipped"]
              heading_level: 3
        """),
}

CONFIG = """\
site_name: partial
plugins:
  - search
{docgap}  - mkdocstrings:
      handlers:
        python:
          paths: [..]
          options:
            show_if_no_docstring: false
            show_source: false
{handler}"""
MODEL = "  - docgap:\n      provider: openai\n      model: fake-model\n"

STYLE_OPTIONS = {
    "google": {"ignore_init_summary": True, "trim_doctest_flags": False, "returns_multiple_items": False,
               "returns_named_value": False, "returns_type_in_property_summary": True,
               "receives_multiple_items": False, "receives_named_value": False, "warn_unknown_params": False,
               "warn_missing_types": False, "warnings": False},
    "numpy": {"ignore_init_summary": True, "trim_doctest_flags": False, "warn_unknown_params": False,
              "warn_missing_types": False, "warnings": False},
    "sphinx": {"warn_unknown_params": False, "warn_missing_types": False, "warnings": False},
}
"""Every option of each docstring style mkdocstrings-python accepts (`docstring_options`), set off its default."""
AUTO_OPTIONS = {"method": "heuristics", "style_order": ["sphinx", "numpy", "google"], "default": "numpy",
                "per_style_options": STYLE_OPTIONS}


def make_site(root: Path, docgap: str = MODEL, **handler: object) -> Path:
    """A package of nine modules and a site that renders two of them, partly.

    Args:
        root: Where to write the package, `pyproject.toml` and the site (`site_src`).
        docgap: The plugin's entry under `plugins` (empty: no docgap).
        **handler: More options of mkdocstrings' Python handler (JSON, which YAML reads).
    """
    for name, text in SOURCES.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    docs = root / "site_src"
    for name, text in PAGES.items():
        (docs / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / "docs" / name).write_text(text)
    options = "".join(f"            {name}: {json.dumps(value)}\n" for name, value in handler.items())
    (docs / "mkdocs.yml").write_text(CONFIG.format(docgap=docgap, handler=options))
    (root / "pyproject.toml").write_text('[tool.docgap]\npackages = ["pkg"]\ncache_dir = ".docgap/cache"\n')
    return docs


def build(docs: Path, server: FakeOpenAI | None = None) -> subprocess.CompletedProcess[str]:
    env = clean_env(NO_MKDOCS_2_WARNING="1")
    if server is not None:
        env.update(OPENAI_BASE_URL=server.url, OPENAI_API_KEY=KEY)
    proc = subprocess.run([MKDOCS, "build"], cwd=docs, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


def pages(docs: Path) -> dict[str, BeautifulSoup]:
    """The built pages, by folder (`api`, `listed`, `.`)."""
    return {str(page.parent.relative_to(docs / "site")): BeautifulSoup(page.read_text(), "html.parser")
            for page in sorted((docs / "site").rglob("index.html"))}


def shown_drafts(docs: Path, model: str | None = "fake-model") -> dict[str, set[str]]:
    """Per page: the objects shown with a draft (of `model`, unless `None`), by `data-docgap-path`."""
    return {name: {m["data-docgap-path"] for m in soup.select(".docgap-generated")
                   if model is None or m["data-docgap-model"] == model}
            for name, soup in pages(docs).items()}


def headings(docs: Path) -> dict[str, list[str]]:
    """Per page: the objects mkdocstrings shows, by heading id, in order."""
    return {name: [h["id"] for h in soup.select(".doc-heading[id]")] for name, soup in pages(docs).items()}


def requested(server: FakeOpenAI) -> list[str]:
    """The object each request asked about (the prompt names it by its path)."""
    paths = []
    for request in server.requests:
        prompt = request.body["messages"][-1]["content"]
        paths.append(re.search(r"\bpkg(?:\.\w+)+", prompt).group(0))
    return paths


@pytest.mark.slow
def test_requests_follow_what_the_pages_show(tmp_path: Path) -> None:
    docs = make_site(tmp_path)
    with FakeOpenAI() as server:
        proc = build(docs, server)
        cold = len(server.requests)
        build(docs, server)
        assert len(server.requests) == cold, "a warm build asks for nothing"
    drafted = shown_drafts(docs)
    shown = set().union(*drafted.values())
    assert cold == len(shown) and cold <= 1.05 * len(shown)
    assert set(requested(server)) == shown
    assert not [path for path in shown if path.startswith(tuple(UNRENDERED))]
    assert {"pkg.listed.shown", "pkg.listed.also_shown"} <= drafted["listed"]
    assert not {"pkg.listed.hidden_by_list", "pkg.listed.skipped_by_filter"} & shown, "the page's own options hide them"
    text = (docs / "site" / "listed" / "index.html").read_text()
    assert "hidden_by_list" not in text and "skipped_by_filter" not in text
    assert "docgap-pending" not in "".join(p.read_text() for p in (docs / "site").rglob("*.html"))
    assert "docgap-pending" not in (docs / "site" / "search" / "search_index.json").read_text()
    soup = pages(docs)
    assert soup["."].select_one('a[href$="api/#pkg.api.Client.get"]') is not None, "autorefs finds a page converted again"
    assert len(soup["api"].select('[id="pkg.api.Client.get"]')) == 1
    assert "WARNING" not in proc.stderr, proc.stderr
    assert proc.stderr.count("provider: openai") == 1, "the provider line once per build"
    assert f"docgap: {len(shown)} undocumented objects: {len(shown)} generated" in proc.stderr


@pytest.mark.slow
def test_shown_members_are_filled(tmp_path: Path) -> None:
    """Module data, dataclass fields, enum members, and members inherited from a private module's class."""
    docs = make_site(tmp_path)
    with FakeOpenAI() as server:
        build(docs, server)
    api = shown_drafts(docs)["api"]
    assert {"pkg.api.TIMEOUT", "pkg.api.Options.retries", "pkg.api.Options.verbose", "pkg.api.Mode.FAST",
            "pkg.api.Mode.SLOW", "pkg.api.Client.get"} <= api
    assert "pkg._base.Base.shared" in api
    assert "pkg.api.RETRIES" not in api and "How often to try again" in pages(docs)["api"].get_text(), "human text"
    soup = BeautifulSoup((docs / "site" / "api" / "index.html").read_text(), "html.parser")
    inherited = soup.find(id="pkg.api.Client.shared")
    assert inherited is not None
    contents = inherited.find_next("div", class_="doc-contents")
    assert contents.select_one(".docgap-generated")["data-docgap-path"] == "pkg._base.Base.shared"


@pytest.mark.slow
def test_reveal_false_fills_only_what_the_site_shows_anyway(tmp_path: Path) -> None:
    plain = make_site(tmp_path / "plain", docgap="")
    build(plain)
    docs = make_site(tmp_path / "quiet", docgap=MODEL + "      reveal: false\n")
    with FakeOpenAI() as server:
        build(docs, server)
    assert headings(docs) == headings(plain), "no object shown that the site without docgap hides"
    drafted = shown_drafts(docs)
    assert drafted["listed"] == {"pkg.listed.shown"}, "listed by `members:`, so shown without text: filled"
    assert set(requested(server)) == set().union(*drafted.values())


@pytest.mark.slow
@pytest.mark.parametrize("style", ["google", "numpy", "sphinx", "auto"])
def test_every_docstring_option_of_every_style(tmp_path: Path, style: str) -> None:
    options = AUTO_OPTIONS if style == "auto" else STYLE_OPTIONS[style]
    docs = make_site(tmp_path, docstring_style=style, docstring_options=options)
    with FakeOpenAI() as server:  # a model's drafts describe every parameter (offline ones may say nothing)
        proc = build(docs, server)
    assert "Traceback" not in proc.stderr and "WARNING" not in proc.stderr, proc.stderr
    drafted = shown_drafts(docs)
    assert {"pkg.api.Client.get", "pkg.listed.shown"} <= set().union(*drafted.values())
    parameters = pages(docs)["listed"].find(id="pkg.listed.shown").find_next("div", class_="doc-contents")
    assert "value" in parameters.get_text(), "the draft's parameters section is parsed and rendered"
