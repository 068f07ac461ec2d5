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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_package  # noqa: E402

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
    with tempfile.TemporaryDirectory() as tmp:
        documented_root, undocumented_root = Path(tmp) / "documented", Path(tmp) / "undocumented"
        modules = write_package(documented_root, documented=True, style="sphinx")
        write_package(undocumented_root, documented=False)
        plain = write_site(documented_root, modules, docgap=False)
        filled = write_site(undocumented_root, modules, docgap=True)
        build(filled, Path(tmp) / "warmup")  # fills the draft cache and the scan cache
        plain_times, docgap_times = [], []
        for run in range(args.repeat):
            plain_times.append(build(plain, Path(tmp) / f"plain-{run}"))
            docgap_times.append(build(filled, Path(tmp) / f"docgap-{run}"))
        plain_s, docgap_s = statistics.median(plain_times), statistics.median(docgap_times)
        print(f"functions: {len(modules) * 100}")
        print(f"documented in source, no docgap: median {plain_s:.2f}s over {args.repeat} builds")
        print(f"undocumented, docgap warm cache: median {docgap_s:.2f}s over {args.repeat} builds")
        print(f"ratio docgap/plain: {docgap_s / plain_s:.2f} (target <= 1.10)")


if __name__ == "__main__":
    main()
