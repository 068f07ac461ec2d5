"""Running one `sphinx-build` or `mkdocs build` as a user would, and hashing the sources it reads.

A build is a subprocess of the work venv with a clean environment (no OpenAI/Azure variables, so
`provider = "auto"` cannot pick a model by accident). Its wall time, exit code, warnings and any
traceback are kept, and its full output is saved next to the site.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_WARNING = re.compile(r"\b(WARNING|ERROR|CRITICAL)\b")
_NOISE = re.compile(r"0x[0-9a-fA-F]+|(/[^\s:]+)+|line \d+|\d+(\.\d+)?\s*(s|ms|seconds)\b|\d+")
_SECRET_ENV = ("OPENAI_", "AZURE_OPENAI_")
_EXCEPTION_LINE = re.compile(r"^\s*[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")
_OBJECT_LINE = re.compile(r"^Object: (\S+)", re.M)


@dataclass
class BuildRun:
    """One build.

    Attributes:
        seconds: Wall time.
        returncode: Exit status.
        warnings: Warning and error lines of the output (deduplicated, paths and numbers kept).
        traceback: The last traceback of the output, or "" when there was none.
        log: Where the full output was saved.
        requests: Requests the fake model server received during the build.
        requested: The object path of each of those requests (from the prompt's `Object:` line).
    """

    seconds: float
    returncode: int
    warnings: list[str] = field(default_factory=list)
    traceback: str = ""
    log: str = ""
    requests: int = 0
    requested: list[str] = field(default_factory=list)


def clean_env() -> dict[str, str]:
    """The environment for builds: this one without OpenAI/Azure variables.

    Returns:
        A copy of `os.environ` without `OPENAI_*` and `AZURE_OPENAI_*`.
    """
    return {k: v for k, v in os.environ.items() if not k.startswith(_SECRET_ENV)}


def _traceback(output: str) -> str:
    start = output.rfind("Traceback (most recent call last)")
    if start < 0:
        return ""
    lines = output[start:].splitlines()
    # the exception line; Sphinx indents its tracebacks, so look for the shape, not the column
    ends = [i for i, line in enumerate(lines) if _EXCEPTION_LINE.match(line)]
    end = ends[0] if ends else len(lines) - 1
    return "\n".join(line.strip() for line in [lines[0], *lines[max(1, end - 3):end + 1]])


def run(command: list[str], cwd: Path, log: Path) -> BuildRun:
    """Run one build command and keep what a user would look at.

    Args:
        command: The command line.
        cwd: Its working directory.
        log: File to save stdout and stderr into.

    Returns:
        The build's time, exit code, warnings and traceback.
    """
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=clean_env(), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    output = done.stdout + "\n" + done.stderr
    log.write_text(f"$ {' '.join(command)}\n{output}")
    warnings = list(dict.fromkeys(line.strip() for line in output.splitlines() if _WARNING.search(line)))
    return BuildRun(seconds, done.returncode, warnings, _traceback(output), str(log))


def requested_objects(bodies: list[dict[str, Any]]) -> list[str]:
    """The object each chat-completion request asked about, in order (`?` when the prompt names none).

    Args:
        bodies: Request bodies as the fake server recorded them.

    Returns:
        One object path per request.
    """
    found = []
    for body in bodies:
        text = "\n".join(str(m.get("content") or "") for m in body.get("messages") or ())
        match = _OBJECT_LINE.search(text)
        found.append(match.group(1) if match else "?")
    return found


def warning_shape(line: str) -> str:
    """A warning without paths and numbers, to compare warnings between two builds.

    Args:
        line: One warning line.

    Returns:
        The line with paths and numbers replaced by `…`.
    """
    return _NOISE.sub("…", line)


def tree_hash(roots: list[Path]) -> str:
    """Hash every file under `roots` except `__pycache__`: names and contents.

    Args:
        roots: Package directories.

    Returns:
        A sha256 hex digest.
    """
    digest = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root.parent)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
