"""Signer.Digital ``RespErrPl`` answers: ``{"Status_cd": "1"|"0", "Error_cd": .., "Message": ..}``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import InputError
from .._json import as_object, body_bytes, http_status, loads, opt_str
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


def read_resp_err_pl(obj: Mapping[str, Any]) -> RespErrPl:
    """Read the three fields of an already-decoded object (shape only: ``Status_cd`` must be "1" or "0")."""
    status_cd = obj.get("Status_cd")
    if status_cd not in ("1", "0"):
        raise InputError("body.Status_cd", 'must be the string "1" or "0"')
    error_cd = opt_str(obj, "Error_cd", "body")
    message = opt_str(obj, "Message", "body")
    return RespErrPl(status_cd, error_cd[:64] if error_cd else None, message[:1000] if message else None)


def parse_response(status: int, body: bytes | str) -> RespErrPl:
    """Parse a RespErrPl (GenKeyAuthOTP, SetKeyAuthOTP, or a Sign error answer).

    ``Status_cd`` "1" on a 2xx status returns the :class:`RespErrPl`. ``Status_cd`` "0" raises:
    ``SignerDigitalKeyAuthOtpRequired`` (a ``KeyAuthOtpRequired``) for OA03A/OA03B/OA04, else
    ``SignerDigitalError`` with ``Error_cd`` as ``code``. A body that is not a RespErrPl is an
    InputError, or a SignerDigitalError when the HTTP status already says the call failed.
    """
    http_status(status)
    try:
        obj = as_object(loads(body_bytes(body, max_size=MAX_BODY)))
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
