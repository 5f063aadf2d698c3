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
from typing import Any, overload

import orjson

from ...errors import InputError
from .. import HttpRequest
from .._json import as_object, body_bytes, http_status, loads, opt_int, opt_str
from .errors import STATUS_NAMES, OneSpanError, OneSpanResultMismatch, error_class

__all__ = ["OneSpanResponse", "PreparedSignatureRequest", "parse_response", "parse_prepared_signature_response"]

MAX_BODY = 1024 * 1024


class _ResultText:
    """A read-only text field of :attr:`OneSpanResponse.result`: the string under ``key``, else None."""

    def __init__(self, key: str) -> None:
        self.key = key

    @overload
    def __get__(self, obj: None, owner: type[Any] | None = None) -> _ResultText: ...
    @overload
    def __get__(self, obj: OneSpanResponse, owner: type[Any] | None = None) -> str | None: ...
    def __get__(self, obj: OneSpanResponse | None, owner: type[Any] | None = None) -> _ResultText | str | None:
        if obj is None:
            return self
        value = obj.result.get(self.key)
        return value if isinstance(value, str) else None


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

    user_id = _ResultText("userID")
    domain = _ResultText("domain")
    org_unit = _ResultText("orgUnit")
    #: Serial number of the Digipass authenticator that completed the signature (authSignature).
    serial_no = _ResultText("serialNo")


def _int(obj: Mapping[str, Any], key: str) -> int:
    value = opt_int(obj, key, "body.resultCodes")
    if value is None:
        raise InputError(f"body.resultCodes.{key}", "must be an integer")
    return value


def _sent_user(request: object) -> tuple[str, str | None] | None:
    """(userID, domain) of an authSignature request built by this package; None for another service."""
    if not isinstance(request, HttpRequest):
        raise InputError("request", "must be the HttpRequest from build_auth_signature_request")
    if not request.path.rstrip("/").endswith("/authSignature"):
        return None
    try:
        body = orjson.loads(request.body)
    except orjson.JSONDecodeError:
        raise InputError("request", "body is not the JSON of an authSignature request") from None
    user_id = body.get("userID") if isinstance(body, dict) else None
    domain = body.get("domain") if isinstance(body, dict) else None
    if not isinstance(user_id, str) or (domain is not None and not isinstance(domain, str)):
        raise InputError("request", "body is not the JSON of an authSignature request")
    return user_id, domain


def _same(a: str, b: str, ignore_case: bool) -> bool:
    return a.casefold() == b.casefold() if ignore_case else a == b


def _compare(response: OneSpanResponse, request: object, status: int, ignore_case: bool) -> None:
    sent = _sent_user(request)
    if sent is None:
        return
    user_id, domain = sent
    if response.user_id is None or not _same(response.user_id, user_id, ignore_case):
        raise OneSpanResultMismatch("userID", user_id, response.user_id, status)
    # A request without a domain lets the server resolve one; one with a domain must get it back.
    if domain is not None and (response.domain is None or not _same(response.domain, domain, ignore_case)):
        raise OneSpanResultMismatch("domain", domain, response.domain, status)


def parse_response(
    status: int, body: bytes | str, *, request: HttpRequest | None = None, ignore_case: bool = False
) -> OneSpanResponse:
    """Parse any DIGIPASS Gateway v2 answer (``authSignature``, ``getPreparedSignatureRequest``...).

    Returns a :class:`OneSpanResponse` when ``returnCode`` is 0; raises the OneSpanError subclass
    for the ``statusCode`` otherwise (``OneSpanInvalidCredentials`` 1000, ``OneSpanChallengeExpired``
    1004, ``OneSpanLocked`` 1007, ``OneSpanRequestNotFound`` for STAT_NOT_FOUND, e.g. a reused
    requestKey). A body without ``resultCodes`` is an InputError (or, on an HTTP error status, a
    plain OneSpanError).

    ``request``: the authSignature request that was sent. The answer's ``result.userID`` must then
    be the request's ``userID``, and its ``result.domain`` the request's ``domain`` when the request
    named one (exact comparison; ``ignore_case=True`` compares case-insensitively); otherwise
    :class:`OneSpanResultMismatch` is raised. Without ``request`` nothing is compared.
    """
    if not isinstance(ignore_case, bool):
        raise InputError("ignore_case", "must be a bool")
    if request is not None:
        _sent_user(request)  # a bad request argument fails before the answer is read
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
    response = OneSpanResponse(return_code, status_code, return_enum, status_enum, result or {})
    if request is not None:
        _compare(response, request, status, ignore_case)
    return response


#: Longest ``requestMessage`` accepted, in hex characters (the body bound allows no more anyway).
MAX_REQUEST_MESSAGE = MAX_BODY


@dataclass(frozen=True, slots=True)
class PreparedSignatureRequest:
    """The getPreparedSignatureRequest answer: the signature request as a Secure Channel message.

    ``request_message`` is the hex text as the gateway sent it (``result.requestMessage``, checked
    to be whole bytes of hexadecimal); :attr:`message` its bytes, for the Digipass SDK that
    decrypts and shows it. cryptokit cannot read the message itself: it is encrypted for the
    authenticator."""

    request_message: str
    return_code: int = 0
    status_code: int = 0

    @property
    def message(self) -> bytes:
        return bytes.fromhex(self.request_message)


def parse_prepared_signature_response(status: int, body: bytes | str) -> PreparedSignatureRequest:
    """Parse the getPreparedSignatureRequest answer ``{resultCodes, result: {requestMessage}}``.

    Errors as :func:`parse_response` (a consumed or unknown requestKey raises
    ``OneSpanRequestNotFound``); a success without a hexadecimal ``result.requestMessage`` is an
    InputError.
    """
    response = parse_response(status, body)
    value = response.result.get("requestMessage")
    field = "body.result.requestMessage"
    if not isinstance(value, str) or not value:
        raise InputError(field, "is missing (the Secure Channel message, hexadecimal)")
    if len(value) > MAX_REQUEST_MESSAGE or len(value) % 2 or not value.isascii():
        raise InputError(field, "must be hexadecimal text of whole bytes")
    try:
        bytes.fromhex(value)
    except ValueError:
        raise InputError(field, "must be hexadecimal text of whole bytes") from None
    if not all(c in "0123456789abcdefABCDEF" for c in value):  # fromhex skips white space
        raise InputError(field, "must be hexadecimal text of whole bytes")
    return PreparedSignatureRequest(value, response.return_code, response.status_code)
