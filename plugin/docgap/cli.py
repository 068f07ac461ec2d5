"""The `docgap` command line: `scan`, `fill`, `show` and `lock`."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any, NoReturn

import griffe

from docgap._version import __version__
from docgap.errors import DocgapError, StrictModeError
from docgap.human import human_docstring
from docgap.pipeline import Fill, fill
from docgap.render import render
from docgap.scan import scan
from docgap.settings import STYLES, PROVIDERS, Settings, load_settings
from docgap.store import Store
from docgap.targets import ScanResult

KINDS = ("module", "class", "function", "method", "property", "attribute")


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name; `sys.argv[1:]` by default.

    Returns:
        The exit status: 0 on success, 1 when `--strict` finds misses or failures, 2 on bad input.
    """
    args = _parser().parse_args(argv)
    _configure_logging(args.verbose, args.json)
    try:
        settings = _settings(args)
        return int(args.handler(args, settings) or 0)
    except DocgapError as exc:
        print(f"docgap: error: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, StrictModeError) else 2
    except BrokenPipeError:
        # The reader went away (`docgap scan -v | head`): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr, as every docgap error is."""

    def error(self, message: str) -> NoReturn:
        """Print `message` with a pointer to `--help` and exit with status 2."""
        self.exit(2, f"docgap: error: {message} (see `{self.prog} --help`)\n")


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--search-path", action="append", default=None, metavar="DIR",
                        help="where to find the packages (repeatable)")
    common.add_argument("--config", type=Path, help="a pyproject.toml with a [tool.docgap] table")
    common.add_argument("--cache-dir", type=Path, help="draft cache directory")
    common.add_argument("--lockfile", type=Path, help="lockfile path")
    common.add_argument("--provider", choices=PROVIDERS, help="who drafts: auto, signature, openai, azure")
    common.add_argument("--model", help="model name (Azure: deployment name)")
    common.add_argument("--base-url", help="base URL of an OpenAI-compatible server")
    common.add_argument("--style", choices=STYLES, help="docstring style of rendered text")
    common.add_argument("--concurrency", type=int, help="requests at once")
    common.add_argument("--max-requests", type=int, help="request budget for this run")
    common.add_argument("--max-tokens", type=int, help="token budget for this run")
    common.add_argument("--frozen", action="store_true", default=None, help="never call a provider")
    common.add_argument("--regenerate", action="store_true", default=None,
                        help="regenerate drafts made by another model")
    common.add_argument("--strict", action="store_true", default=None, help="misses and failures are errors")
    common.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    common.add_argument("-v", "--verbose", action="store_true", help="list objects and show more detail")

    parser = _Parser(prog="docgap", description="Fill the gaps in your API reference.")
    parser.add_argument("--version", action="version", version=f"docgap {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler, help_text in (
        ("scan", _cmd_scan, "report documentation coverage"),
        ("fill", _cmd_fill, "produce the missing drafts"),
        ("lock", _cmd_lock, "write the lockfile from the drafts in the lockfile and cache"),
    ):
        sub = commands.add_parser(name, parents=[common], help=help_text)
        sub.add_argument("packages", nargs="*", metavar="PACKAGE")
        sub.set_defaults(handler=handler)
    show = commands.add_parser("show", parents=[common], help="print the docstring of one object")
    show.add_argument("object", metavar="OBJECT.PATH")
    show.set_defaults(handler=_cmd_show, packages=None)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    packages = args.packages or None
    overrides: dict[str, Any] = {
        "packages": packages,
        "search_paths": [str(Path(p).resolve()) for p in args.search_path] if args.search_path else None,
        "cache_dir": str(args.cache_dir.resolve()) if args.cache_dir else None,
        "lockfile": str(args.lockfile.resolve()) if args.lockfile else None,
        "provider": args.provider,
        "model": args.model,
        "base_url": args.base_url,
        "style": args.style,
        "concurrency": args.concurrency,
        "max_requests": args.max_requests,
        "max_tokens": args.max_tokens,
        "frozen": args.frozen,
        "regenerate": args.regenerate,
        "strict": args.strict,
    }
    settings = load_settings(args.config.resolve() if args.config else None, overrides)
    if args.command == "show" and not settings.packages:
        settings = settings.replace(packages=[args.object.split(".")[0]])
    if not settings.packages:
        raise DocgapError("no package to scan: name one (docgap scan PACKAGE) or set "
                          "packages = [...] under [tool.docgap] in pyproject.toml")
    return settings


def _cmd_scan(args: argparse.Namespace, settings: Settings) -> int:
    result = scan(settings)
    with Store(settings) as store:
        filled = store.filled(result.targets)
    states = {t.path: ("filled" if t.path in filled else "missing") for t in result.targets}
    rows = [(d.path, d.kind, "documented") for d in result.documented]
    rows += [(t.path, t.kind, states[t.path]) for t in result.targets]
    rows.sort()
    totals = Counter(state for _, _, state in rows)
    if args.json:
        _print_json({
            "totals": {"objects": len(rows), "documented": totals["documented"],
                       "filled": totals["filled"], "missing": totals["missing"]},
            "objects": [{"path": p, "kind": k, "state": s} for p, k, s in rows],
        })
    else:
        _print_coverage(rows)
        if args.verbose:
            for path, kind, state in rows:
                if state == "missing":
                    print(f"  missing  {kind:<10} {path}")
    _print_scan_warnings(result)
    if settings.strict and totals["missing"]:
        print(f"docgap: error: {totals['missing']} objects have no docstring and no draft", file=sys.stderr)
        return 1
    return 0


def _cmd_fill(args: argparse.Namespace, settings: Settings) -> int:
    progress = None if args.json else _ProgressBar()
    outcome = fill(settings, progress=progress)
    if progress is not None:
        progress.finish()
    summary = outcome.summary
    assert summary is not None
    if args.json:
        _print_json({
            "generated": summary.generated, "from_lock": summary.from_lock, "from_cache": summary.from_cache,
            "failed": [{"path": f.path, "reason": f.reason} for f in outcome.failed],
            "skipped": [t.path for t in outcome.skipped],
            "missing": [t.path for t in outcome.missing],
            "provider": summary.provider, "model": summary.model, "requests": summary.requests,
            "input_tokens": summary.input_tokens, "output_tokens": summary.output_tokens,
            "cached_tokens": summary.cached_tokens, "cost": summary.cost, "seconds": round(summary.seconds, 3),
        })
    else:
        for line in summary.lines():
            print(line)
        if args.verbose:
            for item in sorted(outcome.resolved.values(), key=lambda r: r.target.path):
                print(f"  {item.origin:<9} {item.record.provider:<9} {item.target.path}")
    outcome.check_strict(settings)
    return 0


def _cmd_lock(args: argparse.Namespace, settings: Settings) -> int:
    outcome = fill(settings, lookup_only=True)
    with Store(settings) as store:
        path = store.write_lockfile(outcome.resolved.values())
    message = {"lockfile": str(path), "objects": len(outcome.resolved), "missing": len(outcome.missing)}
    if args.json:
        _print_json(message)
    else:
        print(f"docgap: wrote {len(outcome.resolved)} drafts to {path}"
              + (f"; {len(outcome.missing)} objects have no draft yet (run `docgap fill` first)"
                 if outcome.missing else ""))
    outcome.check_strict(settings)
    return 0


def _cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    path = args.object
    outcome = fill(settings, lookup_only=True)
    item = outcome.lookup(path)
    target = next((t for t in outcome.scan.targets if t.path == path or path in t.aliases), None)
    info: dict[str, Any] = {"path": path, "kind": None, "state": "missing", "origin": "none",
                            "provider": None, "model": None, "style": settings.style, "docstring": None}
    if item is not None:
        info.update(path=item.target.path, kind=item.target.kind, state="filled", origin=item.origin,
                    provider=item.record.provider, model=item.record.model,
                    docstring=render(item.record.draft, item.target, settings.style))
    elif target is not None:
        info.update(path=target.path, kind=target.kind)
    elif (human := _human_docstring(path, outcome, settings)) is not None:
        info.update(path=human[0], kind=human[1], state="documented", origin="human", docstring=human[2])
    else:
        raise DocgapError(f"{path}: no such object in scope of {', '.join(settings.packages)}")
    if args.json:
        _print_json(info)
    else:
        label = info["provider"] + (f" ({info['model']})" if info["model"] else "") if info["provider"] else ""
        print(f"{info['path']} [{info['kind']}] {info['state']}"
              + (f" from {info['origin']}, {label}" if info["state"] == "filled" else ""))
        print()
        print(info["docstring"] or "(no docstring and no draft: run `docgap fill`)")
    return 0


def _human_docstring(path: str, outcome: Fill, settings: Settings) -> tuple[str, str, str] | None:
    """The canonical path, kind and human text of a documented object named by its path or an alias."""
    documented = {d.path: d.kind for d in outcome.scan.documented}
    name = path.rsplit(".", 1)[-1]
    if not any(p == path or p.endswith("." + name) for p in documented):
        return None  # not even an alias of a documented object could have this name: skip loading
    top, _, member = path.partition(".")
    loader = griffe.GriffeLoader(search_paths=settings.import_paths, allow_inspection=False)
    try:
        found = loader.load(top)
        obj = found[member] if member else found
        obj = obj.final_target if obj.is_alias else obj
    except (ImportError, OSError, KeyError, griffe.LoadingError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    if obj.path not in documented:
        return None
    return obj.path, documented[obj.path], human_docstring(obj, settings) or ""


def _print_coverage(rows: list[tuple[str, str, str]]) -> None:
    by_kind: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    for _, kind, state in rows:
        by_kind.setdefault(kind, Counter())[state] += 1
    print(f"{'kind':<11}{'objects':>8}{'documented':>12}{'filled':>8}{'missing':>9}")
    total: Counter[str] = Counter()
    for kind, counts in by_kind.items():
        if counts:
            total.update(counts)
            print(f"{kind:<11}{sum(counts.values()):>8}{counts['documented']:>12}{counts['filled']:>8}{counts['missing']:>9}")
    objects = sum(total.values())
    print(f"{'total':<11}{objects:>8}{total['documented']:>12}{total['filled']:>8}{total['missing']:>9}")
    if objects:
        print(f"coverage: {100 * total['documented'] / objects:.1f}% written by people, "
              f"{100 * (total['documented'] + total['filled']) / objects:.1f}% with drafts")


def _print_scan_warnings(result: ScanResult) -> None:
    for warning in result.warnings:
        print(f"docgap: warning: {warning}", file=sys.stderr)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, sort_keys=True) + "\n")


def _configure_logging(verbose: bool, quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("docgap")
    logger.handlers = [handler]  # one handler however often `main` runs in a process
    logger.setLevel(logging.INFO if verbose or not quiet else logging.WARNING)
    logger.propagate = False
    # The scan turns griffe's reports on unreadable modules into warnings; the rest is griffe's own noise.
    logging.getLogger("griffe").setLevel(logging.CRITICAL)


class _ProgressBar:
    """A one-line progress bar on stderr (a line per tenth when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.shown = -1
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if self.tty:
            width = 30
            filled = width * done // total
            sys.stderr.write(f"\rdocgap: generating [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()
            self.drawn = True
        elif (tenth := 10 * done // total) != self.shown:
            self.shown = tenth
            print(f"docgap: generating {done}/{total}", file=sys.stderr)

    def finish(self) -> None:
        """End the bar's line."""
        if self.drawn:
            sys.stderr.write("\n")
