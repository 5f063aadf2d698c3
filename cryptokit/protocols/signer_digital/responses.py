"""Signer.Digital ``RespErrPl`` answers: ``{"Status_cd": "1"|"0", "Error_cd": .., "Message": ..}``.

``Status_cd`` is documented as a string; a JSON number 1 or 0 is read the same way. The OTP codes
OA03A, OA03B and OA04 are recognised in any JSON answer that carries them in an error-code field
(``Error_cd``, ``ErrorCd``, ``ErrorCode``..., at the top or in a nested object such as a Sign answer
wrapping its RespErrPl), not only in a RespErrPl-shaped body: see :func:`key_auth_otp_code`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import InputError
from .._json import as_object, body_bytes, http_status, loads, opt_str
from .errors import KEY_AUTH_OTP_CODES, SignerDigitalError, SignerDigitalKeyAuthOtpRequired, error_for

__all__ = ["RespErrPl", "parse_response", "read_resp_err_pl", "key_auth_otp_code", "raise_for_sign_answer"]

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


def _status_cd(value: object) -> str | None:
    """``Status_cd`` as "1"/"0": the documented strings, or the JSON numbers 1 and 0 (not booleans)."""
    if value in ("1", "0"):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        return str(value)
    return None


def read_resp_err_pl(obj: Mapping[str, Any]) -> RespErrPl:
    """Read the three fields of an already-decoded object (shape only: ``Status_cd`` must be "1" or
    "0", or the number 1 or 0)."""
    if not isinstance(obj, Mapping):
        raise InputError("body", "must be a JSON object")
    status_cd = _status_cd(obj.get("Status_cd"))
    if status_cd is None:
        raise InputError("body.Status_cd", 'must be "1" or "0" (a string or a number)')
    error_cd = opt_str(obj, "Error_cd", "body")
    message = opt_str(obj, "Message", "body")
    return RespErrPl(status_cd, error_cd[:64] if error_cd else None, message[:1000] if message else None)


# Field names (case and "_" ignored) that carry an error code in the answers seen: RespErrPl's
# Error_cd, and the spellings other Signer.Digital/.NET answers use.
_CODE_FIELDS = frozenset({"errorcd", "errcd", "errorcode", "errcode", "error"})
_MESSAGE_FIELDS = frozenset({"message", "msg", "errormessage", "errormsg", "errmsg"})
_MAX_NODES = 1000


def _squash(name: str) -> str:
    return name.replace("_", "").replace("-", "").casefold()


def _walk(value: Any, depth: int, budget: list[int]) -> tuple[str, str | None] | None:
    """The first OTP code (and the message next to it) in ``value``: objects and arrays at most
    ``depth`` levels deep, at most ``budget[0]`` fields and items in all (no recursion runaway)."""
    if depth < 0 or not isinstance(value, (dict, list)):
        return None
    budget[0] -= len(value)
    if budget[0] < 0:
        return None
    if isinstance(value, list):
        for item in value:
            found = _walk(item, depth - 1, budget)
            if found is not None:
                return found
        return None
    fields = {_squash(k): v for k, v in value.items() if isinstance(k, str)}
    for name, field in fields.items():
        if name in _CODE_FIELDS and isinstance(field, str) and field.strip().upper() in KEY_AUTH_OTP_CODES:
            status_cd = _status_cd(fields.get("statuscd"))
            if status_cd == "1":  # a success that merely echoes a code is not a demand
                continue
            message = next((m for n, m in fields.items() if n in _MESSAGE_FIELDS and isinstance(m, str)), None)
            return field.strip().upper(), message
    for field in value.values():
        found = _walk(field, depth - 1, budget)
        if found is not None:
            return found
    return None


def key_auth_otp_code(data: Any) -> tuple[str, str | None] | None:
    """``(code, message)`` when a decoded JSON answer asks for key-authorization OTP (OA03A, OA03B,
    OA04 in an error-code field, top level or nested up to three objects or arrays deep, not beside
    a ``Status_cd`` of 1); a bare JSON string that is one of the codes counts too. None otherwise.
    Bounded: at most 1000 fields and array items are looked at, whatever the body's shape."""
    if isinstance(data, str):
        code = data.strip().upper()
        return (code, None) if code in KEY_AUTH_OTP_CODES else None
    return _walk(data, 3, [_MAX_NODES])


def _decoded(body: object) -> Any:
    raw = body_bytes(body, max_size=MAX_BODY)
    return loads(raw) if raw.strip() else None


def raise_for_sign_answer(status: int, body: bytes | str) -> None:
    """Raise what a Sign call's answer says went wrong; return when it carries no error.

    :class:`SignerDigitalKeyAuthOtpRequired` when the answer carries OA03A/OA03B/OA04 in any
    shape (:func:`key_auth_otp_code`), :class:`SignerDigitalError` for a ``Status_cd`` 0 or an HTTP
    status outside 2xx, :class:`InputError` for a RespErrPl whose ``Status_cd`` is neither 1 nor 0.
    A 2xx answer that is not JSON (signed bytes) or has no ``Status_cd`` is not an error here: the
    caller parses the Sign answer itself.
    """
    http_status(status)
    try:
        data = _decoded(body)
    except InputError:
        data = None
    found = key_auth_otp_code(data)
    if found is not None:
        code, message = found
        raise SignerDigitalKeyAuthOtpRequired(code, (message or "key use needs OTP authorization")[:1000], status)
    if isinstance(data, dict) and "Status_cd" in data:
        resp = read_resp_err_pl(data)
        if resp.status_cd == "0":
            raise error_for(resp.error_cd, resp.message or "Sign failed", status)
    if not 200 <= status < 300:
        raise SignerDigitalError(None, f"Sign answered HTTP {status}", status)


def parse_response(status: int, body: bytes | str) -> RespErrPl:
    """Parse a RespErrPl (GenKeyAuthOTP, SetKeyAuthOTP, or a Sign error answer).

    ``Status_cd`` "1" (or 1) on a 2xx status returns the :class:`RespErrPl`. ``Status_cd`` "0" (or
    0) raises: ``SignerDigitalKeyAuthOtpRequired`` (a ``KeyAuthOtpRequired``) for OA03A/OA03B/OA04,
    else ``SignerDigitalError`` with ``Error_cd`` as ``code``. An answer of another shape that
    carries one of the three codes also raises ``SignerDigitalKeyAuthOtpRequired``. Any other body
    that is not a RespErrPl is an InputError, or a SignerDigitalError when the HTTP status already
    says the call failed.
    """
    http_status(status)
    try:
        data = _decoded(body)
        found = key_auth_otp_code(data)
        if found is not None and not (isinstance(data, dict) and _status_cd(data.get("Status_cd")) is not None):
            code, message = found
            raise SignerDigitalKeyAuthOtpRequired(code, (message or "key use needs OTP authorization")[:1000], status)
        if data is None:
            raise InputError("body", "is empty")
        resp = read_resp_err_pl(as_object(data))
    except InputError:
        if status >= 300:
            raise SignerDigitalError(None, f"HTTP {status} answer without a RespErrPl body", status) from None
        raise
    if resp.status_cd == "0":
        if found is not None:
            raise SignerDigitalKeyAuthOtpRequired(found[0], resp.message or "request failed", status)
        raise error_for(resp.error_cd, resp.message or "request failed", status)
    if status >= 300:
        raise SignerDigitalError(resp.error_cd, f"HTTP {status} with Status_cd 1", status)
    return resp
