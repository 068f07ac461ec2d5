"""Rendering a draft as docstring text in the project's style, with untrusted text neutralised."""

from __future__ import annotations

from collections.abc import Callable

from docgap.drafts import Draft
from docgap.render.google import render_google
from docgap.render.numpy import render_numpy
from docgap.render.sanitize import MARKUPS, escape_text
from docgap.render.sphinx import render_sphinx
from docgap.targets import Target

_RENDERERS: dict[str, Callable[[Draft, Target, str], str]] = {
    "google": render_google,
    "numpy": render_numpy,
    "sphinx": render_sphinx,
}


def render(draft: Draft, target: Target, style: str = "google", markup: str = "rest") -> str:
    """Render a draft as a docstring.

    Args:
        draft: A draft that passed validation.
        target: The object it documents.
        style: `google`, `numpy` or `sphinx`.
        markup: What the host parses docstrings as: `rest` (Sphinx) or `markdown` (mkdocstrings).

    Returns:
        The docstring text, without quotes or indentation.

    Raises:
        ValueError: For an unknown style or markup.
    """
    if style not in _RENDERERS:
        raise ValueError(f"unknown docstring style {style!r}; expected one of {', '.join(_RENDERERS)}")
    if markup not in MARKUPS:
        raise ValueError(f"unknown markup {markup!r}; expected one of {', '.join(MARKUPS)}")
    return _RENDERERS[style](draft, target, markup)


__all__ = ["MARKUPS", "escape_text", "render", "render_google", "render_numpy", "render_sphinx"]
