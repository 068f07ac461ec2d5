"""A synthetic package for the host benchmarks: the same code with or without docstrings."""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

DOCSTRINGS = {
    "google": '''    """Scale a value and add an offset.

    Args:
        value: The value to scale.
        scale: The factor to multiply by.

    Returns:
        The scaled value plus the offset.
    """''',
    "sphinx": '''    """Scale a value and add an offset.

    :param value: The value to scale.
    :param scale: The factor to multiply by.
    :returns: The scaled value plus the offset.
    """''',
}
"""Human docstrings in the style each host renders docgap's drafts in, so both builds do the same work."""


def write_package(root: Path, *, modules: int = 10, functions: int = 100, documented: bool,
                  style: str = "google") -> list[str]:
    """Write package `synth` under `root`, docstrings in `style` if `documented`; return its module names."""
    package = root / "synth"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""Synthetic package."""\n')
    names = []
    for m in range(modules):
        lines = [f'"""Module {m}."""', ""]
        for f in range(functions):
            lines.append(f"def func_{m}_{f}(value: int, scale: float = 1.0) -> float:")
            if documented:
                lines.append(DOCSTRINGS[style])
            lines += [f"    return value * scale + {f}", ""]
        (package / f"mod_{m}.py").write_text("\n".join(lines))
        names.append(f"synth.mod_{m}")
    return names


def compare_builds(write_site: Callable[..., Path], build: Callable[[Path, Path], float], *,
                   style: str, repeat: int) -> None:
    """Time a host's build of the documented package against docgap on the undocumented one.

    Args:
        write_site: Makes the host's site for `(root, modules, docgap=...)` and returns its directory.
        build: Builds a site into a fresh output directory and returns the seconds it took.
        style: Docstring style of the human docstrings (the one docgap renders for this host).
        repeat: Timed builds of each kind, alternating; the medians are compared.
    """
    with tempfile.TemporaryDirectory() as tmp:
        documented_root, undocumented_root = Path(tmp) / "documented", Path(tmp) / "undocumented"
        modules = write_package(documented_root, documented=True, style=style)
        write_package(undocumented_root, documented=False)
        plain = write_site(documented_root, modules, docgap=False)
        filled = write_site(undocumented_root, modules, docgap=True)
        build(filled, Path(tmp) / "warmup")  # fills the draft cache (and the scan cache)
        plain_times, docgap_times = [], []
        for run in range(repeat):
            plain_times.append(build(plain, Path(tmp) / f"plain-{run}"))
            docgap_times.append(build(filled, Path(tmp) / f"docgap-{run}"))
        plain_s, docgap_s = statistics.median(plain_times), statistics.median(docgap_times)
        print(f"functions: {len(modules) * 100}")
        print(f"documented in source, no docgap: median {plain_s:.2f}s over {repeat} builds")
        print(f"undocumented, docgap warm cache: median {docgap_s:.2f}s over {repeat} builds")
        print(f"ratio docgap/plain: {docgap_s / plain_s:.2f} (target <= 1.10)")
