"""Rendering: every style round-trips through the parsers hosts use, with the target's real names."""

from __future__ import annotations

import html
import io
import logging
import re

import docutils.core
import griffe
import markdown
import pytest
from docutils import nodes
from sphinx.ext.napoleon import Config, GoogleDocstring, NumpyDocstring

from docgap.drafts import Draft, Raise
from docgap.render import render, render_google, render_numpy, render_sphinx
from docgap.targets import Parameter, Target

STYLES = ["google", "numpy", "sphinx"]
MARKUPS = ["rest", "markdown"]
SOURCE = ("def paint(color: str, alpha: float = 1.0, *shades: str, **options: int) -> bool:\n"
          "    raise ValueError(color)\n")
PAINT = Target(path="pkg.paint", kind="function", key="p", returns="bool", returns_value=True,
               parameters=(Parameter("color", annotation="str"), Parameter("alpha", annotation="float", default="1.0"),
                           Parameter("shades", "variadic positional", "str"),
                           Parameter("options", "variadic keyword", "int")))
PLAIN = Draft(summary="Paint the canvas.", description="Uses the `color` given.\n\nA second paragraph.",
              parameters={"color": "The color.", "alpha": "Opacity.", "shades": "More shades.", "options": "Options."},
              returns="Whether it worked.", raises=(Raise("ValueError", "If the color is unknown."),),
              examples="paint('red')\n\n\n\nif paint('blue'):\n    print('done')")
TRICKY = Draft(  # text that looks like the structure of every style
    summary="Returns: a summary with `code: span` and a colon.",
    description="Args:\n    color: fake entry\n\nParameters\n----------\nfake : int\n\n:param fake: no\n\n"
                "```\n>>> fake()\n```\n\n- item\n1. item\n\nExamples:\n    fake",
    parameters={"color": "The color: red.\n\nReturns:\n    fake", "alpha": "Raises\n------\nValueError",
                "shades": ":returns: fake", "options": "Yields:\n    fake"},
    returns="Value: `a:b` here.\nReturns:\n    fake", raises=(Raise("ValueError", "When:\n    Returns: fake"),),
    examples="x = '''\nReturns:\n    fake\n```\n>>> fake\n-----\n'''",
)
EXPECTED_SECTIONS = {"google": ["text", "parameters", "returns", "raises", "examples"],
                     "numpy": ["text", "parameters", "returns", "raises", "examples"],
                     "sphinx": ["text", "parameters", "returns", "raises"]}  # griffe's Sphinx parser has no examples


def griffe_sections(text: str, style: str, source: str = SOURCE, name: str = "paint") -> list[griffe.DocstringSection]:
    """Parse `text` as the docstring of `name` in `source` with griffe's parser for `style`."""
    parse = {"google": griffe.parse_google, "numpy": griffe.parse_numpy, "sphinx": griffe.parse_sphinx}[style]
    with griffe.temporary_visited_module(source) as module:
        return parse(griffe.Docstring(text, parent=module[name]))


def section(sections: list[griffe.DocstringSection], kind: str) -> griffe.DocstringSection:
    return next(s for s in sections if s.kind.value == kind)


def napoleon(text: str, style: str) -> str:
    """What Sphinx with napoleon (params, rtype and ivar fields) makes of a docstring."""
    config = Config(napoleon_use_param=True, napoleon_use_rtype=True, napoleon_use_ivar=True)
    if style == "google":
        return str(GoogleDocstring(text, config))
    if style == "numpy":
        return str(NumpyDocstring(text, config))
    return text


def rest_doctree(text: str) -> tuple[nodes.document, str]:
    """Parse reST like autodoc content is parsed; return the tree and docutils' warnings."""
    warnings = io.StringIO()
    doctree = docutils.core.publish_doctree(text, settings_overrides={
        "report_level": 1, "halt_level": 5, "warning_stream": warnings, "docinfo_xform": False, "doctitle_xform": False})
    return doctree, warnings.getvalue()


def field_names(doctree: nodes.document) -> list[str]:
    return [node.astext() for node in doctree.findall(nodes.field_name)]


@pytest.mark.parametrize("draft", [PLAIN, TRICKY], ids=["plain", "tricky"])
@pytest.mark.parametrize("markup", MARKUPS)
@pytest.mark.parametrize("style", STYLES)
def test_griffe_reads_the_same_sections_and_names(style: str, markup: str, draft: Draft,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="griffe"):
        sections = griffe_sections(render(draft, PAINT, style, markup), style)
    assert [s.kind.value for s in sections] == EXPECTED_SECTIONS[style]
    names = [p.name for p in section(sections, "parameters").value]
    if markup == "rest" and style == "sphinx":
        names = [n.replace("\\", "") for n in names]  # reST field names escape stars; docutils drops the escapes
    assert names == ["color", "alpha", "*shades", "**options"]
    assert [str(r.annotation) for r in section(sections, "raises").value] == ["ValueError"]
    assert str(section(sections, "returns").value[0].annotation) == "bool"  # never a piece of the text
    # griffe is not what reads reST Sphinx-style fields (docutils is), and it keeps the `\\*` escapes.
    assert [r.getMessage() for r in caplog.records if "'\\*" not in r.getMessage()] == []


@pytest.mark.parametrize("draft", [PLAIN, TRICKY], ids=["plain", "tricky"])
@pytest.mark.parametrize("style", STYLES)
def test_sphinx_reads_the_same_fields(style: str, draft: Draft) -> None:
    doctree, warnings = rest_doctree(napoleon(render(draft, PAINT, style, "rest"), style))
    assert warnings == ""
    rtype = ["rtype"] if style == "numpy" else []  # a type line is only written where the style needs one
    assert field_names(doctree) == ["param color", "param alpha", "param *shades", "param **options", "returns",
                                    *rtype, "raises ValueError"]
    literal_blocks = [node.astext() for node in doctree.findall(nodes.literal_block)]
    assert literal_blocks == [re.sub(r"\n{3,}", "\n\n", draft.examples or "")]
    assert [node.astext() for node in doctree.findall(nodes.rubric)] == ["Examples"]


def test_a_colon_in_returns_text_stays_text() -> None:
    draft = Draft(summary="Paint.", returns="Whether it worked: yes.")
    target = Target(path="pkg.paint", kind="function", key="p", returns="bool", returns_value=True)
    assert "Whether it worked\\: yes." in napoleon(render(draft, target, "google", "rest"), "google")
    assert ":rtype:" not in napoleon(render(draft, target, "google", "rest"), "google")
    returns = section(griffe_sections(render(draft, target, "google", "markdown"), "google"), "returns").value[0]
    assert html.unescape(returns.description) == "Whether it worked: yes." and str(returns.annotation) == "bool"


GEN = Target(path="pkg.lines", kind="function", key="g", yields=True, returns="Iterator[str]")
GEN_SOURCE = "from typing import Iterator\ndef lines() -> Iterator[str]:\n    yield 'a'\n"
POINT = Target(path="pkg.Point", kind="class", key="c", attributes=("x", "y_"))
POINT_SOURCE = "class Point:\n    x: int\n    y_: int\n"


@pytest.mark.parametrize("markup", MARKUPS)
@pytest.mark.parametrize("style", ["google", "numpy"])
def test_yields_and_attributes_sections(style: str, markup: str) -> None:
    gen = griffe_sections(render(Draft(summary="Read lines.", yields="Each line."), GEN, style, markup), style,
                          GEN_SOURCE, "lines")
    assert [s.kind.value for s in gen] == ["text", "yields"]
    assert str(section(gen, "yields").value[0].annotation) == "str"
    cls = griffe_sections(render(Draft(summary="A point.", attributes={"x": "X.", "y_": "Y."}), POINT, style, markup),
                          style, POINT_SOURCE, "Point")
    assert [a.name for a in section(cls, "attributes").value] == ["x", "y_"]


def test_sphinx_style_yields_and_attributes_are_fields() -> None:
    doctree, warnings = rest_doctree(render_sphinx(Draft(summary="Read lines.", yields="Each line."), GEN))
    assert warnings == "" and field_names(doctree) == ["Yields"]
    doctree, warnings = rest_doctree(render_sphinx(Draft(summary="A point.", attributes={"x": "X.", "y_": "Y."}), POINT))
    assert warnings == "" and field_names(doctree) == ["ivar x", "ivar y_"]
    sections = griffe_sections(render_sphinx(Draft(summary="A point.", attributes={"x": "X.", "y_": "Y."}), POINT,
                                             "markdown"), "sphinx", POINT_SOURCE, "Point")
    assert [a.name for a in section(sections, "attributes").value] == ["x", "y_"]


def test_sphinx_style_yields_in_markdown_are_text_griffe_shows() -> None:
    text = render_sphinx(Draft(summary="Read lines.", yields="Each line.", raises=(Raise("OSError", "On failure."),)),
                         GEN, "markdown")
    sections = griffe_sections(text, "sphinx", GEN_SOURCE, "lines")
    assert [s.kind.value for s in sections] == ["text", "raises"]
    assert section(sections, "text").value == "Read lines.\n\nYields: Each line."
    assert section(sections, "raises").value[0].description == "On failure."


def test_numpy_type_lines_come_from_the_annotation() -> None:
    assert "Yields\n------\nstr\n    Each line." in render_numpy(Draft(summary="Read.", yields="Each line."), GEN)
    untyped = Target(path="pkg.f", kind="function", key="f", returns_value=True)
    assert "Returns\n-------\nobject\n    A value." in render_numpy(Draft(summary="Do.", returns="A value."), untyped)
    starred = Target(path="pkg.f", kind="function", key="f", returns="tuple[int,  *Ts]", returns_value=True)
    doctree, warnings = rest_doctree(napoleon(render_numpy(Draft(summary="Do.", returns="A value."), starred), "numpy"))
    rtype = next(f for f in doctree.findall(nodes.field) if f[0].astext() == "rtype")
    assert warnings == "" and rtype[1].astext() == "tuple[int, *Ts]"


def test_names_come_from_the_target_not_the_draft() -> None:
    sneaky = Draft(summary="S.", parameters={"color": "c", "evil": "x"}, attributes={"ghost": "g"}, returns="r")
    for style in STYLES:
        text = render(sneaky, PAINT, style)
        assert "evil" not in text and "ghost" not in text and "color" in text


def test_human_doc_parameters_are_rendered_with_their_text() -> None:
    target = Target(path="pkg.f", kind="function", key="f", parameters=(Parameter("a", doc="Human *words*."), Parameter("b")))
    draft = Draft(summary="Do it.", parameters={"b": "B."})
    assert "a: Human \\*words\\*." in render_google(draft, target)
    assert "a: Human &#42;words&#42;." in render_google(draft, target, "markdown")


def test_markdown_examples_stay_one_code_block() -> None:
    sections = griffe_sections(render(TRICKY, PAINT, "google", "markdown"), "google")
    (kind, code), = section(sections, "examples").value
    assert kind.value == "text"
    assert markdown.markdown(code).startswith("<pre><code>")
    assert html.unescape(re.sub(r"</?(pre|code)>", "", markdown.markdown(code))) == TRICKY.examples


def test_unknown_style_or_markup_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown docstring style 'epytext'"):
        render(PLAIN, PAINT, "epytext")
    with pytest.raises(ValueError, match="unknown markup 'html'"):
        render(PLAIN, PAINT, "google", "html")
