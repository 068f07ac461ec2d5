"""Benchmark: what docgap adds to start-up.

1. Import cost, each in fresh processes (interleaved; medians): importing `docgap.sphinx` after
   `sphinx.ext.autodoc`, and `docgap.mkdocs.plugin` after `mkdocstrings`, timed inside the
   process so interpreter start-up is not counted. Each is also measured over what the host has
   imported anyway by the time it loads docgap in a build (`sphinx.application`; mkdocstrings'
   Python handler, which imports griffe). Target: at most +100 ms. (`python -X importtime -c
   "import docgap.sphinx"` shows where the time goes.)
2. `docgap scan` of a tiny package (a dozen objects, drafts and scan cached by a first `docgap
   fill`) against a process that only loads the package with `griffe.load`, both fresh processes,
   interleaved; ratio of the medians. Target: at most 1.5.

Every process caches its bytecode, as an installed package has it (`PYTHONPYCACHEPREFIX`, a folder
of the run's own, whatever `PYTHONDONTWRITEBYTECODE` says).

`--before DIR` also measures, interleaved, another copy of the `docgap` package (`DIR/docgap`, e.g.
a copy of `plugin/docgap` taken before a change) put first on `PYTHONPATH`. `--imports` measures
part 1 only.

Run: `.venv/bin/python bench/bench_startup.py [--repeat 15] [--before DIR] [--imports]`
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

BIN = Path(sys.executable).parent
IMPORTS = {
    "docgap.sphinx over sphinx.ext.autodoc": ("sphinx.ext.autodoc", "docgap.sphinx"),
    "docgap.sphinx over sphinx.application + autodoc": ("sphinx.application, sphinx.ext.autodoc", "docgap.sphinx"),
    "docgap.mkdocs.plugin over mkdocstrings": ("mkdocstrings", "docgap.mkdocs.plugin"),
    "docgap.mkdocs.plugin over mkdocstrings + Python handler": ("mkdocstrings, mkdocstrings_handlers.python",
                                                                 "docgap.mkdocs.plugin"),
}
TIMED_IMPORT = "import time, {host}; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
TINY = '''"""A tiny package."""

RATE = 3


def add(a: int, b: int) -> int:
    return a + b


def scale(value: float, factor: float = 2.0) -> float:
    return value * factor


def greet(name: str) -> str:
    if not name:
        raise ValueError("empty")
    return f"hello {name}"


class Counter:
    def __init__(self, start: int = 0) -> None:
        self.count = start

    def bump(self, by: int = 1) -> int:
        self.count += by
        return self.count

    def reset(self) -> None:
        self.count = 0

    @property
    def doubled(self) -> int:
        return 2 * self.count
'''


def import_seconds(host: str, module: str, env: dict[str, str]) -> float:
    done = subprocess.run([sys.executable, "-c", TIMED_IMPORT.format(host=host, module=module)],
                          check=True, capture_output=True, text=True, env=env)
    return float(done.stdout.strip().splitlines()[-1])


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--before", type=Path, help="a folder holding another copy of the docgap package")
    parser.add_argument("--imports", action="store_true", help="measure the import cost only (part 1)")
    args = parser.parse_args()
    # Bytecode is cached, as for an installed package, in a folder of the run's own.
    pycache = tempfile.TemporaryDirectory()
    base = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "PYTHONPYCACHEPREFIX": pycache.name}
    envs = {"docgap": base}
    if args.before:
        envs["before"] = {**base, "PYTHONPATH": os.pathsep.join(
            filter(None, [str(args.before.resolve()), os.environ.get("PYTHONPATH")]))}
    imports: dict[tuple[str, str], list[float]] = {(name, env): [] for env in envs for name in IMPORTS}
    scans: dict[str, list[float]] = {env: [] for env in envs}
    loads: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "tiny").mkdir()
        (root / "tiny" / "__init__.py").write_text(TINY)
        common = ["tiny", "--search-path", str(root), "--lockfile", str(root / "none.lock.json"), "--provider", "signature"]
        scan_cmds = {}
        for name, env in {} if args.imports else envs.items():  # a cache of each one's own, warmed by a fill
            cache = ["--cache-dir", str(root / f"cache-{name}")]
            subprocess.run([str(BIN / "docgap"), "fill", *common, *cache], cwd=root, check=True, capture_output=True, env=env)
            scan_cmds[name] = [str(BIN / "docgap"), "scan", *common, *cache, "--json"]
        load_cmd = [sys.executable, "-c",
                    f"import griffe; griffe.load('tiny', search_paths=[{str(root)!r}], allow_inspection=False)"]
        for _ in range(args.repeat):
            for name, env in envs.items():
                for what, (host, module) in IMPORTS.items():
                    imports[what, name].append(import_seconds(host, module, env))
                if not args.imports:
                    scans[name].append(timed(scan_cmds[name], root, env))
            if not args.imports:
                loads.append(timed(load_cmd, root, envs["docgap"]))
    pycache.cleanup()
    print(f"start-up, medians of {args.repeat} fresh processes; load average {os.getloadavg()[0]:.1f}")
    for name in envs:
        for what in IMPORTS:
            print(f"{name}: import {what}: +{statistics.median(imports[what, name]) * 1000:.0f} ms (target <= +100 ms)")
        if args.imports:
            continue
        load_s = statistics.median(loads)
        scan_s = statistics.median(scans[name])
        print(f"{name}: docgap scan of a dozen objects (warm): {scan_s:.3f}s; griffe.load alone: {load_s:.3f}s; "
              f"ratio {scan_s / load_s:.2f} (target <= 1.50)")


if __name__ == "__main__":
    main()
