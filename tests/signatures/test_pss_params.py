"""RSASSA-PSS-params: one implementation for keys (SPKI) and CSC signAlgoParams."""

from __future__ import annotations

import base64

import pytest
from asn1crypto import algos

import cryptokit as ck
from cryptokit.errors import InputError, UnsupportedAlgorithm
from cryptokit.protocols import csc
from cryptokit.signatures.pss_params import PssParams, encode_pss_params, parse_pss_params, pss_params_from_asn1


def test_one_class_everywhere() -> None:
    assert csc.PssParams is ck.PssParams is PssParams
    assert csc.parse_pss_params is parse_pss_params


@pytest.mark.parametrize(
    ("hash_name", "mgf", "salt"),
    [
        ("sha256", None, None),
        ("sha384", "sha256", 0),
        ("sha512", "sha512", 64),
        ("sha1", "sha1", 20),
        ("sha3-256", None, 7),
    ],
)
def test_round_trip_through_der_and_base64(hash_name: str, mgf: str | None, salt: int | None) -> None:
    der = encode_pss_params(hash_name, salt_length=salt, mgf_hash=mgf)
    params = parse_pss_params(der)
    h = ck.hash_algorithm(hash_name)
    assert params == PssParams(h, ck.hash_algorithm(mgf or hash_name), h.digest_size if salt is None else salt)
    assert params.to_der() == der
    assert parse_pss_params(params.to_b64()) == params
    assert algos.RSASSAPSSParams.load(der).dump(force=True) == der  # DER as asn1crypto itself writes it


def test_defaults_are_rfc_4055() -> None:
    sha1 = ck.hash_algorithm("sha1")
    assert parse_pss_params(b"\x30\x00") == PssParams(sha1, sha1, 20)
    assert encode_pss_params("sha1") == b"\x30\x00"


def _params(**fields: object) -> bytes:
    return bytes(algos.RSASSAPSSParams(fields).dump())


def test_refusals_name_the_field() -> None:
    with pytest.raises(InputError, match=r"signAlgoParams.*not DER"):
        parse_pss_params(b"\x30\x03\x02\x01")
    with pytest.raises(InputError, match="over the limit"):
        parse_pss_params(b"\x30" * 600)
    with pytest.raises(InputError, match="must be bytes or base64"):
        parse_pss_params(12)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="trailerField"):
        parse_pss_params(_params(trailer_field=2), field="params")
    with pytest.raises(InputError, match="params: RSASSA-PSS saltLength must be from 0 to 1024"):
        parse_pss_params(_params(salt_length=-1), field="params")
    with pytest.raises(InputError, match="saltLength must be from 0 to 1024"):
        parse_pss_params(_params(salt_length=2**64))
    assert parse_pss_params(_params(salt_length=1024)).salt_length == 1024
    not_mgf1 = _params(mask_gen_algorithm={"algorithm": "1.2.3.4", "parameters": None})
    with pytest.raises(UnsupportedAlgorithm, match="is not MGF1"):
        parse_pss_params(not_mgf1)
    with pytest.raises(InputError, match=r"key: is not well-formed"):
        pss_params_from_asn1(algos.RSASSAPSSParams.load(b"\x30\x03\xa0\x01\x00"), "key")
    # An untagged INTEGER (a salt length written without its [2] tag): asn1crypto would keep it as an
    # extra element and read the defaults (salt 20); it is refused instead.
    with pytest.raises(InputError, match="not RSASSA-PSS-params fields"):
        parse_pss_params(b"\x30\x03\x02\x01\x05")
    assert base64.b64decode(PssParams(ck.hash_algorithm("sha256"), ck.hash_algorithm("sha256"), 32).to_b64())
