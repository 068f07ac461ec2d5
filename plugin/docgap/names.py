"""Predicates on Python names, for code that must not load the scanner (and griffe) to ask them."""

from __future__ import annotations


def is_dunder(name: str) -> bool:
    """Whether `name` is a `__special__` name."""
    return len(name) > 4 and name.startswith("__") and name.endswith("__")
