"""Server half of ADSS CSP signing, sans-I/O: read ``/v2/sign/request`` and ``/v2/sign/status``, sign, answer.

For a signing service that embeds cryptokit (or a test double of ADSS). ``parse_*`` take an
:class:`~cryptokit.protocols.HttpRequest` and return a typed value or raise the :class:`AdssError`
the vendor would answer with (code from the guide's table, section 8, and an HTTP status);
``build_*`` turn a value or an error into an :class:`~cryptokit.protocols.HttpResponse` that the
client half (:func:`~.responses.parse_sign_response`) reads back into the same result or error class.
:class:`EmbeddedSigner` puts the pieces together for one key.

Which code answers which refusal is cryptokit's reading of the table (the guide assigns none):
wrong path 60043 / HTTP 404, wrong method 60056 / 405, no or malformed bearer token 60045 / 401,
bad JSON or a field of the wrong type 60043 / 400, missing ``profile_id`` 60020, ``cert_alias``
60022, ``request_id`` 60015, no documents 60049, missing ``hash_algo`` 60048, a hash that is not
base64 of a digest of its ``hash_algo`` OID (or an unknown OID) 60055, all 400.

The bearer token is returned as an opaque field for the caller to check (never in ``repr``);
parsing proves only the request's shape, not that the token, profile or certificate alias are
valid: that is the caller's (or :class:`EmbeddedSigner`'s) check.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ...algorithms import hash_algorithm
from ...encoding import b64encode
from ...errors import CryptokitError, InputError
from ...hashing import HashToSign
from ...pkcs12 import KeyBundle
from ...signatures.public_keys import PrivateKeyLike
from .. import HttpRequest, HttpResponse, _server
from .._json import as_object, loads
from . import _wire
from .errors import ERROR_CODES, AdssError, ErrorFamily, error_for
from .requests import V2_PATH
from .values import MAX_DOCUMENTS, SignStatus

__all__ = [
    "SIGN_REQUEST_PATH",
    "SIGN_STATUS_PATH",
    "SignRequestIn",
    "SignStatusIn",
    "EmbeddedSigner",
    "parse_sign_request",
    "parse_sign_http_request",
    "parse_sign_status_request",
    "sign_hashes",
    "build_sign_response",
    "build_sign_status_response",
    "build_error_response",
    "http_status_for",
]

SIGN_REQUEST_PATH = V2_PATH + "/sign/request"
SIGN_STATUS_PATH = V2_PATH + "/sign/status"

JSON = "application/json; charset=utf-8"
_OID = re.compile(r"\A[0-2](\.(0|[1-9][0-9]{0,9})){1,20}\Z")

_FAMILY_STATUS = {
    ErrorFamily.SERVICE: 500,
    ErrorFamily.AUTHENTICATION: 401,
    ErrorFamily.INPUT: 400,
    ErrorFamily.CERTIFICATE: 412,
    ErrorFamily.SIGNING: 400,
    ErrorFamily.ACCESS_CONTROL: 401,
}
_CODE_STATUS = {"60019": 404, "60030": 404, "60037": 404, "60056": 405}

Scheme = Literal["auto", "pkcs1v15", "pss", "ecdsa"]
Encoding = Literal["der", "raw"]


def http_status_for(code: str | int) -> int:
    """The HTTP status cryptokit answers an ADSS error ``code`` with (by its family; 404/405 for a few)."""
    text = str(code).strip()
    entry = ERROR_CODES.get(text)
    if entry is None:
        raise InputError("code", f"{text[:32]!r} is not in the ADSS error table")
    return _CODE_STATUS.get(text, _FAMILY_STATUS[entry.family])


def _refuse(code: str, detail: str, http_status: int | None = None) -> AdssError:
    """The error ADSS answers with: the table's text plus what was wrong (never a value)."""
    return error_for(code, f"{ERROR_CODES[code].description} ({detail})", http_status or http_status_for(code))


# --------------------------------------------------------------------------- request values


@dataclass(frozen=True, slots=True)
class SignRequestIn:
    """A ``/v2/sign/request`` as received: its fields, one :class:`HashToSign` per document (request
    order) and the bearer ``token``. ``token`` and ``cert_password`` are secrets: not in ``repr``,
    compare them with :meth:`token_matches` / :meth:`cert_password_matches` (constant time)."""

    profile_id: str
    cert_alias: str
    hashes: tuple[HashToSign, ...]
    doc_aliases: tuple[str | None, ...]
    sam_user_id: str | None = None
    request_description: str | None = None
    app_name: str | None = None
    accept_language: str | None = None
    token: str = field(default="", repr=False)
    cert_password: str | None = field(default=None, repr=False)

    def token_matches(self, expected: str) -> bool:
        return _server.same(self.token, expected)

    def cert_password_matches(self, expected: str | None) -> bool:
        if self.cert_password is None or expected is None:
            return self.cert_password is None and expected is None
        return _server.same(self.cert_password, expected)


@dataclass(frozen=True, slots=True)
class SignStatusIn:
    """A ``/v2/sign/status`` poll as received; ``token`` is not in ``repr``."""

    profile_id: str
    request_id: str
    app_name: str | None = None
    token: str = field(default="", repr=False)

    def token_matches(self, expected: str) -> bool:
        return _server.same(self.token, expected)


# --------------------------------------------------------------------------- parsing


def _route(http_request: object, path: str) -> HttpRequest:
    request = _server.http_request_arg(http_request)
    if request.path.rstrip("/") != path:
        raise _refuse("60043", f"no such endpoint: expected {path}", 404)
    if request.method.upper() != "POST":
        raise _refuse("60056", f"{path} takes POST")
    return request


def _bearer(request: HttpRequest) -> str:
    value = request.header("Authorization")
    if value is None:
        raise _refuse("60045", "the Authorization: Bearer header is missing")
    token = _server.bearer_token(value, well_formed=lambda t: _server.B64TOKEN.match(t) is not None)
    if token is None:
        raise _refuse("60045", "the Authorization header is not 'Bearer <token>'")
    return token


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > _wire.MAX_BODY:
        raise _refuse("60043", f"the body is over {_wire.MAX_BODY} bytes", 413)
    try:
        return as_object(loads(request.body))
    except InputError as exc:
        raise _refuse("60043", f"the body {exc.rule}") from None


def _text(
    data: dict[str, Any], key: str, where: str, missing: str | None, *, max_len: int = 256, free_text: bool = False
) -> str | None:
    """A string field; ``missing`` is the code for an absent or empty one (None: optional)."""
    value = data.get(key)
    if value is None or value == "":
        if missing is not None:
            raise _refuse(missing, f"{where}{key} is missing")
        return None
    if not isinstance(value, str):
        raise _refuse("60043", f"{where}{key} must be a string")
    if len(value) > max_len:
        raise _refuse("60043", f"{where}{key} is over {max_len} characters")
    if not free_text and any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise _refuse("60043", f"{where}{key} must not contain control characters")
    return value


def _hash(entry: dict[str, Any], where: str) -> HashToSign:
    oid = _text(entry, "hash_algo", where, "60048", max_len=64)
    digest_b64 = _text(entry, "hash_to_sign_base64", where, "60049", max_len=1024)
    assert oid is not None and digest_b64 is not None
    if not _OID.match(oid):
        raise _refuse("60055", f"{where}hash_algo must be a dotted OID")
    try:
        alg = hash_algorithm(oid)
    except CryptokitError:
        raise _refuse("60055", f"{where}hash_algo {oid} is not a supported hash algorithm") from None
    try:
        return HashToSign.from_b64(alg, digest_b64)
    except InputError:
        raise _refuse(
            "60055", f"{where}hash_to_sign_base64 is not base64 of a {alg.digest_size}-byte {alg.name} digest"
        ) from None


def parse_sign_request(http_request: HttpRequest, *, path: str = SIGN_REQUEST_PATH) -> SignRequestIn:
    """Read a ``POST /v2/sign/request``: method, path, bearer header, body shape, every hash.

    Each ``hash_to_sign_base64`` is decoded strictly and checked against the digest length of its
    ``hash_algo`` OID. Raises the :class:`AdssError` to answer with (see the module notes; turn it
    into a response with :func:`build_error_response`), or InputError if ``http_request`` is not
    an HttpRequest. Proves the shape only; the token, profile and alias are the caller's to check.
    """
    request = _route(http_request, path)
    token = _bearer(request)
    data = _body(request)
    profile_id = _text(data, "profile_id", "", "60020")
    cert_alias = _text(data, "cert_alias", "", "60022")
    docs = data.get("docs_to_sign_info")
    if docs is None or docs == []:
        raise _refuse("60049", "docs_to_sign_info is missing or empty")
    if not isinstance(docs, list):
        raise _refuse("60043", "docs_to_sign_info must be a JSON array")
    if len(docs) > MAX_DOCUMENTS:
        raise _refuse("60043", f"docs_to_sign_info holds more than {MAX_DOCUMENTS} documents")
    hashes: list[HashToSign] = []
    aliases: list[str | None] = []
    for index, entry in enumerate(docs):
        where = f"docs_to_sign_info[{index}]."
        if not isinstance(entry, dict):
            raise _refuse("60043", f"docs_to_sign_info[{index}] must be a JSON object")
        aliases.append(_text(entry, "doc_alias", where, None, max_len=1024))
        hashes.append(_hash(entry, where))
    assert profile_id is not None and cert_alias is not None
    return SignRequestIn(
        profile_id=profile_id,
        cert_alias=cert_alias,
        hashes=tuple(hashes),
        doc_aliases=tuple(aliases),
        sam_user_id=_text(data, "sam_user_id", "", None),
        request_description=_text(data, "request_description", "", None, max_len=32 * 1024, free_text=True),
        app_name=request.header("App-Name"),
        accept_language=request.header("Accept-Language"),
        token=token,
        cert_password=_text(data, "cert_password", "", None, max_len=4096, free_text=True),
    )


def parse_sign_status_request(http_request: HttpRequest, *, path: str = SIGN_STATUS_PATH) -> SignStatusIn:
    """Read a ``POST /v2/sign/status`` poll (``request_id``, also spelled ``requestId`` in the guide).

    Raises the :class:`AdssError` to answer with (60015 for a missing request ID).
    """
    request = _route(http_request, path)
    token = _bearer(request)
    data = _body(request)
    profile_id = _text(data, "profile_id", "", "60020")
    request_id = _text(data, "request_id", "", None) or _text(data, "requestId", "", "60015")
    assert profile_id is not None and request_id is not None
    return SignStatusIn(profile_id, request_id, request.header("App-Name"), token)


# --------------------------------------------------------------------------- signing


def _private_key(signer: object) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    return _server.hash_signing_key(signer, "an ADSS sign request")


def sign_hashes(
    request_in: SignRequestIn | Sequence[HashToSign],
    signer: PrivateKeyLike,
    *,
    scheme: Scheme = "auto",
    signature_encoding: Encoding = "der",
    pss_salt_length: int | None = None,
) -> list[bytes]:
    """One bare signature per hash, in request order, with :func:`cryptokit.signatures.sign_digest`.

    ``signer``: a :class:`~cryptokit.pkcs12.KeyBundle` or an RSA/EC private key. RSA signs
    RSASSA-PKCS1-v1_5 over the DigestInfo of each hash's algorithm (``scheme="auto"``, the guide's
    "PKCS#1") or RSASSA-PSS (``scheme="pss"``, MGF1 with the same hash, salt = digest length unless
    ``pss_salt_length``); ECDSA answers DER or raw r||s (``signature_encoding``). Does not check
    that the signer is allowed to sign or that its certificate is valid.
    """
    key = _private_key(signer)
    if scheme not in ("auto", "pkcs1v15", "pss", "ecdsa"):
        raise InputError("scheme", "must be 'auto', 'pkcs1v15', 'pss' or 'ecdsa'")
    if signature_encoding not in ("der", "raw"):
        raise InputError("signature_encoding", "must be 'der' or 'raw'")
    if isinstance(request_in, SignRequestIn):
        hashes: Sequence[object] = request_in.hashes
    elif isinstance(request_in, Sequence) and not isinstance(request_in, (str, bytes)):
        hashes = request_in
    else:
        raise InputError("request_in", "must be a SignRequestIn or a sequence of HashToSign")
    if len(hashes) > MAX_DOCUMENTS:
        raise InputError("request_in", f"holds more than {MAX_DOCUMENTS} hashes")
    from ...signatures.sign_verify import sign_digest

    out = []
    for index, h in enumerate(hashes):
        if not isinstance(h, HashToSign):
            raise InputError(f"hashes[{index}]", "must be a HashToSign")
        out.append(
            sign_digest(
                key,
                h.digest,
                h.algorithm,
                scheme=scheme,
                signature_encoding=signature_encoding,
                pss_salt_length=pss_salt_length,
            )
        )
    return out


# --------------------------------------------------------------------------- answers


def _json(status: int, doc: dict[str, Any], headers: dict[str, str] | None = None) -> HttpResponse:
    return _server.json_response(status, doc, JSON, headers)


def _result_doc(request_id: str | None, status: SignStatus | str, signatures: Sequence[bytes]) -> dict[str, Any]:
    try:
        st = SignStatus(status)
    except ValueError:
        raise InputError("status", "must be PENDING, TIMEOUT, DECLINED, FAILED or SUCCESS") from None
    if isinstance(signatures, (str, bytes)) or not isinstance(signatures, Sequence):
        raise InputError("signatures", "must be a sequence of signature bytes")
    if len(signatures) > MAX_DOCUMENTS:
        raise InputError("signatures", f"holds more than {MAX_DOCUMENTS} signatures")
    if st is SignStatus.SUCCESS and not signatures:
        raise InputError("signatures", "a SUCCESS answer carries one signature per document")
    if st is not SignStatus.SUCCESS and signatures:
        raise InputError("signatures", f"a {st.value} answer carries no signatures")
    doc: dict[str, Any] = {}
    if request_id is not None:
        doc["request_id"] = _wire.text_arg(request_id, "request_id", max_len=256)
    doc["status"] = st.value
    if signatures:
        sigs = []
        for index, sig in enumerate(signatures):
            if not isinstance(sig, (bytes, bytearray)) or not sig:
                raise InputError(f"signatures[{index}]", "must be non-empty bytes")
            sigs.append({"signature_base64": b64encode(bytes(sig))})
        doc["signatures"] = sigs
    return doc


def build_sign_response(
    request_id: str | None, status: SignStatus | str, signatures: Sequence[bytes] = ()
) -> HttpResponse:
    """The 200 answer of ``/v2/sign/request``: ``{request_id, status, signatures: [{signature_base64}]}``.

    SUCCESS needs the signatures (request order); any other status carries none; PENDING needs a
    ``request_id`` to poll with.
    """
    if request_id is None and str(status) == SignStatus.PENDING.value:
        raise InputError("request_id", "a PENDING answer needs the request ID the client polls with")
    return _json(200, _result_doc(request_id, status, signatures))


def build_sign_status_response(status: SignStatus | str, signatures: Sequence[bytes] = ()) -> HttpResponse:
    """The 200 answer of ``/v2/sign/status``: ``{status, signatures}`` (no request ID, as in the guide)."""
    return _json(200, _result_doc(None, status, signatures))


def build_error_response(
    code: str | int | AdssError, *, http_status: int | None = None, description: str | None = None
) -> HttpResponse:
    """An ADSS error answer ``{"error": code, "error_description": ...}`` for a code of the table.

    ``code`` may be the :class:`AdssError` a ``parse_*`` function raised (its code, message and
    HTTP status are used; an error without a code answers 60001). The HTTP status defaults to
    :func:`http_status_for`; the description to the table's text. The client half's parser raises
    the class of the code's family again. Never put a secret in ``description``.
    """
    if isinstance(code, AdssError):
        http_status = http_status or code.http_status
        description = description or code.message
        code = code.code or "60001"
    text = str(code).strip()
    status = http_status_for(text) if http_status is None else http_status
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise InputError("http_status", "must be an HTTP error status (400..599)")
    if description is not None and (not isinstance(description, str) or len(description) > 1000):
        raise InputError("description", "must be a str of at most 1000 characters")
    doc = {"error": text, "error_description": description or ERROR_CODES[text].description}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if status == 405:
        headers["Allow"] = "POST"
    return _json(status, doc, headers)


# --------------------------------------------------------------------------- embedded signer


@dataclass(slots=True)
class _Entry:
    profile_id: str
    signatures: tuple[bytes, ...]
    polls_left: int


class EmbeddedSigner:
    """A minimal ADSS CSP signing service for one key, sans-I/O: ``handle(HttpRequest) -> HttpResponse``.

    Serves ``/v2/sign/request`` and ``/v2/sign/status``. Checks the bearer token (``token``: the
    expected value, a callable that says yes or no, or None to accept any well-formed token: for
    demos and tests only), ``cert_alias`` (60030 otherwise) and ``profile_id`` when given (60019).
    When the alias is configured with a ``sam_user_id``, the request must name that SAM user (60011
    when it names none, 60039 "Invalid User ID" when another); with a ``cert_password`` (the guide:
    "if certificate is password protected"), the request must carry it (60012 when absent, 60008
    "User ID or password is not valid" when wrong, compared in constant time; never in ``repr``).
    With ``pending_polls=0`` a sign request is answered SUCCESS with its signatures ("simple remote
    signing"); with ``n > 0`` it is answered PENDING and the status poll answers PENDING ``n - 1``
    times, then ``final_status`` (SUCCESS, or TIMEOUT/DECLINED/FAILED to stand for a user who let
    it expire or refused, without signatures) ("authorise remote signing"). Requests are kept in memory, the oldest
    dropped beyond ``max_requests``. Every refusal is an ADSS error answer; nothing raises out of
    :meth:`handle` for a bad request. Thread-safe.
    """

    def __init__(
        self,
        signer: KeyBundle | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        *,
        cert_alias: str,
        profile_id: str | None = None,
        token: _server.TokenCheck = None,
        scheme: Scheme = "auto",
        signature_encoding: Encoding = "der",
        pss_salt_length: int | None = None,
        pending_polls: int = 0,
        max_requests: int = 1024,
        sam_user_id: str | None = None,
        cert_password: str | None = None,
        final_status: SignStatus | str = SignStatus.SUCCESS,
    ) -> None:
        _private_key(signer)  # refuse an unusable signer now, not on the first request
        self._signer = signer
        self.cert_alias = _wire.text_arg(cert_alias, "cert_alias", max_len=256)
        self.profile_id = None if profile_id is None else _wire.text_arg(profile_id, "profile_id", max_len=256)
        self._token = _server.token_check_arg(token, "token", "must be the expected token, a callable, or None")
        if scheme not in ("auto", "pkcs1v15", "pss", "ecdsa"):
            raise InputError("scheme", "must be 'auto', 'pkcs1v15', 'pss' or 'ecdsa'")
        if signature_encoding not in ("der", "raw"):
            raise InputError("signature_encoding", "must be 'der' or 'raw'")
        self._options: dict[str, Any] = {
            "scheme": scheme,
            "signature_encoding": signature_encoding,
            "pss_salt_length": pss_salt_length,
        }
        for name, value, low in (("pending_polls", pending_polls, 0), ("max_requests", max_requests, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise InputError(name, f"must be an integer >= {low}")
        self.pending_polls = pending_polls
        self.max_requests = max_requests
        self.sam_user_id = None if sam_user_id is None else _wire.text_arg(sam_user_id, "sam_user_id", max_len=256)
        self._cert_password = (
            None if cert_password is None else _wire.text_arg(cert_password, "cert_password", max_len=4096)
        )
        try:
            final = SignStatus(final_status)
        except ValueError:
            final = SignStatus.PENDING
        if final is SignStatus.PENDING:
            raise InputError("final_status", "must be SUCCESS, TIMEOUT, DECLINED or FAILED")
        self.final_status = final
        self._requests: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"EmbeddedSigner(cert_alias={self.cert_alias!r}, requests={len(self._requests)})"

    @property
    def certificate(self) -> Any:
        """The signer's certificate (None for a bare key)."""
        return self._signer.certificate if isinstance(self._signer, KeyBundle) else None

    @property
    def chain(self) -> tuple[Any, ...]:
        return self._signer.chain if isinstance(self._signer, KeyBundle) else ()

    def _check_token(self, token: str) -> None:
        if not _server.accepts(self._token, token):
            raise _refuse("60045", "the bearer token is not accepted")

    def _check_sam_user(self, sam_user_id: str | None) -> None:
        if self.sam_user_id is None:
            return
        if sam_user_id is None:
            raise _refuse("60011", "sam_user_id is missing: this certificate is for authorised remote signing")
        if not _server.same(sam_user_id, self.sam_user_id):
            raise _refuse("60039", "sam_user_id is not the SAM user of this certificate")

    def _check_cert_password(self, req: SignRequestIn) -> None:
        if self._cert_password is None:
            return  # the guide: cert_password only "if certificate is password protected"
        if req.cert_password is None:
            raise _refuse("60012", "cert_password is missing: the certificate is password protected")
        if not req.cert_password_matches(self._cert_password):
            raise _refuse("60008", "cert_password is not the certificate's password")

    def _check_profile(self, profile_id: str) -> None:
        if self.profile_id is not None and not _server.same(profile_id, self.profile_id):
            raise _refuse("60019", "unknown profile_id")

    def handle(self, http_request: HttpRequest) -> HttpResponse:
        """Answer one request; raises only InputError when ``http_request`` is not an HttpRequest."""
        _server.http_request_arg(http_request)
        try:
            if http_request.path.rstrip("/") == SIGN_STATUS_PATH:
                return self._status(parse_sign_status_request(http_request))
            return self._sign(parse_sign_request(http_request))
        except AdssError as exc:
            return build_error_response(exc)
        except CryptokitError:
            return build_error_response("60001")

    def _sign(self, req: SignRequestIn) -> HttpResponse:
        self._check_token(req.token)
        self._check_profile(req.profile_id)
        if not _server.same(req.cert_alias, self.cert_alias):
            raise _refuse("60030", "no certificate with this cert_alias")
        self._check_sam_user(req.sam_user_id)
        self._check_cert_password(req)
        final = self.final_status
        signatures = tuple(sign_hashes(req, self._signer, **self._options)) if final is SignStatus.SUCCESS else ()
        request_id = secrets.token_hex(10)
        with self._lock:
            self._requests[request_id] = _Entry(req.profile_id, signatures, self.pending_polls - 1)
            while len(self._requests) > self.max_requests:
                self._requests.popitem(last=False)
        if self.pending_polls:
            return build_sign_response(request_id, SignStatus.PENDING)
        return build_sign_response(request_id, final, signatures)

    def _status(self, poll: SignStatusIn) -> HttpResponse:
        self._check_token(poll.token)
        self._check_profile(poll.profile_id)
        with self._lock:
            entry = self._requests.get(poll.request_id)
            if entry is None or not _server.same(entry.profile_id, poll.profile_id):
                raise _refuse("60043", "unknown request_id", 404)
            pending = entry.polls_left > 0
            if pending:
                entry.polls_left -= 1
        if pending:
            return build_sign_status_response(SignStatus.PENDING)
        return build_sign_status_response(self.final_status, entry.signatures)


#: The same-role name as ``csc.parse_sign_hash_http_request``: reads the incoming HttpRequest.
parse_sign_http_request = parse_sign_request
