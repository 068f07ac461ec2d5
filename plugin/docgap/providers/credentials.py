"""Secrets a provider holds: credentials taken out of a base URL, and masking them in any text shown."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

_MIN_RUN = 8
"""A run of this many consecutive characters of a secret is masked wherever it shows."""

_MASK = "***"


@dataclass(frozen=True)
class UrlCredentials:
    """A base URL split from the `user:password@` part it may carry.

    Attributes:
        url: The URL without credentials: what the SDK (and every log line it writes) gets.
        authorization: `Basic ...` for the credentials the URL carried, `None` when it carried none.
        secrets: What must never be shown: the encoded credentials and the password.
    """

    url: str
    authorization: str | None = None
    secrets: tuple[str, ...] = ()


def split_credentials(url: str) -> UrlCredentials:
    """Take `user:password@` out of `url`, keeping it as an HTTP Basic `Authorization` value.

    HTTP clients log the URL of every request, so a URL with credentials puts them in any log
    that shows INFO records; the same credentials travel as a header instead, which is what
    the client would have sent for them anyway.

    Args:
        url: A base URL, possibly `scheme://user:password@host/...`.

    Returns:
        The URL without credentials, and the header value for them.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return UrlCredentials(url)
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urlunsplit(parts._replace(netloc=host))
    if not user and not password:
        return UrlCredentials(clean)
    token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode()
    return UrlCredentials(clean, f"Basic {token}", tuple(s for s in (token, unquote(password)) if s))


def mask(text: str, secrets: tuple[str, ...]) -> str:
    """Replace every part of `text` that shows a secret, or a run of 8 characters of one, with `***`.

    A run counts even when whitespace was inserted into it (a message wrapped across lines), so
    no cut, wrap or partial quote of a secret shows it. A secret shorter than 8 characters is
    masked only where it shows whole.

    Args:
        text: Text about to be shown (an error message from a service...).
        secrets: The secrets to mask; empty strings are ignored.

    Returns:
        The text with those parts masked.
    """
    # Compare on the text without whitespace, keeping where each kept character came from.
    kept = [(i, c) for i, c in enumerate(text) if not c.isspace()]
    compact = "".join(c for _, c in kept)
    hidden = [False] * len(compact)
    for secret in filter(None, secrets):
        secret = re.sub(r"\s+", "", secret)
        run = min(_MIN_RUN, len(secret))
        for start in range(len(secret) - run + 1):
            piece = secret[start:start + run]
            found = compact.find(piece)
            while found != -1:
                hidden[found:found + run] = [True] * run
                found = compact.find(piece, found + 1)
    if not any(hidden):
        return text
    out: list[str] = []
    position = 0
    index = 0
    while index < len(compact):
        if not hidden[index]:
            index += 1
            continue
        end = index
        while end + 1 < len(compact) and hidden[end + 1]:
            end += 1
        out += [text[position:kept[index][0]], _MASK]
        position = kept[end][0] + 1
        index = end + 1
    out.append(text[position:])
    return "".join(out)
