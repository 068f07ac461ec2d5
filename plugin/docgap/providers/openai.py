"""OpenAI, Azure OpenAI and any OpenAI-compatible server, through the official async SDK.

Retries on 429, 5xx, dropped connections and timeouts are the SDK's (honouring `Retry-After`);
this provider re-asks only when an answer arrives but is not a valid draft.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import openai

from docgap.drafts import Draft, Usage
from docgap.errors import GenerationError, ProviderConfigError
from docgap.limits import Limits
from docgap.providers.base import Generation, TargetContext, Validator
from docgap.providers.prompt import build_messages, reask_message
from docgap.schema import draft_schema
from docgap.settings import Settings
from docgap.targets import Target

_TOOL = "generate_docstring"
_MAX_ECHO = 6000  # characters of an invalid answer sent back when re-asking
_ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"

logger = logging.getLogger("docgap")


class OpenAIProvider:
    """Drafts with a model behind the OpenAI chat completions API.

    Azure authenticates with `AZURE_OPENAI_API_KEY` (or the variable `api_key_env` names) or,
    when no key is set, with a Microsoft Entra ID token from `azure-identity`'s
    `DefaultAzureCredential` (installed separately).

    Args:
        settings: Model, endpoint, output mode, timeouts and retry settings.
        limits: Rate limits and budget, acquired before every request and told what each cost.
        azure: Use Azure OpenAI (`AZURE_OPENAI_ENDPOINT`, `OPENAI_API_VERSION`, deployment = model).

    Raises:
        ProviderConfigError: When the key or endpoint is missing, or a key would travel over
            plain HTTP to another machine.
    """

    def __init__(self, settings: Settings, limits: Limits, *, azure: bool = False) -> None:
        self.name = "azure" if azure else "openai"
        self.model = settings.model
        self.settings = settings
        self.limits = limits
        self._mode = "json_schema" if settings.output_mode == "auto" else settings.output_mode
        self._may_fall_back = settings.output_mode == "auto"
        if azure:
            endpoint = settings.base_url or os.environ.get("AZURE_OPENAI_ENDPOINT")
            version = settings.api_version or os.environ.get("OPENAI_API_VERSION")
            if not endpoint or not version:
                raise ProviderConfigError("provider 'azure' needs AZURE_OPENAI_ENDPOINT and OPENAI_API_VERSION "
                                          "(or the base_url and api_version settings)")
            _check_transport(endpoint, settings)
            self._key = os.environ.get(_key_variable(settings, azure)) or None
            auth: dict[str, Any] = (
                {"api_key": self._key} if self._key else {"azure_ad_token_provider": _entra_token_provider(settings)})
            self._client: openai.AsyncOpenAI = openai.AsyncAzureOpenAI(
                azure_endpoint=endpoint, api_version=version, max_retries=settings.max_retries,
                timeout=settings.timeout, **auth,
            )
        else:
            base_url = settings.base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
            _check_transport(base_url, settings)
            self._key = _openai_key(settings, base_url)
            self._client = openai.AsyncOpenAI(
                api_key=self._key or "unused", base_url=base_url,  # local servers usually need no key
                max_retries=settings.max_retries, timeout=settings.timeout,
            )

    async def generate(self, target: Target, context: TargetContext, validate: Validator) -> Generation:
        """Ask the model for a draft of `target`, re-asking with the errors until one is valid.

        Raises:
            GenerationError: When the service fails for good, refuses, filters the content, or
                no valid answer came within `max_attempts`.
        """
        schema = draft_schema(target)
        messages: list[dict[str, Any]] = build_messages(target, context, self._mode, schema)
        usage = Usage()
        errors: list[str] = []
        for attempt in range(1, self.settings.max_attempts + 1):
            response = await self._send(messages, schema)
            step = _usage(response)
            usage += step
            self.limits.record(step)
            choice = _first_choice(response)
            message = choice.message
            if choice.finish_reason == "content_filter":
                raise GenerationError("the service's content filter blocked the answer")
            if getattr(message, "refusal", None):
                raise GenerationError(f"the model refused: {self._scrub(message.refusal)}")
            raw = _answer_text(message)
            if choice.finish_reason == "length":
                errors = ["the answer was cut off (finish_reason=length); answer much more briefly"]
            else:
                try:
                    data = json.loads(raw)
                except ValueError:
                    errors = ["the answer is not a JSON object; answer with JSON only"]
                else:
                    errors = validate(data)
                    if not errors:
                        return Generation(Draft.from_json(data), usage, attempt)
            messages = [*messages, {"role": "assistant", "content": raw[:_MAX_ECHO]}, reask_message(errors)]
        raise GenerationError(f"no valid draft after {self.settings.max_attempts} answers: {'; '.join(errors[:3])}")

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.close()

    async def _send(self, messages: list[dict[str, Any]], schema: dict[str, Any]) -> Any:
        await self.limits.acquire(sum(len(m["content"]) for m in messages) // 4 + 800)
        mode = self._mode
        try:
            return await self._client.chat.completions.create(**self._request(messages, schema, mode))
        except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
            if mode != "json_schema" or not self._falls_back(exc):
                raise self._error(exc) from None
        except (openai.OpenAIError, json.JSONDecodeError) as exc:
            raise self._error(exc) from None
        try:  # the same request in the mode this run fell back to
            return await self._client.chat.completions.create(**self._request(messages, schema, self._mode))
        except (openai.OpenAIError, json.JSONDecodeError) as exc:
            raise self._error(exc) from None

    def _falls_back(self, exc: openai.APIStatusError) -> bool:
        """Whether a request rejected in `json_schema` mode is to be sent again in `tools` mode.

        The first rejection that names the feature switches the run to `tools` (once, when
        `output_mode` is `auto`); requests already in flight in `json_schema` mode then follow.
        """
        if not _rejects_json_schema(exc):
            return False
        if self._mode == "json_schema":
            if not self._may_fall_back:
                return False
            self._mode = "tools"
            logger.info("docgap: the service does not accept json_schema output (%s); using tools for the rest "
                        "of this run", self._scrub(exc.message))
        return True

    def _error(self, exc: Exception) -> GenerationError:
        """The reason, safe to show, for a request that failed after the SDK's retries."""
        retries = f"after {self.settings.max_retries} retries"
        if isinstance(exc, openai.BadRequestError) and exc.code == "content_filter":
            return GenerationError(f"the service's content filter blocked the prompt: {self._scrub(exc.message)}")
        if isinstance(exc, openai.APITimeoutError):
            return GenerationError(f"the request timed out {retries} (timeout {self.settings.timeout:g}s)")
        if isinstance(exc, openai.APIConnectionError):
            return GenerationError(f"could not reach the service {retries}")
        if isinstance(exc, (openai.BadRequestError, openai.UnprocessableEntityError)):
            return GenerationError(f"the service rejected the request: {self._scrub(exc.message)}")
        if isinstance(exc, openai.APIStatusError):
            retried = exc.status_code in (408, 409, 429) or exc.status_code >= 500  # what the SDK retries
            return GenerationError(f"the service answered {exc.status_code}{' ' + retries if retried else ''}: "
                                   f"{self._scrub(exc.message)}")
        return GenerationError(f"the service's answer could not be read ({type(exc).__name__}); "
                               "is the base URL an OpenAI-compatible API?")

    def _request(self, messages: list[dict[str, Any]], schema: dict[str, Any], mode: str) -> dict[str, Any]:
        body = {k: v for k, v in schema.items() if k not in ("$schema", "title")}
        request: dict[str, Any] = {"model": self.model, "messages": messages}
        if mode == "json_schema":
            # Sent through `extra_body`: the schema is plain JSON already, and the SDK's typed
            # transform of a nested schema costs about a millisecond of CPU per request.
            request["extra_body"] = {"response_format": {
                "type": "json_schema", "json_schema": {"name": "docstring", "strict": True, "schema": body}}}
        elif mode == "tools":
            request["tools"] = [{"type": "function", "function": {
                "name": _TOOL, "description": "Record the docstring of the object.", "parameters": body,
                "strict": True}}]
            request["tool_choice"] = {"type": "function", "function": {"name": _TOOL}}
        else:
            request["response_format"] = {"type": "json_object"}
        return request

    def _scrub(self, text: str) -> str:
        text = _short(text)
        return text.replace(self._key, "***") if self._key else text


def _key_variable(settings: Settings, azure: bool) -> str:
    return settings.api_key_env or ("AZURE_OPENAI_API_KEY" if azure else "OPENAI_API_KEY")


def _openai_key(settings: Settings, base_url: str) -> str | None:
    """The key from the environment; `None` for a loopback server (Ollama, llama.cpp, vLLM) without one."""
    variable = _key_variable(settings, azure=False)
    key = os.environ.get(variable)
    if key or _is_loopback(base_url):
        return key or None
    raise ProviderConfigError(f"provider 'openai' needs an API key in ${variable} "
                              "(keys are read from the environment only, never from configuration files)")


def _entra_token_provider(settings: Settings) -> Callable[[], str]:
    """A Microsoft Entra ID token provider from `azure-identity`, for Azure without a key."""
    variable = _key_variable(settings, azure=True)
    try:
        from azure.identity import DefaultAzureCredential, get_bearer_token_provider
    except ImportError:
        raise ProviderConfigError(
            f"provider 'azure' needs an API key in ${variable}, or the azure-identity package "
            "(pip install azure-identity) to sign in with Microsoft Entra ID (keys are read from the "
            "environment only, never from configuration files)"
        ) from None
    fetch = get_bearer_token_provider(DefaultAzureCredential(), _ENTRA_SCOPE)

    def token() -> str:
        try:
            return fetch()
        except Exception as exc:  # noqa: BLE001 - any credential failure fails this object, not the build
            raise GenerationError(f"could not get a Microsoft Entra ID token ({type(exc).__name__}); sign in "
                                  f"(e.g. `az login`) or set ${variable}") from None

    return token


def _check_transport(url: str, settings: Settings) -> None:
    parts = urlsplit(url)
    if parts.scheme == "http" and not _is_loopback(url) and not settings.allow_insecure_http:
        raise ProviderConfigError(
            f"refusing to send an API key over plain HTTP to {parts.hostname}; use https, or set "
            "allow_insecure_http = true if this network is trusted"
        )


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _rejects_json_schema(exc: openai.APIStatusError) -> bool:
    """Whether a 400/422 answer is about the structured-output request itself.

    Services word it in many ways ("'response_format' of type 'json_schema' is not supported
    with this model", Azure's "response_format value as json_schema is enabled only for api
    versions ...", a validation error naming the field), so any rejection naming the feature counts.
    What a validation error echoes of the request (`input`) is not read: a request rejected for
    another reason would name `response_format` there too.
    """
    text = " ".join((exc.message, *_error_strings(exc.body))).lower()
    return "json_schema" in text or "response_format" in text


def _error_strings(body: object) -> Iterator[str]:
    """The strings of an error body, but for the parts that echo the request back."""
    if isinstance(body, str):
        yield body
    elif isinstance(body, dict):
        for key, value in body.items():
            if key not in ("input", "ctx"):
                yield from _error_strings(value)
    elif isinstance(body, list):
        for value in body:
            yield from _error_strings(value)


def _first_choice(response: Any) -> Any:
    choices = getattr(response, "choices", None)
    if not choices or getattr(choices[0], "message", None) is None:
        raise GenerationError("the service's answer is not a chat completion (no choices); "
                              "is the base URL an OpenAI-compatible API?")
    return choices[0]


def _answer_text(message: Any) -> str:
    for call in getattr(message, "tool_calls", None) or ():
        function = getattr(call, "function", None)
        if function is not None and function.name == _TOOL:
            return function.arguments or ""
    return message.content or ""


def _usage(response: Any) -> Usage:
    usage = getattr(response, "usage", None)
    if usage is None:
        return Usage(requests=1)
    details = getattr(usage, "prompt_tokens_details", None)
    return Usage(1, usage.prompt_tokens or 0, usage.completion_tokens or 0,
                 (getattr(details, "cached_tokens", 0) or 0) if details else 0)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."
