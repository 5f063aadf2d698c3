"""Offline verification of emCA answers against the request that produced them (answers are read in
:mod:`.responses`): each certificate's key, subject, validity and validFrom against its CSR, the
subscriberId and request ids; ``validate_*`` returns the result whatever its checks say, ``verify_*``
raises :class:`~cryptokit.errors.VerificationFailed` unless it passed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from ...certificates import is_ca
from ...errors import CryptokitError, InputError
from ...report import Check, Report, SubIndication, failing_closed
from ...signatures.public_keys import certificate_key
from .. import HttpResponse
from .requests import (
    CertificateByRequestIdRequest,
    CreateCertificatesRequest,
    RequestedCsr,
)
from .responses import (
    Answer,
    CreateCertificatesResult,
    FollowUpResult,
    IssuedCertificate,
    parse_response,
)
from .strings import Validity, parse_request_ids

__all__ = [
    "parse_create_certificates_response",
    "validate_create_certificates_response",
    "verify_create_certificates_response",
    "parse_get_certificate_by_request_id_response",
    "validate_get_certificate_by_request_id_response",
    "verify_get_certificate_by_request_id_response",
]


#: ``result`` text that is certificate data (PEM, or base64 of DER: a SEQUENCE encodes as "M..."), not
#: the message of a pending answer. 64 characters: shorter than any certificate, longer than a word.
_CERTIFICATE_TEXT = re.compile(r"-----BEGIN |\A\s*M[A-Za-z0-9+/=\s]{63,}\Z")


def _load_result_certificates(result: Any) -> list[x509.Certificate] | None:
    """The certificates ``result`` holds, or None for a message (a pending answer). Certificate
    data that does not load is an :class:`InputError` naming ``result`` (and the certificate), never
    a pending answer: that would send the caller polling for a request id the answer lacks."""
    from ...certificates import load_certificates

    if isinstance(result, str) and not _CERTIFICATE_TEXT.search(result):
        return None
    if isinstance(result, str) or (isinstance(result, list) and result and all(isinstance(r, str) for r in result)):
        try:
            return load_certificates(result)
        except InputError as exc:
            raise InputError("result" + exc.field.removeprefix("certificates"), exc.rule) from None
    return None


def _request_ids(value: Any, csrs: tuple[RequestedCsr, ...]) -> dict[str, str]:
    if not isinstance(value, str) or not value:
        raise InputError("requestId", "is missing although no certificate was returned")
    if "|" not in value and len(csrs) == 1:
        if "~" in value:
            raise InputError("requestId", "must be one request id or ID|requestId pairs")
        return {csrs[0].csr_id: value}  # one CSR: a bare request id
    ids = parse_request_ids(value)
    asked = {r.csr_id for r in csrs}
    unknown = [i for i in ids if i not in asked]
    if unknown:
        raise InputError("requestId", f"names ids that were not requested: {', '.join(unknown[:5])}")
    return ids


def _within(actual: dt.timedelta, expected: dt.timedelta, tolerance: dt.timedelta) -> bool:
    return abs(actual - expected) <= tolerance


@dataclass(frozen=True, slots=True)
class _Asked:
    """What a certificate is checked against: the request's validity, validFrom and build time."""

    validity: Validity | None
    valid_from: dt.datetime | None
    created_at: dt.datetime | None


def _shown(value: object) -> str:
    if isinstance(value, x509.Name):
        return value.rfc4514_string()
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)[:256]


def _agreement(
    name: str,
    asked: object,
    got: object,
    agrees: bool,
    *,
    passed: str,
    failed: str,
    skipped: str,
    subject: str | None = None,
) -> Check:
    """The answer compared with the request as one check: skipped when either side is None (nothing
    asked, or nothing answered), passed when it ``agrees``, otherwise failed (the answer breaks the
    request's constraints) showing what was asked and what came."""
    if asked is None or got is None:
        return Check.skipped(name, skipped, subject=subject)
    if agrees:
        return Check.passed(name, passed, subject=subject)
    return Check.failed(
        name, SubIndication.SIG_CONSTRAINTS_FAILURE, failed, subject=subject, asked=_shown(asked), got=_shown(got)
    )


def _certificate_checks(
    csr: RequestedCsr, cert: x509.Certificate, asked: _Asked, tolerance: dt.timedelta, skew: dt.timedelta
) -> tuple[list[Check], bool]:
    where = f"csr[{csr.csr_id}]"
    checks = [Check.passed("public_key", "certificate key equals the CSR key", subject=where)]
    said = "certificate subject {} the CSR subject"
    checks.append(
        _agreement(
            "subject",
            csr.subject,
            cert.subject,
            cert.subject == csr.subject,
            passed=said.format("equals"),
            failed=said.format("differs from"),
            skipped="",
            subject=where,
        )
    )
    not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    at_valid_from = asked.valid_from is not None and _within(not_before - asked.valid_from, dt.timedelta(0), tolerance)
    existing = asked.created_at is not None and not_before < asked.created_at - skew and not at_valid_from
    if existing:
        checks.append(
            Check.passed(
                "existing",
                "certificate predates this request: emCA returned the one it had created for this applicationId",
                subject=where,
                not_before=not_before.isoformat(),
            )
        )
        reason = "existing certificate: the requested {} applied to the earlier request"
        checks.append(Check.skipped("validity", reason.format("validity"), subject=where))
        checks.append(Check.skipped("valid_from", reason.format("validFrom"), subject=where))
        return checks, True
    length = not_after - not_before
    checks.append(
        _agreement(
            "validity",
            asked.validity,
            length,
            asked.validity is not None and _within(length, asked.validity.to_timedelta(), tolerance),
            passed=f"validity length is {asked.validity}",
            failed="certificate validity length differs from the requested validity",
            skipped="no validity was requested",
            subject=where,
        )
    )
    checks.append(
        _agreement(
            "valid_from",
            asked.valid_from,
            not_before,
            at_valid_from,
            passed="notBefore equals the requested validFrom",
            failed="certificate notBefore differs from the requested validFrom",
            skipped="no validFrom was requested",
            subject=where,
        )
    )
    return checks, False


def _subscriber_check(doc: Mapping[str, Any], expected: str, checks: list[Check]) -> str | None:
    subscriber = doc.get("subscriberId")
    subscriber_id = subscriber if isinstance(subscriber, str) else None
    checks.append(
        _agreement(
            "subscriber_id",
            expected,
            subscriber_id,
            subscriber_id == expected,
            passed="subscriberId equals the request's",
            failed="subscriberId differs from the request's",
            skipped="the answer has no subscriberId",
        )
    )
    return subscriber_id


def _match(
    certs: list[x509.Certificate],
    csrs: tuple[RequestedCsr, ...],
    wanted: tuple[str, ...],
    asked: _Asked,
    tolerance: dt.timedelta,
    skew: dt.timedelta,
    checks: list[Check],
) -> tuple[dict[str, IssuedCertificate], list[x509.Certificate]]:
    """Match ``certs`` to ``csrs`` by key; every id in ``wanted`` must get one, no other CSR any."""
    by_key = {r.public_key_der: r for r in csrs}
    issued: dict[str, IssuedCertificate] = {}
    extra: list[x509.Certificate] = []
    for index, cert in enumerate(certs):
        try:  # the one rule for a certificate's key (an unknown algorithm is a typed error, not a crash)
            key_der: bytes | None = certificate_key(cert).key.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
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
            if not is_ca(cert):
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
        if csr.csr_id not in wanted:
            checks.append(
                Check.failed(
                    "csr_id",
                    SubIndication.SIG_CONSTRAINTS_FAILURE,
                    f"the answer holds the certificate of CSR {csr.csr_id!r}, which this call did not ask for",
                    subject=f"certificate[{index}]",
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
        found, existing = _certificate_checks(csr, cert, asked, tolerance, skew)
        checks.extend(found)
        issued[csr.csr_id] = IssuedCertificate(csr.csr_id, cert, existing)
    for csr_id in wanted:
        if csr_id not in issued:
            checks.append(
                Check.failed(
                    "certificate",
                    SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
                    "no certificate in the answer has this CSR's key",
                    subject=f"csr[{csr_id}]",
                )
            )
    return issued, extra


def validate_create_certificates_response(
    status: int | HttpResponse,
    body: Answer | None = None,
    *,
    request: CreateCertificatesRequest,
    tolerance: dt.timedelta = dt.timedelta(seconds=1),
    skew: dt.timedelta = dt.timedelta(minutes=5),
) -> CreateCertificatesResult:
    """Parse and check the answer to ``request`` (wrapped in ``response`` or bare), returning the
    result whatever its checks say: the caller checks ``.ok``
    (:func:`verify_create_certificates_response` raises instead).

    A ``Failure`` raises the typed :class:`EmcaError` for its text. On success the certificates
    (any form :func:`cryptokit.certificates.load_certificates` takes) are matched to CSR ids by
    public key and checked: subject equal to the CSR's, validity length and notBefore equal to what
    was requested (within ``tolerance``), one certificate per CSR, no end-entity certificate for a
    key that was not requested, the same subscriberId. A certificate whose notBefore is more than
    ``skew`` before the request was built (and is not the requested validFrom) is the existing
    certificate emCA keeps for this applicationId: accepted when its key and subject match, marked
    ``existing``, its validity not compared. An answer whose ``result`` is a message (not
    certificate data) with request ids is ``pending`` (manual authorization); certificate data that
    does not load raises :class:`InputError` naming ``result`` (and the bundle's entry).
    This proves the certificates answer the request; it does not validate their chain.
    """
    if not isinstance(request, CreateCertificatesRequest):
        raise InputError("request", "must be the CreateCertificatesRequest that was sent")
    doc = parse_response(status, body)
    checks: list[Check] = []
    subscriber_id = _subscriber_check(doc, request.subscriber_id, checks)
    result = doc.get("result")
    certs = _load_result_certificates(result)
    if certs is None:
        ids = _request_ids(doc.get("requestId"), request.csrs)
        checks.append(Check.passed("request_ids", f"{len(ids)} request ids to poll (manual authorization)"))
        report = Report.from_checks(checks)
        message = result if isinstance(result, str) else None
        return CreateCertificatesResult(True, {}, ids, subscriber_id, message, (), report)
    asked = _Asked(request.validity, request.valid_from, request.created_at)
    wanted = tuple(r.csr_id for r in request.csrs)
    issued, extra = _match(certs, request.csrs, wanted, asked, tolerance, skew, checks)
    raw_ids = doc.get("requestId")
    issued_ids: dict[str, str] = {}
    if isinstance(raw_ids, str) and "|" in raw_ids:
        try:
            issued_ids = parse_request_ids(raw_ids)
        except InputError:
            issued_ids = {}
    report = Report.from_checks(checks)
    ordered = {r.csr_id: issued[r.csr_id] for r in request.csrs if r.csr_id in issued}
    return CreateCertificatesResult(False, ordered, issued_ids, subscriber_id, None, tuple(extra), report)


#: :func:`validate_create_certificates_response`, failing closed: a failed check raises
#: :class:`~cryptokit.errors.VerificationFailed` carrying the result (``.report``).
verify_create_certificates_response = failing_closed(validate_create_certificates_response, "emCA answer")


#: The client's parser: :func:`verify_create_certificates_response` (fails closed), by its older name.
parse_create_certificates_response = verify_create_certificates_response


def validate_get_certificate_by_request_id_response(
    status: int | HttpResponse,
    body: Answer | None = None,
    *,
    request: CertificateByRequestIdRequest,
    tolerance: dt.timedelta = dt.timedelta(seconds=1),
) -> FollowUpResult:
    """Parse the follow-up's answer. A ``Failure`` raises its typed error ("Request rejected":
    :class:`~.errors.RequestRejected`). An answer without a certificate is still ``pending``.
    With the create request known (``for_request``), the certificate must have the key of the CSR
    this request id was given for (subject, validity and validFrom checked as on creation; a
    certificate for another CSR of that request fails the check), the answer's ``requestId``, when
    present, must be this request id. Returns the result whatever its checks say: the caller checks
    ``.ok`` (:func:`verify_get_certificate_by_request_id_response` raises instead).
    """
    if not isinstance(request, CertificateByRequestIdRequest):
        raise InputError("request", "must be the CertificateByRequestIdRequest that was sent")
    doc = parse_response(status, body)
    checks: list[Check] = []
    if request.subscriber_id is not None:
        _subscriber_check(doc, request.subscriber_id, checks)
    echoed = doc.get("requestId")
    checks.append(
        _agreement(
            "request_id",
            request.request_id,
            echoed,
            echoed == request.request_id,
            passed="the answer repeats this request id",
            failed="the answer names another request id",
            skipped="the answer does not repeat the request id",
        )
    )
    result = doc.get("result")
    certs = _load_result_certificates(result)
    certificate: IssuedCertificate | None = None
    extra: list[x509.Certificate] = []
    pending = certs is None
    if certs is not None and request.csr_id is not None:
        asked = _Asked(request.validity, request.valid_from, None)
        issued, extra = _match(certs, request.csrs, (request.csr_id,), asked, tolerance, tolerance, checks)
        certificate = issued.get(request.csr_id)
    elif certs is not None:
        leaves = [c for c in certs if not is_ca(c)]
        extra = [c for c in certs if is_ca(c)]
        if len(leaves) == 1:
            certificate = IssuedCertificate("", leaves[0])
            checks.append(Check.skipped("public_key", "no CSR known for this request id: key not compared"))
        else:
            checks.append(
                Check.failed(
                    "certificate_count",
                    SubIndication.SIG_CONSTRAINTS_FAILURE,
                    f"expected one end-entity certificate, got {len(leaves)}",
                )
            )
    else:
        checks.append(Check.passed("pending", "the request is still waiting for manual authorization"))
    report = Report.from_checks(checks)
    message = result if pending and isinstance(result, str) else None
    return FollowUpResult(request.request_id, request.csr_id, pending, certificate, message, tuple(extra), report)


#: :func:`validate_get_certificate_by_request_id_response`, failing closed: a failed check raises
#: :class:`~cryptokit.errors.VerificationFailed` carrying the result (``.report``).
verify_get_certificate_by_request_id_response = failing_closed(
    validate_get_certificate_by_request_id_response, "emCA follow-up answer"
)


#: The follow-up's parser: :func:`verify_get_certificate_by_request_id_response` (fails closed), by its first name.
parse_get_certificate_by_request_id_response = verify_get_certificate_by_request_id_response


