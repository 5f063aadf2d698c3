"""Client half of emCA, sans-I/O: build encrypted, signed requests (answers: :mod:`.responses`).

Request shape (vendor-documented): body ``{"requestData": <envelope token>, "userName": ..}``,
headers ``Content-Type: application/json`` and ``emKey``. The inner JSON holds the method's
parameters plus ``userName`` and ``password``; its ``signature`` is a CMS made with the client's
registered PFX over the method's content (see :mod:`.framing`). The envelope profile and the CSR
framing are cryptokit's explicit choices where the vendor is silent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ...envelope import Envelope
from ...errors import InputError
from ...pkcs12 import KeyBundle
from .. import HttpRequest
from .auth import EMKEY_HEADER, TsFormat, auth_headers, check_emkey_format
from .framing import DEFAULT_FRAMING, MAX_CSRS, CsrFraming, check_csr_id
from .strings import Validity, format_valid_from, parse_valid_from

__all__ = [
    "METHOD_CREATE_CERTIFICATES",
    "EmcaAuth",
    "RequestedCsr",
    "CreateCertificatesRequest",
    "build_request",
    "build_create_certificates_request",
]

METHOD_CREATE_CERTIFICATES = "createX509CertificatesByIdWithMultipleCsrData"
_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
_DER = serialization.Encoding.DER
UTC = dt.UTC


@dataclass(frozen=True, slots=True, repr=False)
class EmcaAuth:
    """Request authentication headers: a static ``emkey`` (40 hex, as issued by the operator) and/or
    emCA 4.3's ``ClientID``/``ts``/``txn``/``AuthKey`` for ``client_id``. The emKey never shows in repr."""

    emkey: str | None = None
    client_id: str | None = None
    ts_format: TsFormat = "epoch-millis"

    def __post_init__(self) -> None:
        if self.emkey is not None:
            object.__setattr__(self, "emkey", check_emkey_format(self.emkey))

    def headers(self, now: dt.datetime | None = None) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.emkey is not None:
            out[EMKEY_HEADER] = self.emkey
        if self.client_id is not None:
            out.update(auth_headers(self.client_id, now, ts_format=self.ts_format))
        return out

    def __repr__(self) -> str:
        return f"EmcaAuth(emkey={'set' if self.emkey else None}, client_id={self.client_id!r})"


def build_request(
    method: str,
    params: Mapping[str, Any],
    *,
    username: str,
    password: str,
    envelope: Envelope,
    auth: EmcaAuth | None = None,
    path: str | None = None,
    now: dt.datetime | None = None,
) -> HttpRequest:
    """Any emCA method's request: ``params`` + userName + password sealed in ``requestData``.

    Proves nothing; it only packages. ``path`` defaults to ``/<method>`` (relative to the base URL).
    """
    for name, value in (("username", username), ("password", password), ("method", method)):
        if not isinstance(value, str) or not value:
            raise InputError(name, "must be a non-empty string")
    inner = dict(params)
    inner["userName"] = username
    inner["password"] = password
    token = envelope.seal(inner)
    body = orjson.dumps({"requestData": token, "userName": username})
    headers = {"Content-Type": "application/json"}
    if auth is not None:
        headers.update(auth.headers(now))
    return HttpRequest("POST", path if path is not None else f"/{method}", headers=headers, body=body)


# --- createX509CertificatesByIdWithMultipleCsrData -------------------------------------------


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
    auth: EmcaAuth | None = None,
    framing: CsrFraming = DEFAULT_FRAMING,
    path: str | None = None,
    now: dt.datetime | None = None,
) -> CreateCertificatesRequest:
    """The createX509CertificatesByIdWithMultipleCsrData request for ``csrs`` (id -> CSR, any form
    :func:`cryptokit.csr.verify_csr` reads).

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
    if not isinstance(signer, KeyBundle) or signer.private_key is None or signer.certificate is None:
        raise InputError("signer", "must be a KeyBundle with a private key and its certificate")
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
    http = build_request(
        METHOD_CREATE_CERTIFICATES,
        params,
        username=username,
        password=password,
        envelope=envelope,
        auth=auth,
        path=path,
        now=now,
    )
    return CreateCertificatesRequest(
        http.method,
        http.path,
        http.query,
        http.headers,
        http.body,
        csrs=requested,
        subscriber_id=subscriber_id,
        profile_id=profile_id,
        application_id=application_id,
        validity=chosen_validity,
        valid_from=start,
    )
