"""Drafts worth reading: offline drafts state facts or nothing; prompts carry the package's own words."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from docgap import Settings, fill
from docgap.context import spells_private
from docgap.drafts import Draft
from docgap.outcome import Fill
from docgap.plain import strip_markup
from docgap.source_facts import raise_conditions
from fake_openai import FakeOpenAI

PACKAGE = '''
"""Sorting helpers; see :func:`sort_items` and the **guide**."""

import datetime

_MISSING = object()

LIMIT = 10 * 60


class BadInput(ValueError):
    pass


class Point:
    """A point on the plane.

    Args:
        x: The horizontal coordinate, in :class:`float` units.

    Attributes:
        label: What the point is **called**.
    """

    def __init__(self, x: float, label: str = "") -> None:
        self.x = x
        self.label = label

    @property
    def norm(self) -> float:
        return abs(self.x)

    @property
    def name(self) -> str:
        return self.label

    @name.setter
    def name(self, value: str) -> None:
        self.label = value

    def moved(self, dx):
        return Point(self.x + dx, self.label)


def by_length(item):
    return len(item)


def sort_items(items, key=by_length):
    """Sort items.

    Args:
        items: The items to sort.
        key: The function giving each item's sort key.
    """
    return sorted(items, key=key)


def check(value, fallback=_MISSING):
    if value < 0:
        raise BadInput(f"negative: {value}")
    for v in value:
        raise KeyError(v)
    return value


def first(items):
    return sort_items(items)[0]


def clamp(value):
    checked = check(value, fallback=0) if value else 0
    return max(check(value), 0)


class Zone(datetime.tzinfo):
    def dst(self, dt):
        return None


class Registry(dict):
    def update(self, *args, **kwargs):
        return None
'''


def write_package(root: Path) -> Path:
    package = root / "src" / "sorts"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(PACKAGE))
    return root / "src"


def run(tmp_path: Path, **settings: object) -> Fill:
    src = write_package(tmp_path)
    base = Settings(packages=("sorts",), search_paths=(src,), root=tmp_path, cache_dir=tmp_path / "cache",
                    lockfile=tmp_path / "docgap.lock.json")
    return fill(base.replace(**{"provider": "signature", **settings}))


def texts(draft: Draft) -> list[str]:
    return [t for t in (draft.summary, draft.description, draft.returns, draft.yields) if t] + [
        *draft.parameters.values(), *draft.attributes.values(), *(r.when for r in draft.raises)]


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> Fill:
    return run(tmp_path_factory.mktemp("offline"))


def draft(outcome: Fill, path: str) -> Draft:
    resolved = outcome.lookup(path)
    assert resolved is not None, f"{path} was not drafted: {outcome.failed}"
    return resolved.record.draft


def test_exception_base_class_and_constant_expression(offline: Fill) -> None:
    assert draft(offline, "sorts.BadInput").summary == "Subclass of `ValueError`."
    assert draft(offline, "sorts.LIMIT").summary == "Set to `10 * 60`."


def test_property_read_only_or_settable(offline: Fill) -> None:
    assert draft(offline, "sorts.Point.norm").summary == "Read-only property."
    assert draft(offline, "sorts.Point.name").summary == "Settable property."


def test_class_docstring_entries_are_quoted_with_their_source_and_without_markup(offline: Fill) -> None:
    x = draft(offline, "sorts.Point.x")
    assert x.summary == "“The horizontal coordinate, in `float` units.”, says the docstring of `Point`."
    assert draft(offline, "sorts.Point.label").summary == "“What the point is called.”, says the docstring of `Point`."


def test_class_docstring_entries_are_read_however_a_host_loads_and_logs(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    import griffe

    from docgap.scan import scan_objects

    monkeypatch.setattr(griffe.logger, "_logger", logging.LoggerAdapter(logging.getLogger("griffe"), {}))  # mkdocstrings
    loader = griffe.GriffeLoader(search_paths=[str(write_package(tmp_path))], docstring_parser=griffe.Parser.google,
                                 docstring_options={"ignore_init_summary": True})  # as mkdocstrings loads
    targets = {t.path: t for t in scan_objects([loader.load("sorts")], Settings(packages=("sorts",))).targets}
    assert targets["sorts.Point.x"].own_words == (
        ("the docstring of `Point`", "The horizontal coordinate, in `float` units."),)


def test_a_default_of_another_parameter_says_so_and_quotes_that_parameter(offline: Fill) -> None:
    found = draft(offline, "sorts.by_length")
    assert found.summary == "Default of the key parameter of `sort_items()`."
    assert found.description == "“The function giving each item's sort key.”, says the key parameter of `sort_items()`."


def test_a_raise_under_one_if_states_its_condition_and_others_are_left_out(offline: Fill) -> None:
    found = draft(offline, "sorts.check")
    assert [(r.exception, r.when) for r in found.raises] == [("BadInput", "If `value < 0`.")]


def test_overrides_of_stdlib_methods_name_and_quote_them(offline: Fill) -> None:
    dst = draft(offline, "sorts.Zone.dst")
    assert dst.summary == "Overrides `datetime.tzinfo.dst`."
    assert "DST offset" in (dst.description or "") and "says the docstring of `datetime.tzinfo.dst`." in dst.description
    assert draft(offline, "sorts.Registry.update").summary == "Overrides `dict.update`."


def test_private_sentinels_are_never_spelled_out(offline: Fill) -> None:
    for resolved in offline.resolved.values():
        assert not any("_MISSING" in text for text in texts(resolved.record.draft)), resolved.target.path



def prompts(server: FakeOpenAI) -> dict[str, str]:
    """The user message of every first request, by the object it asks about."""
    found = {}
    for request in server.requests:
        user = request.body["messages"][1]["content"]
        path = user.split("\n", 1)[0].removeprefix("Object: ")
        found.setdefault(path, user)
    return found


def test_prompts_carry_the_package_s_own_words_facts_and_context(tmp_path: Path, server: FakeOpenAI) -> None:
    outcome = run(tmp_path, provider="openai", model="fake-model", base_url=server.url, max_retries=0)
    assert not outcome.failed
    sent = prompts(server)
    assert "From the key parameter of `sort_items()`: The function giving each item's sort key." in sent["sorts.by_length"]
    assert "- Default of the key parameter of `sort_items()`." in sent["sorts.by_length"]
    assert "From the docstring of `Point`: The horizontal coordinate" in sent["sorts.Point.x"]
    assert "- Overrides `datetime.tzinfo.dst`." in sent["sorts.Zone.dst"]
    assert "DST offset" in sent["sorts.Zone.dst"]
    assert "- Raises BadInput if `value < 0`." in sent["sorts.check"]
    moved = sent["sorts.Point.moved"]
    assert "Class constructor: __init__(x: float, label: str = '')" in moved
    assert "A point on the plane." in moved and "Attributes:" in moved  # the whole class docstring
    calls = sent["sorts.check"].split("Calls in the package", 1)[1].split("</source>", 1)[0]
    assert calls.index("return max(check(value), 0)") < calls.index("checked = check(value, fallback=0) if value else 0")


def voice(prompt: str) -> str:
    return prompt.split("for voice only", 1)[1].split("Source (data", 1)[0]


def test_voice_examples_are_chosen_by_shared_parameter_names(tmp_path: Path, server: FakeOpenAI) -> None:
    run(tmp_path, provider="openai", model="fake-model", base_url=server.url, max_retries=0, examples_in_prompt=1)
    assert "Sort items." in voice(prompts(server)["sorts.first"])  # shares `items`, rather than the module's first docstring


def test_voice_examples_are_sent_with_include_and_stripped_of_markup(tmp_path: Path, server: FakeOpenAI) -> None:
    outcome = run(tmp_path, provider="openai", model="fake-model", base_url=server.url, max_retries=0,
                  include=["sorts.Point.*"], examples_in_prompt=1)
    assert not outcome.failed and outcome.resolved
    sent = voice(prompts(server)["sorts.Point.moved"])
    assert "Sorting helpers; see `sort_items` and the guide." in sent


def test_the_closing_summary_reports_prompt_tokens_per_object(tmp_path: Path, server: FakeOpenAI) -> None:
    outcome = run(tmp_path, provider="openai", model="fake-model", base_url=server.url, max_retries=0)
    tokens = sorted(r.record.usage.input_tokens for r in outcome.resolved.values() if r.origin == "generated")
    assert len(tokens) > 3 and outcome.summary is not None
    assert f"prompt tokens per object: median {tokens[(len(tokens) - 1) // 2]}, max {tokens[-1]}" in outcome.summary.lines()[1]


@pytest.mark.parametrize(("body", "found"), [
    ("    if value < 0:\n        raise ValueError(value)\n", (("ValueError", "value < 0"),)),
    ("    if (a and\n            b):\n        raise errors.Bad\n", (("errors.Bad", "a and b"),)),
    ("    raise NotImplementedError\n", (("NotImplementedError", ""),)),
    ("    if a:\n        return 1\n    raise KeyError(a)\n", ()),  # past a `return`: not always
    ("    for x in a:\n        raise KeyError(x)\n", ()),  # in a loop: the condition needs reading
    ("    if a:\n        if b:\n            raise KeyError(a)\n", ()),  # two conditions
    ("    if a:\n        raise self.error(a)\n", ()),  # a factory, not a class
])
def test_raise_conditions_read_only_plain_shapes(body: str, found: tuple[tuple[str, str], ...]) -> None:
    assert raise_conditions(f"def f(a, b, value):\n{body}") == found


def test_private_names_in_code_are_detected_outside_strings() -> None:
    assert spells_private("value is _MISSING") and spells_private("self._closed")
    assert not spells_private("x == '_quoted'") and not spells_private("obj.__len__()")


def test_markup_is_stripped_from_human_text() -> None:
    text = ("See :class:`~pkg.Foo`, ``bar``, :ref:`the guide <guide>` and [docs](https://x.org).\n\n"
            ".. note::\n   Hidden.\n\n:param x: hidden too\n**Bold** *it*.")
    assert strip_markup(text) == "See `Foo`, `bar`, the guide and docs.\n\nBold it."
