"""Benchmark: mkdocs build of 1,000 documented functions vs 1,000 undocumented ones filled by docgap.

Builds, in one run and alternating, (a) the package with Google-style docstrings in the source and
no docgap and (b) the same package without docstrings, with the docgap plugin and a warm cache.
Prints the ratio of the medians; target at most 1.10.

Run: `.venv/bin/python bench/bench_mkdocs.py [--repeat 3]`
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_package  # noqa: E402

MKDOCS = str(Path(sys.executable).parent / "mkdocs")


def write_site(root: Path, modules: list[str], *, docgap: bool) -> Path:
    site = root / "site"
    (site / "docs").mkdir(parents=True)
    plugin = (f"  - docgap:\n      packages: [synth]\n      search_paths: [{root}]\n"
              f"      cache_dir: {root / 'cache'}\n      lockfile: {root / 'lock.json'}\n") if docgap else ""
    (site / "mkdocs.yml").write_text(
        "site_name: synth\ntheme: {name: mkdocs}\nplugins:\n  - search\n" + plugin
        + f"  - mkdocstrings:\n      handlers:\n        python:\n          paths: [{root}]\n"
    )
    (site / "docs" / "index.md").write_text("# synth\n\n" + "".join(f"::: {m}\n\n" for m in modules))
    return site


def build(site: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([MKDOCS, "build", "-q", "-d", str(out)], cwd=site, check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        documented_root, undocumented_root = Path(tmp) / "documented", Path(tmp) / "undocumented"
        modules = write_package(documented_root, documented=True, style="google")
        write_package(undocumented_root, documented=False)
        plain = write_site(documented_root, modules, docgap=False)
        filled = write_site(undocumented_root, modules, docgap=True)
        build(filled, Path(tmp) / "warmup")  # fills the draft cache
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
