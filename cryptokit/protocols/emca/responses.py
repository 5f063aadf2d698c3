"""Client half of emCA, sans-I/O: read the answers (checked against the request in :mod:`.verify`).

Answer shape (vendor-documented): the parameter ``response``, a String holding the JSON object
``{"status": "Success"|"Failure", "result": .., "subscriberId": .., "requestId": ..}`` (read too
as an object or bare; the status in either case), HTTP 200 even for failures (HTTP 404: the path
named no method, :class:`~.errors.UnknownMethod`); a ``Failure``'s ``result`` is one of the
vendor's error texts (:mod:`.errors`). A manual-authorization profile
answers ``Success`` with ``requestId`` ids to poll. Certificates come as base64 PKCS#7 certs-only,
DER or PEM; :mod:`.verify` matches them to the requested CSRs by public key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Unpack

from cryptography import x509

from ...envelope import Envelope
from ...errors import InputError
from ...pkcs12 import KeyBundle
from ...report import Check, HasReport, Report
from .. import HttpResponse, _json
from .errors import EmcaError, UnknownMethod, error_from_text
from .methods import METHOD_GET_CERTIFICATE_BY_REQUEST_ID
from .requests import (
    CertificateByRequestIdRequest,
    CreateCertificatesRequest,
    SealOptions,
    build_get_certificate_by_request_id_request,
)

__all__ = [
    "MAX_RESPONSE_SIZE",
    "IssuedCertificate",
    "CreateCertificatesResult",
    "parse_response",
    "unwrap_response",
    "FollowUpResult",
    "build_follow_up_requests",
    "collect_follow_ups",
]

#: Upper bound on a response body.
MAX_RESPONSE_SIZE = 64 * 1024 * 1024


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


def unwrap_response(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The answer object inside the seed's ``response`` parameter: ``{"response": "<JSON text>"}`` or
    ``{"response": {...}}``; an object that has a ``status`` is already bare and is returned as is."""
    if not isinstance(doc, Mapping):
        raise InputError("body", "must be a JSON object")
    if "status" in doc or "response" not in doc:
        return dict(doc)
    inner = doc["response"]
    if isinstance(inner, str):
        raw = _json.body_bytes(inner, max_size=MAX_RESPONSE_SIZE, field="response")
        inner = _json.loads(raw, field="response")
    return _json.as_object(inner, "response")


def _body_json(status: int, body: bytes | str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(body, Mapping):
        doc: Any = dict(body)
    else:
        raw = _json.body_bytes(body, max_size=MAX_RESPONSE_SIZE, field="response")
        try:
            doc = _json.loads(raw, field="response")
        except InputError:
            if status == 404:
                raise UnknownMethod(f"HTTP {status}: the server offers no such method", status) from None
            if not 200 <= status < 300:
                raise EmcaError(f"HTTP {status} without a JSON body", status) from None
            raise
    try:
        return unwrap_response(_json.as_object(doc, "response"))
    except InputError:
        if status == 404:
            raise UnknownMethod(f"HTTP {status}: the server offers no such method", status) from None
        raise


def parse_response(status: int | HttpResponse, body: Answer | None = None) -> dict[str, Any]:
    """The JSON object of a ``Success`` answer (any case), read from the seed's ``response`` wrapper
    (a string or an object) or bare; a ``Failure`` raises its typed :class:`EmcaError`, HTTP 404
    raises :class:`UnknownMethod`. Takes ``(status, body)`` or one :class:`HttpResponse`."""
    status, body = _status_body(status, body)
    doc = _body_json(status, body)
    state = doc.get("status")
    if not isinstance(state, str) or state.lower() not in ("success", "failure"):
        if status == 404:
            raise UnknownMethod(f"HTTP {status}: the server offers no such method", status)
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
    """A certificate from the answer, matched to its CSR id by public key.

    ``existing`` is True when the certificate predates the request (notBefore earlier than the
    request's ``created_at`` minus the allowed clock skew, and not the requested validFrom): emCA
    returned the certificate it had already created for this applicationId (the seed's rule), so
    the requested validity and validFrom were not applied to it."""

    csr_id: str
    certificate: x509.Certificate
    existing: bool = False


@dataclass(frozen=True, slots=True)
class CreateCertificatesResult(HasReport):
    """The answer, checked against the request.

    ``pending`` is True when emCA answered with request ids to poll (manual authorization);
    then ``request_ids`` maps CSR id -> request id and ``message`` is emCA's text (turn it into
    follow-up requests with :func:`build_follow_up_requests`). Otherwise ``certificates`` maps
    CSR id -> :class:`IssuedCertificate`; ``extra`` holds certificates that belong to no CSR (CA
    certificates); ``report`` lists every check (``report.ok``); ``existing`` says that emCA
    returned certificates it had created earlier for this applicationId.
    """

    pending: bool
    certificates: Mapping[str, IssuedCertificate]
    request_ids: Mapping[str, str]
    subscriber_id: str | None
    message: str | None
    extra: tuple[x509.Certificate, ...]
    report: Report

    @property
    def existing(self) -> bool:
        """True when any certificate is one emCA had already created for this applicationId."""
        return any(i.existing for i in self.certificates.values())

    def to_dict(self) -> dict[str, Any]:
        out = self.report.to_dict()
        out.update(
            pending=self.pending,
            certificates={k: v.certificate.subject.rfc4514_string() for k, v in self.certificates.items()},
            existing=[k for k, v in self.certificates.items() if v.existing],
            request_ids=dict(self.request_ids),
            subscriber_id=self.subscriber_id,
            message=self.message,
            extra=[c.subject.rfc4514_string() for c in self.extra],
        )
        return out


def build_follow_up_requests(
    result: CreateCertificatesResult,
    *,
    request: CreateCertificatesRequest,
    username: str,
    password: str,
    signer: KeyBundle,
    envelope: Envelope,
    method: str = METHOD_GET_CERTIFICATE_BY_REQUEST_ID,
    **sealing: Unpack[SealOptions],
) -> dict[str, CertificateByRequestIdRequest]:
    """CSR id -> the getCertificateByRequestID request for its request id, from a ``pending`` answer
    to ``request`` (``sealing``: :class:`~.requests.SealOptions`, the same for every request).
    InputError when the result is not pending."""
    if not isinstance(result, CreateCertificatesResult) or not result.pending:
        raise InputError("result", "must be a pending CreateCertificatesResult (manual authorization)")
    return {
        csr_id: build_get_certificate_by_request_id_request(
            request_id,
            username=username,
            password=password,
            signer=signer,
            envelope=envelope,
            method=method,
            for_request=request,
            csr_id=csr_id,
            **sealing,
        )
        for csr_id, request_id in result.request_ids.items()
    }


@dataclass(frozen=True, slots=True)
class FollowUpResult(HasReport):
    """The answer to one follow-up: ``pending`` (still waiting for the authorizer) or the
    ``certificate`` matched to ``csr_id`` by key; ``report`` lists the checks."""

    request_id: str
    csr_id: str | None
    pending: bool
    certificate: IssuedCertificate | None
    message: str | None
    extra: tuple[x509.Certificate, ...]
    report: Report

    def to_dict(self) -> dict[str, Any]:
        out = self.report.to_dict()
        out.update(
            request_id=self.request_id,
            csr_id=self.csr_id,
            pending=self.pending,
            certificate=self.certificate.certificate.subject.rfc4514_string() if self.certificate else None,
            message=self.message,
        )
        return out


def collect_follow_ups(
    request: CreateCertificatesRequest, answers: Mapping[str, FollowUpResult] | list[FollowUpResult]
) -> CreateCertificatesResult:
    """Merge follow-up answers into one :class:`CreateCertificatesResult` for ``request``: CSR id ->
    certificate for every answered id; ``pending`` stays True (with the remaining request ids)
    while any CSR still waits. The report holds every answer's checks."""
    if not isinstance(request, CreateCertificatesRequest):
        raise InputError("request", "must be the CreateCertificatesRequest that was sent")
    items = list(answers.values()) if isinstance(answers, Mapping) else list(answers)
    checks: list[Check] = []
    issued: dict[str, IssuedCertificate] = {}
    waiting: dict[str, str] = {}
    extra: list[x509.Certificate] = []
    for item in items:
        if not isinstance(item, FollowUpResult) or item.csr_id is None:
            raise InputError("answers", "must be FollowUpResults of follow-ups built for this request")
        checks.extend(item.report.checks)
        if item.pending or item.certificate is None:
            waiting[item.csr_id] = item.request_id
        else:
            issued[item.csr_id] = item.certificate
            extra.extend(c for c in item.extra if c not in extra)
    ordered = {r.csr_id: issued[r.csr_id] for r in request.csrs if r.csr_id in issued}
    report = Report.from_checks(checks)
    return CreateCertificatesResult(bool(waiting), ordered, waiting, request.subscriber_id, None, tuple(extra), report)
