"""JSON on the wire, shared by the vendor packages: bounded bodies, strict shapes, typed fields.

Vendor specifics (error objects, field spellings, the vendor's own limits) stay in each package;
this module only turns untrusted bytes into JSON values and reads plain typed fields, raising
:class:`~cryptokit.errors.InputError` that names the field and the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, overload

import orjson

from ..encoding import utf8
from ..errors import InputError

__all__ = [
    "Body",
    "body_bytes",
    "loads",
    "load_object",
    "as_object",
    "http_status",
    "get_str",
    "opt_str",
    "MAX_FIELD",
    "opt_int",
    "dumps",
]

Body = bytes | bytearray | memoryview | str | None

#: Longest string field taken from a vendor's JSON (base64 certificates and chains included).
MAX_FIELD = 1024 * 1024


def body_bytes(body: object, *, max_size: int, field: str = "body", allow_none: bool = False) -> bytes:
    """``body`` as bytes (a str as UTF-8; None as empty when ``allow_none``), at most ``max_size``."""
    if body is None and allow_none:
        return b""
    if isinstance(body, str):
        body = utf8(body, field)
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


@overload
def get_str(
    obj: Mapping[str, Any],
    key: str,
    where: str,
    *,
    required: Literal[True] = True,
    aliases: tuple[str, ...] = (),
    max_len: int = MAX_FIELD,
) -> str: ...
@overload
def get_str(
    obj: Mapping[str, Any],
    key: str,
    where: str,
    *,
    required: bool,
    aliases: tuple[str, ...] = (),
    max_len: int = MAX_FIELD,
) -> str | None: ...
def get_str(
    obj: Mapping[str, Any],
    key: str,
    where: str,
    *,
    required: bool = True,
    aliases: tuple[str, ...] = (),
    max_len: int = MAX_FIELD,
) -> str | None:
    """The one string-field reader of every vendor package: ``obj[key]`` (or the first of ``aliases``,
    other spellings seen in a vendor's samples, that is present and not null) when it is a string of
    at most ``max_len`` characters. Absent or null: InputError ``{where}.{key} is missing`` when
    ``required``, else None. Any other type: InputError ``{where}.{key} must be a string``."""
    for name in (key, *aliases):
        value = obj.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(f"{where}.{key}", f"must be a string, not {type(value).__name__}")
        if len(value) > max_len:
            raise InputError(f"{where}.{key}", f"is over {max_len} characters")
        return value
    if required:
        raise InputError(f"{where}.{key}", "is missing")
    return None


def opt_str(
    obj: Mapping[str, Any], key: str, where: str, *, aliases: tuple[str, ...] = (), max_len: int = MAX_FIELD
) -> str | None:
    """:func:`get_str` with ``required=False``: None when absent or null."""
    return get_str(obj, key, where, required=False, aliases=aliases, max_len=max_len)


def opt_int(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    """``obj[key]`` when it is an integer (not a bool), None when absent or null; InputError otherwise."""
    value = obj.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise InputError(f"{where}.{key}", "must be an integer")
    return value


def dumps(obj: Mapping[str, Any]) -> bytes:
    """Exact JSON bytes of a body: keys in the order given, compact, UTF-8."""
    return orjson.dumps(dict(obj))
