"""OpenAI, Azure OpenAI and any OpenAI-compatible server, through the official async SDK.

Retries on 429, 5xx, dropped connections and timeouts are the SDK's (honouring `Retry-After`);
this provider re-asks only when an answer arrives but is not a valid draft, or states in prose a
number, version, date or URL that neither the source nor the context sent shows (`docgap.claims`). Every request is
sent with an output cap and reserves its worst case in the run's `Limits` first.

The SDK is imported, and its client made, on the first request: a build whose drafts all come
from the lockfile or cache never pays for it.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from docgap.claims import ungrounded_claims
from docgap.drafts import Draft, Usage
from docgap.errors import GenerationError, ProviderConfigError
from docgap.limits import Limits, Reservation
from docgap.providers.answers import TOOL, answer_text, first_choice, usage_of
from docgap.providers.base import Generation, TargetContext, Validator
from docgap.providers.credentials import mask, split_credentials
from docgap.providers.prompt import build_messages, reask_message
from docgap.schema import draft_schema
from docgap.settings import Settings
from docgap.targets import Target

if TYPE_CHECKING:
    import openai

_MAX_ECHO = 6000  # characters of an invalid answer sent back when re-asking
_ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"
_CAP = "max_completion_tokens"  # OpenAI's output cap
_OLD_CAP = "max_tokens"  # the one older Azure API versions, Ollama and llama-cpp-python apply

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

    is_model = True

    def __init__(self, settings: Settings, limits: Limits, *, azure: bool = False) -> None:
        self.name = "azure" if azure else "openai"
        self.model = settings.model
        self.settings = settings
        self.limits = limits
        self._mode = "json_schema" if settings.output_mode == "auto" else settings.output_mode
        self._may_fall_back = settings.output_mode == "auto"
        self._cap = _CAP
        self._temperature: float | None = settings.temperature  # `None` once the service rejects it
        if azure:
            endpoint = settings.base_url or os.environ.get("AZURE_OPENAI_ENDPOINT")
            version = settings.api_version or os.environ.get("OPENAI_API_VERSION")
            if not endpoint or not version:
                raise ProviderConfigError("provider 'azure' needs AZURE_OPENAI_ENDPOINT and OPENAI_API_VERSION "
                                          "(or the base_url and api_version settings)")
        else:
            endpoint = settings.base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        _check_transport(endpoint, settings)  # the URL's own credentials follow the key's rule
        url = split_credentials(endpoint)
        common: dict[str, Any] = {"max_retries": settings.max_retries, "timeout": settings.timeout}
        if url.authorization:
            common["default_headers"] = {"Authorization": url.authorization}
        if azure:
            self._key = os.environ.get(_key_variable(settings, azure)) or None
            auth: dict[str, Any] = (
                {"api_key": self._key} if self._key else {"azure_ad_token_provider": _entra_token_provider(settings)})
            self._options = {"azure_endpoint": url.url, "api_version": version, **auth, **common}
        else:
            self._key = _openai_key(settings, url.url)
            # Local servers usually need no key.
            self._options = {"api_key": self._key or "unused", "base_url": url.url, **common}
        self._azure = azure
        self._sdk_client: openai.AsyncOpenAI | None = None
        self._secrets = tuple(s for s in (self._key, *url.secrets) if s)

    @property
    def _client(self) -> openai.AsyncOpenAI:
        """The SDK's client, made on first use."""
        if self._sdk_client is None:
            import openai

            self._sdk_client = (openai.AsyncAzureOpenAI if self._azure else openai.AsyncOpenAI)(**self._options)
        return self._sdk_client

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
            response, step, cap = await self._send(messages, schema, follow_up=attempt > 1)
            usage += step
            self._check_cap(step, cap)
            choice = first_choice(response)
            message = choice["message"]
            if choice.get("finish_reason") == "content_filter":
                raise GenerationError("the service's content filter blocked the answer")
            if message.get("refusal"):
                raise GenerationError(f"the model refused: {self._scrub(message['refusal'])}")
            raw = answer_text(message)
            if choice.get("finish_reason") == "length":
                errors = ["the answer was cut off (finish_reason=length); answer much more briefly"]
            else:
                try:
                    data = json.loads(raw)
                except ValueError:
                    errors = ["the answer is not a JSON object; answer with JSON only"]
                else:
                    # Numbers, versions, dates and URLs must come from what the model was shown.
                    errors = validate(data) or ungrounded_claims(data, messages[1]["content"])
                    if not errors:
                        return Generation(Draft.from_json(data), usage, attempt)
            messages = [*messages, {"role": "assistant", "content": raw[:_MAX_ECHO]}, reask_message(errors)]
        raise GenerationError(f"no valid draft after {self.settings.max_attempts} answers: {'; '.join(errors[:3])}")

    async def aclose(self) -> None:
        """Close the HTTP connections (if a request opened any)."""
        if self._sdk_client is not None:
            await self._sdk_client.close()

    async def _send(self, messages: list[dict[str, Any]], schema: dict[str, Any], *,
                    follow_up: bool) -> tuple[object, Usage, int]:
        """Send one request (again in the run's fallback mode if the service rejects a feature).

        Args:
            messages: The conversation so far.
            schema: The target's draft schema.
            follow_up: Whether this re-asks (it then goes before new targets for the budget).

        Returns:
            The answer (parsed JSON, `None` if it is none), what it cost, and the output cap it was sent with.
        """
        import openai

        while True:
            mode, cap_name = self._mode, self._cap
            request = self._request(messages, schema, mode)
            tempered = "temperature" in request
            # A bound, not an estimate: no tokenizer makes more tokens than the request has bytes.
            reservation = await self.limits.acquire(len(json.dumps(request)), self.settings.max_output_tokens,
                                                     follow_up=follow_up)
            request[cap_name] = reservation.output_tokens
            try:
                response, usage = await self._create(request, reservation)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                if not self._falls_back(exc, mode, cap_name, tempered):
                    raise self._error(exc) from None
                continue
            except openai.OpenAIError as exc:
                raise self._error(exc) from None
            return response, usage, reservation.output_tokens

    async def _create(self, request: dict[str, Any], reservation: Reservation) -> tuple[object, Usage]:
        """Send `request` and settle its reservation, however it ends.

        The answer is read as plain JSON (`with_raw_response`): the SDK's typed model of a completion
        costs about as much CPU as the rest of the answer's handling, and only a few fields are read.
        """
        import openai

        usage, measured = Usage(), False  # no answer: the service may have billed the whole reservation
        try:
            answer = await self._client.chat.completions.with_raw_response.create(**_as_sent(request))
            try:
                response = json.loads(answer.http_response.content)
            except ValueError:
                response = None  # a proxy's page...: no chat completion (see `first_choice`)
            usage = usage_of(response)
            measured = isinstance(response, dict) and isinstance(response.get("usage"), dict)
            return response, usage
        except openai.APIStatusError:
            measured = True  # an error answer costs nothing
            raise
        finally:
            self.limits.settle(reservation, usage, measured=measured)

    def _falls_back(self, exc: openai.APIStatusError, mode: str, cap_name: str, tempered: bool) -> bool:
        """Whether a rejected request is to be sent again without the feature the service rejected.

        The first rejection that names `json_schema` output switches the run to `tools` (once, when
        `output_mode` is `auto`); the first that names `max_completion_tokens` switches the run to
        `max_tokens`; the first that names `temperature` (reasoning models accept none but their
        default) sends none. Requests already in flight then follow.
        """
        if tempered and _names(exc, "temperature"):
            if self._temperature is not None:
                self._temperature = None
                logger.info("docgap: the service does not accept a temperature (%s); sending none for the rest of "
                            "this run", self._scrub(exc.message))
            return True
        if cap_name == _CAP and _names(exc, _CAP):
            if self._cap == _CAP:
                self._cap = _OLD_CAP
                logger.info("docgap: the service does not accept %s (%s); sending %s for the rest of this run",
                            _CAP, self._scrub(exc.message), _OLD_CAP)
            return True
        if mode != "json_schema" or not _names(exc, "json_schema", "response_format"):
            return False
        if self._mode == "json_schema":
            if not self._may_fall_back:
                return False
            self._mode = "tools"
            logger.info("docgap: the service does not accept json_schema output (%s); using tools for the rest "
                        "of this run", self._scrub(exc.message))
        return True

    def _check_cap(self, usage: Usage, cap: int) -> None:
        """Switch to `max_tokens` when an answer shows the service ignored `max_completion_tokens`.

        Some servers (Ollama, llama-cpp-python) accept the parameter without applying it; only
        the answer's length tells.
        """
        if self._cap == _CAP and usage.output_tokens > cap:
            self._cap = _OLD_CAP
            logger.info("docgap: the service ignored %s (an answer of %d tokens for a cap of %d); sending %s "
                        "for the rest of this run", _CAP, usage.output_tokens, cap, _OLD_CAP)

    def _error(self, exc: Exception) -> GenerationError:
        """The reason, safe to show, for a request that failed after the SDK's retries."""
        import openai

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
        if self._temperature is not None:
            request["temperature"] = self._temperature
        if mode == "json_schema":
            # Sent through `extra_body`: the schema is plain JSON already, and the SDK's typed
            # transform of a nested schema costs about a millisecond of CPU per request.
            request["extra_body"] = {"response_format": {
                "type": "json_schema", "json_schema": {"name": "docstring", "strict": True, "schema": body}}}
        elif mode == "tools":
            request["tools"] = [{"type": "function", "function": {
                "name": TOOL, "description": "Record the docstring of the object.", "parameters": body,
                "strict": True}}]
            request["tool_choice"] = {"type": "function", "function": {"name": TOOL}}
        else:
            request["response_format"] = {"type": "json_object"}
        return request

    def _scrub(self, text: str) -> str:
        """`text` safe to show: secrets masked first, then shortened (a cut must not split a secret)."""
        return _short(mask(str(text), self._secrets))


def _as_sent(request: dict[str, Any]) -> dict[str, Any]:
    """`request` sent as it is, through `extra_body` (which wins over the typed fields), but for the model.

    The SDK walks typed parameters through a recursive transform that costs milliseconds of CPU per
    request for a conversation, and a fraction of one for each other field; the request is plain
    JSON already. The model stays typed: Azure's client reads it to route the request.
    """
    body = {key: value for key, value in request.items() if key not in ("model", "extra_body")}
    return {"model": request["model"], "messages": [], "extra_body": {**body, **request.get("extra_body", {})}}


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


def _names(exc: openai.APIStatusError, *features: str) -> bool:
    """Whether a 400/422 answer is about one of `features` of the request.

    Services word it in many ways ("'response_format' of type 'json_schema' is not supported
    with this model", Azure's "response_format value as json_schema is enabled only for api
    versions ...", "Unrecognized request argument supplied: max_completion_tokens", a validation
    error naming the field), so any rejection naming the feature counts. What a validation error
    echoes of the request (`input`) is not read: a request rejected for another reason would
    name every field there too.
    """
    text = " ".join((exc.message, *_error_strings(exc.body))).lower()
    return any(feature in text for feature in features)


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


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."
