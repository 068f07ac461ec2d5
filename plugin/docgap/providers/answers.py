"""Reading a chat completion answer as plain JSON, whatever a server sent.

Only the few fields a draft needs are read, and each is checked for its type: a server (or a proxy
in front of it) may answer with anything, and an answer must neither crash the run nor change its
totals (a negative token count would give budget back).
"""

from __future__ import annotations

from typing import Any

from docgap.drafts import Usage
from docgap.errors import GenerationError

TOOL = "generate_docstring"
"""The function a model calls with the draft in `tools` output mode."""


def first_choice(response: object) -> dict[str, Any]:
    """The first choice of a chat completion, with a `message` object.

    Raises:
        GenerationError: When `response` is not a chat completion.
    """
    choices = response.get("choices") if isinstance(response, dict) else None
    choice = choices[0] if isinstance(choices, list) and choices else None
    if not isinstance(choice, dict) or not isinstance(choice.get("message"), dict):
        raise GenerationError("the service's answer is not a chat completion (no choices); "
                              "is the base URL an OpenAI-compatible API?")
    return choice


def answer_text(message: dict[str, Any]) -> str:
    """The draft's JSON text: the arguments of a call to `TOOL`, else the message's content."""
    text = message.get("content")
    calls = message.get("tool_calls")
    for call in calls if isinstance(calls, list) else ():
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict) and function.get("name") == TOOL:
            text = function.get("arguments")
            break
    return text if isinstance(text, str) else ""


def usage_of(response: object) -> Usage:
    """What an answer says it cost: one request, and its token counts when it gives them."""
    usage = response.get("usage") if isinstance(response, dict) else None
    if not isinstance(usage, dict):
        return Usage(requests=1)
    details = usage.get("prompt_tokens_details")
    return Usage(1, _count(usage.get("prompt_tokens")), _count(usage.get("completion_tokens")),
                 _count(details.get("cached_tokens")) if isinstance(details, dict) else 0)


def _count(value: object) -> int:
    """A token count: a positive integer; anything else counts as none."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
