"""Build the docs of real PyPI packages with and without docgap and compare them object by object.

For each site (a small Sphinx site and a small MkDocs site over one installed package, see
`bench/real_sites/site_specs.py`) and each variant (plain; docgap with the offline `signature`
provider; docgap with `provider = "openai"` against the fake OpenAI server of
`tests/fake_openai.py` on 127.0.0.1; the same with `sphinx-build -j 2`), it runs a cold build
and a no-op rebuild, reads the objects from the HTML and reports: objects shown, human
descriptions in the plain build, human descriptions docgap CHANGED (must be 0; each listed with
its construct), generated objects shown, objects still empty, requests the model received vs
generated objects shown, build times, warnings docgap added, tracebacks, and whether the
installed sources were touched. A dev tool, not run in CI.

Run: `python bench/real_sites.py --workdir /work/realsites --setup` once (creates
`WORKDIR/venv` and installs docgap from this checkout, sphinx-autoapi and the packages), then
`python bench/real_sites.py --workdir /work/realsites [--sites click,httpx] [--label run1]`.
The script re-runs itself with the work venv's Python. Output: a table, and
`WORKDIR/results-LABEL.json` (`--report FILE` prints the table of one again). More sites:
`attrs` (a package re-exporting another one's names) and `packaging` (dataclasses).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent / "real_sites"))

from site_specs import SITES, DocgapPaths, SiteSpec, Variant, write_mkdocs, write_sphinx  # noqa: E402

if TYPE_CHECKING:  # these need the work venv (BeautifulSoup); imported there, after the re-exec
    from build_runs import BuildRun
    from html_objects import Comparison, ShownObject

PIP_NAMES = {"attr": "attrs"}
VARIANTS = (Variant("plain"), Variant("signature", True, "signature"), Variant("model", True, "openai"),
            Variant("model-j2", True, "openai", jobs=2))


def _venv_python(workdir: Path) -> Path:
    return workdir / "venv" / "bin" / "python"


def setup(workdir: Path, sites: list[SiteSpec]) -> None:
    """Create `WORKDIR/venv` and install docgap (editable), the hosts, sphinx-autoapi and the packages.

    Args:
        workdir: The work directory.
        sites: The sites whose packages to install.
    """
    python = _venv_python(workdir)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(workdir / "venv")], check=True)
    packages = sorted({PIP_NAMES.get(p, p) for spec in sites for p in spec.packages})
    subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", f"{REPO}[sphinx,mkdocs]", "beautifulsoup4",
                    "sphinx-autoapi", *packages], check=True)


def _reexec_in_venv(workdir: Path) -> None:
    python = _venv_python(workdir)
    if not python.exists():
        sys.exit(f"no venv at {python.parent.parent}: run with --setup first")
    if Path(sys.prefix).resolve() != python.parent.parent.resolve():
        os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


@dataclasses.dataclass
class Cell:
    """One (site, host, variant): its builds and, for docgap variants, the comparison with plain."""

    site: str
    host: str
    variant: str
    cold: BuildRun
    noop: BuildRun
    shown: int = 0
    comparison: Comparison | None = None
    rebuild_differs: int = 0
    new_warnings: list[str] = dataclasses.field(default_factory=list)
    docgap_log: list[str] = dataclasses.field(default_factory=list)
    retries: int = 0
    crashes: list[str] = dataclasses.field(default_factory=list)
    """The tracebacks of crashed attempts that were retried (their logs are kept next to the cell)."""


def _command(host: str, variant: Variant, src: Path, out: Path) -> list[str]:
    bin_dir = Path(sys.executable).parent
    if host == "mkdocs":
        return [str(bin_dir / "mkdocs"), "build", "-f", str(src / "mkdocs.yml"), "-d", str(out)]
    jobs = ["-j", str(variant.jobs)] if variant.jobs > 1 else []
    return [str(bin_dir / "sphinx-build"), "-T", "-b", "html", *jobs, str(src), str(out)]


def _build_cell(spec: SiteSpec, host: str, variant: Variant, root: Path, server: Any,
                retries: int, known_crashes: set[str]) -> tuple[Cell, dict[str, ShownObject]]:
    from build_runs import requested_objects, run, warning_shape
    from html_objects import mkdocs_objects, sphinx_objects

    crashes: list[str] = []
    for attempt in range(retries + 1):
        if root.exists():
            shutil.rmtree(root)
        src, out = root / "src", root / "out"
        paths = DocgapPaths(Path(sysconfig.get_paths()["purelib"]), root / "state" / "cache",
                            root / "state" / "docgap.lock.json", server.url)
        if host == "mkdocs":
            write_mkdocs(spec, variant, paths, src)
        else:
            write_sphinx(spec, variant, paths, src, autoapi=host == "autoapi")
        builds = []
        objects: list[dict[str, ShownObject]] = []
        for name in ("cold", "noop"):
            before = len(server.requests)
            build = run(_command(host, variant, src, out), root, root / f"{name}.log")
            build.requests = len(server.requests) - before
            build.requested = requested_objects([r.body for r in server.requests[before:]])
            builds.append(build)
            objects.append(mkdocs_objects(out) if host == "mkdocs" else sphinx_objects(out, spec.packages))
        failed = builds[0].returncode != 0 and bool(builds[0].traceback)
        last_line = warning_shape(builds[0].traceback.splitlines()[-1]) if failed else ""  # no addresses
        if not failed or attempt == retries or last_line in known_crashes:  # a crash seen before is no edit
            known_crashes.add(last_line)
            break
        known_crashes.add(last_line)
        kept = root.parent / f"{variant.name}.crash{attempt}.log"
        shutil.copy(builds[0].log, kept)
        crashes.append(f"{kept}: {builds[0].traceback}")
        print(f"  {spec.name}/{host}/{variant.name}: build crashed, retrying in 60 s (an edit may be in progress)")
        time.sleep(60)
    cold, noop = builds
    cell = Cell(spec.name, host, variant.name, cold, noop, shown=len(objects[0]), retries=attempt, crashes=crashes)
    cell.rebuild_differs = sum(1 for k in objects[0].keys() | objects[1].keys() if objects[0].get(k) != objects[1].get(k))
    log = Path(cold.log).read_text()
    progress = ("generating drafts", "reading again")
    cell.docgap_log = [line for line in log.splitlines()
                       if "docgap" in line.lower() and not any(p in line for p in progress)][:20]
    return cell, objects[0]


def run_site(spec: SiteSpec, hosts: list[str], variants: list[Variant], base: Path, server: Any,
             retries: int) -> list[Cell]:
    """Build one site on every host and variant and compare each docgap build with the plain one.

    Args:
        spec: The site.
        hosts: `sphinx`, `mkdocs`, `autoapi`.
        variants: The variants; `plain` must come first.
        base: Directory for this site's builds.
        server: The running fake OpenAI server.
        retries: Retries of a build that crashed with a traceback.

    Returns:
        One cell per host and variant.
    """
    from build_runs import warning_shape
    from html_objects import compare

    cells = []
    crashes: set[str] = set()  # last lines of tracebacks seen in this site: retrying those waits for nothing
    for host in hosts:
        if host == "autoapi" and not spec.autoapi_dirs:
            continue
        plain_objects: dict[str, ShownObject] = {}
        plain_warnings: set[str] = set()
        for variant in variants:
            if variant.jobs > 1 and host != "sphinx":  # MkDocs has no -j; autoapi -j 2 costs minutes and adds little
                continue
            print(f"  {spec.name}/{host}/{variant.name} ...", flush=True)
            cell, objects = _build_cell(spec, host, variant, base / host / variant.name, server, retries, crashes)
            shapes = [warning_shape(w) for w in cell.cold.warnings]
            if not variant.docgap:
                plain_objects, plain_warnings = objects, set(shapes)
            else:
                cell.comparison = compare(plain_objects, objects)
                cell.new_warnings = [w for w, s in zip(cell.cold.warnings, shapes) if s not in plain_warnings]
            cells.append(cell)
    return cells


def _count(value: int | list[Any]) -> int:
    return value if isinstance(value, int) else len(value)


def _row(cell: dict[str, Any]) -> list[str]:
    c, cold, noop = cell["comparison"], cell["cold"], cell["noop"]
    generated = c["generated"] if c else 0
    ratio = f"{cold['requests'] / generated:.2f}" if generated else ("-" if not cold["requests"] else "inf")
    counts = ([c["human_plain"], *(_count(c.get(k, [])) for k in ("changed", "generated", "unmarked", "empty",
                                                                   "revealed", "vanished"))] if c else [""] * 7)
    warnings = len(cell["new_warnings"]) if c else len(cold["warnings"])
    return [cell["site"], cell["host"], cell["variant"], str(cell["shown"]), *map(str, counts), str(cold["requests"]),
            ratio, str(noop["requests"]), f"{cold['seconds']:.1f}", f"{noop['seconds']:.1f}",
            f"{cold['returncode']}/{noop['returncode']}", str(warnings), "yes" if cold["traceback"] else ""]


HEADER = ["site", "host", "variant", "shown", "human", "CHANGED", "gen", "unmarked", "empty", "revealed", "vanished",
          "requests", "req/gen", "noop req", "cold s", "noop s", "rc", "warn", "tb"]


def print_table(cells: list[dict[str, Any]]) -> None:
    """Print one row per cell, from the JSON result (plain rows show objects, times and all their warnings).

    Args:
        cells: The cells, as in the JSON result.
    """
    rows = [HEADER, *(_row(cell) for cell in cells)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    for row in rows:
        print("  ".join(value.rjust(width) for value, width in zip(row, widths)))


def _json_cell(cell: Cell) -> dict[str, Any]:
    from constructs import construct

    data = dataclasses.asdict(cell)
    if cell.comparison is not None:
        comp = data["comparison"]
        for change in comp["changed"]:
            change["construct"] = construct(change["key"])
        comp["still_empty"] = [{"key": key, "construct": construct(key)} for key in cell.comparison.still_empty]
    return data


def main() -> None:
    """Parse arguments, set up or enter the work venv, build everything and report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/work/realsites"))
    parser.add_argument("--setup", action="store_true", help="create the work venv and install everything first")
    parser.add_argument("--sites", default="click,httpx,attr", help=f"comma-separated, of {', '.join(SITES)}")
    parser.add_argument("--hosts", default="sphinx,mkdocs,autoapi")
    parser.add_argument("--variants", default=",".join(v.name for v in VARIANTS))
    parser.add_argument("--label", default=time.strftime("%H%M"))
    parser.add_argument("--retries", type=int, default=1, help="retries of a build that crashed with a traceback")
    parser.add_argument("--report", type=Path, help="print the table of an earlier results JSON and stop")
    args = parser.parse_args()
    if args.report:
        report(json.loads(args.report.read_text()))
        return
    workdir = args.workdir.resolve()
    specs = [SITES[name] for name in args.sites.split(",")]
    if args.setup:
        setup(workdir, specs)
    _reexec_in_venv(workdir)

    sys.path.insert(0, str(REPO / "tests"))
    from build_runs import tree_hash
    from fake_openai import FakeOpenAI

    variants = [v for v in VARIANTS if v.name in args.variants.split(",")]
    if variants[0].name != "plain":
        sys.exit("the plain variant is needed as the baseline")
    hosts = args.hosts.split(",")
    purelib = Path(sysconfig.get_paths()["purelib"])
    roots = [purelib / p for spec in specs for p in spec.packages]
    hash_before = tree_hash(roots)
    cells: list[Cell] = []
    with FakeOpenAI() as server:
        for spec in specs:
            cells += run_site(spec, hosts, variants, workdir / "runs" / args.label / spec.name, server, args.retries)
    hash_after = tree_hash(roots)
    git = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %s"], capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--short"], capture_output=True, text=True).stdout
    result = {"label": args.label, "git": f"{git.strip()} (+{len(dirty.splitlines())} uncommitted files)",
              "sources_before": hash_before, "sources_after": hash_after,
              "cells": [_json_cell(cell) for cell in cells]}
    out = workdir / f"results-{args.label}.json"
    out.write_text(json.dumps(result, indent=2, default=str))
    report(result)
    print(f"results: {out}")


def report(result: dict[str, Any]) -> None:
    """Print the table, whether the sources changed, and every changed human description.

    Args:
        result: A results JSON as written by a run.
    """
    print(f"\nrun {result['label']} at {result['git']}")
    print_table(result["cells"])
    same = result["sources_before"] == result["sources_after"]
    hashes = f"{result['sources_before'][:12]} → {result['sources_after'][:12]}"
    print(f"\nsources {'UNCHANGED' if same else 'CHANGED'} ({hashes})")
    for cell in result["cells"]:
        where = f"{cell['site']}/{cell['host']}/{cell['variant']}"
        for crash in cell.get("crashes", ()):
            print(f"RETRIED CRASH {where} {crash.splitlines()[0]} … {crash.splitlines()[-1]}")
        if cell["cold"]["returncode"] and cell["cold"]["traceback"]:
            print(f"CRASH {where}: {cell['cold']['traceback'].splitlines()[-1]} (log: {cell['cold']['log']})")
        for change in (cell["comparison"] or {}).get("changed", ()):
            print(f"CHANGED {where} {change['key']}: {change['construct']}")

if __name__ == "__main__":
    main()
