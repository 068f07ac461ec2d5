"""Providers draft docstrings; a registry maps each provider's name to the factory that builds it.

The built-in providers (`signature`, `openai`, `azure`) are registered here, so a checkout that
is not installed still has them. Other packages add theirs under the entry point group
`docgap.providers`; the entry point's name is the provider's name and its value a factory, usually
the provider class:

```toml
[project.entry-points."docgap.providers"]
mine = "my_package.docgap_provider:MyProvider"   # MyProvider(settings, limits) -> Provider
```

`provider = "mine"` (or `--provider mine`) then selects it. A factory may say whether its
providers are models with an `is_model` attribute (a provider class does): a session then chooses
the provider from the settings alone (`choose_provider`) and builds it only when it has drafts to
make, and the log line naming the provider uses it.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from docgap.errors import ProviderConfigError

if TYPE_CHECKING:
    import importlib.metadata

    from docgap.limits import Limits
    from docgap.providers.base import Generation, Provider, TargetContext, Validator
    from docgap.providers.signature import SignatureProvider
    from docgap.settings import Settings

ProviderFactory = Callable[["Settings", "Limits"], "Provider"]
"""Builds a provider from the run's settings and its `Limits` (which the provider keeps as `limits`)."""

ENTRY_POINT_GROUP = "docgap.providers"
"""The entry point group other packages register providers under."""

OFFLINE = "signature"
"""The provider `auto` falls back to when the environment offers no model."""

_BUILT_IN: dict[str, ProviderFactory] = {}


def register(name: str, factory: ProviderFactory) -> None:
    """Register a provider under `name` for this process (built-ins; tests; scripts).

    Args:
        name: What `provider = "..."` selects.
        factory: Builds the provider; see `ProviderFactory`.
    """
    _BUILT_IN[name] = factory


def provider_names() -> tuple[str, ...]:
    """Every provider that can be selected: the built-in ones, then those of installed packages."""
    return tuple(dict.fromkeys((*_BUILT_IN, *sorted(_entry_points()))))


def is_provider(name: str) -> bool:
    """Whether `name` selects a provider (installed packages' entry points are read only for a name not built in)."""
    return name in _BUILT_IN or name in _entry_points()


def resolve_provider_name(settings: Settings) -> str:
    """The provider a run uses: `settings.provider`, or for `auto` what the environment offers.

    `auto` picks Azure when `AZURE_OPENAI_ENDPOINT` is set, OpenAI when its key is set (the variable
    named by `api_key_env`, else `OPENAI_API_KEY`), and the offline signature provider otherwise,
    or when no model is configured: a key that happens to be in the environment never breaks a
    docs build nor spends money on a model nobody chose.
    """
    return _choose(settings)[0]


@dataclass(frozen=True)
class Choice:
    """The provider a run uses, as its settings name it (nothing built).

    Attributes:
        name: The provider's name.
        model: The model it drafts with, `None` for a provider that is no model.
        is_model: Whether a model drafts (stored offline drafts are then made again).
    """

    name: str
    model: str | None
    is_model: bool


def choose_provider(settings: Settings) -> Choice:
    """The provider a run uses, read from the settings: a warm build that needs no draft builds none.

    A factory says whether it makes a model with its `is_model` attribute; one that does not say
    is asked by building a provider.

    Args:
        settings: The run's settings.

    Returns:
        The provider's name, model and whether it is a model.

    Raises:
        ProviderConfigError: When the provider is unknown or cannot be loaded, or a model provider lacks its model.
    """
    name = resolve_provider_name(settings)
    is_model = getattr(_factory(name), "is_model", None)
    if is_model is None:
        from docgap.limits import Limits

        provider = make_provider(settings, Limits.from_settings(settings))
        return Choice(provider.name, provider.model, provider.is_model)
    if is_model and not settings.model:
        raise ProviderConfigError(_needs_model(name))
    return Choice(name, settings.model if is_model else None, bool(is_model))


def describe_choice(settings: Settings, provider: Provider | Choice | None = None) -> str:
    """One line for the build log saying which provider runs and why.

    Args:
        settings: The run's settings.
        provider: The provider built for them, or chosen (`choose_provider`), if any (it says
            whether it is a model).
    """
    name, why = _choose(settings)
    is_model = provider.is_model if provider is not None else getattr(_factory(name), "is_model", True)
    if not is_model:
        return f"provider: {name} ({why}; drafts are made offline, no model is called)"
    model = provider.model if provider is not None else settings.model
    return f"provider: {name}, model {model or '(none)'} ({why})"


def make_provider(settings: Settings, limits: Limits) -> Provider:
    """Build the provider for a run.

    Args:
        settings: Provider, model and connection settings.
        limits: Rate limits and budget the provider must respect; the engine reads them back from
            the provider (`Provider.limits`), so a run has one `Limits`.

    Returns:
        The provider.

    Raises:
        ProviderConfigError: When the provider is unknown or cannot be loaded, or a model provider
            lacks its model, key or endpoint.
    """
    name = resolve_provider_name(settings)
    provider = _factory(name)(settings, limits)
    if provider.is_model != (provider.model is not None):
        raise ProviderConfigError(
            _needs_model(name) if provider.is_model else f"provider {name!r} is not a model but names one "
            f"({provider.model!r}); its author must set `model = None`")
    return provider


def _needs_model(name: str) -> str:
    azure = " (for Azure, the deployment name)" if name == "azure" else ""
    return f"provider {name!r} needs a model: pass --model NAME or set model = \"...\" under [tool.docgap]{azure}"


def _choose(settings: Settings) -> tuple[str, str]:
    """The provider's name and why it was chosen."""
    if settings.provider != "auto":
        return settings.provider, "configured"
    found = _found_in_environment(settings)
    variable = settings.api_key_env or "OPENAI_API_KEY"
    if found and settings.model:
        return found, "found its settings in the environment"
    if found:
        setting = "AZURE_OPENAI_ENDPOINT" if found == "azure" else variable
        return OFFLINE, f"{setting} is set but no model is configured: set model = \"...\" to use {found}"
    return OFFLINE, f"no {variable} or AZURE_OPENAI_ENDPOINT set"


def _found_in_environment(settings: Settings) -> str | None:
    if os.environ.get("AZURE_OPENAI_ENDPOINT"):
        return "azure"
    if os.environ.get(settings.api_key_env or "OPENAI_API_KEY"):
        return "openai"
    return None


def _factory(name: str) -> ProviderFactory:
    if name in _BUILT_IN:
        return _BUILT_IN[name]
    entry = _entry_points().get(name)
    if entry is None:
        raise ProviderConfigError(f"unknown provider {name!r}; the providers are: auto, {', '.join(provider_names())} "
                                  f"(others come from packages registering a {ENTRY_POINT_GROUP!r} entry point)")
    try:
        factory: ProviderFactory = entry.load()
    except Exception as exc:  # noqa: BLE001 - a broken third-party package must not break the build
        raise ProviderConfigError(f"provider {name!r} ({entry.value}) cannot be loaded: "
                                  f"{type(exc).__name__}: {exc}; reinstall the package that provides it") from exc
    return factory


def _entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    import importlib.metadata  # only for providers of other packages: the built-in ones need none

    return {entry.name: entry for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


class _BuiltIn:
    """A built-in provider's factory: the provider's module (a model's SDK later) is imported to build one.

    Args:
        name: The provider's name.
        module: The module defining its class.
        cls: The class, called with the settings, the limits and `options`.
        is_model: Whether it is a model.
        options: Keyword arguments for the class.
    """

    def __init__(self, name: str, module: str, cls: str, *, is_model: bool, **options: Any) -> None:
        self.name, self.module, self.cls, self.is_model, self.options = name, module, cls, is_model, options

    def __call__(self, settings: Settings, limits: Limits) -> Provider:
        if self.is_model and not settings.model:
            raise ProviderConfigError(_needs_model(self.name))
        provider: Provider = getattr(importlib.import_module(self.module), self.cls)(settings, limits, **self.options)
        return provider


_LAZY = {"Generation": "docgap.providers.base", "Provider": "docgap.providers.base",
         "TargetContext": "docgap.providers.base", "Validator": "docgap.providers.base",
         "SignatureProvider": "docgap.providers.signature"}


def __getattr__(name: str) -> Any:
    """The provider types, imported on first use: choosing a provider by its name needs none of them."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


register("signature", _BuiltIn("signature", "docgap.providers.signature", "SignatureProvider", is_model=False))
register("openai", _BuiltIn("openai", "docgap.providers.openai", "OpenAIProvider", is_model=True, azure=False))
register("azure", _BuiltIn("azure", "docgap.providers.openai", "OpenAIProvider", is_model=True, azure=True))

__all__ = ["ENTRY_POINT_GROUP", "OFFLINE", "Choice", "Generation", "Provider", "ProviderFactory", "SignatureProvider",
           "TargetContext", "Validator", "choose_provider", "describe_choice", "is_provider", "make_provider",
           "provider_names", "register", "resolve_provider_name"]
