"""Verify a CMS SignedData against registered signers or trust anchors.

:func:`cms_verify` proves, for every SignerInfo: the signer is identified by issuerAndSerialNumber
(issuer name and serial together) or subjectKeyIdentifier; its certificate is one of
``trusted_signers`` and/or chains to ``trust_anchors``; the key usage permits signing; the digest and
signature algorithms are allowed by the policy (and, for a certificate whose key is id-RSASSA-PSS, the
signature is RSASSA-PSS under the key's parameters); the contentType attribute equals eContentType (without
signed attributes, eContentType must be id-data, RFC 5652 5.3); the
messageDigest attribute equals the digest of the received eContent octets (or of the supplied detached
content); CMSAlgorithmProtection, when present, names the SignerInfo's algorithms; and the signature
verifies over the received signed-attribute bytes re-tagged as SET OF (or over the content when there
are no signed attributes). It proves nothing about revocation unless the chain policy asks for it, and
the signingTime attribute is the signer's claim, reported but not trusted.

Any failure raises :class:`~cryptokit.errors.VerificationFailed` whose ``report`` carries the DSS-style
indication, sub-indication and checks. Malformed input raises :class:`~cryptokit.cms.CmsFormatError`,
which is both a ``VerificationFailed`` (FORMAT_FAILURE) and an ``InputError``.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from asn1crypto import cms as a_cms
from asn1crypto import x509 as ax509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from ..algorithms import HashAlgorithm
from ..certificates import parsed_certificate
from ..errors import CryptokitError, InputError, InvalidSignature, UnsupportedAlgorithm, VerificationFailed
from ..hashing import HashToSign
from ..pkcs12 import KeyBundle
from ..report import Check, HasReport, Outcome, Report, SubIndication
from ..signatures.public_keys import KeyLike, PublicKey, certificate_key
from .algorithms import AlgorithmProblem, SignatureSpec, resolve_digest, resolve_signature, same_algorithm
from .parse import DATA_OID, CmsFormatError, ParsedCms, ParsedSigner, attribute_values, parse_signed_data
from .policy import CmsPolicy

if TYPE_CHECKING:
    from ..chain.ocsp import OcspLike
    from ..chain.revocation import CrlInput

__all__ = ["CmsResult", "SignerResult", "cms_verify", "cms_verify_unsafe_no_trust"]

_CONTENT_TYPE = "1.2.840.113549.1.9.3"
_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
_SIGNING_TIME = "1.2.840.113549.1.9.5"
_ALGORITHM_PROTECTION = "1.2.840.113549.1.9.52"
_DER = serialization.Encoding.DER


@dataclass(frozen=True, slots=True)
class SignerResult:
    """What was proven about one SignerInfo.

    ``chain`` is the validated path (leaf first) when ``trust_anchors`` was used, else empty;
    ``signing_time`` is the signer's unverified claim (None when absent).
    """

    index: int
    certificate: x509.Certificate
    digest_algorithm: HashAlgorithm
    signature_algorithm: str
    signed_attributes: bool
    signing_time: dt.datetime | None
    chain: tuple[x509.Certificate, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "signer": self.certificate.subject.rfc4514_string(),
            "digest_algorithm": self.digest_algorithm.name,
            "signature_algorithm": self.signature_algorithm,
            "signed_attributes": self.signed_attributes,
            "signing_time": None if self.signing_time is None else self.signing_time.isoformat(),
            "chain": [c.subject.rfc4514_string() for c in self.chain],
        }


@dataclass(frozen=True, slots=True)
class CmsResult(HasReport):
    """A verified SignedData: the signed ``content`` (embedded or the supplied detached bytes), its
    ``content_type`` OID, the first ``signer``'s certificate and digest algorithm, every signer in
    ``signers``, the input ``encoding`` (``der`` or ``ber``) and the ``report`` (``ok``,
    ``indication``, ``sub_indication``, ``checks`` and ``to_dict()`` read through it)."""

    content: bytes
    content_type: str
    signer: x509.Certificate
    digest_algorithm: HashAlgorithm
    signers: tuple[SignerResult, ...]
    report: Report
    encoding: str
    detached: bool

    def to_dict(self) -> dict[str, Any]:
        out = self.report.to_dict()
        out.update(
            content_type=self.content_type,
            content_length=len(self.content),
            signer=self.signer.subject.rfc4514_string(),
            digest_algorithm=self.digest_algorithm.name,
            encoding=self.encoding,
            detached=self.detached,
            signers=[s.to_dict() for s in self.signers],
        )
        return out


@dataclass(frozen=True, slots=True)
class _ChainInputs:
    """What the caller adds to the chain check: certificates the CMS does not embed, CRLs and OCSP responses."""

    intermediates: tuple[x509.Certificate, ...] = ()
    crls: tuple[Any, ...] = ()
    ocsp: tuple[Any, ...] = ()


_NO_CHAIN_INPUTS = _ChainInputs()


def _chain_inputs(intermediates: object, crls: object, ocsp_responses: object = ()) -> _ChainInputs:
    if all(isinstance(v, (list, tuple)) and not v for v in (intermediates, crls, ocsp_responses)):
        return _NO_CHAIN_INPUTS  # the defaults, or empty lists (the command's): nothing to load
    extra = _certificates(intermediates, "intermediates")
    if crls is None:
        loaded: tuple[Any, ...] = ()
    else:
        if isinstance(crls, (bytes, bytearray, memoryview, str, x509.CertificateRevocationList)):
            crls = (crls,)
        if not isinstance(crls, Iterable):
            raise InputError("crls", "must be a sequence of CRLs (DER, PEM or x509.CertificateRevocationList)")
        from ..chain.revocation import load_crls

        loaded = load_crls(list(crls))  # malformed CRLs are bad input (InputError), not a failed check
    from ..chain.ocsp import load_ocsp_responses

    # parsed once here (malformed: InputError), not once per signer
    responses = () if ocsp_responses is None else load_ocsp_responses(ocsp_responses)
    return _ChainInputs(extra, loaded, responses)


@dataclass(frozen=True, slots=True)
class _Trusted:
    certificate: x509.Certificate
    asn1: ax509.Certificate
    der: bytes
    identifiers: tuple[int, bytes]  # serial and issuer DER, read once from asn1 for the issuerAndSerialNumber match


def _as_trusted(items: object, field: str) -> tuple[_Trusted, ...]:
    if items is None:
        return ()
    if isinstance(items, (x509.Certificate, KeyBundle)):
        items = (items,)
    if not isinstance(items, Iterable) or isinstance(items, (str, bytes)):
        raise InputError(field, "must be a sequence of x509.Certificate or KeyBundle")
    out: list[_Trusted] = []
    for i, item in enumerate(items):
        cert = item.certificate if isinstance(item, KeyBundle) else item
        if not isinstance(cert, x509.Certificate):
            raise InputError(f"{field}[{i}]", "must be an x509.Certificate or a KeyBundle with a certificate")
        admitted = _admitted(cert)
        if isinstance(admitted, str):
            raise InputError(f"{field}[{i}]", admitted)
        out.append(_Trusted(cert, *admitted))
    return tuple(out)


@lru_cache(maxsize=256)
def _admitted(cert: x509.Certificate) -> tuple[ax509.Certificate, bytes, tuple[int, bytes]] | str:
    """The asn1crypto twin and DER of a caller's certificate, or why it is refused. Cached: the same
    trusted signers come with every call, and the result depends on the certificate's DER alone
    (cryptography's certificates hash and compare by their DER)."""
    try:
        parsed_certificate(cert, "certificate")  # parsed lazily by cryptography; fail here, typed
    except InputError as exc:
        return exc.rule
    der = cert.public_bytes(_DER)
    asn1 = ax509.Certificate.load(der)
    return asn1, der, (asn1.serial_number, asn1.issuer.dump())  # decoded before it is shared


def _certificates(items: object, field: str) -> tuple[x509.Certificate, ...]:
    return tuple(t.certificate for t in _as_trusted(items, field))


def _aware(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return dt.datetime.now(dt.UTC)
    if not isinstance(at, dt.datetime):
        raise InputError("at", "must be a datetime")
    if at.tzinfo is None or at.utcoffset() is None:
        raise InputError("at", "must be timezone-aware (UTC)")
    return at.astimezone(dt.UTC)


def _content_arg(content: object) -> bytes | None:
    if content is None:
        return None
    if isinstance(content, (bytes, bytearray, memoryview)):
        return bytes(content)
    raise InputError("content", f"must be bytes, not {type(content).__name__}")


def _matches(
    signer: ParsedSigner, cert: x509.Certificate, asn1: ax509.Certificate, known: tuple[int, bytes] | None = None
) -> bool:
    """issuerAndSerialNumber (name and serial together) or subjectKeyIdentifier; never serial alone.
    ``known``: the certificate's serial and issuer DER, when already read from ``asn1``."""
    if signer.subject_key_id is not None:
        try:
            ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
        except (x509.ExtensionNotFound, ValueError):
            return False
        return hmac.compare_digest(ski, signer.subject_key_id)
    try:
        serial, issuer_der = known if known is not None else (asn1.serial_number, asn1.issuer.dump())
        if serial != signer.serial or signer.issuer is None:
            return False
        # Same encoding is the common case; otherwise RFC 5280 name comparison (asn1crypto's Name equality).
        return bool(issuer_der == signer.issuer.dump() or asn1.issuer == signer.issuer)
    except (ValueError, TypeError, KeyError):
        return False


def _unique(found: Sequence[tuple[x509.Certificate, bytes]]) -> list[tuple[x509.Certificate, bytes]]:
    seen: dict[bytes, tuple[x509.Certificate, bytes]] = {}
    for cert, der in found:
        seen.setdefault(der, (cert, der))
    return list(seen.values())


def _public_key(cert: x509.Certificate) -> Any:
    """The cryptography key of :func:`_bound_key` (None when it cannot be loaded)."""
    bound = _bound_key(cert)
    return bound.key if bound is not None else None


class _SignerCheck:
    """Gathers the checks for one SignerInfo (facts first; the report derives the verdict)."""

    def __init__(self, signer: ParsedSigner) -> None:
        self.signer = signer
        self.subject = f"signer[{signer.index}]"
        self.checks: list[Check] = []

    def passed(self, name: str, message: str = "", **details: Any) -> None:
        self.checks.append(Check.passed(name, message, subject=self.subject, **details))

    def failed(self, name: str, sub: SubIndication, message: str, **details: Any) -> None:
        self.checks.append(Check.failed(name, sub, message, subject=self.subject, **details))

    def skipped(self, name: str, message: str) -> None:
        self.checks.append(Check.skipped(name, message, subject=self.subject))


def _identify(
    sc: _SignerCheck,
    parsed: ParsedCms,
    trusted: tuple[_Trusted, ...],
    anchored: bool,
) -> x509.Certificate | None:
    signer = sc.signer
    sid = signer.sid_description

    def matching_embedded() -> list[tuple[x509.Certificate, bytes]]:
        return _unique([(c.certificate, c.der) for c in parsed.certificates if _matches(signer, c.certificate, c.asn1)])

    if trusted:
        registered = _unique(
            [(t.certificate, t.der) for t in trusted if _matches(signer, t.certificate, t.asn1, t.identifiers)]
        )
        if len(registered) == 1:
            # The registered certificate's key is used even if a different certificate with the same
            # identifier is embedded (a copied or forged certificate cannot redirect the check).
            sc.passed("signing_certificate", f"registered signer certificate matches {sid}", sid=sid)
            return registered[0][0]
        if len(registered) > 1:
            sc.failed("signing_certificate", SubIndication.NO_SIGNING_CERTIFICATE_FOUND, f"ambiguous: {sid}")
            return None
        embedded = matching_embedded()
        if embedded:
            sc.failed(
                "signing_certificate",
                SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
                f"the signer ({sid}) is not one of the registered signers",
                sid=sid,
            )
            return embedded[0][0] if len(embedded) == 1 else None
        sc.failed(
            "signing_certificate",
            SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
            f"no certificate for {sid} among the registered signers or the embedded certificates",
            sid=sid,
        )
        return None
    embedded = matching_embedded()
    if len(embedded) == 1:
        trust = "to be validated against the trust anchors" if anchored else "NOT anchored (unsafe verification)"
        sc.passed("signing_certificate", f"embedded certificate matches {sid}, {trust}", sid=sid)
        return embedded[0][0]
    message = f"no embedded certificate for {sid}" if not embedded else f"{len(embedded)} certificates match {sid}"
    sc.failed("signing_certificate", SubIndication.NO_SIGNING_CERTIFICATE_FOUND, message, sid=sid)
    return None


def _check_certificate(
    sc: _SignerCheck, cert: x509.Certificate, at: dt.datetime, policy: CmsPolicy, chain: bool
) -> None:
    try:
        ku: x509.KeyUsage | None = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        ku = None
    except ValueError:
        sc.failed("key_usage", SubIndication.CHAIN_CONSTRAINTS_FAILURE, "the certificate extensions are malformed")
        return
    if ku is None:
        sc.passed("key_usage", "no keyUsage extension (any use permitted)")
    elif ku.digital_signature or ku.content_commitment:
        sc.passed("key_usage", "keyUsage permits signing")
    else:
        sc.failed(
            "key_usage",
            SubIndication.CHAIN_CONSTRAINTS_FAILURE,
            "keyUsage has neither digitalSignature nor nonRepudiation",
        )
    key = _public_key(cert)
    if key is None:
        sc.failed("public_key", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, "the certificate's public key is unsupported")
    elif isinstance(key, rsa.RSAPublicKey) and key.key_size < policy.min_rsa_bits:
        sc.failed(
            "key_size",
            SubIndication.CRYPTO_CONSTRAINTS_FAILURE,
            f"RSA-{key.key_size} is below the policy minimum of {policy.min_rsa_bits} bits",
        )
    if chain or not policy.check_certificate_validity:
        return
    if at < cert.not_valid_before_utc:
        sc.failed(
            "certificate_validity",
            SubIndication.NOT_YET_VALID,
            f"the signer certificate is not valid before {cert.not_valid_before_utc.isoformat()}",
        )
    elif at > cert.not_valid_after_utc:
        sc.failed(
            "certificate_validity",
            SubIndication.EXPIRED,
            f"the signer certificate expired {cert.not_valid_after_utc.isoformat()}",
        )
    else:
        sc.passed("certificate_validity", f"the signer certificate is valid at {at.isoformat()}")


def _single(sc: _SignerCheck, attributes: Any, oid: str, name: str, required: bool) -> Any:
    values = attribute_values(attributes, oid)
    if values is None:
        if required:
            sc.failed(name, SubIndication.FORMAT_FAILURE, f"the {name} signed attribute is missing")
        return None
    if len(values) != 1:
        sc.failed(name, SubIndication.FORMAT_FAILURE, f"the {name} signed attribute must have exactly one value")
        return None
    return values[0]


def _check_attributes(
    sc: _SignerCheck, parsed: ParsedCms, h: HashAlgorithm, content: bytes | HashToSign
) -> tuple[dt.datetime | None, bool]:
    """contentType, messageDigest, signingTime and CMSAlgorithmProtection. Returns (signing time, ok)."""
    signer = sc.signer
    attributes = signer.attribute_index
    ok = True
    content_type = _single(sc, attributes, _CONTENT_TYPE, "content_type", True)
    if content_type is not None:
        if content_type == parsed.content_type:
            sc.passed("content_type", f"contentType attribute equals eContentType {parsed.content_type}")
        else:
            ok = False
            sc.failed(
                "content_type",
                SubIndication.FORMAT_FAILURE,
                f"contentType attribute {content_type} differs from eContentType {parsed.content_type}",
            )
    else:
        ok = False
    digest_value = _single(sc, attributes, _MESSAGE_DIGEST, "message_digest", True)
    if isinstance(content, HashToSign) and content.algorithm != h:
        ok = False
        sc.failed(
            "message_digest",
            SubIndication.HASH_FAILURE,
            f"the content digest given is {content.algorithm.name}; the signer used {h.name}",
        )
    elif digest_value is not None:
        if isinstance(content, HashToSign):
            actual_digest = content.digest
        else:
            actual = h.new()
            actual.update(content)
            actual_digest = actual.digest()
        if hmac.compare_digest(digest_value, actual_digest):
            sc.passed("message_digest", f"messageDigest equals the {h.name} digest of the content")
        else:
            ok = False
            sc.failed("message_digest", SubIndication.HASH_FAILURE, "messageDigest does not match the content")
    else:
        ok = False
    signing_time: dt.datetime | None = None
    time_value = _single(sc, attributes, _SIGNING_TIME, "signing_time", False)
    if time_value is not None:
        if isinstance(time_value, dt.datetime) and time_value.tzinfo is not None:
            signing_time = time_value.astimezone(dt.UTC)
            sc.passed("signing_time", "signingTime claimed by the signer (not verified)", signing_time=signing_time)
        else:
            ok = False
            sc.failed("signing_time", SubIndication.FORMAT_FAILURE, "signingTime is not a valid time")
    protection = _single(sc, attributes, _ALGORITHM_PROTECTION, "algorithm_protection", False)
    if protection is not None:
        problems = []
        if not _same(protection["digest_algorithm"], signer.digest_algorithm):
            problems.append("digestAlgorithm")
        sig = protection["signature_algorithm"]
        if sig.native is None or not _same(sig, signer.signature_algorithm):
            problems.append("signatureAlgorithm")
        if problems:
            ok = False
            sc.failed(
                "algorithm_protection",
                SubIndication.FORMAT_FAILURE,
                f"CMSAlgorithmProtection {' and '.join(problems)} differ from the SignerInfo",
            )
        else:
            sc.passed("algorithm_protection", "CMSAlgorithmProtection matches the SignerInfo algorithms")
    return signing_time, ok


def _same(a: Any, b: Any) -> bool:
    """:func:`same_algorithm`, with identical contents (OID and parameters as encoded) as the quick yes."""
    return bool(a.contents == b.contents) or same_algorithm(a, b)


@lru_cache(maxsize=256)
def _resolved(digest: Any, signature: Any, policy: CmsPolicy) -> tuple[HashAlgorithm, SignatureSpec] | AlgorithmProblem:
    try:
        h = resolve_digest(digest, policy)
        return h, resolve_signature(signature, h, policy)
    except AlgorithmProblem as exc:
        return exc


def _resolve(digest: Any, signature: Any, policy: CmsPolicy) -> tuple[HashAlgorithm, SignatureSpec]:
    """:func:`resolve_digest` then :func:`resolve_signature`. Cached: the parser hands out one object
    per distinct algorithm encoding (asn1crypto values hash and compare by identity), and the answer
    depends on those and the policy alone."""
    try:
        found = _resolved(digest, signature, policy)
    except TypeError:  # a policy holding something unhashable (a set for a frozenset): not cached
        found = _resolved.__wrapped__(digest, signature, policy)
    if isinstance(found, AlgorithmProblem):
        raise AlgorithmProblem(found.sub_indication, str(found))
    return found


@lru_cache(maxsize=256)
def _bound_key(cert: x509.Certificate) -> PublicKey | None:
    """The certificate's verification key with its RSASSA-PSS parameters, by the one rule
    (:func:`cryptokit.signatures.public_keys.certificate_key`); None when it cannot be loaded or is refused.
    Cached per certificate (by its DER): the signer's key is loaded once, not for every CMS."""
    try:
        return certificate_key(cert)
    except CryptokitError:
        return None


_ATTRIBUTE_TYPES_OF_SIGNED_ATTRIBUTES = frozenset({"1.2.840.113549.1.9.3", "1.2.840.113549.1.9.4"})


def _is_signed_attributes(content: bytes) -> bool:
    """Whether ``content`` reads as a SET OF Attribute holding contentType or messageDigest: the bytes
    a SignerInfo's signature covers when it has signed attributes (RFC 5652 5.4)."""
    if content[:1] != b"\x31" or len(content) > 1024 * 1024:
        return False
    try:
        types = {attribute["type"].dotted for attribute in a_cms.CMSAttributes.load(content, strict=True)}
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
        return False
    return bool(types & _ATTRIBUTE_TYPES_OF_SIGNED_ATTRIBUTES)


_KEY_TYPES: dict[str, Any] = {"pkcs1v15": rsa.RSAPublicKey, "pss": rsa.RSAPublicKey, "ecdsa": ec.EllipticCurvePublicKey}


def _check_signature(
    sc: _SignerCheck, cert: x509.Certificate, h: HashAlgorithm, spec: SignatureSpec, content: bytes | HashToSign
) -> None:
    from ..signatures.sign_verify import verify_digest, verify_message

    signer = sc.signer
    if isinstance(content, HashToSign):
        if signer.signed_attrs is None:
            sc.failed(
                "signature",
                SubIndication.SIGNED_DATA_NOT_FOUND,
                "the signature covers the content directly: a content digest cannot verify it",
            )
            return
        content = b""
    message = signer.signed_attrs if signer.signed_attrs is not None else content
    what = "the signed attributes" if signer.signed_attrs is not None else "the content"
    bound = _bound_key(cert)  # an RSASSA-PSS certificate key carries parameters that restrict its use
    key: Any = bound.key if bound is not None else None
    if key is None:
        sc.skipped("signature", "not checked: unsupported public key")
        return
    key_type = _KEY_TYPES.get(spec.scheme, ed25519.Ed25519PublicKey)
    if not isinstance(key, key_type):
        sc.failed(
            "signature",
            SubIndication.SIG_CRYPTO_FAILURE,
            f"{spec.name} does not fit the certificate's {type(key).__name__}",
        )
        return
    if bound is not None and bound.pss is not None and spec.scheme != "pss":
        sc.failed(
            "signature",
            SubIndication.SIG_CRYPTO_FAILURE,
            f"{spec.name} is refused for the certificate's RSASSA-PSS key (RFC 4055: PSS only)",
        )
        return
    verify_key = cast(KeyLike, key)  # the certificate's key, of the type the scheme needs (checked above)
    try:
        if spec.scheme == "ed25519":
            verify_message(verify_key, signer.signature, message, None, scheme="ed25519")
        else:
            hasher = h.new()
            hasher.update(message)
            verify_digest(
                bound if bound is not None and bound.pss is not None else verify_key,
                signer.signature,
                hasher.digest(),
                h,
                scheme=spec.scheme,
                pss_salt_length=spec.pss_salt_length,
                pss_mgf_hash=spec.pss_mgf_hash,
                signature_encoding=spec.encoding or "auto",
            )
    except InvalidSignature:
        sc.failed("signature", SubIndication.SIG_CRYPTO_FAILURE, f"{spec.name} signature over {what} does not verify")
    except UnsupportedAlgorithm as exc:
        sc.failed("signature", SubIndication.CRYPTO_CONSTRAINTS_FAILURE, f"{spec.name}: {exc}")
    except InputError as exc:
        sc.failed(
            "signature", SubIndication.SIG_CRYPTO_FAILURE, f"{spec.name} signature value is malformed ({exc.rule})"
        )
    else:
        sc.passed("signature", f"{spec.name} signature over {what} verifies", algorithm=spec.name)


def _check_chain(
    sc: _SignerCheck,
    cert: x509.Certificate,
    parsed: ParsedCms,
    anchors: tuple[x509.Certificate, ...],
    at: dt.datetime,
    policy: CmsPolicy,
    extra: _ChainInputs,
) -> tuple[x509.Certificate, ...]:
    try:
        from ..chain import validate_chain
    except ImportError:
        sc.failed("certificate_chain", SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE, "chain validation unavailable")
        return ()
    leaf_der = cert.public_bytes(_DER)
    intermediates = [c.certificate for c in parsed.certificates if c.der != leaf_der]
    intermediates.extend(extra.intermediates)  # the path builder ignores duplicates and unrelated certificates
    try:
        chain_report = validate_chain(
            cert,
            intermediates=intermediates,
            trust_anchors=anchors,
            at=at,
            policy=policy.chain_policy,
            crls=extra.crls,
            ocsp_responses=extra.ocsp,
        )
    except CryptokitError as exc:
        sc.failed(
            "certificate_chain", SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE, f"chain validation failed: {exc}"
        )
        return ()
    sc.checks.extend(c for c in getattr(chain_report, "checks", ()) if isinstance(c, Check))
    if chain_report.ok:
        path = tuple(getattr(chain_report, "path", ()) or ())
        sc.passed("certificate_chain", "the signer certificate chains to a trust anchor", length=len(path))
        return path
    sub = chain_report.sub_indication or SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE
    sc.failed("certificate_chain", SubIndication(str(sub)), f"chain validation: {chain_report.indication} / {sub}")
    return ()


def _verify_signer(
    signer: ParsedSigner,
    parsed: ParsedCms,
    content: bytes | HashToSign,
    trusted: tuple[_Trusted, ...],
    anchors: tuple[x509.Certificate, ...],
    at: dt.datetime,
    policy: CmsPolicy,
    extra: _ChainInputs,
) -> tuple[list[Check], SignerResult | None]:
    sc = _SignerCheck(signer)
    h: HashAlgorithm | None = None
    spec: SignatureSpec | None = None
    try:
        h, spec = _resolve(signer.digest_algorithm, signer.signature_algorithm, policy)
        sc.passed("algorithms", f"{spec.name} is allowed by the policy", digest=h.name, signature=spec.name)
    except AlgorithmProblem as exc:
        sc.failed("algorithms", exc.sub_indication, str(exc))
    cert = _identify(sc, parsed, trusted, anchored=bool(anchors))
    if cert is not None:
        _check_certificate(sc, cert, at, policy, chain=bool(anchors))
    signing_time: dt.datetime | None = None
    if signer.attributes is None:
        if policy.require_signed_attributes:
            sc.failed("signed_attributes", SubIndication.FORMAT_FAILURE, "signed attributes are required by the policy")
        elif not policy.allow_attributes_as_content and isinstance(content, bytes) and _is_signed_attributes(content):
            # A signature over someone's signed attributes, their DER moved into eContent and the
            # signedAttrs dropped, would verify "over the content": refused unless the policy allows it.
            sc.failed(
                "signed_attributes",
                SubIndication.FORMAT_FAILURE,
                "the content is a signed-attributes encoding (SET OF Attribute with contentType/messageDigest) "
                "and the SignerInfo has no signed attributes: signed attributes cannot pose as content",
            )
        elif parsed.content_type != DATA_OID:
            # RFC 5652 5.3: without signed attributes nothing binds eContentType, so it must be id-data.
            sc.failed(
                "signed_attributes",
                SubIndication.FORMAT_FAILURE,
                f"signed attributes are required for eContentType {parsed.content_type} (only id-data may omit them)",
            )
        else:
            sc.skipped("signed_attributes", "none: the signature covers the content directly")
    elif h is not None:
        signing_time, _ = _check_attributes(sc, parsed, h, content)
    if h is None or spec is None:
        sc.skipped("signature", "not checked: the algorithms are refused")
    elif cert is None:
        sc.skipped("signature", "not checked: no signer certificate")
    else:
        _check_signature(sc, cert, h, spec, content)
    path: tuple[x509.Certificate, ...] = ()
    if anchors and cert is not None:
        path = _check_chain(sc, cert, parsed, anchors, at, policy, extra)
    elif not anchors and not trusted:
        sc.skipped("trust", "UNSAFE: the signer certificate is not anchored to anything")
    if any(c.outcome is Outcome.FAILED for c in sc.checks) or cert is None or h is None or spec is None:
        return sc.checks, None
    return sc.checks, SignerResult(signer.index, cert, h, spec.name, signer.attributes is not None, signing_time, path)


def _raise(checks: list[Check]) -> Report:
    """The report of ``checks``; VerificationFailed when it is not a pass."""
    report = Report.from_checks(checks)
    if report.ok:
        return report
    first = report.failures()[0]
    where = f"{first.subject}: " if first.subject else ""
    raise VerificationFailed(f"CMS verification failed ({report.sub_indication}): {where}{first.message}", report)


def _verify(
    cms: object,
    content: object,
    trusted_signers: object,
    trust_anchors: object,
    at: dt.datetime | None,
    policy: CmsPolicy | None,
    *,
    unsafe: bool,
    content_digest: object = None,
    intermediates: object = (),
    crls: object = (),
    ocsp_responses: object = (),
) -> CmsResult:
    policy = policy if policy is not None else CmsPolicy()
    if not isinstance(policy, CmsPolicy):
        raise InputError("policy", "must be a CmsPolicy")
    trusted = _as_trusted(trusted_signers, "trusted_signers")
    anchors = _certificates(trust_anchors, "trust_anchors")
    extra = _chain_inputs(intermediates, crls, ocsp_responses)
    if (extra.intermediates or extra.crls or extra.ocsp) and not anchors:
        raise InputError("intermediates/crls/ocsp_responses", "serve the chain check: give trust_anchors too")
    if not unsafe and not trusted and not anchors:
        raise InputError(
            "trusted_signers",
            "give trusted_signers or trust_anchors (cms_verify_unsafe_no_trust checks without either)",
        )
    when = _aware(at)
    supplied = _content_arg(content)
    if content_digest is not None:
        if not isinstance(content_digest, HashToSign):
            raise InputError("content_digest", "must be a HashToSign")
        if supplied is not None:
            raise InputError("content_digest", "give the detached content or its digest, not both")
    parsed = parse_signed_data(cms, policy)
    checks: list[Check] = [
        Check.passed("format", f"well-formed SignedData ({parsed.encoding.upper()})", encoding=parsed.encoding)
    ]
    signed: bytes | HashToSign
    if parsed.content is None and isinstance(content_digest, HashToSign):
        signed = content_digest
        checks.append(
            Check.passed("content", "detached content given by its digest", algorithm=content_digest.algorithm.name)
        )
    elif parsed.content is None:
        if supplied is None:
            checks.append(
                Check.failed("content", SubIndication.SIGNED_DATA_NOT_FOUND, "detached signature and no content given")
            )
            _raise(checks)
            raise AssertionError("unreachable")  # _raise raised: the check above failed
        signed = supplied
        checks.append(Check.passed("content", "detached content supplied by the caller", length=len(signed)))
    else:
        signed = parsed.content
        if content_digest is not None:
            checks.append(
                Check.failed("content", SubIndication.FORMAT_FAILURE, "content_digest is for detached signatures only")
            )
        elif supplied is not None and not hmac.compare_digest(supplied, signed):
            checks.append(
                Check.failed(
                    "content", SubIndication.HASH_FAILURE, "the supplied content differs from the embedded one"
                )
            )
        else:
            checks.append(Check.passed("content", "content embedded in the SignedData", length=len(signed)))
    results: list[SignerResult] = []
    for signer in parsed.signers:
        try:
            signer_checks, result = _verify_signer(signer, parsed, signed, trusted, anchors, when, policy, extra)
        except CryptokitError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            # Safety net: a value asn1crypto or cryptography could not decode late is a format failure.
            raise CmsFormatError(f"signerInfos[{signer.index}]: malformed value ({type(exc).__name__})") from None
        checks.extend(signer_checks)
        if result is not None:
            results.append(result)
    report = _raise(checks)
    if len(results) != len(parsed.signers):  # defensive: a signer without a result must have failed
        raise VerificationFailed("CMS verification failed: a signer was not verified", report)
    return CmsResult(
        content=signed if isinstance(signed, bytes) else b"",
        content_type=parsed.content_type,
        signer=results[0].certificate,
        digest_algorithm=results[0].digest_algorithm,
        signers=tuple(results),
        report=report,
        encoding=parsed.encoding,
        detached=parsed.content is None,
    )


def cms_verify(
    cms: bytes | str,
    *,
    content: bytes | None = None,
    trusted_signers: Iterable[x509.Certificate | KeyBundle] = (),
    trust_anchors: Iterable[x509.Certificate] = (),
    at: dt.datetime | None = None,
    policy: CmsPolicy | None = None,
    content_digest: HashToSign | None = None,
    intermediates: Iterable[x509.Certificate] = (),
    crls: Iterable[CrlInput] = (),
    ocsp_responses: OcspLike = (),
) -> CmsResult:
    """Verify every SignerInfo of a CMS SignedData (DER, BER, base64 or PEM); see the module docstring.

    ``trusted_signers``: accept only signers whose certificate is one of these (certificates or
    KeyBundles; the "registered PFX" check). ``trust_anchors``: validate the signer's chain (embedded
    certificates serve as intermediates). At least one is required (else :class:`InputError`); with both,
    both must hold. ``content``: the detached content, or, for an attached signature, bytes that must
    equal the embedded content. ``content_digest``: a detached content given by its digest (a
    HashToSign of the signer's digest algorithm; ``result.content`` is then empty). ``at``: the
    validation time (aware; default now). ``intermediates``: issuing-CA certificates the SignedData
    does not embed (``openssl cms -sign`` and BouncyCastle embed only the signer's by default), used with
    the embedded ones to build the path. ``crls``: CRLs (DER, PEM or objects) the chain check applies, so
    a revoked signer fails (REVOKED). ``ocsp_responses``: OCSP responses (DER or
    ``x509.ocsp.OCSPResponse``) the chain check applies next to the CRLs (see
    :mod:`cryptokit.chain.ocsp`; a revoked answer from either source fails, either usable source
    satisfies ``require_revocation``). All three need ``trust_anchors``; a malformed CRL or OCSP
    response is an InputError.
    """
    return _verify(
        cms,
        content,
        trusted_signers,
        trust_anchors,
        at,
        policy,
        unsafe=False,
        content_digest=content_digest,
        intermediates=intermediates,
        crls=crls,
        ocsp_responses=ocsp_responses,
    )


def cms_verify_unsafe_no_trust(
    cms: bytes | str,
    *,
    content: bytes | None = None,
    at: dt.datetime | None = None,
    policy: CmsPolicy | None = None,
) -> CmsResult:
    """UNSAFE: check a SignedData's integrity against the certificates it carries itself.

    Anyone can produce a SignedData that passes this check (with their own certificate): it proves the
    content was not changed after signing by *some* key, not who signed it. Use :func:`cms_verify`.
    """
    return _verify(cms, content, (), (), at, policy, unsafe=True)
