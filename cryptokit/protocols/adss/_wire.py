"""Shared wire helpers for the ADSS package: JSON in and out, error answers, typed field access."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ...errors import InputError
from .. import _json
from .._args import text_arg as text_arg  # the one caller-text check of every vendor
from .._json import MAX_FIELD as MAX_FIELD
from .._json import dumps as dumps  # the ADSS modules write their request bodies with it
from .._json import get_str as get_str  # the one field reader of every vendor
from .._json import opt_str as opt_str
from .errors import AdssError, error_for

#: Largest response body parsed (a certificate list with chains is the biggest documented answer).
MAX_BODY = 8 * 1024 * 1024

# The seed's status-service sample spells the description key "error__escription"; accept it.
_DESCRIPTION_KEYS = ("error_description", "error__escription")


def _error_from(data: Any, status: int) -> AdssError | None:
    """The error an ``{error, error_description}`` object stands for, or None if it is not one."""
    if not isinstance(data, dict) or "error" not in data:
        return None
    code = data["error"]
    if isinstance(code, bool) or not isinstance(code, (str, int)):
        return None
    description: Any = next((data[k] for k in _DESCRIPTION_KEYS if k in data), None)
    message = description if isinstance(description, str) else None
    return error_for(str(code)[:32], (message or "")[:1000] or None, status)


def _raise_for_error(data: Any, status: int) -> None:
    """Raise the AdssError of an error object, or a plain one for a non-2xx answer without it."""
    error = _error_from(data, status)
    if error is not None:
        raise error
    if not 200 <= status <= 299:
        raise AdssError(None, f"HTTP {status} without an ADSS error object", status)


def _loads(raw: bytes) -> Any:
    try:
        return _json.loads(raw)
    except InputError:
        return _NOT_JSON


_NOT_JSON = object()


def _raw(status: int, body: bytes | bytearray | memoryview | str | None) -> tuple[int, bytes]:
    return _json.http_status(status), _json.body_bytes(body, max_size=MAX_BODY, allow_none=True)


def decode(status: int, body: bytes | bytearray | memoryview | str | None) -> dict[str, Any]:
    """The JSON object of a successful answer; raises the vendor error of an error answer.

    Non-2xx answers raise an :class:`AdssError` subclass (a plain ``AdssError`` with ``code=None``
    when the body is not an ADSS error object, e.g. a proxy's HTML page). A 2xx answer whose body
    is an ADSS error object also raises. A 2xx body that is not a JSON object is an InputError.
    """
    status, raw = _raw(status, body)
    data = _loads(raw) if raw.strip() else _NOT_JSON
    _raise_for_error(data, status)
    if not isinstance(data, dict):
        raise InputError("body", "is not a JSON object")
    return data


def decode_empty(status: int, body: bytes | bytearray | memoryview | str | None) -> None:
    """Accept a successful answer that carries no data (200 with an empty body, 201 ``Created``)."""
    status, raw = _raw(status, body)
    text = raw.strip()
    data = _loads(text) if text else None
    _raise_for_error(data, status)
    if not text or text in (b"Created", b"OK") or isinstance(data, dict):
        return None
    raise InputError("body", "expected an empty body, 'Created' or a JSON object")


def get_int(obj: Mapping[str, Any], key: str, where: str, *, aliases: tuple[str, ...] = (), minimum: int = 0) -> int:
    """An integer field; the vendor sends some as JSON numbers and some as decimal strings."""
    for name in (key, *aliases):
        if name in obj:
            value = obj[name]
            if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) <= 18:
                number = int(value.strip())
            elif isinstance(value, int) and not isinstance(value, bool):
                number = value
            else:
                raise InputError(f"{where}.{key}", "must be an integer or a decimal string")
            if number < minimum:
                raise InputError(f"{where}.{key}", f"must be at least {minimum}")
            return number
    raise InputError(f"{where}.{key}", "is missing")


def get_bool(obj: Mapping[str, Any], key: str, where: str, *, aliases: tuple[str, ...] = ()) -> bool:
    """A boolean field; the vendor sends ``"true"``/``"TRUE"``/``"false"`` strings or JSON booleans."""
    for name in (key, *aliases):
        if name in obj:
            value = obj[name]
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in ("true", "false"):
                return value.strip().lower() == "true"
            raise InputError(f"{where}.{key}", "must be true or false")
    raise InputError(f"{where}.{key}", "is missing")


def get_list(obj: Mapping[str, Any], key: str, where: str, *, max_items: int = 10_000) -> list[Any]:
    if key not in obj:
        raise InputError(f"{where}.{key}", "is missing")
    value = obj[key]
    if not isinstance(value, list):
        raise InputError(f"{where}.{key}", "must be a JSON array")
    if len(value) > max_items:
        raise InputError(f"{where}.{key}", f"has {len(value)} items, over the limit of {max_items}")
    return value


def get_obj(value: Any, where: str) -> dict[str, Any]:
    return _json.as_object(value, where)


def path_segment(value: object, field: str) -> str:
    """A caller value placed in a URL path: percent-encoded, never ``.``/``..``."""
    text = text_arg(value, field, max_len=512)
    if text in (".", ".."):
        raise InputError(field, "must not be '.' or '..'")
    return quote(text, safe="")
