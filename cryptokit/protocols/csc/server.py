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

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from ...algorithms import HashAlgorithm, SignatureAlgorithm
from ...encoding import b64encode
from ...errors import CryptokitError, InputError, UnsupportedAlgorithm
from ...hashing import HashToSign
from ...pkcs12 import KeyBundle
from ...signatures.pss_params import PssParams
from ...signatures.public_keys import PrivateKeyLike
from .. import HttpRequest, HttpResponse, _server
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


class EmbeddedCscSigner:
    """A minimal CSC signing service for one credential, sans-I/O: ``handle(HttpRequest) -> HttpResponse``.

    Serves ``signatures/signHash`` (v1 and v2, synchronous) and ``credentials/info`` under
    ``/csc/v1/`` and ``/csc/v2/`` (or ``base_path``). Checks the bearer token (``access_token``: the
    expected value, a callable, or None to accept any token: demos and tests only), the
    ``credentialID``, the SAD (``sad`` likewise; None accepts any or none), ``multisign`` and that
    ``signAlgo`` is among ``key_algos`` and fits the key. Every refusal is a CSC error answer;
    nothing raises out of :meth:`handle` for a bad request.
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
    ) -> None:
        key = _private_key(signer)
        if not isinstance(signer, KeyBundle) or signer.certificate is None:
            raise InputError("signer", "must be a KeyBundle with a certificate (credentials/info returns it)")
        if not isinstance(credential_id, str) or not 1 <= len(credential_id) <= 1024:
            raise InputError("credential_id", "must be 1..1024 characters")
        for name, value in (("access_token", access_token), ("sad", sad)):
            _server.token_check_arg(value, name, "must be the expected value, a callable, or None")
        if isinstance(multisign, bool) or not isinstance(multisign, int) or not 1 <= multisign <= MAX_HASHES:
            raise InputError("multisign", f"must be 1..{MAX_HASHES}")
        self._signer = signer
        self.credential_id = credential_id
        self._access_token = access_token
        self._sad = sad
        default = _RSA_OIDS if isinstance(key, rsa.RSAPrivateKey) else _ECDSA_OIDS
        self.key_algos = tuple(key_algos) if key_algos is not None else default
        self.multisign = multisign
        self.base_path = base_path

    def __repr__(self) -> str:
        return f"EmbeddedCscSigner(credential_id={self.credential_id!r})"

    @property
    def certificate(self) -> x509.Certificate | None:
        return self._signer.certificate

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return self._signer.chain

    def handle(self, http_request: HttpRequest) -> HttpResponse:
        """Answer one request; raises only InputError when ``http_request`` is not an HttpRequest."""
        _server.http_request_arg(http_request)
        try:
            if http_request.path.rstrip("/").endswith("/credentials/info"):
                return self._info(http_request)
            return self._sign(parse_sign_hash_http_request(http_request, base_path=self.base_path))
        except CscError as exc:
            return build_error_response(exc)
        except CryptokitError:
            return build_error_response("server_error", "Internal error")

    def _check_token(self, token: str) -> None:
        if not _server.accepts(self._access_token, token):
            raise _refuse("The access token is invalid", error="invalid_token")

    def _sign(self, req: SignHashIn) -> HttpResponse:
        self._check_token(req.access_token)
        if not _server.same(req.credential_id, self.credential_id):
            raise _refuse("Invalid parameter credentialID")
        if self._sad is not None:
            if req.sad is None:
                raise _refuse("Missing (or invalid type) string parameter SAD")
            if not _server.accepts(self._sad, req.sad):
                raise _refuse("Invalid parameter SAD")
        if req.request.operation_mode == "A":
            raise _refuse("Invalid parameter operationMode: only synchronous signing is offered")
        if len(req.hashes) > self.multisign:
            raise _refuse(f"Invalid array parameter hash: {len(req.hashes)} hashes, multisign is {self.multisign}")
        if req.sign_algorithm.oid not in self.key_algos:
            raise _refuse("Invalid parameter signAlgo")
        return build_sign_hash_response(sign_hashes(req, self._signer), version=req.version)

    def _info(self, http_request: HttpRequest) -> HttpResponse:
        if http_request.method.upper() != "POST":
            raise _refuse("credentials/info takes POST", http_status=405)
        self._check_token(_bearer(http_request))
        try:
            obj = _wire.load_object(http_request.body, field="request") or {}
            credential_id = _wire.get_str(obj, "credentialID", "request")
        except InputError:
            raise _refuse("Missing (or invalid type) string parameter credentialID") from None
        if credential_id is None or not _server.same(credential_id, self.credential_id):
            raise _refuse("Invalid parameter credentialID")
        return build_credential_info_response(self._signer, key_algos=self.key_algos, multisign=self.multisign)


#: The name this function had first (``csc.server.parse_sign_hash_request``); the package exports
#: :func:`parse_sign_hash_http_request`, since ``csc.parse_sign_hash_request`` reads a body.
parse_sign_hash_request = parse_sign_hash_http_request

#: The same-role name as ``adss.EmbeddedSigner``.
EmbeddedSigner = EmbeddedCscSigner
