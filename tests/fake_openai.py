"""A small OpenAI-compatible HTTP server for tests, on 127.0.0.1 only.

It serves `POST /v1/chat/completions` and Azure's
`POST /openai/deployments/{name}/chat/completions?api-version=...`. By default it answers every
request from the request's own schema (structured output, tool parameters, or the schema quoted
in a JSON-mode prompt) with a valid draft, so tests need no hand-written replies. Tests script
replies and faults per request with `script(...)` and read every request from `requests`.

Run standalone for subprocess builds: `python tests/fake_openai.py --port 0 [--latency 0.2]`
prints its base URL on the first line; `GET /_stats` returns `{"requests": N}`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

_AZURE_PATH = re.compile(r"^/openai/deployments/(?P<deployment>[^/]+)/chat/completions$")
_SCHEMA_IN_PROMPT = re.compile(r"JSON Schema:\s*(\{.*\})\s*$", re.S)


@dataclass
class Reply:
    """One scripted answer or fault.

    Attributes:
        status: HTTP status to answer with (a non-200 answers with an OpenAI-style error body).
        headers: Extra response headers (e.g. `Retry-After`).
        error: Error message for non-200 answers.
        code: Error code for non-200 answers (Azure's `content_filter`...).
        content: Raw assistant content to send instead of the schema-derived draft.
        mutate: Changes the schema-derived draft before sending (drop or invent a parameter...).
        refusal: Send a refusal with this text.
        finish_reason: Override the finish reason (`length`, `content_filter`).
        delay: Seconds to wait before answering (timeouts).
        drop: Close the connection without answering.
        raw: Send this body as is (with `content_type`) instead of a chat completion: a proxy's
            HTML page, a body that is not JSON, JSON that is not a completion.
        content_type: The content type of a `raw` body.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    error: str = "scripted error"
    code: str | None = None
    content: str | None = None
    mutate: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    refusal: str | None = None
    finish_reason: str | None = None
    delay: float = 0.0
    drop: bool = False
    raw: str | None = None
    content_type: str = "application/json"


@dataclass
class Recorded:
    """A request as the server received it."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any]


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # many clients connect at once; the default backlog of 5 drops them
    daemon_threads = True


class FakeOpenAI:
    """The server. Use as a context manager; `url` is the OpenAI base URL (`.../v1`).

    Args:
        latency: Seconds added to every answer (for throughput benchmarks).
        jitter: Spread of that latency, as a fraction (0.2: uniformly within ±20%, same mean).
        port: Port to bind on 127.0.0.1; 0 picks a free one.
    """

    def __init__(self, latency: float = 0.0, port: int = 0, jitter: float = 0.0) -> None:
        self.latency = latency
        self.jitter = jitter
        self.requests: list[Recorded] = []
        self.default: Reply | Callable[[Recorded], Reply] = Reply()
        """What requests get once the script is empty (a `Chaos` for fault runs)."""
        self.caps: tuple[str, ...] = ("max_completion_tokens", "max_tokens")
        """The output-cap parameters this server applies; others are accepted and ignored (as Ollama does)."""
        self.tokens = 0
        """Tokens (prompt + completion) reported in the usage of all answers so far."""
        self._script: deque[Reply | Callable[[Recorded], Reply]] = deque()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def azure_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, *replies: Reply | Callable[[Recorded], Reply]) -> None:
        """Queue replies for the next requests, in order; later requests get the default answer."""
        with self._lock:
            self._script.extend(replies)

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_reply(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            scripted = self._script.popleft() if self._script else self.default
        return scripted(recorded) if callable(scripted) else scripted


class Chaos:
    """Fails a given share of requests at random with the faults a real service shows.

    Args:
        rate: Share of requests that get a fault.
        seed: Seed of the random choices, so a run can be repeated.
        timeout_delay: Delay of the `timeout` fault (longer than the client's timeout).
    """

    FAULTS = ("429", "500", "503", "drop", "timeout", "truncated", "invented", "missing")

    def __init__(self, rate: float, seed: int = 0, timeout_delay: float = 1.5) -> None:
        self.rate = rate
        self.random = random.Random(seed)
        self.timeout_delay = timeout_delay
        self.injected: dict[str, int] = dict.fromkeys(self.FAULTS, 0)
        self._lock = threading.Lock()

    def __call__(self, recorded: Recorded) -> Reply:
        with self._lock:
            if self.random.random() >= self.rate:
                return Reply()
            fault = self.random.choice(self.FAULTS)
            self.injected[fault] += 1
        return {
            "429": Reply(status=429, headers={"Retry-After": "0.05"}, error="rate limited"),
            "500": Reply(status=500, headers={"retry-after-ms": "20"}, error="internal error"),
            "503": Reply(status=503, headers={"retry-after-ms": "20"}, error="overloaded"),
            "drop": Reply(drop=True),
            "timeout": Reply(delay=self.timeout_delay),
            "truncated": Reply(content='{"summary": "Cut sh'),
            "invented": Reply(mutate=lambda a: {**a, "parameters": {**(a.get("parameters") or {}), "invented_arg": "x"}}),
            "missing": Reply(mutate=lambda a: {k: v for k, v in a.items() if k != "summary"}),
        }[fault]

    @property
    def total(self) -> int:
        return sum(self.injected.values())


def default_answer(schema: dict[str, Any]) -> dict[str, Any]:
    """A valid draft for exactly the names `schema` requires, in plain sentences."""
    answer: dict[str, Any] = {}
    for name, spec in schema.get("properties", {}).items():
        kinds = spec.get("type")
        if name == "summary":
            answer[name] = "Do what the name says, as the source shows."
        elif kinds == "object":
            answer[name] = {key: f"The {key.replace('_', ' ')} value, as used by the code." for key in spec.get("properties", {})}
        elif kinds == "array":
            answer[name] = []
        elif isinstance(kinds, list) and "null" in kinds:
            answer[name] = None
        else:
            answer[name] = f"The {name} of the call, as the code computes it."
    return answer


def _schema_of(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        return response_format["json_schema"]["schema"], "json_schema"
    for tool in body.get("tools") or ():
        return tool["function"]["parameters"], "tools"
    for message in reversed(body.get("messages") or ()):
        match = _SCHEMA_IN_PROMPT.search(str(message.get("content") or ""))
        if match:
            return json.loads(match.group(1)), "json_object"
    return {"properties": {"summary": {"type": "string"}}}, "json_object"


def _tokens(text: str) -> int:
    """Tokens of `text` as a real tokenizer counts English and code: about four characters each."""
    return -(-len(text) // 4)


def _completion(body: dict[str, Any], reply: Reply, caps: tuple[str, ...] = ()) -> dict[str, Any]:
    schema, mode = _schema_of(body)
    answer = default_answer(schema)
    if reply.mutate is not None:
        answer = reply.mutate(answer)
    content = reply.content if reply.content is not None else json.dumps(answer)
    finish = reply.finish_reason or "stop"
    cap = next((body[name] for name in caps if isinstance(body.get(name), int)), None)
    if cap is not None and _tokens(content) > cap:  # a real server stops at the cap
        content, finish = content[:cap * 4], "length"
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if reply.refusal is not None:
        message.update(content=None, refusal=reply.refusal)
    elif mode == "tools":
        message.update(content=None, tool_calls=[{"id": "call_1", "type": "function",
                                                   "function": {"name": "generate_docstring", "arguments": content}}])
        finish = "tool_calls" if finish == "stop" and not reply.finish_reason else finish
    # What a real service counts: each message's text with a few tokens of framing, and the
    # schema of structured output or tools, which it adds to the prompt.
    messages = body.get("messages") or []
    prompt_tokens = sum(_tokens(str(m.get("content") or "")) + 4 for m in messages) + 3
    if mode != "json_object":
        prompt_tokens += _tokens(json.dumps(schema))
    completion_tokens = _tokens(content)
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens,
                  "prompt_tokens_details": {"cached_tokens": min(prompt_tokens, 256)}},
    }


def _handler_for(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes; no 40 ms delayed-ACK stall

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass

        def do_GET(self) -> None:
            if self.path == "/_stats":
                self._send(200, {"requests": len(server.requests)})
            else:
                self._send(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length", 0))
            raw = self.rfile.read(length)
            if parts.path != "/v1/chat/completions" and not _AZURE_PATH.match(parts.path):
                self._send(404, {"error": {"message": f"no route {parts.path}"}})
                return
            try:
                body = json.loads(raw)
            except ValueError:
                self._send(400, {"error": {"message": "body is not JSON"}})
                return
            recorded = Recorded(parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()}, body)
            reply = server._next_reply(recorded)
            jitter = server.latency * server.jitter * (2 * random.random() - 1)
            time.sleep(server.latency + jitter + reply.delay)
            if reply.drop:
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            if reply.raw is not None:
                self._send(reply.status, reply.raw, reply.headers, reply.content_type)
            elif reply.status != 200:
                error = {"message": reply.error, "type": "invalid_request_error", "code": reply.code}
                self._send(reply.status, {"error": error}, reply.headers)
            else:
                completion = _completion(body, reply, server.caps)
                with server._lock:
                    server.tokens += completion["usage"]["total_tokens"]
                self._send(200, completion, reply.headers)

        def _send(self, status: int, payload: dict[str, Any] | str, headers: dict[str, str] | None = None,
                  content_type: str = "application/json") -> None:
            data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test); nothing to answer

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake OpenAI-compatible server on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--jitter", type=float, default=0.0)
    args = parser.parse_args()
    server = FakeOpenAI(latency=args.latency, port=args.port, jitter=args.jitter).start()
    print(server.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
