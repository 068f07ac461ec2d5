"""Benchmark: engine throughput against the fake OpenAI server with added latency.

Runs `docgap.engine.generate_async` with the real `OpenAIProvider` (real SDK, real HTTP on
127.0.0.1) over N distinct targets at the given concurrency, with L seconds of latency per request,
and prints throughput as a ratio to the ideal `concurrency / latency`. Target: at least 0.85 at
concurrency 32.

Run: `.venv/bin/python bench/bench_engine.py [--targets 640] [--concurrency 32] [--latency 0.2]`
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import urllib.request
import time
from pathlib import Path

import openai  # noqa: F401 - the provider imports the SDK on its first request: not in the timed part

from docgap.engine import Job, generate_async
from docgap.limits import Limits
from docgap.providers.base import TargetContext
from docgap.providers.openai import OpenAIProvider
from docgap.settings import Settings
from docgap.targets import Parameter, Target
from docgap.validate import validate

FAKE_SERVER = Path(__file__).resolve().parent.parent / "tests" / "fake_openai.py"


def jobs(count: int) -> list[Job]:
    result = []
    for i in range(count):
        target = Target(path=f"pkg.mod.func_{i}", kind="function", key=f"key-{i}",
                        parameters=(Parameter("value", annotation="int"), Parameter("scale", "keyword-only", "float", "1.0")),
                        returns="float", returns_value=True,
                        source=f"def func_{i}(value: int, *, scale: float = 1.0) -> float:\n    return value * scale\n")
        result.append(Job(target, TargetContext(), lambda data, t=target: validate(data, t)))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=640)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--jitter", type=float, default=0.0, help="latency spread, e.g. 0.25 for ±25%% (same mean)")
    args = parser.parse_args()
    # The server runs in a process of its own, as a real service would: sharing this process's
    # interpreter lock with it would measure the fake server, not the engine.
    server = subprocess.Popen([sys.executable, str(FAKE_SERVER), "--latency", str(args.latency), "--jitter", str(args.jitter)],
                              stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()
        os.environ["OPENAI_API_KEY"] = "sk-bench-dummy"
        settings = Settings().replace(provider="openai", model="bench-model", base_url=url,
                                      concurrency=args.concurrency, max_retries=0)
        limits = Limits()
        provider = OpenAIProvider(settings, limits)
        started = time.perf_counter()
        report = asyncio.run(generate_async(jobs(args.targets), provider, concurrency=args.concurrency))
        seconds = time.perf_counter() - started
        with urllib.request.urlopen(url.removesuffix("/v1") + "/_stats") as response:
            requests = json.loads(response.read())["requests"]
    finally:
        server.terminate()
        server.wait()
    done = len(report.records)
    ideal = args.concurrency / args.latency
    throughput = done / seconds
    print(f"targets: {args.targets}, generated: {done}, failed: {len(report.failed)}, requests: {requests}")
    print(f"wall time: {seconds:.2f}s at concurrency {args.concurrency}, latency {args.latency * 1000:.0f} ms"
          + (f" ±{args.jitter:.0%}" if args.jitter else ""))
    print(f"throughput: {throughput:.1f}/s; ideal {ideal:.1f}/s; ratio {throughput / ideal:.2f} (target >= 0.85)")


if __name__ == "__main__":
    main()
