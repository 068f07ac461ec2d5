"""Sanitisation: hostile text rendered through the hosts' real parsers stays visible text and nothing else.

reST goes where Sphinx sends it: napoleon first for the Google and NumPy styles, then docutils with
Sphinx's permissive defaults (raw HTML and file inclusion enabled). Markdown goes where mkdocstrings
sends it: griffe splits the docstring into sections, then each piece of text is converted by
Python-Markdown with the extensions MkDocs projects commonly enable (emoji, magic links, snippets,
attribute lists...), any of which would turn unescaped text into elements.

The allow-lists hold only what docgap's own layout produces, so any other element (emphasis, lists,
block quotes, tables, headings, links, images) could only come from the draft's text:

- reST: `p` (paragraphs, the Examples rubric), `span` (inline literals, field-name colons),
  `pre` (the examples literal block), `dl`/`dt`/`dd` (field lists: Sphinx fields and napoleon's
  output).
- Markdown: `p`, `code` (inline literals), `pre` (the examples block), `span` (only inside `code`,
  from pymdownx.inlinehilite's highlighting of a code span).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import docutils.core
import griffe
import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sphinx.ext.napoleon import Config, GoogleDocstring, NumpyDocstring

from docgap.drafts import Draft, Raise
from docgap.render import render
from docgap.render.sanitize import CODE_SPAN, code_block, escape_text, normalize
from docgap.targets import Parameter, Target

STYLES = ["google", "numpy", "sphinx"]
SOURCE = "def paint(color: str, *shades: str, **options: int) -> bool:\n    raise ValueError(color)\n"
PAINT = Target(path="pkg.paint", kind="function", key="p", returns="bool", returns_value=True,
               parameters=(Parameter("color", annotation="str"), Parameter("shades", "variadic positional", "str"),
                           Parameter("options", "variadic keyword", "int")))
REST_TAGS = {"p", "span", "pre", "dl", "dt", "dd"}
MARKDOWN_TAGS = {"p", "code", "pre", "span"}
SECRET = "TOPSECRET-7f3a"
HOSTILE = [
    ".. raw:: html\n\n   <script>alert(1)</script>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    ":role:`x` and :raw-html:`<b>x</b>` and `x`:role:",
    "|subst| and |other|_ and name_ and `target`_ and [1]_ and [#]_",
    "[x](javascript:alert(1)) ![i](javascript:alert(2)) [y][ref]\n\n[ref]: javascript:alert(3)",
    "`x <javascript:alert(1)>`_ and `y <https://example.com>`__",
    "<!-- comment --> <a href='javascript:x'>a</a> <https://example.com> <javascript:alert(1)>",
    ".. include:: /etc/passwd",
    '--8<-- "secret.txt"\n;--8<-- "secret.txt"',
    ":smile: www.example.com a@b.example javascript:alert(1) http://example.com data:text/html,x",
    "Returns:\n    fake: section\n\nArgs:\n    color: fake",
    "Parameters\n----------\nfake : int\n    Fake.",
    ":param fake: no\n:returns: fake",
    "# Heading\n\n> quote\n\n    indented code\n\n* item\n- item\n+ item\n1. item\n2) item\n#. item\n(a) item\n\nTerm\n: definition",
    "``double`` and `single` and ```triple``` and `unclosed",
    "{: onclick=alert(1) } **bold** _em_ ==mark== ^^ins^^ ~~del~~ ++ctrl+alt++ $x$ \\(y\\) [^1] *[HTML]: x {++ins++}",
    '!!! danger "x"\n    body\n\n??? note\n    body\n\n=== "Tab"\n    body',
    "x\u2028.. raw:: html\n\n<script>alert(1)</script>",
    "line\x0c.. raw:: html\x0b\x85    <script>x</script>",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n+---+\n| a |\n+---+\n\n=== ===\na   b\n=== ===",
    "Title\n=====\n\nSub\n---\n\n----\n\n.. _anchor:",
    ">>> import os\n>>> os.system('x')\n\n::\n\n    literal",
    "```python\nevil()\n```\n\n~~~\nevil()\n~~~",
    "trailing backslash \\\nand \\`escaped\\` \\*x\\*   \nhard break",
    "- [ ] task\n- [x] done",
    "` ` .. raw:: html\n` `    indented\ntrailing  ` `\nnext\n` `1. item\n`a``b` and `c`` `` `d`",
    "\\\\\\\\\ntitle\n\\\\\\\\\\\\",
]


class Elements(HTMLParser):
    """The tags and attributes of an HTML fragment."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def visible(fragment: str) -> str:
    """The text a reader sees, white space collapsed (block elements separate words, inline ones do not)."""
    text = re.sub(r"</?(?:p|pre|dl|dt|dd)\b[^>]*>", " ", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


# Substitutions a host project may define in `rst_prolog`: an unescaped `|subst|` would expand to them.
PROLOG = ".. |subst| image:: javascript:alert(1)\n.. |other| raw:: html\n\n   <script>alert(1)</script>\n\n"


def rest_html(text: str, style: str) -> str:
    """HTML for a reST docstring, as Sphinx makes it.

    Napoleon for Google/NumPy, raw and includes enabled, substitutions defined by a prolog.
    """
    config = Config(napoleon_use_param=True, napoleon_use_rtype=True, napoleon_use_ivar=True)
    if style == "google":
        text = str(GoogleDocstring(text, config))
    elif style == "numpy":
        text = str(NumpyDocstring(text, config))
    return docutils.core.publish_parts(PROLOG + text, writer="html5", settings_overrides={
        "report_level": 5, "halt_level": 5, "raw_enabled": True, "file_insertion_enabled": True,
        "docinfo_xform": False, "doctitle_xform": False})["body"]


@pytest.fixture(scope="module")
def md(tmp_path_factory: pytest.TempPathFactory) -> markdown.Markdown:
    """Python-Markdown with common MkDocs extensions; snippets may read a secret file."""
    base = tmp_path_factory.mktemp("snippets")
    (base / "secret.txt").write_text(SECRET)
    return markdown.Markdown(extensions=[
        "toc", "tables", "fenced_code", "abbr", "attr_list", "def_list", "footnotes", "md_in_html", "admonition",
        "pymdownx.superfences", "pymdownx.details", "pymdownx.tabbed", "pymdownx.emoji", "pymdownx.magiclink",
        "pymdownx.mark", "pymdownx.caret", "pymdownx.tilde", "pymdownx.keys", "pymdownx.critic",
        "pymdownx.arithmatex", "pymdownx.tasklist", "pymdownx.smartsymbols", "pymdownx.highlight",
        "pymdownx.inlinehilite", "pymdownx.snippets",
    ], extension_configs={"pymdownx.snippets": {"base_path": [str(base)]}})


def convert(md: markdown.Markdown, text: str) -> str:
    md.reset()
    return md.convert(text)


def mkdocstrings_html(text: str, style: str, md: markdown.Markdown) -> str:
    """What mkdocstrings does: griffe splits the sections, every piece of text goes through Markdown."""
    with griffe.temporary_visited_module(SOURCE) as module:
        sections = griffe.Docstring(text, parent=module["paint"]).parse(style)
    pieces: list[str] = []
    for part in sections:
        kind, value = part.kind.value, part.value
        if kind == "text":
            pieces.append(convert(md, value))
        elif kind == "examples":  # text is Markdown; doctest code is highlighted (escaped) by the template
            pieces += [convert(md, sub) if sub_kind.value == "text" else f"<pre>{html.escape(sub)}</pre>"
                       for sub_kind, sub in value]
        elif kind == "admonition":
            pieces += [convert(md, part.title or ""), convert(md, value.contents)]
        else:  # names and annotations are escaped by the templates; descriptions are Markdown
            for item in value:
                pieces.append(f"<p>{html.escape(str(getattr(item, 'name', '') or item.annotation or ''))}</p>")
                pieces.append(convert(md, item.description))
    return "\n".join(pieces)


def assert_only_text(fragment: str, allowed: set[str]) -> None:
    elements = Elements(fragment)
    assert set(elements.tags) <= allowed, (set(elements.tags) - allowed, fragment)
    assert {name for name, _ in elements.attributes} <= {"class"}, (elements.attributes, fragment)
    assert not [v for _, v in elements.attributes if re.match(r"\s*[a-z][a-z0-9+.-]*:", v, re.IGNORECASE)], fragment
    assert "<script" not in fragment and "<img" not in fragment and SECRET not in fragment
    assert "root:" not in fragment  # /etc/passwd


def hostile_draft(text: str) -> Draft:
    return Draft(summary="Hostile.", description=text, parameters={p.name: text for p in PAINT.parameters},
                 returns=text, raises=(Raise("ValueError", text), Raise(text, "Named by the text.")), examples=text)


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("style", STYLES)
def test_hostile_text_stays_text(text: str, style: str, md: markdown.Markdown) -> None:
    assert_only_text(rest_html(render(hostile_draft(text), PAINT, style, "rest"), style), REST_TAGS)
    assert_only_text(mkdocstrings_html(render(hostile_draft(text), PAINT, style, "markdown"), style, md), MARKDOWN_TAGS)


def expected_visible(text: str) -> str:
    """What escaping promises a reader sees: the text, code spans without their backticks, no control characters."""
    lines = []
    for line in text.splitlines():
        line = "".join(c if c.isprintable() else " " if c.isspace() else "" for c in line)
        lines.append(CODE_SPAN.sub(lambda m: m.group(2).replace("`", "").strip(), line.strip()))
    return " ".join(" ".join(lines).split())


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("style", STYLES)
def test_hostile_text_is_still_visible(text: str, style: str, md: markdown.Markdown) -> None:
    draft = Draft(summary="Hostile.", description=text)
    expected = expected_visible("Hostile.\n" + text)
    assert visible(rest_html(render(draft, PAINT, style, "rest"), style)) == expected
    assert visible(mkdocstrings_html(render(draft, PAINT, style, "markdown"), style, md)) == expected


@pytest.mark.parametrize("code", HOSTILE)
def test_examples_are_shown_verbatim(code: str, md: markdown.Markdown) -> None:
    shown = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip().expandtabs(4) for line in code.splitlines())).strip("\n")
    shown = "".join(c if c.isprintable() or c == "\n" else " " if c.isspace() else "" for c in shown)
    rest = docutils.core.publish_parts(code_block(code, "rest"), writer="html5", settings_overrides={"report_level": 5})
    assert re.fullmatch(r'<pre class="literal-block">(.*)</pre>\n', rest["body"], re.DOTALL)
    assert html.unescape(re.sub(r"</?pre[^>]*>", "", rest["body"])).strip("\n") == shown
    converted = convert(md, code_block(code, "markdown"))
    assert re.fullmatch(r"<pre><code>(.*)</code></pre>", converted, re.DOTALL), converted
    assert html.unescape(converted[len("<pre><code>"):-len("</code></pre>")]) == shown


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120)
PROSE = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp"))
                | st.sampled_from("\n `*_:.-<>[]()|#&\\"), max_size=120)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(summary=TEXT, description=TEXT, entry=TEXT, style=st.sampled_from(STYLES))
def test_property_any_text_renders_as_text_only(summary: str, description: str, entry: str, style: str,
                                                md: markdown.Markdown) -> None:
    draft = Draft(summary=summary or "S", description=description,
                  parameters={p.name: entry for p in PAINT.parameters}, returns=entry,
                  raises=(Raise("ValueError", entry),), examples=description)
    assert_only_text(rest_html(render(draft, PAINT, style, "rest"), style), REST_TAGS)
    assert_only_text(mkdocstrings_html(render(draft, PAINT, style, "markdown"), style, md), MARKDOWN_TAGS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=PROSE)
def test_property_escaped_text_reads_the_same(text: str, md: markdown.Markdown) -> None:
    expected = expected_visible(text)
    rest = docutils.core.publish_parts(escape_text(text, "rest"), writer="html5", settings_overrides={
        "report_level": 5, "docinfo_xform": False, "doctitle_xform": False})["body"]
    assert visible(rest) == expected
    assert visible(convert(md, escape_text(text, "markdown"))) == expected
    assert visible(markdown.markdown(escape_text(text, "markdown"))) == expected


def test_normalize_keeps_text_drops_controls_and_replaces_lone_surrogates() -> None:
    # U+D800 is a lone surrogate (category Cs): it cannot be encoded, so it is shown as U+FFFD. The
    # zero-width space (Cf) and NUL (Cc) are invisible: dropped. Tabs are expanded.
    assert normalize("a\ud800b\u200bc\x00d\te") == "a\ufffdbcd e"  # the tab stops at column 8
    assert normalize("one\u2028two\x0cthree") == "one\ntwo\nthree"


@pytest.mark.parametrize("markup", ["rest", "markdown"])
def test_runs_of_blank_lines_become_one_paragraph_break(markup: str) -> None:
    assert escape_text("\n\nOne.\n\n\n\nTwo.\n\n", markup) == "One.\n\nTwo."


def test_rest_example_code_keeps_its_indentation_and_blank_lines_stay_empty() -> None:
    assert code_block("  x = 1\n\n\n\ny = 2\n", "rest") == "::\n\n      x = 1\n\n    y = 2"


@pytest.mark.parametrize(("text", "escaped"), [
    ("Set to `1.4`.", "Set to ``1.4``."),
    ("call `f()`, then `g()`; or (`h`)", "call ``f()``, then ``g()``; or (``h``)"),
    ('say "`x`"', 'say "``x``"'),
    ("x`y`z", "x\\ ``y``\\ z"),  # touching letters: the escaped space is needed
    ("a:`b`", "a\\:\\ ``b``"),  # an escaped character is text
])
def test_rest_literals_next_to_punctuation_need_no_escaped_space(text: str, escaped: str) -> None:
    assert escape_text(text, "rest") == escaped
    tree = docutils.core.publish_doctree(escaped, settings_overrides={"report_level": 5})
    literals = [node.astext() for node in tree.findall(lambda node: node.tagname == "literal")]
    assert literals == [span[1] for span in (m.groups() for m in CODE_SPAN.finditer(text))]
