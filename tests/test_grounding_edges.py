"""Grounding at its edges: every field is checked, dotted names are split the right way, odd entries are skipped.

Written from the mutants `bench/mutation.sh` showed surviving in `docgap.grounding`.
"""

from __future__ import annotations

from typing import Any

import pytest

from docgap.grounding import code_names, ungrounded_names
from docgap.targets import Target

SHAPE = Target(path="pkg.shapes.Shape", kind="class", key="s", attributes=("width",),
               raises=("errors.ShapeError",), source="class Shape:\n    width = 1\n")
COUNT = Target(path="pkg.count", kind="function", key="c", yields=True, returns_value=True)
KNOWN = frozenset({"pkg", "pkg.shapes", "shapes", "pkg.shapes.Shape", "shapes.Shape", "Shape", "pkg.count", "count"})


def invented(text: str, target: Target = SHAPE, field: str = "description") -> list[str]:
    data: dict[str, Any] = {"summary": "S.", "raises": [], field: text}
    return [error.split("`")[1] for error in ungrounded_names(data, target, KNOWN)]


def test_a_name_starting_with_x_keeps_its_x() -> None:
    assert list(code_names("`Xray` and `*XS`")) == ["Xray", "XS"]


@pytest.mark.parametrize("text", [
    "`self.width`", "`self.width.real`", "`self.width.real.imag`",  # the class's own attribute, and beyond
    "`pkg.shapes.Shape.__eq__`", "`shapes.Shape.__init__`",         # special methods of a dotted, known prefix
])
def test_self_attributes_and_special_methods_of_dotted_names_are_grounded(text: str) -> None:
    assert "width" not in KNOWN and invented(text) == []


@pytest.mark.parametrize("text", ["`__secret`", "`Shape.__secret`", "`____`"])
def test_private_names_are_not_special_methods(text: str) -> None:
    assert invented(text) == [text.strip("`")]


@pytest.mark.parametrize(("field", "target"), [("returns", COUNT), ("yields", COUNT), ("attributes", SHAPE)])
def test_every_text_field_is_checked(field: str, target: Target) -> None:
    text: Any = {"width": "Like `frobnicate`."} if field == "attributes" else "Like `frobnicate`."
    data: dict[str, Any] = {"summary": "S.", "raises": [], field: text}
    errors = ungrounded_names(data, target, KNOWN)
    assert [e.split(":")[0] for e in errors] == [f"{field}.width" if field == "attributes" else field]


def test_a_deep_exception_name_is_grounded_by_its_last_part() -> None:
    data = {"summary": "S.", "raises": [{"exception": "other.errors.ShapeError", "when": "Sometimes."}]}
    assert ungrounded_names(data, SHAPE, KNOWN) == []


def test_odd_raises_entries_are_left_to_validation_and_the_rest_still_checked() -> None:
    data = {"summary": "S.", "raises": ["ValueError", {"exception": "not a name", "when": None},
                                        {"exception": "InventedError", "when": "Calls `frobnicate`."}]}
    assert [e.split(":")[0] for e in ungrounded_names(data, SHAPE, KNOWN)] == ["raises[2].when", "raises[2].exception"]
