"""DIGIPASS Gateway answers: ``{"resultCodes": {...}, "result": {...}}``.

Success only when ``resultCodes.returnCode`` is 0 (and the HTTP status is 2xx); anything else
raises a :class:`~cryptokit.protocols.onespan.errors.OneSpanError` subclass picked by the status code.
A success proves only that the gateway accepted the request: the e-signature itself cannot be
checked offline, so no result here carries a "verified" flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ...errors import InputError
from .._json import as_object, body_bytes, http_status, loads, opt_int, opt_str
from .errors import STATUS_NAMES, OneSpanError, error_class

__all__ = ["OneSpanResponse", "parse_response"]

MAX_BODY = 1024 * 1024


@dataclass(frozen=True, slots=True)
class OneSpanResponse:
    """A successful answer: the result codes and the ``result`` object (read-only)."""

    return_code: int
    status_code: int
    return_code_enum: str | None
    status_code_enum: str | None
    result: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "result", MappingProxyType(dict(self.result)))

    def _field(self, name: str) -> str | None:
        value = self.result.get(name)
        return value if isinstance(value, str) else None

    @property
    def user_id(self) -> str | None:
        return self._field("userID")

    @property
    def domain(self) -> str | None:
        return self._field("domain")

    @property
    def org_unit(self) -> str | None:
        return self._field("orgUnit")

    @property
    def serial_no(self) -> str | None:
        """Serial number of the Digipass authenticator that completed the signature (authSignature)."""
        return self._field("serialNo")


def _int(obj: Mapping[str, Any], key: str) -> int:
    value = opt_int(obj, key, "body.resultCodes")
    if value is None:
        raise InputError(f"body.resultCodes.{key}", "must be an integer")
    return value


def parse_response(status: int, body: bytes | str) -> OneSpanResponse:
    """Parse any DIGIPASS Gateway v2 answer (``authSignature``, ``getPreparedSignatureRequest``...).

    Returns a :class:`OneSpanResponse` when ``returnCode`` is 0; raises the OneSpanError subclass
    for the ``statusCode`` otherwise (``OneSpanInvalidCredentials`` 1000, ``OneSpanChallengeExpired``
    1004, ``OneSpanLocked`` 1007, ``OneSpanRequestNotFound`` for STAT_NOT_FOUND, e.g. a reused
    requestKey). A body without ``resultCodes`` is an InputError (or, on an HTTP error status, a
    plain OneSpanError).
    """
    http_status(status)
    try:
        obj = as_object(loads(body_bytes(body, max_size=MAX_BODY)))
        codes = obj.get("resultCodes")
        if not isinstance(codes, dict):
            raise InputError("body.resultCodes", "must be an object")
    except InputError:
        if status >= 300:
            raise OneSpanError(None, f"HTTP {status} answer without resultCodes", status) from None
        raise
    return_code = _int(codes, "returnCode")
    status_code = _int(codes, "statusCode")
    return_enum = opt_str(codes, "returnCodeEnum", "body.resultCodes")
    status_enum = opt_str(codes, "statusCodeEnum", "body.resultCodes")
    result = obj.get("result")
    if result is not None and not isinstance(result, dict):
        raise InputError("body.result", "must be an object")
    if return_code != 0 or status >= 300:
        name = status_enum or STATUS_NAMES.get(status_code)
        cls = error_class(status_code, name)
        message = f"{return_enum or 'returnCode ' + str(return_code)}, {name or 'statusCode ' + str(status_code)}"
        raise cls(
            (name or str(status_code))[:100],
            message[:300],
            status,
            return_code=return_code,
            status_code=status_code,
        )
    if result is not None:
        for key in ("userID", "domain", "orgUnit", "serialNo"):
            opt_str(result, key, "body.result")
    return OneSpanResponse(return_code, status_code, return_enum, status_enum, result or {})
