"""The vendor-neutral block behind the ADSS and CSC offline verifiers (cryptokit.returned_signatures)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs7

from cryptokit.errors import InputError
from cryptokit.hashing import HashToSign, hash_to_sign
from cryptokit.report import Outcome, SubIndication
from cryptokit.returned_signatures import (
    ProbeBudget,
    find_signed_hash,
    iter_nearest,
    nearest_first,
    optional_aware,
    pss_shaped_for,
    recovered_digest_info,
    signing_certificate,
)
from cryptokit.signatures import load_public_key
from tests.pki import make_key, make_pki


def _rsa(label: str) -> rsa.RSAPrivateKey:
    key = make_key("rsa2048", label)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _p256(label: str) -> ec.EllipticCurvePrivateKey:
    key = make_key("p256", label)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def _sign(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, h: HashToSign) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(h.digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    return key.sign(h.digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))


def test_recovered_digest_info_reads_what_an_rsa_v15_signature_signed() -> None:
    key = _rsa("returned")
    h = hash_to_sign(b"document", "sha256")
    sig = _sign(key, h)
    recovered = recovered_digest_info(key.public_key(), sig)
    assert recovered is not None
    alg, digest = recovered
    assert (alg.name, digest) == ("sha256", h.digest)
    # the same through a cryptokit PublicKey
    assert recovered_digest_info(load_public_key(key.public_key()), sig) == (alg, digest)
    # under another key the block is noise, not a DigestInfo
    assert recovered_digest_info(_rsa("returned-other").public_key(), sig) is None


def test_recovered_digest_info_is_none_for_pss_and_ec() -> None:
    key = _rsa("returned")
    h = hash_to_sign(b"document", "sha256")
    pss = key.sign(h.digest, padding.PSS(padding.MGF1(hashes.SHA256()), 32), utils.Prehashed(hashes.SHA256()))
    assert recovered_digest_info(key.public_key(), pss) is None
    ec_key = _p256("returned")
    sig = ec_key.sign(h.digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    assert recovered_digest_info(ec_key.public_key(), sig) is None


def test_nearest_first_orders_by_distance_and_bounds() -> None:
    assert nearest_first(2, 6, 10) == [1, 3, 0, 4, 5]
    assert nearest_first(0, 4, 2) == [1, 2]
    assert nearest_first(0, 1, 5) == []
    assert nearest_first(5, 6, 3) == [4, 3, 2]
    assert nearest_first(3, 6, 0) == []
    for count in range(1, 9):  # the same order as a full sort by distance (lower position first on a tie)
        for index in range(count):
            expected = [j for j in sorted(range(count), key=lambda j: (abs(j - index), j)) if j != index]
            assert list(iter_nearest(index, count)) == expected


def test_iter_nearest_is_lazy() -> None:
    """Taking a few of ten million positions costs a few steps, not a sort of all of them."""
    from itertools import islice

    assert list(islice(iter_nearest(5_000_000, 10_000_000), 4)) == [4_999_999, 5_000_001, 4_999_998, 5_000_002]


def test_probe_budget_is_shared_and_stops() -> None:
    budget = ProbeBudget(5)
    assert list(budget.take(range(3))) == [0, 1, 2]
    assert list(budget.take(range(10, 20))) == [10, 11]
    assert budget.left == 0 and list(budget.take(range(3))) == []
    pulled: list[int] = []

    def source() -> Iterator[int]:
        for j in range(100):
            pulled.append(j)
            yield j

    assert list(ProbeBudget(2).take(source())) == [0, 1]
    assert pulled == [0, 1]  # nothing drawn past the budget
    assert list(ProbeBudget(-1).take(range(3))) == []


def _mgf1(seed: bytes, length: int, hash_name: str) -> bytes:
    """MGF1 (RFC 8017 B.2.1) with hashlib: the test's own, not cryptokit's."""
    out = b"".join(hashlib.new(hash_name, seed + i.to_bytes(4, "big")).digest() for i in range(length // 16 + 1))
    return out[:length]


def _em_len(public: rsa.RSAPublicKey) -> tuple[int, int]:
    em_bits = public.key_size - 1
    return em_bits, (em_bits + 7) // 8


def _pss_encoded(public: rsa.RSAPublicKey, signature: bytes, hash_name: str) -> bool:
    """An independent EMSA-PSS decoder (RFC 8017 9.1.2 steps 4-10, any salt length): whether
    ``signature`` opens to a well-formed EMSA-PSS encoding under ``public`` with MGF1(``hash_name``)."""
    n, e = public.public_numbers().n, public.public_numbers().e
    em_bits, em_len = _em_len(public)
    value = int.from_bytes(signature, "big")
    if len(signature) != (public.key_size + 7) // 8 or value >= n:
        return False
    m = pow(value, e, n)
    h_len = hashlib.new(hash_name).digest_size
    if m.bit_length() > em_bits or em_len < h_len + 2:
        return False
    em = m.to_bytes(em_len, "big")
    masked, h = em[: em_len - h_len - 1], em[em_len - h_len - 1 : -1]
    db = bytearray(a ^ b for a, b in zip(masked, _mgf1(h, len(masked), hash_name), strict=True))
    db[0] &= 0xFF >> (8 * em_len - em_bits)
    return em[-1] == 0xBC and bytes(db).lstrip(b"\x00")[:1] == b"\x01"


def _crafted(key: rsa.RSAPrivateKey, hash_name: str, db_head: bytes, *, trailer: int = 0xBC, top: int = 0) -> bytes:
    """The raw RSA signature (m^d mod n) of an encoding built by hand: DB = zeros, ``db_head``, salt;
    its hash H; ``trailer``; ``top``, when given, as the first byte (0x80: a bit PSS needs clear)."""
    public = key.public_key()
    em_bits, em_len = _em_len(public)
    h_len = hashlib.new(hash_name).digest_size
    h = hashlib.new(hash_name, b"crafted " + db_head).digest()
    db = (b"\x00" * (em_len - h_len - 1) + db_head + b"salt" * 8)[-(em_len - h_len - 1) :]
    masked = bytearray(a ^ b for a, b in zip(db, _mgf1(h, len(db), hash_name), strict=True))
    masked[0] = top or masked[0] & (0xFF >> (8 * em_len - em_bits))  # 0x80 alone stays below n
    m = int.from_bytes(bytes(masked) + h + bytes([trailer]), "big")
    return pow(m, key.private_numbers().d, public.public_numbers().n).to_bytes(em_len, "big")


def test_pss_shaped_for_rules_out_garbage_and_keeps_real_pss() -> None:
    """The keys are fresh per run, so noise is checked against the test's own EMSA-PSS decoder (about
    1 in 64,000 noise values is a well-formed encoding under a given key), and every rule is met by
    an encoding built to break it."""
    from cryptokit.algorithms import hash_algorithm

    key = _rsa("returned")
    public = key.public_key()
    sha256, sha384 = hash_algorithm("sha256"), hash_algorithm("sha384")
    algorithms = [sha256, sha384]
    h = hash_to_sign(b"document", "sha256")
    pss = key.sign(h.digest, padding.PSS(padding.MGF1(hashes.SHA256()), 32), utils.Prehashed(hashes.SHA256()))
    assert _pss_encoded(public, pss, "sha256")
    # kept under SHA-256; under SHA-384 too when its MGF1 mask happens to open to a well-formed encoding
    # (about 1 key in 100: the test's own decoder says which)
    shaped = pss_shaped_for(public, pss, algorithms)
    assert shaped is not None and sha256 in shaped
    assert shaped == {a for a in algorithms if _pss_encoded(public, pss, a.name)}
    assert pss_shaped_for(load_public_key(public), pss, [sha256]) == {sha256}
    v15 = _sign(key, h)
    assert pss_shaped_for(public, v15, algorithms) == set()
    noise = [hashlib.shake_256(b"noise %d" % i).digest(256) for i in range(60)]
    # the same answer as the independent decoder for every value, and garbage (its premise) ruled out
    for sig in noise:
        assert pss_shaped_for(public, sig, algorithms) == {a for a in algorithms if _pss_encoded(public, sig, a.name)}
    garbage = [sig for sig in noise if not any(_pss_encoded(public, sig, a.name) for a in algorithms)][:50]
    assert len(garbage) == 50 and all(pss_shaped_for(public, sig, algorithms) == set() for sig in garbage)
    # each rule, broken on purpose (and the same construction, unbroken, is kept)
    for alg in algorithms:
        assert pss_shaped_for(public, _crafted(key, alg.name, b"\x01"), [alg]) == {alg}
        broken = {
            "trailer": _crafted(key, alg.name, b"\x01", trailer=0xBD),
            "top bit": _crafted(key, alg.name, b"\x01", top=0x80),
            "separator": _crafted(key, alg.name, b"\x02"),
            "no separator": _crafted(key, alg.name, b""),
        }
        for rule, sig in broken.items():
            assert not _pss_encoded(public, sig, alg.name), rule
            assert pss_shaped_for(public, sig, [alg]) == set(), rule
    assert pss_shaped_for(public, b"short", [sha256]) == set()
    # another key's PSS signature (filtered to the premise under this run's keys: it opens to no encoding)
    other = _rsa("returned-other").public_key()
    foreign = next(
        sig
        for sig in (
            key.sign(h.digest + bytes([i]), padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
            for i in range(8)
        )
        if not _pss_encoded(other, sig, "sha256")
    )
    assert pss_shaped_for(other, foreign, [sha256]) == set()
    # nothing can be ruled out this way for ECDSA keys
    assert pss_shaped_for(_p256("returned").public_key(), pss, [sha256]) is None


@pytest.mark.parametrize("kind", ["rsa", "p256"])
def test_find_signed_hash_finds_the_swapped_position(kind: str) -> None:
    make = _rsa if kind == "rsa" else _p256
    key = make("returned")
    hashes_sent = [hash_to_sign(bytes([i]) * 10, "sha256") for i in range(4)]
    sig = _sign(key, hashes_sent[3])
    public = key.public_key()
    assert find_signed_hash(public, sig, hashes_sent, [1, 2, 3]) == 3
    assert find_signed_hash(public, sig, hashes_sent, [0, 1, 2]) is None  # only the candidates are probed
    assert find_signed_hash(make("returned-other").public_key(), sig, hashes_sent, range(4)) is None


def test_signing_certificate_single_bundle_and_chain() -> None:
    pki = make_pki("p256", label="returned")
    leaf, rest, problem = signing_certificate(pki.leaf, pki.chain)
    assert problem is None and leaf == pki.leaf and rest == pki.chain
    # a PKCS#7 bundle in any order: the signer is the one end-entity certificate that issues none
    bundle = pkcs7.serialize_certificates([pki.root, pki.leaf, pki.intermediate], serialization.Encoding.DER)
    leaf, rest, problem = signing_certificate(bundle)
    assert problem is None and leaf == pki.leaf and set(rest) == {pki.root, pki.intermediate}


def test_signing_certificate_failures_are_checks() -> None:
    pki = make_pki("p256", label="returned")
    leaf, rest, problem = signing_certificate(b"not a certificate")
    assert leaf is None and rest == [] and problem is not None
    assert (problem.name, problem.outcome, problem.sub_indication) == (
        "signing-certificate",
        Outcome.FAILED,
        SubIndication.NO_SIGNING_CERTIFICATE_FOUND,
    )
    two = make_pki("p256", label="returned-two")
    bundle = pkcs7.serialize_certificates([pki.leaf, two.leaf], serialization.Encoding.DER)
    _, _, problem = signing_certificate(bundle)
    assert problem is not None and "2 end-entity candidates" in problem.message
    _, _, problem = signing_certificate(pki.leaf, b"garbage chain")
    assert problem is not None and problem.sub_indication is SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE


def test_optional_aware() -> None:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert optional_aware(at) is at and optional_aware(None) is None
    for bad in (dt.datetime(2026, 1, 1), "2026-01-01"):
        with pytest.raises(InputError) as info:
            optional_aware(bad)
        assert info.value.field == "at"
