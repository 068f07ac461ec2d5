"""Running the real sphinx-build on a copy of example_docs and reading what a reader sees."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup

SPHINX_BUILD = str(Path(sys.executable).parent / "sphinx-build")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any model configuration, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env.update(extra)
    return env


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
