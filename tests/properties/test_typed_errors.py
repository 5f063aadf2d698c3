"""Property tests: on random and mutated inputs every public parser and verifier raises only
documented CryptokitError subclasses; valid inputs round-trip.

The targets (one per parser family) live in ``fuzz/targets.py`` and are the same ones the atheris
harnesses fuzz. Mutations: bit flips, truncation, byte insertion and deletion, DER length-field
inflation, huge declared sizes, deep DER and JSON nesting, duplication.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cryptokit.errors import CryptokitError
from fuzz.targets import TARGETS, context, seeds

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

NAMES = sorted(TARGETS)
SLOW = {"cms_verify", "chain", "emca_server", "verify_digest", "csc", "pfx"}


def _length_bytes(n: int) -> bytes:
    body = n.to_bytes((n.bit_length() + 7) // 8 or 1, "big")
    return bytes([0x80 | len(body)]) + body


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    pool = seeds(name)
    data = bytearray(draw(st.sampled_from(pool)))
    keep_mode = draw(st.booleans())
    head, body = (data[:1], data[1:]) if keep_mode and data else (bytearray(), data)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(("flip", "truncate", "insert", "delete", "inflate", "huge", "nest", "json", "dup")))
        n = len(body)
        if op == "flip" and n:
            i = draw(st.integers(0, n - 1))
            body[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate" and n:
            body = body[: draw(st.integers(0, n - 1))]
        elif op == "insert":
            i = draw(st.integers(0, n))
            body[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete" and n:
            i = draw(st.integers(0, n - 1))
            del body[i : i + draw(st.integers(1, 8))]
        elif op == "inflate" and n > 2:
            # a DER length byte (short form) replaced by a long form that claims more than is there
            i = draw(st.integers(1, min(n - 1, 64)))
            body[i : i + 1] = _length_bytes(draw(st.sampled_from((body[i] + 1, 0x7FFF, 0xFFFFFF, 0x7FFFFFFF))))
        elif op == "huge" and n > 2:
            body[1:2] = b"\x88" + b"\xff" * 8  # a 2**64-1 length declared at the top
        elif op == "nest":
            depth = draw(st.integers(10, 400))
            if draw(st.booleans()):
                body = bytearray(b"\x30\x80" * depth + body + b"\x00\x00" * depth)  # BER indefinite nesting
            else:
                for _ in range(depth):
                    body = (
                        bytearray(b"\x30" + _length_bytes(len(body)) + body)
                        if len(body) > 127
                        else (bytearray(b"\x30" + bytes([len(body)]) + body))
                    )
        elif op == "json":
            depth = draw(st.integers(100, 5000))
            body = (
                bytearray(b"[" * depth + body + b"]" * depth)
                if draw(st.booleans())
                else bytearray(b'{"a":' * depth + b"1" + b"}" * depth)
            )
        elif op == "dup" and n:
            body = body + body
    return bytes(head + body)


def _run(name: str, data: bytes) -> None:
    try:
        TARGETS[name].run(data)
    except CryptokitError:
        pass


@pytest.fixture(scope="module", autouse=True)
def _context() -> None:
    context()


@pytest.mark.parametrize("name", NAMES)
def test_seeds_are_accepted_or_typed(name: str) -> None:
    """Every seed runs without an undocumented exception (and most are accepted outright)."""
    accepted = 0
    for seed in seeds(name):
        try:
            TARGETS[name].run(seed)
            accepted += 1
        except CryptokitError:
            pass
    assert seeds(name), name
    assert accepted >= 1, f"no seed of {name} is accepted: the target no longer reaches its success path"


@pytest.mark.parametrize("name", NAMES)
def test_random_bytes_raise_only_cryptokit_errors(name: str) -> None:
    examples = 100 if name in SLOW else 300

    @settings(SETTINGS, max_examples=examples)
    @given(st.binary(max_size=1024))
    def check(data: bytes) -> None:
        _run(name, data)

    check()


@pytest.mark.parametrize("name", NAMES)
def test_mutated_inputs_raise_only_cryptokit_errors(name: str) -> None:
    examples = 100 if name in SLOW else 300

    @settings(SETTINGS, max_examples=examples)
    @given(mutated(name))
    def check(data: bytes) -> None:
        _run(name, data)

    check()


# --------------------------------------------------------------------------- round trips


@settings(SETTINGS, max_examples=200)
@given(st.binary(max_size=300), st.booleans())
def test_base64_hex_pem_round_trip(data: bytes, urlsafe: bool) -> None:
    from cryptokit.encoding import b64decode, b64encode, hex_decode, hex_encode, pem_decode, pem_encode

    assert b64decode(b64encode(data, urlsafe=urlsafe), urlsafe=urlsafe) == data
    assert hex_decode(hex_encode(data)) == data
    assert hex_decode(hex_encode(data).upper()) == data
    if data:
        assert pem_decode(pem_encode(data, "CERTIFICATE"), label="CERTIFICATE") == data


@settings(SETTINGS, max_examples=100)
@given(st.sampled_from(("sha1", "sha224", "sha256", "sha384", "sha512", "sha3-256", "sha3-512")), st.data())
def test_digest_info_and_hash_to_sign_round_trip(alg: str, data: st.DataObject) -> None:
    from cryptokit.algorithms import digest_info, hash_algorithm, parse_digest_info
    from cryptokit.hashing import HashToSign

    h = hash_algorithm(alg)
    digest = data.draw(st.binary(min_size=h.digest_size, max_size=h.digest_size))
    assert parse_digest_info(digest_info(h, digest)) == (h, digest)
    assert HashToSign.from_b64(h, HashToSign.from_hex(h, digest.hex()).b64).digest == digest


@settings(SETTINGS, max_examples=150)
@given(st.sampled_from(("secp256r1", "secp384r1", "secp521r1")), st.data())
def test_ecdsa_raw_der_round_trip(curve: str, data: st.DataObject) -> None:
    from cryptokit.signatures.ecdsa_encoding import der_to_raw, order_byte_length, raw_to_der

    size = order_byte_length(curve)
    r = data.draw(st.integers(1, 2 ** (8 * size) - 1))
    s = data.draw(st.integers(1, 2 ** (8 * size) - 1))
    raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    assert der_to_raw(raw_to_der(raw, curve), curve) == raw


_VALUE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(
    lambda v: v.strip() == v
)


@settings(SETTINGS, max_examples=150)
@given(st.lists(st.tuples(st.sampled_from(("CN", "O", "OU", "L", "ST")), _VALUE), min_size=1, max_size=5))
def test_subject_round_trip(pairs: list[tuple[str, str]]) -> None:
    from cryptokit.names import format_subject, parse_subject

    name = parse_subject(pairs)
    style: Any
    for style in ("emca", "rfc4514"):
        assert parse_subject(format_subject(name, style), style=style) == name


@settings(SETTINGS, max_examples=150)
@given(
    st.integers(0, 36135),
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2200, 1, 1)),
    st.dictionaries(
        st.from_regex(r"\A[A-Za-z0-9_.-]{1,12}\Z"), st.from_regex(r"\A[A-Za-z0-9 _.-]{1,12}\Z"), max_size=5
    ),
)
def test_emca_strings_round_trip(
    days: int, hours: int, minutes: int, seconds: int, when: dt.datetime, ids: dict[str, str]
) -> None:
    from cryptokit.protocols import emca

    v = emca.Validity(days, hours, minutes, seconds)
    assert emca.Validity.parse(str(v)) == v
    aware = when.replace(microsecond=0, tzinfo=dt.UTC)
    assert emca.parse_valid_from(emca.format_valid_from(aware)) == aware
    if ids:
        assert emca.parse_request_ids(emca.format_request_ids(ids)) == ids


@settings(SETTINGS, max_examples=60)
@given(
    st.sampled_from(("aes-256-gcm", "aes-256-cbc", "aes-256-cbc-hmac-sha256", "aes-256-ecb")), st.binary(max_size=500)
)
def test_envelope_round_trip(profile: str, plaintext: bytes) -> None:
    from cryptokit.envelope import Envelope

    env = Envelope(bytes(32), profile)  # type: ignore[arg-type]
    assert env.open(env.seal(plaintext)) == plaintext
    assert env.open_json(env.seal({"v": plaintext.hex()})) == {"v": plaintext.hex()}


@settings(SETTINGS, max_examples=100)
@given(
    st.dictionaries(
        st.from_regex(r"\A[A-Za-z0-9_-]{1,16}\Z"), st.binary(min_size=1, max_size=64), min_size=1, max_size=5
    )
)
def test_csr_framing_round_trip(csrs: dict[str, bytes]) -> None:
    from cryptokit.protocols import emca

    assert emca.unframe_csrs(emca.frame_csrs(csrs)) == csrs
