"""Benchmark: sphinx-build of 1,000 documented functions vs 1,000 undocumented ones filled by docgap.

Builds, in one run and alternating, (a) the package with docstrings in the source (reST field
lists, the style docgap renders for Sphinx, so both builds format the same fields) and no docgap
and (b) the same package without docstrings, with docgap and a warm cache (drafts and scan already
cached by a first build). Every timed build starts from an empty output directory, so both do the
full read and write. Prints the ratio of the medians; target at most 1.10.

Run: `.venv/bin/python bench/bench_sphinx.py [--repeat 3]`
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import compare_builds  # noqa: E402

SPHINX_BUILD = str(Path(sys.executable).parent / "sphinx-build")


def write_site(root: Path, modules: list[str], *, docgap: bool) -> Path:
    site = root / "site"
    site.mkdir()
    extensions = ["sphinx.ext.autodoc", *(["docgap.sphinx"] if docgap else [])]
    (site / "conf.py").write_text(
        "import sys\nsys.path.insert(0, %r)\n" % str(root)
        + f"project = 'synth'\nextensions = {extensions!r}\nhtml_theme = 'alabaster'\n"
        + (f"docgap_packages = ['synth']\ndocgap_search_paths = [{str(root)!r}]\n"
           f"docgap_cache_dir = {str(root / 'cache')!r}\ndocgap_lockfile = {str(root / 'lock.json')!r}\n" if docgap else "")
    )
    (site / "index.rst").write_text("synth\n=====\n\n" + "".join(f".. automodule:: {m}\n   :members:\n\n" for m in modules))
    return site


def build(site: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([SPHINX_BUILD, "-b", "html", "-q", str(site), str(out)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    compare_builds(write_site, build, style="sphinx", repeat=args.repeat)


if __name__ == "__main__":
    main()
