"""CSC API error answers (``{"error": ..., "error_description": ...}``) as typed VendorErrors.

The CSC specification (v1.0.4, v2.0) reports most API failures as ``invalid_request`` and tells them
apart only by ``error_description`` ("Invalid digest value length", "SAD expired", ...). This module
maps the error name first and, for ``invalid_request``, the description, to one class per condition
a client can act on. ``code`` is always the vendor's ``error`` text; ``message`` its description.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import VendorError

__all__ = [
    "CscError",
    "CscInvalidRequest",
    "CscInvalidHash",
    "CscInvalidSad",
    "CscSadExpired",
    "CscCredentialUnavailable",
    "CscAuthorizationFailed",
    "CscInvalidOtp",
    "CscInvalidPin",
    "CscTokenError",
    "CscServerError",
    "error_from_answer",
]

VENDOR = "csc"
MAX_MESSAGE = 1000


class CscError(VendorError):
    """Any CSC API error answer."""

    def __init__(self, code: str | None, message: str, http_status: int | None = None) -> None:
        super().__init__(VENDOR, code, message, http_status)


class CscInvalidRequest(CscError):
    """``invalid_request``: a parameter is missing, of the wrong type or refused."""


class CscInvalidHash(CscInvalidRequest):
    """A hash was refused: wrong length for its algorithm, bad base64, empty list, not bound to the SAD."""


class CscInvalidSad(CscInvalidRequest):
    """The SAD is missing or not valid for this credential."""


class CscSadExpired(CscInvalidSad):
    """The SAD expired: authorize the credential again (or extend the transaction)."""


class CscCredentialUnavailable(CscInvalidRequest):
    """The credential cannot sign: disabled, locked, or its certificate expired."""


class CscAuthorizationFailed(CscError):
    """The user's authorization data was refused (``invalid_authentication_data``, ``authentication_error``)."""


class CscInvalidOtp(CscAuthorizationFailed):
    """``invalid_otp``: the OTP used to obtain the SAD is wrong."""


class CscInvalidPin(CscAuthorizationFailed):
    """``invalid_pin``: the PIN used to obtain the SAD is wrong."""


class CscTokenError(CscError):
    """OAuth 2.0 errors: the access token or client is not accepted (``invalid_token``, ``access_denied``...)."""


class CscServerError(CscError):
    """``server_error`` / ``temporarily_unavailable``: retry later."""


#: error name -> class (names compared case-insensitively).
ERRORS: Mapping[str, type[CscError]] = {
    "invalid_request": CscInvalidRequest,
    "invalid_hash": CscInvalidHash,
    "invalid_sad": CscInvalidSad,
    "sad_expired": CscSadExpired,
    "expired_sad": CscSadExpired,
    "invalid_otp": CscInvalidOtp,
    "invalid_pin": CscInvalidPin,
    "invalid_authentication_data": CscAuthorizationFailed,
    "authentication_error": CscAuthorizationFailed,
    "invalid_token": CscTokenError,
    "expired_token": CscTokenError,
    "access_denied": CscTokenError,
    "unauthorized_client": CscTokenError,
    "invalid_client": CscTokenError,
    "invalid_grant": CscTokenError,
    "invalid_scope": CscTokenError,
    "unsupported_grant_type": CscTokenError,
    "unsupported_response_type": CscTokenError,
    "server_error": CscServerError,
    "temporarily_unavailable": CscServerError,
    "authorization_server_error": CscServerError,
}

#: ``invalid_request`` descriptions (lower-case fragments, first match wins) -> class.
DESCRIPTIONS: tuple[tuple[str, type[CscError]], ...] = (
    ("sad expired", CscSadExpired),
    ("parameter sad", CscInvalidSad),
    ("invalid digest value length", CscInvalidHash),
    ("invalid base64 hash", CscInvalidHash),
    ("empty hash array", CscInvalidHash),
    ("hash is not authorized", CscInvalidHash),
    ("array parameter hash", CscInvalidHash),
    ("credential locked", CscCredentialUnavailable),
    ("pin locked", CscCredentialUnavailable),
    ("is disabled", CscCredentialUnavailable),
    ("certificate is expired", CscCredentialUnavailable),
    ("' is expired", CscCredentialUnavailable),
)


def error_class(error: str, description: str) -> type[CscError]:
    """The class for an ``error`` name and its description."""
    cls = ERRORS.get(error.strip().lower())
    if cls is None:
        return CscError
    if cls is CscInvalidRequest:
        lowered = description.lower()
        for fragment, specific in DESCRIPTIONS:
            if fragment in lowered:
                return specific
    return cls


def _printable(text: object, limit: int = 200) -> str:
    """The start of a body that is not CSC JSON, as one line of printable text."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text[: limit * 4]).decode("utf-8", "replace")
    if not isinstance(text, str):
        return ""
    line = "".join(c if c.isprintable() else " " for c in text[: limit * 4])
    line = " ".join(line.split())
    return line[:limit] + ("..." if len(line) > limit else "")


def error_from_answer(http_status: int | None, obj: Mapping[str, Any] | None, *, text: object = None) -> CscError:
    """The typed error for an error answer (``obj`` is the parsed body, None when there was none).

    ``text`` is the raw body when it was not JSON (a proxy's ``400 Bad Request`` page): its first
    200 printable characters are kept in the message so the reason is not lost."""
    if not isinstance(obj, Mapping):
        obj = None  # a JSON body that is not an object carries no error fields
    error = obj.get("error") if obj else None
    description = obj.get("error_description") if obj else None
    if not isinstance(error, str) or not error:
        said = _printable(text)
        suffix = f": {said}" if said else ""
        return CscError(None, f"HTTP {http_status} answer without a CSC error body{suffix}", http_status)
    text = description if isinstance(description, str) else ""
    return error_class(error, text)(error[:100], text[:MAX_MESSAGE], http_status)
