"""Cloud Signature Consortium API (v1.0.4 and v2.0), sans-I/O.

Build requests (:func:`build_sign_hash_request`, :func:`build_credentials_info_request`,
:func:`build_credentials_list_request`, :func:`build_sign_polling_request`), parse answers
(:func:`parse_sign_hash_response`, :func:`parse_credential_info`, :func:`parse_credentials_list`),
sign documents into verified CMS files in one step (:func:`sign_documents`, through a caller's
HTTP callable), and check a signHash answer offline (:func:`validate_sign_hash_response` returns the report;
:func:`verify_sign_hash_response` raises :class:`~cryptokit.errors.VerificationFailed` unless it
passed). Errors are
:class:`CscError` subclasses (a :class:`~cryptokit.errors.VendorError` with ``vendor == "csc"``).
The server half is :mod:`.server` (:class:`EmbeddedCscSigner` and the functions it is built from).
"""

from __future__ import annotations

from typing import Any

from .errors import (
    CscAuthorizationFailed,
    CscCredentialUnavailable,
    CscError,
    CscInvalidHash,
    CscInvalidOtp,
    CscInvalidPin,
    CscInvalidRequest,
    CscInvalidSad,
    CscSadExpired,
    CscServerError,
    CscTokenError,
    error_from_answer,
)
from .pss import PssParams, encode_pss_params, parse_pss_params
from .requests import (
    RSA_ENCRYPTION,
    RSASSA_PSS,
    SignHashRequest,
    build_credentials_info_request,
    build_credentials_list_request,
    build_sign_hash_request,
    build_sign_polling_request,
    parse_sign_hash_request,
)
from .responses import (
    CredentialInfo,
    CredentialsList,
    SignHashResult,
    parse_credential_info,
    parse_credentials_list,
    parse_sign_hash_response,
)
from .server import (
    EmbeddedCscSigner,
    SignHashIn,
    build_credential_info_response,
    build_error_response,
    build_sign_hash_response,
    sign_hashes,
)
from .server import parse_sign_hash_request as parse_sign_hash_http_request

__all__ = [
    "RSA_ENCRYPTION",
    "RSASSA_PSS",
    "SignHashRequest",
    "SignHashResult",
    "CredentialInfo",
    "CredentialsList",
    "PssParams",
    "build_sign_hash_request",
    "parse_sign_hash_request",
    "build_sign_polling_request",
    "build_credentials_info_request",
    "build_credentials_list_request",
    "parse_sign_hash_response",
    "parse_credential_info",
    "parse_credentials_list",
    "encode_pss_params",
    "parse_pss_params",
    "validate_sign_hash_response",
    "verify_sign_hash_response",
    "SignHashReport",
    "HashVerification",
    "sign_documents",
    "SigningPending",
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
    # server half (csc.server.parse_sign_hash_request is parse_sign_hash_http_request here)
    "SignHashIn",
    "EmbeddedCscSigner",
    "parse_sign_hash_http_request",
    "sign_hashes",
    "build_sign_hash_response",
    "build_credential_info_response",
    "build_error_response",
]

_VERIFY = {"validate_sign_hash_response", "verify_sign_hash_response", "SignHashReport", "HashVerification"}
_DOCUMENTS = {"sign_documents", "SigningPending"}


def __getattr__(name: str) -> Any:
    # The verifier imports the chain layer, sign_documents the CMS block; load them only when asked for.
    if name in _VERIFY:
        from . import verify

        return getattr(verify, name)
    if name in _DOCUMENTS:
        from . import documents

        return getattr(documents, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
