"""ADSS in one step: documents in, verified CMS files out, through one ``/v2/sign/request`` exchange.

:func:`sign_documents` prepares a CAdES-BES SignedData per document (:func:`cryptokit.cms.cms_prepare`),
sends every ``to_sign`` hash in one sign request through the caller's ``send`` callable, maps the
returned signatures back by position (the swap diagnosis of :func:`~.signing.validate_sign_response`
names a signature that belongs to another document) and finishes each CMS, which is verified against
the certificate before it is returned. The module opens no socket: ``send`` does the HTTP.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Unpack

from cryptography import x509

from ...cms import CmsPolicy, PreparedCms
from ...errors import DocumentSigningError, InputError
from ...report import SubIndication
from .._documents import (
    Diagnosis,
    DocumentOptions,
    Exchange,
    Prepared,
    SigningPending,
    as_items,
    check_returned,
    exchange,
    finish_all,
    prepare_documents,
)
from .poll import raise_for_sign_status
from .requests import TokenArg, build_sign_request, build_sign_status_request
from .responses import parse_sign_response, parse_sign_status
from .values import SignResult, SignStatus
from .verify import _Sent, _signature_check

__all__ = ["DocumentOptions", "SigningPending", "sign_documents", "finish_documents"]


def _certificate(value: object) -> x509.Certificate:
    from ...cms.prepare import _certificate_arg

    return _certificate_arg(value, "certificate")


def finish_documents(
    prepared: Sequence[PreparedCms] | Sequence[Prepared], result: SignResult, *, policy: CmsPolicy | None = None
) -> list[bytes]:
    """Turn a SUCCESS answer into one verified CMS per prepared document (in order): the second half
    after :class:`SigningPending` (its ``prepared``) once ``/v2/sign/status`` answered SUCCESS.

    Raises, naming the document: :class:`~cryptokit.errors.SignatureCountMismatch`,
    :class:`~cryptokit.errors.SignatureLengthError`, :class:`~cryptokit.errors.MisplacedSignature`
    (a signature over another document's hash), :class:`~cryptokit.errors.ForeignSignature` (no
    signature verifies under the certificate's key: the service answered for another certificate) or
    :class:`~cryptokit.errors.DocumentSigningError` (anything else that does not verify).
    """
    from ...signatures import load_public_key

    if not isinstance(result, SignResult):
        raise InputError("result", "must be a SignResult")
    raise_for_sign_status(result)  # TIMEOUT, DECLINED, FAILED: their AdssSignStatusError
    if result.status is not SignStatus.SUCCESS:
        raise DocumentSigningError(f"the service answered {result.status.value}: nothing was signed yet")
    items = as_items(prepared)
    signatures = result.signatures
    sent = _Sent([(item.name, item.cms.to_sign) for item in items])
    key = load_public_key(items[0].cms.certificate)

    def diagnose(position: int, item: Prepared, signature: bytes) -> Diagnosis | None:
        check, _ = _signature_check(key, signatures, position, sent, False)
        if check.outcome.value != "failed":
            return None
        other = check.details.get("signed_document")
        foreign = check.sub_indication is SubIndication.SIG_CRYPTO_FAILURE
        return Diagnosis(check.message, foreign, other if isinstance(other, int) else None)

    check_returned(items, signatures, diagnose)
    return finish_all(items, signatures, policy=policy)


def sign_documents(
    documents: Sequence[Any],
    send: Exchange,
    *,
    certificate: x509.Certificate | bytes | str,
    chain: Sequence[x509.Certificate] = (),
    profile_id: str,
    cert_alias: str,
    token: TokenArg,
    cert_password: str | None = None,
    sam_user_id: str | None = None,
    request_description: str | None = None,
    app_name: str | None = None,
    max_polls: int = 0,
    poll_interval: float = 1.0,
    **options: Unpack[DocumentOptions],
) -> list[bytes]:
    """Sign ``documents`` with the ADSS-held key of ``certificate``; one verified CMS (DER) per document.

    ``documents``: bytes (the content), paths (streamed when ``detached``) or
    :class:`~cryptokit.hashing.HashToSign` digests (detached only). ``send(HttpRequest)`` performs one
    HTTP exchange and returns ``(status, headers, body)`` (an HttpResponse unpacks as that). All hashes
    go in one ``/v2/sign/request``; a PENDING answer is polled ``max_polls`` times, ``poll_interval``
    seconds apart, then raises :class:`SigningPending` carrying the request ID and the prepared
    documents (for a long authorisation, drive :class:`~.poll.SignStatusPoller` with that request ID,
    then :func:`finish_documents` with the prepared documents and the SUCCESS result). TIMEOUT,
    DECLINED and FAILED raise their :class:`~.errors.AdssSignStatusError`. ``options``:
    :class:`DocumentOptions` (hash, detached, signing_time, scheme,
    pss_salt_length, doc_aliases, policy).

    Refused before anything is sent: what :func:`~cryptokit.cms.cms_prepare` refuses. An ADSS error
    answer raises its :class:`~.errors.AdssError`; a wrong answer raises the errors of
    :func:`finish_documents`, each naming the document.
    """
    cert = _certificate(certificate)
    if isinstance(max_polls, bool) or not isinstance(max_polls, int) or max_polls < 0:
        raise InputError("max_polls", "must be an integer >= 0")
    if isinstance(poll_interval, bool) or not isinstance(poll_interval, (int, float)) or not 0 <= poll_interval <= 3600:
        raise InputError("poll_interval", "must be 0..3600 seconds")
    items = prepare_documents("sign_documents", documents, certificate=cert, chain=chain, options=options)
    request = build_sign_request(
        [item.cms.to_sign for item in items],
        profile_id=profile_id,
        cert_alias=cert_alias,
        token=token,
        sam_user_id=sam_user_id,
        cert_password=cert_password,
        request_description=request_description,
        doc_aliases=options.get("doc_aliases"),
        app_name=app_name,
    )
    result = parse_sign_response(*exchange(send, request))
    polls = 0
    while result.status is SignStatus.PENDING and polls < max_polls:
        polls += 1
        if poll_interval:
            time.sleep(poll_interval)
        assert result.request_id is not None  # parse_sign_response refuses a PENDING answer without one
        poll = build_sign_status_request(profile_id, result.request_id, token=token, app_name=app_name)
        answer = parse_sign_status(*exchange(send, poll))
        result = SignResult(answer.status, result.request_id, answer.signatures)
    raise_for_sign_status(result, result.request_id)
    if result.status is SignStatus.PENDING:
        raise SigningPending(
            f"ADSS request {result.request_id} is PENDING after {polls} polls: poll /v2/sign/status, then finish "
            "each prepared document with its signature",
            result.request_id,
            [item.cms for item in items],
        )
    return finish_documents(items, result, policy=options.get("policy"))
