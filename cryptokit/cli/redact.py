"""Redaction of decoded plaintext for display (``cryptokit emca open``).

:func:`redact` masks the value of every field whose name contains ``password``, ``pin``, ``otp``,
``secret``, ``token`` or ``key`` (any case) at any depth, and looks inside everything it can decode
on the way: JSON text inside strings, base64 (strict) of JSON or text, and base64 CMS SignedData
whose encapsulated content is such text (emCA's createPKCS12 signs
``CN=..,KeyAlogirthmAndSize=..,Password=..``, so the password travels inside the base64 of the
``signature`` field). In ``NAME=value`` / ``NAME: value`` text, everything from the first secret
field's value to the end of the text is masked, so that a value holding a separator cannot leak its
tail. A string that decodes to something holding a secret is replaced by a small description with
its redacted content; other strings are shown as they are.

What it proves: nothing about the data. What it promises: the marker of a secret-named field does
not come out (``fuzz/fuzz_redact.py`` checks this with fuzzed documents and nestings).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

__all__ = ["SECRET_WORDS", "MASK", "redact", "is_secret_name"]

#: A field whose name contains one of these (any case) is a secret.
SECRET_WORDS = ("password", "pin", "otp", "secret", "token", "key")
MASK = "***"
#: How deep :func:`redact` follows nested containers and decodings.
MAX_DEPTH = 16
#: Strings longer than this are not decoded (shown only if they hold no secret-named field as text).
MAX_DECODE = 8 * 1024 * 1024

_FIELD = re.compile(
    r"([A-Za-z0-9_.\-]*(?:password|pin|otp|secret|token|key)[A-Za-z0-9_.\-]*)[\"'\\]*\s*[=:]", re.IGNORECASE
)
_B64 = re.compile(rb"[A-Za-z0-9+/]+={0,2}")


def is_secret_name(name: object) -> bool:
    """Whether a field called ``name`` holds a secret (its name contains a :data:`SECRET_WORDS` word)."""
    text = str(name).lower()
    return any(word in text for word in SECRET_WORDS)


def redact(value: Any) -> Any:
    """``value`` (a decoded JSON document) with every secret masked; see the module docstring."""
    return _redact(value, 0)


def _redact(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        return MASK  # too deep to look inside: shown as masked rather than unread
    if isinstance(value, dict):
        return {k: MASK if is_secret_name(k) else _redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact(v, depth + 1) for v in value]
    if isinstance(value, str):
        return _redact_str(value, depth)
    return value


def _redact_str(text: str, depth: int) -> Any:
    inner = _decode(text, depth)
    if inner is not None:
        return inner
    return _redact_fields(text)


def _redact_fields(text: str) -> str:
    """``NAME=value`` / ``NAME: value`` text with everything after the first secret field's ``=`` masked."""
    match = _FIELD.search(text)
    if match is None:
        return text
    return text[: match.end()] + MASK


def _decode(text: str, depth: int) -> Any | None:
    """What ``text`` decodes to, redacted, when that holds a secret; None when it decodes to nothing
    or to nothing secret (then the text is shown, after its own NAME=value masking)."""
    if len(text) > MAX_DECODE:
        return None
    stripped = text.strip()
    if stripped[:1] == '"':  # JSON text of a string (doubly encoded)
        try:
            inner = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(inner, str):
            return None
        shown = _redact_str(inner, depth + 1)
        return shown if shown != inner else None
    if stripped[:1] in ("{", "["):
        try:
            doc = orjson.loads(stripped)
        except orjson.JSONDecodeError:
            return None
        redacted = _redact(doc, depth + 1)
        return redacted if redacted != doc else None
    raw = stripped.encode("utf-8", "surrogatepass")
    if len(raw) < 8 or len(raw) % 4 or _B64.fullmatch(raw) is None:
        return None
    from ..encoding import b64decode
    from ..errors import CryptokitError

    try:
        data = b64decode(raw, field="value")
    except CryptokitError:
        return None
    content = _cms_content(data)
    what = "base64 CMS SignedData" if content is not None else "base64"
    payload = content if content is not None else data
    try:
        decoded = payload.decode("utf-8")
    except UnicodeDecodeError:
        return {"redacted": f"{what} whose content is not text", "content": MASK} if content is not None else None
    shown = _redact_str(decoded, depth + 1)
    if shown == decoded:
        return None
    return {"redacted": f"{what} holding a secret (the exact plaintext only with -o FILE)", "content": shown}


def _cms_content(data: bytes) -> bytes | None:
    """The encapsulated content of a CMS SignedData, None when ``data`` is not one (or has none)."""
    if data[:1] != b"\x30":
        return None
    from asn1crypto import cms as a_cms

    try:
        info = a_cms.ContentInfo.load(data)
        if info["content_type"].native != "signed_data":
            return None
        content = info["content"]["encap_content_info"]["content"]
        value = content.native if content is not None else None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, RecursionError):
        return None
    return value if isinstance(value, bytes) else None
