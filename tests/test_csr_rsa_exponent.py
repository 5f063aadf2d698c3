"""verify_csr applies the RSA public-exponent bound verify_digest applies (issue 15, point 7).

NIST SP 800-89 5.3.3: odd and below 2^256. A 3072-bit key with a 3070-bit exponent verifies, but
each verification costs about 60 normal ones, and emCA checks up to 1000 CSRs per request.
"""

from __future__ import annotations

import math
import secrets

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from cryptokit.csr import build_csr, verify_csr
from cryptokit.errors import InputError
from cryptokit.signatures import verify_digest


def _key_with_exponent_bits(bits: int) -> rsa.RSAPrivateKey:
    base = rsa.generate_private_key(65537, 3072).private_numbers()
    p, q = base.p, base.q
    lam = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    while True:
        e = secrets.randbits(bits) | (1 << (bits - 1)) | 1
        if math.gcd(e, lam) == 1:
            break
    d = pow(e, -1, lam)
    numbers = rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p), rsa.RSAPublicNumbers(e, p * q))
    return numbers.private_key()


def test_verify_csr_refuses_a_huge_rsa_exponent() -> None:
    key = _key_with_exponent_bits(3070)
    assert key.public_key().public_numbers().e.bit_length() == 3070
    csr = build_csr(key, "CN=Huge exponent")
    with pytest.raises(InputError, match="exponent") as info:
        verify_csr(csr)
    assert info.value.field == "csr.publicKey"
    # the same rule as verify_digest's
    with pytest.raises(InputError, match="exponent"):
        verify_digest(key.public_key(), b"\x00" * 384, bytes(32), "sha256")


def test_verify_csr_accepts_usual_exponents() -> None:
    for e in (3, 65537):
        key = rsa.generate_private_key(e, 2048)
        assert verify_csr(build_csr(key, "CN=Usual exponent")).subject is not None
