"""Signer.Digital "Kluis" cloud signing: key-authorization OTP, sans-I/O.

:func:`build_gen_key_auth_otp_request` and :func:`build_set_key_auth_otp_request` build the two
calls, :func:`parse_response` reads their ``RespErrPl`` answers, and :class:`KeyAuthFlow` drives
the documented recovery when a Sign call answers OA03A, OA03B or OA04
(:class:`~cryptokit.errors.KeyAuthOtpRequired`).
"""

from __future__ import annotations

from .errors import KEY_AUTH_OTP_CODES, SignerDigitalError, SignerDigitalKeyAuthOtpRequired
from .flow import AwaitingOtp, Completed, Failed, FlowState, KeyAuthFlow
from .requests import (
    BASE_PATH,
    CSC_ID_HEADER,
    PASSWORD_HEADER,
    build_gen_key_auth_otp_request,
    build_set_key_auth_otp_request,
)
from .responses import RespErrPl, key_auth_otp_code, parse_response, raise_for_sign_answer

__all__ = [
    "BASE_PATH",
    "CSC_ID_HEADER",
    "PASSWORD_HEADER",
    "KEY_AUTH_OTP_CODES",
    "build_gen_key_auth_otp_request",
    "build_set_key_auth_otp_request",
    "parse_response",
    "raise_for_sign_answer",
    "key_auth_otp_code",
    "RespErrPl",
    "SignerDigitalError",
    "SignerDigitalKeyAuthOtpRequired",
    "KeyAuthFlow",
    "FlowState",
    "AwaitingOtp",
    "Completed",
    "Failed",
]
