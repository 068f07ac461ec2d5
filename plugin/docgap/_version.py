"""The version of docgap (its own module, so submodules can read it while the package initialises)."""

__version__ = "0.1.0"
