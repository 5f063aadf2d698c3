"""ADSS CSP signing answers checked offline (the request builders and answer parsers of
``POST /v2/sign/request`` and ``/v2/sign/status`` are in :mod:`.requests` and :mod:`.responses`).

The client sends hashes (``docs_to_sign_info``), ADSS answers with a status and, on SUCCESS, one
bare ``signature_base64`` per hash in request order ("PKCS#1" in the guide: RSASSA-PKCS1-v1_5 for
RSA keys; the ECDSA encoding is not documented). :func:`validate_sign_response` checks each returned
signature over the hash that was sent, with the signing certificate's key, says which scheme and
encoding matched, validates the certificate chain, and returns a DSS-style report per document and
overall; :func:`verify_sign_response` does the same and raises
:class:`~cryptokit.errors.VerificationFailed` (carrying that report) unless it passed. A passing
report proves that the holder of the certificate's key signed exactly these hashes and that the
certificate chains to a trust anchor under the policy at ``at``; it does not prove anything about
the documents behind the hashes (the caller hashed them) or about revocation unless the chain
policy requires CRLs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from cryptography import x509

from ...algorithms import HashAlgorithm
from ...encoding import b64encode
from ...errors import CryptokitError, InputError, InvalidSignature, UnsupportedAlgorithm
from ...hashing import HashToSign
from ...report import Check, Report, SubIndication, derive, failing_closed
from ...returned_signatures import (
    MAX_SWAP_PROBES,
    ProbeBudget,
    ReturnedSignaturesReport,
    SignatureVerification,
    chain_report_check,
    find_signed_hash,
    iter_nearest,
    optional_aware,
    pss_shaped_for,
    recovered_digest_info,
    signing_certificate,
)
from .. import HttpRequest, _json
from . import _wire
from .requests import _hash_item
from .values import MAX_DOCUMENTS, SignResult, SignStatus, UserCertificate

if TYPE_CHECKING:
    from ...certificates import CertificateLike
    from ...chain import ChainPolicy, ChainReport
    from ...chain.ocsp import OcspLike
    from ...chain.revocation import CrlLike
    from ...signatures.sign_verify import SignatureMatch

__all__ = [
    "DocumentVerification",
    "SignResponseReport",
    "validate_sign_response",
    "verify_sign_response",
]


# --------------------------------------------------------------------------- verification


#: One document's verdict and the whole answer's: the shape every vendor's check returns.
DocumentVerification = SignatureVerification
SignResponseReport = ReturnedSignaturesReport


def _requested(request: object) -> list[tuple[str | None, HashToSign]]:
    """(doc_alias, hash) per document from the request that was sent (or a list of hashes)."""
    if isinstance(request, HttpRequest):
        try:
            data = _json.as_object(_json.loads(request.body))
        except InputError:
            raise InputError("request", "body is not the JSON of a sign request") from None
        docs = _wire.get_list(data, "docs_to_sign_info", "request", max_items=MAX_DOCUMENTS)
        out = []
        for index, entry in enumerate(docs):
            where = f"request.docs_to_sign_info[{index}]"
            obj = _wire.get_obj(entry, where)
            alg = _wire.get_str(obj, "hash_algo", where)
            digest_b64 = _wire.get_str(obj, "hash_to_sign_base64", where)
            out.append((_wire.opt_str(obj, "doc_alias", where), HashToSign.from_b64(alg, digest_b64)))
        return out
    if isinstance(request, (str, bytes)) or not isinstance(request, Sequence):
        raise InputError("request", "must be the HttpRequest from build_sign_request or a sequence of HashToSign")
    if len(request) > MAX_DOCUMENTS:
        raise InputError("request", f"holds more than {MAX_DOCUMENTS} hashes")
    return [(None, _hash_item(h, i)) for i, h in enumerate(request)]


def _signing_certificate(
    certificate: object, certificate_chain: object
) -> tuple[x509.Certificate | None, list[x509.Certificate], Check | None]:
    """The signer's certificate and the other certificates given, or a failed check saying why not."""
    if isinstance(certificate, UserCertificate):
        if certificate_chain is None:
            certificate_chain = certificate.certificate_chain
        certificate = certificate.certificate
    return signing_certificate(certificate, certificate_chain)


class _Sent:
    """The sent hashes of one response, indexed once: position by (algorithm, digest), the distinct
    algorithms, and the response-wide swap-probe budget."""

    __slots__ = ("algorithms", "budget", "hashes", "positions")

    def __init__(self, docs: Sequence[tuple[str | None, HashToSign]]) -> None:
        self.hashes = [h for _, h in docs]
        self.positions: dict[tuple[HashAlgorithm, bytes], list[int]] = {}
        for j, h in enumerate(self.hashes):
            seen = self.positions.setdefault((h.algorithm, h.digest), [])
            if len(seen) < 2:  # enough to name a position other than any given one
                seen.append(j)
        self.algorithms = {h.algorithm for h in self.hashes}
        self.budget = ProbeBudget(MAX_SWAP_PROBES)

    def other_position(self, alg: HashAlgorithm, digest: bytes, index: int) -> int | None:
        return next((j for j in self.positions.get((alg, digest), ()) if j != index), None)


def _diagnose(key: Any, signature: bytes, index: int, sent: _Sent) -> tuple[SubIndication, str, dict[str, Any]]:
    """Why a signature failed: signed another document of this request (swapped order), signed
    another hash (RSA PKCS#1 v1.5 reveals it), or does not verify under this key at all.

    Bounded per response: a PKCS#1 v1.5 DigestInfo is looked up, never probed; an RSA signature
    that is neither v1.5 nor PSS-shaped for a sent algorithm is not probed; otherwise the nearest
    :data:`MAX_SWAP_PROBES` positions are probed while the response's budget lasts (a swap beyond
    it is reported as SIG_CRYPTO_FAILURE)."""
    expected = sent.hashes[index]
    recovered = recovered_digest_info(key, signature)
    if recovered is not None:
        alg, digest = recovered
        j = sent.other_position(alg, digest, index)
        if j is not None:
            return SubIndication.HASH_FAILURE, f"the signature is over the hash of document {j}", {"signed_document": j}
        return (
            SubIndication.HASH_FAILURE,
            f"the key signed another {alg.name} hash than the one sent",
            {"signed_hash": b64encode(digest), "signed_hash_algo": alg.oid},
        )
    shaped = pss_shaped_for(key, signature, sent.algorithms)
    if shaped != set() and sent.budget.left > 0:
        hashes = sent.hashes
        nearby = islice(iter_nearest(index, len(hashes)), MAX_SWAP_PROBES)
        candidates = (j for j in nearby if hashes[j] != expected and (shaped is None or hashes[j].algorithm in shaped))
        signed = find_signed_hash(key, signature, hashes, sent.budget.take(candidates))
        if signed is not None:
            message = f"the signature is over the hash of document {signed}"
            return SubIndication.HASH_FAILURE, message, {"signed_document": signed}
    return (
        SubIndication.SIG_CRYPTO_FAILURE,
        f"the signature does not verify under the certificate's key for {expected.algorithm.name}",
        {},
    )


def _signature_check(
    key: Any,
    signatures: Sequence[bytes],
    index: int,
    sent: _Sent,
    allow_absent_null: bool,
    required: frozenset[str] | None = None,
) -> tuple[Check, SignatureMatch | None]:
    from ...signatures.sign_verify import identify_signature

    subject = f"doc[{index}]"
    h = sent.hashes[index]
    if index >= len(signatures):
        return Check.failed(
            "signature", SubIndication.FORMAT_FAILURE, "no signature returned for this document", subject=subject
        ), None
    sig = signatures[index]
    try:
        match = identify_signature(key, sig, h.digest, h.algorithm)
    except InvalidSignature:
        sub, message, details = _diagnose(key, sig, index, sent)
        return Check.failed("signature", sub, message, subject=subject, **details), None
    except UnsupportedAlgorithm as exc:
        return Check.failed("signature", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, str(exc), subject=subject), None
    except CryptokitError as exc:
        return Check.failed(
            "signature", SubIndication.FORMAT_FAILURE, f"malformed signature: {exc}", subject=subject
        ), None
    details = {
        "scheme": match.scheme,
        "encoding": match.encoding,
        "hash": match.hash.name if match.hash is not None else None,
        "pss_salt_length": match.pss_salt_length,
        "absent_null": match.absent_null,
    }
    if required is not None and match.scheme not in required:
        wanted = " or ".join(sorted(required))
        message = f"the signature verified as {match.scheme}, not the required {wanted}"
        return Check.failed(
            "signature",
            SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
            message,
            subject=subject,
            required=sorted(required),
            **details,
        ), match
    if match.absent_null and not allow_absent_null:
        message = "RSA PKCS#1 v1.5 DigestInfo without NULL parameters (pass allow_absent_null=True to accept)"
        return Check.failed("signature", SubIndication.FORMAT_FAILURE, message, subject=subject, **details), match
    label = match.scheme + (f"/{match.encoding}" if match.encoding else "")
    return Check.passed("signature", f"verified ({label}, {h.algorithm.name})", subject=subject, **details), match


#: The schemes ``require_scheme`` may name (what :func:`cryptokit.signatures.identify_signature` reports).
SCHEMES = ("pkcs1v15", "pss", "ecdsa", "ed25519", "ed448")


def _required_schemes(value: object) -> frozenset[str] | None:
    """``require_scheme`` as a set of scheme names: None, one name, or a collection of names."""
    if value is None:
        return None
    names = (value,) if isinstance(value, str) else value
    if not isinstance(names, (tuple, list, set, frozenset)) or not names:
        raise InputError("require_scheme", f"must be one of {', '.join(SCHEMES)} or a non-empty collection of them")
    if not all(isinstance(n, str) and n in SCHEMES for n in names):
        raise InputError("require_scheme", f"must name schemes among {', '.join(SCHEMES)}")
    return frozenset(names)


def _status_check(status: SignStatus) -> Check:
    if status is SignStatus.SUCCESS:
        return Check.passed("sign-status", "SUCCESS")
    if status is SignStatus.PENDING:
        return Check.failed("sign-status", SubIndication.TRY_LATER, "the request is PENDING: poll /v2/sign/status")
    return Check.failed(
        "sign-status", SubIndication.FORMAT_FAILURE, f"the service answered {status.value}: no signatures"
    )


def validate_sign_response(
    request: HttpRequest | Sequence[HashToSign],
    result: SignResult,
    *,
    certificate: CertificateLike | UserCertificate,
    certificate_chain: CertificateLike | None = None,
    trust_anchors: CertificateLike,
    at: dt.datetime | None = None,
    policy: ChainPolicy | None = None,
    allow_absent_null: bool = False,
    crls: CrlLike = (),
    ocsp_responses: OcspLike = (),
    require_scheme: str | Sequence[str] | frozenset[str] | None = None,
) -> SignResponseReport:
    """Check an ADSS sign answer offline against the request that produced it.

    ``request``: the :class:`HttpRequest` from :func:`build_sign_request` (its hashes are read back
    from the body) or the hashes themselves. ``certificate``: the signer's certificate in any form
    (x509, PEM, DER, base64, a PKCS#7 bundle such as the guide's BER ``MIAGCSqGSI...``, or a
    :class:`UserCertificate` from the certificates API); ``certificate_chain`` likewise;
    ``trust_anchors``, ``at``, ``policy``, ``crls`` and ``ocsp_responses`` go to :func:`cryptokit.chain.validate_chain`.

    ``require_scheme``: the scheme every signature must have verified with, e.g. ``"pkcs1v15"``
    (the guide: ``signature_base64`` is PKCS#1) or ``"ecdsa"`` for an EC key, or a collection of
    accepted schemes. A signature that verifies under another scheme (say, PSS) then fails with
    CRYPTO_CONSTRAINTS_FAILURE in a check that names the scheme found. Default None: any scheme the
    key supports passes and the report says which one matched.

    Returns a report; the caller checks ``.ok``. Every verification outcome is in it (a status
    other than SUCCESS, a signature count that differs from the request, a missing, swapped or
    foreign signature, a bad chain). Raises :class:`InputError` only for malformed arguments (a
    naive ``at``, unreadable trust anchors, a request that is not a sign request). Use
    :func:`verify_sign_response` to have a failure raise.
    """
    from ...chain import validate_chain
    from ...signatures.public_keys import certificate_key

    if not isinstance(result, SignResult):
        raise InputError("result", "must be a SignResult from parse_sign_response or parse_sign_status")
    at = optional_aware(at)
    required = _required_schemes(require_scheme)
    docs = _requested(request)
    if not docs:
        raise InputError("request", "holds no documents")
    checks: list[Check] = [_status_check(result.status)]
    count = len(result.signatures)
    if result.status is SignStatus.SUCCESS:
        if count == len(docs):
            checks.append(Check.passed("signature-count", f"{count} signatures for {len(docs)} documents"))
        else:
            message = f"{count} signatures returned for {len(docs)} documents"
            checks.append(
                Check.failed(
                    "signature-count", SubIndication.FORMAT_FAILURE, message, returned=count, requested=len(docs)
                )
            )

    leaf, others, cert_problem = _signing_certificate(certificate, certificate_chain)
    chain_report: ChainReport | None = None
    chain_check: Check
    if leaf is None:
        assert cert_problem is not None
        chain_check = cert_problem
    else:
        chain_report = validate_chain(
            leaf, intermediates=others, trust_anchors=trust_anchors, at=at, policy=policy, crls=crls,
            ocsp_responses=ocsp_responses,
        )
        chain_check = chain_report_check(chain_report, leaf)

    key: Any = None
    key_problem: Check | None = None
    if leaf is not None:
        try:
            key = certificate_key(leaf)
        except CryptokitError as exc:
            key_problem = Check.failed("signature", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, f"unusable key: {exc}")

    status_check = checks[0]
    sent = _Sent(docs)
    documents: list[SignatureVerification] = []
    for index, (alias, h) in enumerate(docs):
        subject = f"doc[{index}]"
        match: SignatureMatch | None = None
        if result.status is not SignStatus.SUCCESS:
            sig_check = Check.skipped("signature", f"no signature: status {result.status.value}", subject=subject)
            doc_checks = [status_check, sig_check, chain_check]
        elif leaf is None:
            sig_check = Check.skipped("signature", "no signing certificate to verify with", subject=subject)
            doc_checks = [sig_check, chain_check]
        elif key_problem is not None:
            sig_check = Check(
                key_problem.name, key_problem.outcome, key_problem.message, subject, key_problem.sub_indication
            )
            doc_checks = [sig_check, chain_check]
        else:
            sig_check, match = _signature_check(key, result.signatures, index, sent, allow_absent_null, required)
            doc_checks = [sig_check, chain_check]
        checks.append(sig_check)
        documents.append(SignatureVerification(index, h, Report.from_checks(doc_checks), match, alias))

    checks.append(chain_check)  # order: status, count, one signature check per document, chain
    indication, sub = derive(checks)
    return ReturnedSignaturesReport(
        Report(indication, sub, tuple(checks)), tuple(documents), chain_report, result.status
    )


verify_sign_response = failing_closed(validate_sign_response, "ADSS sign answer")
verify_sign_response.__name__ = verify_sign_response.__qualname__ = "verify_sign_response"
verify_sign_response.__doc__ = """:func:`validate_sign_response`, failing closed: returns the report only when it passed
(TOTAL_PASSED), raises :class:`~cryptokit.errors.VerificationFailed` carrying the report (its
``.report``) otherwise, and :class:`InputError` for malformed arguments."""
