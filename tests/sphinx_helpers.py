"""Running the real sphinx-build on a copy of example_docs and reading what a reader sees."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from conftest import clean_env

SPHINX_BUILD = str(Path(sys.executable).parent / "sphinx-build")


def sphinx_build(docs: Path, out: Path, *args: str, env: dict[str, str] | None = None,
                 check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `sphinx-build` on `docs/sphinx` into `out`, without colour so its output can be parsed."""
    proc = subprocess.run([SPHINX_BUILD, "--no-color", *args, str(docs / "sphinx"), str(out)], capture_output=True,
                          text=True, env=env or clean_env(), timeout=600)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@dataclass(frozen=True)
class Entry:
    """One documented object on a page: its id, whether its docstring is docgap's, and the block."""

    id: str
    block: object | None
    text: str


def entries(html_file: Path) -> dict[str, Entry]:
    """Every `dt[id]` of a Sphinx page with the docgap block directly in its description, if any."""
    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    found = {}
    for dt in soup.select("dt[id]"):
        dd = dt.find_next_sibling("dd")
        block = dd.find(class_="docgap-generated", recursive=False) if dd else None
        found[dt["id"]] = Entry(dt["id"], block, dd.get_text(" ", strip=True) if dd else "")
    return found


EDGE_CORE = '''"""Objects on the edges of autodoc's member rules."""

LIMIT = 10


def helper(a: int, b: str = "z") -> str:
    return b * a


def documented(c: int) -> int:
    """Human text of documented."""
    return c


helper_alias = helper
documented_alias = documented


class Root:
    """Root."""

    def from_root(self, count: int) -> int:
        return count


class Base(Root):
    """Base."""

    def from_base(self, amount: int) -> int:
        return amount


class Child(Base):
    """Child."""

    size = 1

    def own(self, flag: bool) -> bool:
        return flag

    def __call__(self, value: int) -> int:
        return value

    def _secret(self, key: int) -> int:
        return key


class Plain:
    def __init__(self, width: int) -> None:
        self.width = width


class Skipped:
    """Left out of docgap's scope."""

    size = 2
'''

EDGE_PAGES = {
    "index": "Edge\n====\n\n.. toctree::\n\n   core\n   reexported\n   filtered\n",
    "core": "Core\n====\n\n.. automodule:: edgepkg.core\n   :members:\n   :show-inheritance:\n",
    "reexported": ("Re-exported\n===========\n\n.. automodule:: edgepkg\n   :members:\n   :inherited-members:\n"
                   "   :special-members: __call__\n   :private-members:\n"),
    "filtered": ("Filtered\n========\n\n.. autoclass:: edgepkg.core.Child\n   :members:\n   :no-index:\n"
                 "   :inherited-members: Base\n"),
}


def write_edge_site(root: Path, *conf_lines: str) -> Path:
    """A package `edgepkg` and a Sphinx site documenting it, under `root`; returns the site."""
    package = root / "edgepkg"
    package.mkdir(parents=True)
    (package / "core.py").write_text(EDGE_CORE)
    (package / "__init__.py").write_text('"""Edge package."""\n\nfrom edgepkg.core import LIMIT, Child\n\n'
                                         '__all__ = ["LIMIT", "Child"]\n')
    site = root / "sphinx"
    site.mkdir()
    (site / "conf.py").write_text("\n".join((
        "import sys", f"sys.path.insert(0, {str(root)!r})", "project = 'edge'",
        "extensions = ['sphinx.ext.autodoc', 'sphinx.ext.napoleon', 'docgap.sphinx']",
        "docgap_packages = ['edgepkg']", f"docgap_search_paths = [{str(root)!r}]",
        f"docgap_cache_dir = {str(root / 'cache')!r}", "docgap_private = True",
        "docgap_exclude = ['edgepkg.core.Skipped*']", *conf_lines, "")))
    for name, text in EDGE_PAGES.items():
        (site / f"{name}.rst").write_text(text)
    return site


SITE_MODULES = {
    "__init__.py": ('"""A package of which the site shows a small part."""\n\nfrom sitepkg._engine import Engine\n\n'
                    'Engine.__module__ = "sitepkg"  # shown as the package\'s own, as many packages do\n\n'
                    '__all__ = ["Engine"]\n'),
    "bare.py": "def bare_function(count: int) -> int:\n    return count\n",
    "_engine.py": '"""Private implementation."""\n\n\nclass Engine:\n    """An engine."""\n\n    speed = 1\n',
    "_base.py": '''"""Private base classes."""


class Base:
    """Base of the public classes."""

    def shared(self, count: int) -> int:
        return count
''',
    "shown.py": '''"""The module the API page shows."""

import dataclasses
import enum
from os.path import join

join_parts = join  # a standard-library function under a second name: not the package's API

from sitepkg._base import Base

LIMIT = 10


def area(width: float, height: float) -> float:
    return width * height


def documented(value: int) -> int:
    """Human text of documented."""
    return value


class Client(Base):
    """A client."""

    retries = 3

    def send(self, payload: bytes) -> int:
        return len(payload)

    def _internal(self, flag: bool) -> bool:
        return flag


@dataclasses.dataclass
class Point:
    """A point."""

    x: float = 0.0
    y: float = 0.0


class Color(enum.Enum):
    """Colours."""

    RED = 1
    GREEN = 2
''',
    "picked.py": '''"""A module the site shows a few members of."""

MAX_SIZE = 100


class Picky:
    """Shown with an explicit member list."""

    size = 2

    def first(self, a: int) -> int:
        return a

    def second(self, b: int) -> int:
        return b

    def third(self, c: int) -> int:
        return c

    def excluded(self, d: int) -> int:
        return d
''',
    "runtime.py": '''"""Objects whose text only exists at run time."""

import functools
import os


class Widget:
    """A widget, documented by its class."""


class Described:
    """A descriptor whose instances are documented when made."""

    def __init__(self, doc: str) -> None:
        self.__doc__ = doc

    def __get__(self, obj, owner=None):
        return self if obj is None else 1

    def __set__(self, obj, value) -> None:
        pass


class Holder:
    """Holds attributes documented at run time, and some that are not."""

    described = Described("Text given to the descriptor at run time.")
    cwd = property(os.getcwd)
    sized = property(lambda self: 1, doc="Text given to the property at run time.")
    widget = Widget()
    plain = 3

    def method(self, value: int) -> int:
        return value


def later(value: int) -> int:
    return value


later.__doc__ = "Text set on the function after its definition."

class Settings:
    """Settings."""

    #: How many times to try, in a person's words.
    retries = 1


class Strict(Settings):
    """Stricter settings."""

    retries = 5


DEFAULT = Widget()
parse_bits = functools.partial(int, base=2)
later_twice = functools.partial(later, 2)
later_alias = later
COUNT = 4
''',
}
"""A package of which the site shows a few modules, partly; `hidden_*` modules are never shown."""

for _index in range(4):
    SITE_MODULES[f"hidden_{_index}.py"] = f'"""Never shown."""\n\nVALUE_{_index} = {_index}\n\n' + "".join(
        f"\ndef work_{_index}_{n}(value: int) -> int:\n    return value + {n}\n\n" for n in range(8)) + (
        f"\nclass Hidden{_index}:\n    def method(self, value: int) -> int:\n        return value\n")

SITE_PAGES = {
    "index": "Site\n====\n\n.. toctree::\n\n   api\n   picked\n   runtime\n   coverage\n",
    "runtime": ("Runtime\n=======\n\n.. automodule:: sitepkg.runtime\n   :members:\n   :undoc-members:\n\n"
                ".. autodata:: sitepkg.runtime.DEFAULT\n   :no-index:\n\n"
                ".. autoattribute:: sitepkg.runtime.Holder.described\n   :no-index:\n"),
    "api": ("API\n===\n\n.. automodule:: sitepkg.shown\n   :members:\n   :inherited-members:\n"
            "   :exclude-members: documented\n"),
    "picked": ("Picked\n======\n\n.. autoclass:: sitepkg.picked.Picky\n   :members: first, second, excluded\n"
               "   :exclude-members: excluded\n\n.. autodata:: sitepkg.picked.MAX_SIZE\n\n"
               ".. autoattribute:: sitepkg.picked.Picky.size\n\n.. autoattribute:: sitepkg.Engine.speed\n\n"
               ".. automodule:: sitepkg.bare\n   :members:\n"),
    "coverage": "Coverage\n========\n\n.. docgap-report::\n",
}


def write_site(root: Path, *conf_lines: str, docgap: bool = True) -> Path:
    """The package `sitepkg` and a site showing part of it, under `root`; returns the site's parent."""
    package = root / "sitepkg"
    package.mkdir(parents=True)
    for name, text in SITE_MODULES.items():
        (package / name).write_text(text)
    site = root / "sphinx"
    site.mkdir()
    extensions = ["sphinx.ext.autodoc", *(["docgap.sphinx"] if docgap else [])]
    (site / "conf.py").write_text("\n".join((
        "import sys", f"sys.path.insert(0, {str(root)!r})", "project = 'site'", f"extensions = {extensions!r}",
        "docgap_packages = ['sitepkg']", f"docgap_search_paths = [{str(root)!r}]",
        f"docgap_cache_dir = {str(root / 'cache')!r}", f"docgap_lockfile = {str(root / 'docgap.lock.json')!r}",
        *conf_lines, "")))
    for name, text in SITE_PAGES.items():
        (site / f"{name}.rst").write_text(text if docgap or name != "coverage" else "Coverage\n========\n")
    return root


def assert_shows_its_draft(block: Any, draft: Any, path: str, badge: str = "Drafted from signature") -> None:
    """A docgap block shows the badge, then what the offline draft says and nothing else.

    The badge stands alone when the draft is empty; no empty field list, no "None".
    """
    def squashed(text: str) -> str:
        return "".join(text.replace("`", "").split())

    raised = "".join(f"{r.exception}–{r.when}" for r in draft.raises)
    said = badge + draft.summary + (draft.description or "") + (f"Raises:{raised}" if raised else "")
    assert squashed(block.get_text()) == squashed(said), path
    fields = [dt.get_text(strip=True) for dt in block.select("dl.field-list > dt")]
    assert fields == (["Raises:"] if raised else []), path
