"""Cloud Signature Consortium API (v1.0.4 and v2.0), sans-I/O.

Build requests (:func:`build_sign_hash_request`, :func:`build_credentials_info_request`,
:func:`build_credentials_list_request`, :func:`build_sign_polling_request`,
:func:`build_authorize_request`, :func:`build_extend_transaction_request`,
:func:`build_send_otp_request`, :func:`build_info_request`, :func:`build_login_request`), parse
answers (:func:`parse_sign_hash_response`, :func:`parse_credential_info`,
:func:`parse_credentials_list`, :func:`parse_authorize_response` -> :class:`Sad`,
:func:`parse_info_response`, :func:`parse_login_response`, :func:`parse_send_otp_response`),
sign documents into verified CMS files in one step (:func:`sign_documents`, through a caller's
HTTP callable; opt in to its own ``credentials/authorize`` calls with :class:`Authorize`), and check
a signHash answer offline (:func:`validate_sign_hash_response` returns the report;
:func:`verify_sign_hash_response` raises :class:`~cryptokit.errors.VerificationFailed` unless it
passed). Errors are
:class:`CscError` subclasses (a :class:`~cryptokit.errors.VendorError` with ``vendor == "csc"``).
The server half is :mod:`.server` (:class:`EmbeddedCscSigner` and the functions it is built from).
"""

from __future__ import annotations

from typing import Any

from . import errors, requests, responses, server
from .errors import *  # noqa: F403
from .requests import *  # noqa: F403
from .responses import *  # noqa: F403
from .server import *  # noqa: F403

# The verifier imports the chain layer, sign_documents the CMS block; loaded on first use of their names.
_VERIFY = ("validate_sign_hash_response", "verify_sign_hash_response", "SignHashReport", "HashVerification")
_DOCUMENTS = ("sign_documents", "SigningPending", "DocumentOptions", "Authorize")

__all__ = [*errors.__all__, *requests.__all__, *responses.__all__, *server.__all__, *_VERIFY, *_DOCUMENTS]


def __getattr__(name: str) -> Any:
    if name in _VERIFY:
        from . import verify

        return getattr(verify, name)
    if name in _DOCUMENTS:
        from . import documents

        return getattr(documents, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
