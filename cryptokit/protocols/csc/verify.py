"""Offline verification of a CSC ``signatures/signHash`` answer against the request that caused it.

Facts first, then the verdict (EU DSS style, built on :mod:`cryptokit.report`):

* ``signature-count``: one signature per requested hash (more or fewer is FORMAT_FAILURE);
* per hash ``hash[i]``: the i-th signature verifies over the i-th hash with the end-entity key
  (``signature``; details name the matched scheme and encoding), with the scheme the request's
  ``signAlgo``/``signAlgoParams`` declared (``signature-algorithm``). A signature that is valid but
  over another hash of the same request (swapped order), or an RSA PKCS#1 v1.5 signature whose
  DigestInfo carries another digest, is HASH_FAILURE; one that does not verify at all under the
  key is SIG_CRYPTO_FAILURE; a missing one FORMAT_FAILURE;
* ``certificate-chain``: the certificates (end-entity first, as CSC returns them) chain to one of
  ``trust_anchors`` at ``at`` under ``policy`` (see :func:`cryptokit.chain.validate_chain`).

What a passing report proves: each signature was made by the key of a certificate that chains to
a trust anchor, over exactly the hash sent, in the order sent. It does not prove the hashes are
those of the documents you meant (that is the caller's hashing) nor anything about revocation
beyond what ``policy`` requires.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from cryptography import x509

from ... import returned_signatures as rs
from ...certificates import CertificateLike, load_certificates
from ...chain import ChainPolicy, ChainReport, validate_chain
from ...chain.ocsp import OcspLike
from ...chain.revocation import CrlLike
from ...errors import CryptokitError, InputError, InvalidSignature, UnsupportedAlgorithm
from ...report import Check, Report, SubIndication, failing_closed
from ...signatures.public_keys import certificate_key
from ...signatures.sign_verify import SignatureMatch, identify_signature
from .. import HttpRequest
from .requests import SignHashRequest, parse_sign_hash_request
from .responses import CredentialInfo, SignHashResult

if TYPE_CHECKING:
    from ...chain.revocation import CrlLike

__all__ = ["HashVerification", "SignHashReport", "validate_sign_hash_response", "verify_sign_hash_response"]

#: One hash's verdict and the whole answer's: the shape every vendor's check returns.
HashVerification = rs.SignatureVerification
SignHashReport = rs.ReturnedSignaturesReport


def _request(request: SignHashRequest | HttpRequest | bytes | str) -> SignHashRequest:
    if isinstance(request, SignHashRequest):
        return request
    if isinstance(request, HttpRequest):
        return parse_sign_hash_request(request.body)
    if isinstance(request, (bytes, str)):
        return parse_sign_hash_request(request)
    raise InputError("request", "must be the SignHashRequest (or HttpRequest / body) that was sent")


def _signatures(result: SignHashResult | Sequence[bytes]) -> tuple[bytes, ...] | None:
    if isinstance(result, SignHashResult):
        return None if result.pending else result.signatures
    if isinstance(result, (list, tuple)) and all(isinstance(s, bytes) for s in result):
        return tuple(result)
    raise InputError("result", "must be a SignHashResult or a sequence of signature bytes")


def _certificates(certificates: Any, field: str = "certificates") -> list[x509.Certificate]:
    if isinstance(certificates, CredentialInfo):
        certs = list(certificates.certificates)
        if not certs:
            raise InputError(field, "the credential info carries no certificate")
        return certs
    return load_certificates(certificates)


def _signer_certificates(certificate: Any, certificate_chain: Any, certificates: Any) -> list[x509.Certificate]:
    """End-entity first: ``certificate`` (then ``certificate_chain``), or the older ``certificates``."""
    if certificates is not None:
        if certificate is not None or certificate_chain is not None:
            raise InputError("certificate", "give certificate (and certificate_chain) or certificates, not both")
        return _certificates(certificates)
    if certificate is None:
        raise InputError("certificate", "is required (the signer's certificate, or a CredentialInfo)")
    certs = _certificates(certificate, "certificate")
    if certificate_chain is not None:
        certs += _certificates(certificate_chain, "certificate_chain")
    return certs


def _check_scheme(req: SignHashRequest, match: SignatureMatch, subject: str, allow_absent_null: bool) -> Check:
    sig = req.sign_algorithm
    assert sig is not None
    details = {"scheme": match.scheme, "encoding": match.encoding, "declared": sig.name}
    if match.scheme != sig.scheme:
        return Check.failed(
            "signature-algorithm",
            SubIndication.FORMAT_FAILURE,
            f"signature is {match.scheme} but signAlgo declares {sig.name}",
            subject=subject,
            **details,
        )
    if sig.scheme == "ecdsa" and sig.encoding is not None and match.encoding != sig.encoding:
        return Check.failed(
            "signature-algorithm",
            SubIndication.FORMAT_FAILURE,
            f"ECDSA signature is {match.encoding} but {sig.name} means {sig.encoding}",
            subject=subject,
            **details,
        )
    if match.absent_null and not allow_absent_null:
        return Check.failed(
            "signature-algorithm",
            SubIndication.FORMAT_FAILURE,
            "DigestInfo leaves out the NULL parameters (allow_absent_null=True accepts it)",
            subject=subject,
            **details,
        )
    if req.pss is not None and match.pss_salt_length != req.pss.salt_length:
        return Check.failed(
            "signature-algorithm",
            SubIndication.FORMAT_FAILURE,
            f"PSS salt length {match.pss_salt_length}, signAlgoParams say {req.pss.salt_length}",
            subject=subject,
            **details,
        )
    return Check.passed("signature-algorithm", f"{match.scheme} as declared by {sig.name}", subject=subject, **details)


@dataclass(frozen=True, slots=True)
class _UnusableKey:
    """The certificate's key could not be loaded (an unknown algorithm, a refused exponent): every
    signature check fails with ``reason``."""

    reason: str


def _verify_one(
    req: SignHashRequest, index: int, signature: bytes, key: Any, allow_absent_null: bool, budget: rs.ProbeBudget
) -> tuple[list[Check], SignatureMatch | None, int | None]:
    """Checks for hash ``index``, the SignatureMatch (or None) and the index of the hash it really signs."""
    h = req.hashes[index]
    subject = f"hash[{index}]"
    if isinstance(key, _UnusableKey):
        failed = Check.failed("signature", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, key.reason, subject=subject)
        return [failed], None, None
    pss_kw: dict[str, Any] = {}
    if req.pss is not None:
        pss_kw = {"pss_salt_length": req.pss.salt_length, "pss_mgf_hash": req.pss.mgf_hash}
    try:
        match = identify_signature(key, signature, h.digest, h.algorithm, **pss_kw)
    except InvalidSignature:
        pass
    except UnsupportedAlgorithm as exc:
        return (
            [Check.failed("signature", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, str(exc), subject=subject)],
            None,
            None,
        )
    except InputError as exc:
        return [Check.failed("signature", SubIndication.FORMAT_FAILURE, str(exc), subject=subject)], None, None
    else:
        details: dict[str, Any] = {"scheme": match.scheme, "encoding": match.encoding, "hash": h.algorithm.name}
        if match.pss_salt_length is not None:
            details["pss_salt_length"] = match.pss_salt_length
        return (
            [
                Check.passed("signature", "signature verifies over the requested hash", subject=subject, **details),
                _check_scheme(req, match, subject, allow_absent_null),
            ],
            match,
            index,
        )
    # Not over this hash: is it over another hash of the request (order), or another digest (RSA)?
    nearby = islice(rs.iter_nearest(index, len(req.hashes)), rs.MAX_SWAP_PROBES)
    others = (j for j in nearby if req.hashes[j].digest != h.digest)
    j = rs.find_signed_hash(key, signature, req.hashes, budget.take(others), **pss_kw)
    if j is not None:
        message = f"signature {index} is over hash {j} of the request: the order differs"
        return (
            [Check.failed("signature", SubIndication.HASH_FAILURE, message, subject=subject, signs_hash=j)],
            None,
            j,
        )
    recovered = rs.recovered_digest_info(key, signature)
    if recovered is not None and recovered[1] != h.digest:
        message = "signature is valid PKCS#1 v1.5 under the key but over another digest"
        return [Check.failed("signature", SubIndication.HASH_FAILURE, message, subject=subject)], None, None
    message = "signature does not verify under the end-entity certificate's key"
    return [Check.failed("signature", SubIndication.SIG_CRYPTO_FAILURE, message, subject=subject)], None, None


def _chain_check(
    certs: list[x509.Certificate],
    trust_anchors: Any,
    at: dt.datetime | None,
    policy: ChainPolicy | None,
    crls: Any,
    ocsp_responses: Any = (),
) -> tuple[Check, ChainReport]:
    chain = validate_chain(
        certs[0], intermediates=certs[1:], trust_anchors=trust_anchors, at=at, policy=policy, crls=crls,
        ocsp_responses=ocsp_responses,
    )  # fmt: skip
    return rs.chain_report_check(chain, certs[0]), chain


def validate_sign_hash_response(
    request: SignHashRequest | HttpRequest | bytes | str,
    result: SignHashResult | Sequence[bytes],
    *,
    certificate: CertificateLike | CredentialInfo | None = None,
    certificate_chain: CertificateLike | CredentialInfo | None = None,
    trust_anchors: CertificateLike,
    at: dt.datetime | None = None,
    policy: ChainPolicy | None = None,
    crls: CrlLike = (),
    ocsp_responses: OcspLike = (),
    allow_absent_null: bool = False,
    certificates: CertificateLike | CredentialInfo | None = None,
) -> SignHashReport:
    """Check every signature of a signHash answer against the hash sent and the signer's chain.

    ``request`` is what :func:`build_sign_hash_request` returned (or the sent HttpRequest/body);
    ``result`` what :func:`parse_sign_hash_response` returned (or the raw signatures);
    ``certificate`` the signer's certificate (a :class:`CredentialInfo`, whose certificates come
    end-entity first, or anything :func:`cryptokit.certificates.load_certificates` reads) and
    ``certificate_chain`` the others, the keywords of ``adss.validate_sign_response`` too
    (``certificates=``, all of them end-entity first, is the older spelling); ``trust_anchors``, ``at``
    (aware UTC), ``policy``, ``crls`` and ``ocsp_responses`` go to :func:`cryptokit.chain.validate_chain`.

    Returns a report; the caller checks ``.ok``. A missing, extra or misordered signature is a
    failed check, not an exception; malformed arguments raise InputError. Use
    :func:`verify_sign_hash_response` to have a failure raise.
    """
    at = rs.optional_aware(at)
    req = _request(request)
    sigs = _signatures(result)
    certs = _signer_certificates(certificate, certificate_chain, certificates)
    key: Any
    try:  # the one rule for a certificate's verification key: RSASSA-PSS parameters bind it
        key = certificate_key(certs[0])
    except CryptokitError as exc:
        key = _UnusableKey(f"unusable key: {exc}")
    chain_check, chain = _chain_check(certs, trust_anchors, at, policy, crls, ocsp_responses)
    overall: list[Check] = []
    documents: list[rs.SignatureVerification] = []
    budget = rs.ProbeBudget(rs.MAX_SWAP_PROBES)
    if sigs is None:
        pending = Check.failed(
            "signature-count", SubIndication.TRY_LATER, "asynchronous request: no signatures yet (poll responseID)"
        )
        report = Report.from_checks([pending, chain_check])
        return rs.ReturnedSignaturesReport(report, (), chain)
    n, m = len(req.hashes), len(sigs)
    if n == m:
        overall.append(Check.passed("signature-count", f"{m} signatures for {n} hashes"))
    else:
        overall.append(
            Check.failed(
                "signature-count",
                SubIndication.FORMAT_FAILURE,
                f"{m} signatures for {n} hashes",
                expected=n,
                received=m,
            )
        )
    misordered = False
    for i, h in enumerate(req.hashes):
        subject = f"hash[{i}]"
        if i >= m:
            checks = [Check.failed("signature", SubIndication.FORMAT_FAILURE, "no signature returned", subject=subject)]
            match = None
        else:
            checks, match, signs = _verify_one(req, i, sigs[i], key, allow_absent_null, budget)
            misordered = misordered or (signs is not None and signs != i)
        overall.extend(checks)
        documents.append(rs.SignatureVerification(i, h, Report.from_checks([*checks, chain_check]), match))
    if misordered:
        overall.append(
            Check.failed("signature-order", SubIndication.HASH_FAILURE, "signatures are not in the order of the hashes")
        )
    overall.append(chain_check)
    return rs.ReturnedSignaturesReport(Report.from_checks(overall), tuple(documents), chain)


verify_sign_hash_response = failing_closed(validate_sign_hash_response, "signHash answer")
verify_sign_hash_response.__name__ = verify_sign_hash_response.__qualname__ = "verify_sign_hash_response"
verify_sign_hash_response.__doc__ = """:func:`validate_sign_hash_response`, failing closed: returns the
report only when it passed, raises :class:`~cryptokit.errors.VerificationFailed` carrying the report (its ``.report``)
otherwise, and InputError for malformed arguments."""
