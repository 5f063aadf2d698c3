"""Ascertia ADSS Server, CSP service (REST v2), sans-I/O.

Builders return :class:`~cryptokit.protocols.HttpRequest` values (paths relative to the server's
base URL, e.g. ``https://server:8779``); parsers take ``(status, body)`` and return typed values,
raise an :class:`AdssError` subclass for an ADSS error answer and :class:`~cryptokit.errors.InputError`
for a body that is not the documented shape. :func:`validate_sign_response` checks returned
signatures offline (scheme, encoding, chain) and returns a DSS-style report (check ``.ok``);
:func:`verify_sign_response` returns it only when it passed and raises
:class:`~cryptokit.errors.VerificationFailed` (with ``.report``) otherwise.

    from cryptokit.protocols import adss
    req = adss.build_sign_request(hashes, profile_id="CSP Service Profile", cert_alias=alias, token=tok)
    result = adss.parse_sign_response(status, body)
    report = adss.verify_sign_response(req, result, certificate=cert, trust_anchors=[root])

:class:`SignStatusPoller` (:mod:`.poll`) drives a PENDING request to its final status, sans-I/O.
:func:`sign_documents` turns documents into verified CMS files in one sign request through a
caller's HTTP callable (:mod:`.documents`).

The server half (:mod:`.server`): :func:`parse_sign_request`, :func:`sign_hashes`,
:func:`build_sign_response`, :func:`build_error_response` and :class:`EmbeddedSigner`.
"""

from __future__ import annotations

from typing import Any

from .errors import (
    ERROR_CODES,
    AdssAccessControlError,
    AdssAuthenticationError,
    AdssCertificateError,
    AdssError,
    AdssInputError,
    AdssInvalidToken,
    AdssPollTimeout,
    AdssServiceError,
    AdssSignDeclined,
    AdssSignFailed,
    AdssSigningError,
    AdssSignStatusError,
    AdssSignTimeout,
    ErrorCode,
    ErrorFamily,
    error_class,
    error_for,
)
from .password_policy import SPECIAL_CHARACTERS, PasswordPolicy
from .poll import Poll, PollState, Signed, SignStatusPoller, raise_for_sign_status
from .requests import (
    BASE_PATH,
    GRANT_TYPES,
    V2_PATH,
    build_about_request,
    build_active_directory_request,
    build_add_certificates_request,
    build_advance_settings_request,
    build_auth_profiles_request,
    build_authenticate_request,
    build_change_email_request,
    build_change_password_request,
    build_client_credentials_request,
    build_confirm_change_email_request,
    build_confirm_reset_password_request,
    build_delete_certificate_request,
    build_delete_user_request,
    build_get_certificates_request,
    build_get_user_request,
    build_list_certificates_request,
    build_password_grant_request,
    build_password_policy_request,
    build_refresh_token_request,
    build_register_user_request,
    build_resend_change_email_request,
    build_reset_password_noauth_request,
    build_reset_password_request,
    build_revoke_tokens_request,
    build_sso_request,
    build_status_request,
    build_update_certificate_request,
    build_update_certificates_request,
    build_update_user_request,
    build_user_count_request,
    build_users_request,
)
from .responses import (
    parse_about_response,
    parse_advance_settings_response,
    parse_auth_profiles_response,
    parse_certificates_response,
    parse_empty_response,
    parse_password_policy_response,
    parse_revoke_tokens_response,
    parse_sso_response,
    parse_status_response,
    parse_token_response,
    parse_user_count_response,
    parse_user_response,
    parse_users_response,
)
from .server import (
    SIGN_REQUEST_PATH,
    SIGN_STATUS_PATH,
    EmbeddedSigner,
    SignRequestIn,
    SignStatusIn,
    build_error_response,
    build_sign_response,
    build_sign_status_response,
    http_status_for,
    parse_sign_request,
    parse_sign_status_request,
    sign_hashes,
)
from .signing import (
    MAX_DOCUMENTS,
    DocumentVerification,
    SignResponseReport,
    SignResult,
    SignStatus,
    build_sign_request,
    build_sign_status_request,
    parse_sign_response,
    parse_sign_status,
    validate_sign_response,
    verify_sign_response,
)
from .values import (
    About,
    AdvanceSettings,
    AuthProfile,
    AuthProfiles,
    ServiceStatus,
    Token,
    User,
    UserCertificate,
    UserPage,
    UserStatus,
)

__all__ = [
    # errors
    "ERROR_CODES",
    "ErrorCode",
    "ErrorFamily",
    "AdssError",
    "AdssServiceError",
    "AdssAuthenticationError",
    "AdssInvalidToken",
    "AdssInputError",
    "AdssCertificateError",
    "AdssSigningError",
    "AdssAccessControlError",
    "AdssSignStatusError",
    "AdssSignTimeout",
    "AdssSignDeclined",
    "AdssSignFailed",
    "AdssPollTimeout",
    "error_for",
    "error_class",
    # values
    "Token",
    "User",
    "UserStatus",
    "UserPage",
    "UserCertificate",
    "AuthProfile",
    "AuthProfiles",
    "ServiceStatus",
    "About",
    "AdvanceSettings",
    "PasswordPolicy",
    "SPECIAL_CHARACTERS",
    # requests
    "BASE_PATH",
    "V2_PATH",
    "GRANT_TYPES",
    "build_authenticate_request",
    "build_password_grant_request",
    "build_client_credentials_request",
    "build_refresh_token_request",
    "build_active_directory_request",
    "build_sso_request",
    "build_revoke_tokens_request",
    "build_auth_profiles_request",
    "build_status_request",
    "build_about_request",
    "build_password_policy_request",
    "build_advance_settings_request",
    "build_register_user_request",
    "build_update_user_request",
    "build_get_user_request",
    "build_delete_user_request",
    "build_user_count_request",
    "build_users_request",
    "build_change_password_request",
    "build_reset_password_noauth_request",
    "build_reset_password_request",
    "build_confirm_reset_password_request",
    "build_change_email_request",
    "build_resend_change_email_request",
    "build_confirm_change_email_request",
    "build_add_certificates_request",
    "build_delete_certificate_request",
    "build_update_certificate_request",
    "build_update_certificates_request",
    "build_list_certificates_request",
    "build_get_certificates_request",
    # responses
    "parse_token_response",
    "parse_sso_response",
    "parse_empty_response",
    "parse_revoke_tokens_response",
    "parse_auth_profiles_response",
    "parse_status_response",
    "parse_about_response",
    "parse_password_policy_response",
    "parse_advance_settings_response",
    "parse_user_response",
    "parse_user_count_response",
    "parse_users_response",
    "parse_certificates_response",
    # signing
    "MAX_DOCUMENTS",
    "SignStatus",
    "SignResult",
    "DocumentVerification",
    "SignResponseReport",
    "build_sign_request",
    "build_sign_status_request",
    "parse_sign_response",
    "parse_sign_status",
    "validate_sign_response",
    "verify_sign_response",
    # PENDING -> final status
    "SignStatusPoller",
    "Poll",
    "Signed",
    "PollState",
    "raise_for_sign_status",
    # server half
    "SIGN_REQUEST_PATH",
    "SIGN_STATUS_PATH",
    "SignRequestIn",
    "SignStatusIn",
    "EmbeddedSigner",
    "parse_sign_request",
    "parse_sign_status_request",
    "sign_hashes",
    "build_sign_response",
    "build_sign_status_response",
    "build_error_response",
    "http_status_for",
    # documents in, verified CMS out (loaded on first use: it imports the CMS block)
    "sign_documents",
    "finish_documents",
    "SigningPending",
]

_DOCUMENTS = {"sign_documents", "finish_documents", "SigningPending"}


def __getattr__(name: str) -> Any:
    if name in _DOCUMENTS:
        from . import documents

        return getattr(documents, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
