"""Bare signature values: verify, sign and identify them (RSA PKCS#1 v1.5, RSA-PSS, ECDSA, EdDSA).

Modules: :mod:`.sign_verify` (``verify_digest``, ``verify_message``, ``sign_digest``,
``sign_message``, ``identify_signature``), :mod:`.public_keys` (``load_public_key``,
``PublicKey``), :mod:`.pss_params` (RSASSA-PSS-params), :mod:`.rsa_pss` (salt recovery),
:mod:`.ecdsa_encoding` (DER <-> raw r||s).
"""

from __future__ import annotations

from .sign_verify import (
    MAX_SIGNATURE_SIZE,
    PssParams,
    PublicKey,
    SignatureMatch,
    der_to_raw,
    identify_signature,
    load_public_key,
    raw_to_der,
    sign_digest,
    sign_message,
    verify_digest,
    verify_message,
)

__all__ = [
    "PublicKey",
    "PssParams",
    "SignatureMatch",
    "load_public_key",
    "verify_digest",
    "verify_message",
    "sign_digest",
    "sign_message",
    "identify_signature",
    "der_to_raw",
    "raw_to_der",
    "MAX_SIGNATURE_SIZE",
]
