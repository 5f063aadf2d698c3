"""The vendor-neutral block behind the ADSS and CSC offline verifiers (cryptokit.returned_signatures)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs7

from cryptokit.errors import InputError
from cryptokit.hashing import HashToSign, hash_to_sign
from cryptokit.report import Outcome, SubIndication
from cryptokit.returned_signatures import (
    find_signed_hash,
    nearest_first,
    optional_aware,
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
