"""OneSpan DIGIPASS Gateway errors: ``resultCodes`` with a non-zero ``returnCode``, as typed VendorErrors.

``code`` is the ``statusCodeEnum`` name when the gateway sends one (``STAT_INVCREDENTIALS``), else
the numeric ``statusCode`` as text; ``status_code`` and ``return_code`` keep the numbers.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...errors import InputError, VendorError

__all__ = [
    "OneSpanError",
    "OneSpanInvalidCredentials",
    "OneSpanChallengeExpired",
    "OneSpanLocked",
    "OneSpanRequestNotFound",
    "OneSpanResultMismatch",
    "OneSpanRequestRefused",
    "STATUS_NAMES",
    "UNDOCUMENTED_CODE",
    "error_class",
    "error_for",
]

VENDOR = "onespan"


class OneSpanError(VendorError):
    """A DIGIPASS Gateway answer whose ``returnCode`` is not 0 (or an HTTP error without one)."""

    def __init__(
        self,
        code: str | None,
        message: str,
        http_status: int | None = None,
        *,
        return_code: int | None = None,
        status_code: int | None = None,
    ) -> None:
        self.return_code = return_code
        self.status_code = status_code
        super().__init__(VENDOR, code, message, http_status)


class OneSpanInvalidCredentials(OneSpanError):
    """1000 STAT_INVCREDENTIALS: the e-signature (or user) was not accepted."""


class OneSpanChallengeExpired(OneSpanError):
    """1004 STAT_EXP_CHALLENGE: the signature request expired; start a new transaction."""


class OneSpanLocked(OneSpanError):
    """1007 STAT_LOCKED: the user or authenticator is locked."""


class OneSpanRequestNotFound(OneSpanError):
    """STAT_NOT_FOUND: no pending request for this requestKey (it is single-use, or it never existed)."""


class OneSpanResultMismatch(OneSpanError):
    """The gateway accepted the request (``returnCode`` 0) but its ``result`` names another user
    (``field`` ``userID``) or domain (``domain``) than the request that was sent: do not treat the
    transaction as completed by that user. ``expected`` and ``received`` hold the two values."""

    def __init__(
        self,
        field: str,
        expected: str | None,
        received: str | None,
        http_status: int | None = None,
        *,
        return_code: int | None = 0,
        status_code: int | None = 0,
    ) -> None:
        self.field = field
        self.expected = expected
        self.received = received
        shown = "missing" if received is None else repr(received)
        message = f"result.{field} is {shown}, not the request's {expected!r}"
        super().__init__("RESULT_MISMATCH", message, http_status, return_code=return_code, status_code=status_code)


class OneSpanRequestRefused(OneSpanError):
    """The server half refused a request before any decision: HTTP 400 (malformed body or field,
    named in the message), 401 (API key), 404 (path), 405 (method) or 413 (size). The gateway's
    pages name no resultCodes for these, so the answer carries none; the client half reads it
    as a plain :class:`OneSpanError` with that ``http_status``."""


#: statusCode -> statusCodeEnum for the codes the documentation names.
STATUS_NAMES: Mapping[int, str] = {
    0: "STAT_SUCCESS",
    1000: "STAT_INVCREDENTIALS",
    1004: "STAT_EXP_CHALLENGE",
    1007: "STAT_LOCKED",
}

_BY_NAME: Mapping[str, type[OneSpanError]] = {
    "STAT_INVCREDENTIALS": OneSpanInvalidCredentials,
    "STAT_EXP_CHALLENGE": OneSpanChallengeExpired,
    "STAT_LOCKED": OneSpanLocked,
    "STAT_NOT_FOUND": OneSpanRequestNotFound,
}


def error_class(status_code: int | None, status_name: str | None) -> type[OneSpanError]:
    """The class for a statusCode / statusCodeEnum pair (the name wins when both are known)."""
    if status_name and status_name in _BY_NAME:
        return _BY_NAME[status_name]
    if status_code is not None and status_code in STATUS_NAMES:
        return _BY_NAME.get(STATUS_NAMES[status_code], OneSpanError)
    return OneSpanError


#: The number cryptokit's server half sends where the pages give none: the ``returnCode`` of every
#: refusal (only 0, success, is documented) and the ``statusCode`` of STAT_NOT_FOUND.
UNDOCUMENTED_CODE = -1


def error_for(status_name: str, message: str | None = None, http_status: int | None = None) -> OneSpanError:
    """The error a gateway answers with for ``status_name`` (``"STAT_LOCKED"``...): its class,
    the documented ``statusCode`` (:data:`UNDOCUMENTED_CODE` when none is documented) and
    ``returnCode`` :data:`UNDOCUMENTED_CODE`. ``message`` must not hold a secret."""
    if status_name not in _BY_NAME:
        raise InputError("status_name", f"must be one of {', '.join(_BY_NAME)}")
    status_code = next((code for code, name in STATUS_NAMES.items() if name == status_name), UNDOCUMENTED_CODE)
    return _BY_NAME[status_name](
        status_name,
        message or status_name,
        http_status,
        return_code=UNDOCUMENTED_CODE,
        status_code=status_code,
    )
