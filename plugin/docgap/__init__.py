"""docgap: fill the gaps in an API reference at docs-build time."""

__version__ = "0.1.0"
