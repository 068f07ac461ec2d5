from __future__ import annotations


def _strip_bom(data: bytes) -> bytes:
    """Drop a UTF-8 byte order mark."""
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def decode(data: bytes, /, encoding: str = "utf-8", *, errors: str = "strict") -> str:
    if not data:
        raise ValueError("nothing to decode")
    return _strip_bom(data).decode(encoding, errors)
