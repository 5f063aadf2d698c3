"""Differential tests against pycryptodome, an independent implementation, in both directions.

For random keys and messages, cryptokit and pycryptodome must agree on every signature: those one
of them made (valid) and corrupted copies (invalid).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import Any, Literal

import pytest
from Crypto.Hash import SHA3_256, SHA256, SHA384, SHA512
from Crypto.PublicKey import ECC, RSA
from Crypto.Signature import DSS, pkcs1_15, pss
from Crypto.Signature.pss import MGF1
from cryptography.hazmat.primitives import serialization

from cryptokit.errors import InputError, InvalidSignature
from cryptokit.signatures import load_public_key, sign_digest, verify_digest
from tests.pki import make_key

HASHES: dict[str, Any] = {"sha256": SHA256, "sha384": SHA384, "sha512": SHA512, "sha3-256": SHA3_256}
ROUNDS = 6


def ours_ok(call: Callable[..., None], *args: Any, **kwargs: Any) -> bool:
    try:
        call(*args, **kwargs)
    except (InvalidSignature, InputError):
        return False
    return True


def theirs_ok(verifier: Any, hash_obj: Any, signature: bytes) -> bool:
    try:
        verifier.verify(hash_obj, signature)
    except (ValueError, TypeError):
        return False
    return True


def corruptions(rng: random.Random, sig: bytes) -> list[bytes]:
    out = []
    for _ in range(2):
        b = bytearray(sig)
        b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        out.append(bytes(b))
    out.append(sig[:-1])
    return out


@pytest.fixture(scope="module")
def rsa_keys() -> list[tuple[Any, Any]]:
    """(cryptography private key, pycryptodome key) pairs: two from cryptography, one from pycryptodome."""
    pairs: list[tuple[Any, Any]] = []
    for label in ("diff-a", "diff-b"):
        key = make_key("rsa2048", label)
        der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        pairs.append((key, RSA.import_key(der)))
    theirs = RSA.generate(2048)
    ours = serialization.load_der_private_key(theirs.export_key("DER", pkcs=8), None)
    pairs.append((ours, theirs))
    return pairs


@pytest.mark.parametrize("alg", sorted(HASHES))
def test_rsa_pkcs1v15_agrees_both_directions(rsa_keys: list[tuple[Any, Any]], alg: str) -> None:
    rng = random.Random(f"v15-{alg}")
    mod = HASHES[alg]
    for ours_key, their_key in rsa_keys:
        pub, their_pub = ours_key.public_key(), their_key.public_key()
        for _ in range(ROUNDS):
            message = rng.randbytes(rng.randrange(0, 2000))
            h = mod.new(message)
            digest = h.digest()
            theirs = pkcs1_15.new(their_key).sign(h)
            ours = sign_digest(ours_key, digest, alg)
            assert ours == theirs  # PKCS#1 v1.5 is deterministic: both must produce the same bytes
            for sig in [theirs, *corruptions(rng, theirs)]:
                a = ours_ok(verify_digest, pub, sig, digest, alg)
                b = theirs_ok(pkcs1_15.new(their_pub), mod.new(message), sig)
                assert a == b, (alg, sig == theirs)
            assert ours_ok(verify_digest, pub, theirs, digest, alg)


@pytest.mark.parametrize("alg", sorted(HASHES))
@pytest.mark.parametrize("salt", [None, 0, 20])
def test_rsa_pss_agrees_both_directions(rsa_keys: list[tuple[Any, Any]], alg: str, salt: int | None) -> None:
    rng = random.Random(f"pss-{alg}-{salt}")
    mod = HASHES[alg]
    for ours_key, their_key in rsa_keys[:2]:
        pub, their_pub = ours_key.public_key(), their_key.public_key()
        salt_len = mod.digest_size if salt is None else salt
        for _ in range(ROUNDS // 2):
            message = rng.randbytes(rng.randrange(0, 2000))
            digest = mod.new(message).digest()
            theirs = pss.new(their_key, salt_bytes=salt_len).sign(mod.new(message))
            ours = sign_digest(ours_key, digest, alg, scheme="pss", pss_salt_length=salt)
            for sig, made_by in [
                (theirs, "pycryptodome"),
                (ours, "cryptokit"),
                *[(c, "corrupt") for c in corruptions(rng, theirs)],
            ]:
                a = ours_ok(verify_digest, pub, sig, digest, alg, scheme="pss", pss_salt_length=salt)
                b = theirs_ok(pss.new(their_pub, salt_bytes=salt_len), mod.new(message), sig)
                assert a == b, (alg, salt, made_by)
                assert a == (made_by != "corrupt")


def test_rsa_pss_with_a_different_mgf1_hash(rsa_keys: list[tuple[Any, Any]]) -> None:
    ours_key, their_key = rsa_keys[0]
    message = os.urandom(100)
    digest = SHA256.new(message).digest()

    def mgf(seed: bytes, length: int) -> bytes:
        return bytes(MGF1(seed, length, SHA512))

    theirs = pss.new(their_key, mask_func=mgf, salt_bytes=32).sign(SHA256.new(message))
    verify_digest(ours_key.public_key(), theirs, digest, "sha256", scheme="pss", pss_mgf_hash="sha512")
    with pytest.raises(InvalidSignature):
        verify_digest(ours_key.public_key(), theirs, digest, "sha256", scheme="pss")
    ours = sign_digest(ours_key, digest, "sha256", scheme="pss", pss_mgf_hash="sha512")
    pss.new(their_key.public_key(), mask_func=mgf, salt_bytes=32).verify(SHA256.new(message), ours)


@pytest.mark.parametrize("curve", ["P-256", "P-384", "P-521"])
@pytest.mark.parametrize("encoding", ["der", "binary"])
def test_ecdsa_agrees_both_directions(curve: str, encoding: Literal["der", "binary"]) -> None:
    rng = random.Random(f"ecdsa-{curve}-{encoding}")
    ours_encoding = "der" if encoding == "der" else "raw"
    for _ in range(2):  # random keys, made by each side
        their_key = ECC.generate(curve=curve)
        ours_key = serialization.load_der_private_key(their_key.export_key(format="DER"), None)
        spki = their_key.public_key().export_key(format="DER")
        pub = load_public_key(spki)
        for alg in ("sha256", "sha384", "sha512", "sha3-256"):
            mod = HASHES[alg]
            message = rng.randbytes(rng.randrange(0, 500))
            digest = mod.new(message).digest()
            theirs = DSS.new(their_key, "fips-186-3", encoding=encoding).sign(mod.new(message))
            ours = sign_digest(ours_key, digest, alg, signature_encoding=ours_encoding)  # type: ignore[arg-type]
            verifier = DSS.new(their_key.public_key(), "fips-186-3", encoding=encoding)
            candidates = [(theirs, True), (ours, True), *[(c, False) for c in corruptions(rng, theirs)]]
            for sig, valid in candidates:
                a = ours_ok(verify_digest, pub, sig, digest, alg, signature_encoding=ours_encoding)
                auto = ours_ok(verify_digest, pub, sig, digest, alg)
                b = theirs_ok(verifier, mod.new(message), sig)
                assert a == b == valid, (curve, encoding, alg, valid)
                assert auto == a
