"""Request builders for every ADSS CSP (v2) endpoint, signing included (answers are checked in :mod:`.verify`).

Each builder returns a :class:`~cryptokit.protocols.HttpRequest` whose path is relative to the
server's base URL (``https://server:8779``). Authenticated calls take ``token`` (the access token
text or a :class:`~.values.Token`) and send ``Authorization: Bearer ...``; every call takes the
optional ``accept_language`` and, where the guide lists it, ``app_name`` (the ``App-Name`` header a
CSP proxy sets). JSON bodies are compact UTF-8 with fields in the guide's order; form bodies are
``application/x-www-form-urlencoded``. Builders check what can be checked locally (required
fields, the user-list bounds of 60035/60036, an empty certificate list 60025, a password policy if
given) and raise :class:`~cryptokit.errors.InputError` naming the field, never its secret value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from ...algorithms import HashAlgorithm, hash_algorithm
from ...encoding import b64encode
from ...errors import InputError
from ...hashing import HashToSign
from .. import HttpRequest
from . import _wire
from .password_policy import PasswordPolicy
from .values import MAX_DOCUMENTS, Token, UserCertificate, UserStatus

__all__ = [
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
    "bearer_headers",
    "build_sign_request",
    "build_sign_status_request",
]

BASE_PATH = "/adss/service/csp"
V2_PATH = BASE_PATH + "/v2"
GRANT_TYPES = ("password", "client_credentials", "refresh_token", "active_directory")

JSON = "application/json; charset=utf-8"
FORM = "application/x-www-form-urlencoded"

# RFC 6750 b64token: also keeps CR/LF and spaces (header injection) out of the Authorization header.
_B64TOKEN = re.compile(r"\A[A-Za-z0-9\-._~+/]+=*\Z")
_LANGUAGE = re.compile(r"\A[A-Za-z0-9\-,;=.* ]{1,128}\Z")
# Fixed paths under /v2/users/ that a user ID must not shadow (GET /v2/users/count is not a user).
_RESERVED_USER_IDS = frozenset({"count", "register", "password", "email", "certs"})

TokenArg = str | Token


def _token_text(token: object) -> str:
    text = token.access_token if isinstance(token, Token) else token
    if not isinstance(text, str):
        raise InputError("token", "must be the access token text or a Token")
    if len(text) > 16 * 1024 or not _B64TOKEN.match(text):
        raise InputError("token", "is not an RFC 6750 bearer token (b64token characters only)")
    return text


def bearer_headers(
    token: TokenArg | None,
    *,
    content_type: str | None = None,
    accept_language: str | None = None,
    app_name: str | None = None,
    authentication_profile_id: str | None = None,
) -> dict[str, str]:
    """The headers of an ADSS call, in the guide's order."""
    headers: dict[str, str] = {}
    if token is not None:
        headers["Authorization"] = "Bearer " + _token_text(token)
    if content_type is not None:
        headers["Content-Type"] = content_type
    headers["Accept"] = "application/json"
    if authentication_profile_id is not None:
        headers["authentication_profile_id"] = _wire.text_arg(
            authentication_profile_id, "authentication_profile_id", max_len=256
        )
    if accept_language is not None:
        if not isinstance(accept_language, str) or not _LANGUAGE.match(accept_language):
            raise InputError("accept_language", "must be a language tag list such as 'en-US'")
        headers["Accept-Language"] = accept_language
    if app_name is not None:
        headers["App-Name"] = _wire.text_arg(app_name, "app_name", max_len=256)
    return headers


def _json_request(
    method: str,
    path: str,
    body: Mapping[str, Any],
    token: TokenArg | None,
    *,
    content_type: str = JSON,
    accept_language: str | None = None,
    app_name: str | None = None,
    authentication_profile_id: str | None = None,
) -> HttpRequest:
    headers = bearer_headers(
        token,
        content_type=content_type,
        accept_language=accept_language,
        app_name=app_name,
        authentication_profile_id=authentication_profile_id,
    )
    return HttpRequest(method, path, {}, headers, _wire.dumps(body))


def _bodyless(
    method: str,
    path: str,
    token: TokenArg | None,
    *,
    query: Mapping[str, str] | None = None,
    accept_language: str | None = None,
    app_name: str | None = None,
) -> HttpRequest:
    headers = bearer_headers(token, accept_language=accept_language, app_name=app_name)
    return HttpRequest(method, path, dict(query or {}), headers, b"")


def _secret(value: object, field: str) -> str:
    """A password/secret/OTP argument: a non-empty str without control characters (never echoed)."""
    return _wire.text_arg(value, field, max_len=4096)


def _user_segment(user_id: object) -> str:
    text = _wire.text_arg(user_id, "user_id", max_len=256)
    if text in _RESERVED_USER_IDS:
        raise InputError("user_id", f"{text!r} would address the fixed endpoint /v2/users/{text}, not a user")
    return _wire.path_segment(text, "user_id")


def _check_password(policy: PasswordPolicy | None, password: str, field: str) -> None:
    if policy is not None:
        policy.require(password, field)


# --------------------------------------------------------------------------- authentication


def build_authenticate_request(
    grant_type: str,
    *,
    client_id: str,
    client_secret: str | None = None,
    username: str | None = None,
    password: str | None = None,
    refresh_token: str | Token | None = None,
    authentication_profile_id: str | None = None,
    accept_language: str | None = None,
    require_client_secret: bool = True,
) -> HttpRequest:
    """``POST /adss/service/csp/authenticate`` (OAuth 2.0 token endpoint, form-encoded).

    The guide (section 3.1) lists grant type, client ID, client secret, user name and password as
    the parameters of an authentication, so every grant needs ``client_secret`` (ADSS error 60007
    otherwise). ``password`` and ``active_directory`` also need ``username`` and ``password``;
    ``refresh_token`` needs ``refresh_token`` (its text or the :class:`Token` that carries it) and
    no user name or password. ``require_client_secret=False`` lets a ``password`` or
    ``active_directory`` grant go without the secret, for a server configured to accept that;
    ``client_credentials`` and ``refresh_token`` always need it.
    """
    if grant_type not in GRANT_TYPES:
        raise InputError("grant_type", f"must be one of {', '.join(GRANT_TYPES)} (ADSS error 60054)")
    if not isinstance(require_client_secret, bool):
        raise InputError("require_client_secret", "must be a bool")
    form: dict[str, str] = {"grant_type": grant_type, "client_id": _wire.text_arg(client_id, "client_id", max_len=256)}
    needs_secret = require_client_secret or grant_type in ("client_credentials", "refresh_token")
    if client_secret is not None:
        form["client_secret"] = _secret(client_secret, "client_secret")
    elif needs_secret:
        hint = "" if grant_type in ("client_credentials", "refresh_token") else "; require_client_secret=False omits it"
        raise InputError("client_secret", f"is required for grant_type {grant_type} (ADSS error 60007{hint})")
    if grant_type in ("password", "active_directory"):
        if username is None:
            raise InputError("username", f"is required for grant_type {grant_type} (ADSS error 60011)")
        if password is None:
            raise InputError("password", f"is required for grant_type {grant_type} (ADSS error 60012)")
        form["username"] = _wire.text_arg(username, "username", max_len=256)
        form["password"] = _secret(password, "password")
    elif username is not None or password is not None:
        raise InputError("username", f"is not sent with grant_type {grant_type}")
    if grant_type == "refresh_token":
        if isinstance(refresh_token, Token):
            if refresh_token.refresh_token is None:
                raise InputError("refresh_token", "the Token carries no refresh_token (ADSS error 60047)")
            refresh_token = refresh_token.refresh_token
        if refresh_token is None:
            raise InputError("refresh_token", "is required for grant_type refresh_token (ADSS error 60047)")
        form["refresh_token"] = _secret(refresh_token, "refresh_token")
    elif refresh_token is not None:
        raise InputError("refresh_token", f"is not sent with grant_type {grant_type}")
    headers = bearer_headers(
        None,
        content_type=FORM,
        accept_language=accept_language,
        authentication_profile_id=authentication_profile_id,
    )
    return HttpRequest("POST", BASE_PATH + "/authenticate", {}, headers, urlencode(form).encode("ascii"))


def build_password_grant_request(
    client_id: str, client_secret: str | None, username: str, password: str, **options: Any
) -> HttpRequest:
    """Authenticate a user with ``grant_type=password`` (``client_secret`` None only with
    ``require_client_secret=False``)."""
    return build_authenticate_request(
        "password", client_id=client_id, client_secret=client_secret, username=username, password=password, **options
    )


def build_client_credentials_request(client_id: str, client_secret: str, **options: Any) -> HttpRequest:
    """Authenticate the business application itself with ``grant_type=client_credentials``."""
    return build_authenticate_request("client_credentials", client_id=client_id, client_secret=client_secret, **options)


def build_refresh_token_request(
    client_id: str, client_secret: str, refresh_token: str | Token, **options: Any
) -> HttpRequest:
    """Exchange a refresh token for a new access and refresh token (``grant_type=refresh_token``).

    ``refresh_token`` is the :class:`Token` to renew (its ``refresh_token`` is sent; InputError when
    it has none) or the refresh token text. The answer (:func:`~.responses.parse_token_response`)
    is a new Token with a new expiry; the one answered 60045 (:class:`~.errors.AdssInvalidToken`) is done.
    """
    return build_authenticate_request(
        "refresh_token", client_id=client_id, client_secret=client_secret, refresh_token=refresh_token, **options
    )


def build_active_directory_request(
    client_id: str, username: str, password: str, *, client_secret: str | None = None, **options: Any
) -> HttpRequest:
    """Authenticate a Microsoft Active Directory user (``grant_type=active_directory``).

    ``client_secret`` is required as for every grant (ADSS error 60007) unless
    ``require_client_secret=False`` is passed.
    """
    return build_authenticate_request(
        "active_directory",
        client_id=client_id,
        client_secret=client_secret,
        username=username,
        password=password,
        **options,
    )


def build_sso_request(
    sso_token: str,
    *,
    token: TokenArg,
    method: str = "AZURE_ACTIVE_DIRECTORY",
    authentication_profile_id: str | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``POST /authenticate/sso``: exchange a third-party token (Azure AD) for an ADSS token."""
    body = {"token": _secret(sso_token, "sso_token"), "method": _wire.text_arg(method, "method", max_len=64)}
    return _json_request(
        "POST",
        BASE_PATH + "/authenticate/sso",
        body,
        token,
        accept_language=accept_language,
        authentication_profile_id=authentication_profile_id,
    )


def build_revoke_tokens_request(
    refresh_token: str,
    *,
    token: TokenArg,
    token_type: str = "refresh_token",  # noqa: S107 - a token type name, not a secret
    accept_language: str | None = None,
) -> HttpRequest:
    """``POST /tokens`` (form-encoded): revoke a user's refresh token."""
    form = {
        "refresh_token": _secret(refresh_token, "refresh_token"),
        "token_type": _wire.text_arg(token_type, "token_type"),
    }
    headers = bearer_headers(token, content_type=FORM, accept_language=accept_language)
    return HttpRequest("POST", BASE_PATH + "/tokens", {}, headers, urlencode(form).encode("ascii"))


def build_auth_profiles_request(
    *, token: TokenArg, app_name: str | None = None, accept_language: str | None = None
) -> HttpRequest:
    """``GET /v2/profiles/auth``: the client's default and allowed authentication profiles."""
    return _bodyless("GET", V2_PATH + "/profiles/auth", token, app_name=app_name, accept_language=accept_language)


# --------------------------------------------------------------------------- general services


def build_status_request(
    *, client_id: str | None = None, profile_id: str | None = None, accept_language: str | None = None
) -> HttpRequest:
    """``GET /adss/service/csp?client_id=..&profile_id=..`` (no token)."""
    query: dict[str, str] = {}
    if client_id is not None:
        query["client_id"] = _wire.text_arg(client_id, "client_id", max_len=256)
    if profile_id is not None:
        query["profile_id"] = _wire.text_arg(profile_id, "profile_id", max_len=256)
    return _bodyless("GET", BASE_PATH, None, query=query, accept_language=accept_language)


def build_about_request(*, token: TokenArg, accept_language: str | None = None) -> HttpRequest:
    """``GET /v2/about``: service version and build number."""
    return _bodyless("GET", V2_PATH + "/about", token, accept_language=accept_language)


def build_password_policy_request(
    profile_id: str, *, token: TokenArg, accept_language: str | None = None
) -> HttpRequest:
    """``POST /v2/users/password/policy`` for a CSP profile."""
    body = {"profile_id": _wire.text_arg(profile_id, "profile_id", max_len=256)}
    return _json_request("POST", V2_PATH + "/users/password/policy", body, token, accept_language=accept_language)


def build_advance_settings_request(
    *, token: TokenArg, app_name: str | None = None, accept_language: str | None = None
) -> HttpRequest:
    """``GET /v2/advancesettings``: OTP expiry and length, retry limit, block period."""
    return _bodyless("GET", V2_PATH + "/advancesettings", token, app_name=app_name, accept_language=accept_language)


# --------------------------------------------------------------------------- users


def build_register_user_request(
    user_id: str,
    email: str,
    *,
    token: TokenArg,
    profile_id: str | None = None,
    user_name: str | None = None,
    user_password: str | None = None,
    policy: PasswordPolicy | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``POST /v2/users/register``. With ``policy``, ``user_password`` is checked locally first."""
    body: dict[str, str] = {"user_id": _wire.text_arg(user_id, "user_id", max_len=256)}
    if user_name is not None:
        body["user_name"] = _wire.text_arg(user_name, "user_name", max_len=256)
    if user_password is not None:
        body["user_password"] = _secret(user_password, "user_password")
        _check_password(policy, user_password, "user_password")
    body["email"] = _wire.text_arg(email, "email", max_len=320)
    if "@" not in email:
        raise InputError("email", "is not an e-mail address (ADSS error 60013)")
    if profile_id is not None:
        body["profile_id"] = _wire.text_arg(profile_id, "profile_id", max_len=256)
    return _json_request("POST", V2_PATH + "/users/register", body, token, accept_language=accept_language)


def build_update_user_request(
    user_id: str,
    *,
    token: TokenArg,
    user_name: str | None = None,
    status: UserStatus | str | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``PUT /v2/users/{user_id}``: change the friendly name and/or the status (ACTIVE, INACTIVE, BLOCKED)."""
    body: dict[str, str] = {}
    if user_name is not None:
        body["user_name"] = _wire.text_arg(user_name, "user_name", max_len=256)
    if status is not None:
        if status not in UserStatus.__members__.values():
            raise InputError("status", "must be ACTIVE, INACTIVE or BLOCKED (ADSS error 60031)")
        body["status"] = str(UserStatus(status))
    if not body:
        raise InputError("user_name", "user_name or status must be given")
    path = f"{V2_PATH}/users/{_user_segment(user_id)}"
    return _json_request("PUT", path, body, token, accept_language=accept_language)


def build_get_user_request(user_id: str, *, token: TokenArg, accept_language: str | None = None) -> HttpRequest:
    """``GET /v2/users/{user_id}``."""
    return _bodyless("GET", f"{V2_PATH}/users/{_user_segment(user_id)}", token, accept_language=accept_language)


def build_delete_user_request(user_id: str, *, token: TokenArg, accept_language: str | None = None) -> HttpRequest:
    """``DELETE /v2/users/{user_id}``."""
    return _bodyless("DELETE", f"{V2_PATH}/users/{_user_segment(user_id)}", token, accept_language=accept_language)


def build_user_count_request(*, token: TokenArg, accept_language: str | None = None) -> HttpRequest:
    """``GET /v2/users/count``: users registered by this client."""
    return _bodyless("GET", V2_PATH + "/users/count", token, accept_language=accept_language)


def build_users_request(
    start_pointer: int | None = None,
    fetch_size: int | None = None,
    *,
    token: TokenArg,
    accept_language: str | None = None,
) -> HttpRequest:
    """``GET /v2/users/{start_pointer}/{fetch_size}``, or ``GET /v2/users`` (all users) when both are None.

    The total is in the answer's ``x-total-records`` header: pass the headers to
    :func:`~.responses.parse_users_response`.
    """
    if start_pointer is None and fetch_size is None:
        return _bodyless("GET", V2_PATH + "/users", token, accept_language=accept_language)
    if isinstance(start_pointer, bool) or not isinstance(start_pointer, int) or start_pointer < 0:
        raise InputError("start_pointer", "must be an integer >= 0 (ADSS error 60036)")
    if isinstance(fetch_size, bool) or not isinstance(fetch_size, int) or fetch_size <= 0:
        raise InputError("fetch_size", "must be an integer > 0 (ADSS error 60035)")
    return _bodyless("GET", f"{V2_PATH}/users/{start_pointer}/{fetch_size}", token, accept_language=accept_language)


def build_change_password_request(
    old_password: str,
    new_password: str,
    *,
    token: TokenArg,
    policy: PasswordPolicy | None = None,
    app_name: str | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``POST /v2/users/password/change`` (user token). With ``policy``, the new password is checked first."""
    body = {
        "old_password": _secret(old_password, "old_password"),
        "new_password": _secret(new_password, "new_password"),
    }
    _check_password(policy, new_password, "new_password")
    return _json_request(
        "POST", V2_PATH + "/users/password/change", body, token, app_name=app_name, accept_language=accept_language
    )


def build_reset_password_noauth_request(
    user_id: str,
    user_password: str,
    *,
    token: TokenArg,
    policy: PasswordPolicy | None = None,
    app_name: str | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``POST /v2/users/password/reset/noauth``: set a user's password with client authentication."""
    body = {
        "user_id": _wire.text_arg(user_id, "user_id", max_len=256),
        "user_password": _secret(user_password, "user_password"),
    }
    _check_password(policy, user_password, "user_password")
    return _json_request(
        "POST",
        V2_PATH + "/users/password/reset/noauth",
        body,
        token,
        app_name=app_name,
        accept_language=accept_language,
    )


def build_reset_password_request(
    user_id: str, *, token: TokenArg, app_name: str | None = None, accept_language: str | None = None
) -> HttpRequest:
    """``POST /v2/users/password/reset``: the server mails an OTP to the user."""
    body = {"user_id": _wire.text_arg(user_id, "user_id", max_len=256)}
    return _json_request(
        "POST", V2_PATH + "/users/password/reset", body, token, app_name=app_name, accept_language=accept_language
    )


def build_confirm_reset_password_request(
    user_id: str,
    new_password: str,
    otp: str,
    *,
    token: TokenArg,
    policy: PasswordPolicy | None = None,
    app_name: str | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``POST /v2/users/password/reset/confirm`` with the mailed OTP (Content-Type as the guide: no charset)."""
    body = {
        "user_id": _wire.text_arg(user_id, "user_id", max_len=256),
        "new_password": _secret(new_password, "new_password"),
        "otp": _secret(otp, "otp"),
    }
    _check_password(policy, new_password, "new_password")
    return _json_request(
        "POST",
        V2_PATH + "/users/password/reset/confirm",
        body,
        token,
        content_type="application/json",
        app_name=app_name,
        accept_language=accept_language,
    )


def build_change_email_request(
    old_email: str,
    new_email: str,
    *,
    token: TokenArg,
    app_name: str | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``POST /v2/users/email/change``: the server mails OTPs to both addresses."""
    body = {
        "old_email": _wire.text_arg(old_email, "old_email", max_len=320),
        "new_email": _wire.text_arg(new_email, "new_email", max_len=320),
    }
    if "@" not in new_email:
        raise InputError("new_email", "is not an e-mail address (ADSS error 60013)")
    return _json_request(
        "POST", V2_PATH + "/users/email/change", body, token, app_name=app_name, accept_language=accept_language
    )


def build_resend_change_email_request(
    *, token: TokenArg, app_name: str | None = None, accept_language: str | None = None
) -> HttpRequest:
    """``GET /v2/users/email/change/resend``: mail the OTPs again."""
    return _bodyless(
        "GET", V2_PATH + "/users/email/change/resend", token, app_name=app_name, accept_language=accept_language
    )


def build_confirm_change_email_request(
    otp: str,
    new_email_otp: str,
    *,
    token: TokenArg,
    app_name: str | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``POST /v2/users/email/change/confirm`` with the OTPs sent to the old and the new address."""
    body = {"otp": _secret(otp, "otp"), "new_email_otp": _secret(new_email_otp, "new_email_otp")}
    return _json_request(
        "POST", V2_PATH + "/users/email/change/confirm", body, token, app_name=app_name, accept_language=accept_language
    )


# --------------------------------------------------------------------------- certificates


def _entries(certificates: Sequence[UserCertificate]) -> list[dict[str, str]]:
    if isinstance(certificates, (str, bytes)) or not isinstance(certificates, Sequence):
        raise InputError("certificates", "must be a sequence of UserCertificate")
    if not certificates:
        raise InputError("certificates", "must not be empty (ADSS error 60025)")
    if len(certificates) > 1000:
        raise InputError("certificates", "has more than 1000 entries")
    out = []
    for index, entry in enumerate(certificates):
        if not isinstance(entry, UserCertificate):
            raise InputError(f"certificates[{index}]", "must be a UserCertificate (use UserCertificate.of)")
        out.append(entry.to_json())
    return out


def build_add_certificates_request(
    user_id: str,
    certificates: Sequence[UserCertificate],
    *,
    token: TokenArg,
    app_name: str | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``POST /v2/users/certs/{user_id}``: add signing certificates for a user."""
    path = f"{V2_PATH}/users/certs/{_wire.path_segment(user_id, 'user_id')}"
    body = {"certificates": _entries(certificates)}
    return _json_request("POST", path, body, token, app_name=app_name, accept_language=accept_language)


def build_delete_certificate_request(
    user_id: str,
    cert_alias: str,
    *,
    token: TokenArg,
    app_name: str | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``DELETE /v2/users/certs/{user_id}/{cert_alias}``."""
    path = (
        f"{V2_PATH}/users/certs/{_wire.path_segment(user_id, 'user_id')}/{_wire.path_segment(cert_alias, 'cert_alias')}"
    )
    return _bodyless("DELETE", path, token, app_name=app_name, accept_language=accept_language)


def build_update_certificate_request(
    user_id: str,
    certificate: UserCertificate,
    *,
    token: TokenArg,
    app_name: str | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``PUT /v2/users/certs/{user_id}``: replace one certificate entry (identified by its alias)."""
    if not isinstance(certificate, UserCertificate):
        raise InputError("certificate", "must be a UserCertificate (use UserCertificate.of)")
    if user_id == "update":
        raise InputError("user_id", "'update' would address the fixed endpoint /v2/users/certs/update")
    path = f"{V2_PATH}/users/certs/{_wire.path_segment(user_id, 'user_id')}"
    return _json_request("PUT", path, certificate.to_json(), token, app_name=app_name, accept_language=accept_language)


def build_update_certificates_request(
    user_id: str,
    certificates: Sequence[UserCertificate],
    *,
    token: TokenArg,
    app_name: str | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``POST /v2/users/certs/update``: set the user's whole certificate list."""
    body = {"user_id": _wire.text_arg(user_id, "user_id", max_len=256), "certificates": _entries(certificates)}
    return _json_request(
        "POST", V2_PATH + "/users/certs/update", body, token, app_name=app_name, accept_language=accept_language
    )


def build_list_certificates_request(
    *, token: TokenArg, app_name: str | None = None, accept_language: str | None = None
) -> HttpRequest:
    """``GET /v2/users/certs``: the authenticated user's certificates (Virtual CSP)."""
    return _bodyless("GET", V2_PATH + "/users/certs", token, app_name=app_name, accept_language=accept_language)


def build_get_certificates_request(
    user_id: str, *, token: TokenArg, app_name: str | None = None, accept_language: str | None = None
) -> HttpRequest:
    """``GET /v2/users/certs/{user_id}``: a user's certificates (business application)."""
    path = f"{V2_PATH}/users/certs/{_wire.path_segment(user_id, 'user_id')}"
    return _bodyless("GET", path, token, app_name=app_name, accept_language=accept_language)


# --------------------------------------------------------------------------- signing


def _hash_item(item: object, index: int) -> HashToSign:
    """Re-check a hash before it is sent: the condition of ADSS error 60055."""
    where = f"hashes[{index}]"
    algorithm = getattr(item, "algorithm", None)
    digest = getattr(item, "digest", None)
    if not isinstance(algorithm, HashAlgorithm) or not isinstance(digest, bytes):
        raise InputError(where, "must be a HashToSign (algorithm and digest)")
    alg = hash_algorithm(algorithm.oid)  # the registry's entry for this OID; refuses MD5
    if alg != algorithm:
        raise InputError(where, f"algorithm {algorithm.name} does not match the registry entry of OID {algorithm.oid}")
    if len(digest) != alg.digest_size:
        raise InputError(
            where,
            f"digest is {len(digest)} bytes but {alg.name} ({alg.oid}) digests are {alg.digest_size} "
            "(ADSS error 60055: invalid hash algorithm or data)",
        )
    return item if isinstance(item, HashToSign) else HashToSign(alg, digest)


def build_sign_request(
    hashes: Sequence[HashToSign],
    *,
    profile_id: str,
    cert_alias: str,
    token: TokenArg,
    sam_user_id: str | None = None,
    cert_password: str | None = None,
    request_description: str | None = None,
    doc_aliases: Sequence[str | None] | None = None,
    base64_description: bool = False,
    app_name: str | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``POST /adss/service/csp/v2/sign/request`` for ``hashes`` (one ``docs_to_sign_info`` entry each).

    Every hash is checked against its algorithm's digest length before anything is built (ADSS
    error 60055 otherwise). ``doc_aliases`` (optional, one per hash; None leaves ``doc_alias``
    out). ``base64_description`` sends ``request_description`` as base64 of its UTF-8 (what the
    guide asks for characters the phone app would otherwise garble). ``cert_password`` goes in the
    body only and never appears in ``repr``.
    """
    if isinstance(hashes, (str, bytes)) or not isinstance(hashes, Sequence):
        raise InputError("hashes", "must be a sequence of HashToSign")
    if not hashes:
        raise InputError("hashes", "must not be empty (ADSS error 60049: data to be signed is missing)")
    if len(hashes) > MAX_DOCUMENTS:
        raise InputError("hashes", f"holds {len(hashes)} items, over the limit of {MAX_DOCUMENTS}")
    checked = [_hash_item(h, i) for i, h in enumerate(hashes)]
    if doc_aliases is not None:
        if isinstance(doc_aliases, (str, bytes)) or len(doc_aliases) != len(checked):
            raise InputError("doc_aliases", f"must hold one alias per hash ({len(checked)})")
    body: dict[str, Any] = {"profile_id": _wire.text_arg(profile_id, "profile_id", max_len=256)}
    if sam_user_id is not None:
        body["sam_user_id"] = _wire.text_arg(sam_user_id, "sam_user_id", max_len=256)
    body["cert_alias"] = _wire.text_arg(cert_alias, "cert_alias", max_len=256)
    if cert_password is not None:
        body["cert_password"] = _wire.text_arg(cert_password, "cert_password", max_len=4096)
    if request_description is not None:
        if not isinstance(request_description, str) or len(request_description) > 4096:
            raise InputError("request_description", "must be a str of at most 4096 characters")
        body["request_description"] = (
            b64encode(request_description.encode("utf-8")) if base64_description else request_description
        )
    docs = []
    for index, h in enumerate(checked):
        entry: dict[str, str] = {}
        alias = None if doc_aliases is None else doc_aliases[index]
        if alias is not None:
            entry["doc_alias"] = _wire.text_arg(alias, f"doc_aliases[{index}]", max_len=1024)
        entry["hash_algo"] = h.algorithm.oid
        entry["hash_to_sign_base64"] = b64encode(h.digest)
        docs.append(entry)
    body["docs_to_sign_info"] = docs
    return _json_request(
        "POST", V2_PATH + "/sign/request", body, token, app_name=app_name, accept_language=accept_language
    )


def build_sign_status_request(
    profile_id: str,
    request_id: str,
    *,
    token: TokenArg,
    app_name: str | None = None,
    accept_language: str | None = None,
) -> HttpRequest:
    """``POST /adss/service/csp/v2/sign/status`` to poll a PENDING request."""
    body = {
        "profile_id": _wire.text_arg(profile_id, "profile_id", max_len=256),
        "request_id": _wire.text_arg(request_id, "request_id (ADSS error 60015)", max_len=256),
    }
    return _json_request(
        "POST", V2_PATH + "/sign/status", body, token, app_name=app_name, accept_language=accept_language
    )
