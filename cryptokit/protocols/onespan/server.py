"""Server half of the DIGIPASS Gateway push signature, sans-I/O: read ``getPreparedSignatureRequest``
and ``authSignature``, let a backend decide, answer ``{resultCodes, result}``.

For a service that stands in for the gateway (a test double, a demo). ``parse_*_http_request``
take an :class:`~cryptokit.protocols.HttpRequest` and return a typed value or raise the
:class:`~.errors.OneSpanRequestRefused` to answer with; ``build_*`` turn a value or an error into
an :class:`~cryptokit.protocols.HttpResponse` that the client half
(:func:`~.responses.parse_response`, :func:`~.responses.parse_prepared_signature_response`) reads
back into the same result or error class. :class:`EmbeddedGateway` puts the pieces together; the
decision (which message to show, whether an e-signature is right) belongs to a caller-supplied
:class:`SignatureBackend`; :class:`MemoryBackend` is the in-memory reference for tests and demos.

What the pages document and this follows: the two ``POST`` paths under ``/rest/v2/signature/push/``,
the request fields (``requestKey``, ``serialNumber``; ``userID``, ``domain`` optional,
``requestKey``, ``signature``; names case-sensitive), Basic authentication with the front-end API
key, the answer ``resultCodes {returnCodeEnum, statusCodeEnum, returnCode, statusCode}`` and
``result {userID, domain, orgUnit, serialNo}``, ``returnCode`` 0 / ``RET_SUCCESS`` /
``STAT_SUCCESS`` for success, status codes 1000 STAT_INVCREDENTIALS, 1004 STAT_EXP_CHALLENGE,
1007 STAT_LOCKED and the name STAT_NOT_FOUND for a reused request key.

What they do not say, and cryptokit's choice: the ``returnCode``/``returnCodeEnum`` of a refusal
(sent: :data:`~.errors.UNDOCUMENTED_CODE`, no enum), the number of STAT_NOT_FOUND (same), the HTTP
status of a refused transaction (sent: 200, the client reads ``returnCode``; an error's own
``http_status`` wins), the key of the getPreparedSignatureRequest answer (sent:
``result.requestMessage``, hex, as the client reads it), what a bad API key, path, method or body
gets (sent: 401 with ``WWW-Authenticate: Basic``, 404, 405, 400 or 413, a short text body without
resultCodes), which half of Basic carries the key (as the client: ``api_key_user``, "" by default),
whether unknown members are refused (they are, 400), and the formats of ``requestKey`` and the
e-signature (the client's :class:`~.requests.FormatRules`). Refusal texts name the field and the
rule, never a value; the API key, request key and e-signature never reach a ``repr``.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, Required, TypedDict, Unpack

from ...errors import InputError
from .. import HttpRequest, HttpResponse, _server
from .._args import known_options, text_arg
from .._json import as_object, loads
from .errors import (
    STATUS_NAMES,
    UNDOCUMENTED_CODE,
    OneSpanError,
    OneSpanRequestRefused,
    OneSpanResultMismatch,
    error_for,
)
from .requests import BASE_PATH, DEFAULT_RULES, FormatRules
from .responses import MAX_BODY

__all__ = [
    "PREPARED_SIGNATURE_PATH",
    "AUTH_SIGNATURE_PATH",
    "PreparedSignatureIn",
    "AuthSignatureIn",
    "SignatureResult",
    "SignatureBackend",
    "ServerOptions",
    "MemoryBackend",
    "EmbeddedGateway",
    "EmbeddedSigner",
    "parse_get_prepared_signature_http_request",
    "parse_auth_signature_http_request",
    "build_prepared_signature_response",
    "build_auth_signature_response",
    "build_error_response",
]

PREPARED_SIGNATURE_PATH = BASE_PATH + "getPreparedSignatureRequest"
AUTH_SIGNATURE_PATH = BASE_PATH + "authSignature"
JSON = "application/json"
_SERVICES = ("getPreparedSignatureRequest", "authSignature")


def _refuse(http_status: int, detail: str) -> OneSpanRequestRefused:
    return OneSpanRequestRefused(f"HTTP_{http_status}", detail, http_status)


# --------------------------------------------------------------------------- request values


@dataclass(frozen=True, slots=True)
class PreparedSignatureIn:
    """A getPreparedSignatureRequest as received. ``request_key`` is single-use: not in ``repr``."""

    serial_number: str
    request_key: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class AuthSignatureIn:
    """An authSignature as received. ``request_key`` and the e-``signature`` are not in ``repr``;
    compare the signature with :meth:`signature_matches` (constant time)."""

    user_id: str
    domain: str | None
    request_key: str = field(repr=False)
    signature: str = field(repr=False)

    def signature_matches(self, expected: str) -> bool:
        return _server.same(self.signature, expected)


@dataclass(frozen=True, slots=True)
class SignatureResult:
    """The ``result`` of an accepted authSignature: the resolved user and the authenticator used."""

    user_id: str
    domain: str | None = None
    org_unit: str | None = None
    serial_no: str | None = None


class SignatureBackend(Protocol):
    """What decides, for :class:`EmbeddedGateway`. Each method returns its value or raises the
    :class:`~.errors.OneSpanError` the gateway answers with (:func:`~.errors.error_for`)."""

    def prepared_signature(self, request: PreparedSignatureIn) -> bytes:
        """The Secure Channel message (bytes) for this request key and authenticator."""
        ...

    def auth_signature(self, request: AuthSignatureIn) -> SignatureResult:
        """Accept or refuse the e-signature that completes the pending transaction."""
        ...


# --------------------------------------------------------------------------- parsing


def _route(http_request: object, path: str) -> HttpRequest:
    request = _server.http_request_arg(http_request)
    if request.path.rstrip("/") != path.rstrip("/"):
        raise _refuse(404, f"no such service: expected {path}")
    if request.method.upper() != "POST":
        raise _refuse(405, f"{path} takes POST")
    return request


def _check_api_key(request: HttpRequest, api_key: _server.TokenCheck, api_key_user: str) -> None:
    value = request.header("Authorization")
    pair = None if value is None else _server.basic_credentials(value)
    if pair is None:
        raise _refuse(401, "the Authorization header is not 'Basic <front-end API key>'")
    user, key = pair
    if not (_server.same(user, api_key_user) & _server.accepts(api_key, key)):
        raise _refuse(401, "the front-end API key is not accepted")


def _body(request: HttpRequest, names: tuple[str, ...]) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise _refuse(413, f"the body is over {MAX_BODY} bytes")
    try:
        data = as_object(loads(request.body))
    except InputError as exc:
        raise _refuse(400, f"the body {exc.rule}") from None
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise _refuse(400, f"the body has a member other than {', '.join(names)} (names are case-sensitive)")
    return data


def _field(data: dict[str, Any], name: str, check: Callable[[object], str] | None = None) -> str:
    """A required member, checked by ``check`` (a FormatRules check) or as 1..255 printable characters."""
    value = data.get(name)
    try:
        return check(value) if check is not None else text_arg(value, name, max_len=255, refuse_blank=True)
    except InputError as exc:
        raise _refuse(400, f"{name} {exc.rule}") from None


_API_KEY_RULE = "must be the expected front-end API key, a callable, or None"


def _checked(function: str, options: ServerOptions) -> tuple[_server.TokenCheck, str, FormatRules, str]:
    """``(api_key, api_key_user, rules, base_path)`` of ``options``, each checked (InputError)."""
    known_options(function, options, _OPTION_NAMES)
    if "api_key" not in options:
        raise InputError("api_key", "is required (the expected front-end API key; None accepts any: demos only)")
    api_key = _server.token_check_arg(options["api_key"], "api_key", _API_KEY_RULE)
    api_key_user = options.get("api_key_user", "")
    if not isinstance(api_key_user, str) or ":" in api_key_user:
        raise InputError("api_key_user", "must be a string without ':'")
    rules = options.get("rules", DEFAULT_RULES)
    if not isinstance(rules, FormatRules):
        raise InputError("rules", "must be a FormatRules")
    base_path = options.get("base_path", BASE_PATH)
    if not isinstance(base_path, str) or not base_path.startswith("/"):
        raise InputError("base_path", "must be a path starting with '/'")
    return api_key, api_key_user, rules, base_path


def _read(
    http_request: object, service: str, names: tuple[str, ...], options: ServerOptions
) -> tuple[dict[str, Any], FormatRules]:
    """The checked body of ``service`` and the rules for its fields (the options checked first)."""
    api_key, api_key_user, rules, base_path = _checked(f"parse_{service}_http_request", options)
    request = _route(http_request, base_path.rstrip("/") + "/" + service)
    _check_api_key(request, api_key, api_key_user)
    return _body(request, names), rules


_OPTION_NAMES = frozenset({"api_key", "api_key_user", "rules", "base_path"})


class ServerOptions(TypedDict, total=False):
    """What both readers check against: ``api_key`` (required: the expected front-end key, a
    callable that says yes, or None for any key), ``api_key_user`` (the Basic user name, "" as the
    client sends by default), ``rules`` (:data:`~.requests.DEFAULT_RULES`) and ``base_path``
    (:data:`~.requests.BASE_PATH`): the same keywords as the client's GatewayOptions."""

    api_key: Required[_server.TokenCheck]
    api_key_user: str
    rules: FormatRules
    base_path: str


def parse_get_prepared_signature_http_request(
    http_request: HttpRequest, **options: Unpack[ServerOptions]
) -> PreparedSignatureIn:
    """Read ``POST <base_path>getPreparedSignatureRequest {requestKey, serialNumber}``: path, method,
    Basic API key, body shape, the request key's format (``rules``); ``options``:
    :class:`ServerOptions`. Raises :class:`~.errors.OneSpanRequestRefused` (answer it with
    :func:`build_error_response`). Proves the shape and the key, not that the request key is
    pending: that is the backend's decision."""
    data, rules = _read(http_request, "getPreparedSignatureRequest", ("requestKey", "serialNumber"), options)
    return PreparedSignatureIn(_field(data, "serialNumber"), _field(data, "requestKey", rules.check_request_key))


def parse_auth_signature_http_request(http_request: HttpRequest, **options: Unpack[ServerOptions]) -> AuthSignatureIn:
    """Read ``POST <base_path>authSignature {userID, domain?, requestKey, signature}`` as
    :func:`parse_get_prepared_signature_http_request` does; the e-signature's format is checked
    by ``rules`` (it cannot be verified here: the backend holds what decides)."""
    data, rules = _read(http_request, "authSignature", ("userID", "domain", "requestKey", "signature"), options)
    user_id = _field(data, "userID")
    domain = None if data.get("domain") is None else _field(data, "domain")
    key = _field(data, "requestKey", rules.check_request_key)
    return AuthSignatureIn(user_id, domain, key, _field(data, "signature", rules.check_signature))


# --------------------------------------------------------------------------- answers


def _answer(status: int, codes: dict[str, Any], result: dict[str, Any] | None) -> HttpResponse:
    doc: dict[str, Any] = {"resultCodes": codes}
    if result is not None:
        doc["result"] = result
    return _server.json_response(status, doc, JSON)


_SUCCESS = {"returnCodeEnum": "RET_SUCCESS", "statusCodeEnum": "STAT_SUCCESS", "returnCode": 0, "statusCode": 0}


def build_prepared_signature_response(message: bytes) -> HttpResponse:
    """The 200 success of getPreparedSignatureRequest: ``result.requestMessage``, the message as hex."""
    if not isinstance(message, (bytes, bytearray)) or not message or len(message) * 2 > MAX_BODY - 1024:
        raise InputError("message", "must be non-empty bytes (the Secure Channel message) within the body bound")
    return _answer(200, dict(_SUCCESS), {"requestMessage": bytes(message).hex()})


def build_auth_signature_response(result: SignatureResult) -> HttpResponse:
    """The 200 success of authSignature: ``result {userID, domain, orgUnit, serialNo}`` (absent ones left out)."""
    if not isinstance(result, SignatureResult):
        raise InputError("result", "must be a SignatureResult")
    doc = {"userID": text_arg(result.user_id, "result.user_id", max_len=255)}
    for key, value in (("domain", result.domain), ("orgUnit", result.org_unit), ("serialNo", result.serial_no)):
        if value is not None:
            doc[key] = text_arg(value, f"result.{key}", max_len=255, allow_empty=True)
    return _answer(200, dict(_SUCCESS), doc)


def build_error_response(error: OneSpanError) -> HttpResponse:
    """The answer for ``error``: a :class:`~.errors.OneSpanRequestRefused` gets its HTTP status and a
    text body (``WWW-Authenticate: Basic`` on 401, ``Allow: POST`` on 405); any other
    :class:`~.errors.OneSpanError` (from :func:`~.errors.error_for` or a backend) gets ``resultCodes``
    with its status name and numbers, at its ``http_status`` or 200. The client half raises the
    same class again. Only the error's code and message are sent: never put a secret in them."""
    if not isinstance(error, OneSpanError) or isinstance(error, OneSpanResultMismatch):
        raise InputError("error", "must be a OneSpanError of the server half (error_for, OneSpanRequestRefused)")
    if isinstance(error, OneSpanRequestRefused):
        status = error.http_status or 400
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="DIGIPASS Gateway"'
        if status == 405:
            headers["Allow"] = "POST"
        return HttpResponse(status, headers, error.message[:300].encode())
    name = error.code if error.code in STATUS_NAMES.values() or error.code == "STAT_NOT_FOUND" else None
    status_code = error.status_code if error.status_code is not None else UNDOCUMENTED_CODE
    return_code = error.return_code if error.return_code not in (None, 0) else UNDOCUMENTED_CODE
    codes: dict[str, Any] = {"returnCode": return_code, "statusCode": status_code}
    if name is not None or status_code in STATUS_NAMES:
        codes["statusCodeEnum"] = name or STATUS_NAMES[status_code]
    return _answer(error.http_status or 200, codes, None)


# --------------------------------------------------------------------------- reference backend


@dataclass(slots=True)
class _Pending:
    user_id: str
    domain: str | None
    serial_number: str
    message: bytes
    signature: str = field(repr=False)
    expires_at: float
    fetched: bool = False


class MemoryBackend:
    """An in-memory :class:`SignatureBackend` for tests and demos.

    :meth:`push` registers a pending transaction (what the authentication server does before the
    push notification) and returns its request key. getPreparedSignatureRequest gives the message
    once (again: STAT_NOT_FOUND) to the named authenticator (another serial: STAT_INVCREDENTIALS);
    authSignature completes it once (STAT_NOT_FOUND after), refuses another user or domain or a
    wrong e-signature (STAT_INVCREDENTIALS, constant-time compare), a request past ``ttl`` seconds
    (STAT_EXP_CHALLENGE, the key dropped) and a user with ``max_attempts`` wrong signatures
    (STAT_LOCKED, until :meth:`unlock`). Thread-safe; nothing secret in ``repr``.
    """

    def __init__(self, *, ttl: float = 300.0, max_attempts: int = 3, clock: Callable[[], float] = time.monotonic):
        if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not ttl > 0:
            raise InputError("ttl", "must be a positive number of seconds")
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
            raise InputError("max_attempts", "must be an integer >= 1")
        if not callable(clock):
            raise InputError("clock", "must be a callable returning seconds")
        self.ttl, self.max_attempts, self._clock = float(ttl), max_attempts, clock
        self._pending: dict[str, _Pending] = {}
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryBackend(pending={len(self._pending)}, locked={len(self.locked_users())})"

    def push(
        self, user_id: str, *, serial_number: str, message: bytes, signature: str, domain: str | None = None
    ) -> str:
        """Register a signing transaction; returns its fresh request key (10 decimal digits, as the example)."""
        if not isinstance(message, (bytes, bytearray)) or not message:
            raise InputError("message", "must be non-empty bytes")
        entry = _Pending(
            text_arg(user_id, "user_id", max_len=255),
            None if domain is None else text_arg(domain, "domain", max_len=255),
            text_arg(serial_number, "serial_number", max_len=255),
            bytes(message),
            text_arg(signature, "signature", max_len=255, secret=True),
            self._clock() + self.ttl,
        )
        with self._lock:
            key = f"{secrets.randbelow(10**10):010d}"
            while key in self._pending:
                key = f"{secrets.randbelow(10**10):010d}"
            self._pending[key] = entry
        return key

    def locked_users(self) -> list[str]:
        return sorted(user for user, count in self._failures.items() if count >= self.max_attempts)

    def unlock(self, user_id: str) -> None:
        with self._lock:
            self._failures.pop(user_id, None)

    def _live(self, request_key: str) -> _Pending:
        entry = self._pending.get(request_key)
        if entry is None:
            raise error_for("STAT_NOT_FOUND", "no pending signature request for this requestKey")
        if self._clock() >= entry.expires_at:
            del self._pending[request_key]
            raise error_for("STAT_EXP_CHALLENGE", "the signature request expired")
        return entry

    def prepared_signature(self, request: PreparedSignatureIn) -> bytes:
        with self._lock:
            entry = self._live(request.request_key)
            if entry.fetched:
                raise error_for("STAT_NOT_FOUND", "the signature request was already fetched")
            if not _server.same(request.serial_number, entry.serial_number):
                raise error_for("STAT_INVCREDENTIALS", "serialNumber is not the request's authenticator")
            entry.fetched = True
            return entry.message

    def auth_signature(self, request: AuthSignatureIn) -> SignatureResult:
        with self._lock:
            entry = self._live(request.request_key)
            if self._failures.get(entry.user_id, 0) >= self.max_attempts:
                raise error_for("STAT_LOCKED", "the user is locked")
            same_user = _server.same(request.user_id, entry.user_id) and (
                request.domain is None or (entry.domain is not None and _server.same(request.domain, entry.domain))
            )
            if not (same_user & request.signature_matches(entry.signature)):
                if same_user:
                    self._failures[entry.user_id] = self._failures.get(entry.user_id, 0) + 1
                raise error_for("STAT_INVCREDENTIALS", "the user or the e-signature is not accepted")
            del self._pending[request.request_key]
            self._failures.pop(entry.user_id, None)
            return SignatureResult(entry.user_id, entry.domain, "", entry.serial_number)


# --------------------------------------------------------------------------- embedded gateway


class EmbeddedGateway:
    """A minimal DIGIPASS Gateway push-signature service, sans-I/O: ``handle(HttpRequest) -> HttpResponse``.

    Serves ``<base_path>getPreparedSignatureRequest`` and ``<base_path>authSignature``; checks the
    Basic API key and the formats as ``options`` (:class:`ServerOptions`) say, then asks ``backend``. Every refusal
    is an answer (see :func:`build_error_response`); nothing raises out of :meth:`handle` for a bad
    request. An error the backend raises that is not a OneSpanError is not caught.
    """

    def __init__(self, backend: SignatureBackend, **options: Unpack[ServerOptions]) -> None:
        for name in ("prepared_signature", "auth_signature"):
            if not callable(getattr(backend, name, None)):
                raise InputError("backend", f"must have a {name} method (a SignatureBackend)")
        self.backend = backend
        self._options = ServerOptions(**options)
        _checked("EmbeddedGateway", self._options)  # refuse bad options now, not on the first request

    def __repr__(self) -> str:
        return f"EmbeddedGateway(base_path={self.base_path!r}, backend={type(self.backend).__name__})"

    @property
    def base_path(self) -> str:
        return self._options.get("base_path", BASE_PATH)

    def serves(self, path: str) -> bool:
        """Whether ``path`` is under this gateway's ``base_path`` (what a router mounting it asks)."""
        return path.startswith(self.base_path.rstrip("/") + "/")

    def handle(self, http_request: HttpRequest) -> HttpResponse:
        """Answer one request; raises only InputError when ``http_request`` is not an HttpRequest."""
        request = _server.http_request_arg(http_request)
        service = request.path.rstrip("/").rpartition("/")[2]
        try:
            if service == _SERVICES[0]:
                message = self.backend.prepared_signature(
                    parse_get_prepared_signature_http_request(request, **self._options)
                )
                return build_prepared_signature_response(message)
            result = self.backend.auth_signature(parse_auth_signature_http_request(request, **self._options))
            return build_auth_signature_response(result)
        except OneSpanError as exc:
            return build_error_response(exc)


#: The same-role name as ``adss.EmbeddedSigner`` / ``csc.EmbeddedSigner``: the package's embedded server.
EmbeddedSigner = EmbeddedGateway
