"""Signature checks on certificates and CRLs with cryptography's primitives.

Used instead of ``verify_directly_issued_by`` / ``is_signature_valid`` because those compare issuer
names byte-for-byte (not RFC 5280 7.1) or do not support DSA; the algorithm *policy* (SHA-1 by date,
key sizes) is applied separately, so a weak-but-valid signature verifies here and is judged there.
The one exception is an RSA key whose public exponent breaks NIST SP 800-89 (even, or 2^256 and
above): it is refused before any arithmetic, since a huge exponent makes each verification slow.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.hashes import HashAlgorithm

from .._dsa import DSAPublicKey
from ..encoding import der_header
from ..errors import CryptokitError, InputError, plain_parse_error
from ..signatures.pss_params import PssParams, pss_params_from_asn1
from ..signatures.public_keys import CertificatePublicKey, certificate_key, pss_binding_problem, rsa_exponent_problem

__all__ = [
    "verify_signed",
    "verify_signature",
    "signature_parts",
    "SignatureParts",
    "unverifiable",
    "pss_key_misuse",
    "key_problem",
    "serial_octets",
    "ec_explicit_parameters",
]

_RSASSA_PSS = "1.2.840.113549.1.1.10"

_ECDSA_ARC = "1.2.840.10045.4."  # ecdsa-with-SHA1 (.1) and ecdsa-with-SHA2 (.3.x)


def key_problem(key: CertificatePublicKey) -> str | None:
    """Why ``key`` must not be used to verify at all (an RSA exponent outside SP 800-89), else None."""
    return rsa_exponent_problem(key) if isinstance(key, rsa.RSAPublicKey) else None


def verify_signed(signed: x509.Certificate | x509.CertificateRevocationList, key: CertificatePublicKey) -> str | None:
    """None when ``key`` verifies the signature on ``signed`` (a certificate or CRL), else the reason.
    A key :func:`key_problem` refuses is not used."""
    if not isinstance(signed, (x509.Certificate, x509.CertificateRevocationList)):
        raise InputError("signed", f"must be a certificate or a CRL, not {type(signed).__name__}")
    problem = key_problem(key)
    if problem is not None:
        return problem
    parts = signature_parts(signed)
    if isinstance(parts, str):
        return parts
    try:
        sig = signed.signature
        tbs = signed.tbs_certificate_bytes if isinstance(signed, x509.Certificate) else signed.tbs_certlist_bytes
    except (UnsupportedAlgorithm, ValueError, TypeError) as exc:
        return unverifiable(exc)
    params, h, oid = parts
    return verify_signature(key, sig, tbs, h, params, oid)


#: (signature algorithm parameters, hash algorithm, signature algorithm OID) as cryptography reads them
SignatureParts = tuple[Any, Any, str]


def signature_parts(signed: x509.Certificate | x509.CertificateRevocationList) -> SignatureParts | str:
    """What :func:`verify_signature` needs from ``signed``'s signature algorithm, read once (immutable
    values, so a caller may keep them), or the reason they cannot be read."""
    try:
        oid = signed.signature_algorithm_oid.dotted_string
        return signed.signature_algorithm_parameters, signed.signature_hash_algorithm, oid
    except (UnsupportedAlgorithm, ValueError, TypeError) as exc:
        return unverifiable(exc)


def unverifiable(exc: Exception) -> str:
    """The reason for a signature cryptography could not check (no parser internals)."""
    return f"signature could not be verified ({plain_parse_error(exc)})"


def verify_signature(
    key: CertificatePublicKey,
    sig: bytes,
    tbs: bytes,
    h: HashAlgorithm | None,
    params: Any,
    oid: str | None,
    *,
    dsa: bool = True,
    unsupported: str = "unsupported key type",
) -> str | None:
    """None when ``key`` verifies ``sig`` over ``tbs``, else the reason. ``h`` and ``params`` are what
    cryptography reads from the signature algorithm (``params`` None where it gives none: RSA then
    means PKCS#1 v1.5, EC means ECDSA with ``h`` when ``oid`` is an ECDSA OID or None); ``dsa`` False
    refuses DSA keys as ``unsupported``. Checks the signature only: the key's own problems are
    :func:`key_problem`'s."""
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if params is None:  # cryptography gives no padding object for some PKCS#1 v1.5 OIDs (MD5)
                params = padding.PKCS1v15()
            if not isinstance(params, (padding.PKCS1v15, padding.PSS)) or h is None:
                return "signature algorithm does not match the RSA key"
            key.verify(sig, tbs, params, h)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            if params is None and h is not None and (oid is None or oid.startswith(_ECDSA_ARC)):
                params = ec.ECDSA(h)  # cryptography gives no parameters object for ecdsa-with-SHA1
            if not isinstance(params, ec.ECDSA):
                return "signature algorithm does not match the EC key"
            key.verify(sig, tbs, params)
        elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            if h is not None or params is not None:
                return "signature algorithm does not match the EdDSA key"
            key.verify(sig, tbs)
        elif dsa and isinstance(key, DSAPublicKey):
            if h is None:
                return "signature algorithm does not match the DSA key"
            key.verify(sig, tbs, h)
        else:
            return f"{unsupported} {type(key).__name__}"
    except InvalidSignature:
        return "signature does not verify"
    except (UnsupportedAlgorithm, ValueError, TypeError) as exc:
        return unverifiable(exc)
    return None


def _signature_pss_params(signed: x509.Certificate | x509.CertificateRevocationList) -> PssParams:
    """The RSASSA-PSS-params of an RSASSA-PSS signature on a certificate or CRL."""
    from asn1crypto import crl as a_crl
    from asn1crypto import x509 as a_x509

    try:
        der = signed.public_bytes(serialization.Encoding.DER)
        loader = a_x509.Certificate if isinstance(signed, x509.Certificate) else a_crl.CertificateList
        parsed = loader.load(der)
        params = parsed["signature_algorithm"]["parameters"]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
        raise InputError("signature", "RSASSA-PSS signature algorithm cannot be parsed") from None
    return pss_params_from_asn1(params, "signatureAlgorithm")


def pss_key_misuse(signed: x509.Certificate | x509.CertificateRevocationList, issuer: x509.Certificate) -> str | None:
    """The reason when ``issuer``'s key is an id-RSASSA-PSS key and the signature on ``signed`` breaks
    what the key binds (RFC 4055: PSS only, with the key's hash and MGF1 hash and at least its salt
    length), read through :func:`cryptokit.signatures.public_keys.certificate_key`; None otherwise."""
    try:
        if issuer.public_key_algorithm_oid.dotted_string != _RSASSA_PSS:
            return None
        pss_signature = signed.signature_algorithm_oid.dotted_string == _RSASSA_PSS
    except ValueError as exc:
        return f"signature algorithm unreadable ({plain_parse_error(exc)})"
    try:
        bound = certificate_key(issuer).pss
        used = _signature_pss_params(signed) if pss_signature else None
    except CryptokitError as exc:
        return f"RSASSA-PSS parameters unusable ({exc})"
    return pss_binding_problem(bound, used)


def serial_octets(cert: x509.Certificate, tbs: bytes | None = None) -> tuple[int, bool]:
    """(octets in the DER content of the serialNumber INTEGER, True when it is zero or negative),
    read from the TBS bytes, so that cryptography's warning about non-positive serials is not raised.
    ``tbs``: the certificate's TBSCertificate bytes when the caller has them (cryptography's
    ``tbs_certificate_bytes`` encodes them again on each call)."""
    if tbs is None:
        tbs = cert.tbs_certificate_bytes
    i = der_header(tbs, 0)[0]  # inside TBSCertificate
    if tbs[i : i + 1] == b"\xa0":  # [0] version
        i, length = der_header(tbs, i)
        i += length
    i, length = der_header(tbs, i)  # INTEGER serialNumber
    content = tbs[i : i + length]
    negative = bool(content) and content[0] >= 0x80
    return length, negative or not content.strip(b"\x00")


_EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"


def ec_explicit_parameters(cert: x509.Certificate, tbs: bytes | None = None) -> bool:
    """True when ``cert`` holds an id-ecPublicKey whose parameters are not a named curve (explicit
    specifiedCurve or implicitlyCA, both forbidden by RFC 5480 2.1.1). cryptography loads explicit
    parameters of a known curve as that curve, so the SubjectPublicKeyInfo is read from the TBS bytes
    (``tbs``, as for :func:`serial_octets`)."""
    try:
        if cert.public_key_algorithm_oid.dotted_string != _EC_PUBLIC_KEY_OID:
            return False
        if tbs is None:
            tbs = cert.tbs_certificate_bytes
        i = der_header(tbs, 0)[0]
        if tbs[i : i + 1] == b"\xa0":
            j, length = der_header(tbs, i)
            i = j + length
        for _ in range(5):  # serialNumber, signature, issuer, validity, subject
            j, length = der_header(tbs, i)
            i = j + length
        i = der_header(tbs, i)[0]  # inside SubjectPublicKeyInfo
        i = der_header(tbs, i)[0]  # inside AlgorithmIdentifier
        j, length = der_header(tbs, i)  # the algorithm OID
        return tbs[j + length : j + length + 1] != b"\x06"
    except (IndexError, ValueError):
        return True
