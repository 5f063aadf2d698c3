"""Client half of emCA, sans-I/O: parse the answers and check them against the request that was sent.

Answer shape (vendor-documented): JSON ``{"status": "Success"|"Failure", "result": ..,
"subscriberId": ..}`` (the status in either case), HTTP 200 even for failures; a ``Failure``'s
``result`` is one of the vendor's error texts (:mod:`.errors`). A manual-authorization profile
answers ``Success`` with ``requestId`` ids to poll. Certificates come as base64 PKCS#7 certs-only,
DER or PEM and are matched to the requested CSRs by public key (see :mod:`.requests`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ...errors import CryptokitError, InputError, VerificationFailed
from ...report import Check, HasReport, Report, SubIndication
from ...signatures.public_keys import certificate_key
from .. import HttpResponse, _json
from .errors import EmcaError, error_from_text
from .requests import CreateCertificatesRequest, RequestedCsr
from .strings import parse_request_ids

__all__ = [
    "MAX_RESPONSE_SIZE",
    "IssuedCertificate",
    "CreateCertificatesResult",
    "parse_response",
    "parse_create_certificates_response",
    "validate_create_certificates_response",
    "verify_create_certificates_response",
]

#: Upper bound on a response body.
MAX_RESPONSE_SIZE = 64 * 1024 * 1024
_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
_DER = serialization.Encoding.DER
UTC = dt.UTC


def _body_json(status: int, body: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(body, Mapping):
        doc: Any = dict(body)
    else:
        raw = _json.body_bytes(body, max_size=MAX_RESPONSE_SIZE, field="response")
        try:
            doc = _json.loads(raw, field="response")
        except InputError:
            if not 200 <= status < 300:
                raise EmcaError(f"HTTP {status} without a JSON body", status) from None
            raise
    return _json.as_object(doc, "response")


Answer = bytes | str | Mapping[str, Any]


def _status_body(status: int | HttpResponse, body: Answer | None) -> tuple[int, Answer]:
    """``(status, body)`` from an :class:`HttpResponse` (what the server half returns) or the two parts."""
    if isinstance(status, HttpResponse):
        if body is not None:
            raise InputError("body", "give an HttpResponse or (status, body), not both")
        return status.status, status.body
    if body is None:
        raise InputError("body", "is required with a status (or pass the HttpResponse alone)")
    return status, body


def parse_response(status: int | HttpResponse, body: Answer | None = None) -> dict[str, Any]:
    """The JSON of a ``Success`` answer (any case); a ``Failure`` raises its typed :class:`EmcaError`.
    Takes ``(status, body)`` or one :class:`HttpResponse`."""
    status, body = _status_body(status, body)
    doc = _body_json(status, body)
    state = doc.get("status")
    if not isinstance(state, str) or state.lower() not in ("success", "failure"):
        if not 200 <= status < 300:
            raise EmcaError(f"HTTP {status} without an emCA status", status)
        raise InputError("response.status", "must be Success or Failure")
    if state.lower() == "failure":
        result = doc.get("result")
        raise error_from_text(result if isinstance(result, str) else "", status)
    if not 200 <= status < 300:
        raise EmcaError(f"HTTP {status} with status {state}", status)
    return doc


@dataclass(frozen=True, slots=True)
class IssuedCertificate:
    """A certificate from the answer, matched to its CSR id by public key."""

    csr_id: str
    certificate: x509.Certificate


@dataclass(frozen=True, slots=True)
class CreateCertificatesResult(HasReport):
    """The answer, checked against the request.

    ``pending`` is True when emCA answered with request ids to poll (manual authorization);
    then ``request_ids`` maps CSR id -> request id and ``message`` is emCA's text. Otherwise
    ``certificates`` maps CSR id -> :class:`IssuedCertificate`; ``extra`` holds certificates that
    belong to no CSR (CA certificates); ``report`` lists every check (``report.ok``).
    """

    pending: bool
    certificates: Mapping[str, IssuedCertificate]
    request_ids: Mapping[str, str]
    subscriber_id: str | None
    message: str | None
    extra: tuple[x509.Certificate, ...]
    report: Report

    def to_dict(self) -> dict[str, Any]:
        out = self.report.to_dict()
        out.update(
            pending=self.pending,
            certificates={k: v.certificate.subject.rfc4514_string() for k, v in self.certificates.items()},
            request_ids=dict(self.request_ids),
            subscriber_id=self.subscriber_id,
            message=self.message,
            extra=[c.subject.rfc4514_string() for c in self.extra],
        )
        return out


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _load_result_certificates(result: Any) -> list[x509.Certificate] | None:
    from ...certificates import load_certificates

    if isinstance(result, str) and result.strip():
        try:
            return load_certificates(result.strip())
        except CryptokitError:
            return None
    if isinstance(result, list) and result and all(isinstance(r, str) for r in result):
        return load_certificates(result)
    return None


def _request_ids(value: Any, request: CreateCertificatesRequest) -> dict[str, str]:
    if not isinstance(value, str) or not value:
        raise InputError("requestId", "is missing although no certificate was returned")
    if "|" not in value and len(request.csrs) == 1:
        return {request.csrs[0].csr_id: value}  # one CSR: a bare request id
    ids = parse_request_ids(value)
    asked = {r.csr_id for r in request.csrs}
    unknown = [i for i in ids if i not in asked]
    if unknown:
        raise InputError("requestId", f"names ids that were not requested: {', '.join(unknown[:5])}")
    return ids


def _within(actual: dt.timedelta, expected: dt.timedelta, tolerance: dt.timedelta) -> bool:
    return abs(actual - expected) <= tolerance


def _certificate_checks(
    csr: RequestedCsr, cert: x509.Certificate, request: CreateCertificatesRequest, tolerance: dt.timedelta
) -> list[Check]:
    where = f"csr[{csr.csr_id}]"
    checks = [Check.passed("public_key", "certificate key equals the CSR key", subject=where)]
    if cert.subject == csr.subject:
        checks.append(Check.passed("subject", "certificate subject equals the CSR subject", subject=where))
    else:
        checks.append(
            Check.failed(
                "subject",
                SubIndication.SIG_CONSTRAINTS_FAILURE,
                "certificate subject differs from the CSR subject",
                subject=where,
                asked=csr.subject.rfc4514_string(),
                got=cert.subject.rfc4514_string(),
            )
        )
    not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    if request.validity is None:
        checks.append(Check.skipped("validity", "no validity was requested", subject=where))
    elif _within(not_after - not_before, request.validity.to_timedelta(), tolerance):
        checks.append(Check.passed("validity", f"validity length is {request.validity}", subject=where))
    else:
        checks.append(
            Check.failed(
                "validity",
                SubIndication.SIG_CONSTRAINTS_FAILURE,
                "certificate validity length differs from the requested validity",
                subject=where,
                asked=str(request.validity),
                got=str(not_after - not_before),
            )
        )
    if request.valid_from is None:
        checks.append(Check.skipped("valid_from", "no validFrom was requested", subject=where))
    elif _within(not_before - request.valid_from, dt.timedelta(0), tolerance):
        checks.append(Check.passed("valid_from", "notBefore equals the requested validFrom", subject=where))
    else:
        checks.append(
            Check.failed(
                "valid_from",
                SubIndication.SIG_CONSTRAINTS_FAILURE,
                "certificate notBefore differs from the requested validFrom",
                subject=where,
                asked=request.valid_from.isoformat(),
                got=not_before.isoformat(),
            )
        )
    return checks


def parse_create_certificates_response(
    status: int | HttpResponse,
    body: Answer | None = None,
    *,
    request: CreateCertificatesRequest,
    tolerance: dt.timedelta = dt.timedelta(seconds=1),
    strict: bool = True,
) -> CreateCertificatesResult:
    """Parse and check the answer to ``request``.

    A ``Failure`` raises the typed :class:`EmcaError` for its text. On success the certificates
    (any form :func:`cryptokit.certificates.load_certificates` takes) are matched to CSR ids by
    public key and checked: subject equal to the CSR's, validity length and notBefore equal to what
    was requested (within ``tolerance``), one certificate per CSR, no end-entity certificate for a
    key that was not requested, the same subscriberId. With ``strict`` (default) any failed check
    raises :class:`VerificationFailed` carrying the report; otherwise the result carries it
    (:func:`verify_create_certificates_response` / :func:`validate_create_certificates_response`
    are the two behaviours by name).
    This proves the certificates answer the request; it does not validate their chain.
    """
    if not isinstance(request, CreateCertificatesRequest):
        raise InputError("request", "must be the CreateCertificatesRequest that was sent")
    doc = parse_response(status, body)
    subscriber = doc.get("subscriberId")
    subscriber_id = subscriber if isinstance(subscriber, str) else None
    checks: list[Check] = []
    if subscriber_id is None:
        checks.append(Check.skipped("subscriber_id", "the answer has no subscriberId"))
    elif subscriber_id == request.subscriber_id:
        checks.append(Check.passed("subscriber_id", "subscriberId equals the request's"))
    else:
        checks.append(
            Check.failed(
                "subscriber_id",
                SubIndication.SIG_CONSTRAINTS_FAILURE,
                "subscriberId differs from the request's",
                asked=request.subscriber_id,
                got=subscriber_id,
            )
        )
    result = doc.get("result")
    certs = _load_result_certificates(result)
    if certs is None:
        ids = _request_ids(doc.get("requestId"), request)
        checks.append(Check.passed("request_ids", f"{len(ids)} request ids to poll (manual authorization)"))
        report = Report.from_checks(checks)
        if strict and not report.ok:
            raise VerificationFailed("emCA answer does not match the request", report)
        message = result if isinstance(result, str) else None
        return CreateCertificatesResult(True, {}, ids, subscriber_id, message, (), report)

    by_key = {r.public_key_der: r for r in request.csrs}
    issued: dict[str, IssuedCertificate] = {}
    extra: list[x509.Certificate] = []
    for index, cert in enumerate(certs):
        try:  # the one rule for a certificate's key (an unknown algorithm is a typed error, not a crash)
            key_der: bytes | None = certificate_key(cert).key.public_bytes(_DER, _SPKI)
        except CryptokitError as exc:
            key_der = None
            checks.append(
                Check.failed(
                    "public_key",
                    SubIndication.FORMAT_FAILURE,
                    f"a certificate in the answer has a key that cannot be used: {exc}",
                    subject=f"certificate[{index}]",
                )
            )
        csr = by_key.get(key_der) if key_der is not None else None
        if csr is None:
            extra.append(cert)
            if not _is_ca(cert):
                checks.append(
                    Check.failed(
                        "public_key",
                        SubIndication.SIG_CONSTRAINTS_FAILURE,
                        "an end-entity certificate in the answer has a key that no CSR asked for",
                        subject=f"certificate[{index}]",
                        got=cert.subject.rfc4514_string(),
                    )
                )
            continue
        if csr.csr_id in issued:
            checks.append(
                Check.failed(
                    "certificate_count",
                    SubIndication.SIG_CONSTRAINTS_FAILURE,
                    "more than one certificate for this CSR",
                    subject=f"csr[{csr.csr_id}]",
                )
            )
            continue
        issued[csr.csr_id] = IssuedCertificate(csr.csr_id, cert)
        checks.extend(_certificate_checks(csr, cert, request, tolerance))
    for csr in request.csrs:
        if csr.csr_id not in issued:
            checks.append(
                Check.failed(
                    "certificate",
                    SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
                    "no certificate in the answer has this CSR's key",
                    subject=f"csr[{csr.csr_id}]",
                )
            )
    raw_ids = doc.get("requestId")
    issued_ids: dict[str, str] = {}
    if isinstance(raw_ids, str) and "|" in raw_ids:
        try:
            issued_ids = parse_request_ids(raw_ids)
        except InputError:
            issued_ids = {}
    report = Report.from_checks(checks)
    if strict and not report.ok:
        failed = report.failures()
        raise VerificationFailed(f"emCA answer does not match the request: {failed[0].message}", report)
    ordered = {r.csr_id: issued[r.csr_id] for r in request.csrs if r.csr_id in issued}
    return CreateCertificatesResult(False, ordered, issued_ids, subscriber_id, None, tuple(extra), report)


def validate_create_certificates_response(
    status: int | HttpResponse,
    body: Answer | None = None,
    *,
    request: CreateCertificatesRequest,
    tolerance: dt.timedelta = dt.timedelta(seconds=1),
) -> CreateCertificatesResult:
    """:func:`parse_create_certificates_response` returning the result whatever its checks say: the
    caller checks ``.ok`` (a ``Failure`` answer still raises its :class:`EmcaError`)."""
    return parse_create_certificates_response(status, body, request=request, tolerance=tolerance, strict=False)


def verify_create_certificates_response(
    status: int | HttpResponse,
    body: Answer | None = None,
    *,
    request: CreateCertificatesRequest,
    tolerance: dt.timedelta = dt.timedelta(seconds=1),
) -> CreateCertificatesResult:
    """:func:`parse_create_certificates_response`, failing closed: a failed check raises
    :class:`VerificationFailed` carrying the report (the default of the parser, named for what it does)."""
    return parse_create_certificates_response(status, body, request=request, tolerance=tolerance, strict=True)
