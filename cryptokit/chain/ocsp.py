"""Revocation from caller-supplied OCSP responses (RFC 6960), offline: a second source next to CRLs.

A SingleResponse in a response is *usable* for a certificate ``cert`` issued by ``issuer`` when:

- the response's responseStatus is successful and it is a BasicOCSPResponse;
- its CertID matches: serial number, issuerNameHash (over the issuer's subject DER) and
  issuerKeyHash (over the issuer's subjectPublicKey bits), with SHA-1, SHA-256, SHA-384 or SHA-512;
- the response is signed by the issuing CA's key (responderID naming the CA), or by a delegated
  responder whose certificate is in the response, named by the responderID, issued directly by
  the CA (name and signature), valid at ``at``, with id-kp-OCSPSigning in its EKU (and
  digitalSignature when it has a keyUsage). The responder's own revocation is not checked when it
  carries id-pkix-ocsp-nocheck; otherwise the caller's ``responder_revocation`` (the chain uses its
  CRLs) must say it is not revoked, else the response is refused with that reason;
- the response's and the responder certificate's signature algorithms pass the policy at ``at``;
- thisUpdate - tolerance <= at <= nextUpdate + tolerance (:data:`OCSP_TOLERANCE`); a response
  without nextUpdate is usable only within the tolerance of its thisUpdate;
- its status is good or revoked (unknown: not usable).

Outcome (:class:`OcspOutcome`): revoked at or before ``at`` -> revoked (time and reason;
certificateHold -> on hold), good (or revoked only after ``at``) -> good, nothing usable -> the
reasons. :func:`combine` merges it with the CRL check: a revoked answer from either source wins,
either usable source satisfies ``require_revocation``, the check's ``source`` names who decided.

Cost (:class:`OcspMemo`, one per ``validate_chain`` call, shared with its sub-validations): each
response is parsed once, its SingleResponses are indexed by serial number once, its signature is
verified at most once per candidate signer, each issuer's CertID hashes are computed once per hash
algorithm. RSASSA-PSS signed responses are verified with the RSASSA-PSS-params of their
signatureAlgorithm (:func:`response_pss_params`: present, MGF1 with the message hash, trailer field 1;
the salt length is the exact one). Not done: fetching, nonces (offline responses carry none worth
checking), the key binding of an id-RSASSA-PSS responder key, OCSP for the delegated responder itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID

from .._dsa import public_key as load_public_key
from ..errors import CryptokitError, InputError, plain_parse_error
from ..report import Check, Outcome, SubIndication
from ..signatures.pss_params import PssParams, pss_params_from_asn1
from .name_constraints import names_match
from .sigs import key_problem, pss_key_misuse, unverifiable, verify_signature, verify_signed

__all__ = [
    "MAX_OCSP_RESPONSES",
    "MAX_OCSP_RESPONSE_SIZE",
    "MAX_SINGLE_RESPONSES",
    "MAX_RESPONDER_CERTS",
    "OCSP_TOLERANCE",
    "OcspInput",
    "OcspLike",
    "OcspMemo",
    "OcspOutcome",
    "check_ocsp",
    "combine",
    "load_ocsp_responses",
    "ocsp_boundaries",
    "response_pss_params",
]

#: at most this many responses per call
MAX_OCSP_RESPONSES = 256
#: at most this many bytes per DER response
MAX_OCSP_RESPONSE_SIZE = 1024 * 1024
#: SingleResponses read per response (more: the response is refused)
MAX_SINGLE_RESPONSES = 1024
#: certificates carried in one response that are tried as delegated responders
MAX_RESPONDER_CERTS = 8
#: clock tolerance around thisUpdate/nextUpdate
OCSP_TOLERANCE = dt.timedelta(minutes=5)

_RSASSA_PSS = "1.2.840.113549.1.1.10"
_HASHES: dict[str, Any] = {
    "sha1": lambda b: hashlib.sha1(b, usedforsecurity=False),  # CertID's customary hash, not a security use here
    "sha256": hashlib.sha256,
    "sha384": hashlib.sha384,
    "sha512": hashlib.sha512,
}

OcspInput = bytes | bytearray | memoryview | ocsp.OCSPResponse
#: What every ``ocsp_responses=`` argument takes: one response (DER or loaded) or a sequence of them.
OcspLike: TypeAlias = OcspInput | Iterable[OcspInput]


def load_ocsp_responses(responses: Any) -> tuple[ocsp.OCSPResponse, ...]:
    """Parse OCSP responses given as DER bytes or cryptography ``OCSPResponse`` objects.
    InputError (naming ``ocsp_responses[i]``) when one is malformed, too large or too many."""
    if isinstance(responses, (bytes, bytearray, memoryview, ocsp.OCSPResponse)):
        responses = [responses]
    if isinstance(responses, str) or not hasattr(responses, "__iter__"):
        raise InputError("ocsp_responses", f"must be DER bytes or OCSPResponse objects, not {type(responses).__name__}")
    out: list[ocsp.OCSPResponse] = []
    for i, item in enumerate(responses):
        field = f"ocsp_responses[{i}]"
        if i >= MAX_OCSP_RESPONSES:
            raise InputError("ocsp_responses", f"more than {MAX_OCSP_RESPONSES} responses")
        if isinstance(item, ocsp.OCSPResponse):
            out.append(item)
            continue
        if not isinstance(item, (bytes, bytearray, memoryview)):
            raise InputError(field, "must be DER bytes or an x509.ocsp.OCSPResponse")
        data = bytes(item)
        if len(data) > MAX_OCSP_RESPONSE_SIZE:
            raise InputError(field, f"is over the limit of {MAX_OCSP_RESPONSE_SIZE} bytes")
        try:
            out.append(ocsp.load_der_ocsp_response(data))
        except (ValueError, TypeError) as exc:
            raise InputError(field, f"is not a well-formed DER OCSP response ({plain_parse_error(exc)})") from None
    return tuple(out)


# --------------------------------------------------------------------------- per-response facts, once per call


@dataclass(frozen=True, slots=True)
class _Single:
    hash_name: str
    name_hash: bytes
    key_hash: bytes
    status: ocsp.OCSPCertStatus
    this_update: dt.datetime
    next_update: dt.datetime | None
    revocation_time: dt.datetime | None
    reason: str | None


@dataclass(slots=True)
class _RespFacts:
    resp: ocsp.OCSPResponse
    label: str
    problem: str | None
    responder_name: x509.Name | None
    responder_key_hash: bytes | None
    certs: tuple[x509.Certificate, ...]


def _spki_bits(cert: x509.Certificate) -> bytes | None:
    """The subjectPublicKey BIT STRING contents (without the unused-bits octet)."""
    from asn1crypto import keys as a_keys
    from cryptography.hazmat.primitives import serialization

    try:
        spki = serialization.PublicFormat.SubjectPublicKeyInfo
        der = load_public_key(cert).public_bytes(serialization.Encoding.DER, spki)
        return bytes(a_keys.PublicKeyInfo.load(der)["public_key"].contents[1:])
    except (ValueError, TypeError, KeyError, UnsupportedAlgorithm):
        return None


def _subject_der(cert: x509.Certificate) -> bytes:
    """The issuer certificate's subject exactly as encoded in it."""
    from asn1crypto import x509 as a_x509
    from cryptography.hazmat.primitives import serialization

    try:
        parsed = a_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
        return bytes(parsed["tbs_certificate"]["subject"].dump())
    except (ValueError, TypeError, KeyError):
        return cert.subject.public_bytes()


def _facts(resp: ocsp.OCSPResponse, index: int) -> tuple[_RespFacts, list[tuple[int, _Single]]]:
    label = f"OCSP response ocsp_responses[{index}]"
    if resp.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
        return _RespFacts(resp, label, f"responseStatus is {resp.response_status.name}", None, None, ()), []
    singles: list[tuple[int, _Single]] = []
    try:
        label = f"{label} (producedAt {resp.produced_at_utc.isoformat()})"
        for n, single in enumerate(resp.responses):
            if n >= MAX_SINGLE_RESPONSES:
                problem = f"more than {MAX_SINGLE_RESPONSES} SingleResponses"
                return _RespFacts(resp, label, problem, None, None, ()), []
            status = single.certificate_status
            reason = None
            if status is ocsp.OCSPCertStatus.REVOKED:
                flag = single.revocation_reason
                reason = flag.name if flag is not None else "unspecified"
            with warnings.catch_warnings():  # a non-positive serial is matched, not warned about
                warnings.simplefilter("ignore", CryptographyDeprecationWarning)
                serial = single.serial_number
            singles.append(
                (
                    serial,
                    _Single(
                        single.hash_algorithm.name,
                        single.issuer_name_hash,
                        single.issuer_key_hash,
                        status,
                        single.this_update_utc,
                        single.next_update_utc,
                        single.revocation_time_utc if status is ocsp.OCSPCertStatus.REVOKED else None,
                        reason,
                    ),
                )
            )
        certs = tuple(resp.certificates[:MAX_RESPONDER_CERTS])
        for ext in resp.extensions:
            if ext.critical and ext.oid != x509.oid.OCSPExtensionOID.NONCE:
                problem = f"unknown critical response extension {ext.oid.dotted_string}"
                return _RespFacts(resp, label, problem, None, None, ()), []
        return _RespFacts(resp, label, None, resp.responder_name, resp.responder_key_hash, certs), singles
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        return _RespFacts(resp, label, f"response unparsable ({plain_parse_error(exc)})", None, None, ()), []


def response_pss_params(resp: ocsp.OCSPResponse) -> PssParams:
    """The RSASSA-PSS-params of an RSASSA-PSS signed BasicOCSPResponse, read from its signatureAlgorithm.

    InputError naming ``signatureAlgorithm`` (or the offending field below it) when the parameters
    are absent (RFC 4055 3.1 requires them), malformed, carry a trailer field other than 1 or a salt
    length out of range, or name an MGF1 hash other than the message hash (refused as inconsistent).
    Proves nothing about the signature itself."""
    from asn1crypto import ocsp as a_ocsp
    from cryptography.hazmat.primitives import serialization

    field = "signatureAlgorithm"
    try:
        if resp.signature_algorithm_oid.dotted_string != _RSASSA_PSS:
            raise InputError(field, "is not RSASSA-PSS")
        outer = a_ocsp.OCSPResponse.load(resp.public_bytes(serialization.Encoding.DER))
        params = outer["response_bytes"]["response"].parsed["signature_algorithm"]["parameters"]
        absent = params.native is None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
        raise InputError(field, "BasicOCSPResponse signature algorithm cannot be parsed") from None
    if absent:
        raise InputError(f"{field}.parameters", "RSASSA-PSS requires RSASSA-PSS-params (RFC 4055 3.1)")
    found = pss_params_from_asn1(params, f"{field}.parameters")
    if found.mgf_hash != found.hash:
        rule = f"MGF1 hash {found.mgf_hash.name} differs from hashAlgorithm {found.hash.name}"
        raise InputError(f"{field}.parameters.maskGenAlgorithm", rule)
    return found


def _verify_response(resp: ocsp.OCSPResponse, signer: x509.Certificate) -> str | None:
    """None when ``signer``'s key verifies the BasicOCSPResponse signature, else the reason."""
    from cryptography.hazmat.primitives.asymmetric import padding

    params: Any = None
    h: Any = None
    try:
        key = load_public_key(signer)
        problem = key_problem(key)
        if problem is not None:
            return problem
        if resp.signature_algorithm_oid.dotted_string == _RSASSA_PSS:
            pss = response_pss_params(resp)
            h = pss.hash.cryptography()
            params = padding.PSS(padding.MGF1(pss.mgf_hash.cryptography()), pss.salt_length)
        else:
            # cryptography gives no parameters object for OCSP: the hash decides (PKCS#1 v1.5 or ECDSA).
            h = resp.signature_hash_algorithm
    except CryptokitError as exc:
        return f"RSASSA-PSS parameters refused ({exc})"
    except (UnsupportedAlgorithm, ValueError, TypeError) as exc:
        return unverifiable(exc)
    tbs, refused = resp.tbs_response_bytes, "unsupported responder key type"
    return verify_signature(key, resp.signature, tbs, h, params, None, dsa=False, unsupported=refused)


class OcspMemo:
    """The OCSP responses of one ``validate_chain`` call with everything derived from them memoised:
    facts and the serial-number index (built at construction, one pass per response), signature
    results per (response, signer), delegated-responder verdicts, CertID hashes per issuer."""

    __slots__ = ("_bits", "_by_serial", "_delegates", "_hashes", "_sigs", "facts", "responses")

    def __init__(self, responses: Sequence[ocsp.OCSPResponse]) -> None:
        self.responses = tuple(responses)
        self.facts: list[_RespFacts] = []
        self._by_serial: dict[int, list[tuple[_RespFacts, _Single]]] = {}
        for i, resp in enumerate(self.responses):
            facts, singles = _facts(resp, i)
            self.facts.append(facts)
            for serial, single in singles:
                self._by_serial.setdefault(serial, []).append((facts, single))
        self._sigs: dict[tuple[int, bytes], str | None] = {}
        self._bits: dict[int, tuple[x509.Certificate, bytes | None]] = {}
        self._hashes: dict[tuple[int, str], tuple[bytes, bytes | None]] = {}
        self._delegates: dict[tuple[int, int, int], str | None] = {}

    def for_serial(self, serial: int) -> list[tuple[_RespFacts, _Single]]:
        return self._by_serial.get(serial, [])

    def signed_by(self, resp: ocsp.OCSPResponse, signer: x509.Certificate) -> str | None:
        """Why ``signer``'s key does not verify ``resp`` (None when it does); once per (response, key),
        so the same CA key met through several certificate objects in the path search costs one check."""
        bits = self.key_bits(signer)
        if bits is None:
            return "responder public key unusable"
        key = (id(resp), bits)
        if key not in self._sigs:
            self._sigs[key] = _verify_response(resp, signer)
        return self._sigs[key]

    def key_bits(self, cert: x509.Certificate) -> bytes | None:
        key = id(cert)
        if key not in self._bits:
            self._bits[key] = (cert, _spki_bits(cert))  # the certificate is kept so that its id stays unique
        return self._bits[key][1]

    def cert_id_hashes(self, issuer: x509.Certificate, hash_name: str) -> tuple[bytes, bytes | None] | None:
        """(issuerNameHash, issuerKeyHash) of ``issuer`` under ``hash_name``; None if unsupported."""
        fn = _HASHES.get(hash_name)
        if fn is None:
            return None
        key = (id(issuer), hash_name)
        found = self._hashes.get(key)
        if found is None:
            bits = self.key_bits(issuer)
            found = self._hashes[key] = (fn(_subject_der(issuer)).digest(), None if bits is None else fn(bits).digest())
        return found


@dataclass(frozen=True, slots=True)
class OcspOutcome:
    """What the usable OCSP responses say about one certificate: ``status`` ``good``, ``revoked``,
    ``hold`` or None (nothing usable; ``problems`` say why for each candidate response)."""

    status: str | None
    label: str = ""
    revocation_time: dt.datetime | None = None
    reason: str | None = None
    problems: tuple[str, ...] = ()


def _responder_matches(facts: _RespFacts, cert: x509.Certificate, memo: OcspMemo) -> bool:
    if facts.responder_name is not None:
        return names_match(facts.responder_name, cert.subject)
    if facts.responder_key_hash is not None:
        bits = memo.key_bits(cert)
        return bits is not None and hashlib.sha1(bits, usedforsecurity=False).digest() == facts.responder_key_hash
    return False


def _delegate_problem(
    responder: x509.Certificate,
    issuer: x509.Certificate,
    at: dt.datetime,
    algorithm_problem: Callable[[Any], str | None] | None,
    responder_revocation: Callable[[x509.Certificate, x509.Certificate], str | None] | None,
) -> str | None:
    """Why ``responder`` may not answer for ``issuer``'s certificates at ``at`` (None when it may)."""
    if not names_match(responder.issuer, issuer.subject):
        return "delegated responder is not issued by the certificate's issuer"
    misuse = pss_key_misuse(responder, issuer)
    if misuse is not None:
        return f"delegated responder certificate: {misuse}"
    try:
        why = verify_signed(responder, load_public_key(issuer))
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        why = f"issuer key unusable ({plain_parse_error(exc)})"
    if why is not None:
        return f"delegated responder certificate is not signed by the issuer ({why})"
    if not responder.not_valid_before_utc <= at <= responder.not_valid_after_utc:
        return "delegated responder certificate is not valid at the validation time"
    refused = algorithm_problem(responder) if algorithm_problem is not None else None
    if refused is not None:
        return f"delegated responder certificate's signature algorithm refused: {refused}"
    try:
        eku = responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if ExtendedKeyUsageOID.OCSP_SIGNING not in eku:
            return "delegated responder lacks id-kp-OCSPSigning in its extendedKeyUsage"
    except x509.ExtensionNotFound:
        return "delegated responder has no extendedKeyUsage (id-kp-OCSPSigning required)"
    except ValueError as exc:
        return f"delegated responder extensions unparsable ({plain_parse_error(exc)})"
    try:
        ku = responder.extensions.get_extension_for_class(x509.KeyUsage).value
        if not ku.digital_signature:
            return "delegated responder's keyUsage lacks digitalSignature"
    except x509.ExtensionNotFound:
        pass
    try:
        responder.extensions.get_extension_for_class(x509.OCSPNoCheck)
        return None
    except x509.ExtensionNotFound:
        pass
    if responder_revocation is None:
        return "delegated responder has no id-pkix-ocsp-nocheck and its revocation cannot be checked"
    why = responder_revocation(responder, issuer)
    if why is not None:
        return f"delegated responder has no id-pkix-ocsp-nocheck and its revocation check failed: {why}"
    return None


def _usable_problem(
    facts: _RespFacts,
    single: _Single,
    issuer: x509.Certificate,
    memo: OcspMemo,
    at: dt.datetime,
    tolerance: dt.timedelta,
    algorithm_problem: Callable[[Any], str | None] | None,
    responder_revocation: Callable[[x509.Certificate, x509.Certificate], str | None] | None,
) -> str | None:
    if facts.problem is not None:
        return facts.problem
    hashes_ = memo.cert_id_hashes(issuer, single.hash_name)
    if hashes_ is None:
        return f"CertID hash {single.hash_name} not supported"
    if hashes_[0] != single.name_hash or hashes_[1] != single.key_hash:
        return "CertID issuerNameHash/issuerKeyHash do not match the certificate's issuer"
    if single.this_update - tolerance > at:
        return f"thisUpdate {single.this_update.isoformat()} is after the validation time"
    nxt = single.next_update if single.next_update is not None else single.this_update
    if nxt + tolerance < at:
        what = "nextUpdate" if single.next_update is not None else "no nextUpdate; thisUpdate"
        return f"stale ({what} {nxt.isoformat()})"
    if single.status is ocsp.OCSPCertStatus.UNKNOWN:
        return "certificate status is unknown"
    refused = algorithm_problem(facts.resp) if algorithm_problem is not None else None
    if refused is not None:
        return f"signature algorithm refused: {refused}"
    if _responder_matches(facts, issuer, memo):
        why = memo.signed_by(facts.resp, issuer)
        return None if why is None else f"signature by the issuing CA: {why}"
    problems: list[str] = []
    for cand in facts.certs:
        if not _responder_matches(facts, cand, memo):
            continue
        key = (id(facts.resp), id(cand), id(issuer))
        if key not in memo._delegates:
            why = memo.signed_by(facts.resp, cand)
            if why is not None:
                memo._delegates[key] = f"signature by the delegated responder: {why}"
            else:
                memo._delegates[key] = _delegate_problem(cand, issuer, at, algorithm_problem, responder_revocation)
        problem = memo._delegates[key]
        if problem is None:
            return None
        problems.append(problem)
    if problems:
        return "; ".join(problems)
    return "responder is neither the issuing CA nor a delegated responder certificate carried in the response"


def check_ocsp(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    memo: OcspMemo,
    at: dt.datetime,
    *,
    tolerance: dt.timedelta = OCSP_TOLERANCE,
    algorithm_problem: Callable[[Any], str | None] | None = None,
    responder_revocation: Callable[[x509.Certificate, x509.Certificate], str | None] | None = None,
) -> OcspOutcome:
    """What ``memo``'s responses say about ``cert`` (issued by ``issuer``) at ``at``.

    ``algorithm_problem`` says why the policy refuses a signature algorithm (of a response or a
    responder certificate); ``responder_revocation`` checks a delegated responder without
    id-pkix-ocsp-nocheck (None: not revoked; else the reason). Proves only what the module
    docstring lists; a good answer says nothing about the rest of the chain."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        serial = cert.serial_number
    problems: list[str] = []
    good: OcspOutcome | None = None
    for facts, single in memo.for_serial(serial):
        why = _usable_problem(facts, single, issuer, memo, at, tolerance, algorithm_problem, responder_revocation)
        if why is not None:
            problems.append(f"{facts.label}: {why}")
            continue
        when = single.revocation_time
        if single.status is ocsp.OCSPCertStatus.REVOKED and when is not None and when <= at:
            if single.reason == "certificate_hold":
                return OcspOutcome("hold", facts.label, when, single.reason)
            return OcspOutcome("revoked", facts.label, when, single.reason)
        if good is None:
            good = OcspOutcome("good", facts.label)
    if good is not None:
        return good
    if not problems:
        unsuccessful = [f"{f.label}: {f.problem}" for f in memo.facts if f.problem is not None]
        problems = [*unsuccessful, "no OCSP response for this certificate's serial number"]
    return OcspOutcome(None, problems=tuple(problems))


def combine(crl_check: Check, outcome: OcspOutcome | None, *, required: bool, subject: str) -> Check:
    """One ``revocation`` check from the CRL check and the OCSP outcome: a revoked (then on-hold)
    answer from either source wins, then a good one; neither usable -> TRY_LATER when ``required``,
    skipped otherwise. ``details['source']`` is ``crl`` or ``ocsp`` when a source decided."""
    crl_revoked = crl_check.outcome is Outcome.FAILED and crl_check.sub_indication is SubIndication.REVOKED
    crl_hold = crl_check.outcome is Outcome.FAILED and "crl" in crl_check.details and not crl_revoked
    if outcome is None:
        if crl_check.outcome is Outcome.SKIPPED or not (crl_revoked or crl_hold or crl_check.outcome is Outcome.PASSED):
            return crl_check
        return Check(crl_check.name, crl_check.outcome, crl_check.message, crl_check.subject,
                     crl_check.sub_indication, {**crl_check.details, "source": "crl"})  # fmt: skip
    if crl_revoked:
        return Check(crl_check.name, crl_check.outcome, crl_check.message, crl_check.subject,
                     crl_check.sub_indication, {**crl_check.details, "source": "crl"})  # fmt: skip
    if outcome.status in ("revoked", "hold"):
        when = outcome.revocation_time
        stamp = when.isoformat() if when is not None else "?"
        if outcome.status == "revoked":
            sub, msg = SubIndication.REVOKED, f"revoked on {stamp} (reason: {outcome.reason}) per {outcome.label}"
        else:
            sub, msg = SubIndication.TRY_LATER, f"certificate is on hold since {stamp} per {outcome.label}"
        return Check.failed(
            "revocation", sub, msg, subject=subject, revocation_date=when, reason=outcome.reason,
            ocsp=outcome.label, source="ocsp",
        )  # fmt: skip
    if crl_hold:
        return Check(crl_check.name, crl_check.outcome, crl_check.message, crl_check.subject,
                     crl_check.sub_indication, {**crl_check.details, "source": "crl"})  # fmt: skip
    if crl_check.outcome is Outcome.PASSED:
        return Check(crl_check.name, crl_check.outcome, crl_check.message, crl_check.subject,
                     crl_check.sub_indication, {**crl_check.details, "source": "crl"})  # fmt: skip
    if outcome.status == "good":
        return Check.passed("revocation", f"not revoked per {outcome.label}", subject=subject, ocsp=outcome.label,
                            source="ocsp")  # fmt: skip
    crl_why = crl_check.message.removeprefix("not checked: ").removeprefix("no usable CRL: ")
    ocsp_why = "; ".join(outcome.problems)
    msg = f"no usable CRL ({crl_why}) and no usable OCSP response ({ocsp_why})"
    if required:
        return Check.failed("revocation", SubIndication.TRY_LATER, msg, subject=subject, ocsp=outcome.problems)
    return Check.skipped("revocation", f"not checked: {msg}", subject=subject)


def ocsp_boundaries(memo: OcspMemo) -> list[dt.datetime]:
    """The instants at which a verdict drawn from ``memo``'s responses can change (for the chain cache)."""
    out: list[dt.datetime] = []
    for singles in memo._by_serial.values():
        for _, single in singles:
            out.append(single.this_update - OCSP_TOLERANCE)
            out.append((single.next_update or single.this_update) + OCSP_TOLERANCE)
            if single.revocation_time is not None:
                out.append(single.revocation_time)
    for facts in memo.facts:
        for cert in facts.certs:
            out.extend((cert.not_valid_before_utc, cert.not_valid_after_utc))
    return out
