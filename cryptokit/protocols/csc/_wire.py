"""JSON on the wire for the CSC API: bounded, strict about the top-level shape (see :mod:`.._json`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import InputError
from .._json import dumps, get_str, opt_int
from .._json import load_object as _load_object

__all__ = ["MAX_BODY", "dumps", "load_object", "get_str", "get_int", "get_str_list"]

#: Largest response body accepted (a signHash answer for many RSA-4096 signatures fits easily).
MAX_BODY = 8 * 1024 * 1024


def load_object(body: bytes | bytearray | memoryview | str, *, field: str = "body") -> dict[str, Any] | None:
    """The JSON object in ``body``; None when the body is empty. Anything else is an InputError."""
    return _load_object(body, max_size=MAX_BODY, field=field)


def get_int(obj: Mapping[str, Any], key: str, field: str, *, required: bool = True) -> int | None:
    value = opt_int(obj, key, field)
    if value is None and required:
        raise InputError(f"{field}.{key}", "is required")
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
