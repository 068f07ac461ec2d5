"""Benchmark: mkdocs build of 1,000 documented functions vs 1,000 undocumented ones filled by docgap.

Builds, in one run and alternating, (a) the package with Google-style docstrings in the source and
no docgap and (b) the same package without docstrings, with the docgap plugin and a warm cache
(`signature` provider, so no model is called whatever the environment). Every build is checked to
show all 1,000 functions, and the docgap build to mark each of them, so a fill that silently did
nothing (and rendered nothing) cannot pass for a fast one. Prints the ratio of the medians; target
at most 1.10.

Run: `.venv/bin/python bench/bench_mkdocs.py [--repeat 3]`
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import compare_builds  # noqa: E402

MKDOCS = str(Path(sys.executable).parent / "mkdocs")


def write_site(root: Path, modules: list[str], *, docgap: bool) -> Path:
    site = root / "site"
    (site / "docs").mkdir(parents=True)
    plugin = (f"  - docgap:\n      provider: signature\n      packages: [synth]\n      search_paths: [{root}]\n"
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
    seconds = time.perf_counter() - started
    check(site, out)
    return seconds


def check(site: Path, out: Path) -> None:
    """Fail unless the build shows every function, and the docgap build marks every one."""
    html = (out / "index.html").read_text()
    functions = html.count('class="doc doc-object doc-function"')
    marked = html.count('class="docgap-generated"')
    expected = functions if "  - docgap:" in (site / "mkdocs.yml").read_text() else 0
    if functions < 1000 or marked != expected:
        raise SystemExit(f"{site}: {functions} functions shown, {marked} marked (expected >= 1000 and {expected})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    compare_builds(write_site, build, style="google", repeat=args.repeat)


if __name__ == "__main__":
    main()
