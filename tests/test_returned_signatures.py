"""The vendor-neutral block behind the ADSS and CSC offline verifiers (cryptokit.returned_signatures)."""

from __future__ import annotations

import datetime as dt
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


def test_pss_shaped_for_rules_out_garbage_and_keeps_real_pss() -> None:
    import hashlib

    from cryptokit.algorithms import hash_algorithm

    key = _rsa("returned")
    public = key.public_key()
    sha256, sha384 = hash_algorithm("sha256"), hash_algorithm("sha384")
    h = hash_to_sign(b"document", "sha256")
    pss = key.sign(h.digest, padding.PSS(padding.MGF1(hashes.SHA256()), 32), utils.Prehashed(hashes.SHA256()))
    assert pss_shaped_for(public, pss, [sha256, sha384]) == {sha256}
    assert pss_shaped_for(load_public_key(public), pss, [sha256]) == {sha256}
    v15 = _sign(key, h)
    assert pss_shaped_for(public, v15, [sha256, sha384]) == set()
    noise = [hashlib.shake_256(b"noise %d" % i).digest(256) for i in range(50)]
    assert all(pss_shaped_for(public, sig, [sha256, sha384]) == set() for sig in noise)
    assert pss_shaped_for(public, b"short", [sha256]) == set()
    assert pss_shaped_for(_rsa("returned-other").public_key(), pss, [sha256]) == set()
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
