"""Server half of emCA, sans-I/O: open a request, issue certificates from its CSRs, answer.

For a service that speaks emCA to its clients (or a test double of emCA). The order of the checks
follows the vendor's description: decrypt ``requestData`` with the shared AES key ("Invalid input
data"), check user name, password and source IP ("Invalid request details found"), the parameters
("Invalid parameter", "<id> profile does not exist", "Invalid validity", "Invalid From Date"),
then the CMS ``signature`` against the PFX certificate registered for that user ("Signature
verification failed") and each CSR ("Please enter valid data"). Every refusal is the typed
:class:`~.errors.EmcaError` whose message is the vendor's text; :func:`build_response` turns it
into the ``Failure`` answer. Unexpected errors become "Internal server error" in
:func:`handle_create_certificates`, never a traceback in the answer.

Not covered (server state, not cryptography): "if a certificate was already created for the
applicationId, return it"; profile-specific CSR content rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

import orjson
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed448, ed25519
from cryptography.hazmat.primitives.serialization import pkcs7

from ...csr import CsrInfo
from ...envelope import Envelope
from ...errors import AuthenticationFailed, CryptokitError, DecryptionFailed, InputError
from ...pkcs12 import KeyBundle
from .. import HttpRequest, HttpResponse
from .auth import EMKEY_HEADER, AuthKeyVerifier, check_emkey, check_static_emkey
from .errors import (
    EmcaError,
    InternalServerError,
    InvalidData,
    InvalidFromDate,
    InvalidInputData,
    InvalidParameter,
    InvalidRequestDetails,
    InvalidValidity,
    ProfileDoesNotExist,
    SignatureVerificationFailed,
)
from .framing import DEFAULT_FRAMING, CsrFraming
from .strings import Validity, format_request_ids, parse_valid_from

__all__ = [
    "RegisteredClient",
    "OpenedRequest",
    "ClientRegistry",
    "InMemoryRegistry",
    "OpenedCreateCertificatesRequest",
    "open_request",
    "open_create_certificates_request",
    "issue_certificates",
    "build_response",
    "build_pending_response",
    "handle_create_certificates",
]

UTC = dt.UTC
MAX_REQUEST_SIZE = 32 * 1024 * 1024
_MAX_PARAM = 256


@dataclass(frozen=True, slots=True)
class RegisteredClient:
    """A registered API user: the PFX certificate that must sign its requests, and its limits.

    ``allowed_ips`` None means any source address; ``emkey`` is the static emKey issued to it
    (None: not checked here). The emKey never appears in the repr.
    """

    user_name: str
    signer_certificate: x509.Certificate
    allowed_ips: frozenset[str] | None = None
    emkey: str | None = field(default=None, repr=False)


@runtime_checkable
class ClientRegistry(Protocol):
    """Where the server looks up users and certificate profiles (a database in a real service)."""

    def authenticate(self, user_name: str, password: str) -> RegisteredClient | None:
        """The client if ``password`` is right for ``user_name`` (constant time), else None."""
        ...

    def has_profile(self, profile_id: str) -> bool: ...


class InMemoryRegistry:
    """A :class:`ClientRegistry` for tests and small services.

    Passwords are kept only as HMAC-SHA256 under a per-registry random key (never in clear, never
    in repr) and compared in constant time. A persistent registry should store a slow password
    hash (scrypt, Argon2) instead.
    """

    __slots__ = ("_clients", "_key", "_profiles")

    def __init__(self, profiles: Iterable[str] = ()) -> None:
        self._key = secrets.token_bytes(32)
        self._clients: dict[str, tuple[bytes, RegisteredClient]] = {}
        self._profiles = set(profiles)

    def _digest(self, password: str) -> bytes:
        return hmac.new(self._key, password.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def register(
        self,
        user_name: str,
        password: str,
        signer_certificate: x509.Certificate,
        *,
        allowed_ips: Iterable[str] | None = None,
        emkey: str | None = None,
    ) -> RegisteredClient:
        client = RegisteredClient(
            user_name, signer_certificate, frozenset(allowed_ips) if allowed_ips is not None else None, emkey
        )
        self._clients[user_name] = (self._digest(password), client)
        return client

    def authenticate(self, user_name: str, password: str) -> RegisteredClient | None:
        entry = self._clients.get(user_name)
        presented = self._digest(password)
        if entry is None:
            hmac.compare_digest(presented, presented)  # same work for unknown users
            return None
        return entry[1] if hmac.compare_digest(presented, entry[0]) else None

    def has_profile(self, profile_id: str) -> bool:
        return profile_id in self._profiles

    def __repr__(self) -> str:
        return f"InMemoryRegistry({len(self._clients)} clients, {len(self._profiles)} profiles)"


@dataclass(frozen=True, slots=True)
class OpenedRequest:
    """A decrypted, authenticated request: the client and its parameters (password removed)."""

    client: RegisteredClient
    params: Mapping[str, Any]


def _param(params: Mapping[str, Any], *names: str) -> str:
    """The first present of ``names``: a non-empty bounded string, else Invalid parameter."""
    for name in names:
        value = params.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or not value or len(value) > _MAX_PARAM:
            raise InvalidParameter()
        return value
    raise InvalidParameter()


def open_request(
    http_request: HttpRequest,
    *,
    envelope: Envelope,
    registry: ClientRegistry,
    auth_verifier: AuthKeyVerifier | None = None,
    emkey_secret: bytes | None = None,
    source_ip: str | None = None,
) -> OpenedRequest:
    """Decrypt and authenticate any emCA request; raises the matching :class:`EmcaError`.

    Checks, in order: body shape (Invalid parameter), AuthKey headers when ``auth_verifier`` is
    given, the ``requestData`` envelope (Invalid input data), user name, password, source IP and
    emKey (static when the client has one registered, cryptokit's HMAC scheme when
    ``emkey_secret`` is given) (Invalid request details found).
    """
    if not isinstance(http_request, HttpRequest):
        raise InputError("http_request", f"must be an HttpRequest, not {type(http_request).__name__}")
    if len(http_request.body) > MAX_REQUEST_SIZE:
        raise InvalidParameter()
    try:
        outer = orjson.loads(http_request.body)
    except orjson.JSONDecodeError:
        raise InvalidParameter() from None
    if not isinstance(outer, dict):
        raise InvalidParameter()
    token = outer.get("requestData")
    outer_user = outer.get("userName")
    if not isinstance(token, str) or not token or not isinstance(outer_user, str) or not outer_user:
        raise InvalidParameter()
    if auth_verifier is not None:
        try:
            auth_verifier.verify_headers(http_request.headers)
        except AuthenticationFailed:
            raise InvalidRequestDetails() from None
    try:
        inner = envelope.open_json(token)
    except DecryptionFailed:
        raise InvalidInputData() from None
    if not isinstance(inner, dict):
        raise InvalidInputData()
    user = inner.pop("userName", None)
    password = inner.pop("password", None)
    if not isinstance(user, str) or not isinstance(password, str) or user != outer_user:
        raise InvalidRequestDetails()
    client = registry.authenticate(user, password)
    if client is None:
        raise InvalidRequestDetails()
    if client.allowed_ips is not None and source_ip not in client.allowed_ips:
        raise InvalidRequestDetails()
    presented = http_request.header(EMKEY_HEADER)
    try:
        if client.emkey is not None:
            check_static_emkey(presented, client.emkey)
        if emkey_secret is not None:
            check_emkey(emkey_secret, presented, user)
    except (AuthenticationFailed, InputError):
        raise InvalidRequestDetails() from None
    return OpenedRequest(client, inner)


@dataclass(frozen=True, slots=True)
class OpenedCreateCertificatesRequest:
    """What a verified createX509CertificatesByIdWithMultipleCsrData request asks for.

    ``csrs`` maps id -> verified :class:`~cryptokit.csr.CsrInfo`, in the signed order; ``validity`` and
    ``valid_from`` are None when not given. The signature was checked against ``client.signer_certificate``.
    """

    client: RegisteredClient
    application_id: str
    profile_id: str
    subscriber_id: str
    validity: Validity | None
    valid_from: dt.datetime | None
    csrs: Mapping[str, CsrInfo]


def open_create_certificates_request(
    http_request: HttpRequest,
    *,
    envelope: Envelope,
    registry: ClientRegistry,
    auth_verifier: AuthKeyVerifier | None = None,
    emkey_secret: bytes | None = None,
    source_ip: str | None = None,
    framing: CsrFraming = DEFAULT_FRAMING,
    valid_from_tz: dt.tzinfo = UTC,
    at: dt.datetime | None = None,
) -> OpenedCreateCertificatesRequest:
    """Open, authenticate and verify the request (see :func:`open_request`), then: parameters,
    profile, validity, validFrom (read in ``valid_from_tz``), the CMS signature against the
    registered certificate at ``at`` (default now), and each CSR's self-signature.

    Raises the :class:`EmcaError` whose text the vendor documents for each failure.
    """
    from ...cms import cms_verify
    from ...csr import verify_csr

    opened = open_request(
        http_request,
        envelope=envelope,
        registry=registry,
        auth_verifier=auth_verifier,
        emkey_secret=emkey_secret,
        source_ip=source_ip,
    )
    params = opened.params
    application_id = _param(params, "applicationId")
    profile_id = _param(params, "profileID", "profileId")
    subscriber_id = _param(params, "subscriberId")
    signature = params.get("signature")
    if not isinstance(signature, str) or not signature:
        raise InvalidParameter()
    if not registry.has_profile(profile_id):
        raise ProfileDoesNotExist(profile_id=profile_id)
    validity_text = params.get("validity")
    validity: Validity | None = None
    if validity_text is not None:
        try:
            validity = Validity.parse(validity_text)
        except InputError:
            raise InvalidValidity() from None
    valid_from_text = params.get("validFrom")
    valid_from: dt.datetime | None = None
    if valid_from_text is not None:
        try:
            valid_from = parse_valid_from(valid_from_text, valid_from_tz)
        except InputError:
            raise InvalidFromDate() from None

    trusted = opened.client.signer_certificate

    def verify(cms: bytes) -> bytes:
        try:
            return cms_verify(cms, trusted_signers=[trusted], at=at).content
        except CryptokitError:
            raise SignatureVerificationFailed() from None

    try:
        ders = framing.open(signature, verify)
    except InputError:
        raise InvalidData() from None
    csrs: dict[str, CsrInfo] = {}
    for csr_id, der in ders.items():
        try:
            csrs[csr_id] = verify_csr(der)
        except CryptokitError:
            raise InvalidData() from None
    return OpenedCreateCertificatesRequest(
        opened.client, application_id, profile_id, subscriber_id, validity, valid_from, csrs
    )


def _ca_parts(ca: KeyBundle) -> tuple[Any, x509.Certificate]:
    if not isinstance(ca, KeyBundle) or ca.private_key is None or ca.certificate is None:
        raise InputError("ca", "must be a KeyBundle with the CA's private key and certificate")
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if ca.private_key.public_key().public_bytes(*spki) != ca.certificate.public_key().public_bytes(*spki):
        raise InputError("ca", "the private key does not belong to the CA certificate")
    return ca.private_key, ca.certificate


def issue_certificates(
    request: OpenedCreateCertificatesRequest,
    *,
    ca: KeyBundle,
    now: dt.datetime | None = None,
    default_validity: dt.timedelta = dt.timedelta(days=365),
    customize: Callable[[x509.CertificateBuilder, str, CsrInfo], x509.CertificateBuilder] | None = None,
) -> dict[str, x509.Certificate]:
    """Sign one end-entity certificate per CSR with the CA ``ca``: the CSR's subject and key,
    notBefore = validFrom (or ``now``), notAfter = notBefore + validity (or ``default_validity``),
    a random serial, basicConstraints CA:false, keyUsage digitalSignature + nonRepudiation, SKI and
    AKI. ``customize(builder, csr_id, csr)`` may add extensions. Hash: SHA-256 (none for EdDSA).

    Proves nothing about the subject; profile rules are the service's job.
    """
    key, ca_cert = _ca_parts(ca)
    start = request.valid_from or (now or dt.datetime.now(UTC)).replace(microsecond=0)
    if start.utcoffset() is None:
        raise InputError("now", "must be timezone-aware")
    length = request.validity.to_timedelta() if request.validity is not None else default_validity
    try:
        end = start + length
    except OverflowError:
        raise InvalidValidity() from None
    try:
        ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski)
    except x509.ExtensionNotFound:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key())  # type: ignore[arg-type]
    algorithm = None if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)) else hashes.SHA256()
    out: dict[str, x509.Certificate] = {}
    for csr_id, csr in request.csrs.items():
        builder = (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(ca_cert.subject)
            .public_key(csr.public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(csr.public_key), critical=False)
            .add_extension(aki, critical=False)
        )
        if customize is not None:
            builder = customize(builder, csr_id, csr)
        try:
            out[csr_id] = builder.sign(key, algorithm)
        except (TypeError, ValueError, OverflowError):
            raise InternalServerError() from None
    return out


def _encode_certificates(certs: list[x509.Certificate], form: str) -> str:
    from ...encoding import b64encode

    if form == "pkcs7":
        return b64encode(pkcs7.serialize_certificates(certs, serialization.Encoding.DER))
    if form == "der":
        if len(certs) != 1:
            raise InputError("form", "'der' carries exactly one certificate; use 'pkcs7'")
        return b64encode(certs[0].public_bytes(serialization.Encoding.DER))
    if form == "pem":
        return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certs)
    raise InputError("form", "must be 'pkcs7', 'der' or 'pem'")


def _answer(doc: dict[str, Any], status_case: str) -> HttpResponse:
    state = doc["status"]
    doc["status"] = state.lower() if status_case == "lower" else state
    return HttpResponse(200, {"Content-Type": "application/json"}, orjson.dumps(doc))


def build_response(
    *,
    subscriber_id: str | None,
    certificates: Mapping[str, x509.Certificate] | None = None,
    error: EmcaError | None = None,
    chain: Iterable[x509.Certificate] = (),
    form: Literal["pkcs7", "der", "pem"] = "pkcs7",
    status_case: Literal["title", "lower"] = "title",
) -> HttpResponse:
    """The :class:`HttpResponse` (JSON body) of a ``Success`` answer with ``certificates`` (base64 PKCS#7
    certs-only by default, ``chain`` appended), or of a ``Failure`` answer with ``error``'s text.

    Always HTTP 200, as emCA answers failures in the JSON ``status``. ``status_case="lower"``
    writes ``success``/``failure`` (the vendor uses both).
    """
    if (certificates is None) == (error is None):
        raise InputError("response", "give exactly one of certificates or error")
    doc: dict[str, Any] = {"subscriberId": subscriber_id}
    if error is not None:
        doc.update(status="Failure", result=error.message)
        return _answer(doc, status_case)
    certs = [*(certificates or {}).values(), *chain]
    if not certs:
        raise InputError("certificates", "is empty")
    doc.update(status="Success", result=_encode_certificates(certs, form))
    return _answer(doc, status_case)


def build_pending_response(
    request_ids: Mapping[str, str],
    *,
    subscriber_id: str | None,
    message: str = "Request submitted for manual authorization",
    status_case: Literal["title", "lower"] = "title",
) -> HttpResponse:
    """The ``Success`` answer of a manual-authorization profile: ``requestId`` = ``ID|requestId~...``."""
    doc = {"status": "Success", "result": message, "subscriberId": subscriber_id}
    doc["requestId"] = format_request_ids(request_ids)
    return _answer(doc, status_case)


def handle_create_certificates(
    http_request: HttpRequest,
    *,
    envelope: Envelope,
    registry: ClientRegistry,
    ca: KeyBundle,
    auth_verifier: AuthKeyVerifier | None = None,
    emkey_secret: bytes | None = None,
    source_ip: str | None = None,
    framing: CsrFraming = DEFAULT_FRAMING,
    valid_from_tz: dt.tzinfo = UTC,
    now: dt.datetime | None = None,
    form: Literal["pkcs7", "der", "pem"] = "pkcs7",
    include_chain: bool = False,
) -> HttpResponse:
    """The whole exchange on the server: open, issue, answer. Any :class:`EmcaError` becomes its
    ``Failure`` answer; any other error becomes "Internal server error" (no detail leaks)."""
    subscriber_id: str | None = None
    try:
        opened = open_create_certificates_request(
            http_request,
            envelope=envelope,
            registry=registry,
            auth_verifier=auth_verifier,
            emkey_secret=emkey_secret,
            source_ip=source_ip,
            framing=framing,
            valid_from_tz=valid_from_tz,
            at=now,
        )
        subscriber_id = opened.subscriber_id
        certificates = issue_certificates(opened, ca=ca, now=now)
        chain = [ca.certificate, *ca.chain] if include_chain and ca.certificate is not None else []
        return build_response(subscriber_id=subscriber_id, certificates=certificates, chain=chain, form=form)
    except EmcaError as exc:
        return build_response(subscriber_id=subscriber_id, error=exc)
    except Exception:  # the answer must never carry internal details
        return build_response(subscriber_id=subscriber_id, error=InternalServerError())
