"""The MkDocs host through real `mkdocs build` and `mkdocs serve` on a copy of example_docs."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import griffe
import markdown
import pytest
from bs4 import BeautifulSoup, Tag
from mkdocs.config import load_config

from conftest import clean_env, tree_hash
from docgap.drafts import Draft, Record
from docgap.hosting import Session
from docgap.mkdocs.docstrings import marker
from docgap.mkdocs.state import current_build, end_build
from docgap.providers.signature import draft_from_signature
from docgap.scan import scan
from docgap.settings import Settings, load_settings
from docgap.targets import Target
from fake_openai import FakeOpenAI, Reply

MKDOCS = str(Path(sys.executable).parent / "mkdocs")
KEY = "sk-docgap-mkdocs-dummy-4c3b2a"
EXTENSION = "docgap.mkdocs.extension:DocgapExtension"


def env_for(server: FakeOpenAI | None = None) -> dict[str, str]:
    env = clean_env(NO_MKDOCS_2_WARNING="1")
    if server is not None:
        env.update(OPENAI_BASE_URL=server.url, OPENAI_API_KEY=KEY)
    return env


def edit_config(docs: Path, old: str, new: str) -> None:
    config = docs / "mkdocs" / "mkdocs.yml"
    text = config.read_text()
    assert old in text, old
    config.write_text(text.replace(old, new, 1))


def use_plugin_options(docs: Path, **options: str) -> None:
    edit_config(docs, "  - docgap\n", "  - docgap:" + "".join(f"\n      {k}: {v}" for k, v in options.items()) + "\n")


def use_handler_options(docs: Path, **options: str) -> None:
    edit_config(docs, "            heading_level: 2\n",
                "            heading_level: 2\n" + "".join(f"            {k}: {v}\n" for k, v in options.items()))


def build(docs: Path, env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([MKDOCS, "build", *args], cwd=docs / "mkdocs", env=env, capture_output=True, text=True,
                          timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


def api_page(docs: Path) -> str:
    """The HTML of the example site's reference pages: the API page, then the text helpers page."""
    site = docs / "mkdocs" / "site"
    return "".join((site / page / "index.html").read_text() for page in ("api", "text"))


def doc_blocks(html: str) -> dict[str, Tag]:
    """Per object id: its `.doc-contents` element."""
    soup = BeautifulSoup(html, "html.parser")
    found: dict[str, Tag] = {}
    for element in soup.select("[id]"):
        contents = element.find_next("div", class_="doc-contents")
        if contents is not None and element["id"].count(".") >= 1:
            found.setdefault(element["id"], contents)
    return found


def marker_of(contents: Tag) -> Tag | None:
    """The marker opening the object's own docstring: the first element of one of its paragraphs."""
    for paragraph in contents.find_all("p", recursive=False):
        first = paragraph.find(True)
        if first is not None and paragraph.contents[0] is first and "docgap-generated" in first.get("class", []):
            return first
    return None


def titled(element: Tag) -> bool:
    """A docstring section's first element: its title paragraph (or a readthedocs field list)."""
    return "field-list" in element.get("class", []) or element.select_one(".doc-section-title") is not None


def generated_part(contents: Tag) -> list[Tag]:
    """The children of `.doc-contents` docgap's stylesheet marks as one block (the same rule as its CSS).

    The marker's paragraph and the direct children after it, but the members, the source, and
    what follows the draft's own titled sections (`data-docgap-sections`): summary tables.
    """
    marker = marker_of(contents)
    if marker is None:
        return []
    opening = marker.parent
    sections = marker.get("data-docgap-sections")
    part, seen = [opening], 0
    for child in opening.find_next_siblings(True):
        seen += titled(child)
        if sections is not None and seen > int(sections):
            break
        classes = child.get("class", [])
        if not ({"doc-children", "mkdocstrings-source"} & set(classes) or (child.name == "details" and "quote" in classes)):
            part.append(child)
    return part


def covered(element: Tag) -> bool:
    """Whether `element` sits inside another object's generated block."""
    for ancestor in element.parents:
        if ancestor.parent is not None and "doc-contents" in ancestor.parent.get("class", []):
            if any(child is ancestor for child in generated_part(ancestor.parent)):
                return True
    return False


def parameter_names(part: list[Tag]) -> list[str]:
    """Names in the Parameters table of a generated docstring (table section style)."""
    titles = [t for element in part for t in element.select("span.doc-section-title")]
    title = next((t for t in titles if t.get_text(strip=True) == "Parameters:"), None)
    if title is None:
        return []
    rows = title.find_next("table").select("tbody tr")
    return [row.find("td").get_text(strip=True).lstrip("*") for row in rows]


def text_of(part: list[Tag]) -> str:
    return " ".join(element.get_text(" ", strip=True) for element in part)


SHOWN = ("example_pkg.VERSION", "example_pkg.shapes", "example_pkg._impl.decode", "example_pkg.text.logged",
         "example_pkg.text.tokenize", "example_pkg.text.iter_lines", "example_pkg.text.Tokenizer")
"""What the example site renders (docs/api.md, docs/text.md), with their members."""


def all_targets(docs: Path) -> tuple[Target, ...]:
    return scan(load_settings(docs / "pyproject.toml")).targets


def example_targets(docs: Path) -> tuple[Target, ...]:
    """The targets the example site shows."""
    return tuple(t for t in all_targets(docs) if any(t.path == p or t.path.startswith(p + ".") for p in SHOWN))


def squashed(text: str) -> str:
    """Text without whitespace or backticks, to compare Markdown source with the HTML it became."""
    return "".join(text.replace("`", "").split())


def assert_every_target_marked(html: str, targets: tuple[Target, ...], label: str, *, table: bool = True,
                               offline: bool = True) -> None:
    """Each target is shown once, its whole docstring in its marked block, saying what its draft says.

    An offline draft (`offline`) is the signature provider's: its summary follows the badge, or the
    badge stands alone; its parameters and raised exceptions are shown, and nothing else (no empty
    section, no "None"). A model's draft is complete: a summary and every parameter, by its real name.
    """
    blocks = doc_blocks(html)
    soup = BeautifulSoup(html, "html.parser")
    openings = [m for contents in soup.select(".doc-contents") if (m := marker_of(contents)) is not None]
    assert len(openings) == len(targets)
    for contents in soup.select(".doc-contents"):
        for element in generated_part(contents):
            assert not element.select(".doc-object, .doc-children, .doc-heading"), "members inside a generated block"
    for target in targets:
        path = next((p for p in (target.path, *target.aliases) if p in blocks), None)
        assert path is not None, f"{target.path} not shown"
        marker = marker_of(blocks[path])
        assert marker is not None, f"{target.path} shown without a docgap marker"
        assert marker.get_text(strip=True) == label and not marker.find(True)
        draft = draft_from_signature(target) if offline else None
        opening = squashed(marker.parent.get_text())
        if draft is None:
            assert opening != squashed(label), f"{target.path}: no summary after the badge"
        else:
            assert opening == squashed(label + draft.summary), f"{target.path}: not the draft's summary"
        part = generated_part(blocks[path])
        names = [p.name for p in target.drafted_parameters] if draft is None else list(draft.parameters)
        if table:
            assert parameter_names(part) == names, target.path
        assert all(name in text_of(part) for name in names), target.path
        if draft is not None:
            raised = [r.exception for r in draft.raises]
            assert all(name in text_of(part) for name in raised) and ("Raises" in text_of(part)) == bool(raised)
            assert ("Parameters" in text_of(part)) == bool(names), target.path  # no empty section
            assert all(element.get_text(strip=True) not in ("None", "") for element in part[1:]), target.path
        if (sections := marker.get("data-docgap-sections")) is not None:
            assert sum(map(titled, part)) == int(sections), f"{target.path}: the block ends before the draft"
        children = blocks[path].find_all(recursive=False)
        last = max(i for i, child in enumerate(children) if any(child is element for element in part))
        outside = [c for c in children[:last] if c.name == "table" and not any(c is element for element in part)]
        assert not outside, f"{target.path}: docstring sections outside the marked block"


def assert_human(contents: Tag, *texts: str) -> None:
    """Human text: shown, unmarked, not inside another object's generated block."""
    assert marker_of(contents) is None and not contents.select(":scope > p > .docgap-generated")
    assert not covered(contents), "human text inside a generated block"
    shown = " ".join(" ".join(c.get_text(" ", strip=True).split()) for c in contents.find_all(recursive=False)
                     if "doc-children" not in c.get("class", []))
    assert all(text in shown for text in texts), (texts, shown)
    assert "Drafted" not in shown and "AI-generated" not in shown


@pytest.mark.slow
def test_build_marks_every_undocumented_object(example_docs: Path) -> None:
    before = tree_hash(example_docs / "example_pkg")
    proc = build(example_docs, env_for(), "--strict")
    assert "provider: signature" in proc.stderr and "generated: example_pkg." in proc.stderr
    html = api_page(example_docs)
    targets = example_targets(example_docs)
    assert_every_target_marked(html, targets, "Drafted from signature")
    for badge in BeautifulSoup(html, "html.parser").select(".docgap-generated"):
        assert badge["data-docgap-provider"] == "signature" and badge["data-docgap-model"] == ""
    assert (example_docs / "mkdocs" / "site" / "assets" / "docgap.css").is_file()
    assert BeautifulSoup(html, "html.parser").select('link[href$="assets/docgap.css"]')
    assert tree_hash(example_docs / "example_pkg") == before


@pytest.mark.slow
def test_human_docstrings_unchanged_and_unmarked(example_docs: Path) -> None:
    build(example_docs, env_for())
    blocks = doc_blocks(api_page(example_docs))
    human = {
        "example_pkg.shapes.Point.distance_to": ("Return the Euclidean distance to another point.", "The point to measure to."),
        "example_pkg.text.logged": ("Wrap a function so each call is counted.", "The function to wrap."),
        "example_pkg.shapes.Circle.Builder.build": ("Create the circle.", "Where the circle is centred."),
    }
    for path, (first, detail) in human.items():
        assert_human(blocks[path], first, detail)
        assert blocks[path].get_text(" ", strip=True).startswith(first)


@pytest.mark.parametrize("style", ["google", "numpy", "sphinx"])
def test_marker_is_escaped_inline_and_leaves_the_summary_to_markdown(style: str) -> None:
    odd = 'a*b_`c` [l](u) <i x="y"> :smile: {: .x} & \\ $m$\nnext'
    record = Record(Draft(summary="unused"), provider="openai", model=odd)
    function = griffe.Function("f", parameters=griffe.Parameters(griffe.Parameter("a", annotation="int")))
    rest = {"google": "Args:\n    a: The value.", "numpy": "Parameters\n----------\na\n    The value.",
            "sphinx": ":param a: The value."}[style]
    badge = Session(Settings().replace(label_ai=odd), log=lambda level, text: None).badge(record)
    value = marker(badge, sections=1) + "Sum *all* of `a`.\n\n" + rest
    sections = griffe.Docstring(value, parent=function, parser=style).parsed
    assert [s.kind.value for s in sections] == ["text", "parameters"]
    md = markdown.Markdown(extensions=["attr_list", "md_in_html", "toc", "admonition", "pymdownx.emoji",
                                       "pymdownx.tilde", "pymdownx.caret", "pymdownx.mark", "pymdownx.arithmatex"])
    paragraph = BeautifulSoup(md.convert(sections[0].value), "html.parser").find("p")
    span = paragraph.contents[0]
    flat = " ".join(odd.split())
    assert span["class"] == ["docgap-generated"] and span["data-docgap-model"] == flat
    assert span["title"] == f"Generated by docgap with openai ({flat}); not written by the authors"
    assert span.get_text() == flat and span.find(True) is None
    assert str(paragraph).endswith("</span> Sum <em>all</em> of <code>a</code>.</p>")
    assert value.split("\n", 1)[0].endswith("Sum *all* of `a`.")  # what summary tables show: badge and summary


@pytest.mark.slow
@pytest.mark.parametrize(("theme", "style"), [("mkdocs", "google"), ("readthedocs", "numpy"), ("material", "sphinx")])
def test_themes_and_docstring_styles(example_docs: Path, theme: str, style: str) -> None:
    edit_config(example_docs, "  name: material\n", f"  name: {theme}\n")
    use_handler_options(example_docs, docstring_style=style)
    use_plugin_options(example_docs, label_signature="Machine draft")
    (example_docs / "mkdocs" / "docs" / "custom.css").write_text(".docgap-generated { color: red; }\n")
    edit_config(example_docs, "plugins:\n", "extra_css: [custom.css]\nplugins:\n")
    build(example_docs, env_for())
    html = api_page(example_docs)
    links = [link["href"] for link in BeautifulSoup(html, "html.parser").select("link[rel=stylesheet]")]
    assert links.index("../assets/docgap.css") < links.index("../custom.css"), "the user's stylesheet comes last"
    table = theme != "readthedocs"  # which renders parameters as a list
    assert_every_target_marked(html, example_targets(example_docs), "Machine draft", table=table)


@pytest.mark.slow
def test_summary_tables_show_badge_and_summary(example_docs: Path) -> None:
    use_handler_options(example_docs, summary="true")
    build(example_docs, env_for(), "--strict")
    html = api_page(example_docs)
    assert_every_target_marked(html, example_targets(example_docs), "Drafted from signature")
    blocks = doc_blocks(html)
    rows = {link["href"].rpartition("#")[2]: row for row in BeautifulSoup(html, "html.parser").select("tr.doc-section-item")
            if (link := row.select_one("td:first-child a[href]"))}  # summary rows, by the member's path
    for path, said in (("example_pkg.VERSION", "Drafted from signature Set to '1.4.0' ."),
                       ("example_pkg.text.iter_lines", "Drafted from signature")):  # a fact; none: the badge alone
        summary = marker_of(blocks[path]).parent.get_text(" ", strip=True)  # badge and summary, as in the docstring
        row = rows[path].find_all("td")[-1]
        assert row.select_one(".docgap-generated").get_text(strip=True) == "Drafted from signature"
        assert row.get_text(" ", strip=True) == summary == said
    human = rows["example_pkg.text.logged"].find_all("td")[-1]
    assert human.get_text(" ", strip=True) == "Wrap a function so each call is counted." and not human.select(".docgap-generated")
    inherited = rows["example_pkg.shapes.Circle.area"].find_all("td")[-1]  # an override, shown with its base's text
    assert inherited.get_text(" ", strip=True) == "Return the area of the shape." and not inherited.select(".docgap-generated")
    circle = blocks["example_pkg.shapes.Circle"]  # a generated class: its summary tables are not in its block
    assert marker_of(circle) is not None
    titles = [t for t in circle.select(":scope > p > .doc-section-title") if t.get_text() in ("Classes:", "Methods:")]
    assert len(titles) == 2 and "Methods:" not in text_of(generated_part(circle))
    for title in titles:
        members = title.find_next("table").select("tbody tr")
        assert members and not any(covered(row) for row in members), "a summary table inside the class's block"


@pytest.mark.slow
def test_human_text_griffe_does_not_read_is_shown(tmp_path: Path) -> None:
    package = tmp_path / "tiny"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent('''\
        """A tiny package."""

        #: The greeting spoken
        #: to every visitor.
        GREETING = "hello"

        TIMEOUT = 30  #: Seconds to wait for an answer.


        def helper(count: int) -> int:
            return count + 1


        class Base:
            """A base."""

            def run(self, steps: int) -> int:
                """Run the given number of steps.

                Args:
                    steps: How many steps to run.

                Returns:
                    How many steps ran.
                """
                return steps


        class Child(Base):
            """A child."""

            def run(self, steps: int) -> int:
                return steps * 2
    '''))
    (tmp_path / "pyproject.toml").write_text('[tool.docgap]\npackages = ["tiny"]\nsearch_paths = ["."]\n')
    site = tmp_path / "mkdocs"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "index.md").write_text("# tiny\n\n::: tiny\n    options:\n      show_source: false\n")
    (site / "mkdocs.yml").write_text(f"site_name: tiny\nplugins:\n  - docgap:\n      config: ../pyproject.toml\n"
                                     f"  - mkdocstrings:\n      handlers:\n        python:\n          paths: [{tmp_path}]\n")
    proc = subprocess.run([MKDOCS, "build", "--strict"], cwd=site, env=env_for(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "generated: tiny.helper\n" in proc.stderr, proc.stderr
    blocks = doc_blocks((site / "site" / "index.html").read_text())
    assert_human(blocks["tiny.GREETING"], "The greeting spoken to every visitor.")
    assert_human(blocks["tiny.TIMEOUT"], "Seconds to wait for an answer.")
    assert_human(blocks["tiny.Child.run"], "Run the given number of steps.", "steps", "How many steps ran.")
    assert marker_of(blocks["tiny.helper"]) is not None  # no fact to state about it: the badge alone
    assert text_of(generated_part(blocks["tiny.helper"])) == "Drafted from signature"


@pytest.mark.slow
@pytest.mark.parametrize("registration",
                         ["plugin after mkdocstrings", "handler option only", "plugin and handler option"])
def test_extension_registration(example_docs: Path, registration: str) -> None:
    if registration != "plugin and handler option":
        edit_config(example_docs, "  - docgap\n", "")
    if registration == "plugin after mkdocstrings":
        edit_config(example_docs, "            heading_level: 2\n", "            heading_level: 2\n  - docgap\n")
    else:
        use_handler_options(example_docs, extensions=f"[{EXTENSION}]")
    proc = build(example_docs, env_for())
    shown = example_targets(example_docs)
    # the plugin drafts what the site shows; the griffe extension alone, every object of the package
    drafted = all_targets(example_docs) if registration == "handler option only" else shown
    assert len(drafted) > len(shown) or registration != "handler option only"
    assert f"{len(drafted)} undocumented objects: {len(drafted)} generated" in proc.stderr, proc.stderr
    assert_every_target_marked(api_page(example_docs), shown, "Drafted from signature")


@pytest.mark.slow
def test_without_plugin_strict_fails_the_build(example_docs: Path) -> None:
    edit_config(example_docs, "  - docgap\n", "")
    use_handler_options(example_docs, extensions=f"[{EXTENSION}]")
    config = example_docs / "pyproject.toml"
    config.write_text(config.read_text() + "frozen = true\nstrict = true\n")
    failed = build(example_docs, env_for(), check=False)
    count = len(all_targets(example_docs))  # without the plugin: every object of the package
    assert failed.returncode != 0 and f"docgap: strict: {count} objects left undocumented" in failed.stderr


def test_without_plugin_nothing_is_kept_between_builds(example_docs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(example_docs / "mkdocs")  # settings from the nearest [tool.docgap]
    for _ in range(2):  # as `mkdocs serve` rebuilds
        loader = griffe.GriffeLoader(extensions=griffe.load_extensions(EXTENSION), search_paths=[str(example_docs)])
        package = loader.load("example_pkg")
        assert package["shapes.Circle"].docstring.value.startswith('<span class="docgap-generated" ')
        assert package["shapes.Point.distance_to"].docstring.value.startswith("Return the Euclidean distance")
        assert package["shapes.Circle.area"].docstring.value == "Return the area of the shape."  # inherited
        assert current_build() is None
        core = logging.getLogger("docgap")  # the core's log went to MkDocs' during the fill only
        assert core.propagate and not core.handlers and core.level == logging.NOTSET


def test_plugin_options_follow_the_hosts_path_rule(tmp_path: Path) -> None:
    """Relative paths among the plugin's options are relative to mkdocs.yml, `search_paths` included."""
    (tmp_path / "pyproject.toml").write_text('[tool.docgap]\npackages = ["tiny"]\n')
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - mkdocstrings\n  - docgap:\n"
                                     "      search_paths: [src]\n      cache_dir: cache\n      frozen: 'yes'\n")
    config = load_config(str(site / "mkdocs.yml"))
    try:
        config.plugins["docgap"].on_config(config)
        settings = current_build().session.settings
    finally:
        end_build()
    assert settings.search_paths == (site.resolve() / "src",) and settings.cache_dir == site.resolve() / "cache"
    assert settings.packages == ("tiny",) and settings.frozen is True


@pytest.mark.slow
def test_several_packages_and_a_listed_submodule(example_docs: Path) -> None:
    other = example_docs / "other_pkg"
    other.mkdir()
    (other / "__init__.py").write_text('"""Another package."""\n\n\ndef double(value: int) -> int:\n    return 2 * value\n')
    config = example_docs / "pyproject.toml"
    config.write_text(config.read_text().replace('["example_pkg"]', '["example_pkg.text", "other_pkg"]'))
    options = "".join(f"            {o}\n" for o in ("members_order: source", "show_source: false",
                                                     "show_if_no_docstring: false", "heading_level: 2"))
    edit_config(example_docs, "          options:\n" + options, "          options:\n")  # left empty (null)
    api = "# API\n\n::: example_pkg.shapes\n\n::: example_pkg.text\n\n::: other_pkg\n"
    (example_docs / "mkdocs" / "docs" / "api.md").write_text(api)
    proc = build(example_docs, env_for())
    targets = all_targets(example_docs)
    assert {".".join(t.path.split(".")[:2]) for t in targets} == {"example_pkg.text", "other_pkg.double"}
    api = (example_docs / "mkdocs" / "site" / "api" / "index.html").read_text()  # the text page shows some again
    assert_every_target_marked(api, targets, "Drafted from signature")
    assert proc.stderr.count("undocumented objects:") == 1, "one closing summary for the build"
    assert f"{len(targets)} undocumented objects: {len(targets)} generated" in proc.stderr


@pytest.mark.slow
def test_model_drafts_are_labelled_and_the_key_is_nowhere(example_docs: Path) -> None:
    use_plugin_options(example_docs, provider="openai", model="fake-model")
    with FakeOpenAI() as server:
        proc = build(example_docs, env_for(server))
        sent = len(server.requests)
        assert sent == len(example_targets(example_docs))
        build(example_docs, env_for(server))
        assert len(server.requests) == sent
    html = api_page(example_docs)
    assert_every_target_marked(html, example_targets(example_docs), "AI-generated", offline=False)
    assert all(m["data-docgap-model"] == "fake-model" and m["data-docgap-provider"] == "openai"
               for m in BeautifulSoup(html, "html.parser").select(".docgap-generated"))
    assert KEY not in proc.stdout + proc.stderr
    assert [p for p in example_docs.rglob("*") if p.is_file() and KEY.encode() in p.read_bytes()] == []


@pytest.mark.slow
def test_frozen_and_strict(example_docs: Path) -> None:
    shown = len(example_targets(example_docs))  # what the site shows is counted, not the package
    assert shown < len(all_targets(example_docs))
    use_plugin_options(example_docs, frozen="true")
    proc = build(example_docs, env_for())
    assert f"frozen: {shown} objects have no draft" in proc.stderr
    assert "docgap-generated" not in api_page(example_docs)
    edit_config(example_docs, "      frozen: true\n", "      frozen: true\n      strict: true\n")
    failed = build(example_docs, env_for(), check=False)
    assert failed.returncode != 0 and f"docgap: strict: {shown} objects left undocumented" in failed.stderr
    edit_config(example_docs, "      frozen: true\n      strict: true\n", "      strict: true\n")
    build(example_docs, env_for())  # not frozen: fills the cache ...
    edit_config(example_docs, "      strict: true\n", "      frozen: true\n      strict: true\n")
    assert f"{shown} from cache" in build(example_docs, env_for(), "--strict").stderr  # ... a frozen strict build uses


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


def generated_texts(html: str) -> dict[str, str]:
    return {path: text_of(part) for path, block in doc_blocks(html).items() if (part := generated_part(block))}


@pytest.mark.slow
def test_serve_regenerates_only_the_edited_function(example_docs: Path, tmp_path: Path) -> None:
    use_plugin_options(example_docs, provider="openai", model="fake-model")
    config = example_docs / "pyproject.toml"  # no package list: docgap fills (and watches) what mkdocstrings loads
    config.write_text(config.read_text().replace('packages = ["example_pkg"]\n', ""))
    source = example_docs / "example_pkg" / "text.py"  # its module undocumented: drafted too, and kept on an edit
    source.write_text(source.read_text().replace('"""Splitting and reading text."""\n', "", 1))
    port = free_port()
    log = tmp_path / "serve.log"
    with FakeOpenAI() as server, log.open("w") as sink:
        serve = subprocess.Popen([MKDOCS, "serve", "-a", f"127.0.0.1:{port}"], cwd=example_docs / "mkdocs",
                                 env=env_for(server), stdout=sink, stderr=subprocess.STDOUT, text=True)
        try:
            base = f"http://127.0.0.1:{port}"

            def texts() -> dict[str, str] | None:  # the drafts both reference pages show
                pages = [fetch(f"{base}/{page}/") for page in ("api", "text")]
                return None if None in pages else {**generated_texts(pages[0]), **generated_texts(pages[1])}

            before = wait_for(texts)
            first = len(server.requests)
            shown = len(before)
            assert first == shown and "example_pkg.text" in before
            server.script(Reply(mutate=lambda a: {**a, "summary": "Yield the lines of the text after the edit."}))
            source.write_text(source.read_text().replace("if line or keep_empty:", "if keep_empty or line:"))
            wait_for(lambda: log.read_text().count("Reloading browsers") >= 1)
            assert len(server.requests) == first + 1, "the edited function alone, not its module"
            after = wait_for(lambda: (t := texts()) and "after the edit" in t.get("example_pkg.text.iter_lines", "") and t)
            assert "after the edit" in after.pop("example_pkg.text.iter_lines")
            assert after == {p: t for p, t in before.items() if p != "example_pkg.text.iter_lines"}
            assert "example_pkg.text.iter_lines" in server.requests[-1].body["messages"][-1]["content"]
            rebuild = log.read_text().rsplit("Detected file changes", 1)[1]
            assert f"{shown} undocumented objects: 1 generated, 0 from lock, {shown - 1} from cache" in rebuild
            assert "generated: example_pkg.text.iter_lines\n" in rebuild
            page = example_docs / "mkdocs" / "docs" / "index.md"  # a page edit: no model call, same drafts
            page.write_text(page.read_text() + "\nEdited.\n")
            wait_for(lambda: log.read_text().count("Reloading browsers") >= 2)
            rebuild = log.read_text().rsplit("Detected file changes", 1)[1]
            assert f"{shown} undocumented objects: 0 generated, 0 from lock, {shown} from cache" in rebuild
            assert len(server.requests) == first + 1
            assert "after the edit" in texts()["example_pkg.text.iter_lines"]
        finally:
            serve.terminate()
            serve.wait(timeout=30)
