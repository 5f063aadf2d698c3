"""Signature layer: round trips, encodings, key forms, RSASSA-PSS keys, policy flags, error types."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cryptokit.algorithms import hash_algorithm
from cryptokit.errors import InputError, InvalidSignature, UnsupportedAlgorithm
from cryptokit.pkcs12 import KeyBundle
from cryptokit.signatures import (
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
from cryptokit.signatures.public_keys import KIND_RSA
from tests.conftest import OPENSSL, requires_openssl
from tests.pki import make_cert, make_key

HASHES = ["sha256", "sha384", "sha512", "sha3-256"]
EC_KINDS = ["p256", "p384", "p521"]
ORDER_BYTES = {"p256": 32, "p384": 48, "p521": 66}


def digest_of(alg: str, data: bytes) -> bytes:
    h = hash_algorithm(alg).new()
    h.update(data)
    return bytes(h.digest())


def flip(data: bytes, index: int = -1) -> bytes:
    out = bytearray(data)
    out[index] ^= 0x01
    return bytes(out)


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("alg", HASHES)
@pytest.mark.parametrize(
    "scheme, options",
    [
        ("pkcs1v15", {}),
        ("pss", {}),
        ("pss", {"pss_salt_length": 0}),
        ("pss", {"pss_salt_length": 20, "pss_mgf_hash": "sha1"}),
    ],
    ids=["pkcs1v15", "pss-default", "pss-salt0", "pss-salt20-mgf1sha1"],
)
def test_rsa_round_trip(alg: str, scheme: str, options: dict[str, Any]) -> None:
    key = make_key("rsa2048")
    digest = digest_of(alg, b"document " + alg.encode())
    sig = sign_digest(key, digest, alg, scheme=scheme, **options)  # type: ignore[arg-type]
    pub = key.public_key()
    verify_digest(pub, sig, digest, alg, scheme=scheme, **options)  # type: ignore[arg-type]
    if scheme == "pkcs1v15":
        verify_digest(pub, sig, digest, alg)  # auto picks v1.5 for a plain RSA key
        with pytest.raises(InvalidSignature):
            verify_digest(pub, sig, digest, alg, scheme="pss")
    else:
        verify_digest(
            pub, sig, digest, alg, scheme="pss", pss_salt_length="auto", pss_mgf_hash=options.get("pss_mgf_hash")
        )
        with pytest.raises(InvalidSignature):
            verify_digest(pub, sig, digest, alg)  # auto = v1.5 for a plain RSA key
        # salt length is exact unless "auto"
        salt = options.get("pss_salt_length", hash_algorithm(alg).digest_size)
        with pytest.raises(InvalidSignature):
            verify_digest(
                pub, sig, digest, alg, scheme="pss", pss_salt_length=salt + 1, pss_mgf_hash=options.get("pss_mgf_hash")
            )
    with pytest.raises(InvalidSignature):
        verify_digest(pub, sig, flip(digest), alg, scheme=scheme, **options)  # type: ignore[arg-type]
    with pytest.raises(InvalidSignature):
        verify_digest(pub, flip(sig, 100), digest, alg, scheme=scheme, **options)  # type: ignore[arg-type]
    match = identify_signature(pub, sig, digest, alg, pss_mgf_hash=options.get("pss_mgf_hash"))
    assert match.scheme == scheme and match.hash == hash_algorithm(alg) and match.encoding is None
    if scheme == "pss":
        assert match.pss_salt_length == options.get("pss_salt_length", hash_algorithm(alg).digest_size)


@pytest.mark.parametrize("alg", HASHES)
@pytest.mark.parametrize("encoding", ["der", "raw"])
@pytest.mark.parametrize("kind", EC_KINDS)
def test_ecdsa_round_trip(kind: str, encoding: str, alg: str) -> None:
    key = make_key(kind)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    digest = digest_of(alg, b"ecdsa " + kind.encode())
    sig = sign_digest(key, digest, alg, signature_encoding=encoding)  # type: ignore[arg-type]
    pub = key.public_key()
    if encoding == "raw":
        assert len(sig) == 2 * ORDER_BYTES[kind]
    else:
        decode_dss_signature(sig)  # it is DER
    verify_digest(pub, sig, digest, alg, signature_encoding=encoding)  # type: ignore[arg-type]
    verify_digest(pub, sig, digest, alg)  # auto
    other = "der" if encoding == "raw" else "raw"
    with pytest.raises((InvalidSignature, InputError)):
        verify_digest(pub, sig, digest, alg, signature_encoding=other)  # type: ignore[arg-type]
    with pytest.raises(InvalidSignature):
        verify_digest(pub, sig, flip(digest, 0), alg)  # byte 0: ECDSA truncates long digests to the order
    assert identify_signature(pub, sig, digest, alg) == SignatureMatch("ecdsa", encoding, hash_algorithm(alg))  # type: ignore[arg-type]
    # the other encoding of the same signature verifies too
    converted = der_to_raw(sig, pub) if encoding == "der" else raw_to_der(sig, pub)
    verify_digest(pub, converted, digest, alg, signature_encoding=other)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["rsa2048", "p256", "ed25519"])
def test_sign_message_verify_message(kind: str) -> None:
    key = make_key(kind)
    message = os.urandom(1000)
    alg = None if kind == "ed25519" else "sha256"
    sig = sign_message(key, message, alg)
    verify_message(key.public_key(), sig, message, alg)
    with pytest.raises(InvalidSignature):
        verify_message(key.public_key(), sig, message + b"!", alg)
    if alg is not None:  # message verification = digest verification of its hash
        verify_digest(key.public_key(), sig, hashlib.sha256(message).digest(), alg)


def test_ed25519_prehashed_is_an_input_error_that_says_why() -> None:
    key = make_key("ed25519")
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    digest = hashlib.sha256(b"x").digest()
    for call in (
        lambda: verify_digest(key.public_key(), b"\x00" * 64, digest, "sha256"),
        lambda: verify_digest(load_public_key(key), b"\x00" * 64, digest, "sha256"),
        lambda: sign_digest(key, digest, "sha256"),
    ):
        with pytest.raises(InputError) as info:
            call()
        assert "prehashed" in info.value.rule and "message" in info.value.rule
    with pytest.raises(InputError):
        verify_message(key.public_key(), key.sign(b"m"), b"m", "sha512")
    assert identify_signature(key, key.sign(b"m"), b"m", None) == SignatureMatch("ed25519", None, None)


# --------------------------------------------------------------------------- DER <-> raw


@pytest.mark.parametrize("kind", EC_KINDS)
def test_der_raw_round_trip_with_leading_zero_bytes(kind: str) -> None:
    n = ORDER_BYTES[kind]
    curve = make_key(kind).curve  # type: ignore[union-attr]
    values = [
        (1, 1),  # both need n-1 bytes of padding
        (0x01 << (8 * (n - 2)), (0xFF << (8 * (n - 1)))),  # r has a leading zero byte; s needs a DER 0x00 prefix
        ((0x80 << (8 * (n - 2))), 0x7F),  # r: leading zero in raw, DER 0x00 prefix; s small
        (0x00FF, (1 << (8 * n - 9))),
    ]
    for r, s in values:
        raw = r.to_bytes(n, "big") + s.to_bytes(n, "big")
        der = raw_to_der(raw, curve)
        assert decode_dss_signature(der) == (r, s)
        assert der_to_raw(der, curve) == raw
        assert len(der_to_raw(der, kind.upper().replace("P", "P-"))) == 2 * n


@pytest.mark.parametrize("kind", EC_KINDS)
def test_real_signature_with_short_r_or_s(kind: str) -> None:
    """Pitfall 6: pad by the order length, not max(len(r), len(s)). Sign until r or s is short."""
    key = make_key(kind)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    n = ORDER_BYTES[kind]
    top = 1 << (8 * n - 8)
    for attempt in range(4000):
        digest = hashlib.sha256(attempt.to_bytes(4, "big")).digest()
        der = sign_digest(key, digest, "sha256")
        r, s = decode_dss_signature(der)
        if r < top or s < top:
            break
    else:
        pytest.skip("no short r or s in 4000 signatures")
    raw = der_to_raw(der, key)
    assert len(raw) == 2 * n
    assert raw[0] == 0 or raw[n] == 0
    verify_digest(key.public_key(), raw, digest, "sha256", signature_encoding="raw")
    verify_digest(key.public_key(), raw, digest, "sha256")
    assert raw_to_der(raw, key) == der


NON_STRICT_DER = {
    "extra leading zero in r": "300702020001020101",
    "negative r": "3006020181020101",
    "trailing byte": "300602010102010100",
    "long-form length for short content": "30810602010102010100"[:-2],
    "wrong outer length": "3007020101020101",
    "wrong inner length": "3006020201020101",
    "empty integer": "30050200020101",
    "zero r": "3006020100020101",
    "indefinite length": "308002010102010100 00".replace(" ", ""),
    "not a sequence": "3106020101020101",
    "three integers": "3009020101020101020101",
    "empty": "",
}


@pytest.mark.parametrize("name", sorted(NON_STRICT_DER))
def test_der_to_raw_rejects_non_strict_der(name: str) -> None:
    with pytest.raises(InputError):
        der_to_raw(bytes.fromhex(NON_STRICT_DER[name]), "P-256")


def test_der_and_raw_size_rules() -> None:
    too_big = (1 << 256).to_bytes(33, "big")
    der = b"\x30" + bytes([2 + 33 + 3]) + b"\x02\x21" + too_big + b"\x02\x01\x01"
    with pytest.raises(InputError):
        der_to_raw(der, "P-256")  # r does not fit 32 bytes
    with pytest.raises(InputError):
        raw_to_der(b"\x01" * 63, "P-256")
    with pytest.raises(InputError):
        raw_to_der(b"\x00" * 32 + b"\x01" * 32, "P-256")  # r = 0
    with pytest.raises(InputError):
        raw_to_der("00" * 64, "P-256")  # type: ignore[arg-type]
    with pytest.raises(UnsupportedAlgorithm):
        raw_to_der(b"\x01" * 64, "sect283k1")
    with pytest.raises(InputError):
        raw_to_der(b"\x01" * 64, 256)


def test_valid_signature_in_non_strict_der_is_refused() -> None:
    key = make_key("p256")
    digest = hashlib.sha256(b"strict").digest()
    der = sign_digest(key, digest, "sha256")
    verify_digest(key.public_key(), der, digest, "sha256", signature_encoding="der")
    r, s = decode_dss_signature(der)
    # the same r and s with an extra leading zero on r, and with a trailing byte
    r_bytes = b"\x00" + r.to_bytes((r.bit_length() + 8) // 8, "big")
    s_bytes = s.to_bytes((s.bit_length() + 8) // 8, "big")
    body = b"\x02" + bytes([len(r_bytes)]) + r_bytes + b"\x02" + bytes([len(s_bytes)]) + s_bytes
    padded = b"\x30" + bytes([len(body)]) + body
    for bad in (padded, der + b"\x00"):
        for encoding in ("der", "auto"):
            with pytest.raises(InputError):
                verify_digest(key.public_key(), bad, digest, "sha256", signature_encoding=encoding)
        with pytest.raises(InvalidSignature):
            identify_signature(key.public_key(), bad, digest, "sha256")


# --------------------------------------------------------------------------- keys in every form


def _key_forms(kind: str) -> dict[str, Any]:
    key = make_key(kind)
    cert = make_cert(f"key forms {kind}", key)
    pub = key.public_key()
    spki_der = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    spki_pem = pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    forms: dict[str, Any] = {
        "public key": pub,
        "private key": key,
        "certificate": cert,
        "certificate PEM bytes": cert_pem,
        "certificate PEM str": cert_pem.decode(),
        "certificate DER": cert.public_bytes(serialization.Encoding.DER),
        "certificate DER bytearray": bytearray(cert.public_bytes(serialization.Encoding.DER)),
        "SPKI PEM": spki_pem,
        "SPKI PEM str": spki_pem.decode(),
        "SPKI DER": spki_der,
        "PublicKey": load_public_key(pub),
        "KeyBundle": KeyBundle(key, cert),
        "KeyBundle key only": KeyBundle(key, None),
    }
    if kind.startswith("rsa"):
        forms["PKCS#1 RSA PUBLIC KEY PEM"] = pub.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
        )
    return forms


@pytest.mark.parametrize("kind", ["rsa2048", "p384", "ed25519"])
def test_every_key_form_verifies(kind: str) -> None:
    key = make_key(kind)
    message = b"key forms"
    alg = None if kind == "ed25519" else "sha384"
    sig = sign_message(key, message, alg)
    for label, form in _key_forms(kind).items():
        loaded = load_public_key(form)
        assert isinstance(loaded, PublicKey) and loaded.pss is None, label
        assert loaded.key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ) == key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        verify_message(form, sig, message, alg)
        with pytest.raises(InvalidSignature):
            verify_message(form, sig, message + b".", alg)


@pytest.mark.parametrize(
    "value",
    [
        b"not a key",
        b"",
        "not a key",
        12345,
        None,
        b"\x30\x03\x02\x01\x01",
        b"-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n",
    ],
)
def test_not_a_key_is_an_input_error(value: Any) -> None:
    with pytest.raises(InputError) as info:
        load_public_key(value)
    assert info.value.field == "key"
    with pytest.raises(InputError):
        verify_digest(value, b"\x00" * 64, b"\x00" * 32, "sha256")


def test_private_key_pem_and_unsupported_key_types() -> None:
    pem = make_key("p256").private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(InputError) as info:
        load_public_key(pem)
    assert "private key" in info.value.rule
    assert b"PRIVATE" not in str(info.value).encode()
    dsa_key = dsa.generate_private_key(1024).public_key()
    with pytest.raises(UnsupportedAlgorithm):
        load_public_key(dsa_key)
    with pytest.raises(UnsupportedAlgorithm):
        load_public_key(
            dsa_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
    with pytest.raises(InputError):
        load_public_key(b"\x30" * (2 * 1024 * 1024))


# --------------------------------------------------------------------------- RSASSA-PSS keys


def _openssl(*args: str, data: bytes | None = None) -> bytes:
    assert OPENSSL is not None
    return subprocess.run([OPENSSL, *args], input=data, capture_output=True, check=True).stdout


@pytest.fixture(scope="module")
def pss_key(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if OPENSSL is None:
        pytest.skip("the openssl command is not on this machine")
    d: Path = tmp_path_factory.mktemp("pss")
    key_pem = d / "pss.pem"
    _openssl(
        "genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048",
        "-pkeyopt", "rsa_pss_keygen_md:sha256", "-pkeyopt", "rsa_pss_keygen_mgf1_md:sha256",
        "-pkeyopt", "rsa_pss_keygen_saltlen:32", "-out", str(key_pem),
    )  # fmt: skip
    pub_pem = _openssl("pkey", "-in", str(key_pem), "-pubout")
    cert_pem = _openssl("req", "-x509", "-new", "-key", str(key_pem), "-subj", "/CN=pss test", "-days", "2")
    message = b"signed by openssl with an RSASSA-PSS key"
    msg_file = d / "msg.bin"
    msg_file.write_bytes(message)
    sig = _openssl("dgst", "-sha256", "-sign", str(key_pem), str(msg_file))
    sig64 = _openssl("dgst", "-sha256", "-sign", str(key_pem), "-sigopt", "rsa_pss_saltlen:64", str(msg_file))
    no_params = d / "pss0.pem"
    _openssl("genpkey", "-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(no_params))
    private = serialization.load_pem_private_key(key_pem.read_bytes(), None)
    return {
        "pub_pem": pub_pem,
        "cert_pem": cert_pem,
        "message": message,
        "sig": sig,
        "sig64": sig64,
        "private": private,
        "no_params_pub": _openssl("pkey", "-in", str(no_params), "-pubout"),
    }


@requires_openssl
def test_rsassa_pss_key_binds_its_parameters(pss_key: dict[str, Any]) -> None:
    message, sig = pss_key["message"], pss_key["sig"]
    digest = hashlib.sha256(message).digest()
    for form in (pss_key["pub_pem"], pss_key["cert_pem"], pss_key["cert_pem"].decode()):
        pk = load_public_key(form)
        assert pk.type_name == "rsa-pss"
        assert pk.pss is not None
        assert (pk.pss.hash.name, pk.pss.mgf_hash.name, pk.pss.salt_length) == ("sha256", "sha256", 32)
        verify_message(form, sig, message, "sha256")  # auto = PSS under the key's parameters
        verify_digest(form, sig, digest, "sha256")
        verify_digest(form, sig, digest, "sha256", scheme="pss", pss_salt_length="auto")
        assert identify_signature(form, sig, digest, "sha256") == SignatureMatch(
            "pss", None, hash_algorithm("sha256"), 32
        )
        with pytest.raises(InvalidSignature):
            verify_digest(form, sig, flip(digest), "sha256")
    pk = load_public_key(pss_key["pub_pem"])
    # PKCS#1 v1.5 is refused for the key, even for a signature the private key really made
    v15 = pss_key["private"].sign(message, padding.PKCS1v15(), hashes.SHA256())
    pss_key["private"].public_key().verify(v15, message, padding.PKCS1v15(), hashes.SHA256())  # cryptography accepts
    with pytest.raises(InputError) as info:
        verify_message(pk, v15, message, "sha256", scheme="pkcs1v15")
    assert "RSASSA-PSS" in info.value.rule
    with pytest.raises(InvalidSignature):
        verify_message(pk, v15, message, "sha256")
    with pytest.raises(InvalidSignature):
        identify_signature(pk, v15, digest, "sha256")
    # the key binds hash, MGF1 hash and minimum salt
    with pytest.raises(InputError):
        verify_digest(pk, sig, hashlib.sha384(message).digest(), "sha384")
    with pytest.raises(InputError):
        verify_digest(pk, sig, digest, "sha256", pss_mgf_hash="sha1")
    with pytest.raises(InputError):
        verify_digest(pk, sig, digest, "sha256", pss_salt_length=20)
    # a longer salt than the minimum: exact default refuses, "auto" and the explicit length accept
    sig64 = pss_key["sig64"]
    with pytest.raises(InvalidSignature):
        verify_digest(pk, sig64, digest, "sha256")
    verify_digest(pk, sig64, digest, "sha256", pss_salt_length="auto")
    verify_digest(pk, sig64, digest, "sha256", pss_salt_length=64)
    # a PSS signature with salt 20 (below the minimum) is refused under "auto"
    low = pss_key["private"].sign(digest, padding.PSS(padding.MGF1(hashes.SHA256()), 20), Prehashed(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        verify_digest(pk, low, digest, "sha256", pss_salt_length="auto")
    # cryptokit signs with the loaded RSA-PSS private key; the key's parameters accept it
    ours = sign_digest(pss_key["private"], digest, "sha256", scheme="pss")
    verify_digest(pk, ours, digest, "sha256")


@requires_openssl
def test_rsassa_pss_key_without_parameters_means_sha1_defaults(pss_key: dict[str, Any]) -> None:
    pk = load_public_key(pss_key["no_params_pub"])
    assert pk.pss is not None
    assert (pk.pss.hash.name, pk.pss.mgf_hash.name, pk.pss.salt_length) == ("sha1", "sha1", 20)
    with pytest.raises(InputError):
        verify_digest(pk, b"\x00" * 256, hashlib.sha256(b"x").digest(), "sha256")


def test_rsassa_pss_key_from_vector_file(vectors: Path) -> None:
    """The same binding without openssl: an SPKI with RSASSA-PSS-params built with asn1crypto."""
    from asn1crypto import algos, keys

    key = make_key("rsa2048", "pss-asn1")
    pkcs1 = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    params = algos.RSASSAPSSParams(
        {
            "hash_algorithm": {"algorithm": "sha384"},
            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha384"}},
            "salt_length": 48,
        }
    )
    spki = keys.PublicKeyInfo(
        {
            "algorithm": {"algorithm": "rsassa_pss", "parameters": params},
            "public_key": keys.RSAPublicKey.load(pkcs1),
        }
    ).dump()
    pk = load_public_key(spki)
    assert pk.pss is not None and (pk.pss.hash.name, pk.pss.salt_length) == ("sha384", 48)
    digest = hashlib.sha384(b"asn1").digest()
    sig = sign_digest(key, digest, "sha384", scheme="pss")
    verify_digest(spki, sig, digest, "sha384")
    with pytest.raises(InputError):
        verify_digest(spki, sign_digest(key, digest, "sha384"), digest, "sha384", scheme="pkcs1v15")


# --------------------------------------------------------------------------- absent-NULL DigestInfo


def _raw_rsa_sign(key: rsa.RSAPrivateKey, payload: bytes) -> bytes:
    k = (key.key_size + 7) // 8
    em = b"\x00\x01" + b"\xff" * (k - 3 - len(payload)) + b"\x00" + payload
    numbers = key.private_numbers()
    return pow(int.from_bytes(em, "big"), numbers.d, numbers.public_numbers.n).to_bytes(k, "big")


def test_absent_null_digest_info_only_behind_the_flag() -> None:
    key = make_key("rsa2048")
    assert isinstance(key, rsa.RSAPrivateKey)
    pub = key.public_key()
    digest = hashlib.sha256(b"legacy").digest()
    alg = hash_algorithm("sha256")
    sig = _raw_rsa_sign(key, alg._di_prefix_no_null + digest)
    with pytest.raises(InvalidSignature):
        verify_digest(pub, sig, digest, "sha256")
    verify_digest(pub, sig, digest, "sha256", allow_absent_null=True)
    verify_message(pub, sig, b"legacy", "sha256", allow_absent_null=True)
    assert identify_signature(pub, sig, digest, "sha256") == SignatureMatch("pkcs1v15", None, alg, None, True)
    with pytest.raises(InvalidSignature):
        verify_digest(pub, sig, flip(digest), "sha256", allow_absent_null=True)
    # a DigestInfo naming another hash of the same length is refused even with the flag
    other = _raw_rsa_sign(key, hash_algorithm("sha3-256")._di_prefix_no_null + digest)
    with pytest.raises(InvalidSignature):
        verify_digest(pub, other, digest, "sha256", allow_absent_null=True)
    # the NULL form with the flag still works; garbage after the digest does not
    verify_digest(pub, sign_digest(key, digest, "sha256"), digest, "sha256", allow_absent_null=True)
    with pytest.raises(InvalidSignature):
        verify_digest(
            pub, _raw_rsa_sign(key, alg._di_prefix_no_null + digest + b"\x00"), digest, "sha256", allow_absent_null=True
        )


# --------------------------------------------------------------------------- input rules


def test_input_rules() -> None:
    rsa_key = make_key("rsa2048")
    pub = rsa_key.public_key()
    digest = hashlib.sha256(b"x").digest()
    sig = sign_digest(rsa_key, digest, "sha256")
    cases: list[tuple[type[Exception], str, Any]] = [
        (InputError, "signature", lambda: verify_digest(pub, sig.hex(), digest, "sha256")),  # type: ignore[arg-type]
        (InputError, "signature", lambda: verify_digest(load_public_key(pub), sig.hex(), digest, "sha256")),  # type: ignore[arg-type]
        (InputError, "signature", lambda: verify_digest(pub, b"\x00" * 5000, digest, "sha256")),
        (InputError, "digest", lambda: verify_digest(pub, sig, digest[:-1], "sha256")),
        (InputError, "digest", lambda: verify_digest(pub, sig, digest, "sha384")),
        (InputError, "digest", lambda: verify_digest(pub, sig, digest.hex(), "sha256")),  # type: ignore[arg-type]
        (InputError, "digest", lambda: sign_digest(rsa_key, digest, "sha512")),
        (InputError, "message", lambda: verify_message(pub, sig, "text", "sha256")),  # type: ignore[arg-type]
        (InputError, "algorithm", lambda: verify_message(pub, sig, b"x", None)),
        (UnsupportedAlgorithm, "", lambda: verify_digest(pub, sig, digest, "whirlpool")),
        (UnsupportedAlgorithm, "", lambda: verify_digest(pub, sig, hashlib.md5(b"x").digest(), "md5")),
        (UnsupportedAlgorithm, "", lambda: verify_digest(pub, sig, digest, "SHA256withRSA")),
        (InputError, "scheme", lambda: verify_digest(pub, sig, digest, "sha256", scheme="ecdsa")),
        (
            InputError,
            "scheme",
            lambda: verify_digest(make_key("p256").public_key(), sig, digest, "sha256", scheme="pss"),
        ),
        (InputError, "pss_salt_length", lambda: verify_digest(pub, sig, digest, "sha256", pss_salt_length=32)),
        (
            InputError,
            "pss_salt_length",
            lambda: verify_digest(pub, sig, digest, "sha256", scheme="pss", pss_salt_length=-1),
        ),
        (
            InputError,
            "pss_salt_length",
            lambda: verify_digest(pub, sig, digest, "sha256", scheme="pss", pss_salt_length=10_000),
        ),
        (
            InputError,
            "pss_salt_length",
            lambda: sign_digest(rsa_key, digest, "sha256", scheme="pss", pss_salt_length="auto"),  # type: ignore[arg-type]
        ),
        (InputError, "pss_mgf_hash", lambda: verify_digest(pub, sig, digest, "sha256", pss_mgf_hash="sha1")),
        (InputError, "signature_encoding", lambda: verify_digest(pub, sig, digest, "sha256", signature_encoding="raw")),
        (InputError, "signature_encoding", lambda: sign_digest(rsa_key, digest, "sha256", signature_encoding="raw")),
        (
            InputError,
            "signature_encoding",
            lambda: verify_digest(make_key("p256").public_key(), sig, digest, "sha256", signature_encoding="bogus"),  # type: ignore[arg-type]
        ),
        (InputError, "private_key", lambda: sign_digest(pub, digest, "sha256")),
        (InputError, "private_key", lambda: sign_digest(b"key", digest, "sha256")),
    ]
    for error, field, call in cases:
        with pytest.raises(error) as info:
            call()
        if field:
            assert info.value.field == field, (field, info.value)  # type: ignore[attr-defined]
    # bytes-like signatures and digests are fine
    verify_digest(pub, bytearray(sig), memoryview(digest), "sha256")
    verify_digest(pub, sig, digest, hashes.SHA256())
    verify_digest(pub, sig, digest, "2.16.840.1.101.3.4.2.1")
    verify_digest(pub, sig, digest, hash_algorithm("SHA-256"))


def test_signature_match_is_frozen() -> None:
    match = SignatureMatch("ecdsa", "der", hash_algorithm("sha256"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.scheme = "pss"  # type: ignore[misc]


def test_fast_path_and_general_path_agree() -> None:
    """The fast path (cryptography key or plain PublicKey, default options) and the general path
    (explicit scheme/encoding, KeyBundle, certificate) give the same outcome."""
    for kind in ("rsa2048", "p256"):
        key = make_key(kind)
        digest = hashlib.sha256(kind.encode()).digest()
        sig = sign_digest(key, digest, "sha256")
        scheme = "pkcs1v15" if kind == "rsa2048" else "ecdsa"
        for form in (key.public_key(), load_public_key(key), KeyBundle(key, make_cert("agree", key))):
            variants: list[dict[str, Any]] = [
                {},
                {"signature_encoding": "der"},
                {"scheme": scheme, "signature_encoding": "der"},
            ]
            for options in variants:
                verify_digest(form, sig, digest, "sha256", **options)
                with pytest.raises(InvalidSignature):
                    verify_digest(form, flip(sig, 10), digest, "sha256", **options)
                with pytest.raises(InputError):
                    verify_digest(form, sig, digest[:20], "sha256", **options)


def test_ecdsa_auto_raw_length_that_is_also_strict_der() -> None:
    """A value of exactly 2n bytes is tried as raw first; if it is also strict DER it is tried as DER."""
    key = make_key("p256").public_key()
    r = (1 << 230) + 12345  # 29-byte r and s: DER length 2 + 31 + 31 = 64 = 2n for P-256
    body = b"\x02\x1d" + r.to_bytes(29, "big") + b"\x02\x1d" + r.to_bytes(29, "big")
    der = b"\x30" + bytes([len(body)]) + body
    assert len(der) == 64
    digest = hashlib.sha256(b"auto").digest()
    with pytest.raises(InvalidSignature):
        verify_digest(key, der, digest, "sha256")
    with pytest.raises(InvalidSignature):
        verify_digest(key, der, digest, "sha256", signature_encoding="der")
    with pytest.raises(InvalidSignature):
        identify_signature(key, der, digest, "sha256")


def test_ed448_message_round_trip() -> None:
    key = ed448.Ed448PrivateKey.generate()
    sig = sign_message(key, b"ed448")
    verify_message(key.public_key(), sig, b"ed448")
    verify_message(key.public_key(), sig, b"ed448", scheme="ed448")
    with pytest.raises(InvalidSignature):
        verify_message(key.public_key(), sig, b"ed449")
    with pytest.raises(InputError):
        verify_message(key.public_key(), sig, b"ed448", scheme="ed25519")
    with pytest.raises(InputError):
        verify_digest(key.public_key(), sig, hashlib.sha256(b"x").digest(), "sha256")
    assert identify_signature(key, sig, b"ed448", None).scheme == "ed448"


# --------------------------------------------------------------------------- hypothesis

SHA256_ALG = hash_algorithm("sha256")
PSS_PUBLIC_KEY = PublicKey(make_key("rsa2048").public_key(), KIND_RSA, PssParams(SHA256_ALG, SHA256_ALG, 32))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["rsa2048", "rsa-pss", "p256", "p521", "ed25519"]),
    signature=st.one_of(
        st.binary(max_size=300),
        st.binary(min_size=256, max_size=256),
        st.binary(min_size=64, max_size=64),
        st.binary(min_size=132, max_size=132),
        st.builds(lambda b: b"\x30" + bytes([len(b)]) + b, st.binary(max_size=80)),
    ),
    scheme=st.sampled_from(["auto", "pkcs1v15", "pss", "ecdsa", "ed25519"]),
    encoding=st.sampled_from(["auto", "der", "raw"]),
)
def test_random_signatures_raise_only_cryptokit_errors(kind: str, signature: bytes, scheme: str, encoding: str) -> None:
    key: Any = make_key(kind).public_key() if kind != "rsa-pss" else PSS_PUBLIC_KEY
    digest = hashlib.sha256(signature).digest()
    alg = None if kind == "ed25519" else "sha256"
    calls: list[Callable[[], object]] = [
        lambda: verify_digest(key, signature, digest, "sha256", scheme=scheme, signature_encoding=encoding),  # type: ignore[arg-type]
        lambda: verify_message(key, signature, b"m", alg, scheme=scheme, signature_encoding=encoding),  # type: ignore[arg-type]
        lambda: verify_digest(
            key, signature, digest, "sha256", scheme="pss" if kind.startswith("rsa") else "auto", pss_salt_length="auto"
        ),
        lambda: identify_signature(key, signature, digest, "sha256"),
        lambda: verify_digest(key, signature, digest, "sha256", allow_absent_null=True),
    ]
    if kind.startswith("p"):
        calls.append(lambda: der_to_raw(signature, key))
        calls.append(lambda: raw_to_der(signature, key))
    for call in calls:
        try:
            call()
        except (InvalidSignature, InputError):
            continue
        # a random value that "verifies" would be a forgery; conversions may succeed
        assert call in calls[-2:] and kind.startswith("p")


# --------------------------------------------------------------------------- RSA exponent (NIST SP 800-89)


def _rsa_public(e: int) -> rsa.RSAPublicKey:
    n = make_key("rsa2048", "exp").public_key().public_numbers().n  # type: ignore[union-attr]
    return rsa.RSAPublicNumbers(e, n).public_key()


@pytest.mark.parametrize("e", [2**256 + 1, 2**1024 + 1, (1 << 2047) + 1])
def test_rsa_public_exponent_of_2_256_or_more_is_refused(e: int) -> None:
    from cryptokit.signatures.public_keys import PublicKey, load_public_key

    key = _rsa_public(e)
    forms: list[Any] = [
        key,
        key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
        key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1),
        key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
    ]
    for form in forms:
        with pytest.raises(InputError) as info:
            load_public_key(form)
        assert info.value.field == "key" and "2^256" in info.value.rule and "SP 800-89" in info.value.rule
    with pytest.raises(InputError):
        PublicKey(key, KIND_RSA)
    pem = forms[1]
    with pytest.raises(InputError):  # the verify paths load keys the same way
        verify_digest(pem, b"\x00" * 256, hashlib.sha256(b"x").digest(), "sha256")
    with pytest.raises(InputError):
        verify_message(pem, b"\x00" * 256, b"x", "sha256")


@pytest.mark.parametrize("e", [3, 65537, 2**255 + 1, 2**256 - 1])
def test_rsa_public_exponent_below_2_256_is_accepted(e: int) -> None:
    from cryptokit.signatures.public_keys import load_public_key, rsa_exponent_problem

    key = _rsa_public(e)
    assert rsa_exponent_problem(key) is None
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert load_public_key(pem).key.public_numbers() == key.public_numbers()


def test_rsa_even_public_exponent_is_refused() -> None:
    from asn1crypto import keys as asn1_keys

    from cryptokit.signatures.public_keys import load_public_key

    n = make_key("rsa2048", "exp").public_key().public_numbers().n  # type: ignore[union-attr]
    der = asn1_keys.PublicKeyInfo.wrap(asn1_keys.RSAPublicKey({"modulus": n, "public_exponent": 65538}), "rsa").dump()
    with pytest.raises(InputError) as info:
        load_public_key(der)
    assert info.value.field == "key"


def test_verify_digest_fast_path_refuses_huge_exponent_key_object() -> None:
    key = _rsa_public(2**1024 + 1)
    for _ in range(2):  # the second call must not be let through by the checked-key memo
        with pytest.raises(InputError) as info:
            verify_digest(key, b"\x00" * 256, hashlib.sha256(b"x").digest(), "sha256")
        assert info.value.field == "key"


def test_auto_means_pkcs1v15_for_a_plain_rsa_key_as_documented() -> None:
    """Issue 18 point 2: README and docstring say auto tries PKCS#1 v1.5 only for an RSA key."""
    from cryptography.hazmat.primitives.asymmetric import rsa as _rsa

    import cryptokit as _ck

    key = _rsa.generate_private_key(65537, 2048)
    digest = _ck.hash_to_sign(b"doc").digest
    pss = _ck.sign_digest(key, digest, "sha256", scheme="pss")
    with pytest.raises(_ck.InvalidSignature):
        _ck.verify_digest(key.public_key(), pss, digest, "sha256")  # auto: PKCS#1 v1.5 only
    _ck.verify_digest(key.public_key(), pss, digest, "sha256", scheme="pss", pss_salt_length="auto")
    assert _ck.identify_signature(key.public_key(), pss, digest, "sha256").scheme == "pss"
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert 'What `scheme="auto"` (the default) tries, exactly: for a plain RSA key PKCS#1 v1.5 only' in readme
