"""Shared pieces of the fault, kill and hostile-input suite."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from synthetic import write_package  # noqa: E402

BIN = Path(sys.executable).parent
KEY = "sk-docgap-reliability-DUMMY-7a6b5c"


def synthetic_project(root: Path, functions: int, **settings: object) -> Path:
    """A project dir with package `synth` (undocumented) and a `[tool.docgap]` table."""
    write_package(root, modules=max(1, functions // 100), functions=min(functions, 100), documented=False)
    table = "".join(f"{key} = {value!r}\n".replace("'", '"') if not isinstance(value, bool) else f"{key} = {str(value).lower()}\n"
                    for key, value in {"packages": ["synth"], "search_paths": ["."], **settings}.items())
    (root / "pyproject.toml").write_text("[tool.docgap]\n" + table)
    return root


def model_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_OPENAI_"))}
    env.update(OPENAI_BASE_URL=url, OPENAI_API_KEY=KEY, NO_MKDOCS_2_WARNING="1")
    return env


def files_containing(root: Path, needle: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]
