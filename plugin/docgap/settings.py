"""One `Settings` object, read from `[tool.docgap]` and overridden by hosts and the command line."""

from __future__ import annotations

import dataclasses
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from docgap.errors import SettingsError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROVIDER_NAME = re.compile(r"[A-Za-z][\w.-]*")
"""What a provider name looks like; which names exist is the provider registry's to say."""
STYLES = ("google", "numpy", "sphinx")
OUTPUT_MODES = ("auto", "json_schema", "tools", "json_object")


@dataclass(frozen=True)
class Price:
    """The price of a model, in currency units per million tokens.

    Attributes:
        input: Price of a million prompt tokens.
        output: Price of a million completion tokens.
    """

    input: float
    output: float


@dataclass(frozen=True)
class Settings:
    """Everything that configures a docgap run.

    Paths are absolute once loaded: relative values are resolved against `root`.

    Attributes:
        packages: Packages to scan, by import name.
        search_paths: Directories where the packages are found (like `sys.path` entries).
        root: The directory of the configuration file (or the current directory).
        provider: `auto`, `signature`, `openai`, `azure`, or a provider an installed package registers.
        model: Model name (OpenAI) or deployment name (Azure).
        base_url: Base URL of an OpenAI-compatible server; `OPENAI_BASE_URL` otherwise.
        api_key_env: Name of an environment variable holding the API key, instead of the default.
        api_version: Azure API version; `OPENAI_API_VERSION` otherwise.
        allow_insecure_http: Allow sending a key over plain HTTP to a non-loopback host.
        output_mode: `auto`, `json_schema`, `tools` or `json_object`.
        style: Docstring style of rendered text: `google`, `numpy` or `sphinx`.
        cache_dir: Directory of the draft cache.
        lockfile: Path of the committable lockfile.
        include: Glob patterns on object paths; when given, only matching objects are in scope.
        exclude: Glob patterns on object paths to leave out.
        private: Include `_private` names.
        special_methods: Include dunder methods other than `__init__` and `__call__`.
        inherit_docstrings: Count an override of a documented base method as documented.
        exclude_tests: Leave out test code: packages and modules named `test`, `tests` or `test_*`.
        max_source_chars: Source longer than this is truncated in targets (with a marker).
        concurrency: How many targets are generated at once.
        requests_per_minute: Optional request rate limit.
        tokens_per_minute: Optional token rate limit.
        timeout: Seconds per request.
        max_retries: Retries the SDK makes on 429, 5xx and timeouts (honouring `Retry-After`).
        max_attempts: Answers asked for per target before giving up (re-asks on invalid answers).
        max_requests: Budget: requests per run, after which remaining targets wait for a later run.
        max_tokens: Budget: tokens (in + out) per run.
        max_output_tokens: Output-token cap sent with every request (`max_completion_tokens`).
        temperature: Sampling temperature sent with every request (0 to 2; dropped for the rest
            of a run when the service rejects it, as reasoning models do).
        prices: Price per model name, for the cost estimate.
        examples_in_prompt: How many existing docstrings of a module are sent as voice examples.
        frozen: Never call a provider; misses stay undocumented and are listed.
        strict: Misses and failures are errors.
        regenerate: Regenerate drafts made by a model other than the configured one.
        reveal: Fill undocumented members the host would hide (true), or only objects the site
            already shows (false).
        label_ai: Badge text for drafts written by a model.
        label_signature: Badge text for drafts made by the offline signature provider.
        label_reviewed: Added to the badge of a draft a person accepted or edited (`docgap
            review`), after ` · `; `{by}` stands for the reviewer's name.
        require_review: Under `strict`, drafts no person reviewed (or whose review is stale)
            are errors too.
    """

    packages: tuple[str, ...] = ()
    search_paths: tuple[Path, ...] = ()
    root: Path = field(default_factory=Path.cwd)
    provider: str = "auto"
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    api_version: str | None = None
    allow_insecure_http: bool = False
    output_mode: str = "auto"
    style: str = "google"
    cache_dir: Path | None = None
    lockfile: Path | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    private: bool = False
    special_methods: bool = False
    inherit_docstrings: bool = True
    exclude_tests: bool = True
    max_source_chars: int = 8000
    concurrency: int = 8
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    timeout: float = 60.0
    max_retries: int = 2
    max_attempts: int = 3
    max_requests: int | None = None
    max_tokens: int | None = None
    max_output_tokens: int = 1024
    temperature: float = 0.2
    prices: Mapping[str, Price] = field(default_factory=dict)
    examples_in_prompt: int = 3
    frozen: bool = False
    strict: bool = False
    regenerate: bool = False
    reveal: bool = True
    label_ai: str = "AI-generated"
    label_signature: str = "Drafted from signature"
    label_reviewed: str = "reviewed by {by}"
    require_review: bool = False

    @property
    def cache_path(self) -> Path:
        """The cache directory, defaulting to `.docgap/cache` under `root`."""
        return self.cache_dir or self.root / ".docgap" / "cache"

    @property
    def lockfile_path(self) -> Path:
        """The lockfile, defaulting to `docgap.lock.json` under `root`."""
        return self.lockfile or self.root / "docgap.lock.json"

    @property
    def import_paths(self) -> list[str]:
        """Where packages are looked for, as griffe takes them: `search_paths`, then `sys.path`."""
        return [*map(str, self.search_paths), *sys.path]

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with `changes` applied and checked like configuration values.

        Args:
            **changes: Setting names and raw values; `None` values are ignored.

        Returns:
            The new settings.

        Raises:
            SettingsError: When a name is unknown or a value is invalid.
        """
        return _apply(self, {k: v for k, v in changes.items() if v is not None}, source="override")


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
_PATH_FIELDS = {"cache_dir", "lockfile"}
_CHOICES = {"style": STYLES, "output_mode": OUTPUT_MODES}
# The values each whole-number setting may take. A budget or rate of 0 would allow nothing (`frozen`
# says that), and past the top a value is a typo, not a plan.
_INT_RANGES: dict[str, tuple[int, int]] = {
    "max_source_chars": (1, 10_000_000),
    "concurrency": (1, 256),
    "requests_per_minute": (1, 1_000_000),
    "tokens_per_minute": (1, 10**12),
    "max_retries": (0, 10),
    "max_attempts": (1, 10),
    "max_requests": (1, 10**9),
    "max_tokens": (1, 10**12),
    "max_output_tokens": (1, 1_000_000),
    "examples_in_prompt": (0, 50),
}
_MAX_TIMEOUT = 3600.0
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOML_POSITION = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)")
_SHOWN_VALUE = 80
"""Characters of a bad value quoted in an error."""


def load_settings(
    config: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    start: Path | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> Settings:
    """Read `[tool.docgap]` from a `pyproject.toml`, then apply overrides.

    Args:
        config: A `pyproject.toml` to read. When `None`, the nearest one at or above `start`
            (the current directory by default) is used, if any.
        overrides: Values from the host's own configuration or the command line; `None` values
            are ignored. They win over the file.
        start: Where to look for a `pyproject.toml` when `config` is not given.
        defaults: A host's own defaults (the Sphinx host defaults to the `sphinx` style); the file
            and the overrides win over them.

    Returns:
        The settings, with relative paths resolved against the configuration file's directory.

    Raises:
        SettingsError: When the file cannot be read, or a key is unknown or a value invalid.
    """
    if config is None:
        config = find_pyproject(start or Path.cwd())
        root = config.parent if config else (start or Path.cwd())
    else:
        root = config.parent
    settings = Settings(root=root.resolve())
    if defaults:
        settings = _apply(settings, defaults, source="defaults")
    if config is not None:
        settings = _apply(settings, _read_table(config), source=str(config))
    if overrides:
        settings = _apply(settings, {k: v for k, v in overrides.items() if v is not None}, source="override")
    return settings


def find_pyproject(start: Path) -> Path | None:
    """Return the nearest `pyproject.toml` at or above `start` that has a `[tool.docgap]` table.

    A file that cannot be parsed is reported when its text mentions `docgap` (it is most likely the
    configuration meant, and silently skipping it would scan nothing or the wrong package), and
    skipped otherwise (someone else's broken file above the project is not docgap's business).
    Files that cannot be read at all are skipped.

    Args:
        start: The directory to start from.

    Returns:
        The file, or `None` when no file at or above `start` has the table.

    Raises:
        SettingsError: When the nearest file that mentions `docgap` is not valid TOML (or not
            UTF-8); the message names the file and the line.
    """
    for directory in (start.resolve(), *start.resolve().parents):
        candidate = directory / "pyproject.toml"
        if not candidate.is_file():
            continue
        try:
            raw = candidate.read_bytes()
        except OSError:
            continue
        try:
            tool = tomllib.loads(raw.decode("utf-8")).get("tool")
            if isinstance(tool, dict) and "docgap" in tool:
                return candidate
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            if b"docgap" in raw:
                raise _unreadable_toml(candidate, exc) from exc
    return None


def _read_table(config: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(f"{config}: file not found; pass an existing pyproject.toml") from exc
    except OSError as exc:
        raise SettingsError(f"{config}: cannot be read ({exc})") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _unreadable_toml(config, exc) from exc
    tool = data.get("tool", {})
    table = tool.get("docgap", {}) if isinstance(tool, dict) else None
    if not isinstance(table, dict):
        raise SettingsError(f"{config}: [tool.docgap] must be a table")
    return {key.replace("-", "_"): value for key, value in table.items()}


def _unreadable_toml(config: Path, exc: UnicodeDecodeError | tomllib.TOMLDecodeError) -> SettingsError:
    """The error for a configuration file that is not UTF-8 TOML, naming the file and the line."""
    if isinstance(exc, UnicodeDecodeError):
        line = exc.object[:exc.start].count(b"\n") + 1
        return SettingsError(f"{config}:{line}: not UTF-8 ({exc.reason}); save the file as UTF-8")
    match = _TOML_POSITION.search(str(exc))
    where = f":{match['line']}" if match else ""
    reason = _TOML_POSITION.sub("", str(exc)) + (f" at column {match['column']}" if match else "")
    return SettingsError(f"{config}{where}: invalid TOML ({reason}); fix it, docgap cannot read "
                         "[tool.docgap] until then")


def _apply(settings: Settings, values: Mapping[str, Any], *, source: str) -> Settings:
    changes: dict[str, Any] = {}
    root = _coerce("root", values["root"], settings.root, source) if "root" in values else settings.root
    for key, value in values.items():
        if key not in _FIELDS:
            raise SettingsError(f"{source}: unknown docgap setting {key!r}; known settings: {', '.join(sorted(_FIELDS))}")
        changes[key] = _coerce(key, value, root, source)
    return dataclasses.replace(settings, **changes)


def _coerce(key: str, value: Any, root: Path, source: str) -> Any:
    def bad(expected: str) -> SettingsError:
        shown = repr(value)
        shown = shown if len(shown) <= _SHOWN_VALUE else shown[:_SHOWN_VALUE] + "..."
        return SettingsError(f"{source}: docgap setting {key!r} must be {expected}, got {shown}")

    if key == "root":
        return _path(value, Path.cwd(), bad)
    if key == "provider":
        if not isinstance(value, str) or not PROVIDER_NAME.fullmatch(value):
            raise bad("a provider name: auto, signature, openai, azure, or one an installed package registers")
        return value
    if key in _CHOICES:
        if value not in _CHOICES[key]:
            raise bad("one of " + ", ".join(repr(c) for c in _CHOICES[key]))
        return value
    if key in _PATH_FIELDS:
        return _path(value, root, bad)
    if key == "search_paths":
        return tuple(_path(item, root, bad) for item in _string_list(value, bad))
    if key in ("packages", "include", "exclude"):
        return tuple(_string_list(value, bad))
    if key == "prices":
        return _prices(value, bad)
    kind = _FIELDS[key].type
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if kind in ("int", "int | None"):
        low, high = _INT_RANGES[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise bad(f"a whole number from {low} to {high:,}")
        return value
    if key == "temperature":
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 2:
            raise bad("a number from 0 to 2")
        return float(value)
    if kind == "float":  # `timeout`
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 < value <= _MAX_TIMEOUT:
            raise bad(f"a number of seconds above 0 and at most {_MAX_TIMEOUT:g}")
        return float(value)
    if key == "api_key_env":
        if not isinstance(value, str) or not _ENV_NAME.fullmatch(value):
            # Not quoted: a key pasted here by mistake must not reach a log.
            raise SettingsError(f"{source}: docgap setting 'api_key_env' must be the name of an environment "
                                "variable (letters, digits and _, such as MY_OPENAI_KEY), not the key itself")
        return value
    if not isinstance(value, str) or not value.strip() or "\0" in value:
        raise bad("a non-empty string")
    return value


def _path(value: Any, root: Path, bad: Any) -> Path:
    """A path setting, absolute: relative to `root` unless it is absolute or starts with `~`."""
    if not isinstance(value, (str, Path)) or not str(value).strip() or "\0" in str(value):
        raise bad("a non-empty path")
    path = Path(value).expanduser()
    return path if path.is_absolute() else (root / path).resolve()


def _string_list(value: Any, bad: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, Path)) and str(v).strip() for v in value):
        return [str(v) for v in value]
    raise bad("a list of non-empty strings")


def _prices(value: Any, bad: Any) -> dict[str, Price]:
    if not isinstance(value, Mapping):
        raise bad('a table such as {"gpt-4o-mini" = {input = 0.15, output = 0.6}}')
    prices: dict[str, Price] = {}
    for model, price in value.items():
        if isinstance(price, Price):
            prices[model] = price
            continue
        if not (isinstance(price, Mapping) and set(price) == {"input", "output"} and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v >= 0
                for v in price.values())):
            raise bad('a table of {input = <per 1M tokens>, output = <per 1M tokens>} per model, prices >= 0')
        prices[model] = Price(float(price["input"]), float(price["output"]))
    return prices


__all__ = ["Price", "Settings", "load_settings", "find_pyproject", "PROVIDER_NAME", "STYLES", "OUTPUT_MODES"]
