"""DIGIPASS Gateway push-signature requests: ``getPreparedSignatureRequest`` and ``authSignature``.

Both are ``POST`` JSON to ``/rest/v2/signature/push/<service>`` (prefix with the gateway's context
path through ``base_path`` when it is not deployed as ROOT), authenticated with HTTP Basic and the
front-end API key. The documentation does not say which half of the Basic credentials carries the
key: by default it is the password with an empty user name (``":" + key``); pass ``api_key_user``
when your gateway expects a name. The key never appears in ``repr`` (HttpRequest shows header names only).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from ...encoding import b64encode
from ...errors import InputError
from .. import HttpRequest
from .._args import text_arg

__all__ = ["build_get_prepared_signature_request", "build_auth_signature_request", "BASE_PATH"]

BASE_PATH = "/rest/v2/signature/push/"
_DIGITS = re.compile(r"\A[0-9]{1,64}\Z")
_SIGNATURE = re.compile(r"\A[0-9A-Fa-f]{6,16}\Z")
_MAX_TEXT = 255


def _text(value: object, field: str) -> str:
    return text_arg(value, field, max_len=_MAX_TEXT, refuse_blank=True)


def _request_key(value: object) -> str:
    if not isinstance(value, str) or not _DIGITS.match(value):
        raise InputError("request_key", "must be the decimal digits received by push notification")
    return value


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


def _post(service: str, body: dict[str, Any], api_key: str, api_key_user: str, base_path: str) -> HttpRequest:
    base = base_path if base_path.endswith("/") else base_path + "/"
    return HttpRequest("POST", base + service, {}, _headers(api_key, api_key_user), orjson.dumps(body))


def build_get_prepared_signature_request(
    *,
    request_key: str,
    serial_number: str,
    api_key: str,
    api_key_user: str = "",
    base_path: str = BASE_PATH,
) -> HttpRequest:
    """``getPreparedSignatureRequest {requestKey, serialNumber}``: fetch the Secure Channel message to sign.

    ``request_key`` is the digits from the push notification (single use); ``serial_number`` the
    Digipass serial (e.g. ``VDS1000120-1``).
    """
    body = {"requestKey": _request_key(request_key), "serialNumber": _text(serial_number, "serial_number")}
    return _post("getPreparedSignatureRequest", body, api_key, api_key_user, base_path)


def build_auth_signature_request(
    *,
    user_id: str,
    request_key: str,
    signature: str,
    api_key: str,
    domain: str | None = None,
    api_key_user: str = "",
    base_path: str = BASE_PATH,
) -> HttpRequest:
    """``authSignature {userID, domain?, requestKey, signature}``: complete the pending signing transaction.

    Checks the format only: ``user_id`` present, ``request_key`` decimal digits, ``signature`` 6..16
    decimal or hexadecimal characters. The signature is a Digipass e-signature computed from a token
    secret the client never sees: it cannot be verified offline, and nothing here claims to. Only
    the server's answer (:func:`~cryptokit.protocols.onespan.parse_response`) says whether it was accepted.
    """
    body: dict[str, Any] = {"userID": _text(user_id, "user_id")}
    if domain is not None:
        body["domain"] = _text(domain, "domain")
    body["requestKey"] = _request_key(request_key)
    if not isinstance(signature, str) or not _SIGNATURE.match(signature):
        raise InputError("signature", "must be 6 to 16 decimal or hexadecimal characters")
    body["signature"] = signature
    return _post("authSignature", body, api_key, api_key_user, base_path)
