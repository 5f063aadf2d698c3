"""JSON on the wire, shared by the vendor packages: bounded bodies, strict shapes, typed fields.

Vendor specifics (error objects, field spellings, the vendor's own limits) stay in each package;
this module only turns untrusted bytes into JSON values and reads plain typed fields, raising
:class:`~cryptokit.errors.InputError` that names the field and the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from ..errors import InputError

__all__ = ["Body", "body_bytes", "loads", "load_object", "as_object", "http_status", "opt_str", "opt_int", "dumps"]

Body = bytes | bytearray | memoryview | str | None


def body_bytes(body: object, *, max_size: int, field: str = "body", allow_none: bool = False) -> bytes:
    """``body`` as bytes (a str as UTF-8; None as empty when ``allow_none``), at most ``max_size``."""
    if body is None and allow_none:
        return b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise InputError(field, f"must be bytes or str, not {type(body).__name__}")
    if len(body) > max_size:
        raise InputError(field, f"is {len(body)} bytes, over the limit of {max_size}")
    return bytes(body)


def loads(raw: bytes, *, field: str = "body") -> Any:
    """The JSON value in ``raw``; InputError ``is not JSON`` otherwise."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InputError(field, "is not JSON") from None


def load_object(body: object, *, max_size: int, field: str = "body") -> dict[str, Any] | None:
    """The JSON object in ``body``; None when the body is empty or white space. Anything else is an InputError."""
    raw = body_bytes(body, max_size=max_size, field=field)
    if not raw.strip():
        return None
    return as_object(loads(raw, field=field), field)


def as_object(value: object, field: str = "body") -> dict[str, Any]:
    """``value`` when it is a JSON object (a dict); InputError ``must be a JSON object`` otherwise."""
    if not isinstance(value, dict):
        raise InputError(field, "must be a JSON object")
    return value


def http_status(status: object) -> int:
    """``status`` when it is an HTTP status code (an int, not a bool, 100..599)."""
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise InputError("status", "must be an HTTP status code (100..599)")
    return status


def opt_str(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    """``obj[key]`` when it is a string, None when absent or null; InputError ``{where}.{key}`` otherwise."""
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(f"{where}.{key}", "must be a string")
    return value


def opt_int(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    """``obj[key]`` when it is an integer (not a bool), None when absent or null; InputError otherwise."""
    value = obj.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise InputError(f"{where}.{key}", "must be an integer")
    return value


def dumps(obj: Mapping[str, Any]) -> bytes:
    """Exact JSON bytes of a body: keys in the order given, compact, UTF-8."""
    return orjson.dumps(dict(obj))
