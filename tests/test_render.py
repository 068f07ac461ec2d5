"""Rendering: every style round-trips through griffe's parsers, and hostile text stays text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import docutils.core
import griffe
import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgap.drafts import Draft, Raise
from docgap.render import render
from docgap.render.sanitize import escape_text
from docgap.targets import Parameter, Target

SOURCE = "def paint(color, alpha=1.0, *shades, **options):\n    raise ValueError('x')\n"
TARGET = Target(path="pkg.paint", kind="function", key="k", returns="bool", returns_value=True,
                parameters=(Parameter("color"), Parameter("alpha", default="1.0"),
                            Parameter("shades", "variadic positional"), Parameter("options", "variadic keyword")))
DRAFT = Draft(summary="Paint the canvas.", description="Uses the `color` given.\n\nA second paragraph: see notes.",
              parameters={"color": "The color: red or blue.", "alpha": "Opacity.", "shades": "More shades.",
                          "options": "Extra options."},
              returns="Whether it worked.", raises=(Raise("ValueError", "If the color is unknown."),),
              examples="paint('red')\nprint('done')")
GEN = Target(path="pkg.lines", kind="function", key="g", yields=True, returns="Iterator[str]")
CLASS = Target(path="pkg.Point", kind="class", key="c", attributes=("x", "y"))


def parsed(text: str, style: str, source: str = SOURCE, name: str = "paint") -> list[griffe.DocstringSection]:
    with griffe.temporary_visited_module(source) as module:
        obj = module[name]
        return griffe.Docstring(text, parent=obj).parse(style)


def section(sections, kind: str):
    return next(s for s in sections if s.kind.value == kind)


@pytest.mark.parametrize("style", ["google", "numpy", "sphinx"])
@pytest.mark.parametrize("markup", ["rest", "markdown"])
def test_round_trip_sections_and_parameter_names(style: str, markup: str) -> None:
    sections = parsed(render(DRAFT, TARGET, style, markup), style)
    kinds = [s.kind.value for s in sections]
    assert kinds[0] == "text" and "parameters" in kinds and "returns" in kinds and "raises" in kinds
    names = [p.name.replace("\\", "") for p in section(sections, "parameters").value]
    assert names == ["color", "alpha", "*shades", "**options"]
    assert [r.annotation if isinstance(r.annotation, str) else str(r.annotation) for r in section(sections, "raises").value] == ["ValueError"]
    assert "Paint the canvas" in sections[0].value


@pytest.mark.parametrize("style", ["google", "numpy"])
def test_yields_and_attributes_sections(style: str) -> None:
    gen = parsed(render(Draft(summary="Read lines.", yields="Each line."), GEN, style, "markdown"), style,
                 "def lines():\n    yield 'a'\n", "lines")
    assert "yields" in [s.kind.value for s in gen]
    cls = parsed(render(Draft(summary="A point.", attributes={"x": "X.", "y": "Y."}), CLASS, style, "markdown"), style,
                 "class Point:\n    x: int\n    y: int\n", "Point")
    assert [a.name for a in section(cls, "attributes").value] == ["x", "y"]


def test_names_come_from_the_target_not_the_draft() -> None:
    sneaky = Draft(summary="S.", parameters={"color": "c", "alpha": "a", "shades": "s", "options": "o", "evil": "x"},
                   returns="r")
    assert "evil" not in render(sneaky, TARGET, "google")


def test_human_doc_parameters_are_rendered_with_their_text() -> None:
    target = Target(path="pkg.f", kind="function", key="f", parameters=(Parameter("a", doc="Human words."), Parameter("b")))
    assert "Human words" in render(Draft(summary="Do it.", parameters={"b": "B."}), target, "google")


HOSTILE = [
    ".. raw:: html\n\n   <script>alert(1)</script>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    ":func:`os.system` and :raw-html:`<b>x</b>`",
    "|subst| and |other|_",
    "[click](javascript:alert(1)) ![i](javascript:alert(2))",
    "`x <javascript:alert(1)>`_",
    ".. include:: /etc/passwd",
    "<!-- comment --> <a href='javascript:x'>a</a>",
    "Returns:\n    something: fake section",
    "Parameters\n----------\nfake : int",
    "# Heading\n\n> quote\n\n    indented code\n\n* item\n1. item",
    "``double`` and `single` and ```triple```",
]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in ("href", "src")]


def rest_html(text: str) -> str:
    return docutils.core.publish_parts(text, writer="html5",
                                       settings_overrides={"report_level": 5, "halt_level": 5, "file_insertion_enabled": False,
                                                           "raw_enabled": False})["body"]


def md_html(text: str) -> str:
    return markdown.markdown(text)


def mkdocstrings_html(text: str, style: str) -> str:
    """What mkdocstrings does: split sections with griffe, then render each text as Markdown."""
    pieces: list[str] = []
    for part in parsed(text, style):
        values = part.value if isinstance(part.value, list) else [part.value]
        for value in values:
            pieces.append(value if isinstance(value, str) else getattr(value, "description", "") or "")
    return "\n".join(md_html(piece) for piece in pieces)


SAFE_TAGS = {"p", "code", "pre", "em", "strong", "dl", "dt", "dd", "ul", "ol", "li", "div", "span", "blockquote",
             "table", "tbody", "thead", "tr", "td", "th", "colgroup", "col", "aside", "cite", "hr", "h1", "h2", "h3",
             "h4", "h5", "h6", "a", "sup", "br", "section"}


def assert_safe(html: str) -> None:
    elements = _Elements()
    elements.feed(html)
    assert set(elements.tags) <= SAFE_TAGS, set(elements.tags) - SAFE_TAGS
    assert all(not re.match(r"\s*(javascript|data|vbscript):", url, re.I) for url in elements.urls), elements.urls
    assert "<script" not in html and "<img" not in html


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("style", ["google", "numpy", "sphinx"])
def test_hostile_text_stays_text(text: str, style: str) -> None:
    draft = Draft(summary="Hostile.", description=text, parameters={p.name: text for p in TARGET.parameters},
                  returns=text, raises=(Raise("ValueError", text),), examples=text)
    rest = rest_html(render(draft, TARGET, style, "rest"))
    md = mkdocstrings_html(render(draft, TARGET, style, "markdown"), style)
    for html in (rest, md):
        assert_safe(html)
        assert "<a" not in html


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "a & b < c > d", "x*y*z_w_", "`len` of it"])
def test_escaped_text_reads_the_same(text: str) -> None:
    visible_rest = re.sub(r"<[^>]+>", "", rest_html(escape_text(text, "rest")))
    visible_md = re.sub(r"<[^>]+>", "", md_html(escape_text(text, "markdown")))
    import html as html_module
    expected = text.replace("`", "")
    assert html_module.unescape(visible_rest).strip() == expected
    assert html_module.unescape(visible_md).strip() == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
       style=st.sampled_from(["google", "numpy", "sphinx"]))
def test_property_no_raw_html_from_any_text(text: str, style: str) -> None:
    draft = Draft(summary="S.", description=text, parameters={p.name: text or "x" for p in TARGET.parameters},
                  returns=text or "x", raises=(Raise("ValueError", text or "x"),))
    assert_safe(rest_html(render(draft, TARGET, style, "rest")))
    assert_safe(mkdocstrings_html(render(draft, TARGET, style, "markdown"), style))
