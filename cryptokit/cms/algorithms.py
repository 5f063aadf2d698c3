"""Resolve a SignerInfo's digest and signature AlgorithmIdentifiers into what the math layer needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from asn1crypto import algos

from ..algorithms import HashAlgorithm, hash_algorithm, signature_algorithm
from ..errors import UnsupportedAlgorithm
from ..report import SubIndication
from ..signatures.pss_params import has_stray_elements
from .policy import CmsPolicy

__all__ = ["SignatureSpec", "AlgorithmProblem", "resolve_digest", "resolve_signature", "params_der", "same_algorithm"]

RSA_ENCRYPTION: Final = "1.2.840.113549.1.1.1"
RSASSA_PSS: Final = "1.2.840.113549.1.1.10"
MGF1: Final = "1.2.840.113549.1.1.8"
EC_PUBLIC_KEY: Final = "1.2.840.10045.2.1"
_ABSENT_OR_NULL: Final = (b"", b"\x05\x00")

Scheme = Literal["pkcs1v15", "pss", "ecdsa", "ed25519"]


class AlgorithmProblem(Exception):
    """An algorithm identifier that is refused; ``sub_indication`` says how it is reported."""

    def __init__(self, sub_indication: SubIndication, message: str) -> None:
        self.sub_indication = sub_indication
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class SignatureSpec:
    """How to check the signature value: scheme, ECDSA encoding, PSS salt and MGF1 hash, a display name."""

    name: str
    scheme: Scheme
    encoding: Literal["der", "raw"] | None = None
    pss_salt_length: int | None = None
    pss_mgf_hash: HashAlgorithm | None = None


def params_der(value: Any) -> bytes:
    """The DER of an AlgorithmIdentifier's parameters ('' when absent)."""
    params = value["parameters"]
    return b"" if params is None else bytes(params.dump())


def same_algorithm(a: Any, b: Any) -> bool:
    """Same OID and same parameters, with absent and NULL parameters taken as equal."""
    if a["algorithm"].dotted != b["algorithm"].dotted:
        return False
    pa, pb = params_der(a), params_der(b)
    return pa == pb or (pa in _ABSENT_OR_NULL and pb in _ABSENT_OR_NULL)


def _allowed(policy: CmsPolicy, h: HashAlgorithm, what: str) -> None:
    if not policy.allows_digest(h.name):
        raise AlgorithmProblem(SubIndication.CRYPTO_CONSTRAINTS_FAILURE, f"{what} {h.name} is refused by the policy")


def resolve_digest(value: algos.DigestAlgorithm, policy: CmsPolicy) -> HashAlgorithm:
    """The digest algorithm, if known and allowed; parameters must be absent or NULL."""
    oid = value["algorithm"].dotted
    try:
        h = hash_algorithm(oid, allow_md5=True)
    except UnsupportedAlgorithm:
        raise AlgorithmProblem(SubIndication.CRYPTO_CONSTRAINTS_FAILURE, f"unknown digest algorithm {oid}") from None
    if params_der(value) not in _ABSENT_OR_NULL:
        raise AlgorithmProblem(SubIndication.FORMAT_FAILURE, f"digest algorithm {h.name} has unexpected parameters")
    _allowed(policy, h, "digest algorithm")
    return h


def _pss(value: algos.SignedDigestAlgorithm, h: HashAlgorithm, policy: CmsPolicy) -> SignatureSpec:
    # Pitfall 5: absent RSASSA-PSS-params mean SHA-1, MGF1-SHA-1, salt 20 (asn1crypto fills these defaults).
    params = value["parameters"]
    if params.native is None:
        raise AlgorithmProblem(
            SubIndication.CRYPTO_CONSTRAINTS_FAILURE, "RSASSA-PSS without parameters means SHA-1 (RFC 4055)"
        )
    try:
        extra = has_stray_elements(params)
    except (ValueError, TypeError):
        extra = True
    if extra:
        raise AlgorithmProblem(SubIndication.FORMAT_FAILURE, "RSASSA-PSS-params has elements that are not its fields")
    try:
        pss_hash = hash_algorithm(params["hash_algorithm"]["algorithm"].dotted, allow_md5=True)
        mgf = params["mask_gen_algorithm"]
        if mgf["algorithm"].dotted != MGF1:
            raise AlgorithmProblem(SubIndication.CRYPTO_CONSTRAINTS_FAILURE, "RSASSA-PSS mask generation is not MGF1")
        mgf_hash = hash_algorithm(mgf["parameters"]["algorithm"].dotted, allow_md5=True)
    except UnsupportedAlgorithm as exc:
        raise AlgorithmProblem(SubIndication.CRYPTO_CONSTRAINTS_FAILURE, f"RSASSA-PSS: {exc}") from None
    salt = params["salt_length"].native
    trailer = params["trailer_field"].native
    if trailer not in ("trailer_field_bc", 1):
        raise AlgorithmProblem(SubIndication.FORMAT_FAILURE, "RSASSA-PSS trailerField is not 1")
    if not isinstance(salt, int) or not 0 <= salt <= 1024:
        raise AlgorithmProblem(SubIndication.FORMAT_FAILURE, "RSASSA-PSS saltLength out of range")
    _allowed(policy, pss_hash, "RSASSA-PSS hash")
    if pss_hash != h:
        raise AlgorithmProblem(
            SubIndication.FORMAT_FAILURE, f"RSASSA-PSS hash {pss_hash.name} differs from digestAlgorithm {h.name}"
        )
    if mgf_hash.name == "md5":
        raise AlgorithmProblem(SubIndication.CRYPTO_CONSTRAINTS_FAILURE, "MGF1 with MD5 is refused")
    return SignatureSpec(f"RSASSA-PSS({h.name}, MGF1-{mgf_hash.name}, salt {salt})", "pss", None, salt, mgf_hash)


def resolve_signature(value: algos.SignedDigestAlgorithm, h: HashAlgorithm, policy: CmsPolicy) -> SignatureSpec:
    """The signature scheme for a SignerInfo whose digest algorithm is ``h``.

    Accepts rsaEncryption, sha*WithRSAEncryption, RSASSA-PSS (parameters from RSASSA-PSS-params),
    ecdsa-with-SHA* (also BSI plain r||s), id-ecPublicKey (as ECDSA with ``h``) and Ed25519. A hash
    named by the signature algorithm must equal ``h``.
    """
    oid = value["algorithm"].dotted
    if oid == RSASSA_PSS:
        return _pss(value, h, policy)
    params = params_der(value)
    if oid == RSA_ENCRYPTION:
        if params not in _ABSENT_OR_NULL:
            raise AlgorithmProblem(SubIndication.FORMAT_FAILURE, "rsaEncryption has unexpected parameters")
        return SignatureSpec(f"RSA PKCS#1 v1.5 ({h.name})", "pkcs1v15")
    if oid == EC_PUBLIC_KEY:
        return SignatureSpec(f"ECDSA ({h.name})", "ecdsa", "der")
    try:
        known = signature_algorithm(oid)
    except UnsupportedAlgorithm:
        raise AlgorithmProblem(SubIndication.CRYPTO_CONSTRAINTS_FAILURE, f"unknown signature algorithm {oid}") from None
    if known.scheme not in ("pkcs1v15", "ecdsa", "ed25519"):
        raise AlgorithmProblem(
            SubIndication.CRYPTO_CONSTRAINTS_FAILURE, f"signature algorithm {known.name} unsupported"
        )
    if params not in _ABSENT_OR_NULL:
        raise AlgorithmProblem(SubIndication.FORMAT_FAILURE, f"{known.name} has unexpected parameters")
    if known.hash is not None and known.hash != h:
        raise AlgorithmProblem(SubIndication.FORMAT_FAILURE, f"{known.name} does not match digestAlgorithm {h.name}")
    return SignatureSpec(known.name, known.scheme, known.encoding)
