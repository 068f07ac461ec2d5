"""Host values to settings: one rule for every host's configuration (types, relative paths).

Re-exported by `docgap.hosting`, where hosts find it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docgap.errors import SettingsError
from docgap.settings import Settings, load_settings

SETTING_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Settings) if f.name != "root")
"""Every setting a host may pass in `host_settings` (all of `Settings` but `root`)."""

PATH_SETTINGS = frozenset({"cache_dir", "lockfile", "search_paths"})
"""Settings holding paths: relative values from a host are resolved against its base folder."""

_TYPES = {f.name: str(f.type) for f in dataclasses.fields(Settings)}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def host_settings(
    values: Mapping[str, Any],
    base: Path,
    *,
    config: str | Path | None = None,
    defaults: Mapping[str, Any] | None = None,
    require_packages: str | None = None,
) -> Settings:
    """Build a run's settings from a host's values: core defaults, `[tool.docgap]`, then `values`.

    One rule for every host: relative paths among `values` (`cache_dir`, `lockfile`,
    `search_paths`) and `config` are resolved against `base`, the folder of the host's own
    configuration (Sphinx's conf dir, the folder of `mkdocs.yml`, the current directory for the
    command line); relative paths inside `pyproject.toml` against that file's folder. Strings are
    read as the setting's type (see `coerce`), so `sphinx-build -D docgap_frozen=1` works.

    Args:
        values: Setting name to value as the host has it; `None` means "not set here".
        base: The folder relative paths are resolved against, and where the nearest
            `pyproject.toml` with a `[tool.docgap]` table is looked for when `config` is not given.
        config: A `pyproject.toml` to read instead of the nearest one.
        defaults: The host's own defaults (the file and `values` win over them).
        require_packages: When given, no package to scan is an error, and this text says how to
            name one.

    Returns:
        The settings, every path absolute.

    Raises:
        SettingsError: Naming the setting and the fix, when a name is unknown or a value invalid,
            or (with `require_packages`) when no package is named.
    """
    base = Path(base).resolve()
    overrides = {name: _relative_to(name, coerce(name, value), base) for name, value in values.items()
                 if value is not None}
    settings = load_settings((base / config).resolve() if config else None, overrides, start=base,
                             defaults=defaults)
    if require_packages is not None and not settings.packages:
        raise SettingsError(f"no package to scan; {require_packages}")
    return settings


def coerce(name: str, value: Any) -> Any:
    """Read a string as the type of setting `name` (`"1"` → `True`, `"3"` → `3`, `"a,b"` → a list).

    Values that are not strings, and strings that do not read as the type, are returned as they
    are, for the settings to reject with a message naming the setting.

    Args:
        name: The setting.
        value: The host's value.

    Returns:
        The value, typed when it was a string of the setting's type.
    """
    if not isinstance(value, str):
        return value
    kind = _TYPES.get(name, "str")
    if kind == "bool" and value.lower() in (*_TRUE, *_FALSE):
        return value.lower() in _TRUE
    if kind in ("int", "int | None") and value.isdigit():
        return int(value)
    if kind == "float":
        try:
            return float(value)
        except ValueError:
            return value
    if kind.startswith("tuple["):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _relative_to(name: str, value: Any, base: Path) -> Any:
    if name not in PATH_SETTINGS:
        return value
    if name == "search_paths":
        paths = [value] if isinstance(value, (str, Path)) else value
        if isinstance(paths, (list, tuple)) and all(isinstance(p, (str, Path)) for p in paths):
            return [str((base / Path(p).expanduser()).resolve()) for p in paths]
        return value  # not paths: the settings name the setting and what it must be
    if isinstance(value, (str, Path)):
        return str((base / Path(value).expanduser()).resolve())
    return value


__all__ = ["PATH_SETTINGS", "SETTING_NAMES", "coerce", "host_settings"]
