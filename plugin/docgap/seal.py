"""Seals: proof that docgap itself checked (or rendered) what it reads back from the untrusted cache.

Threat model. The cache directory is untrusted: CI caches are shared between branches and forks,
so whoever can open a pull request may have written, and can read, every byte in it. A draft read
back from it is therefore validated again before use, which costs a warm build most of its time.
A seal lets docgap skip that work only for results it produced itself: an HMAC-SHA256, under a
secret key kept *outside* the cache directory (`seal.key` in the user's state directory,
`$XDG_STATE_HOME/docgap/`, else `~/.local/state/docgap/`; created 0600), over everything the
result depends on (the content key, the draft's exact text, the validation context, docgap's code).
Whoever can write the cache but not read that key cannot make a seal docgap accepts: an edited
draft, a rendered text swapped for another, or a seal copied from another entry fails the check,
and the entry is treated as unchecked (the draft validated, the text rendered again from it).

What would not do: a hash stored beside the text, or a key stored in the cache directory, since
whoever writes the cache can recompute them. Out of scope: whoever can read the user's key file can
also change the user's installed packages. On a machine without the key (a fresh CI runner) seals
made elsewhere do not verify, so that build checks everything, as without seals, and seals what it
checked for the next build there. When no key can be read or made (a read-only home, a key file
others can read), nothing is sealed and everything is checked every time.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from docgap._version import __version__

KEY_BYTES = 32
"""Length of the secret key."""


def key_file() -> Path:
    """Where the user's seal key lives (outside every cache directory)."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "docgap" / "seal.key"


class Seal:
    """Signs and checks results with the user's secret key.

    Args:
        key: The secret key.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def load(cls, path: Path | None = None) -> Seal | None:
        """The user's seal, making its key on first use; `None` when no private key can be had.

        Args:
            path: The key file; `key_file()` by default.

        Returns:
            The seal, or `None` when the key cannot be read or written, is not the user's own and
            private (mode 0600), or is not a key docgap made.
        """
        path = path or key_file()
        try:
            return cls(_read_key(path))
        except FileNotFoundError:
            pass
        except (OSError, ValueError):
            return None
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
            return cls(_read_key(path))
        except FileExistsError:  # another build made it meanwhile
            try:
                return cls(_read_key(path))
            except (OSError, ValueError):
                return None
        except (OSError, ValueError):
            return None

    def sign(self, *parts: str) -> str:
        """The seal of `parts` (in order; no two different lists of parts share one)."""
        message = "".join(f"{len(part)}:{part}" for part in (code_identity(), *parts))
        return hmac.new(self._key, message.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def verify(self, seal: object, *parts: str) -> bool:
        """Whether `seal` (read from the cache: anything) is this key's seal of `parts`."""
        return isinstance(seal, str) and hmac.compare_digest(seal, self.sign(*parts))


def digest(*parts: str) -> str:
    """A SHA-256 over `parts`, unambiguous (length-prefixed): a cache key for them."""
    return hashlib.sha256("".join(f"{len(p)}:{p}" for p in parts).encode("utf-8", "surrogatepass")).hexdigest()


@functools.cache
def code_identity() -> str:
    """docgap's version and the path, size and modification time of each of its modules.

    Part of every seal: an upgraded or edited validator or renderer never trusts what an older
    one checked or wrote.
    """
    here = Path(__file__).parent
    parts = [__version__]
    for path in sorted(here.rglob("*.py")):
        info = path.stat()
        parts.append(f"{path.relative_to(here)}:{info.st_size}:{info.st_mtime_ns}")
    return digest(*parts)


def _read_key(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        owner = os.getuid() if hasattr(os, "getuid") else info.st_uid  # not POSIX: no owner to compare
        if not stat.S_ISREG(info.st_mode) or info.st_uid != owner or info.st_mode & 0o077:
            raise ValueError("not a private key file of this user")
        key = handle.read(KEY_BYTES + 1)
    if len(key) != KEY_BYTES:
        raise ValueError("not a seal key")
    return key
