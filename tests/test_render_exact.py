"""Rendering, letter for letter: the exact text of each style and markup for drafts that touch every rule.

The parser round-trips in `test_render.py` accept many spellings (section titles in any case, a
type line escaped or not); these pin the one docgap writes. Each expected text was read and checked
by hand against the style's rules: reST escapes, roman-numeral enumerators (`X.`), field-name
escapes (`type\\_`, `\\*shades`), the empty type before a colon in Google returns, type lines from
the annotation in NumPy, character references in Markdown.
"""

from __future__ import annotations

import pytest

from docgap.drafts import Draft, Raise
from docgap.render import render, render_google, render_numpy
from docgap.render.parts import exception_name
from docgap.render.sanitize import code_block
from docgap.targets import Parameter, Target

PAINT = Target(path="pkg.paint", kind="function", key="p", returns="dict[str, int]", returns_value=True,
               parameters=(Parameter("type_"), Parameter("alpha", doc=""), Parameter("shades", "variadic positional")))
PAINT_DRAFT = Draft(summary="Paint the canvas.", description="Uses `type_` *twice*.",
                    parameters={"type_": "The kind.", "shades": "More."}, returns="A mapping.\nKeys: names.",
                    raises=(Raise("ValueError", "If bad."),), examples="paint('red')")
LINES = Target(path="pkg.lines", kind="function", key="g", yields=True, returns="Iterator[list[str]]")
LINES_DRAFT = Draft(summary="Read lines.", yields="Each line: split.\nEnds at the end.")
POINT = Target(path="pkg.Point", kind="class", key="c", attributes=("x", "y_"))
POINT_DRAFT = Draft(summary="A point.", attributes={"x": "X.", "y_": "Y."})

PAINTED = {
    ('google', 'rest'): [
        'Paint the canvas.',
        '',
        'Uses ``type_`` \\*twice\\*.',
        '',
        'Args:',
        '    type_: The kind.',
        '    alpha:',
        '    *shades: More.',
        '',
        'Returns:',
        '    A mapping.',
        '    Keys\\: names.',
        '',
        'Raises:',
        '    ValueError: If bad.',
        '',
        'Examples:',
        '    ::',
        '',
        "        paint('red')",
    ],
    ('google', 'markdown'): [
        'Paint the canvas.',
        '',
        'Uses `type_` &#42;twice&#42;.',
        '',
        'Args:',
        '    type_: The kind.',
        '    alpha:',
        '    *shades: More.',
        '',
        'Returns:',
        '    A mapping.',
        '        Keys&#58; names.',
        '',
        'Raises:',
        '    ValueError: If bad.',
        '',
        'Examples:',
        '    <pre><code>paint&#40;&#39;red&#39;&#41;</code></pre>',
    ],
    ('numpy', 'rest'): [
        'Paint the canvas.',
        '',
        'Uses ``type_`` \\*twice\\*.',
        '',
        'Parameters',
        '----------',
        'type_',
        '    The kind.',
        'alpha',
        '*shades',
        '    More.',
        '',
        'Returns',
        '-------',
        'dict\\[str, int\\]',
        '    A mapping.',
        '    Keys\\: names.',
        '',
        'Raises',
        '------',
        'ValueError',
        '    If bad.',
        '',
        'Examples',
        '--------',
        '::',
        '',
        "    paint('red')",
    ],
    ('numpy', 'markdown'): [
        'Paint the canvas.',
        '',
        'Uses `type_` &#42;twice&#42;.',
        '',
        'Parameters',
        '----------',
        'type_',
        '    The kind.',
        'alpha',
        '*shades',
        '    More.',
        '',
        'Returns',
        '-------',
        'dict[str, int]',
        '    A mapping.',
        '    Keys&#58; names.',
        '',
        'Raises',
        '------',
        'ValueError',
        '    If bad.',
        '',
        'Examples',
        '--------',
        '<pre><code>paint&#40;&#39;red&#39;&#41;</code></pre>',
    ],
    ('sphinx', 'rest'): [
        'Paint the canvas.',
        '',
        'Uses ``type_`` \\*twice\\*.',
        '',
        '.. rubric:: Examples',
        '',
        '::',
        '',
        "    paint('red')",
        '',
        ':param type\\_: The kind.',
        ':param alpha:',
        ':param \\*shades: More.',
        ':returns: A mapping.',
        '    Keys\\: names.',
        ':raises ValueError: If bad.',
    ],
    ('sphinx', 'markdown'): [
        'Paint the canvas.',
        '',
        'Uses `type_` &#42;twice&#42;.',
        '',
        'Examples:',
        '',
        '<pre><code>paint&#40;&#39;red&#39;&#41;</code></pre>',
        '',
        ':param type_: The kind.',
        ':param alpha:',
        ':param *shades: More.',
        ':returns: A mapping.',
        '    Keys&#58; names.',
        ':raises ValueError: If bad.',
    ],
}

SMALL = {
    ('google', 'rest', LINES): 'Read lines.\n\nYields:\n    : Each line\\: split.\n    Ends at the end.',
    ('google', 'rest', POINT): 'A point.\n\nAttributes:\n    x: \\X.\n    y_: \\Y.',
    ('google', 'markdown', LINES): 'Read lines.\n\nYields:\n    Each line&#58; split.\n        Ends at the end.',
    ('google', 'markdown', POINT): 'A point.\n\nAttributes:\n    x: X.\n    y_: Y.',
    ('numpy', 'rest', LINES): 'Read lines.\n\nYields\n------\nlist\\[str\\]\n    Each line\\: split.\n    Ends at the end.',
    ('numpy', 'rest', POINT): 'A point.\n\nAttributes\n----------\nx\n    \\X.\ny_\n    \\Y.',
    ('numpy', 'markdown', LINES): 'Read lines.\n\nYields\n------\nlist[str]\n    Each line&#58; split.\n    Ends at the end.',
    ('numpy', 'markdown', POINT): 'A point.\n\nAttributes\n----------\nx\n    X.\ny_\n    Y.',
    ('sphinx', 'rest', LINES): 'Read lines.\n\n:Yields: Each line\\: split.\n    Ends at the end.',
    ('sphinx', 'rest', POINT): 'A point.\n\n:ivar x: \\X.\n:ivar y\\_: \\Y.',
    ('sphinx', 'markdown', LINES): 'Read lines.\n\nYields: Each line&#58; split.\n    Ends at the end.',
    ('sphinx', 'markdown', POINT): 'A point.\n\n:ivar x: X.\n:ivar y_: Y.',
}


@pytest.mark.parametrize(("style", "markup"), list(PAINTED))
def test_every_section_of_a_function(style: str, markup: str) -> None:
    assert render(PAINT_DRAFT, PAINT, style, markup).split("\n") == PAINTED[style, markup]


@pytest.mark.parametrize(("style", "markup", "target"), list(SMALL), ids=lambda v: getattr(v, "path", v))
def test_yields_and_attributes(style: str, markup: str, target: Target) -> None:
    draft = LINES_DRAFT if target is LINES else POINT_DRAFT
    assert render(draft, target, style, markup) == SMALL[style, markup, target]


def test_google_is_the_default_style() -> None:
    assert render(PAINT_DRAFT, PAINT) == render_google(PAINT_DRAFT, PAINT, "rest")


def test_unknown_style_and_markup_list_the_choices() -> None:
    with pytest.raises(ValueError) as style:
        render(PAINT_DRAFT, PAINT, "epytext")
    assert str(style.value) == "unknown docstring style 'epytext'; expected one of google, numpy, sphinx"
    with pytest.raises(ValueError) as markup:
        render(PAINT_DRAFT, PAINT, "google", "html")
    assert str(markup.value) == "unknown markup 'html'; expected one of rest, markdown"


@pytest.mark.parametrize(("name", "shown"), [
    ("pkg.errors.Bad", "pkg.errors.Bad"),  # a dotted name as is
    (" Xml:Error. ", "Xml Error"),         # else its words, without the colon a parser would split on
    ("!!!", "Exception"),                  # and a stand-in when nothing is left
])
def test_exception_names_are_words_only(name: str, shown: str) -> None:
    assert exception_name(name) == shown


@pytest.mark.parametrize(("annotation", "shown"), [
    ("typing.Generator[dict[str, int], None, None]", "dict[str, int]"),
    ("Generator[XMLNode, None, None]", "XMLNode"),
])
def test_the_yield_type_is_the_first_argument_of_a_generator(annotation: str, shown: str) -> None:
    target = Target(path="pkg.g", kind="function", key="g", yields=True, returns=annotation)
    assert render_numpy(Draft(summary="S.", yields="Y."), target, "markdown") == f"S.\n\nYields\n------\n{shown}\n    Y."


def test_markdown_example_code_is_character_references_but_letters_digits_and_spaces() -> None:
    assert code_block("X = {'a': 1}\nif X:\n    print(X)", "markdown") == (
        "<pre><code>X &#61; &#123;&#39;a&#39;&#58; 1&#125;\nif X&#58;\n&#32;&#32;&#32;&#32;print&#40;X&#41;</code></pre>")
