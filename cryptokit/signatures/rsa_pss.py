"""RSA-PSS helpers cryptography does not expose: the salt length a PSS signature was made with.

``pss_salt_length`` runs the RSA public operation and EMSA-PSS decoding (RFC 8017, 9.1.2, steps
1-10) far enough to read the salt length out of the encoded message. It is used only to *find* a
salt length (for ``identify_signature`` and for the minimum-salt rule of RSASSA-PSS keys); the
signature is then verified by cryptography with that explicit salt length, so a mistake here can
only refuse a signature, never accept one.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa

from ..algorithms import HashAlgorithm

__all__ = ["pss_salt_length", "max_pss_salt_length", "MAX_MODULUS_BITS"]

#: OpenSSL's own limit for RSA public operations; larger keys are not decoded here.
MAX_MODULUS_BITS = 16384


def _mgf1(seed: bytes, length: int, mgf_hash: HashAlgorithm) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < length:
        h = mgf_hash.new()
        h.update(seed + counter.to_bytes(4, "big"))
        out.extend(h.digest())
        counter += 1
    return bytes(out[:length])


def max_pss_salt_length(key: rsa.RSAPublicKey, hash_alg: HashAlgorithm) -> int:
    """The largest salt length a PSS signature with ``hash_alg`` can carry under ``key``."""
    em_len = (key.key_size - 1 + 7) // 8
    return em_len - hash_alg.digest_size - 2


def pss_salt_length(
    key: rsa.RSAPublicKey, signature: bytes, hash_alg: HashAlgorithm, mgf_hash: HashAlgorithm
) -> int | None:
    """The salt length encoded in ``signature``, or None if it is not a well-formed EMSA-PSS encoding."""
    if key.key_size > MAX_MODULUS_BITS:
        return None
    numbers = key.public_numbers()
    n, e = numbers.n, numbers.e
    k = (key.key_size + 7) // 8
    if len(signature) != k:
        return None
    m = int.from_bytes(signature, "big")
    if m >= n:
        return None
    em_bits = key.key_size - 1
    em_len = (em_bits + 7) // 8
    em_int = pow(m, e, n)
    if em_int.bit_length() > em_len * 8:
        return None
    em = em_int.to_bytes(em_len, "big")
    h_len = hash_alg.digest_size
    if em_len < h_len + 2 or em[-1] != 0xBC:
        return None
    masked_db = em[: em_len - h_len - 1]
    digest = em[em_len - h_len - 1 : -1]
    unused_bits = 8 * em_len - em_bits
    top_mask = (0xFF >> unused_bits) & 0xFF
    if masked_db[0] & ~top_mask & 0xFF:
        return None
    db = bytearray(a ^ b for a, b in zip(masked_db, _mgf1(digest, len(masked_db), mgf_hash), strict=True))
    db[0] &= top_mask
    index = 0
    while index < len(db) and db[index] == 0:
        index += 1
    if index == len(db) or db[index] != 0x01:
        return None
    return len(db) - index - 1
