"""Sphinx configuration of the example site read statically by sphinx-autoapi (nothing is imported)."""

project = "example_pkg"
author = "docgap example"
copyright = "docgap example"  # noqa: A001 - Sphinx's name
version = release = "1.4.0"
extensions = ["autoapi.extension", "docgap.sphinx"]
autoapi_dirs = ["../example_pkg"]
html_theme = "furo"

# docgap reads [tool.docgap] from ../pyproject.toml (packages, cache, lockfile); docgap_* values here win.
