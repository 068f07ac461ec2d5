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
    """Run `sphinx-build` on `docs/sphinx` into `out`."""
    proc = subprocess.run([SPHINX_BUILD, *args, str(docs / "sphinx"), str(out)], capture_output=True,
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
