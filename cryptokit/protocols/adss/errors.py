"""ADSS error answers: the code table of the CSP guide (section 8) as data, and one class per family.

An ADSS error answer is ``{"error": "60045", "error_description": "..."}``. :func:`error_for` turns
it into an :class:`AdssError` subclass chosen by the code's family, so a caller can write
``except AdssAuthenticationError`` (re-authenticate) apart from ``except AdssInputError`` (fix the
request). Codes the table does not list become a plain :class:`AdssError` that keeps the code.

The family of each code is cryptokit's reading of the vendor text; the vendor assigns none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from ...errors import VendorError

__all__ = [
    "VENDOR",
    "ErrorFamily",
    "ErrorCode",
    "ERROR_CODES",
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
]

VENDOR = "adss"


class AdssError(VendorError):
    """An error answer from ADSS; ``code`` is the vendor's 5-digit code as text (or None)."""

    family: ErrorFamily | None = None

    def __init__(self, code: str | None, message: str, http_status: int | None = None) -> None:
        super().__init__(VENDOR, code, message, http_status)


class AdssServiceError(AdssError):
    """The service cannot serve at all: internal error, stopped, licence, database, configuration."""


class AdssAuthenticationError(AdssError):
    """The caller or user is not who it claims, or its token/OTP is wrong, expired or blocked:
    authenticate again (or ask the user) before retrying."""


class AdssInvalidToken(AdssAuthenticationError):
    """60045 "Invalid or expired token": the access token is no longer accepted. Refresh it
    (:func:`~cryptokit.protocols.adss.build_refresh_token_request` takes the :class:`~.values.Token`)
    or authenticate again, then retry the call unchanged. Also an :class:`AdssAuthenticationError`."""


class AdssInputError(AdssError):
    """The request is missing a parameter or has an invalid one (including password-policy
    violations 60032..60034): fix the request; retrying it unchanged fails again."""


class AdssCertificateError(AdssError):
    """A user certificate or chain is invalid, unknown or already registered."""


class AdssSigningError(AdssError):
    """The data to sign is missing or does not fit its hash algorithm (60055), or signing was declined."""


class AdssSignStatusError(AdssSigningError):
    """A sign request ended without signatures: the final ``status`` (TIMEOUT, DECLINED or FAILED)
    of ``request_id``. Not an error answer (``code`` is None): the service answered 200 with that
    status, to ``/v2/sign/request`` or to a ``/v2/sign/status`` poll."""

    def __init__(self, status: str, request_id: str | None, message: str | None = None) -> None:
        self.status = status
        self.request_id = request_id
        rid = f" {request_id!r}" if request_id else ""
        super().__init__(None, message or f"the sign request{rid} ended {status}: no signatures", None)


class AdssSignTimeout(AdssSignStatusError):
    """Status TIMEOUT: the user did not authorise the request in time. Send a new sign request."""


class AdssSignDeclined(AdssSignStatusError):
    """Status DECLINED: the user refused to authorise the request."""


class AdssSignFailed(AdssSignStatusError):
    """Status FAILED: the service could not sign (see its logs)."""


class AdssPollTimeout(AdssSignTimeout):
    """The poller's own deadline (or its poll limit) passed while the request was still PENDING.
    The service may still complete it: a new poller for the same ``request_id`` can look again."""


class AdssAccessControlError(AdssError):
    """The client (TLS certificate, client ID, secret) or its profile is not allowed this service."""


class ErrorFamily(StrEnum):
    SERVICE = "service"
    AUTHENTICATION = "authentication"
    INPUT = "input"
    CERTIFICATE = "certificate"
    SIGNING = "signing"
    ACCESS_CONTROL = "access_control"


_CLASS_OF: dict[ErrorFamily, type[AdssError]] = {
    ErrorFamily.SERVICE: AdssServiceError,
    ErrorFamily.AUTHENTICATION: AdssAuthenticationError,
    ErrorFamily.INPUT: AdssInputError,
    ErrorFamily.CERTIFICATE: AdssCertificateError,
    ErrorFamily.SIGNING: AdssSigningError,
    ErrorFamily.ACCESS_CONTROL: AdssAccessControlError,
}
for _family, _cls in _CLASS_OF.items():
    _cls.family = _family


# Codes with a class of their own (a subclass of their family's class).
_CODE_CLASS: dict[str, type[AdssError]] = {"60045": AdssInvalidToken}


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One row of the vendor table: ``code``, the vendor's ``description`` and cryptokit's ``family``."""

    code: str
    description: str
    family: ErrorFamily

    @property
    def error_class(self) -> type[AdssError]:
        return _CODE_CLASS.get(self.code, _CLASS_OF[self.family])


_S = ErrorFamily.SERVICE
_A = ErrorFamily.AUTHENTICATION
_I = ErrorFamily.INPUT
_C = ErrorFamily.CERTIFICATE
_G = ErrorFamily.SIGNING
_X = ErrorFamily.ACCESS_CONTROL
_F = "Failed to process request - "
_T = "Failed to authenticate client - "
_Z = "Failed to authorise client - "

# Section 8 of the ADSS CSP Developers Guide 7.0.2, text as published (typos included).
_TABLE: tuple[tuple[str, ErrorFamily, str], ...] = (
    (
        "60001",
        _S,
        "An internal error occurred while processing the request - see the CSP service debug logs for details",
    ),
    ("60002", _S, _F + "CSP service is stopped"),
    ("60003", _S, _F + "CSP service not enabled in license"),
    ("60004", _S, _F + "CSP service license has expired"),
    ("60005", _S, _F + "CSP service not enabled in system"),
    ("60006", _A, _F + "Registered User is not found"),
    ("60007", _I, _F + "Client secret is missing in request"),
    ("60008", _A, _F + "User ID or password is not valid"),
    ("60009", _A, _F + "User is not active"),
    ("60010", _I, _F + "Client ID is missing in request"),
    ("60011", _I, _F + "User ID is missing in request"),
    ("60012", _I, _F + "User password is missing in request"),
    ("60013", _I, _F + "User email is not valid"),
    ("60014", _I, _F + "User new password is missing in request"),
    ("60015", _I, _F + "Request ID is missing in request"),
    ("60016", _A, _F + "OTP is not valid"),
    ("60017", _I, _F + "Email OTP is missing in request"),
    ("60018", _I, _F + "Email address is missing in request"),
    ("60019", _X, _F + "CSP Profile does not exist"),
    ("60020", _I, _F + "CSP Profile ID is missing in request"),
    ("60021", _C, _F + "User certificate is not valid"),
    ("60022", _I, _F + "Certificate alias is missing in request"),
    ("60023", _I, _F + "Certificate auth_pass is missing in request"),
    ("60024", _I, _F + "Certificate is missing in the request"),
    ("60025", _I, _F + "Certificate list is empty"),
    ("60026", _I, _F + "OTP for Password Change is missing in request"),
    ("60027", _I, _F + "Profile ID is missing in the request"),
    ("60028", _I, _F + "User is already registered"),
    ("60029", _A, _F + "User is blocked"),
    ("60030", _C, _F + "Certificate is not found"),
    ("60031", _I, _F + "Status is not valid"),
    ("60032", _I, _F + "Password is less than minimum password length"),
    ("60033", _I, _F + "Password must contains digits and special characters"),
    ("60034", _I, _F + "Password must contains upper and lower case letters"),
    ("60035", _I, _F + "Fetch size should be greater than 0"),
    ("60036", _I, _F + "Start pointer should not be negative"),
    ("60037", _C, _F + "Certificate entry does not exist"),
    ("60038", _C, _F + "Certificate entry already exists"),
    ("60039", _I, _F + "Invalid User ID"),
    ("60040", _C, _F + "Invalid Certificate chain"),
    ("60041", _C, _F + "Invalid Certificate chain"),
    ("60042", _S, _F + "HMAC Key not configured in CSP service manager"),
    (
        "60043",
        _I,
        _F + "The request is missing a required parameter, includes an invalid parameter value, includes a "
        "parameter more than once, or is otherwise malformed",
    ),
    ("60044", _A, _F + "Authentication type mismatch with profile's authentication"),
    ("60045", _A, _F + "Invalid or expired token"),
    ("60046", _I, _F + "Existing email mismatch"),
    ("60047", _I, _F + "Refresh token is missing"),
    ("60048", _G, _F + "Hashing algo is missing"),
    ("60049", _G, _F + "Data to be signed is missing"),
    ("60050", _I, _F + "Authentication profile is missing"),
    ("60051", _I, _F + "Single Sign On token is missing"),
    ("60052", _I, _F + "Authentication method is missing"),
    ("60053", _X, _F + "Authentication profile is not allowed to client"),
    ("60054", _A, _F + "Invalid grant type"),
    ("60055", _G, _F + "Invalid hash algorithm or data"),
    ("60056", _I, _F + "Invalid method type"),
    # Errors related to the access control
    ("86000", _X, _T + "TLS client authentication certificate has expired"),
    ("86001", _X, _T + "TLS certificate CN does not match with client ID"),
    ("86002", _X, _T + "TLS client certificate is revoked"),
    ("86003", _X, _T + "revocation status for TLS client certificate is unknown"),
    ("86004", _X, _T + "client ID does not match with the client identified by TLS client certificate"),
    ("86005", _X, _T + "TLS client certificate does not match with the configured client certificate"),
    ("86011", _X, _T + "Client ID does not exist"),
    ("86012", _S, "An error occurred while communicating with database - see the service debug logs for details"),
    ("86015", _X, _T + "Client ID is not found in the request"),
    ("86017", _X, _T + "client is marked inactive"),
    ("86018", _X, _Z + "service is not allowed to this client."),
    ("86019", _X, _Z + "service profile does not exist."),
    ("86020", _X, _Z + "service profile is inactive"),
    ("86021", _X, _Z + "profile is not allowed to this client"),
    ("86022", _X, _Z + "default profile not configured and neither found in request"),
    ("86023", _X, _Z + "default profile is inactive"),
    ("86024", _X, "Failed to authorise client \u2013 client secret is invalid"),  # en dash as published
    # Codes other ADSS services answer (not in the CSP guide's section 8): the same families apply.
    ("41091", _A, "Invalid password"),
    ("58062", _G, "Authorization declined"),
)

#: Every known ADSS error code, as data (read-only).
ERROR_CODES: Mapping[str, ErrorCode] = MappingProxyType(
    {code: ErrorCode(code, text, family) for code, family, text in _TABLE}
)


def error_class(code: str | int | None) -> type[AdssError]:
    """The exception class for ``code``: its own class (60045: :class:`AdssInvalidToken`), else its
    family's class, or :class:`AdssError` if unknown."""
    entry = ERROR_CODES.get(str(code).strip()) if code is not None else None
    return entry.error_class if entry is not None else AdssError


def error_for(code: str | int | None, message: str | None = None, http_status: int | None = None) -> AdssError:
    """The exception for an ADSS error answer (not raised: the caller raises it).

    An empty ``message`` is replaced by the table's description of the code.
    """
    text = None if code is None else str(code).strip() or None
    entry = ERROR_CODES.get(text) if text is not None else None
    msg = message or (entry.description if entry is not None else "error answer without a description")
    return error_class(text)(text, msg, http_status)
