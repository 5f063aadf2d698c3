"""Signer.Digital ``RespErrPl`` answers: ``{"Status_cd": "1"|"0", "Error_cd": .., "Message": ..}``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from ...errors import InputError
from .errors import SignerDigitalError, error_for

__all__ = ["RespErrPl", "parse_response", "read_resp_err_pl"]

MAX_BODY = 1024 * 1024


@dataclass(frozen=True, slots=True)
class RespErrPl:
    """A successful RespErrPl (``Status_cd`` "1"); ``message`` is whatever text came with it."""

    status_cd: str
    error_cd: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_cd == "1"


def _load(body: bytes | str) -> Any:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise InputError("body", f"must be bytes, not {type(body).__name__}")
    if len(raw) > MAX_BODY:
        raise InputError("body", f"is {len(raw)} bytes, over the limit of {MAX_BODY}")
    try:
        return orjson.loads(bytes(raw))
    except orjson.JSONDecodeError:
        raise InputError("body", "is not JSON") from None


def _opt_str(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(f"body.{key}", "must be a string")
    return value


def read_resp_err_pl(obj: Mapping[str, Any]) -> RespErrPl:
    """Read the three fields of an already-decoded object (shape only: ``Status_cd`` must be "1" or "0")."""
    status_cd = obj.get("Status_cd")
    if status_cd not in ("1", "0"):
        raise InputError("body.Status_cd", 'must be the string "1" or "0"')
    error_cd = _opt_str(obj, "Error_cd")
    message = _opt_str(obj, "Message")
    return RespErrPl(status_cd, error_cd[:64] if error_cd else None, message[:1000] if message else None)


def parse_response(status: int, body: bytes | str) -> RespErrPl:
    """Parse a RespErrPl (GenKeyAuthOTP, SetKeyAuthOTP, or a Sign error answer).

    ``Status_cd`` "1" on a 2xx status returns the :class:`RespErrPl`. ``Status_cd`` "0" raises:
    ``SignerDigitalKeyAuthOtpRequired`` (a ``KeyAuthOtpRequired``) for OA03A/OA03B/OA04, else
    ``SignerDigitalError`` with ``Error_cd`` as ``code``. A body that is not a RespErrPl is an
    InputError, or a SignerDigitalError when the HTTP status already says the call failed.
    """
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise InputError("status", "must be an HTTP status code")
    try:
        obj = _load(body)
        if not isinstance(obj, dict):
            raise InputError("body", "must be a JSON object")
        resp = read_resp_err_pl(obj)
    except InputError:
        if status >= 300:
            raise SignerDigitalError(None, f"HTTP {status} answer without a RespErrPl body", status) from None
        raise
    if resp.status_cd == "0":
        raise error_for(resp.error_cd, resp.message or "request failed", status)
    if status >= 300:
        raise SignerDigitalError(resp.error_cd, f"HTTP {status} with Status_cd 1", status)
    return resp
