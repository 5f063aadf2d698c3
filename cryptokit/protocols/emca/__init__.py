"""eMudhra emCA, sans-I/O: both halves of the certificate API's cryptography.

``from cryptokit.protocols import emca`` then ``emca.Validity``, ``emca.parse_valid_from``,
``emca.parse_request_ids``, ``emca.auth_key``, the createX509CertificatesByIdWithMultipleCsrData
client (:func:`build_create_certificates_request`, :func:`parse_create_certificates_response`) and
server (:func:`open_create_certificates_request`, :func:`issue_certificates`, :func:`build_response`).
See ``docs/protocols.md`` section 1 for what the vendor documents and what cryptokit chose.
"""

from __future__ import annotations

from .auth import (
    EMKEY_HEADER,
    AuthKeyVerifier,
    InMemoryReplayStore,
    ReplayStore,
    auth_headers,
    auth_key,
    check_emkey,
    check_emkey_format,
    check_static_emkey,
    format_ts,
    issue_emkey,
    parse_ts,
)
from .client import (
    METHOD_CREATE_CERTIFICATES,
    CreateCertificatesRequest,
    CreateCertificatesResult,
    EmcaAuth,
    IssuedCertificate,
    RequestedCsr,
    build_create_certificates_request,
    build_request,
    parse_create_certificates_response,
    parse_response,
)
from .errors import (
    ERROR_CLASSES,
    EmcaError,
    InternalServerError,
    InvalidData,
    InvalidFromDate,
    InvalidInputData,
    InvalidParameter,
    InvalidRequestDetails,
    InvalidValidity,
    ProfileDoesNotExist,
    SignatureVerificationFailed,
    error_from_text,
    error_text,
)
from .framing import (
    DEFAULT_FRAMING,
    CsrFraming,
    JoinedCsrFraming,
    PerCsrFraming,
    Pkcs12Content,
    format_pkcs12_content,
    frame_csrs,
    open_content,
    parse_pkcs12_content,
    sign_content,
    unframe_csrs,
)
from .server import (
    ClientRegistry,
    InMemoryRegistry,
    OpenedCreateCertificatesRequest,
    OpenedRequest,
    RegisteredClient,
    build_pending_response,
    build_response,
    handle_create_certificates,
    issue_certificates,
    open_create_certificates_request,
    open_request,
)
from .strings import (
    Validity,
    format_request_ids,
    format_valid_from,
    parse_request_ids,
    parse_valid_from,
)

__all__ = [
    # strings
    "Validity",
    "parse_valid_from",
    "format_valid_from",
    "parse_request_ids",
    "format_request_ids",
    # auth
    "auth_key",
    "auth_headers",
    "format_ts",
    "parse_ts",
    "AuthKeyVerifier",
    "ReplayStore",
    "InMemoryReplayStore",
    "EMKEY_HEADER",
    "check_emkey_format",
    "check_static_emkey",
    "issue_emkey",
    "check_emkey",
    # client
    "METHOD_CREATE_CERTIFICATES",
    "EmcaAuth",
    "RequestedCsr",
    "CreateCertificatesRequest",
    "CreateCertificatesResult",
    "IssuedCertificate",
    "build_request",
    "build_create_certificates_request",
    "parse_response",
    "parse_create_certificates_response",
    # server
    "RegisteredClient",
    "ClientRegistry",
    "InMemoryRegistry",
    "OpenedRequest",
    "OpenedCreateCertificatesRequest",
    "open_request",
    "open_create_certificates_request",
    "issue_certificates",
    "build_response",
    "build_pending_response",
    "handle_create_certificates",
    # errors
    "EmcaError",
    "ProfileDoesNotExist",
    "InvalidData",
    "SignatureVerificationFailed",
    "InvalidValidity",
    "InvalidFromDate",
    "InvalidParameter",
    "InvalidInputData",
    "InvalidRequestDetails",
    "InternalServerError",
    "ERROR_CLASSES",
    "error_from_text",
    "error_text",
    # framing
    "CsrFraming",
    "JoinedCsrFraming",
    "PerCsrFraming",
    "DEFAULT_FRAMING",
    "frame_csrs",
    "unframe_csrs",
    "sign_content",
    "open_content",
    "Pkcs12Content",
    "format_pkcs12_content",
    "parse_pkcs12_content",
]
