"""load_public_key: keys from certificates, SPKI, PEM and objects; malformed and unknown ones get typed errors."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cryptokit.encoding import pem_encode
from cryptokit.errors import InputError, UnsupportedAlgorithm
from tests.pki import make_pki


def _leaf_der() -> bytes:
    return make_pki("p256").leaf.public_bytes(serialization.Encoding.DER)


def _bad_version(der: bytes) -> bytes:
    v3 = bytes.fromhex("a003020102")
    assert der.count(v3) == 1
    return der.replace(v3, bytes.fromhex("a003020142"))  # version 66: x509.InvalidVersion, not a ValueError


def _unknown_key_oid(der: bytes) -> bytes:
    ec_oid = bytes.fromhex("06072a8648ce3d0201")
    assert ec_oid in der
    return der.replace(ec_oid, bytes.fromhex("06072a8648ce3d0209"), 1)


@pytest.mark.parametrize("form", ["der", "pem"])
def test_load_public_key_bad_version_certificate_is_input_error(form: str) -> None:
    from cryptokit.signatures.public_keys import load_public_key

    bad = _bad_version(_leaf_der())
    with pytest.raises(InputError):
        load_public_key(bad if form == "der" else pem_encode(bad, "CERTIFICATE").encode())


def test_unknown_key_algorithm_is_unsupported_algorithm() -> None:
    from cryptokit.signatures import verify_digest

    cert = x509.load_der_x509_certificate(_unknown_key_oid(_leaf_der()))
    with pytest.raises(UnsupportedAlgorithm):
        verify_digest(cert, bytes(64), bytes(32), "sha256")
