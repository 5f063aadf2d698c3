"""Response parsers for the ADSS CSP API, signing answers included (checked offline in :mod:`.verify`).

Every ``parse_*(status, body)`` returns a typed value for a successful answer, raises the
:class:`~.errors.AdssError` subclass of the code for an error answer ``{error, error_description}``
(any HTTP status), a plain ``AdssError`` for a non-2xx answer without an ADSS error object, and
:class:`~cryptokit.errors.InputError` for a 2xx body that is not the documented shape.
Where the guide's samples and its tables spell a field differently, both spellings are accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ...encoding import b64decode
from ...errors import InputError
from . import _wire
from .password_policy import PasswordPolicy
from .values import (
    MAX_DOCUMENTS,
    MAX_EXPIRES_IN,
    About,
    AdvanceSettings,
    AuthProfile,
    AuthProfiles,
    ServiceStatus,
    SignResult,
    SignStatus,
    Token,
    User,
    UserCertificate,
    UserPage,
)

__all__ = [
    "Body",
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
    "parse_sign_response",
    "parse_sign_status",
]

Body = bytes | bytearray | memoryview | str | None


def parse_token_response(status: int, body: Body, *, now: dt.datetime | None = None) -> Token:
    """The OAuth token answer of ``/authenticate`` (any grant) and ``/authenticate/sso``.

    ``expires_at`` is ``now`` (the time the answer arrived; default the current UTC time, an aware
    datetime when given) plus ``expires_in``; an ``expires_in`` over :data:`~.values.MAX_EXPIRES_IN`
    is an InputError.
    """
    data = _wire.decode(status, body)
    where = "token_response"
    token_type = _wire.get_str(data, "token_type", where, required=False) or "Bearer"
    if token_type.lower() != "bearer":
        raise InputError(f"{where}.token_type", "must be Bearer")
    expires = _wire.get_int(data, "expires_in", where) if "expires_in" in data else None
    if expires is not None and expires > MAX_EXPIRES_IN:
        raise InputError(f"{where}.expires_in", f"is over {MAX_EXPIRES_IN} seconds")
    access = _wire.get_str(data, "access_token", where)
    if not access:
        raise InputError(f"{where}.access_token", "is empty")
    refresh = _wire.opt_str(data, "refresh_token", where)
    return Token.issued(access, expires_in=expires, refresh_token=refresh, now=now)


parse_sso_response = parse_token_response


def parse_empty_response(status: int, body: Body) -> None:
    """Answers without data: update/delete user, password and e-mail changes, certificate changes,
    register (201 ``Created``), revoke tokens."""
    _wire.decode_empty(status, body)


parse_revoke_tokens_response = parse_empty_response


def parse_auth_profiles_response(status: int, body: Body) -> AuthProfiles:
    """``GET /v2/profiles/auth``: ``default_authentication_profile`` and ``allowed_authentication_profile``."""
    data = _wire.decode(status, body)
    where = "auth_profiles"
    default_raw = data.get("default_authentication_profile", data.get("default_authentication"))
    allowed_key = (
        "allowed_authentication_profile" if "allowed_authentication_profile" in data else "allowed_authentication"
    )
    allowed_raw = _wire.get_list(data, allowed_key, where, max_items=1000) if allowed_key in data else []
    if default_raw is None and allowed_key not in data:
        raise InputError(where, "has neither default_authentication_profile nor allowed_authentication_profile")
    default = (
        None if default_raw is None else AuthProfile.from_dict(default_raw, f"{where}.default_authentication_profile")
    )
    allowed = tuple(AuthProfile.from_dict(p, f"{where}.{allowed_key}[{i}]") for i, p in enumerate(allowed_raw))
    return AuthProfiles(default, allowed)


def parse_status_response(status: int, body: Body) -> ServiceStatus:
    """``GET /adss/service/csp``: ``{message: "Success", message_description}``."""
    data = _wire.decode(status, body)
    return ServiceStatus(
        _wire.get_str(data, "message", "status_response"),
        _wire.opt_str(data, "message_description", "status_response"),
    )


def parse_about_response(status: int, body: Body) -> About:
    """``GET /v2/about``: version and build number."""
    data = _wire.decode(status, body)
    return About(_wire.get_str(data, "version", "about"), _wire.get_str(data, "build_number", "about"))


def parse_password_policy_response(status: int, body: Body) -> PasswordPolicy:
    """``POST /v2/users/password/policy``."""
    return PasswordPolicy.from_response(status, body)


def parse_advance_settings_response(status: int, body: Body) -> AdvanceSettings:
    """``GET /v2/advancesettings`` (the sample's ``user_auth_retrie_limit`` spelling accepted)."""
    data = _wire.decode(status, body)
    where = "advance_settings"
    return AdvanceSettings(
        otp_expiry_time=_wire.get_int(data, "otp_expiry_time", where),
        otp_length=_wire.get_int(data, "otp_length", where, minimum=1),
        user_auth_retries_limit=_wire.get_int(
            data, "user_auth_retries_limit", where, aliases=("user_auth_retrie_limit",)
        ),
        user_block_period=_wire.get_int(data, "user_block_period", where),
    )


def parse_user_response(status: int, body: Body) -> User:
    """``GET /v2/users/{user_id}``."""
    return User.from_dict(_wire.decode(status, body), "user")


def parse_user_count_response(status: int, body: Body) -> int:
    """``GET /v2/users/count``: ``{"user_count": "99"}`` (string or number)."""
    return _wire.get_int(_wire.decode(status, body), "user_count", "user_count_response")


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if headers is None:
        return None
    if not isinstance(headers, Mapping):
        raise InputError("headers", "must be a mapping of header names to values")
    lowered = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == lowered:
            return value
    return None


def parse_users_response(status: int, body: Body, *, headers: Mapping[str, str] | None = None) -> UserPage:
    """``GET /v2/users[/{start}/{size}]``; pass the answer's ``headers`` to read ``x-total-records``."""
    data = _wire.decode(status, body)
    users = tuple(
        User.from_dict(u, f"users[{i}]") for i, u in enumerate(_wire.get_list(data, "users", "users_response"))
    )
    total_text = _header(headers, "x-total-records")
    total = None
    if total_text is not None:
        total = _wire.get_int({"x-total-records": total_text}, "x-total-records", "headers")
    return UserPage(users, total)


def parse_certificates_response(status: int, body: Body) -> tuple[UserCertificate, ...]:
    """``GET /v2/users/certs`` and ``GET /v2/users/certs/{user_id}``: the certificate entries.

    ``certificate`` and ``certificate_chain`` stay base64 text (checked strictly); load them with
    :meth:`UserCertificate.certificates` / :meth:`UserCertificate.chain`.
    """
    data = _wire.decode(status, body)
    entries = _wire.get_list(data, "certificates", "certificates_response", max_items=1000)
    return tuple(UserCertificate.from_dict(e, f"certificates[{i}]") for i, e in enumerate(entries))


# --------------------------------------------------------------------------- signing

#: Longest ``signature_base64`` accepted (base64 of an RSA-16384 signature is 2,732 characters).
MAX_SIGNATURE_B64 = 8192





def _parse(status: int, body: Any, where: str, *, need_request_id: bool) -> SignResult:
    data = _wire.decode(status, body)
    text = _wire.get_str(data, "status", where)
    try:
        sign_status = SignStatus(text.strip().upper())
    except ValueError:
        raise InputError(f"{where}.status", "must be PENDING, TIMEOUT, DECLINED, FAILED or SUCCESS") from None
    request_id = _wire.opt_str(data, "request_id", where, aliases=("requestId",))
    if request_id is not None and (not request_id or len(request_id) > 256):
        raise InputError(f"{where}.request_id", "must be 1..256 characters")
    if need_request_id and sign_status is SignStatus.PENDING and request_id is None:
        raise InputError(f"{where}.request_id", "is missing in a PENDING answer (nothing to poll)")
    signatures: list[bytes] = []
    if data.get("signatures") is not None:
        for index, entry in enumerate(_wire.get_list(data, "signatures", where, max_items=MAX_DOCUMENTS)):
            field = f"{where}.signatures[{index}].signature_base64"
            obj = _wire.get_obj(entry, f"{where}.signatures[{index}]")
            value = _wire.get_str(obj, "signature_base64", f"{where}.signatures[{index}]")
            raw = b64decode(value, field=field, max_size=MAX_SIGNATURE_B64)
            if not raw:
                raise InputError(field, "is empty")
            signatures.append(raw)
    if signatures and sign_status is not SignStatus.SUCCESS:
        raise InputError(f"{where}.signatures", f"present although the status is {sign_status.value}")
    return SignResult(sign_status, request_id, tuple(signatures))


def parse_sign_response(status: int, body: bytes | bytearray | memoryview | str | None) -> SignResult:
    """The answer of ``/v2/sign/request`` (raises the ADSS error of an error answer)."""
    return _parse(status, body, "sign_response", need_request_id=True)


def parse_sign_status(status: int, body: bytes | bytearray | memoryview | str | None) -> SignResult:
    """The answer of ``/v2/sign/status`` (raises the ADSS error of an error answer)."""
    return _parse(status, body, "sign_status", need_request_id=False)
