"""Signer.Digital (Kluis) error answers: ``RespErrPl`` with ``Status_cd`` "0".

``OA03A``, ``OA03B`` and ``OA04`` mean "key use needs OTP authorization" and raise
:class:`SignerDigitalKeyAuthOtpRequired`, which is both a :class:`~cryptokit.errors.KeyAuthOtpRequired`
and a :class:`SignerDigitalError`. Every other code raises :class:`SignerDigitalError`.
"""

from __future__ import annotations

from ...errors import FlowMisuse, KeyAuthOtpRequired, VendorError

__all__ = [
    "SignerDigitalError",
    "SignerDigitalKeyAuthOtpRequired",
    "KeyAuthFlowMisuse",
    "KEY_AUTH_OTP_CODES",
    "error_for",
]

VENDOR = "signer_digital"
#: Error codes that ask for GenKeyAuthOTP + SetKeyAuthOTP before the Sign call is retried.
KEY_AUTH_OTP_CODES = frozenset({"OA03A", "OA03B", "OA04"})


class SignerDigitalError(VendorError):
    """A Signer.Digital answer with ``Status_cd`` "0" (or an HTTP error without a RespErrPl body)."""

    def __init__(self, code: str | None, message: str, http_status: int | None = None) -> None:
        super().__init__(VENDOR, code, message, http_status)


class SignerDigitalKeyAuthOtpRequired(KeyAuthOtpRequired, SignerDigitalError):
    """OA03A / OA03B / OA04: generate and submit a key-authorization OTP, then retry the Sign call."""

    def __init__(self, code: str | None, message: str, http_status: int | None = None) -> None:
        SignerDigitalError.__init__(self, code, message, http_status)


def error_for(code: str | None, message: str, http_status: int | None) -> SignerDigitalError:
    """The typed error for an ``Error_cd`` (a code that is not text is kept as its repr)."""
    if code is not None and not isinstance(code, str):
        code = repr(code)[:64]
    if code is not None and code.strip().upper() in KEY_AUTH_OTP_CODES:
        return SignerDigitalKeyAuthOtpRequired(code, message, http_status)
    return SignerDigitalError(code, message, http_status)


class KeyAuthFlowMisuse(FlowMisuse):
    """:class:`~cryptokit.protocols.signer_digital.KeyAuthFlow` was called out of order (a
    :class:`~cryptokit.errors.FlowMisuse`, hence an InputError with field "flow")."""
