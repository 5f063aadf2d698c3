"""OneSpan DIGIPASS Gateway (REST v2) push signature, sans-I/O.

:func:`build_get_prepared_signature_request` fetches the Secure Channel message for a pushed
``requestKey``; :func:`build_auth_signature_request` sends the user's Digipass e-signature back;
:func:`parse_response` reads ``resultCodes``. The e-signature is computed from a token secret held
by the authentication server: it cannot be verified offline, so cryptokit checks its format only
and reports no "verified" flag; only the server's ``returnCode`` 0 means it was accepted.
"""

from __future__ import annotations

from .errors import (
    STATUS_NAMES,
    OneSpanChallengeExpired,
    OneSpanError,
    OneSpanInvalidCredentials,
    OneSpanLocked,
    OneSpanRequestNotFound,
)
from .requests import BASE_PATH, build_auth_signature_request, build_get_prepared_signature_request
from .responses import OneSpanResponse, parse_response

__all__ = [
    "BASE_PATH",
    "STATUS_NAMES",
    "build_get_prepared_signature_request",
    "build_auth_signature_request",
    "parse_response",
    "OneSpanResponse",
    "OneSpanError",
    "OneSpanInvalidCredentials",
    "OneSpanChallengeExpired",
    "OneSpanLocked",
    "OneSpanRequestNotFound",
]
