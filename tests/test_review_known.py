"""Fixes for findings the security helper recorded as strict xfails (tests/test_security_*.py KNOWN lists):
each asserts the typed outcome directly, so it fails on the code before the fix."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cryptokit.encoding import pem_encode
from cryptokit.errors import DecryptionFailed, InputError, UnsupportedAlgorithm
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


def test_rfc4514_subject_attribute_bound() -> None:
    from cryptokit.names import MAX_SUBJECT_ATTRIBUTES, parse_subject

    many = ",".join(f"OU=u{i}" for i in range(MAX_SUBJECT_ATTRIBUTES + 1))
    with pytest.raises(InputError):
        parse_subject(many, style="rfc4514")
    assert len(parse_subject(",".join(f"OU=u{i}" for i in range(MAX_SUBJECT_ATTRIBUTES)), style="rfc4514").rdns)


def test_pfx_password_with_nul_is_refused_without_echo() -> None:
    from cryptokit.pkcs12 import KeyBundle, load_pfx

    pki = make_pki("p256")
    pfx = KeyBundle(pki.leaf_key, pki.leaf, ()).to_pkcs12("right")
    secret = "s3cr\x00t-pw"
    with pytest.raises(InputError) as info:
        load_pfx(pfx, secret)
    assert info.value.field == "password" and "s3cr" not in str(info.value)
    assert load_pfx(pfx, "right").certificate == pki.leaf


@pytest.mark.parametrize("value", [None, 5, 1.5, [], {}, object()])
def test_envelope_open_wrong_type_is_input_error(value: object) -> None:
    from cryptokit.envelope import Envelope

    env = Envelope(bytes(32))
    for fn in (env.open, env.open_json, env.open_bytes):
        with pytest.raises(InputError):
            fn(value)  # type: ignore[arg-type]
    with pytest.raises(DecryptionFailed):
        env.open("not base64!")
