"""Signature checks on certificates and CRLs with cryptography's primitives.

Used instead of ``verify_directly_issued_by`` / ``is_signature_valid`` because those compare issuer
names byte-for-byte (not RFC 5280 7.1) or do not support DSA; the algorithm *policy* (SHA-1 by date,
key sizes) is applied separately, so a weak-but-valid signature verifies here and is judged there.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa

__all__ = ["verify_signed"]


def verify_signed(signed: x509.Certificate | x509.CertificateRevocationList, key: Any) -> str | None:
    """None when ``key`` verifies the signature on ``signed`` (a certificate or CRL), else the reason."""
    try:
        params = signed.signature_algorithm_parameters
        h = signed.signature_hash_algorithm
        sig = signed.signature
        tbs = signed.tbs_certificate_bytes if isinstance(signed, x509.Certificate) else signed.tbs_certlist_bytes
        if isinstance(key, rsa.RSAPublicKey):
            if params is None:  # cryptography gives no padding object for some PKCS#1 v1.5 OIDs (MD5)
                params = padding.PKCS1v15()
            if not isinstance(params, (padding.PKCS1v15, padding.PSS)) or h is None:
                return "signature algorithm does not match the RSA key"
            key.verify(sig, tbs, params, h)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            if not isinstance(params, ec.ECDSA):
                return "signature algorithm does not match the EC key"
            key.verify(sig, tbs, params)
        elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            if h is not None or params is not None:
                return "signature algorithm does not match the EdDSA key"
            key.verify(sig, tbs)
        elif isinstance(key, dsa.DSAPublicKey):
            if h is None:
                return "signature algorithm does not match the DSA key"
            key.verify(sig, tbs, h)
        else:
            return f"unsupported key type {type(key).__name__}"
    except InvalidSignature:
        return "signature does not verify"
    except (UnsupportedAlgorithm, ValueError, TypeError) as exc:
        return f"signature could not be verified ({exc})"
    return None
