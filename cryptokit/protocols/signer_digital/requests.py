"""Signer.Digital key-authorization OTP requests: ``GenKeyAuthOTP`` (GET) and ``SetKeyAuthOTP`` (POST).

Credentials (``CscId``, ``Password``) go in headers by default, in the query string with
``credentials_in="query"`` (the seed's sample URL does that). The header names are named options,
``csc_id_header`` and ``password_header``, with the seed's names as defaults (the seed says only
that the two "may be in headers", not under which names a deployment or its proxy expects them).
The optional client-application profile is sent as ``ClientAppProfName`` (the seed's table) or, with
``profile_param="CertProfileName"``, under the name the seed's sample URL uses. ``repr`` of the
returned HttpRequest shows header and query *names* only, never the password or the OTP.
"""

from __future__ import annotations

import re
from typing import Any, Literal, TypedDict, Unpack

import orjson

from ...errors import InputError
from .. import HttpRequest
from .._args import known_options, text_arg

__all__ = [
    "build_gen_key_auth_otp_request",
    "build_set_key_auth_otp_request",
    "KeyAuthOptions",
    "GenKeyAuthOptions",
    "BASE_PATH",
    "CSC_ID_HEADER",
    "PASSWORD_HEADER",
]

BASE_PATH = "/signer/KeyAuthV1/"
#: Default header names of the credentials (the names the seed uses).
CSC_ID_HEADER = "CscId"
PASSWORD_HEADER = "Password"  # noqa: S105 - a header name, not a password
# RFC 9110 field-name (token); the builders' own headers cannot be taken.
_TOKEN = re.compile(r"\A[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}\Z")
_RESERVED = frozenset({"accept", "content-type", "content-length", "host", "authorization", "transfer-encoding"})
CredentialsIn = Literal["headers", "query"]
ProfileParam = Literal["ClientAppProfName", "CertProfileName"]
_MAX = 256


def _text(value: object, field: str, *, secret: bool = False) -> str:
    # The message never repeats the value: it may be a password or an OTP.
    return text_arg(value, field, max_len=_MAX, secret=secret)


def _header_name(value: object, field: str) -> str:
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise InputError(field, "must be an HTTP header name (1..64 token characters)")
    if value.lower() in _RESERVED:
        raise InputError(field, f"must not be the {value} header the request needs for itself")
    return value


def _credentials(
    csc_id: str, password: str, where: CredentialsIn, csc_id_header: str, password_header: str
) -> dict[str, str]:
    """The two credentials under their names: the header names in headers, the seed's names in the query."""
    if where not in ("headers", "query"):
        raise InputError("credentials_in", 'must be "headers" or "query"')
    id_name = _header_name(csc_id_header, "csc_id_header")
    pw_name = _header_name(password_header, "password_header")
    if id_name.lower() == pw_name.lower():
        raise InputError("password_header", "must differ from csc_id_header")
    if where == "query":
        id_name, pw_name = CSC_ID_HEADER, PASSWORD_HEADER
    return {id_name: _text(csc_id, "csc_id"), pw_name: _text(password, "password", secret=True)}


def _base(base_path: str) -> str:
    return base_path if base_path.endswith("/") else base_path + "/"


class KeyAuthOptions(TypedDict, total=False):
    """The optional keywords of every KeyAuth call, one list for the builders and :class:`~.flow.KeyAuthFlow`:
    ``client_app_profile`` (None), ``credentials_in`` ("headers"), ``base_path`` (:data:`BASE_PATH`),
    ``csc_id_header`` (:data:`CSC_ID_HEADER`), ``password_header`` (:data:`PASSWORD_HEADER`)."""

    client_app_profile: str | None
    credentials_in: CredentialsIn
    base_path: str
    csc_id_header: str
    password_header: str


class GenKeyAuthOptions(KeyAuthOptions, total=False):
    """:class:`KeyAuthOptions` and ``profile_param`` ("ClientAppProfName"), the query name of the profile."""

    profile_param: ProfileParam


_SET_NAMES = frozenset(KeyAuthOptions.__optional_keys__)
_GEN_NAMES = frozenset(GenKeyAuthOptions.__optional_keys__)


def _prepare(csc_id: str, password: str, options: KeyAuthOptions) -> tuple[dict[str, str], dict[str, str], str]:
    """(query, headers, base path) of a KeyAuth call: the credentials placed where ``credentials_in`` says."""
    where = options.get("credentials_in", "headers")
    creds = _credentials(
        csc_id,
        password,
        where,
        options.get("csc_id_header", CSC_ID_HEADER),
        options.get("password_header", PASSWORD_HEADER),
    )
    query: dict[str, str] = {}
    headers: dict[str, str] = {"Accept": "application/json"}
    (query if where == "query" else headers).update(creds)
    return query, headers, _base(options.get("base_path", BASE_PATH))


def _profile(options: KeyAuthOptions) -> str | None:
    profile = options.get("client_app_profile")
    return None if profile is None else _text(profile, "client_app_profile")


def build_gen_key_auth_otp_request(
    *, key_label: str, csc_id: str, password: str, **options: Unpack[GenKeyAuthOptions]
) -> HttpRequest:
    """``GET GenKeyAuthOTP?KeyLabel=..[&ClientAppProfName=..]``: have Kluis send an OTP to the key owner.

    The OTP goes to the owner's phone and e-mail; the answer is a RespErrPl
    (:func:`~cryptokit.protocols.signer_digital.parse_response`). Options: :class:`GenKeyAuthOptions`.
    """
    known_options("build_gen_key_auth_otp_request", options, _GEN_NAMES)
    profile_param = options.get("profile_param", "ClientAppProfName")
    if profile_param not in ("ClientAppProfName", "CertProfileName"):
        raise InputError("profile_param", 'must be "ClientAppProfName" or "CertProfileName"')
    query, headers, base = _prepare(csc_id, password, options)
    query["KeyLabel"] = _text(key_label, "key_label")
    profile = _profile(options)
    if profile is not None:
        query[profile_param] = profile
    return HttpRequest("GET", base + "GenKeyAuthOTP", query, headers, b"")


def build_set_key_auth_otp_request(
    *, otp: str, key_label: str, csc_id: str, password: str, **options: Unpack[KeyAuthOptions]
) -> HttpRequest:
    """``POST SetKeyAuthOTP {OTP, KeyLabel, ClientAppProfName?}``: submit the OTP the owner received.

    ``client_app_profile`` must be the one given to GenKeyAuthOTP. The OTP is in the body only.
    Options: :class:`KeyAuthOptions`.
    """
    known_options("build_set_key_auth_otp_request", options, _SET_NAMES)
    query, headers, base = _prepare(csc_id, password, options)
    body: dict[str, Any] = {"OTP": _text(otp, "otp", secret=True), "KeyLabel": _text(key_label, "key_label")}
    profile = _profile(options)
    if profile is not None:
        body["ClientAppProfName"] = profile
    return HttpRequest(
        "POST", base + "SetKeyAuthOTP", query, {"Content-Type": "application/json", **headers}, orjson.dumps(body)
    )
