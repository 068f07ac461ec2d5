"""The `docgap` command line: `scan`, `fill`, `show`, `lock`, `eval` and `export`."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from docgap._version import __version__
from docgap.errors import DocgapError, SettingsError, StrictModeError
from docgap.hosting import Session, forward_logs, host_settings
from docgap.review_cli import add_review_command
from docgap.settings import STYLES, Settings

if TYPE_CHECKING:
    from docgap.outcome import Fill
    from docgap.targets import Documented
# Each command imports what only it needs (the renderers, the providers, the evaluation) where it runs.

KINDS = ("module", "class", "function", "method", "property", "attribute")


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name; `sys.argv[1:]` by default.

    Returns:
        The exit status: 0 on success, 1 when `--strict` finds misses or failures, 2 on bad input.
    """
    args = _parser().parse_args(argv)
    # The scan turns griffe's reports on unreadable modules into warnings; the rest is griffe's own noise.
    logging.getLogger("griffe").setLevel(logging.CRITICAL)
    try:
        session = Session(_settings(args), log=_StderrLog(args.verbose or not args.json))
        return int(args.handler(args, session) or 0)
    except DocgapError as exc:
        print(f"docgap: error: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, StrictModeError) else 2
    except BrokenPipeError:
        # The reader went away (`docgap scan -v | head`): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        if argv is None:  # the `docgap` command, whose process ends now: its last garbage collection
            gc.freeze()  # would walk every object the run made (the SDK's, griffe's), about 0.2 s


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr, as every docgap error is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """Print `message` with a pointer to `--help` and exit with status 2."""
        self.exit(2, f"docgap: error: {message} (see `{self.prog} --help`)\n")


class _Help(argparse.HelpFormatter):
    """Help that names the providers installed packages register, looking them up only when help is shown."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.dest != "provider":
            return action.help
        from docgap.providers import provider_names  # noqa: PLC0415 - reads every package's entry points

        return f"who drafts: {', '.join(('auto', *provider_names()))}"


def _parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--search-path", action="append", default=None, metavar="DIR",
                        help="where to find the packages (repeatable)")
    common.add_argument("--config", type=Path, help="a pyproject.toml with a [tool.docgap] table")
    common.add_argument("--cache-dir", type=Path, help="draft cache directory")
    common.add_argument("--lockfile", type=Path, help="lockfile path")
    common.add_argument("--provider", type=_provider_name, help="who drafts")
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
    evaluate = commands.add_parser("eval", parents=[common],
                                   help="draft documented objects with their docstrings hidden and compare")
    evaluate.add_argument("packages", nargs="*", metavar="PACKAGE")
    evaluate.add_argument("-n", "--objects", type=int, default=20, metavar="N", help="how many objects (20)")
    evaluate.set_defaults(handler=_cmd_eval)
    show = commands.add_parser("show", parents=[common], help="print the docstring of one object")
    show.add_argument("object", metavar="OBJECT.PATH")
    show.set_defaults(handler=_cmd_show, packages=None)
    export = commands.add_parser("export", parents=[common],
                                 help="write a patch that adds the drafts to the sources as docstrings")
    export.add_argument("packages", nargs="*", metavar="PACKAGE")
    export.add_argument("--patch", type=Path, required=True, metavar="FILE",
                        help="where to write the unified diff (apply it with `git apply` or `patch -p1`)")
    export.add_argument("--reviewed-only", action="store_true", help="only drafts a person accepted or edited")
    export.set_defaults(handler=_cmd_export)
    add_review_command(commands, common)
    return parser


def _provider_name(name: str) -> str:
    """`--provider`: a provider's name (looking among those of installed packages only for an unknown one)."""
    from docgap.providers import is_provider, provider_names  # noqa: PLC0415 - only with --provider

    if name != "auto" and not is_provider(name):
        raise argparse.ArgumentTypeError(f"unknown provider {name!r} (choose from auto, {', '.join(provider_names())})")
    return name


def _settings(args: argparse.Namespace) -> Settings:
    values: dict[str, Any] = {
        "packages": args.packages or None,
        "search_paths": args.search_path,
        "cache_dir": args.cache_dir,
        "lockfile": args.lockfile,
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
    settings = host_settings(values, Path.cwd(), config=args.config)
    if args.command == "show" and not settings.packages:
        settings = settings.replace(packages=[args.object.split(".")[0]])
    if args.command == "review" and not settings.packages and args.paths:
        settings = settings.replace(packages=list(dict.fromkeys(p.split(".")[0] for p in args.paths)))
    if not settings.packages:
        raise SettingsError("no package to scan: name one (docgap scan PACKAGE) or set "
                            "packages = [...] under [tool.docgap] in pyproject.toml")
    return settings


def _cmd_scan(args: argparse.Namespace, session: Session) -> int:
    outcome = session.fill(lookup_only=True)
    rows = [(d.path, d.kind, "documented") for d in outcome.scan.documented]
    rows += [(t.path, t.kind, "filled" if t.path in outcome.resolved else "missing") for t in outcome.scan.targets]
    rows.sort()
    totals = Counter(state for _, _, state in rows)
    packages = list(session.settings.packages)
    if args.json:
        _print_json({
            "scope": {"unit": "package", "packages": packages},
            "totals": {"objects": len(rows), "documented": totals["documented"],
                       "filled": totals["filled"], "missing": totals["missing"]},
            "objects": [{"path": p, "kind": k, "state": s} for p, k, s in rows],
        })
    else:
        print(f"scope: package {', '.join(packages)} (every object in scope; a docs build counts only what "
              "its site shows)")
        _print_coverage(rows)
        if args.verbose:
            for path, kind, state in rows:
                if state == "missing":
                    print(f"  missing  {kind:<10} {path}")
    if session.settings.strict and totals["missing"]:
        print(f"docgap: error: {totals['missing']} objects have no docstring and no draft", file=sys.stderr)
        return 1
    return 0


def _cmd_fill(args: argparse.Namespace, session: Session) -> int:
    progress = None if args.json else _ProgressBar()
    outcome = session.fill(progress=progress)
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
        for line in session.summary_lines():
            print(f"docgap: {line}")
        if args.verbose:
            for item in sorted(outcome.resolved.values(), key=lambda r: r.target.path):
                print(f"  {item.origin:<9} {item.record.provider:<9} {item.target.path}")
    session.check_strict()
    return 0


def _cmd_lock(args: argparse.Namespace, session: Session) -> int:
    outcome = session.fill(lookup_only=True)
    path = session.write_lockfile(outcome)
    message = {"lockfile": str(path), "objects": len(outcome.resolved), "missing": len(outcome.missing)}
    if args.json:
        _print_json(message)
    else:
        print(f"docgap: wrote {len(outcome.resolved)} drafts to {path}"
              + (f"; {len(outcome.missing)} objects have no draft yet (run `docgap fill` first)"
                 if outcome.missing else ""))
    session.check_strict()
    return 0


def _cmd_eval(args: argparse.Namespace, session: Session) -> int:
    from docgap.evaluate import evaluate  # noqa: PLC0415 - only this command needs it

    with forward_logs(session.log):
        evaluation = evaluate(session.settings, args.objects)
    if args.json:
        _print_json({
            "objects": [{"path": s.path, "failed": s.failed, "parameters": list(s.parameters),
                         "raises_agree": s.raises_agree, "returns": list(s.returns), "claims": list(s.claims),
                         "input_tokens": s.usage.input_tokens, "output_tokens": s.usage.output_tokens}
                        for s in evaluation.scores],
            "totals": {name: list(value) for name, value in evaluation.totals().items()},
            "cost": evaluation.fill.summary.cost if evaluation.fill.summary else None,
        })
    else:
        for line in evaluation.lines():
            print(f"docgap: {line}")
    return 0


def _cmd_export(args: argparse.Namespace, session: Session) -> int:
    from docgap.export import make_patch  # noqa: PLC0415 - only this command needs it

    outcome = session.fill(lookup_only=True)
    patch = make_patch(outcome.resolved.values(), session.settings, reviewed_only=args.reviewed_only)
    for left in patch.skipped:
        session.log(logging.WARNING, f"{left.path}: not exported: {left.reason}")
    if patch.empty:
        session.log(logging.WARNING, f"{len(patch.empty)} empty drafts not exported (the source shows no fact "
                                     "to state): write those docstrings by hand" + ("" if args.verbose else "; -v lists them"))
        for path in patch.empty if args.verbose else ():
            session.log(logging.WARNING, f"{path}: not exported: its draft is empty")
    try:
        args.patch.write_bytes(patch.text.encode("utf-8"))
    except OSError as exc:
        raise DocgapError(f"{args.patch}: cannot write the patch ({exc.strerror or exc}); "
                          "choose a writable path with --patch") from exc
    if args.json:
        _print_json({"patch": str(args.patch), "files": list(patch.files), "exported": list(patch.exported),
                     "skipped": [{"path": s.path, "reason": s.reason} for s in patch.skipped],
                     "empty": list(patch.empty), "missing": [t.path for t in outcome.missing]})
    else:
        print(f"docgap: wrote {len(patch.exported)} docstrings in {len(patch.files)} files to {args.patch}"
              + (f"; review it, then apply it with `git apply {args.patch}` or `patch -p1 < {args.patch}`"
                 if patch.exported else "")
              + (f"; {len(outcome.missing)} objects have no draft yet (run `docgap fill` first)"
                 if outcome.missing else ""))
    return 0


def _cmd_show(args: argparse.Namespace, session: Session) -> int:
    from docgap.render import render  # noqa: PLC0415 - only this command renders

    path, settings = args.object, session.settings
    outcome = session.fill(lookup_only=True)
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
    elif (human := _documented(path, outcome)) is not None:
        info.update(path=human.path, kind=human.kind, state="documented", origin="human", docstring=human.text)
    else:
        raise DocgapError(f"{path}: no such object in scope of {', '.join(settings.packages)}")
    if args.json:
        _print_json(info)
    else:
        label = info["provider"] + (f" ({info['model']})" if info["model"] else "") if info["provider"] else ""
        print(f"{info['path']} [{info['kind']}] {info['state']}"
              + (f" from {info['origin']}, {label}" if info["state"] == "filled" else ""))
        print()
        none = ("(an empty draft: the source shows no fact to state; hosts show the badge alone)"
                if info["state"] == "filled" else "(no docstring and no draft: run `docgap fill`)")
        print(info["docstring"] or none)
    return 0


def _documented(path: str, outcome: Fill) -> Documented | None:
    """The documented object named by its canonical path or a public alias."""
    return next((d for d in outcome.scan.documented if d.path == path or path in d.aliases), None)


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


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, sort_keys=True) + "\n")


class _StderrLog:
    """The session's log: one line per message on stderr; warnings always, the rest when asked."""

    def __init__(self, chatty: bool) -> None:
        self.threshold = logging.INFO if chatty else logging.WARNING

    def __call__(self, level: int, text: str) -> None:
        if level >= self.threshold:
            print(f"docgap: {'warning: ' if level >= logging.WARNING else ''}{text}", file=sys.stderr)


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
