"""OneSpan DIGIPASS Gateway (REST v2) push signature, sans-I/O.

:func:`build_get_prepared_signature_request` fetches the Secure Channel message for a pushed
``requestKey``; :func:`build_auth_signature_request` sends the user's Digipass e-signature back;
:func:`parse_response` reads ``resultCodes`` (with ``request=``, it also checks that the answered
user is the one the request named) and :func:`parse_prepared_signature_response` returns the
Secure Channel message as a :class:`PreparedSignatureRequest`. Format rules the pages do not state
are cryptokit's documented defaults (:class:`FormatRules`), widened by name.
The e-signature is computed from a token secret held by the authentication server: it cannot be
verified offline, so cryptokit checks its format only and reports no "verified" flag; only the
server's ``returnCode`` 0 means it was accepted.
"""

from __future__ import annotations

from .errors import (
    STATUS_NAMES,
    OneSpanChallengeExpired,
    OneSpanError,
    OneSpanInvalidCredentials,
    OneSpanLocked,
    OneSpanRequestNotFound,
    OneSpanResultMismatch,
)
from .requests import (
    BASE_PATH,
    DEFAULT_RULES,
    FormatRules,
    build_auth_signature_request,
    build_get_prepared_signature_request,
)
from .responses import (
    OneSpanResponse,
    PreparedSignatureRequest,
    parse_prepared_signature_response,
    parse_response,
)

__all__ = [
    "BASE_PATH",
    "STATUS_NAMES",
    "build_get_prepared_signature_request",
    "build_auth_signature_request",
    "FormatRules",
    "DEFAULT_RULES",
    "parse_response",
    "parse_prepared_signature_response",
    "OneSpanResponse",
    "PreparedSignatureRequest",
    "OneSpanResultMismatch",
    "OneSpanError",
    "OneSpanInvalidCredentials",
    "OneSpanChallengeExpired",
    "OneSpanLocked",
    "OneSpanRequestNotFound",
]
