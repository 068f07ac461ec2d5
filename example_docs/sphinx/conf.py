"""Sphinx configuration of the example site: autodoc and napoleon plus docgap, on the furo theme."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # so autodoc can import example_pkg

project = "example_pkg"
author = "docgap example"
copyright = "docgap example"  # noqa: A001 - Sphinx's name; EPUB needs it, and a version
version = release = "1.4.0"
# napoleon renders the package's own Google-style docstrings (Args:, Returns:) as fields.
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "docgap.sphinx"]
html_theme = "furo"
autodoc_member_order = "bysource"

# docgap reads [tool.docgap] from ../pyproject.toml (packages, cache, lockfile); values here win.
docgap_packages = ["example_pkg"]
