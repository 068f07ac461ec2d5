"""Splitting and reading text."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])

SEPARATORS = (" ", "\t", "\n")


def logged(func: F) -> F:
    """Wrap a function so each call is counted.

    Args:
        func: The function to wrap.

    Returns:
        The wrapped function.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wrapper.calls += 1  # type: ignore[attr-defined]
        return func(*args, **kwargs)

    wrapper.calls = 0  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


@logged
def tokenize(text: str, lower: bool = False) -> list[str]:
    words = text.split()
    return [w.lower() for w in words] if lower else words


def iter_lines(text: str, *, keep_empty: bool = False) -> Iterator[str]:
    for line in text.splitlines():
        if line or keep_empty:
            yield line


async def read_async(path: str, chunk_size: int = 4096) -> str:
    await asyncio.sleep(0)
    with open(path, encoding="utf-8") as handle:
        return handle.read(chunk_size)


async def stream_words(text: str) -> AsyncIterator[str]:
    for word in text.split():
        await asyncio.sleep(0)
        yield word


@contextmanager
def opened(path: str, mode: str = "r") -> Iterator[Any]:
    handle = open(path, mode, encoding="utf-8")
    try:
        yield handle
    finally:
        handle.close()


@overload
def normalize(value: str) -> str: ...
@overload
def normalize(value: bytes) -> bytes: ...
def normalize(value: str | bytes) -> str | bytes:
    return value.strip()


class Tokenizer:
    """Split text into tokens with configurable separators.

    Args:
        separators: Characters that end a token.
    """

    def __init__(self, separators: tuple[str, ...] = SEPARATORS) -> None:
        self.separators = separators

    def __call__(self, text: str) -> list[str]:
        return self.split(text)

    def split(self, text: str) -> list[str]:
        tokens, current = [], ""
        for char in text:
            if char in self.separators:
                if current:
                    tokens.append(current)
                current = ""
            else:
                current += char
        return tokens + ([current] if current else [])

    def __repr__(self) -> str:
        return f"Tokenizer({self.separators!r})"


if __name__ == "__main__":
    def demo() -> None:
        print(tokenize("hello world"))

    demo()
