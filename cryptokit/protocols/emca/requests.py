"""Client half of emCA, sans-I/O: build encrypted, signed requests (answers: :mod:`.responses`).

Request shape (vendor-documented): ``POST .../createCertificatesByIdWithMultipleCsrData`` with body
``{"requestData": <envelope token>, "userName": ..}``, headers ``Content-Type: application/json`` and
``emKey`` (mandatory: no request is built without one). The answer is the parameter ``response``, a
String holding the JSON object (the bare object is read too). The inner JSON holds the method's
parameters plus ``userName`` and ``password``; its ``signature`` is a CMS made with the client's
registered PFX over the method's content (see :mod:`.framing`). The envelope profile and the CSR
framing are cryptokit's explicit choices where the vendor is silent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict, TypeVar, Unpack

import orjson
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ...envelope import Envelope
from ...errors import InputError
from ...pkcs12 import KeyBundle
from .. import HttpRequest
from .._args import known_options
from .auth import EMKEY_HEADER, TsFormat, auth_headers, check_emkey_format, check_emkey_text, issue_emkey
from .framing import DEFAULT_FRAMING, MAX_CSRS, CsrFraming, check_csr_id, sign_content
from .methods import METHOD_CREATE_CERTIFICATES, METHOD_GET_CERTIFICATE_BY_REQUEST_ID
from .strings import Validity, format_valid_from, parse_valid_from

__all__ = [
    "EmcaAuth",
    "SealOptions",
    "RequestedCsr",
    "CreateCertificatesRequest",
    "CertificateByRequestIdRequest",
    "build_request",
    "build_create_certificates_request",
    "build_get_certificate_by_request_id_request",
]

_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
_DER = serialization.Encoding.DER
UTC = dt.UTC


@dataclass(frozen=True, slots=True, repr=False)
class EmcaAuth:
    """Request authentication headers: the mandatory ``emkey`` (the seed: header ``emKey``, presence M)
    and, optionally, emCA 4.3's ``ClientID``/``ts``/``txn``/``AuthKey`` for ``client_id``.

    The emKey is taken as the operator gave it: any non-empty printable text up to
    :data:`~.auth.MAX_EMKEY` characters (the vendor's format is undocumented); ``strict_emkey=True``
    also requires the observed 40 hexadecimal digits. :meth:`generated` makes one with cryptokit's
    own scheme. The emKey never shows in repr.
    """

    emkey: str | None = None
    client_id: str | None = None
    ts_format: TsFormat = "epoch-millis"
    strict_emkey: bool = False

    def __post_init__(self) -> None:
        if self.emkey is None:
            raise InputError("emKey", "is mandatory (header emKey, presence M): give the key the operator issued")
        value = check_emkey_format(self.emkey) if self.strict_emkey else check_emkey_text(self.emkey)
        object.__setattr__(self, "emkey", value)

    @classmethod
    def generated(
        cls, secret: bytes, user_name: str, *, context: tuple[str, ...] = (), client_id: str | None = None
    ) -> EmcaAuth:
        """An emKey made with cryptokit's HMAC scheme (:func:`~.auth.issue_emkey`), for services that
        issue emKeys that way (NOT the vendor's algorithm)."""
        return cls(emkey=issue_emkey(secret, user_name, context=context), client_id=client_id)

    def headers(self, now: dt.datetime | None = None) -> dict[str, str]:
        out: dict[str, str] = {EMKEY_HEADER: str(self.emkey)}
        if self.client_id is not None:
            out.update(auth_headers(self.client_id, now, ts_format=self.ts_format))
        return out

    def __repr__(self) -> str:
        return f"EmcaAuth(emkey=set, client_id={self.client_id!r})"


class SealOptions(TypedDict, total=False):
    """What every emCA request builder takes besides the login and the envelope: ``auth`` (the
    :class:`EmcaAuth` headers; mandatory, InputError without it), ``path`` (default ``/<method>``,
    relative to the base URL) and ``now`` (an aware datetime for the AuthKey ``ts`` and the request's
    ``created_at``; default the current time)."""

    auth: EmcaAuth | None
    path: str | None
    now: dt.datetime | None


_SEAL_NAMES = frozenset(SealOptions.__optional_keys__)
_R = TypeVar("_R", bound=HttpRequest)


def build_request(
    method: str,
    params: Mapping[str, Any],
    *,
    username: str,
    password: str,
    envelope: Envelope,
    **sealing: Unpack[SealOptions],
) -> HttpRequest:
    """Any emCA method's request: ``params`` + userName + password sealed in ``requestData``, the
    ``emKey`` header from ``auth`` (``sealing``: :class:`SealOptions`).

    Proves nothing; it only packages.
    """
    known_options("build_request", sealing, _SEAL_NAMES)
    auth, path = sealing.get("auth"), sealing.get("path")
    for name, value in (("username", username), ("password", password), ("method", method)):
        if not isinstance(value, str) or not value:
            raise InputError(name, "must be a non-empty string")
    if not isinstance(auth, EmcaAuth):
        raise InputError("auth", "the emKey header is mandatory: pass auth=EmcaAuth(emkey=...)")
    inner = dict(params)
    inner["userName"] = username
    inner["password"] = password
    token = envelope.seal(inner)
    body = orjson.dumps({"requestData": token, "userName": username})
    headers = {"Content-Type": "application/json"}
    headers.update(auth.headers(sealing.get("now")))
    return HttpRequest("POST", path if path is not None else f"/{method}", headers=headers, body=body)


def _sealed(
    kind: type[_R],
    method: str,
    params: Mapping[str, Any],
    login: tuple[str, str, Envelope],
    sealing: SealOptions,
    **asked: Any,
) -> _R:
    """:func:`build_request` for ``method`` (``login``: username, password, envelope) as a ``kind``
    carrying what was ``asked`` to check the answer against."""
    username, password, envelope = login
    http = build_request(method, params, username=username, password=password, envelope=envelope, **sealing)
    return kind(http.method, http.path, http.query, http.headers, http.body, **asked)


def _signer(signer: object) -> KeyBundle:
    if not isinstance(signer, KeyBundle) or signer.private_key is None or signer.certificate is None:
        raise InputError("signer", "must be a KeyBundle with a private key and its certificate")
    return signer


# --- createCertificatesByIdWithMultipleCsrData -----------------------------------------------


@dataclass(frozen=True, slots=True)
class RequestedCsr:
    """What one CSR asked for: its id, subject, and public key (SubjectPublicKeyInfo DER)."""

    csr_id: str
    subject: x509.Name
    public_key_der: bytes = field(repr=False)
    der: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class CreateCertificatesRequest(HttpRequest):
    """The :class:`HttpRequest` to send, plus what was asked (no secrets) to check the answer against."""

    csrs: tuple[RequestedCsr, ...] = field(default=(), compare=False)
    subscriber_id: str = field(default="", compare=False)
    profile_id: str = field(default="", compare=False)
    application_id: str = field(default="", compare=False)
    validity: Validity | None = field(default=None, compare=False)
    valid_from: dt.datetime | None = field(default=None, compare=False)
    #: When the request was built (UTC): a certificate older than this answers an earlier request.
    created_at: dt.datetime | None = field(default=None, compare=False)
    framing: str = field(default="", compare=False)

    def __repr__(self) -> str:
        return f"CreateCertificatesRequest({len(self.csrs)} CSRs, {HttpRequest.__repr__(self)})"


def _validity(value: Validity | str | dt.timedelta | None) -> Validity | None:
    if value is None or isinstance(value, Validity):
        return value
    if isinstance(value, str):
        return Validity.parse(value)
    if isinstance(value, dt.timedelta):
        return Validity.from_timedelta(value)
    raise InputError("validity", "Invalid validity: must be a Validity, a D:H:M:S string or a timedelta")


def _valid_from(value: dt.datetime | str | None, tz: dt.tzinfo) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        return parse_valid_from(value, tz)
    format_valid_from(value, tz)  # checks aware
    return value.astimezone(UTC).replace(microsecond=0)


def _requested(csrs: Mapping[str, Any]) -> tuple[RequestedCsr, ...]:
    from ...csr import verify_csr

    if not isinstance(csrs, Mapping) or not csrs:
        raise InputError("csrs", "must be a non-empty mapping of id -> CSR")
    if len(csrs) > MAX_CSRS:
        raise InputError("csrs", f"holds more than {MAX_CSRS} CSRs")
    out: list[RequestedCsr] = []
    seen_keys: dict[bytes, str] = {}
    for csr_id, data in csrs.items():
        check_csr_id(csr_id)
        info = verify_csr(data)
        key_der = info.public_key.public_bytes(_DER, _SPKI)
        if key_der in seen_keys:
            raise InputError(f"csrs[{csr_id}]", f"has the same public key as {seen_keys[key_der]!r}")
        seen_keys[key_der] = csr_id
        out.append(RequestedCsr(csr_id, info.subject, key_der, info.der))
    return tuple(out)


def build_create_certificates_request(
    csrs: Mapping[str, Any],
    *,
    application_id: str,
    profile_id: str,
    subscriber_id: str,
    username: str,
    password: str,
    signer: KeyBundle,
    envelope: Envelope,
    validity: Validity | str | dt.timedelta | None = None,
    valid_from: dt.datetime | str | None = None,
    valid_from_tz: dt.tzinfo = UTC,
    framing: CsrFraming = DEFAULT_FRAMING,
    method: str = METHOD_CREATE_CERTIFICATES,
    **sealing: Unpack[SealOptions],
) -> CreateCertificatesRequest:
    """The createCertificatesByIdWithMultipleCsrData request for ``csrs`` (id -> CSR, any form
    :func:`cryptokit.csr.verify_csr` reads). ``sealing``: :class:`SealOptions` (``auth``, the emKey,
    is mandatory); ``method`` may name
    :data:`METHOD_CREATE_X509_CERTIFICATES` for services that use the other versions' name.

    Each CSR's self-signature is checked first (InputError/InvalidSignature otherwise) and no two
    CSRs may share a key, so the answer's certificates can be matched by key. ``signature`` is the
    ``framing`` of the DER CSRs signed with ``signer`` (CMS, SHA-256, signer certificate embedded).
    ``validFrom`` is written as wall-clock time in ``valid_from_tz`` (emCA does not document its zone).
    """
    from ...cms import cms_sign

    for name, value in (
        ("application_id", application_id),
        ("profile_id", profile_id),
        ("subscriber_id", subscriber_id),
    ):
        if not isinstance(value, str) or not value:
            raise InputError(name, "must be a non-empty string")
    known_options("build_create_certificates_request", sealing, _SEAL_NAMES)
    signer = _signer(signer)
    requested = _requested(csrs)
    chosen_validity = _validity(validity)
    start = _valid_from(valid_from, valid_from_tz)
    signature = framing.sign({r.csr_id: r.der for r in requested}, lambda content: cms_sign(content, signer))
    params: dict[str, Any] = {
        "applicationId": application_id,
        "profileID": profile_id,
        "subscriberId": subscriber_id,
        "signature": signature,
    }
    if chosen_validity is not None:
        params["validity"] = str(chosen_validity)
    if start is not None:
        params["validFrom"] = format_valid_from(start, valid_from_tz)
    if not isinstance(method, str) or not method or "/" in method:
        raise InputError("method", "must be a method name")
    now = sealing.get("now")
    if now is not None and (not isinstance(now, dt.datetime) or now.utcoffset() is None):
        raise InputError("now", "must be a timezone-aware datetime")
    created_at = (now if now is not None else dt.datetime.now(UTC)).astimezone(UTC)
    return _sealed(
        CreateCertificatesRequest,
        method,
        params,
        (username, password, envelope),
        sealing,
        csrs=requested,
        subscriber_id=subscriber_id,
        profile_id=profile_id,
        application_id=application_id,
        validity=chosen_validity,
        valid_from=start,
        created_at=created_at,
        framing=framing.name,
    )


# --- manual authorization follow-up: getCertificateByRequestID ---------------------------------


@dataclass(frozen=True, slots=True)
class CertificateByRequestIdRequest(HttpRequest):
    """The follow-up :class:`HttpRequest` for one request id, plus the CSR it is for (when known from
    the create request) to check the answer against."""

    request_id: str = field(default="", compare=False)
    csr_id: str | None = field(default=None, compare=False)
    csrs: tuple[RequestedCsr, ...] = field(default=(), compare=False)
    subscriber_id: str | None = field(default=None, compare=False)
    validity: Validity | None = field(default=None, compare=False)
    valid_from: dt.datetime | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        return f"CertificateByRequestIdRequest({self.csr_id!r}, {HttpRequest.__repr__(self)})"


def build_get_certificate_by_request_id_request(
    request_id: str,
    *,
    username: str,
    password: str,
    signer: KeyBundle,
    envelope: Envelope,
    method: str = METHOD_GET_CERTIFICATE_BY_REQUEST_ID,
    for_request: CreateCertificatesRequest | None = None,
    csr_id: str | None = None,
    **sealing: Unpack[SealOptions],
) -> CertificateByRequestIdRequest:
    """getCertificateByRequestID for ``request_id``: inner JSON ``{"requestId", "signature"}`` +
    userName/password, ``signature`` = base64 CMS over the request id (UTF-8), signed with ``signer``
    (``sealing``: :class:`SealOptions`).

    ``for_request`` and ``csr_id`` (the create request and the CSR this id answers) let
    :func:`parse_get_certificate_by_request_id_response` match the certificate to its CSR.
    The parameter name ``requestId`` is cryptokit's choice (the seed only names "another API").
    """
    from ...cms import cms_sign

    if not isinstance(request_id, str) or not request_id or len(request_id) > 256:
        raise InputError("request_id", "must be a non-empty string of at most 256 characters")
    known_options("build_get_certificate_by_request_id_request", sealing, _SEAL_NAMES)
    signer = _signer(signer)
    if for_request is not None and not isinstance(for_request, CreateCertificatesRequest):
        raise InputError("for_request", "must be the CreateCertificatesRequest that was sent")
    if csr_id is not None and (for_request is None or csr_id not in {r.csr_id for r in for_request.csrs}):
        raise InputError("csr_id", "must name a CSR of for_request")
    signature = sign_content(request_id, lambda content: cms_sign(content, signer))
    return _sealed(
        CertificateByRequestIdRequest,
        method,
        {"requestId": request_id, "signature": signature},
        (username, password, envelope),
        sealing,
        request_id=request_id,
        csr_id=csr_id,
        csrs=for_request.csrs if for_request is not None else (),
        subscriber_id=for_request.subscriber_id if for_request is not None else None,
        validity=for_request.validity if for_request is not None else None,
        valid_from=for_request.valid_from if for_request is not None else None,
    )
