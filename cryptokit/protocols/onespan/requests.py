"""DIGIPASS Gateway push-signature requests: ``getPreparedSignatureRequest`` and ``authSignature``.

The gateway's pages give the fields but not their formats. cryptokit's defaults, from the pages'
examples (:data:`DEFAULT_RULES`, a :class:`FormatRules`): ``requestKey`` is decimal digits (the
example ``8408980524``), the e-signature 6..16 decimal or hexadecimal characters (the example
``3833791``). A caller whose gateway differs widens them by name, e.g.
``FormatRules(request_key="text")`` (OneSpan's SOAP reference shows a hex request key
``abcdef010203``) or ``FormatRules(signature_max_length=40)``, passed as ``rules=``.

Both are ``POST`` JSON to ``/rest/v2/signature/push/<service>`` (prefix with the gateway's context
path through ``base_path`` when it is not deployed as ROOT), authenticated with HTTP Basic and the
front-end API key. The documentation does not say which half of the Basic credentials carries the
key: by default it is the password with an empty user name (``":" + key``); pass ``api_key_user``
when your gateway expects a name. The key never appears in ``repr`` (HttpRequest shows header names only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, Required, TypedDict, Unpack

import orjson

from ...encoding import b64encode
from ...errors import InputError
from .. import HttpRequest
from .._args import known_options, text_arg

__all__ = [
    "build_get_prepared_signature_request",
    "build_auth_signature_request",
    "BASE_PATH",
    "FormatRules",
    "DEFAULT_RULES",
    "GatewayOptions",
]

BASE_PATH = "/rest/v2/signature/push/"
_MAX_TEXT = 255
_CHARSETS = {
    "decimal": re.compile(r"\A[0-9]*\Z"),
    "hex": re.compile(r"\A[0-9A-Fa-f]*\Z"),
    "text": re.compile(r"\A[\x21-\x7e]*\Z"),  # printable ASCII, no spaces
}


@dataclass(frozen=True, slots=True)
class FormatRules:
    """cryptokit's format checks for the fields whose format OneSpan's pages do not state.

    ``request_key``: ``"decimal"`` (default, as the REST example), ``"hex"`` or ``"text"`` (any
    printable ASCII without spaces), 1..64 characters. ``signature_charset``: ``"hex"`` (default:
    decimal or hexadecimal digits), ``"decimal"`` or ``"text"``; its length
    ``signature_min_length``..``signature_max_length`` (default 6..16, at most 255). These are
    format checks only: the e-signature cannot be verified offline whatever the rules.
    """

    request_key: Literal["decimal", "hex", "text"] = "decimal"
    signature_charset: Literal["decimal", "hex", "text"] = "hex"
    signature_min_length: int = 6
    signature_max_length: int = 16

    def __post_init__(self) -> None:
        for name in ("request_key", "signature_charset"):
            if getattr(self, name) not in _CHARSETS:
                raise InputError(name, 'must be "decimal", "hex" or "text"')
        low, high = self.signature_min_length, self.signature_max_length
        for name, value in (("signature_min_length", low), ("signature_max_length", high)):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_TEXT:
                raise InputError(name, f"must be an integer from 1 to {_MAX_TEXT}")
        if low > high:
            raise InputError("signature_max_length", "must not be below signature_min_length")

    def check_request_key(self, value: object) -> str:
        if not isinstance(value, str) or not 1 <= len(value) <= 64 or not _CHARSETS[self.request_key].match(value):
            what = {"decimal": "decimal digits", "hex": "hexadecimal digits", "text": "printable characters"}
            raise InputError(
                "request_key",
                f"must be 1..64 {what[self.request_key]} (the key received by push notification; "
                'widen with FormatRules(request_key="text"))',
            )
        return value

    def check_signature(self, value: object) -> str:
        low, high = self.signature_min_length, self.signature_max_length
        if (
            not isinstance(value, str)
            or not low <= len(value) <= high
            or not _CHARSETS[self.signature_charset].match(value)
        ):
            what = {
                "hex": "decimal or hexadecimal",
                "decimal": "decimal",
                "text": "printable",
            }[self.signature_charset]
            raise InputError(
                "signature",
                f"must be {low} to {high} {what} characters (widen with FormatRules(signature_charset=..., "
                "signature_min_length=..., signature_max_length=...))",
            )
        return value


#: The defaults: decimal request keys, e-signatures of 6..16 decimal or hexadecimal characters.
DEFAULT_RULES = FormatRules()


def _rules(value: object) -> FormatRules:
    if not isinstance(value, FormatRules):
        raise InputError("rules", "must be a FormatRules")
    return value


def _text(value: object, field: str) -> str:
    return text_arg(value, field, max_len=_MAX_TEXT, refuse_blank=True)


def _headers(api_key: str, api_key_user: str) -> dict[str, str]:
    if not isinstance(api_key, str) or not api_key:
        raise InputError("api_key", "is required (the front-end API key)")
    if not isinstance(api_key_user, str) or ":" in api_key_user:
        raise InputError("api_key_user", "must be a string without ':'")
    try:
        token = b64encode(f"{api_key_user}:{api_key}".encode())
    except UnicodeEncodeError:
        raise InputError("api_key", "must be text") from None
    return {"Content-Type": "application/json", "Authorization": f"Basic {token}"}


class GatewayOptions(TypedDict, total=False):
    """The gateway keywords both builders take: ``api_key`` (required, the front-end API key),
    ``api_key_user`` ("": the key is the Basic password), ``base_path`` (:data:`BASE_PATH`) and
    ``rules`` (:data:`DEFAULT_RULES`)."""

    api_key: Required[str]
    api_key_user: str
    base_path: str
    rules: FormatRules


_GATEWAY_NAMES = frozenset(GatewayOptions.__required_keys__ | GatewayOptions.__optional_keys__)


def _gateway(function: str, gateway: GatewayOptions) -> FormatRules:
    """The checked ``rules`` of a builder's gateway options (unknown keywords refused first)."""
    known_options(function, gateway, _GATEWAY_NAMES)
    return _rules(gateway.get("rules", DEFAULT_RULES))


def _post(service: str, body: dict[str, Any], gateway: GatewayOptions) -> HttpRequest:
    base_path = gateway.get("base_path", BASE_PATH)
    base = base_path if base_path.endswith("/") else base_path + "/"
    headers = _headers(gateway.get("api_key", ""), gateway.get("api_key_user", ""))
    return HttpRequest("POST", base + service, {}, headers, orjson.dumps(body))


def build_get_prepared_signature_request(
    *, request_key: str, serial_number: str, **gateway: Unpack[GatewayOptions]
) -> HttpRequest:
    """``getPreparedSignatureRequest {requestKey, serialNumber}``: fetch the Secure Channel message to sign.

    ``request_key`` is the key from the push notification (single use; decimal digits unless
    ``rules`` widen it); ``serial_number`` the Digipass serial (e.g. ``VDS1000120-1``). Parse the
    answer with :func:`~cryptokit.protocols.onespan.parse_prepared_signature_response`.
    ``gateway``: :class:`GatewayOptions`.
    """
    checked = _gateway("build_get_prepared_signature_request", gateway)
    body = {"requestKey": checked.check_request_key(request_key), "serialNumber": _text(serial_number, "serial_number")}
    return _post("getPreparedSignatureRequest", body, gateway)


def build_auth_signature_request(
    *, user_id: str, request_key: str, signature: str, domain: str | None = None, **gateway: Unpack[GatewayOptions]
) -> HttpRequest:
    """``authSignature {userID, domain?, requestKey, signature}``: complete the pending signing transaction.

    Checks the format only: ``user_id`` present, ``request_key`` and ``signature`` as ``rules``
    say (by default decimal digits, and 6..16 decimal or hexadecimal characters). The signature is
    a Digipass e-signature computed from a token secret the client never sees: it cannot be
    verified offline, and nothing here claims to. Only the server's answer
    (:func:`~cryptokit.protocols.onespan.parse_response`, with ``request=`` this request to have
    the answered user compared with it) says whether it was accepted. ``gateway``: :class:`GatewayOptions`.
    """
    checked = _gateway("build_auth_signature_request", gateway)
    body: dict[str, Any] = {"userID": _text(user_id, "user_id")}
    if domain is not None:
        body["domain"] = _text(domain, "domain")
    body["requestKey"] = checked.check_request_key(request_key)
    body["signature"] = checked.check_signature(signature)
    return _post("authSignature", body, gateway)
