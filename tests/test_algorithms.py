from __future__ import annotations

import pytest
from asn1crypto import algos, core
from cryptography.hazmat.primitives import hashes
from hypothesis import given
from hypothesis import strategies as st

import cryptokit as ck
from cryptokit.algorithms import hash_algorithms, signature_algorithms

# RFC 8017 section 9.2, note 1: the DER prefix of DigestInfo for each hash.
RFC8017_PREFIXES = {
    "sha1": "3021300906052b0e03021a05000414",
    "sha224": "302d300d06096086480165030402040500041c",
    "sha256": "3031300d060960864801650304020105000420",
    "sha384": "3041300d060960864801650304020205000430",
    "sha512": "3051300d060960864801650304020305000440",
    "sha512-224": "302d300d06096086480165030402050500041c",
    "sha512-256": "3031300d060960864801650304020605000420",
}

NIST_OIDS = {
    "sha224": "2.16.840.1.101.3.4.2.4",
    "sha256": "2.16.840.1.101.3.4.2.1",
    "sha384": "2.16.840.1.101.3.4.2.2",
    "sha512": "2.16.840.1.101.3.4.2.3",
    "sha512-224": "2.16.840.1.101.3.4.2.5",
    "sha512-256": "2.16.840.1.101.3.4.2.6",
    "sha3-224": "2.16.840.1.101.3.4.2.7",
    "sha3-256": "2.16.840.1.101.3.4.2.8",
    "sha3-384": "2.16.840.1.101.3.4.2.9",
    "sha3-512": "2.16.840.1.101.3.4.2.10",
    "sha1": "1.3.14.3.2.26",
}


@pytest.mark.parametrize("name", ["SHA-256", "sha256", "SHA256", "sha_256", "2.16.840.1.101.3.4.2.1", "SHA2-256"])
def test_aliases_resolve_to_sha256(name: str) -> None:
    alg = ck.hash_algorithm(name)
    assert alg.name == "sha256"
    assert alg.oid == "2.16.840.1.101.3.4.2.1"
    assert alg.digest_size == 32


@pytest.mark.parametrize("name,oid", sorted(NIST_OIDS.items()))
def test_registry_oids_are_the_standard_ones(name: str, oid: str) -> None:
    assert ck.hash_algorithm(name).oid == oid
    assert ck.hash_algorithm(oid).name == name


def test_every_registry_entry_round_trips_and_has_right_size() -> None:
    for alg in hash_algorithms(include_weak=True):
        again = ck.hash_algorithm(alg.oid, allow_md5=True)
        assert again is alg
        assert ck.hash_algorithm(alg.name, allow_md5=True) is alg
        assert alg.new().digest_size == alg.digest_size
        assert alg.cryptography().digest_size == alg.digest_size


def test_sha3_uses_nist_oid_not_cryptography_one() -> None:
    # pitfall 7: NIST SHA3-256 is .2.8
    assert ck.hash_algorithm("sha3-256").oid == "2.16.840.1.101.3.4.2.8"
    assert ck.hash_algorithm("SHA3-256").digest_size == 32


def test_cryptography_instances_are_accepted() -> None:
    assert ck.hash_algorithm(hashes.SHA384()).name == "sha384"
    assert ck.hash_algorithm(hashes.SHA512_256()).name == "sha512-256"


@pytest.mark.parametrize("name", ["SHA256withRSA", "sha256WithRSAEncryption", "ECDSAwithSHA256"])
def test_signature_names_are_not_hash_names(name: str) -> None:
    with pytest.raises(ck.UnsupportedAlgorithm, match="signature algorithm"):
        ck.hash_algorithm(name)


@pytest.mark.parametrize("name", ["whirlpool", "1.2.3.4", "", "sha257"])
def test_unknown_hash_is_unsupported(name: str) -> None:
    with pytest.raises(ck.UnsupportedAlgorithm):
        ck.hash_algorithm(name)


def test_md5_refused_unless_allowed() -> None:
    with pytest.raises(ck.UnsupportedAlgorithm, match="md5"):
        ck.hash_algorithm("md5")
    with pytest.raises(ck.UnsupportedAlgorithm):
        ck.hash_algorithm("1.2.840.113549.2.5")
    assert ck.hash_algorithm("MD5", allow_md5=True).digest_size == 16


def test_non_string_is_input_error() -> None:
    with pytest.raises(ck.InputError, match="algorithm"):
        ck.hash_algorithm(256)  # type: ignore[arg-type]


@pytest.mark.parametrize("name,prefix", sorted(RFC8017_PREFIXES.items()))
def test_digest_info_matches_rfc8017(name: str, prefix: str) -> None:
    alg = ck.hash_algorithm(name)
    digest = bytes(range(alg.digest_size))
    der = ck.digest_info(alg, digest)
    assert der.hex() == prefix + digest.hex()
    # an independent encoder agrees
    ref = algos.DigestInfo(
        {"digest_algorithm": {"algorithm": alg.oid, "parameters": core.Null()}, "digest": digest}
    ).dump()
    assert ref == der
    back_alg, back_digest = ck.parse_digest_info(der)
    assert back_alg is alg and back_digest == digest


def test_digest_info_for_sha3() -> None:
    for name in ("sha3-224", "sha3-256", "sha3-384", "sha3-512"):
        alg = ck.hash_algorithm(name)
        der = ck.digest_info(name, b"\x01" * alg.digest_size)
        assert ck.parse_digest_info(der) == (alg, b"\x01" * alg.digest_size)


def test_digest_info_wrong_length() -> None:
    with pytest.raises(ck.InputError, match="digest"):
        ck.digest_info("sha256", b"\x00" * 31)


def test_parse_digest_info_absent_null_needs_flag() -> None:
    digest = b"\xaa" * 32
    bare = bytes.fromhex("302f300b0609608648016503040201") + b"\x04\x20" + digest
    with pytest.raises(ck.InputError):
        ck.parse_digest_info(bare)
    alg, got = ck.parse_digest_info(bare, allow_absent_params=True)
    assert alg.name == "sha256" and got == digest


def test_parse_digest_info_rejects_trailing_ber_and_wrong_length() -> None:
    good = ck.digest_info("sha256", b"\x11" * 32)
    with pytest.raises(ck.InputError):
        ck.parse_digest_info(good + b"\x00")
    # BER long-form length where short form is required
    ber = b"\x30\x81\x31" + good[2:]
    with pytest.raises(ck.InputError):
        ck.parse_digest_info(ber)
    # a sha256 OID with a 20-byte digest (lengths adjusted so the structure is consistent)
    short = bytes.fromhex("3025300d060960864801650304020105000414") + b"\x00" * 20
    with pytest.raises(ck.InputError):
        ck.parse_digest_info(short)
    # md5 is refused by default
    md5 = ck.digest_info(ck.hash_algorithm("md5", allow_md5=True), b"\x00" * 16)
    with pytest.raises(ck.InputError, match="md5"):
        ck.parse_digest_info(md5)
    assert ck.parse_digest_info(md5, allow_md5=True)[0].name == "md5"


@given(st.binary(max_size=120))
def test_parse_digest_info_random_bytes_only_input_error(data: bytes) -> None:
    try:
        ck.parse_digest_info(data)
    except ck.InputError:
        pass


@given(st.sampled_from([h.name for h in hash_algorithms()]), st.data())
def test_parse_digest_info_mutations_only_input_error(name: str, data: st.DataObject) -> None:
    alg = ck.hash_algorithm(name)
    der = bytearray(ck.digest_info(alg, b"\x5a" * alg.digest_size))
    pos = data.draw(st.integers(0, len(der) - 1))
    der[pos] ^= data.draw(st.integers(1, 255))
    try:
        parsed, _ = ck.parse_digest_info(bytes(der))
    except ck.InputError:
        return
    # A flip that still parses either landed in the digest octets, or turned the OID into another
    # registered hash of the same digest size (e.g. sha256 ...2.1 -> sha512-256 ...2.6).
    in_digest = pos >= len(der) - alg.digest_size
    assert in_digest or (parsed is not alg and parsed.digest_size == alg.digest_size)
    assert in_digest == (parsed is alg)


def test_signature_oids() -> None:
    s = ck.signature_algorithm("1.2.840.113549.1.1.11")
    assert (s.scheme, s.hash and s.hash.name) == ("pkcs1v15", "sha256")
    s = ck.signature_algorithm("1.2.840.10045.4.3.2")
    assert (s.scheme, s.hash and s.hash.name, s.encoding) == ("ecdsa", "sha256", "der")
    s = ck.signature_algorithm("0.4.0.127.0.7.1.1.4.1.3")
    assert (s.scheme, s.hash and s.hash.name, s.encoding) == ("ecdsa", "sha256", "raw")
    assert ck.signature_algorithm("1.2.840.113549.1.1.10").scheme == "pss"
    assert ck.signature_algorithm("1.3.101.112").scheme == "ed25519"
    assert ck.signature_algorithm("1.2.840.113549.1.1.1").hash is None
    with pytest.raises(ck.UnsupportedAlgorithm):
        ck.signature_algorithm("1.2.3")


def test_signature_registry_agrees_with_asn1crypto() -> None:
    # asn1crypto's own table maps these OIDs to names; our hash must match its hash.
    for s in signature_algorithms():
        if s.hash is None or s.scheme == "dsa":
            continue
        try:
            ref = algos.SignedDigestAlgorithm({"algorithm": s.oid})
            ref_hash = ref.hash_algo
        except (ValueError, KeyError):
            continue  # asn1crypto does not know every OID (BSI plain ECDSA)
        assert ref_hash.replace("_", "-") == s.hash.name, s
