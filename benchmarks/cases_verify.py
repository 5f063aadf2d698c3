"""Signature verification against the bare cryptography call, in the same run.

Each case verifies N valid signatures through cryptokit (``verify_digest`` over SHA-256 digests,
or ``verify_message`` for Ed25519) and through a bare ``cryptography`` loop that a careful user
writes by hand (padding and algorithm objects built once, outside the loop). Target: >= 0.9x.

Full mode: RSA-2048 PKCS#1 v1.5 20,000 signatures, P-256 ECDSA (DER) 10,000, Ed25519 10,000.
Quick mode (``--quick``): a tenth of each.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from cryptokit.signatures import verify_digest, verify_message

from .ratio import Ratio, measure

TARGET = 0.9


@cache
def rsa_inputs(count: int) -> tuple[Any, list[tuple[bytes, bytes]]]:
    key = rsa.generate_private_key(65537, 2048)
    pad, alg = padding.PKCS1v15(), Prehashed(hashes.SHA256())
    digests = [hashlib.sha256(os.urandom(32)).digest() for _ in range(count)]
    return key.public_key(), [(key.sign(d, pad, alg), d) for d in digests]


@cache
def p256_inputs(count: int) -> tuple[Any, list[tuple[bytes, bytes]]]:
    key = ec.generate_private_key(ec.SECP256R1())
    alg = ec.ECDSA(Prehashed(hashes.SHA256()))
    digests = [hashlib.sha256(os.urandom(32)).digest() for _ in range(count)]
    return key.public_key(), [(key.sign(d, alg), d) for d in digests]


@cache
def ed25519_inputs(count: int) -> tuple[Any, list[tuple[bytes, bytes]]]:
    key = ed25519.Ed25519PrivateKey.generate()
    messages = [os.urandom(64) for _ in range(count)]
    return key.public_key(), [(key.sign(m), m) for m in messages]


def case_rsa2048_pkcs1v15(quick: bool = False) -> Ratio:
    count = 2_000 if quick else 20_000
    pub, pairs = rsa_inputs(count)
    pad, alg = padding.PKCS1v15(), Prehashed(hashes.SHA256())

    def bare() -> None:
        for sig, digest in pairs:
            pub.verify(sig, digest, pad, alg)

    def ours() -> None:
        for sig, digest in pairs:
            verify_digest(pub, sig, digest, "sha256")

    return measure(
        f"verify_digest RSA-2048 PKCS#1 v1.5 sha256, {count:,} signatures",
        bare,
        ours,
        ops=count,
        target=TARGET,
        repeat=3 if quick else 5,
    )


def case_p256(quick: bool = False) -> Ratio:
    count = 1_000 if quick else 10_000
    pub, pairs = p256_inputs(count)
    alg = ec.ECDSA(Prehashed(hashes.SHA256()))

    def bare() -> None:
        for sig, digest in pairs:
            pub.verify(sig, digest, alg)

    def ours() -> None:
        for sig, digest in pairs:
            verify_digest(pub, sig, digest, "sha256")

    return measure(
        f"verify_digest P-256 ECDSA DER sha256, {count:,} signatures",
        bare,
        ours,
        ops=count,
        target=TARGET,
        repeat=3 if quick else 5,
    )


def case_ed25519(quick: bool = False) -> Ratio:
    count = 1_000 if quick else 10_000
    pub, pairs = ed25519_inputs(count)

    def bare() -> None:
        for sig, message in pairs:
            pub.verify(sig, message)

    def ours() -> None:
        for sig, message in pairs:
            verify_message(pub, sig, message)

    return measure(
        f"verify_message Ed25519, {count:,} signatures",
        bare,
        ours,
        ops=count,
        target=TARGET,
        repeat=3 if quick else 5,
    )


CASES: dict[str, Callable[..., Ratio]] = {
    "verify-rsa2048-pkcs1v15": case_rsa2048_pkcs1v15,
    "verify-p256": case_p256,
    "verify-ed25519": case_ed25519,
}
