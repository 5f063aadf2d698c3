"""JSON on the wire for the CSC API: bounded, strict about the top-level shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from ...errors import InputError

#: Largest response body accepted (a signHash answer for many RSA-4096 signatures fits easily).
MAX_BODY = 8 * 1024 * 1024


def dumps(obj: Mapping[str, Any]) -> bytes:
    """Compact JSON bytes, keys in insertion order."""
    return orjson.dumps(obj)


def load_object(body: bytes | bytearray | memoryview | str, *, field: str = "body") -> dict[str, Any] | None:
    """The JSON object in ``body``; None when the body is empty. Anything else is an InputError."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise InputError(field, f"must be bytes, not {type(body).__name__}")
    if len(body) > MAX_BODY:
        raise InputError(field, f"is {len(body)} bytes, over the limit of {MAX_BODY}")
    if not bytes(body).strip():
        return None
    try:
        value = orjson.loads(bytes(body))
    except orjson.JSONDecodeError:
        raise InputError(field, "is not JSON") from None
    if not isinstance(value, dict):
        raise InputError(field, "must be a JSON object")
    return value


def get_str(obj: Mapping[str, Any], key: str, field: str, *, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise InputError(f"{field}.{key}", "is required")
        return None
    if not isinstance(value, str):
        raise InputError(f"{field}.{key}", "must be a string")
    return value


def get_int(obj: Mapping[str, Any], key: str, field: str, *, required: bool = True) -> int | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise InputError(f"{field}.{key}", "is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{field}.{key}", "must be an integer")
    return value


def get_str_list(obj: Mapping[str, Any], key: str, field: str, *, max_items: int = 10_000) -> list[str] | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise InputError(f"{field}.{key}", "must be an array")
    if len(value) > max_items:
        raise InputError(f"{field}.{key}", f"has {len(value)} items, over the limit of {max_items}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise InputError(f"{field}.{key}[{i}]", "must be a string")
    return value
