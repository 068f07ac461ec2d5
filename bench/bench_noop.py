"""Benchmark: a no-op rebuild (nothing changed, output directory kept) with docgap vs without.

A multi-module site (8 modules of 40 functions, one page per module: 320 drafts) is built, in one
run and interleaved, three ways for each host variant (`sphinx-build`, `sphinx-build -j 2`,
`mkdocs build`):

- plain: the same package *with* its docstrings in the source (reST field lists for Sphinx,
  Google style for MkDocs: the styles docgap renders for each host) and no docgap. This is the site
  a user would have had without docgap, so both builds format the same fields and the ratio is
  what docgap costs, not what fewer docstrings save. (The same undocumented package without docgap
  would render less and flatter the plain build.)
- offline: the package without docstrings, docgap with the `signature` provider, warm cache.
- model: the package without docstrings, docgap with `provider = "openai"`, a model and the
  `base_url` of `tests/fake_openai.py` on 127.0.0.1, warm cache: the configured-model path runs
  (a model is configured, the drafts in the cache are the model's), yet no request is sent. The
  server keeps running and the benchmark fails if any no-op build sent it a request.

Each site is built once first (drafts generated, output written); every timed build then rebuilds
into that same output directory. The first Sphinx no-op of each site is checked to read nothing
(`0 added, 0 changed, 0 removed`), and the docgap builds to mark every function, so a fill that
silently did nothing cannot pass for a fast one. Prints the ratio of the medians per variant;
target at most 1.05. It prints the ratio of the builds' CPU time (user + system, the build and its
workers) too: on a loaded machine that one is steadier than the wall clock.

Every build caches its bytecode, as an installed package has it (a folder of the run's own,
`PYTHONPYCACHEPREFIX`, whatever `PYTHONDONTWRITEBYTECODE` says): compiling docgap's modules at every
start would be measured otherwise. It counts the timed docgap builds that looked drafts up.

`--before DIR` also times, interleaved in the same run, the docgap builds with another copy of
the `docgap` package (`DIR/docgap`, e.g. a copy of `plugin/docgap` taken before a change), put
first on `PYTHONPATH`; each such site has caches of its own.

Run: `.venv/bin/python bench/bench_noop.py [--repeat 5] [--modules 8] [--functions 40] [--before DIR]`
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import write_package  # noqa: E402

BIN = Path(sys.executable).parent
FAKE_SERVER = HERE.parent / "tests" / "fake_openai.py"
MODEL = "bench-model"
KINDS = ("plain", "offline", "model")
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
       "NO_MKDOCS_2_WARNING": "1", "OPENAI_API_KEY": "sk-bench-dummy"}
"""Bytecode is cached, as for an installed package (in a folder of the run's own, `PYTHONPYCACHEPREFIX`)."""


def docgap_options(kind: str, root: Path, url: str) -> dict[str, object]:
    """docgap's settings for a site of `kind` ("offline" or "model", maybe "-before"), each with its own cache."""
    options: dict[str, object] = {"packages": ["synth"], "search_paths": [str(root)],
                                  "cache_dir": str(root / f"cache-{kind}"), "lockfile": str(root / "none.lock.json")}
    if kind.startswith("offline"):
        options["provider"] = "signature"
    else:
        options.update(provider="openai", model=MODEL, base_url=url)
    return options


def sphinx_site(root: Path, modules: list[str], kind: str, url: str) -> Path:
    site = root / f"sphinx-{kind}"
    site.mkdir()
    extensions = ["sphinx.ext.autodoc", *(["docgap.sphinx"] if kind != "plain" else [])]
    conf = [f"import sys\nsys.path.insert(0, {str(root)!r})",
            f"project = 'synth'\nextensions = {extensions!r}\nhtml_theme = 'alabaster'"]
    if kind != "plain":
        conf += [f"docgap_{name} = {value!r}" for name, value in docgap_options(kind, root, url).items()]
    (site / "conf.py").write_text("\n".join(conf) + "\n")
    (site / "index.rst").write_text("synth\n=====\n\n.. toctree::\n\n" + "".join(f"   {m}\n" for m in modules))
    for m in modules:
        (site / f"{m}.rst").write_text(f"{m}\n{'=' * len(m)}\n\n.. automodule:: {m}\n   :members:\n")
    return site


def mkdocs_site(root: Path, modules: list[str], kind: str, url: str) -> Path:
    site = root / f"mkdocs-{kind}"
    (site / "docs").mkdir(parents=True)
    plugins = ["  - search"]
    if kind != "plain":
        plugins.append("  - docgap: " + json.dumps(docgap_options(kind, root, url)))
    plugins.append(f"  - mkdocstrings:\n      handlers:\n        python:\n          paths: [{root}]")
    (site / "mkdocs.yml").write_text("site_name: synth\ntheme: {name: mkdocs}\nplugins:\n" + "\n".join(plugins) + "\n")
    (site / "docs" / "index.md").write_text("# synth\n\n" + "".join(f"- [{m}]({m}.md)\n" for m in modules))
    for m in modules:
        (site / "docs" / f"{m}.md").write_text(f"# {m}\n\n::: {m}\n")
    return site


def command(variant: str, site: Path) -> list[str]:
    if variant == "mkdocs":
        return [str(BIN / "mkdocs"), "build", "-q", "-f", str(site / "mkdocs.yml"), "-d", str(site / "out")]
    jobs = ["-j", "2"] if variant == "sphinx -j 2" else []
    out = site / ("out-j2" if jobs else "out")
    return [str(BIN / "sphinx-build"), "-b", "html", *jobs, str(site), str(out)]


def run(variant: str, site: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Build `site`; return the seconds it took, the CPU seconds it used and what it printed."""
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command(variant, site), env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(command(variant, site))} failed:\n{done.stdout}\n{done.stderr}")
    return seconds, _children_cpu() - cpu, done.stdout + done.stderr


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def check(variant: str, site: Path, kind: str, output: str, functions: int) -> None:
    """Fail unless a Sphinx no-op read nothing, and a docgap build marks every function (model: as the model's)."""
    if variant.startswith("sphinx") and not re.search(r"\b0 added, 0 changed, 0 removed", output):
        raise SystemExit(f"{site}: the no-op rebuild read documents again:\n{output}")
    if kind == "plain":
        return
    out = site / "out" if variant != "sphinx -j 2" else site / "out-j2"
    html = "".join(p.read_text() for p in out.glob("synth.mod_*/index.html" if variant == "mkdocs" else "synth.mod_*.html"))
    model = MODEL if kind.startswith("model") else ""
    marked = html.count(f'data-docgap-model="{model}"')
    if marked != functions:
        raise SystemExit(f"{site}: {marked} drafts marked as by model {model!r}, expected {functions}")


def with_pythonpath(env: dict[str, str], folder: Path) -> dict[str, str]:
    """`env` with `folder` first on `PYTHONPATH`, so its `docgap` package is the one imported."""
    return {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(folder.resolve()), env.get("PYTHONPATH")]))}


def requests_sent(url: str) -> int:
    with urllib.request.urlopen(url.removesuffix("/v1") + "/_stats") as response:
        return int(json.loads(response.read())["requests"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--modules", type=int, default=8)
    parser.add_argument("--functions", type=int, default=40)
    parser.add_argument("--variants", default="sphinx,sphinx -j 2,mkdocs")
    parser.add_argument("--before", type=Path, help="a folder holding another copy of the docgap package")
    args = parser.parse_args()
    kinds = KINDS + (("offline-before", "model-before") if args.before else ())
    variants = [v.strip() for v in args.variants.split(",")]
    drafts = args.modules * args.functions
    server = subprocess.Popen([sys.executable, str(FAKE_SERVER)], stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()  # type: ignore[union-attr]
        with tempfile.TemporaryDirectory() as tmp:
            env = {**ENV, "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache")}
            envs = {kind: with_pythonpath(env, args.before) if kind.endswith("-before") else env for kind in kinds}
            sites: dict[tuple[str, str], Path] = {}
            for host, style, make in (("sphinx", "sphinx", sphinx_site), ("mkdocs", "google", mkdocs_site)):
                if not any(v.startswith(host) for v in variants):
                    continue
                documented, undocumented = Path(tmp) / host / "documented", Path(tmp) / host / "undocumented"
                modules = write_package(documented, modules=args.modules, functions=args.functions,
                                        documented=True, style=style)
                write_package(undocumented, modules=args.modules, functions=args.functions, documented=False)
                for kind in kinds:
                    sites[host, kind] = make(documented if kind == "plain" else undocumented, modules, kind, url)
            for variant in variants:  # first build (fills the caches), then one checked no-op
                for kind in kinds:
                    site = sites[variant.split()[0], kind]
                    run(variant, site, envs[kind])
                    check(variant, site, kind, run(variant, site, envs[kind])[2], drafts)
            sent_before = requests_sent(url)
            times: dict[tuple[str, str], list[float]] = {(v, k): [] for v in variants for k in kinds}
            cpus: dict[tuple[str, str], list[float]] = {(v, k): [] for v in variants for k in kinds}
            lookups = dict.fromkeys(cpus, 0)
            for _ in range(args.repeat):
                for variant in variants:
                    for kind in kinds:
                        seconds, cpu, output = run(variant, sites[variant.split()[0], kind], envs[kind])
                        times[variant, kind].append(seconds)
                        cpus[variant, kind].append(cpu)
                        lookups[variant, kind] += "docgap: scanning" in output
            if (sent := requests_sent(url) - sent_before) != 0:
                raise SystemExit(f"the no-op rebuilds sent {sent} requests to the model; expected none")
    finally:
        server.terminate()
        server.wait()
    print(f"no-op rebuilds, {drafts} drafts over {args.modules} modules, medians of {args.repeat}; "
          f"load average {os.getloadavg()[0]:.1f}")
    for measure, values in (("wall", times), ("cpu", cpus)):
        for variant in variants:
            plain = statistics.median(values[variant, "plain"])
            cells = [f"plain {plain:.2f}s"]
            for kind in kinds[1:]:
                seconds = statistics.median(values[variant, kind])
                cells.append(f"{kind} {seconds:.2f}s (ratio {seconds / plain:.2f})")
            print(f"{measure} {variant:>12}: " + "; ".join(cells))
    for variant in variants:  # a Sphinx no-op looks no draft up unless something changed (docgap.sphinx.unchanged)
        print(f"docgap looked drafts up in {variant}: " + "; ".join(
            f"{kind} {lookups[variant, kind]}/{args.repeat}" for kind in kinds[1:]))
    print("target: ratio <= 1.05")


if __name__ == "__main__":
    main()
