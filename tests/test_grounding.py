"""Grounding: every name a draft writes in a code span, and every exception it lists, exists."""

from __future__ import annotations

from typing import Any

import pytest

from docgap.grounding import code_names, ungrounded_names
from docgap.targets import Parameter, Target

SOURCE = '''\
def area(self, scale: float = DEFAULT_SCALE, *extra, **options) -> float:
    if scale < 0:
        raise errors.ShapeError("negative scale")
    return helper(self._radius, scale) ** 2
'''
AREA = Target(path="pkg.shapes.Circle.area", kind="method", key="a", source=SOURCE,
              signature="area(self, scale: float = DEFAULT_SCALE, *extra, **options) -> float",
              parameters=(Parameter("scale", annotation="float", default="DEFAULT_SCALE"),
                          Parameter("extra", "variadic positional"), Parameter("options", "variadic keyword")),
              returns="float", returns_value=True, raises=("errors.ShapeError",))
CIRCLE = Target(path="pkg.shapes.Circle", kind="class", key="c", attributes=("radius",))
KNOWN = frozenset({
    "pkg", "pkg.shapes", "shapes", "pkg.shapes.Circle", "shapes.Circle", "Circle",
    "pkg.shapes.Circle.area", "shapes.Circle.area", "Circle.area", "area",
    "pkg.shapes.Circle.radius", "shapes.Circle.radius", "Circle.radius", "radius",
    "pkg.errors", "errors", "pkg.errors.Unknown", "errors.Unknown", "Unknown",
    "pkg.shapes.Square", "shapes.Square", "Square",
})


def names(text: str, target: Target = AREA, known: frozenset[str] = KNOWN) -> list[str]:
    """The invented names `ungrounded_names` reports for `text` in the description."""
    errors = ungrounded_names({"summary": "S.", "description": text, "raises": []}, target, known)
    return [error.split("`")[1] for error in errors]


@pytest.mark.parametrize("text", [
    "`scale`, `*extra`, `**options` and `extra`",   # parameters, with or without stars
    "`scale.real` and `options.get()`",             # attributes of arguments
    "`area`, `Circle`, `shapes.Circle`, `pkg.shapes.Circle.area`",  # the target and its path
    "`Square`, `shapes.Square`, `Circle.radius`",   # known objects, in full or by trailing parts
    "`len()`, `str.join`, `dict.get`, `ValueError`, `isinstance(scale, float)`",  # builtins
    "`os.PathLike`, `os.path.join()`, `collections.abc.Mapping`, `json`",  # the standard library
    "`DEFAULT_SCALE`, `helper()` and `float`",      # names the signature and source use
    "`self._radius`, `_radius`, `self.radius`, `self.area`",  # self: source, attributes, class members
    "`__init__`, `Circle.__eq__`, `scale.__float__`",  # special methods on grounded names
    "`True`, `None`, `'red'`, `1.0`, `-1`, `...`",  # keywords and literals name nothing
    "`scale * 2 + 1`, `extra[0]`, `not options`, `helper(self._radius, scale) ** 2`",  # expressions of real names
    "`sorted(extra, key=lambda item: item.size)`, `[s for s in extra]`",  # names an expression binds itself
    "`utf-8`, `--dry-run`, `python -m pkg`, `~/.config`, `x = 1`",  # hyphenated words; not expressions
])
def test_real_names_are_grounded(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize(("text", "invented"), [
    ("Calls `frobnicate` first.", ["frobnicate"]),
    ("Calls `frobnicate()` then `frobnicate(1, 2)`.", ["frobnicate"]),
    ("Uses `colour` as a parameter.", ["colour"]),
    ("Same as `Circle.perimeter` or `pkg.shapes.Hexagon`.", ["Circle.perimeter", "pkg.shapes.Hexagon"]),
    ("Like `str.frobnicate`.", ["str.frobnicate"]),
    ("Reads `self.diameter`.", ["self.diameter"]),
    ("Calls `Nope.__eq__`.", ["Nope.__eq__"]),
    ("Double ``invented_name`` spans too.", ["invented_name"]),
    ("Same as `frobnicate(scale) + 1`.", ["frobnicate"]),
    ("Reads `table[0]`, `not parser.done` and `scale - offset`.", ["table", "parser.done", "offset"]),
    ("Calls `area(colour)` and `helper(scale).blorp`.", ["colour"]),
    ("Like `[f(s) for s in extra]`.", ["f"]),
])
def test_invented_names_are_reported(text: str, invented: list[str]) -> None:
    assert names(text) == invented


def test_errors_name_the_field_and_the_identifier() -> None:
    data: dict[str, Any] = {
        "summary": "Compute `frobnicate`.", "description": None,
        "parameters": {"scale": "Passed to `rescale`."}, "returns": "The `area`.",
        "raises": [{"exception": "ShapeError", "when": "If `blorp` fails."}],
    }
    assert ungrounded_names(data, AREA, KNOWN) == [
        ("summary: `frobnicate` is not a parameter, attribute or known object of pkg.shapes.Circle.area(); "
         "mention only names that exist"),
        ("parameters.scale: `rescale` is not a parameter, attribute or known object of pkg.shapes.Circle.area(); "
         "mention only names that exist"),
        ("raises[0].when: `blorp` is not a parameter, attribute or known object of pkg.shapes.Circle.area(); "
         "mention only names that exist"),
    ]


def test_a_class_grounds_its_attributes_and_self() -> None:
    assert names("`radius`, `self.radius` and `cls.radius`", CIRCLE) == []
    assert names("`self.width`", CIRCLE) == ["self.width"]


@pytest.mark.parametrize(("exception", "grounded"), [
    ("errors.ShapeError", True),      # raised in the source, as written
    ("ShapeError", True),             # raised in the source, by last part
    ("pkg.errors.ShapeError", True),  # same last part as a raised name
    ("ValueError", False),            # a builtin exception, but the source does not raise it
    ("json.JSONDecodeError", False),  # a standard-library one, likewise
    ("pkg.errors.Unknown", False),    # known to the scan, not raised here
    ("InventedError", False),
    ("len", False),
])
def test_raised_exceptions_must_be_raised_in_the_source(exception: str, grounded: bool) -> None:
    data = {"summary": "S.", "description": None, "raises": [{"exception": exception, "when": "Sometimes."}]}
    errors = ungrounded_names(data, AREA, KNOWN)
    assert (errors == []) is grounded, errors
    if not grounded:
        assert errors == [(f"raises[0].exception: `{exception}` is not raised in the source of "
                           "pkg.shapes.Circle.area(); list only exceptions the code raises: errors.ShapeError")]


def test_a_source_that_raises_nothing_admits_no_exception() -> None:
    data = {"summary": "S.", "raises": [{"exception": "ValueError", "when": "Sometimes."}]}
    assert ungrounded_names(data, CIRCLE, KNOWN) == [
        ("raises[0].exception: `ValueError` is not raised in the source of pkg.shapes.Circle; "
         "it raises nothing explicitly: leave raises empty")]


def test_without_scan_context_only_checkable_names_are_rejected() -> None:
    assert names("`frobnicate` and `pkg.other`", known=frozenset()) == []
    assert ungrounded_names({"summary": "S.", "raises": [{"exception": "ShapeError", "when": "x"}]},
                            AREA, frozenset()) == []
    assert names("`str.frobnicate`", known=frozenset()) == ["str.frobnicate"]


def test_code_names_reads_spans_like_the_renderer() -> None:
    text = "`a` and ``b.c`` and `d()` and `e(1)` and `**f` and `'g'` and `h + i` and `None` and ` j ` and `raise`"
    assert list(code_names(text)) == ["a", "b.c", "d", "e", "f", "h", "i", "j"]
    # Backtick runs pair by length, as in Markdown: an unmatched run opens nothing.
    assert list(code_names("```k`` x")) == [] and list(code_names("`m`` x")) == []
