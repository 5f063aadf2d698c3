from __future__ import annotations

import base64
import re
import time
import tracemalloc
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cryptokit import InputError
from cryptokit.encoding import (
    _pem_blocks,
    asn1_kind,
    b64_token,
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


# --------------------------------------------------------------------------- linear PEM scan

# The regex the linear scanner replaced: the oracle for which blocks a text holds.
_OLD_PEM_RE = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END ([A-Z0-9 ]+)-----", re.DOTALL)
_PEM_PIECES = ["-----BEGIN ", "-----END ", "-----", "A", "B", "a", " ", "-", "\n", "\r\n", "QUJD", ":", "x"]


@given(st.lists(st.sampled_from(_PEM_PIECES), max_size=40))
def test_pem_scan_finds_the_blocks_the_old_regex_found(pieces: list[str]) -> None:
    raw = "".join(pieces).encode()
    found: list[tuple[bytes, bytes, bytes]] = []
    try:
        found.extend(_pem_blocks(raw, "pem"))
        refused = False
    except InputError as exc:
        assert "has no END line" in exc.rule
        refused = True
    old = list(_OLD_PEM_RE.finditer(raw))
    assert found == [m.groups() for m in old]
    # Refused exactly when a well-formed BEGIN line follows the last block and no END line follows it.
    rest = raw[old[-1].end() :] if old else raw
    begin = re.search(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n", rest)
    assert refused == (begin is not None)
    if begin is not None:
        assert re.search(rb"-----END ([A-Z0-9 ]+)-----", rest[begin.end() :]) is None


def test_pem_begin_without_end_is_refused_at_once() -> None:
    block = pem_encode(b"\x01\x02", "CERTIFICATE")
    with pytest.raises(InputError, match=r"pem\[1\]: BEGIN CERTIFICATE has no END line"):
        pem_decode_all(block + "-----BEGIN CERTIFICATE-----\nAQI=\n")
    with pytest.raises(InputError, match="has no END line"):
        pem_decode_all(block.replace("-----END CERTIFICATE-----", "-----END certificate-----"))
    data = b"-----BEGIN CERTIFICATE REQUEST-----\n" * 200_000  # 7 MB; the old regex needed hours
    start = time.perf_counter()
    with pytest.raises(InputError, match="has no END line"):
        pem_decode_all(data)
    assert time.perf_counter() - start < 0.5


def test_pem_scan_keeps_what_it_skipped_before() -> None:
    der = bytes(range(40))
    block = pem_encode(der, "CERTIFICATE")
    # Text around blocks (openssl "Bag Attributes"), a BEGIN that is not a well-formed line, CRLF.
    text = "Bag Attributes\n-----BEGIN lower-----\n" + block + "subject=CN x\r\n" + block.replace("\n", "\r\n")
    assert [b.der for b in pem_decode_all(text)] == [der, der]
    # An END with a bad label is not an END: the body runs on to the next good one (and is not base64).
    with pytest.raises(InputError, match="alphabet"):
        pem_decode_all(block.replace("-----END CERTIFICATE-----", "-----END bad-----\n-----END CERTIFICATE-----"))


@pytest.mark.parametrize("value", [None, 5, 1.5, [], {}, [1], {"a": 1}, object()])
def test_wrong_types_are_input_errors(value: object) -> None:
    with pytest.raises(InputError, match="must be bytes"):
        pem_decode_all(value)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="must be bytes"):
        asn1_kind(value)  # type: ignore[arg-type]


def test_an_int_is_not_a_length() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(InputError):
            pem_decode_all(64 * 1024 * 1024)  # type: ignore[arg-type]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


def test_asn1_kind_takes_bytes_like() -> None:
    der = bytes.fromhex("3003020101")
    assert asn1_kind(bytearray(der)) == "der"
    assert asn1_kind(memoryview(der)) == "der"
    with pytest.raises(InputError):
        asn1_kind("3003020101")  # type: ignore[arg-type]


def _reference_b64decode(raw: bytes) -> bytes | None:
    """The standard-alphabet rules spelt out with the standard library (cryptokit's first decoder)."""
    import binascii

    if not re.fullmatch(rb"[A-Za-z0-9+/=]*", raw) or len(raw) % 4 or b"=" in raw.rstrip(b"="):
        return None
    try:
        out = binascii.a2b_base64(raw, strict_mode=True)
    except binascii.Error:
        return None
    return out if binascii.b2a_base64(out, newline=False) == raw else None


_B64_TEXT = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n.é", max_size=24)


@given(
    st.one_of(
        _B64_TEXT,
        _B64_TEXT.map(lambda t: t.rstrip("=") + "=" * (-len(t.rstrip("=")) % 4)),
        st.binary(max_size=18).map(lambda b: base64.b64encode(b).decode()),
    )
)
def test_fast_b64decode_accepts_exactly_what_the_reference_rules_accept(text: str) -> None:
    """The SIMD path must neither accept a spelling the strict rules refuse nor refuse one they accept."""
    want = _reference_b64decode(text.encode())
    try:
        got: bytes | None = b64decode(text)
    except InputError:
        got = None
    assert got == want, text


def test_b64_encode_and_size_bound_read_buffers_as_bytes() -> None:
    data = bytes(range(64))
    assert b64encode(memoryview(data).cast("I")) == base64.b64encode(data).decode()
    assert b64encode(memoryview(data * 2)[::2]) == base64.b64encode((data * 2)[::2]).decode()
    assert b64encode(data, urlsafe=True) == base64.urlsafe_b64encode(data).decode()
    text = base64.b64encode(bytes(96))  # 128 characters
    with pytest.raises(InputError, match="over the limit of 100"):
        b64decode(memoryview(text).cast("I"), max_size=100)  # 32 items, 128 bytes
    with pytest.raises(InputError, match="data: must be bytes"):
        b64encode("text")  # type: ignore[arg-type]


@pytest.mark.parametrize("form", [str, bytes])
def test_b64_token_is_b64decode_for_one_strict_token_and_none_otherwise(form: Any) -> None:
    def as_form(text: str) -> Any:
        return text if form is str else text.encode("latin-1")

    for data in (b"", b"A", b"AB", b"ABC", bytes(range(256)), b"\xff" * 31, b"\x00" * 32):
        token = base64.b64encode(data).decode()
        assert b64_token(as_form(token)) == data == b64decode(token)
    # Each refused: a second spelling of b"A" (non-zero bits below the padding, "x==" and "xy="
    # forms), URL-safe letters, whitespace, missing or misplaced padding, a letter outside ASCII.
    for text in ("QR==", "QUJ=", "QUK=", "-_-_", "QU JD", "QUJ", "Q===", "QUJD\n", "QUJ\u00e9"):
        if form is bytes and not text.isascii():
            continue
        assert b64_token(as_form(text)) is None, text
        with pytest.raises(InputError):
            b64decode(as_form(text))
