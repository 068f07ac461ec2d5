"""A synthetic package for the host benchmarks: the same code with or without docstrings."""

from __future__ import annotations

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
