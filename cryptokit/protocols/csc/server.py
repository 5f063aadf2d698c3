"""Server half of the CSC API ``signatures/signHash`` (v1.0.4 and v2.0), sans-I/O.

For a signing service that embeds cryptokit (or a test double of a CSC remote signing service).
:func:`parse_sign_hash_http_request` takes an :class:`~cryptokit.protocols.HttpRequest` and returns a
:class:`SignHashIn` or raises the :class:`~.errors.CscError` to answer with; :func:`sign_hashes`
signs with the scheme ``signAlgo``/``signAlgoParams`` ask for; :func:`build_sign_hash_response`
and :func:`build_error_response` make the :class:`~cryptokit.protocols.HttpResponse` that the
client half (:func:`~.responses.parse_sign_hash_response`) reads back into the same result or
error class. :class:`EmbeddedCscSigner` serves one credential.

Error answers use the specification's ``error_description`` texts: a body field missing or of the
wrong type is ``invalid_request`` "Missing (or invalid type) ... parameter <name>", a wrong-length
digest "Invalid digest value length", bad base64 "Invalid Base64 hash string parameter", an empty
list "Empty hash array", a value not accepted "Invalid parameter <name>" (all HTTP 400). Not in the
specification and chosen here: no Authorization header is 401 ``invalid_token`` (RFC 6750 asks
for ``WWW-Authenticate: Bearer``, which is sent), a header that is not ``Bearer <token>`` 400
"Malformed authorization header", a wrong path 404 and a wrong method 405 ``invalid_request``.
Parsing proves the request's shape; the token, SAD and credential are the caller's to check.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from ...algorithms import HashAlgorithm, SignatureAlgorithm, hash_algorithm
from ...encoding import b64decode, b64encode
from ...errors import CryptokitError, InputError, UnsupportedAlgorithm
from ...hashing import HashToSign
from ...pkcs12 import KeyBundle
from ...signatures.pss_params import PssParams
from ...signatures.public_keys import PrivateKeyLike
from .. import HttpRequest, HttpResponse, _server
from .._args import optional_str_arg
from . import _wire
from .errors import CscError, error_class
from .requests import MAX_HASHES, RSA_ENCRYPTION, RSASSA_PSS, SignHashRequest
from .requests import parse_sign_hash_request as _parse_body

__all__ = [
    "SignHashIn",
    "EmbeddedCscSigner",
    "EmbeddedSigner",
    "parse_sign_hash_http_request",
    "sign_hashes",
    "build_sign_hash_response",
    "build_credential_info_response",
    "build_error_response",
]

JSON = "application/json"
_PATH = re.compile(r"/v([12])/signatures/signHash/?\Z")
_ERROR_NAME = re.compile(r"\A[A-Za-z0-9_.\-]{1,64}\Z")
_STATUS_OF = {
    "invalid_token": 401,
    "expired_token": 401,
    "invalid_client": 401,
    "access_denied": 403,
    "server_error": 500,
    "temporarily_unavailable": 503,
}
# ECDSA signAlgo OIDs offered by credentials/info for an EC key (X9.62, DER signatures).
_ECDSA_OIDS = ("1.2.840.10045.4.3.2", "1.2.840.10045.4.3.3", "1.2.840.10045.4.3.4")
_RSA_OIDS = (RSA_ENCRYPTION, "1.2.840.113549.1.1.11", "1.2.840.113549.1.1.12", "1.2.840.113549.1.1.13", RSASSA_PSS)


def _refuse(description: str, *, error: str = "invalid_request", http_status: int | None = None) -> CscError:
    """The error the service answers with (the class the client half maps it to)."""
    status = http_status if http_status is not None else _STATUS_OF.get(error, 400)
    return error_class(error, description)(error, description, status)


# --------------------------------------------------------------------------- request value


@dataclass(frozen=True, slots=True)
class SignHashIn:
    """A ``signatures/signHash`` as received: ``request`` (the :class:`SignHashRequest` the client
    half would have built: hashes, resolved algorithms, PSS parameters), the CSC ``version``,
    ``client_data``, and the secrets ``access_token`` and ``sad`` (not in ``repr``; compare them
    with :meth:`access_token_matches` / :meth:`sad_matches`, constant time)."""

    request: SignHashRequest
    version: int
    client_data: str | None = None
    access_token: str = field(default="", repr=False)
    sad: str | None = field(default=None, repr=False)

    @property
    def credential_id(self) -> str:
        return self.request.credential_id

    @property
    def hashes(self) -> tuple[HashToSign, ...]:
        return self.request.hashes

    @property
    def sign_algorithm(self) -> SignatureAlgorithm:
        assert self.request.sign_algorithm is not None
        return self.request.sign_algorithm

    @property
    def hash_algorithm(self) -> HashAlgorithm:
        assert self.request.hash_algorithm is not None
        return self.request.hash_algorithm

    @property
    def pss(self) -> PssParams | None:
        return self.request.pss

    def access_token_matches(self, expected: str) -> bool:
        return _server.same(self.access_token, expected)

    def sad_matches(self, expected: str) -> bool:
        return self.sad is not None and _server.same(self.sad, expected)


# --------------------------------------------------------------------------- parsing


def _bearer(request: HttpRequest) -> str:
    value = request.header("Authorization")
    if value is None:
        raise _refuse("The access token is missing", error="invalid_token")
    token = _server.bearer_token(value, well_formed=lambda t: not any(c.isspace() for c in t))
    if token is None:
        raise _refuse("Malformed authorization header")
    return token


def _input_error_text(exc: InputError, version: int) -> str:
    """The specification's description for a rule the request broke."""
    name = exc.field.rsplit(".", 1)[-1]
    hash_key = "hash" if version == 1 else "hashes"
    if name.startswith(("hashes[", "hash[")) or exc.field.startswith("hashes["):
        if "digests are" in exc.rule:
            return "Invalid digest value length"
        return "Invalid Base64 hash string parameter"
    if name in ("hash", "hashes"):
        return (
            "Empty hash array"
            if "at least one" in exc.rule
            else f"Missing (or invalid type) array parameter {hash_key}"
        )
    renamed = {
        "credential_id": "credentialID",
        "sad": "SAD",
        "sign_algo": "signAlgo",
        "hash_algo": "hashAlgo" if version == 1 else "hashAlgorithmOID",
        "sign_algo_params": "signAlgoParams",
        "operation_mode": "operationMode",
        "client_data": "clientData",
    }.get(name, name)
    if "is required" in exc.rule or "must be a" in exc.rule or "non-empty" in exc.rule:
        return f"Missing (or invalid type) string parameter {renamed}"
    return f"Invalid parameter {renamed}"


def parse_sign_hash_http_request(
    http_request: HttpRequest, *, base_path: str | None = None, require_token: bool = True
) -> SignHashIn:
    """Read a ``POST .../signatures/signHash``: path, method, bearer header, body, every hash.

    The version comes from the path (``/v1/`` or ``/v2/``; with ``base_path``, from the body's
    field names: ``hash`` v1, ``hashes`` v2). The body rules are those of
    :func:`~.requests.build_sign_hash_request` (digest length per algorithm, one algorithm for all
    hashes, ``hashAlgo`` required for rsaEncryption/RSASSA-PSS, PSS parameters that match the hash).
    Raises the :class:`CscError` to answer with, InputError if ``http_request`` is not an HttpRequest.
    """
    _server.http_request_arg(http_request)
    path = http_request.path
    version: int | None = None
    optional_str_arg(base_path, "base_path")
    if base_path is not None:
        expected = (base_path if base_path.endswith("/") else base_path + "/") + "signatures/signHash"
        if path.rstrip("/") != expected:
            raise _refuse(f"Unknown endpoint: expected {expected}", http_status=404)
    else:
        found = _PATH.search(path)
        if found is None:
            raise _refuse("Unknown endpoint: expected .../v1/ or .../v2/signatures/signHash", http_status=404)
        version = int(found.group(1))
    if http_request.method.upper() != "POST":
        raise _refuse("signatures/signHash takes POST", http_status=405)
    token = _bearer(http_request) if require_token or http_request.header("Authorization") else ""
    try:
        obj = _wire.load_object(http_request.body, field="request")
    except InputError:
        raise _refuse("The request body is not a JSON object") from None
    if obj is None:
        raise _refuse("The request body is empty")
    if version is None:
        version = 1 if "hash" in obj else 2
    key, other = ("hash", "hashes") if version == 1 else ("hashes", "hash")
    if other in obj:
        raise _refuse(f"Invalid parameter {other}: not a CSC v{version} field")
    if not isinstance(obj.get(key), list):
        raise _refuse(f"Missing (or invalid type) array parameter {key}")
    sad = obj.get("SAD")
    client_data = obj.get("clientData")
    try:
        parsed = _parse_body(http_request.body, version=1 if version == 1 else 2)
    except InputError as exc:
        raise _refuse(_input_error_text(exc, version)) from None
    except UnsupportedAlgorithm as exc:
        raise _refuse(f"Invalid parameter signAlgo or hash algorithm: {exc}") from None
    if parsed.operation_mode == "A" and version == 1:
        raise _refuse("Invalid parameter operationMode")
    return SignHashIn(
        parsed,
        version,
        client_data if isinstance(client_data, str) else None,
        token,
        sad if isinstance(sad, str) else None,
    )


# --------------------------------------------------------------------------- signing


def _private_key(signer: object) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    return _server.hash_signing_key(signer, "signHash")


def sign_hashes(request_in: SignHashIn | SignHashRequest, signer: PrivateKeyLike) -> list[bytes]:
    """One signature per hash, in request order, with the scheme the request names.

    rsaEncryption and ``sha*WithRSAEncryption``: RSASSA-PKCS1-v1_5; RSASSA-PSS: with the
    ``signAlgoParams`` hash, MGF1 hash and salt length; X9.62 ECDSA: DER; BSI plain ECDSA: raw r||s.
    A ``signAlgo`` the key cannot do is the CscError "Invalid parameter signAlgo". Does not check
    the SAD, the credential or the certificate.
    """
    from ...signatures.sign_verify import sign_digest

    req = request_in.request if isinstance(request_in, SignHashIn) else request_in
    if not isinstance(req, SignHashRequest) or req.sign_algorithm is None:
        raise InputError("request_in", "must be a SignHashIn or a SignHashRequest")
    key = _private_key(signer)
    sig = req.sign_algorithm
    is_rsa = isinstance(key, rsa.RSAPrivateKey)
    if sig.scheme not in ("pkcs1v15", "pss", "ecdsa") or is_rsa != (sig.scheme != "ecdsa"):
        raise _refuse(f"Invalid parameter signAlgo: {sig.name} does not fit the credential's key")
    options: dict[str, Any] = {"scheme": sig.scheme}
    if sig.scheme == "ecdsa":
        options["signature_encoding"] = sig.encoding or "der"
    if sig.scheme == "pss":
        assert req.pss is not None
        options["pss_salt_length"] = req.pss.salt_length
        options["pss_mgf_hash"] = req.pss.mgf_hash
    try:
        return [sign_digest(key, h.digest, h.algorithm, **options) for h in req.hashes]
    except InputError as exc:
        raise _refuse(f"Invalid parameter signAlgoParams: {exc.rule}") from None


# --------------------------------------------------------------------------- answers


def _json(status: int, doc: dict[str, Any], headers: dict[str, str] | None = None) -> HttpResponse:
    return _server.json_response(status, doc, JSON, headers)


def build_sign_hash_response(
    signatures: Sequence[bytes], *, version: int = 2, response_id: str | None = None
) -> HttpResponse:
    """The 200 answer ``{"signatures": [base64, ...]}`` (same order as the hashes; v1 and v2 alike),
    or, for a v2 asynchronous request, ``{"responseID": ...}`` with no signatures."""
    if version not in (1, 2) or isinstance(version, bool):
        raise InputError("version", "must be 1 or 2")
    if isinstance(signatures, (str, bytes)) or not isinstance(signatures, Sequence):
        raise InputError("signatures", "must be a sequence of signature bytes")
    if response_id is not None:
        if version != 2 or signatures:
            raise InputError("response_id", "is a CSC v2 asynchronous answer, without signatures")
        if not isinstance(response_id, str) or not 1 <= len(response_id) <= 1024:
            raise InputError("response_id", "must be 1..1024 characters")
        return _json(200, {"responseID": response_id})
    if not signatures or len(signatures) > MAX_HASHES:
        raise InputError("signatures", f"must hold 1..{MAX_HASHES} signatures")
    out = []
    for index, sig in enumerate(signatures):
        if not isinstance(sig, (bytes, bytearray)) or not sig:
            raise InputError(f"signatures[{index}]", "must be non-empty bytes")
        out.append(b64encode(bytes(sig)))
    return _json(200, {"signatures": out})


def build_error_response(
    error: str | CscError, description: str | None = None, *, http_status: int | None = None
) -> HttpResponse:
    """A CSC error answer ``{"error": ..., "error_description": ...}``.

    ``error`` is the error name (``invalid_request``, ``invalid_token``, ...) or the CscError a
    ``parse_*`` function raised. The HTTP status defaults to 401 for token errors, 403
    ``access_denied``, 500/503 for server errors, 400 otherwise; a 401 also carries
    ``WWW-Authenticate: Bearer``. Never put a secret in ``description``.
    """
    if isinstance(error, CscError):
        http_status = http_status or error.http_status
        description = description if description is not None else error.message
        error = error.code or "server_error"
    if not isinstance(error, str) or not _ERROR_NAME.match(error):
        raise InputError("error", "must be an error name such as 'invalid_request'")
    if description is None:
        description = ""
    if not isinstance(description, str) or len(description) > 1000:
        raise InputError("description", "must be a str of at most 1000 characters")
    status = http_status if http_status is not None else _STATUS_OF.get(error, 400)
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise InputError("http_status", "must be an HTTP error status (400..599)")
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if status == 405:
        headers["Allow"] = "POST"
    return _json(status, {"error": error, "error_description": description}, headers)


def build_credential_info_response(
    signer: KeyBundle, *, key_algos: Sequence[str] | None = None, multisign: int = 1
) -> HttpResponse:
    """A ``credentials/info`` answer for ``signer``: key status, algorithms, length (and curve), the
    certificate then the chain (base64 DER), ``multisign``."""
    key = _private_key(signer)
    if not isinstance(signer, KeyBundle) or signer.certificate is None:
        raise InputError("signer", "must be a KeyBundle with a certificate")
    if isinstance(multisign, bool) or not isinstance(multisign, int) or not 1 <= multisign <= MAX_HASHES:
        raise InputError("multisign", f"must be 1..{MAX_HASHES}")
    key_doc: dict[str, Any] = {"status": "enabled"}
    if isinstance(key, rsa.RSAPrivateKey):
        key_doc["algo"] = list(key_algos or _RSA_OIDS)
    else:
        key_doc["algo"] = list(key_algos or _ECDSA_OIDS)
    key_doc["len"] = key.key_size
    if isinstance(key, ec.EllipticCurvePrivateKey):
        key_doc["curve"] = _curve_oid(key.curve)
    certs: list[x509.Certificate] = signer.certificates()
    doc = {
        "key": key_doc,
        "cert": {"status": "valid", "certificates": [b64encode(c.public_bytes(Encoding.DER)) for c in certs]},
        "multisign": multisign,
    }
    return _json(200, doc)


def _curve_oid(curve: ec.EllipticCurve) -> str:
    oids = {"secp256r1": "1.2.840.10045.3.1.7", "secp384r1": "1.3.132.0.34", "secp521r1": "1.3.132.0.35"}
    oid = oids.get(curve.name)
    if oid is None:
        raise UnsupportedAlgorithm(f"curve {curve.name} has no registered OID here")
    return oid


# --------------------------------------------------------------------------- embedded signer


class _Grant:
    """One issued SAD: the credential, the signatures it may still make, the hashes it is bound to
    (a multiset; None when not bound) and when it expires (monotonic seconds)."""

    __slots__ = ("credential_id", "expires_at", "hashes", "remaining")

    def __init__(self, credential_id: str, remaining: int, hashes: Counter[bytes] | None, expires_at: float) -> None:
        self.credential_id = credential_id
        self.remaining = remaining
        self.hashes = hashes
        self.expires_at = expires_at


_ENDPOINT = re.compile(r"/v([12])/([A-Za-z/]+?)/?\Z")
#: Most SADs one signer keeps outstanding; past it, authorize answers temporarily_unavailable.
MAX_OUTSTANDING_SADS = 10_000
_AUTH_METHODS = ("credentials/authorize", "credentials/extendTransaction", "credentials/sendOTP")


class EmbeddedCscSigner:
    """A minimal CSC signing service for one credential, sans-I/O: ``handle(HttpRequest) -> HttpResponse``.

    Serves, under ``/csc/v1/`` and ``/csc/v2/`` (or ``base_path``): ``info``, ``credentials/list``,
    ``credentials/info`` (with ``authMode``/``auth.mode`` and ``SCAL``), ``credentials/authorize``,
    ``credentials/extendTransaction``, ``credentials/sendOTP`` and ``signatures/signHash`` (v1 and
    v2, synchronous). Any other path is a 404 CSC error naming the endpoint.

    * ``access_token``: the expected bearer token, a callable that says yes, or None for a service
      without authentication (no Authorization header needed; one that is sent is ignored).
    * Authorization: ``credentials/authorize`` issues a random SAD bound to the credential, to
      ``numSignatures`` signatures and, when the request gives hashes (required when ``scal == 2``),
      to exactly those hashes; it expires ``sad_lifetime`` seconds later. ``pin`` and ``otp`` (the
      expected value or a callable) make the credential's ``authMode`` explicit and are checked there;
      ``send_otp(credential_id)`` is called by ``credentials/sendOTP`` (the hook that delivers an OTP).
      signHash consumes the SAD's count, refuses a hash it is not bound to and an expired SAD.
    * ``sad``: a SAD issued elsewhere (the expected value or a callable) that signHash also accepts,
      without count or hash binding; None (the default) accepts only SADs this signer issued.

    Checks ``credentialID``, ``multisign`` and that ``signAlgo`` is among ``key_algos`` and fits the
    key. Every refusal is a CSC error answer; nothing raises out of :meth:`handle` for a bad
    request. Thread-safe: the SAD store is locked; ``clock`` (monotonic seconds) is injectable.
    """

    def __init__(
        self,
        signer: KeyBundle,
        *,
        credential_id: str,
        access_token: _server.TokenCheck = None,
        sad: _server.TokenCheck = None,
        key_algos: Sequence[str] | None = None,
        multisign: int = 100,
        base_path: str | None = None,
        scal: int = 1,
        pin: _server.TokenCheck = None,
        otp: _server.TokenCheck = None,
        send_otp: Callable[[str], object] | None = None,
        sad_lifetime: int = 300,
        service_name: str = "cryptokit CSC service",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        key = _private_key(signer)
        if not isinstance(signer, KeyBundle) or signer.certificate is None:
            raise InputError("signer", "must be a KeyBundle with a certificate (credentials/info returns it)")
        if not isinstance(credential_id, str) or not 1 <= len(credential_id) <= 1024:
            raise InputError("credential_id", "must be 1..1024 characters")
        for name, value in (("access_token", access_token), ("sad", sad), ("pin", pin), ("otp", otp)):
            _server.token_check_arg(value, name, "must be the expected value, a callable, or None")
        if isinstance(multisign, bool) or not isinstance(multisign, int) or not 1 <= multisign <= MAX_HASHES:
            raise InputError("multisign", f"must be 1..{MAX_HASHES}")
        if scal not in (1, 2) or isinstance(scal, bool):
            raise InputError("scal", "must be 1 or 2")
        if send_otp is not None and not callable(send_otp):
            raise InputError("send_otp", "must be a callable taking the credential ID")
        if isinstance(sad_lifetime, bool) or not isinstance(sad_lifetime, int) or not 1 <= sad_lifetime <= 86400:
            raise InputError("sad_lifetime", "must be 1..86400 seconds")
        if not isinstance(service_name, str) or not 1 <= len(service_name) <= 200:
            raise InputError("service_name", "must be 1..200 characters")
        if not callable(clock):
            raise InputError("clock", "must be a callable returning monotonic seconds")
        optional_str_arg(base_path, "base_path")
        self._signer = signer
        self.credential_id = credential_id
        self._access_token = access_token
        self._sad = sad
        self._pin = pin
        self._otp = otp
        self._send_otp = send_otp
        default = _RSA_OIDS if isinstance(key, rsa.RSAPrivateKey) else _ECDSA_OIDS
        self.key_algos = tuple(key_algos) if key_algos is not None else default
        self.multisign = multisign
        self.base_path = base_path
        self.scal = scal
        self.sad_lifetime = sad_lifetime
        self.service_name = service_name
        self._clock = clock
        self._grants: dict[bytes, _Grant] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"EmbeddedCscSigner(credential_id={self.credential_id!r}, scal={self.scal}, auth_mode={self.auth_mode!r})"
        )

    @property
    def certificate(self) -> x509.Certificate | None:
        return self._signer.certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return self._signer.chain

    @property
    def auth_mode(self) -> str:
        """``explicit`` when a PIN or OTP is asked for, ``implicit`` otherwise."""
        return "explicit" if self._pin is not None or self._otp is not None else "implicit"

    # ------------------------------------------------------------------ routing

    def _endpoint(self, path: str) -> tuple[int, str]:
        """(version, endpoint name such as ``credentials/info``) of ``path``; a CscError naming the
        path when it is not under this service."""
        if self.base_path is not None:
            base = self.base_path if self.base_path.endswith("/") else self.base_path + "/"
            if path.startswith(base):
                found = _ENDPOINT.match("/v" + ("1" if "/v1/" in base else "2") + "/" + path[len(base) :])
                if found is not None:
                    return int(found.group(1)), found.group(2)
        else:
            found = _ENDPOINT.search(path)
            if found is not None:
                return int(found.group(1)), found.group(2)
        raise _refuse(f"Unknown endpoint: {_shown(path)}", http_status=404)

    def handle(self, http_request: HttpRequest) -> HttpResponse:
        """Answer one request; raises only InputError when ``http_request`` is not an HttpRequest."""
        _server.http_request_arg(http_request)
        try:
            version, endpoint = self._endpoint(http_request.path)
            route = {
                "info": self._service_info,
                "credentials/list": self._list,
                "credentials/info": self._info,
                "credentials/authorize": self._authorize,
                "credentials/extendTransaction": self._extend,
                "credentials/sendOTP": self._send,
            }.get(endpoint)
            if endpoint == "signatures/signHash":
                return self._sign(
                    parse_sign_hash_http_request(http_request, base_path=self.base_path, require_token=False)
                )
            if route is None:
                raise _refuse(f"Unknown endpoint: {endpoint}", http_status=404)
            if endpoint != "info" and http_request.method.upper() != "POST":
                raise _refuse(f"{endpoint} takes POST", http_status=405)
            if endpoint != "info":
                self._check_token(self._token_of(http_request))
            return route(http_request, version)
        except CscError as exc:
            return build_error_response(exc)
        except CryptokitError:
            return build_error_response("server_error", "Internal error")

    def _token_of(self, http_request: HttpRequest) -> str | None:
        if self._access_token is None:
            return None
        return _bearer(http_request)

    def _check_token(self, token: str | None) -> None:
        if self._access_token is None:
            return
        if token is None:
            raise _refuse("The access token is missing", error="invalid_token")
        if not _server.accepts(self._access_token, token):
            raise _refuse("The access token is invalid", error="invalid_token")

    @staticmethod
    def _body(http_request: HttpRequest) -> dict[str, Any]:
        try:
            obj = _wire.load_object(http_request.body, field="request")
        except InputError:
            raise _refuse("The request body is not a JSON object") from None
        return obj or {}

    def _credential(self, obj: dict[str, Any]) -> str:
        credential_id = obj.get("credentialID")
        if not isinstance(credential_id, str) or not credential_id:
            raise _refuse("Missing (or invalid type) string parameter credentialID")
        if not _server.same(credential_id, self.credential_id):
            raise _refuse("Invalid parameter credentialID")
        return credential_id

    # ------------------------------------------------------------------ service and credentials

    def _service_info(self, http_request: HttpRequest, version: int) -> HttpResponse:
        methods = ["credentials/list", "credentials/info", "credentials/authorize", "credentials/extendTransaction"]
        if self._send_otp is not None:
            methods.append("credentials/sendOTP")
        methods.append("signatures/signHash")
        doc = {
            "specs": "1.0.4.0" if version == 1 else "2.0.0.2",
            "name": self.service_name,
            "logo": "",
            "region": "XX",
            "lang": "en-US",
            "description": "A CSC signing service embedded with cryptokit",
            "authType": ["external"] if self._access_token is None else ["oauth2code"],
            "methods": methods,
        }
        return _json(200, doc)

    def _list(self, http_request: HttpRequest, version: int) -> HttpResponse:
        obj = self._body(http_request)
        doc: dict[str, Any] = {"credentialIDs": [self.credential_id]}
        if version == 2 and obj.get("credentialInfo") is True:
            entry = self._credential_doc(version)
            entry["credentialID"] = self.credential_id
            doc["credentialInfos"] = [entry]
        return _json(200, doc)

    def _credential_doc(self, version: int) -> dict[str, Any]:
        doc: dict[str, Any] = dict(
            _orjson_loads(
                build_credential_info_response(self._signer, key_algos=self.key_algos, multisign=self.multisign)
            )
        )
        if version == 1:
            doc["authMode"] = self.auth_mode
            if self._pin is not None:
                doc["PIN"] = {"presence": "true", "format": "A", "label": "PIN"}
            if self._otp is not None:
                doc["OTP"] = {"presence": "true", "type": "offline", "format": "N", "label": "OTP"}
        else:
            objects = [
                {"type": "Password", "id": name}
                for name, check in (("PIN", self._pin), ("OTP", self._otp))
                if check is not None
            ]
            doc["auth"] = {"mode": self.auth_mode, **({"objects": objects} if objects else {})}
        doc["SCAL"] = str(self.scal)
        return doc

    def _info(self, http_request: HttpRequest, version: int) -> HttpResponse:
        self._credential(self._body(http_request))
        return _json(200, self._credential_doc(version))

    # ------------------------------------------------------------------ authorization

    def _bound(self, obj: dict[str, Any], version: int) -> Counter[bytes] | None:
        key = "hash" if version == 1 else "hashes"
        raw = obj.get(key)
        if raw is None:
            return None
        if not isinstance(raw, list) or not raw or len(raw) > MAX_HASHES:
            raise _refuse(f"Missing (or invalid type) array parameter {key}")
        alg: HashAlgorithm | None = None
        oid = obj.get("hashAlgorithmOID" if version == 2 else "hashAlgo")
        if oid is not None:
            try:
                alg = hash_algorithm(oid) if isinstance(oid, str) else None
            except CryptokitError:
                alg = None
            if alg is None:
                raise _refuse("Invalid parameter hashAlgorithmOID")
        digests: list[bytes] = []
        for item in raw:
            try:
                digest = b64decode(item, field="hash", max_size=128) if isinstance(item, str) else None
            except InputError:
                digest = None
            if not digest:
                raise _refuse("Invalid Base64 hash string parameter")
            if alg is not None and len(digest) != alg.digest_size:
                raise _refuse("Invalid digest value length")
            digests.append(digest)
        return Counter(digests)

    def _check_user(self, obj: dict[str, Any], version: int) -> None:
        given: dict[str, str] = {}
        if version == 1:
            for name in ("PIN", "OTP"):
                if isinstance(obj.get(name), str):
                    given[name] = obj[name]
        else:
            entries = obj.get("authData")
            if isinstance(entries, list):
                for entry in entries[:8]:
                    if (
                        isinstance(entry, dict)
                        and isinstance(entry.get("id"), str)
                        and isinstance(entry.get("value"), str)
                    ):
                        given[entry["id"].upper()] = entry["value"]
        if self._pin is not None and not _server.accepts(self._pin, given.get("PIN")):
            raise _refuse("The PIN is invalid", error="invalid_pin")
        if self._otp is not None and not _server.accepts(self._otp, given.get("OTP")):
            raise _refuse("The OTP is invalid", error="invalid_otp")

    def _issue(self, grant: _Grant) -> HttpResponse:
        sad = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            if len(self._grants) >= MAX_OUTSTANDING_SADS:
                for key in [k for k, g in self._grants.items() if g.expires_at <= now or g.remaining <= 0]:
                    del self._grants[key]
            if len(self._grants) >= MAX_OUTSTANDING_SADS:
                raise _refuse("Too many outstanding authorizations", error="temporarily_unavailable")
            self._grants[_sad_key(sad)] = grant
        return _json(200, {"SAD": sad, "expiresIn": self.sad_lifetime})

    def _authorize(self, http_request: HttpRequest, version: int) -> HttpResponse:
        obj = self._body(http_request)
        credential_id = self._credential(obj)
        count = obj.get("numSignatures")
        if isinstance(count, bool) or not isinstance(count, int):
            raise _refuse("Missing (or invalid type) integer parameter numSignatures")
        if not 1 <= count <= MAX_HASHES:
            raise _refuse("Invalid parameter numSignatures")
        bound = self._bound(obj, version)
        if bound is None and self.scal == 2:
            raise _refuse(
                f"Missing (or invalid type) array parameter {'hash' if version == 1 else 'hashes'}: "
                "the credential is SCAL 2"
            )
        if bound is not None and bound.total() != count:
            raise _refuse("Invalid parameter numSignatures: it differs from the number of hashes")
        self._check_user(obj, version)
        return self._issue(_Grant(credential_id, count, bound, self._clock() + self.sad_lifetime))

    def _extend(self, http_request: HttpRequest, version: int) -> HttpResponse:
        obj = self._body(http_request)
        credential_id = self._credential(obj)
        sad = obj.get("SAD")
        if not isinstance(sad, str) or not sad:
            raise _refuse("Missing (or invalid type) string parameter SAD")
        now = self._clock()
        with self._lock:
            grant = self._grants.pop(_sad_key(sad), None)
        if grant is None:
            raise _refuse("Invalid parameter SAD")
        if grant.expires_at <= now:
            raise _refuse("SAD expired")
        bound = self._bound(obj, version)
        if bound is not None and grant.hashes is not None and bound - grant.hashes:
            raise _refuse("Invalid parameter hash: the hash is not authorized by the SAD")
        return self._issue(_Grant(credential_id, grant.remaining, grant.hashes, now + self.sad_lifetime))

    def _send(self, http_request: HttpRequest, version: int) -> HttpResponse:
        credential_id = self._credential(self._body(http_request))
        if self._send_otp is None or self._otp is None:
            raise _refuse("Invalid parameter credentialID: the credential has no OTP to send")
        try:
            self._send_otp(credential_id)
        except Exception:  # the hook is the operator's: its failure is the service's, never the caller's detail
            raise _refuse("The OTP could not be sent", error="server_error") from None
        return HttpResponse(204, {}, b"")

    def _consume(self, req: SignHashIn) -> None:
        """Check the SAD of a signHash and use up what it authorizes (under the lock: all or nothing)."""
        if req.sad is None:
            raise _refuse("Missing (or invalid type) string parameter SAD")
        now = self._clock()
        with self._lock:
            key = _sad_key(req.sad)
            grant = self._grants.get(key)
            if grant is None:
                if self._sad is not None and _server.accepts(self._sad, req.sad):
                    return
                raise _refuse("Invalid parameter SAD")
            if grant.expires_at <= now:
                del self._grants[key]
                raise _refuse("SAD expired")
            if not _server.same(grant.credential_id, req.credential_id):
                raise _refuse("Invalid parameter SAD: it authorizes another credential")
            wanted = Counter(h.digest for h in req.hashes)
            if wanted.total() > grant.remaining:
                raise _refuse(f"Invalid parameter SAD: it authorizes {grant.remaining} more signatures")
            if grant.hashes is not None and wanted - grant.hashes:
                raise _refuse("Invalid parameter hash: the hash is not authorized by the SAD")
            grant.remaining -= wanted.total()
            if grant.hashes is not None:
                grant.hashes -= wanted
            if grant.remaining <= 0:
                del self._grants[key]

    def _sign(self, req: SignHashIn) -> HttpResponse:
        self._check_token(req.access_token or None)
        if not _server.same(req.credential_id, self.credential_id):
            raise _refuse("Invalid parameter credentialID")
        if req.request.operation_mode == "A":
            raise _refuse("Invalid parameter operationMode: only synchronous signing is offered")
        if len(req.hashes) > self.multisign:
            raise _refuse(f"Invalid array parameter hash: {len(req.hashes)} hashes, multisign is {self.multisign}")
        if req.sign_algorithm.oid not in self.key_algos:
            raise _refuse("Invalid parameter signAlgo")
        self._consume(req)
        return build_sign_hash_response(sign_hashes(req, self._signer), version=req.version)


def _sad_key(sad: str) -> bytes:
    # SADs are stored by their SHA-256: a lookup reveals nothing of a stored SAD through timing.
    return hashlib.sha256(sad.encode("utf-8", "replace")).digest()


def _shown(path: str) -> str:
    """A path as it may appear in an answer: printable, at most 200 characters."""
    text = "".join(c if c.isprintable() else "?" for c in path[:200])
    return text + ("..." if len(path) > 200 else "")


def _orjson_loads(response: HttpResponse) -> dict[str, Any]:
    import orjson

    doc = orjson.loads(response.body)
    assert isinstance(doc, dict)
    return doc


#: The name this function had first (``csc.server.parse_sign_hash_request``); the package exports
#: :func:`parse_sign_hash_http_request`, since ``csc.parse_sign_hash_request`` reads a body.
parse_sign_hash_request = parse_sign_hash_http_request

#: The same-role name as ``adss.EmbeddedSigner``.
EmbeddedSigner = EmbeddedCscSigner
