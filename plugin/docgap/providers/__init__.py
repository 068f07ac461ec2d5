"""Providers draft docstrings; `make_provider` picks the one the settings and environment ask for."""

from __future__ import annotations

import os

from docgap.errors import ProviderConfigError
from docgap.limits import Limits
from docgap.providers.base import Generation, Provider, TargetContext, Validator
from docgap.providers.signature import SignatureProvider
from docgap.settings import Settings


def resolve_provider_name(settings: Settings) -> str:
    """The provider a run uses: `settings.provider`, or for `auto` what the environment offers.

    `auto` picks Azure when `AZURE_OPENAI_ENDPOINT` is set, OpenAI when its key is set (the variable
    named by `api_key_env`, else `OPENAI_API_KEY`), and the offline signature provider otherwise,
    or when no model is configured: a key that happens to be in the environment never breaks a
    docs build nor spends money on a model nobody chose.
    """
    if settings.provider != "auto":
        return settings.provider
    found = _found_in_environment(settings)
    return found if found and settings.model else "signature"


def _found_in_environment(settings: Settings) -> str | None:
    if os.environ.get("AZURE_OPENAI_ENDPOINT"):
        return "azure"
    if os.environ.get(settings.api_key_env or "OPENAI_API_KEY"):
        return "openai"
    return None


def describe_choice(settings: Settings) -> str:
    """One line for the build log saying which provider runs and why."""
    name = resolve_provider_name(settings)
    if name == "signature":
        variable = settings.api_key_env or "OPENAI_API_KEY"
        found = _found_in_environment(settings)
        if settings.provider != "auto":
            why = "configured"
        elif found:
            setting = "AZURE_OPENAI_ENDPOINT" if found == "azure" else variable
            why = f"{setting} is set but no model is configured: set model = \"...\" to use {found}"
        else:
            why = f"no {variable} or AZURE_OPENAI_ENDPOINT set"
        return f"provider: signature ({why}; drafts are made offline from signatures, no model is called)"
    origin = "configured" if settings.provider != "auto" else "found its settings in the environment"
    return f"provider: {name}, model {settings.model or '(none)'} ({origin})"


def make_provider(settings: Settings, limits: Limits) -> Provider:
    """Build the provider for a run.

    Args:
        settings: Provider, model and connection settings.
        limits: Rate limits and budget the provider must respect.

    Returns:
        The provider.

    Raises:
        ProviderConfigError: When a model provider lacks its model, key or endpoint.
    """
    name = resolve_provider_name(settings)
    if name == "signature":
        return SignatureProvider()
    if not settings.model:
        raise ProviderConfigError(
            f"provider {name!r} needs a model: pass --model NAME or set model = \"...\" under [tool.docgap]"
            + (" (for Azure, the deployment name)" if name == "azure" else "")
        )
    from docgap.providers.openai import OpenAIProvider  # the SDK is imported only when a model is used

    return OpenAIProvider(settings, limits, azure=name == "azure")


__all__ = ["Generation", "Provider", "SignatureProvider", "TargetContext", "Validator",
           "describe_choice", "make_provider", "resolve_provider_name"]
