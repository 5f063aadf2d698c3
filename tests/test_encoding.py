from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cryptokit import InputError
from cryptokit.encoding import (
    asn1_kind,
    b64decode,
    b64encode,
    hex_decode,
    pem_decode,
    pem_decode_all,
    pem_encode,
)


@given(st.binary(max_size=200))
def test_base64_round_trip_and_agrees_with_stdlib(data: bytes) -> None:
    text = b64encode(data)
    assert text == base64.b64encode(data).decode()
    assert b64decode(text) == data
    url = b64encode(data, urlsafe=True)
    assert b64decode(url, urlsafe=True) == data
    assert b64decode(url.rstrip("="), urlsafe=True, require_padding=False) == data


@pytest.mark.parametrize(
    "bad,rule",
    [
        ("QUJD\nREVG", "alphabet"),  # whitespace not allowed by default
        ("QUJ*", "alphabet"),
        ("QUI", "padding"),
        ("QQ=A", "padding"),
        ("QR==", "non-canonical"),  # 'R' leaves non-zero trailing bits
        ("QUJD-_==", "alphabet"),  # URL-safe characters in standard base64
        ("é", "ASCII"),
    ],
)
def test_base64_strictness(bad: str, rule: str) -> None:
    with pytest.raises(InputError, match=rule) as info:
        b64decode(bad, field="hash_to_sign_base64")
    assert info.value.field == "hash_to_sign_base64"


def test_base64_whitespace_when_asked_and_size_limit() -> None:
    assert b64decode("QUJD\r\nREVG", allow_whitespace=True) == b"ABCDEF"
    with pytest.raises(InputError, match="limit"):
        b64decode("QUJD" * 10, max_size=8)


def test_hex() -> None:
    assert hex_decode("DEADbeef") == b"\xde\xad\xbe\xef"
    with pytest.raises(InputError, match="odd"):
        hex_decode("abc")
    with pytest.raises(InputError, match="hexadecimal"):
        hex_decode("0x12")


def test_pem_round_trip_labels_and_errors() -> None:
    der = bytes(range(200))
    text = pem_encode(der, "CERTIFICATE")
    assert all(len(line) <= 64 for line in text.splitlines())
    assert pem_decode(text, label="CERTIFICATE") == der
    with pytest.raises(InputError, match="label"):
        pem_decode(text, label="PKCS7")
    two = text + pem_encode(b"\x01\x02", "CERTIFICATE")
    blocks = pem_decode_all(two)
    assert [b.der for b in blocks] == [der, b"\x01\x02"]
    with pytest.raises(InputError, match="exactly one"):
        pem_decode(two, label="CERTIFICATE")
    mismatched = text.replace("END CERTIFICATE", "END PKCS7")
    with pytest.raises(InputError, match="does not match"):
        pem_decode_all(mismatched)
    with pytest.raises(InputError, match="no PEM"):
        pem_decode_all(b"hello")


def test_asn1_kind() -> None:
    assert asn1_kind(bytes.fromhex("3003020101")) == "der"
    assert asn1_kind(bytes.fromhex("3080020101 0000".replace(" ", ""))) == "ber"
    assert asn1_kind(bytes.fromhex("300302010100")) == "not-asn1"  # trailing byte
    assert asn1_kind(b"-----BEGIN") == "not-asn1"
    assert asn1_kind(b"") == "not-asn1"


@given(st.binary(max_size=64))
def test_decoders_only_raise_input_error(data: bytes) -> None:
    for fn in (b64decode, hex_decode, pem_decode_all):
        try:
            fn(data)
        except InputError:
            pass
    asn1_kind(data)
