"""Benchmark: wall-clock `docgap fill` of 400 undocumented functions against a slow model server.

The wall-clock variant of `bench_engine.py`: where that one times the engine alone, this runs the
`docgap fill` command as a fresh process, so start-up (imports, settings), the scan and the cache
count too. The fake OpenAI server (`tests/fake_openai.py`, real SDK, real HTTP on 127.0.0.1) runs
in its own process and answers each request after `--latency` seconds; every run starts from an
empty cache, so every function is drafted (one request each, checked on the server). Prints the
median wall-clock time as a ratio to the ideal `targets × latency / concurrency` seconds; target
at most 1.18 for 400 functions, 500 ms, concurrency 32. (The floor is above 1: 400 requests in
slots of 32 take 13 rounds, 6.5 s.) It prints the CPU time `docgap fill` used too, steadier than
the wall clock on a loaded machine. Bytecode is cached, as for an installed package
(`PYTHONPYCACHEPREFIX`, a folder of the run's own).

`--before DIR` also times, alternating with the others, runs with another copy of the `docgap`
package (`DIR/docgap`, e.g. a copy of `plugin/docgap` taken before a change) first on `PYTHONPATH`.

`--realtime` runs the server and each `docgap fill` with a real-time priority (`chrt -f 10`, Linux,
as root): on a machine busy with other work, the figures are then those of an idle one (the work
measured sleeps most of the time, so it cannot starve the machine).

Run: `.venv/bin/python bench/bench_throughput.py [--targets 400] [--latency 0.5] [--concurrency 32] [--repeat 3] [--before DIR] [--realtime]`
"""

from __future__ import annotations

import argparse
import json
import os
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

DOCGAP = str(Path(sys.executable).parent / "docgap")
FAKE_SERVER = HERE.parent / "tests" / "fake_openai.py"


def requests_sent(url: str) -> int:
    with urllib.request.urlopen(url.removesuffix("/v1") + "/_stats") as response:
        return int(json.loads(response.read())["requests"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=400, help="a multiple of 100")
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", type=Path, help="a folder holding another copy of the docgap package")
    parser.add_argument("--realtime", action="store_true", help="run at a real-time priority (chrt, as root)")
    args = parser.parse_args()
    priority = ["chrt", "-f", "10"] if args.realtime else []
    pycache = tempfile.TemporaryDirectory()  # bytecode cached, as for an installed package
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
           "PYTHONPYCACHEPREFIX": pycache.name, "OPENAI_API_KEY": "sk-bench-dummy"}
    envs = {"docgap": env}
    if args.before:
        envs["before"] = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(args.before.resolve()), env.get("PYTHONPATH")]))}
    server = subprocess.Popen([*priority, sys.executable, str(FAKE_SERVER), "--latency", str(args.latency)],
                              stdout=subprocess.PIPE, text=True)
    times: dict[str, list[float]] = {name: [] for name in envs}
    cpus: dict[str, list[float]] = {name: [] for name in envs}
    try:
        url = server.stdout.readline().strip()  # type: ignore[union-attr]
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            write_package(root, modules=args.targets // 100, functions=100, documented=False)
            for run in range(args.repeat):
                for name, run_env in envs.items():
                    sent_before = requests_sent(url)
                    command = [*priority, DOCGAP, "fill", "synth", "--search-path", str(root),
                               "--cache-dir", str(root / f"cache-{name}-{run}"), "--lockfile", str(root / "none.lock.json"),
                               "--provider", "openai", "--model", "bench-model", "--base-url", url,
                               "--concurrency", str(args.concurrency)]
                    cpu, started = _children_cpu(), time.perf_counter()
                    done = subprocess.run(command, cwd=root, capture_output=True, text=True, env=run_env)
                    times[name].append(time.perf_counter() - started)
                    cpus[name].append(_children_cpu() - cpu)
                    if done.returncode or requests_sent(url) - sent_before != args.targets:
                        raise SystemExit(f"docgap fill did not draft each function with one request:\n{done.stdout}{done.stderr}")
    finally:
        server.terminate()
        server.wait()
        pycache.cleanup()
    ideal = args.targets * args.latency / args.concurrency
    print(f"docgap fill: {args.targets} functions, latency {args.latency * 1000:.0f} ms, concurrency {args.concurrency}; "
          f"ideal {ideal:.2f}s; load average {os.getloadavg()[0]:.1f}" + ("; real-time priority" if args.realtime else ""))
    for name, runs in times.items():
        seconds = statistics.median(runs)
        print(f"{name}: wall clock median {seconds:.2f}s over {args.repeat} runs ({', '.join(f'{t:.2f}' for t in runs)}); "
              f"ratio wall/ideal {seconds / ideal:.2f} (target <= 1.18); CPU median {statistics.median(cpus[name]):.2f}s")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
