"""OpenAI, Azure OpenAI and any OpenAI-compatible server, through the official async SDK.

Retries on 429, 5xx, dropped connections and timeouts are the SDK's (honouring `Retry-After`);
this provider re-asks only when an answer arrives but is not a valid draft.
"""

from __future__ import annotations

import ipaddress
import json
import os
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


class OpenAIProvider:
    """Drafts with a model behind the OpenAI chat completions API.

    Args:
        settings: Model, endpoint, output mode, timeouts and retry settings.
        limits: Rate limits and budget, acquired before every request.
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
        self._key = _api_key(settings, azure)
        if azure:
            endpoint = settings.base_url or os.environ.get("AZURE_OPENAI_ENDPOINT")
            version = settings.api_version or os.environ.get("OPENAI_API_VERSION")
            if not endpoint or not version:
                raise ProviderConfigError("provider 'azure' needs AZURE_OPENAI_ENDPOINT and OPENAI_API_VERSION "
                                          "(or the base_url and api_version settings)")
            _check_transport(endpoint, settings)
            self._client: openai.AsyncOpenAI = openai.AsyncAzureOpenAI(
                azure_endpoint=endpoint, api_version=version, api_key=self._key,
                max_retries=settings.max_retries, timeout=settings.timeout,
            )
        else:
            base_url = settings.base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
            _check_transport(base_url, settings)
            self._client = openai.AsyncOpenAI(
                api_key=self._key, base_url=base_url, max_retries=settings.max_retries, timeout=settings.timeout,
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
            response = await self._send(target, messages, schema)
            step = _usage(response)
            usage += step
            self.limits.record(step)
            choice = response.choices[0]
            message = choice.message
            if choice.finish_reason == "content_filter":
                raise GenerationError(f"{target.path}: the service's content filter blocked the answer")
            if getattr(message, "refusal", None):
                raise GenerationError(f"{target.path}: the model refused: {_short(message.refusal)}")
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
        raise GenerationError(
            f"{target.path}: no valid draft after {self.settings.max_attempts} answers: {'; '.join(errors[:3])}"
        )

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._client.close()

    async def _send(self, target: Target, messages: list[dict[str, Any]], schema: dict[str, Any]) -> Any:
        await self.limits.acquire(sum(len(m["content"]) for m in messages) // 4 + 800)
        try:
            return await self._client.chat.completions.create(**self._request(messages, schema))
        except openai.BadRequestError as exc:
            if self._may_fall_back and self._mode == "json_schema" and _rejects_json_schema(exc):
                self._mode, self._may_fall_back = "tools", False  # once per run, for every later request
                return await self._client.chat.completions.create(**self._request(messages, schema))
            raise GenerationError(f"{target.path}: the service rejected the request: {self._scrub(exc)}") from None
        except openai.APITimeoutError:
            raise GenerationError(f"{target.path}: the request timed out after {self.settings.max_retries} retries "
                                  f"(timeout {self.settings.timeout:g}s)") from None
        except openai.APIConnectionError:
            raise GenerationError(f"{target.path}: could not reach the service after "
                                  f"{self.settings.max_retries} retries") from None
        except openai.APIStatusError as exc:
            raise GenerationError(f"{target.path}: the service answered {exc.status_code} after "
                                  f"{self.settings.max_retries} retries: {self._scrub(exc)}") from None

    def _request(self, messages: list[dict[str, Any]], schema: dict[str, Any]) -> dict[str, Any]:
        body = {k: v for k, v in schema.items() if k not in ("$schema", "title")}
        request: dict[str, Any] = {"model": self.model, "messages": messages}
        if self._mode == "json_schema":
            # Sent through `extra_body`: the schema is plain JSON already, and the SDK's typed
            # transform of a nested schema costs about a millisecond of CPU per request.
            request["extra_body"] = {"response_format": {
                "type": "json_schema", "json_schema": {"name": "docstring", "strict": True, "schema": body}}}
        elif self._mode == "tools":
            request["tools"] = [{"type": "function", "function": {
                "name": _TOOL, "description": "Record the docstring of the object.", "parameters": body, "strict": True}}]
            request["tool_choice"] = {"type": "function", "function": {"name": _TOOL}}
        else:
            request["response_format"] = {"type": "json_object"}
        return request

    def _scrub(self, exc: Exception) -> str:
        text = _short(getattr(exc, "message", None) or str(exc))
        return text.replace(self._key, "***") if self._key else text


def _api_key(settings: Settings, azure: bool) -> str:
    variable = settings.api_key_env or ("AZURE_OPENAI_API_KEY" if azure else "OPENAI_API_KEY")
    key = os.environ.get(variable)
    if key:
        return key
    base_url = settings.base_url or os.environ.get("OPENAI_BASE_URL")
    if not azure and base_url and _is_loopback(base_url):
        return "unused"  # local servers (Ollama, llama.cpp, vLLM) usually need no key
    raise ProviderConfigError(f"provider {'azure' if azure else 'openai'!r} needs an API key in ${variable} "
                              "(keys are read from the environment only, never from configuration files)")


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


def _rejects_json_schema(exc: openai.BadRequestError) -> bool:
    text = str(getattr(exc, "message", "") or exc).lower()
    return ("json_schema" in text or "response_format" in text) and any(
        word in text for word in ("not supported", "unsupported", "invalid", "unknown"))


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
