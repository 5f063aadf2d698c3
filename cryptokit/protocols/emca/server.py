"""Server half of emCA, sans-I/O: route, open a request, issue certificates from its CSRs, answer.

For a service that speaks emCA to its clients (or a test double of emCA). The order of the checks
follows the seed (createCertificatesByIdWithMultipleCsrData): the path must name a method this
server offers (else HTTP 404, :class:`~.errors.UnknownMethod`); the ``emKey`` header must be
present (presence M); decrypt ``requestData`` with the shared AES key ("Invalid input data");
check user name, password, source IP (on by default: a client registered without addresses is
refused unless registered with ``allowed_ips=ANY``) and the emKey ("Invalid request details
found"); then "if the certificate is already created for the requested applicationId, return the
existing certificate"; then the parameters ("Invalid parameter", "<id> profile does not exist",
"Invalid validity", "Invalid From Date"), the CMS ``signature`` against the PFX certificate
registered for that user ("Signature verification failed") and each CSR ("Please enter valid
data"). Every refusal is the typed :class:`~.errors.EmcaError` whose message is the vendor's text;
:func:`build_response` turns it into the ``Failure`` answer, wrapped in the seed's ``response``
parameter by default. Unexpected errors become "Internal server error", never a traceback.

Manual authorization (:class:`~.manual.ManualAuthorization`): the create call answers request ids;
:func:`handle_get_certificate_by_request_id` answers the follow-up. :func:`handle_request` routes
both by method. Not covered: profile-specific CSR content rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import secrets
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol, TypedDict, Unpack, runtime_checkable

import orjson
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed448, ed25519
from cryptography.hazmat.primitives.serialization import pkcs7

from ..._dsa import public_key as load_public_key
from ...csr import CsrInfo
from ...envelope import Envelope
from ...errors import AuthenticationFailed, CryptokitError, DecryptionFailed, InputError, PolicyViolation
from ...pkcs12 import KeyBundle
from .. import HttpRequest, HttpResponse
from .._args import known_options
from .auth import EMKEY_HEADER, AuthKeyVerifier, check_emkey, check_emkey_format, check_emkey_text, check_static_emkey
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
    RequestRejected,
    SignatureVerificationFailed,
    UnknownMethod,
)
from .framing import SERVER_FRAMING, CsrFraming, open_content, unwrap_base64
from .manual import ManualAuthorization, PendingRequest, State
from .methods import CREATE_METHODS, METHOD_GET_CERTIFICATE_BY_REQUEST_ID, check_http_request, route
from .strings import Validity, format_request_ids, parse_valid_from

__all__ = [
    "ANY",
    "AnyAddress",
    "RegisteredClient",
    "OpenedRequest",
    "OpenOptions",
    "CreateOptions",
    "AnswerOptions",
    "CreateAnswerOptions",
    "ClientRegistry",
    "InMemoryRegistry",
    "OpenedCreateCertificatesRequest",
    "OpenedFollowUpRequest",
    "open_request",
    "open_create_certificates_request",
    "open_get_certificate_by_request_id",
    "issue_certificates",
    "build_response",
    "build_pending_response",
    "handle_create_certificates",
    "handle_get_certificate_by_request_id",
    "handle_request",
    "PENDING_MESSAGE",
]

UTC = dt.UTC
MAX_REQUEST_SIZE = 32 * 1024 * 1024
_MAX_PARAM = 256
#: The ``result`` text of a manual-authorization answer (cryptokit's wording; the vendor shows none).
PENDING_MESSAGE: Final = "Request submitted for manual authorization"
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AnyAddress:
    """The explicit "any source address" of :data:`ANY` (the operator's choice; never a default)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ANY"

    def __reduce__(self) -> str:
        return "ANY"


#: ``allowed_ips=ANY``: accept requests from any source address (must be said explicitly).
ANY: Final = AnyAddress()


def _networks(value: object) -> frozenset[IpNetwork] | AnyAddress:
    """Registered addresses: ANY, or addresses/networks (one string or an iterable); None is none."""
    if isinstance(value, AnyAddress):
        return value
    if value is None:
        return frozenset()
    items: Iterable[Any] = (value,) if isinstance(value, str) else value if isinstance(value, Iterable) else ()
    if not isinstance(value, (str, Iterable)) or isinstance(value, (bytes, bytearray)):
        raise InputError("allowed_ips", "must be IP addresses/networks or ANY")
    out: set[IpNetwork] = set()
    for item in items:
        try:
            out.add(ipaddress.ip_network(item, strict=False))
        except (TypeError, ValueError):
            raise InputError("allowed_ips", f"{item!r} is not an IP address or network") from None
    return frozenset(out)


def _ip_allowed(allowed: frozenset[IpNetwork] | AnyAddress, source_ip: object) -> bool:
    if isinstance(allowed, AnyAddress):
        return True
    if not allowed or not isinstance(source_ip, str):
        return False
    try:
        address = ipaddress.ip_address(source_ip.strip())
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in net for net in allowed)


@dataclass(frozen=True, slots=True)
class RegisteredClient:
    """A registered API user: the PFX certificate that must sign its requests, and its limits.

    ``allowed_ips``: the registered source addresses/networks; empty (the default) refuses every
    request, :data:`ANY` accepts any address. ``emkey`` is the static emKey issued to it (None:
    only presence and format are checked here, or cryptokit's HMAC scheme with ``emkey_secret``).
    The emKey never appears in the repr.
    """

    user_name: str
    signer_certificate: x509.Certificate
    allowed_ips: frozenset[IpNetwork] | AnyAddress = frozenset()
    emkey: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed_ips", _networks(self.allowed_ips))
        if self.emkey is not None:
            check_emkey_text(self.emkey)


@runtime_checkable
class ClientRegistry(Protocol):
    """Where the server looks up users, certificate profiles and certificates already issued
    (a database in a real service)."""

    def authenticate(self, user_name: str, password: str) -> RegisteredClient | None:
        """The client if ``password`` is right for ``user_name`` (constant time), else None."""
        ...

    def has_profile(self, profile_id: str) -> bool: ...

    def find_issued(self, user_name: str, application_id: str) -> Mapping[str, x509.Certificate] | None:
        """csr id -> certificate already issued to ``user_name`` for ``application_id``, or None."""
        ...

    def record_issued(
        self, user_name: str, application_id: str, certificates: Mapping[str, x509.Certificate]
    ) -> Mapping[str, x509.Certificate]:
        """Store what was issued; returns what is stored (an earlier record wins a race)."""
        ...


class InMemoryRegistry:
    """A :class:`ClientRegistry` for tests and small services.

    Passwords are kept only as HMAC-SHA256 under a per-registry random key (never in clear, never
    in repr) and compared in constant time. A persistent registry should store a slow password
    hash (scrypt, Argon2) instead. Issued certificates are kept per (user, applicationId).
    """

    __slots__ = ("_clients", "_issued", "_key", "_lock", "_profiles")

    def __init__(self, profiles: Iterable[str] = ()) -> None:
        self._key = secrets.token_bytes(32)
        self._clients: dict[str, tuple[bytes, RegisteredClient]] = {}
        self._profiles = set(profiles)
        self._issued: dict[tuple[str, str], dict[str, x509.Certificate]] = {}
        self._lock = threading.Lock()

    def _digest(self, password: str) -> bytes:
        return hmac.new(self._key, password.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def register(
        self,
        user_name: str,
        password: str,
        signer_certificate: x509.Certificate,
        *,
        allowed_ips: Iterable[str] | str | AnyAddress | None = None,
        emkey: str | None = None,
    ) -> RegisteredClient:
        """Register a client. Without ``allowed_ips`` every request is refused ("Invalid request
        details found"): give its addresses/networks, or :data:`ANY` to accept any source."""
        client = RegisteredClient(user_name, signer_certificate, _networks(allowed_ips), emkey)
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

    def find_issued(self, user_name: str, application_id: str) -> Mapping[str, x509.Certificate] | None:
        with self._lock:
            found = self._issued.get((user_name, application_id))
            return dict(found) if found is not None else None

    def record_issued(
        self, user_name: str, application_id: str, certificates: Mapping[str, x509.Certificate]
    ) -> Mapping[str, x509.Certificate]:
        with self._lock:
            stored = self._issued.setdefault((user_name, application_id), dict(certificates))
            return dict(stored)

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


class OpenOptions(TypedDict, total=False):
    """How a server authenticates a request beyond ``envelope`` (the shared AES key) and ``registry``
    (the registered clients), the same for :func:`open_request`, the ``open_*`` and the ``handle_*``
    functions: ``auth_verifier`` checks the AuthKey headers, ``emkey_secret`` the emKey by
    cryptokit's HMAC scheme, ``source_ip`` is the client's address (checked against the registered
    ones; None: unknown, refused unless the client was registered with ``allowed_ips=ANY``),
    ``strict_emkey`` wants 40 hex digits."""

    auth_verifier: AuthKeyVerifier | None
    emkey_secret: bytes | None
    source_ip: str | None
    strict_emkey: bool


class CreateOptions(OpenOptions, total=False):
    """:class:`OpenOptions` plus how a create request is read: ``framing`` of its CMS ``signature``
    (:data:`~.framing.SERVER_FRAMING`: either, auto-detected) and ``valid_from_tz``, the zone its
    ``validFrom`` wall-clock time is read in (UTC)."""

    framing: CsrFraming
    valid_from_tz: dt.tzinfo


class AnswerOptions(OpenOptions, total=False):
    """:class:`OpenOptions` plus how a handler answers: ``now`` (the issuing time and the CMS check's
    time; default the current time), ``form`` of the certificates ("pkcs7", "der" or "pem") and
    ``include_chain`` (the CA's certificates too; False)."""

    now: dt.datetime | None
    form: Literal["pkcs7", "der", "pem"]
    include_chain: bool


class CreateAnswerOptions(CreateOptions, AnswerOptions, total=False):
    """What :func:`handle_create_certificates` takes: :class:`CreateOptions` and :class:`AnswerOptions`."""


_OPEN_NAMES: Final = frozenset(OpenOptions.__optional_keys__)
_CREATE_NAMES: Final = frozenset(CreateOptions.__optional_keys__)
_ANSWER_NAMES: Final = frozenset(AnswerOptions.__optional_keys__)
_CREATE_ANSWER_NAMES: Final = frozenset(CreateAnswerOptions.__optional_keys__)


def _opening(function: str, options: OpenOptions, names: frozenset[str] = _OPEN_NAMES) -> None:
    """Refuse an unknown keyword in ``options`` (an InputError naming it): checked before a handler's
    try, so a caller's slip is not answered as "Internal server error"."""
    known_options(function, options, names)


def open_request(
    http_request: HttpRequest,
    *,
    envelope: Envelope,
    registry: ClientRegistry,
    accept_wrapped_base64: bool = True,
    **opening: Unpack[OpenOptions],
) -> OpenedRequest:
    """Decrypt and authenticate any emCA request (``opening``: :class:`OpenOptions`); raises the matching
    :class:`EmcaError`.

    Checks, in order: body shape (Invalid parameter); the ``emKey`` header present and well formed
    (non-empty printable text; 40 hex digits with ``strict_emkey``); AuthKey headers when
    ``auth_verifier`` is given (those three: Invalid request details found); the ``requestData``
    envelope, line-wrapped base64 accepted unless ``accept_wrapped_base64`` is False (Invalid input
    data); user name, password, source IP against the registered addresses, and the emKey value
    (static when the client has one registered, cryptokit's HMAC scheme when ``emkey_secret`` is
    given) (Invalid request details found). The path is not looked at (see :func:`handle_request`).
    """
    _opening("open_request", opening)
    return _open(http_request, envelope, registry, opening, accept_wrapped_base64)


def _open(
    http_request: HttpRequest,
    envelope: Envelope,
    registry: ClientRegistry,
    opening: OpenOptions,
    accept_wrapped_base64: bool = True,
) -> OpenedRequest:
    strict_emkey = opening.get("strict_emkey", False)
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
    presented = http_request.header(EMKEY_HEADER)
    try:
        check_emkey_format(presented) if strict_emkey else check_emkey_text(presented)  # type: ignore[arg-type]
    except InputError:
        raise InvalidRequestDetails() from None
    auth_verifier = opening.get("auth_verifier")
    if auth_verifier is not None:
        try:
            auth_verifier.verify_headers(http_request.headers)
        except AuthenticationFailed:
            raise InvalidRequestDetails() from None
    try:
        if accept_wrapped_base64:
            token = unwrap_base64(token, "requestData")
        inner = envelope.open_json(token)
    except (DecryptionFailed, InputError):
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
    if not _ip_allowed(client.allowed_ips, opening.get("source_ip")):
        raise InvalidRequestDetails()
    try:
        if client.emkey is not None:
            check_static_emkey(presented, client.emkey, strict=strict_emkey)
        emkey_secret = opening.get("emkey_secret")
        if emkey_secret is not None:
            check_emkey(emkey_secret, presented, user)
    except (AuthenticationFailed, InputError):
        raise InvalidRequestDetails() from None
    return OpenedRequest(client, inner)


@dataclass(frozen=True, slots=True)
class OpenedCreateCertificatesRequest:
    """What a verified createCertificatesByIdWithMultipleCsrData request asks for.

    ``csrs`` maps id -> verified :class:`~cryptokit.csr.CsrInfo`, in the signed order; ``validity`` and
    ``valid_from`` are None when not given. The signature was checked against ``client.signer_certificate``.
    ``framing`` names the framing the ``signature`` field used ("per-csr" or "joined").
    """

    client: RegisteredClient
    application_id: str
    profile_id: str
    subscriber_id: str
    validity: Validity | None
    valid_from: dt.datetime | None
    csrs: Mapping[str, CsrInfo]
    framing: str = ""



def _route_and_open(
    http_request: HttpRequest,
    methods: Collection[str] | None,
    envelope: Envelope,
    registry: ClientRegistry,
    opening: OpenOptions,
) -> OpenedRequest:
    """The first steps of every emCA handler: the method routing (when ``methods`` is given), then
    :func:`open_request`."""
    if methods is not None:
        route(http_request, methods)
    return _open(http_request, envelope, registry, opening)


def _check_params(params: Mapping[str, Any], registry: ClientRegistry, valid_from_tz: dt.tzinfo) -> tuple[Any, ...]:
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
    return profile_id, subscriber_id, signature, validity, valid_from


def _cms_verifier(trusted: x509.Certificate, at: dt.datetime | None) -> Callable[[bytes], bytes]:
    from ...cms import cms_verify

    def verify(cms: bytes) -> bytes:
        try:
            return cms_verify(cms, trusted_signers=[trusted], at=at).content
        except CryptokitError:
            raise SignatureVerificationFailed() from None

    return verify


def _verify_create(
    opened: OpenedRequest,
    application_id: str,
    registry: ClientRegistry,
    options: CreateOptions,
    at: dt.datetime | None,
) -> OpenedCreateCertificatesRequest:
    from ...csr import verify_csr
    from .framing import detect_framing

    framing = options.get("framing", SERVER_FRAMING)
    valid_from_tz = options.get("valid_from_tz", UTC)
    profile_id, subscriber_id, signature, validity, valid_from = _check_params(opened.params, registry, valid_from_tz)
    verify = _cms_verifier(opened.client.signer_certificate, at)
    try:
        ders = framing.open(signature, verify)
        used = framing.name if framing.name != "auto" else detect_framing(signature).name
    except InputError:
        raise InvalidData() from None
    csrs: dict[str, CsrInfo] = {}
    for csr_id, der in ders.items():
        try:
            csrs[csr_id] = verify_csr(der)
        except CryptokitError:
            raise InvalidData() from None
    return OpenedCreateCertificatesRequest(
        opened.client, application_id, profile_id, subscriber_id, validity, valid_from, csrs, used
    )


def open_create_certificates_request(
    http_request: HttpRequest,
    *,
    envelope: Envelope,
    registry: ClientRegistry,
    at: dt.datetime | None = None,
    methods: Collection[str] | None = CREATE_METHODS,
    **options: Unpack[CreateOptions],
) -> OpenedCreateCertificatesRequest:
    """Route (the path must name one of ``methods``, the seed's name by default; None skips the check), open and
    authenticate (``options``: :class:`CreateOptions`, see :func:`open_request`), then: parameters, profile, validity,
    validFrom (read in ``valid_from_tz``), the CMS signature against the registered certificate at ``at`` (default
    now) in either framing (``framing``: auto-detected by default), and each CSR's self-signature. Does not look for
    an existing certificate (:func:`handle_create_certificates` does).

    Raises the :class:`EmcaError` whose text the vendor documents for each failure.
    """
    _opening("open_create_certificates_request", options, _CREATE_NAMES)
    opened = _route_and_open(http_request, methods, envelope, registry, options)
    return _verify_create(opened, _param(opened.params, "applicationId"), registry, options, at)


@dataclass(frozen=True, slots=True)
class OpenedFollowUpRequest:
    """A verified getCertificateByRequestID request: the CMS signed exactly the request id."""

    client: RegisteredClient
    request_id: str


def open_get_certificate_by_request_id(
    http_request: HttpRequest,
    *,
    envelope: Envelope,
    registry: ClientRegistry,
    at: dt.datetime | None = None,
    methods: Collection[str] | None = frozenset({METHOD_GET_CERTIFICATE_BY_REQUEST_ID}),
    **opening: Unpack[OpenOptions],
) -> OpenedFollowUpRequest:
    """Route, open and authenticate (:func:`open_request`, ``opening``: :class:`OpenOptions`), then check that
    ``signature`` is a CMS by the registered certificate whose content is exactly the ``requestId`` (UTF-8;
    ``requestID`` is read too). Signature Verification failed otherwise; Invalid parameter when ``requestId`` is
    absent."""
    _opening("open_get_certificate_by_request_id", opening)
    return _verify_follow_up(_route_and_open(http_request, methods, envelope, registry, opening), at)


def _verify_follow_up(opened: OpenedRequest, at: dt.datetime | None) -> OpenedFollowUpRequest:
    request_id = _param(opened.params, "requestId", "requestID")
    signature = opened.params.get("signature")
    if not isinstance(signature, str) or not signature:
        raise InvalidParameter()
    verify = _cms_verifier(opened.client.signer_certificate, at)
    try:
        content = open_content(signature, verify, accept_wrapped=True)
    except InputError:
        raise InvalidData() from None
    if not hmac.compare_digest(content, request_id.encode("utf-8")):
        raise SignatureVerificationFailed()
    return OpenedFollowUpRequest(opened.client, request_id)


def _ca_parts(ca: KeyBundle) -> tuple[Any, x509.Certificate]:
    if not isinstance(ca, KeyBundle) or ca.private_key is None or ca.certificate is None:
        raise InputError("ca", "must be a KeyBundle with the CA's private key and certificate")
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if ca.private_key.public_key().public_bytes(*spki) != load_public_key(ca.certificate).public_bytes(*spki):
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
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(load_public_key(ca_cert))  # type: ignore[arg-type]
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


def _answer(doc: dict[str, Any], status_case: str, wrapped: bool, http_status: int = 200) -> HttpResponse:
    state = doc["status"]
    doc["status"] = state.lower() if status_case == "lower" else state
    inner = orjson.dumps(doc)
    headers = {"Content-Type": "application/json"}
    if not wrapped:
        return HttpResponse(http_status, headers, inner)
    # The seed: the answer is a parameter "response", a String holding the JSON object.
    return HttpResponse(http_status, headers, orjson.dumps({"response": inner.decode("utf-8")}))


def build_response(
    *,
    subscriber_id: str | None,
    certificates: Mapping[str, x509.Certificate] | None = None,
    error: EmcaError | None = None,
    chain: Iterable[x509.Certificate] = (),
    form: Literal["pkcs7", "der", "pem"] = "pkcs7",
    status_case: Literal["title", "lower"] = "title",
    wrapped: bool = True,
    request_id: str | None = None,
) -> HttpResponse:
    """The :class:`HttpResponse` (JSON body) of a ``Success`` answer with ``certificates`` (base64
    PKCS#7 certs-only by default, ``chain`` appended), or of a ``Failure`` answer with ``error``'s text.

    The body is the seed's ``{"response": "<the JSON object as a string>"}``; ``wrapped=False``
    writes the bare object. HTTP 200, as emCA answers failures in the JSON ``status``, except an
    error that carries its own status (:class:`UnknownMethod`: 404). ``status_case="lower"`` writes
    ``success``/``failure`` (the vendor uses both). ``request_id`` fills ``requestId``.
    """
    if (certificates is None) == (error is None):
        raise InputError("response", "give exactly one of certificates or error")
    # Keys in the seed's order: status, result, subscriberId, requestId.
    if error is not None:
        doc: dict[str, Any] = {"status": "Failure", "result": error.message, "subscriberId": subscriber_id}
        status = error.http_status if isinstance(error, UnknownMethod) and error.http_status else 200
    else:
        certs = [*(certificates or {}).values(), *chain]
        if not certs:
            raise InputError("certificates", "is empty")
        doc = {"status": "Success", "result": _encode_certificates(certs, form), "subscriberId": subscriber_id}
        status = 200
    if request_id is not None:
        doc["requestId"] = request_id
    return _answer(doc, status_case, wrapped, status)


def build_pending_response(
    request_ids: Mapping[str, str] | str,
    *,
    subscriber_id: str | None,
    message: str = PENDING_MESSAGE,
    status_case: Literal["title", "lower"] = "title",
    wrapped: bool = True,
) -> HttpResponse:
    """The ``Success`` answer of a manual-authorization profile: ``requestId`` = ``ID|requestId~...``
    (or one bare request id, the follow-up's pending answer), ``result`` = ``message``."""
    doc = {"status": "Success", "result": message, "subscriberId": subscriber_id}
    doc["requestId"] = request_ids if isinstance(request_ids, str) else format_request_ids(request_ids)
    return _answer(doc, status_case, wrapped)


def _answer_chain(ca: KeyBundle, options: AnswerOptions) -> list[x509.Certificate]:
    """The CA's certificates an answer carries: none unless ``include_chain``."""
    if not options.get("include_chain", False) or ca.certificate is None:
        return []
    return [ca.certificate, *ca.chain]


def _failure(error: EmcaError, subscriber_id: str | None, wrapped: bool) -> HttpResponse:
    return build_response(subscriber_id=subscriber_id, error=error, wrapped=wrapped)


def handle_create_certificates(
    http_request: HttpRequest,
    *,
    envelope: Envelope,
    registry: ClientRegistry,
    ca: KeyBundle,
    methods: Collection[str] | None = CREATE_METHODS,
    manual: ManualAuthorization | None = None,
    wrapped: bool = True,
    **options: Unpack[CreateAnswerOptions],
) -> HttpResponse:
    """The whole create exchange on the server, in the seed's order: route (404 for another method), open and
    authenticate (``options``: :class:`CreateAnswerOptions`), return the existing certificates when
    ``registry.find_issued`` has some for this user and applicationId (or the existing request ids when ``manual``
    holds them), verify the parameters, CMS and CSRs, then issue (recorded with ``registry.record_issued``) or, when
    ``manual`` applies to the profile, queue and answer the request ids.

    Any :class:`EmcaError` becomes its ``Failure`` answer; any other error becomes "Internal server error" (no detail
    leaks). ``wrapped`` (default) writes the seed's ``response`` wrapper."""
    check_http_request(http_request)
    _opening("handle_create_certificates", options, _CREATE_ANSWER_NAMES)
    now, form = options.get("now"), options.get("form", "pkcs7")
    if not all(callable(getattr(registry, name, None)) for name in ("find_issued", "record_issued")):
        # a caller's bug, not a client's: say so instead of answering "Internal server error"
        raise InputError("registry", "must implement find_issued and record_issued (the applicationId rule)")
    subscriber_id: str | None = None
    try:
        opened = _route_and_open(http_request, methods, envelope, registry, options)
        application_id = _param(opened.params, "applicationId")
        raw_subscriber = opened.params.get("subscriberId")
        subscriber_id = (
            raw_subscriber if isinstance(raw_subscriber, str) and len(raw_subscriber) <= _MAX_PARAM else None
        )
        chain = _answer_chain(ca, options)
        user = opened.client.user_name
        existing = registry.find_issued(user, application_id)
        if existing:
            return build_response(
                subscriber_id=subscriber_id, certificates=existing, chain=chain, form=form, wrapped=wrapped
            )
        if manual is not None:
            queued = manual.find(user, application_id)
            if queued:
                return build_pending_response(queued, subscriber_id=subscriber_id, wrapped=wrapped)
        verified = _verify_create(opened, application_id, registry, options, now)
        subscriber_id = verified.subscriber_id
        if manual is not None and manual.applies(verified.profile_id):
            ids = manual.submit(
                user_name=user,
                application_id=application_id,
                profile_id=verified.profile_id,
                subscriber_id=verified.subscriber_id,
                csrs=verified.csrs,
                validity=verified.validity,
                valid_from=verified.valid_from,
            )
            return build_pending_response(ids, subscriber_id=subscriber_id, wrapped=wrapped)
        certificates = issue_certificates(verified, ca=ca, now=now)
        stored = registry.record_issued(user, application_id, certificates)
        return build_response(subscriber_id=subscriber_id, certificates=stored, chain=chain, form=form, wrapped=wrapped)
    except EmcaError as exc:
        return _failure(exc, subscriber_id, wrapped)
    except Exception:  # the answer must never carry internal details
        return _failure(InternalServerError(), subscriber_id, wrapped)


def _issue_pending(
    entry: PendingRequest, client: RegisteredClient, ca: KeyBundle, now: dt.datetime | None
) -> x509.Certificate:
    one = OpenedCreateCertificatesRequest(
        client,
        entry.application_id,
        entry.profile_id,
        entry.subscriber_id,
        entry.validity,
        entry.valid_from,
        {entry.csr_id: entry.csr},
    )
    return issue_certificates(one, ca=ca, now=now)[entry.csr_id]


def handle_get_certificate_by_request_id(
    http_request: HttpRequest,
    *,
    envelope: Envelope,
    registry: ClientRegistry,
    ca: KeyBundle,
    manual: ManualAuthorization,
    methods: Collection[str] | None = frozenset({METHOD_GET_CERTIFICATE_BY_REQUEST_ID}),
    wrapped: bool = True,
    **options: Unpack[AnswerOptions],
) -> HttpResponse:
    """The follow-up of a manually authorized request (getCertificateByRequestID), opened and answered as ``options``
    say (:class:`AnswerOptions`), by the state in ``manual``: PENDING answers the pending message with the request
    id again; APPROVED issues the certificate (once: APPROVED -> ISSUED) and answers it; ISSUED answers the same
    certificate; REJECTED answers "Request rejected"; an unknown request id or one of another user answers "Invalid
    parameter". Every answer's ``requestId`` is the request id."""
    check_http_request(http_request)
    _opening("handle_get_certificate_by_request_id", options, _ANSWER_NAMES)
    now = options.get("now")
    if not isinstance(manual, ManualAuthorization):
        raise InputError("manual", "must be a ManualAuthorization")
    subscriber_id: str | None = None
    try:
        opened = _verify_follow_up(_route_and_open(http_request, methods, envelope, registry, options), now)
        entry = manual.get(opened.request_id, opened.client.user_name)
        if entry is None:
            raise InvalidParameter()
        subscriber_id = entry.subscriber_id
        if entry.state is State.PENDING:
            return build_pending_response(entry.request_id, subscriber_id=subscriber_id, wrapped=wrapped)
        if entry.state is State.REJECTED:
            raise RequestRejected()
        if entry.state is State.APPROVED:
            try:
                entry = manual.issue(entry.request_id, _issue_pending(entry, opened.client, ca, now))
            except PolicyViolation:  # another follow-up issued it first: answer that one
                entry = manual.get(opened.request_id, opened.client.user_name) or entry
        if entry.certificate is None:
            raise InternalServerError()
        return build_response(
            subscriber_id=subscriber_id,
            certificates={entry.csr_id: entry.certificate},
            chain=_answer_chain(ca, options),
            form=options.get("form", "pkcs7"),
            wrapped=wrapped,
            request_id=entry.request_id,
        )
    except EmcaError as exc:
        return _failure(exc, subscriber_id, wrapped)
    except Exception:  # the answer must never carry internal details
        return _failure(InternalServerError(), subscriber_id, wrapped)


#: The options :func:`handle_request` passes on: the follow-up takes these, the create call two more.
_FOLLOW_UP_OPTIONS: Final = _ANSWER_NAMES
_CREATE_OPTIONS: Final = _CREATE_ANSWER_NAMES


def handle_request(
    http_request: HttpRequest,
    *,
    envelope: Envelope,
    registry: ClientRegistry,
    ca: KeyBundle,
    manual: ManualAuthorization | None = None,
    create_methods: Collection[str] = CREATE_METHODS,
    wrapped: bool = True,
    **options: Any,
) -> HttpResponse:
    """Route by method: a create method (``create_methods``: the seed's name by default; add
    ``METHOD_CREATE_X509_CERTIFICATES`` to answer the other versions' name too) goes to
    :func:`handle_create_certificates`, ``getCertificateByRequestID`` (when ``manual`` is given) to
    :func:`handle_get_certificate_by_request_id`; anything else is HTTP 404 with the vendor's
    failure text. ``options`` are passed on (auth_verifier, emkey_secret, source_ip, now, form, ...)."""
    check_http_request(http_request)
    unknown = sorted(set(options) - _CREATE_OPTIONS)
    if unknown:
        raise InputError("options", f"unknown option(s): {', '.join(unknown)}")
    follow_up = frozenset({METHOD_GET_CERTIFICATE_BY_REQUEST_ID}) if manual is not None else frozenset()
    try:
        name = route(http_request, frozenset(create_methods) | follow_up)
    except UnknownMethod as exc:
        return _failure(exc, None, wrapped)
    if name in follow_up and manual is not None:
        follow_options = {k: v for k, v in options.items() if k in _FOLLOW_UP_OPTIONS}
        return handle_get_certificate_by_request_id(
            http_request, envelope=envelope, registry=registry, ca=ca, manual=manual, wrapped=wrapped, **follow_options
        )
    return handle_create_certificates(
        http_request,
        envelope=envelope,
        registry=registry,
        ca=ca,
        manual=manual,
        methods=create_methods,
        wrapped=wrapped,
        **options,
    )
