"""The API objects a built site shows, read from its HTML, and a plain-vs-docgap comparison.

Sphinx: every `dl.py > dt[id]` and the description (`dd`) after it, without nested member
descriptions; module docstrings after a `module-NAME` target. MkDocs: every `.doc-object` with a
`.doc-heading[id]`, its `.doc-contents` without `.doc-children`, bases, signatures and source.
docgap's badge is removed from the text; an object is *generated* when its own part holds a
`.docgap-generated` element.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup, Tag

_SKIP_PAGES = {"genindex.html", "search.html", "py-modindex.html", "404.html"}
_NOT_HUMAN = re.compile(r"^(Bases: |alias of )")


@dataclass(frozen=True)
class ShownObject:
    """One object as a page shows it.

    Attributes:
        key: `page#id`, stable between builds of the same site.
        text: Its own description, whitespace-normalised, without docgap's badge.
        generated: Whether docgap marked its description as generated.
    """

    key: str
    text: str
    generated: bool


def _clean(text: str) -> str:
    return " ".join(text.replace("¶", " ").split())


def _pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html")
                  if p.name not in _SKIP_PAGES and not {"_modules", "_sources", "_static", "assets"} & set(p.parts))


def _own_text(part: Tag, nested: list[str], badge: str) -> tuple[str, bool]:
    part = copy.copy(part)
    for selector in nested:
        for tag in part.select(selector):
            tag.decompose()
    generated = part.select_one(".docgap-generated") is not None
    for tag in part.select(badge):
        tag.decompose()
    for tag in part.find_all("p"):
        if _NOT_HUMAN.match(_clean(tag.get_text(" "))):
            tag.decompose()
    return _clean(part.get_text(" ")), generated


def _is_module_target(tag: Tag, packages: tuple[str, ...]) -> bool:
    anchor = str(tag.get("id", ""))
    name = anchor.removeprefix("module-")
    return name != anchor and any(name == p or name.startswith(p + ".") for p in packages)


def _sphinx_modules(soup: BeautifulSoup, page: str, packages: tuple[str, ...]) -> list[ShownObject]:
    shown = []
    for target in soup.find_all(lambda tag: _is_module_target(tag, packages)):
        texts, generated = [], False
        # the target is a <section> when automodule comes right after a title, else a <span> before the text
        following = target.find_all(recursive=False) if target.name == "section" else target.find_next_siblings()
        for sibling in following:
            if sibling.name in {"h1", "h2", "h3", "h4"} or (sibling.name == "span" and not sibling.get_text(strip=True)):
                continue
            if (sibling.name in {"dl", "section"} or _is_module_target(sibling, packages)
                    or sibling.find(lambda tag: _is_module_target(tag, packages)) is not None):
                break
            text, marked = _own_text(sibling, [], ".docgap-badge")
            texts.append(text)
            generated = generated or marked or "docgap-generated" in (sibling.get("class") or [])
        shown.append(ShownObject(f"{page}#{target['id']}", _clean(" ".join(texts)), generated))
    return shown


def sphinx_objects(out: Path, packages: tuple[str, ...]) -> dict[str, ShownObject]:
    """Every object the Sphinx HTML in `out` shows, by `page#id`.

    Args:
        out: The HTML output directory.
        packages: The documented packages (a `module-NAME` anchor of another name is a section title).

    Returns:
        The objects, keyed by page-relative path and anchor.
    """
    objects: dict[str, ShownObject] = {}
    for path in _pages(out):
        page = str(path.relative_to(out))
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for shown in _sphinx_modules(soup, page, packages):
            objects[shown.key] = shown
        for dt in soup.select("dl.py > dt[id]"):
            dd = dt.find_next_sibling("dd")
            text, generated = _own_text(dd, ["dl.py"], ".docgap-badge") if dd is not None else ("", False)
            key = f"{page}#{dt['id']}"
            objects[key] = ShownObject(key, text, generated)
    return objects


def mkdocs_objects(out: Path) -> dict[str, ShownObject]:
    """Every object the mkdocstrings HTML in `out` shows, by `page#id`.

    Args:
        out: The MkDocs `site/` directory.

    Returns:
        The objects, keyed by page-relative path and anchor.
    """
    objects: dict[str, ShownObject] = {}
    nested = [".doc-children", ".doc-class-bases", ".doc-signature", "details.quote", ".doc-labels"]
    for path in _pages(out):
        page = str(path.relative_to(out))
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for obj in soup.select("div.doc-object"):
            heading = obj.find(class_="doc-heading", recursive=False)
            contents = obj.find("div", class_="doc-contents", recursive=False)
            if heading is None or not heading.get("id"):
                continue
            text, generated = _own_text(contents, nested, "span.docgap-generated") if contents else ("", False)
            key = f"{page}#{heading['id']}"
            objects[key] = ShownObject(key, text, generated)
    return objects


@dataclass(frozen=True)
class Change:
    """A human description that a docgap build shows differently.

    Attributes:
        key: `page#id` of the object.
        before: Its text in the plain build.
        after: Its text in the docgap build.
        generated: Whether docgap marked the new text as generated.
    """

    key: str
    before: str
    after: str
    generated: bool


@dataclass
class Comparison:
    """A docgap build compared object by object with the plain build of the same site."""

    shown: int = 0
    human_plain: int = 0
    empty_plain: int = 0
    generated: int = 0
    empty: int = 0
    revealed: list[str] = field(default_factory=list)
    """Objects only the docgap build shows (members docgap filled that the plain build hid)."""
    changed: list[Change] = field(default_factory=list)
    unmarked: list[str] = field(default_factory=list)
    """Objects empty in the plain build that the docgap build shows with text but no marker."""
    vanished: list[str] = field(default_factory=list)
    still_empty: list[str] = field(default_factory=list)
    """Objects empty in both builds: shown, but docgap did not fill them."""


def compare(plain: dict[str, ShownObject], filled: dict[str, ShownObject]) -> Comparison:
    """Compare a docgap build with the plain build of the same site.

    Args:
        plain: Objects of the plain build.
        filled: Objects of the docgap build.

    Returns:
        Counts, every changed human description, and the objects that disappeared.
    """
    result = Comparison(shown=len(filled))
    result.human_plain = sum(1 for obj in plain.values() if obj.text)
    result.empty_plain = len(plain) - result.human_plain
    for key, obj in filled.items():
        result.generated += obj.generated
        before = plain.get(key)
        if before is None:
            result.revealed.append(key)
        elif before.text and (obj.generated or obj.text != before.text):
            result.changed.append(Change(key, before.text, obj.text, obj.generated))
        elif not before.text and obj.text and not obj.generated:
            result.unmarked.append(key)
        if not obj.text and not obj.generated:
            result.empty += 1
            if before is not None:
                result.still_empty.append(key)
    result.vanished = sorted(set(plain) - set(filled))
    return result
