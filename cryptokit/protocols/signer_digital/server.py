"""Server half of Signer.Digital key-authorization OTP, sans-I/O: ``GenKeyAuthOTP``, ``SetKeyAuthOTP``
and the OTP gate in front of a Sign call.

For a signing service that embeds cryptokit (or a test double of Kluis). :func:`parse_key_auth_http_request`
takes an :class:`~cryptokit.protocols.HttpRequest` as :func:`~.requests.build_gen_key_auth_otp_request`
and :func:`~.requests.build_set_key_auth_otp_request` build it (credentials in headers under
configurable names or in the query, any base path, ``ClientAppProfName`` or ``CertProfileName``)
and returns a :class:`KeyAuthIn` or raises the :class:`~.errors.SignerDigitalError` to answer with;
:func:`build_response` and :func:`build_error_response` make the RespErrPl answers that
:func:`~.responses.parse_response` and :func:`~.responses.raise_for_sign_answer` read back.
:class:`EmbeddedSigner` puts them together; every decision (credentials, sending an OTP, checking
it, whether a Sign call needs one) is the caller's :class:`KeyAuthBackend`
(:class:`InMemoryKeyAuthBackend` is the reference, for tests and demos).

What the seed does not say, and is cryptokit's choice here: the Error_cd of any refusal other than
the OTP demand (none is sent: ``Status_cd`` "0" and a ``Message``), the HTTP statuses (401 bad or
missing credentials, 400 a malformed request, 404 an unknown path, 405 a wrong method, 413 a body
over 1 MiB, 403 a refusal by the backend and the OTP demand), which of OA03A/OA03B/OA04 means what
(the backend picks), how long an authorization lasts (the backend's business), and the Sign API
itself: its path, body and answer. The Sign call is therefore only gated: it is authenticated with
CscId/Password as the KeyAuth calls are, the backend says whether it needs an OTP first, and the
caller's ``sign`` callable answers it. Parsing proves the request's shape only. The password and
the OTP never appear in a ``repr``, a message or an answer.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from ...errors import CryptokitError, InputError
from .. import HttpRequest, HttpResponse, _server
from .._args import text_arg
from .._json import as_object, loads
from .errors import KEY_AUTH_OTP_CODES, SignerDigitalError
from .requests import BASE_PATH, CSC_ID_HEADER, PASSWORD_HEADER
from .responses import MAX_BODY

__all__ = [
    "GEN_KEY_AUTH_OTP",
    "SET_KEY_AUTH_OTP",
    "KeyAuthIn",
    "KeyAuthBackend",
    "InMemoryKeyAuthBackend",
    "EmbeddedSigner",
    "parse_key_auth_http_request",
    "build_response",
    "build_error_response",
]

Action = Literal["GenKeyAuthOTP", "SetKeyAuthOTP"]
GEN_KEY_AUTH_OTP: Action = "GenKeyAuthOTP"
SET_KEY_AUTH_OTP: Action = "SetKeyAuthOTP"
_METHOD: dict[str, str] = {GEN_KEY_AUTH_OTP: "GET", SET_KEY_AUTH_OTP: "POST"}
JSON = "application/json; charset=utf-8"
_MAX = 256


def _refuse(message: str, http_status: int) -> SignerDigitalError:
    """A refusal the seed gives no code for: Status_cd "0", no Error_cd. ``message`` never holds a value."""
    return SignerDigitalError(None, message, http_status)


@dataclass(frozen=True, slots=True)
class KeyAuthIn:
    """A GenKeyAuthOTP or SetKeyAuthOTP call as received. ``password`` and ``otp`` (None for
    GenKeyAuthOTP) are secrets: not in ``repr``."""

    action: Action
    csc_id: str
    key_label: str
    client_app_profile: str | None = None
    password: str = field(default="", repr=False)
    otp: str | None = field(default=None, repr=False)


# --------------------------------------------------------------------------- parsing


def _field(value: object, name: str, *, secret: bool = False) -> str:
    try:
        return text_arg(value, name, max_len=_MAX, secret=secret)
    except InputError as exc:
        raise _refuse(f"{name} {exc.rule}", 400) from None


def _credentials(request: HttpRequest, csc_id_header: str, password_header: str) -> tuple[str, str]:
    """(CscId, Password): from the headers when the CscId header is there, else from the query."""
    if request.header(csc_id_header) is not None:
        csc_id, password = request.header(csc_id_header), request.header(password_header)
    else:
        csc_id, password = request.query.get(CSC_ID_HEADER), request.query.get(PASSWORD_HEADER)
    if csc_id is None or password is None:
        raise _refuse("CscId and Password are required (in headers or in the query)", 401)
    return _field(csc_id, "CscId"), _field(password, "Password", secret=True)


def _action(request: HttpRequest, base_path: str) -> Action:
    base = base_path if base_path.endswith("/") else base_path + "/"
    path = request.path.rstrip("/")
    name = path[len(base) :] if path.startswith(base) else ""
    if name not in _METHOD:
        raise _refuse(f"no such endpoint: expected {base}{GEN_KEY_AUTH_OTP} or {base}{SET_KEY_AUTH_OTP}", 404)
    if request.method.upper() != _METHOD[name]:
        raise _refuse(f"{name} takes {_METHOD[name]}", 405)
    return GEN_KEY_AUTH_OTP if name == GEN_KEY_AUTH_OTP else SET_KEY_AUTH_OTP


def _gen_profile(query: Mapping[str, str]) -> str | None:
    """``ClientAppProfName`` (the seed's table) or ``CertProfileName`` (its sample URL); both must agree."""
    given = [query[name] for name in ("ClientAppProfName", "CertProfileName") if name in query]
    if len(given) == 2 and given[0] != given[1]:
        raise _refuse("ClientAppProfName and CertProfileName differ", 400)
    return _field(given[0], "ClientAppProfName") if given else None


def _set_body(request: HttpRequest) -> tuple[str, str, str | None]:
    """(OTP, KeyLabel, ClientAppProfName) of a ReqSetKeyAuthOTP body."""
    if len(request.body) > MAX_BODY:
        raise _refuse(f"the body is over {MAX_BODY} bytes", 413)
    try:
        data = as_object(loads(request.body))
    except InputError as exc:
        raise _refuse(f"the body {exc.rule}", 400) from None
    profile = data.get("ClientAppProfName")
    return (
        _field(data.get("OTP"), "OTP", secret=True),
        _field(data.get("KeyLabel"), "KeyLabel"),
        None if profile is None else _field(profile, "ClientAppProfName"),
    )


def parse_key_auth_http_request(
    http_request: HttpRequest,
    *,
    base_path: str = BASE_PATH,
    csc_id_header: str = CSC_ID_HEADER,
    password_header: str = PASSWORD_HEADER,
) -> KeyAuthIn:
    """Read ``GET <base>GenKeyAuthOTP?KeyLabel=..`` or ``POST <base>SetKeyAuthOTP {OTP, KeyLabel, ..}``.

    Raises the :class:`~.errors.SignerDigitalError` to answer with (turn it into a response with
    :func:`build_error_response`), or InputError if ``http_request`` is not an HttpRequest. Proves
    the shape only; the credentials, key label and OTP are the backend's to check.
    """
    request = _server.http_request_arg(http_request)
    action = _action(request, base_path)
    csc_id, password = _credentials(request, csc_id_header, password_header)
    if action == GEN_KEY_AUTH_OTP:
        key_label = _field(request.query.get("KeyLabel"), "KeyLabel")
        return KeyAuthIn(action, csc_id, key_label, _gen_profile(request.query), password)
    otp, key_label, profile = _set_body(request)
    return KeyAuthIn(action, csc_id, key_label, profile, password, otp)


# --------------------------------------------------------------------------- answers


def build_response(message: str | None = None) -> HttpResponse:
    """The 200 RespErrPl of a successful call: ``{"Status_cd": "1", "Message": ..}``."""
    doc: dict[str, Any] = {"Status_cd": "1"}
    if message is not None:
        doc["Message"] = text_arg(message, "message", max_len=1000)
    return _server.json_response(200, doc, JSON)


def build_error_response(error: SignerDigitalError) -> HttpResponse:
    """The RespErrPl of a refusal: ``{"Status_cd": "0", "Error_cd": code?, "Message": ..}`` with the
    error's HTTP status (400 when it has none). The client half raises the same class again (the OTP
    codes as :class:`~.errors.SignerDigitalKeyAuthOtpRequired`). Never put a secret in the message."""
    if not isinstance(error, SignerDigitalError):
        raise InputError("error", "must be a SignerDigitalError")
    status = error.http_status or 400
    if not 400 <= status <= 599:
        raise InputError("error.http_status", "must be an HTTP error status (400..599)")
    doc: dict[str, Any] = {"Status_cd": "0"}
    if error.code is not None:
        doc["Error_cd"] = error.code
    doc["Message"] = error.message[:1000]
    headers = {"Allow": _METHOD.get(error.message.split(" ")[0], "GET, POST")} if status == 405 else None
    return _server.json_response(status, doc, JSON, headers)


# --------------------------------------------------------------------------- backend


class KeyAuthBackend(Protocol):
    """The decisions :class:`EmbeddedSigner` delegates. No method may raise for a refusal: it says no."""

    def authenticate(self, csc_id: str, password: str) -> bool:
        """Whether ``password`` is the CSC's password."""
        ...

    def send_otp(self, csc_id: str, key_label: str, profile: str | None) -> bool:
        """Generate an OTP for the key and send it to its owner; False when the CSC has no such key."""
        ...

    def check_otp(self, csc_id: str, key_label: str, profile: str | None, otp: str) -> bool:
        """Whether ``otp`` is the one sent for the key (and, when True, authorize the key's use)."""
        ...

    def otp_required(self, csc_id: str, request: HttpRequest) -> str | None:
        """For a Sign call: OA03A, OA03B or OA04 when key use needs OTP authorization first, else None."""
        ...


def _sign_key(request: HttpRequest) -> tuple[str | None, str | None]:
    try:
        data = as_object(loads(request.body)) if request.body else {}
    except InputError:
        return None, None
    label, profile = data.get("KeyLabel"), data.get("ClientAppProfName")
    return (label if isinstance(label, str) else None, profile if isinstance(profile, str) else None)


class InMemoryKeyAuthBackend:
    """The reference :class:`KeyAuthBackend`, for tests and demos: CSC accounts and their key labels in
    memory; the OTP "sent" is kept for :meth:`sent_otp` (the owner's phone). An OTP is good for one
    SetKeyAuthOTP, right or wrong; a right one authorizes the key (for its profile) until
    :meth:`revoke`. The Sign body is not documented: this backend reads ``KeyLabel`` and
    ``ClientAppProfName`` from a JSON Sign body (``sign_key`` replaces that) and demands ``code``
    for a key not authorized. Thread-safe; no secret in ``repr``."""

    def __init__(
        self,
        accounts: Mapping[str, str],
        keys: Mapping[str, Collection[str]],
        *,
        code: str = "OA03A",
        otp_factory: Callable[[], str] = lambda: f"{secrets.randbelow(10**6):06d}",
        sign_key: Callable[[HttpRequest], tuple[str | None, str | None]] = _sign_key,
    ) -> None:
        if code not in KEY_AUTH_OTP_CODES:
            raise InputError("code", "must be OA03A, OA03B or OA04")
        if not isinstance(accounts, Mapping):
            raise InputError("accounts", "must map user ids to passwords")
        if not isinstance(keys, Mapping) or not all(isinstance(v, Collection) for v in keys.values()):
            raise InputError("keys", "must map user ids to collections of key labels")
        self._accounts = {
            text_arg(k, "accounts", max_len=_MAX): text_arg(v, "accounts", secret=True, max_len=_MAX)
            for k, v in accounts.items()
        }
        self._keys = {k: frozenset(v) for k, v in keys.items()}
        self.code = code
        self._otp_factory = otp_factory
        self._sign_key = sign_key
        self._sent: dict[tuple[str, str, str | None], str] = {}
        self._authorized: set[tuple[str, str, str | None]] = set()
        self._lock = threading.Lock()
        self._no_password = secrets.token_urlsafe(24)

    def __repr__(self) -> str:
        return f"InMemoryKeyAuthBackend(accounts={len(self._accounts)}, authorized={len(self._authorized)})"

    def authenticate(self, csc_id: str, password: str) -> bool:
        expected = self._accounts.get(csc_id)
        # an unknown CscId costs the same comparison (against a password nobody knows)
        ok = _server.same(password, self._no_password if expected is None else expected)
        return ok and expected is not None

    def send_otp(self, csc_id: str, key_label: str, profile: str | None) -> bool:
        if key_label not in self._keys.get(csc_id, ()):
            return False
        with self._lock:
            self._sent[(csc_id, key_label, profile)] = self._otp_factory()
        return True

    def sent_otp(self, csc_id: str, key_label: str, profile: str | None = None) -> str | None:
        """The OTP last sent for the key and not yet used (what the owner reads on the phone)."""
        with self._lock:
            return self._sent.get((csc_id, key_label, profile))

    def check_otp(self, csc_id: str, key_label: str, profile: str | None, otp: str) -> bool:
        key = (csc_id, key_label, profile)
        with self._lock:
            expected = self._sent.pop(key, None)
            ok = expected is not None and _server.same(otp, expected)
            if ok:
                self._authorized.add(key)
        return ok

    def revoke(self, csc_id: str, key_label: str, profile: str | None = None) -> None:
        with self._lock:
            self._authorized.discard((csc_id, key_label, profile))

    def otp_required(self, csc_id: str, request: HttpRequest) -> str | None:
        key_label, profile = self._sign_key(request)
        with self._lock:
            authorized = key_label is not None and (csc_id, key_label, profile) in self._authorized
        return None if authorized else self.code


# --------------------------------------------------------------------------- embedded service


class EmbeddedSigner:
    """A minimal Kluis key-authorization service, sans-I/O: ``handle(HttpRequest) -> HttpResponse``.

    Serves ``<base_path>GenKeyAuthOTP`` and ``<base_path>SetKeyAuthOTP`` and, when ``sign`` is given,
    the Sign call at ``sign_path``: authenticated like the KeyAuth calls, answered with the backend's
    OTP demand (``Status_cd`` "0", ``Error_cd`` OA03x, HTTP 403) or passed to ``sign``. Every refusal
    is a RespErrPl answer; nothing raises out of :meth:`handle` for a bad request.
    """

    def __init__(
        self,
        backend: KeyAuthBackend,
        *,
        base_path: str = BASE_PATH,
        csc_id_header: str = CSC_ID_HEADER,
        password_header: str = PASSWORD_HEADER,
        sign_path: str | None = None,
        sign: Callable[[HttpRequest], HttpResponse] | None = None,
    ) -> None:
        if (sign_path is None) != (sign is None):
            raise InputError("sign_path", "sign_path and sign are given together or not at all")
        self._backend = backend
        self.base_path = text_arg(base_path, "base_path", max_len=_MAX)
        self._headers = (
            text_arg(csc_id_header, "csc_id_header", max_len=64),
            text_arg(password_header, "password_header", max_len=64),
        )
        self.sign_path = None if sign_path is None else text_arg(sign_path, "sign_path", max_len=_MAX).rstrip("/")
        self._sign = sign

    def __repr__(self) -> str:
        return f"EmbeddedSigner(base_path={self.base_path!r}, sign_path={self.sign_path!r})"

    def serves(self, path: str) -> bool:
        """Whether ``path`` is one this service answers: under ``base_path``, or the Sign call's
        ``sign_path`` (what a router mounting it asks)."""
        under = path.startswith(self.base_path.rstrip("/") + "/")
        return under or (self.sign_path is not None and path.rstrip("/") == self.sign_path)

    def handle(self, http_request: HttpRequest) -> HttpResponse:
        """Answer one request; raises only InputError when ``http_request`` is not an HttpRequest."""
        request = _server.http_request_arg(http_request)
        try:
            if self.sign_path is not None and request.path.rstrip("/") == self.sign_path:
                return self._sign_call(request)
            return self._key_auth(
                parse_key_auth_http_request(
                    request, base_path=self.base_path, csc_id_header=self._headers[0], password_header=self._headers[1]
                )
            )
        except SignerDigitalError as exc:
            return build_error_response(exc)
        except CryptokitError:
            return build_error_response(_refuse("internal error", 500))

    def _authenticate(self, csc_id: str, password: str) -> None:
        if self._backend.authenticate(csc_id, password) is not True:
            raise _refuse("CscId or Password is not valid", 401)

    def _key_auth(self, req: KeyAuthIn) -> HttpResponse:
        self._authenticate(req.csc_id, req.password)
        if req.action == GEN_KEY_AUTH_OTP:
            if self._backend.send_otp(req.csc_id, req.key_label, req.client_app_profile) is not True:
                raise _refuse("no OTP can be sent for this KeyLabel", 403)
            return build_response("OTP sent to the key owner")
        assert req.otp is not None
        if self._backend.check_otp(req.csc_id, req.key_label, req.client_app_profile, req.otp) is not True:
            raise _refuse("the OTP is not valid for this KeyLabel", 403)
        return build_response("key use authorized")

    def _sign_call(self, request: HttpRequest) -> HttpResponse:
        assert self._sign is not None
        csc_id, password = _credentials(request, *self._headers)
        self._authenticate(csc_id, password)
        code = self._backend.otp_required(csc_id, request)
        if code is not None:
            if code not in KEY_AUTH_OTP_CODES:
                return build_error_response(_refuse("internal error", 500))
            return build_error_response(SignerDigitalError(code, "key use needs OTP authorization", 403))
        return self._sign(request)
