"""Benchmark: `docgap scan` with a warm cache against `griffe.load` alone, on 10,000+ objects.

Generates a synthetic package, fills every object once with the signature provider (warming the
cache), then times, in the same run and alternating, `docgap scan PACKAGE` and a bare
`griffe.load` of the same package — both as fresh processes so each pays its own start-up — and
prints the ratio of the medians. Target: at most 1.3. It also prints the time after a source
change (the scan cache misses and the package is loaded and scanned again; drafts still cached).

Run: `.venv/bin/python bench/bench_scan.py [--modules 100] [--repeat 5]`
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def write_package(root: Path, modules: int) -> int:
    """Write a package of `modules` modules; return how many objects it has."""
    package = root / "synthpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    objects = 1
    for m in range(modules):
        lines = [f"LIMIT_{m} = {m}", ""]
        for f in range(40):
            lines += [f"def func_{m}_{f}(value: int, *, scale: float = 1.0) -> float:",
                      "    if value < 0:", "        raise ValueError('negative')",
                      f"    return value * scale + {f}", ""]
        for c in range(10):
            lines += [f"class Thing{m}_{c}:", f"    size: int = {c}", "",
                      "    def __init__(self, name: str) -> None:", "        self.name = name", "",
                      "    def grow(self, by: int = 1) -> int:", "        return self.size + by", "",
                      "    @property", "    def label(self) -> str:", "        return self.name", ""]
        (package / f"mod_{m}.py").write_text("\n".join(lines))
        objects += 1 + 1 + 40 + 10 * 4
    return objects


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=125)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        objects = write_package(root, args.modules)
        common = ["synthpkg", "--search-path", str(root), "--cache-dir", str(root / "cache"),
                  "--lockfile", str(root / "none.lock.json"), "--provider", "signature"]
        subprocess.run([str(BIN / "docgap"), "fill", *common], cwd=root, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        scan_cmd = [str(BIN / "docgap"), "scan", *common, "--json"]
        load_cmd = [sys.executable, "-c",
                    f"import griffe; griffe.load('synthpkg', search_paths=[{str(root)!r}], allow_inspection=False)"]
        scans, loads, rescans = [], [], []
        for _ in range(args.repeat):
            scans.append(timed(scan_cmd, root))
            loads.append(timed(load_cmd, root))
            shutil.rmtree(root / "cache" / "scans", ignore_errors=True)
            rescans.append(timed(scan_cmd, root))
        scan_s, load_s, rescan_s = statistics.median(scans), statistics.median(loads), statistics.median(rescans)
        print(f"objects: {objects}")
        print(f"griffe.load alone:                          median {load_s:.3f}s over {args.repeat} runs")
        print(f"docgap scan, warm (drafts and scan cached):  median {scan_s:.3f}s")
        print(f"docgap scan, drafts cached, package rescanned: median {rescan_s:.3f}s")
        print(f"ratio scan/load: {scan_s / load_s:.2f} (target <= 1.30)")
        print(f"ratio rescan/load (after any source change): {rescan_s / load_s:.2f}")


if __name__ == "__main__":
    main()
