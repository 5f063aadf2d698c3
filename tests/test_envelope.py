"""Envelope: Wycheproof vectors through the cores, pycryptodome as the peer, tampering, secrets."""

from __future__ import annotations

import base64
import binascii
import json
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from Crypto.Cipher import AES
from Crypto.Hash import HMAC, SHA256
from Crypto.Protocol.KDF import HKDF
from Crypto.Util.Padding import pad, unpad
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptokit.envelope import PROFILES, Envelope
from cryptokit.errors import DecryptionFailed, InputError
from cryptokit.hazmat.ciphers import (
    cbc_decrypt,
    cbc_encrypt,
    cbc_hmac_decrypt,
    cbc_hmac_encrypt,
    cbc_hmac_keys,
    ecb_decrypt,
    ecb_encrypt,
    gcm_decrypt,
    gcm_encrypt,
)

KEY = bytes(range(32))
AUTHENTICATED = ("aes-256-gcm", "aes-256-cbc-hmac-sha256")
HKDF_INFO = b"cryptokit envelope aes-256-cbc-hmac-sha256"


def _groups(vectors: Path, name: str) -> list[dict[str, Any]]:
    return list(json.loads((vectors / "wycheproof" / name).read_text())["testGroups"])


# --- Wycheproof through the cores ------------------------------------------------------------


def test_wycheproof_aes_cbc_pkcs5_256(vectors: Path) -> None:
    ran = 0
    for group in _groups(vectors, "aes_cbc_pkcs5_test.json"):
        if group["keySize"] != 256:
            continue
        for t in group["tests"]:
            key, iv, msg, ct = (bytes.fromhex(t[k]) for k in ("key", "iv", "msg", "ct"))
            if t["result"] == "valid":
                assert cbc_encrypt(key, iv, msg) == ct, t["tcId"]
                assert cbc_decrypt(key, iv, ct) == msg, t["tcId"]
            else:
                with pytest.raises(DecryptionFailed):
                    cbc_decrypt(key, iv, ct)
            ran += 1
    assert ran == 72


def test_wycheproof_aes_gcm_256_iv96_tag128(vectors: Path) -> None:
    ran = invalid = 0
    for group in _groups(vectors, "aes_gcm_test.json"):
        if (group["keySize"], group["ivSize"], group["tagSize"]) != (256, 96, 128):
            continue
        for t in group["tests"]:
            key, iv, aad, msg, ct, tag = (bytes.fromhex(t[k]) for k in ("key", "iv", "aad", "msg", "ct", "tag"))
            if t["result"] == "valid":
                assert gcm_encrypt(key, iv, msg, aad) == ct + tag, t["tcId"]
                assert gcm_decrypt(key, iv, ct + tag, aad) == msg, t["tcId"]
            else:
                invalid += 1
                with pytest.raises(DecryptionFailed):
                    gcm_decrypt(key, iv, ct + tag, aad)
            ran += 1
    assert ran == 66 and invalid > 0


def test_cores_refuse_wrong_key_and_iv_sizes() -> None:
    with pytest.raises(InputError, match="32 bytes"):
        cbc_encrypt(bytes(16), bytes(16), b"x")
    with pytest.raises(InputError, match="iv"):
        gcm_encrypt(KEY, bytes(16), b"x")
    with pytest.raises(InputError, match="iv"):
        cbc_decrypt(KEY, bytes(12), bytes(16))


def test_ecb_core_equals_cbc_with_zero_iv_per_block() -> None:
    # One padded block: ECB(P) == CBC(IV=0, P); documents that ECB is the bare block cipher.
    assert ecb_encrypt(KEY, b"x" * 15) == cbc_encrypt(KEY, bytes(16), b"x" * 15)
    # and ECB is deterministic: equal blocks give equal ciphertext (why it is insecure)
    ct = ecb_encrypt(KEY, b"A" * 32)
    assert ct[:16] == ct[16:32]
    assert ecb_decrypt(KEY, ct) == b"A" * 32


def test_cbc_hmac_core_checks_mac_before_padding() -> None:
    iv = os.urandom(16)
    data = cbc_hmac_encrypt(KEY, iv, b"hello")
    assert cbc_hmac_decrypt(KEY, iv, data) == b"hello"
    with pytest.raises(DecryptionFailed):
        cbc_hmac_decrypt(KEY, iv, data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(DecryptionFailed):
        cbc_hmac_decrypt(KEY, bytes(16), data)  # the IV is under the MAC


# --- pycryptodome as the peer ----------------------------------------------------------------


def _pycryptodome_encrypt(profile: str, key: bytes, plaintext: bytes) -> str:
    if profile == "aes-256-gcm":
        iv = os.urandom(12)
        ct, tag = AES.new(key, AES.MODE_GCM, nonce=iv).encrypt_and_digest(plaintext)
        raw = iv + ct + tag
    elif profile == "aes-256-cbc":
        iv = os.urandom(16)
        raw = iv + AES.new(key, AES.MODE_CBC, iv=iv).encrypt(pad(plaintext, 16))
    elif profile == "aes-256-cbc-hmac-sha256":
        okm = HKDF(key, 64, b"", SHA256, context=HKDF_INFO)
        enc_key, mac_key = okm[:32], okm[32:]
        iv = os.urandom(16)
        ct = AES.new(enc_key, AES.MODE_CBC, iv=iv).encrypt(pad(plaintext, 16))
        raw = iv + ct + HMAC.new(mac_key, iv + ct, SHA256).digest()
    else:
        raw = AES.new(key, AES.MODE_ECB).encrypt(pad(plaintext, 16))
    return base64.b64encode(raw).decode()


def _pycryptodome_decrypt(profile: str, key: bytes, token: str) -> bytes:
    raw = base64.b64decode(token, validate=True)
    if profile == "aes-256-gcm":
        iv, ct, tag = raw[:12], raw[12:-16], raw[-16:]
        return bytes(AES.new(key, AES.MODE_GCM, nonce=iv).decrypt_and_verify(ct, tag))
    if profile == "aes-256-cbc":
        return bytes(unpad(AES.new(key, AES.MODE_CBC, iv=raw[:16]).decrypt(raw[16:]), 16))
    if profile == "aes-256-cbc-hmac-sha256":
        okm = HKDF(key, 64, b"", SHA256, context=HKDF_INFO)
        enc_key, mac_key = okm[:32], okm[32:]
        iv, ct, tag = raw[:16], raw[16:-32], raw[-32:]
        HMAC.new(mac_key, iv + ct, SHA256).verify(tag)
        return bytes(unpad(AES.new(enc_key, AES.MODE_CBC, iv=iv).decrypt(ct), 16))
    return bytes(unpad(AES.new(key, AES.MODE_ECB).decrypt(raw), 16))


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 1000])
def test_pycryptodome_opens_ours_and_we_open_theirs(profile: Any, size: int) -> None:
    key = os.urandom(32)
    env = Envelope(key, profile)
    plaintext = os.urandom(size)
    assert _pycryptodome_decrypt(profile, key, env.seal(plaintext)) == plaintext
    assert env.open(_pycryptodome_encrypt(profile, key, plaintext)) == plaintext


@settings(max_examples=50)
@given(st.sampled_from(PROFILES), st.binary(max_size=300))
def test_any_plaintext_round_trips(profile: Any, plaintext: bytes) -> None:
    env = Envelope(KEY, profile)
    assert env.open(env.seal(plaintext)) == plaintext
    assert env.open_bytes(env.seal_bytes(plaintext)) == plaintext


def test_hkdf_split_is_the_documented_one() -> None:
    okm = HKDF(KEY, 64, b"", SHA256, context=HKDF_INFO)
    assert cbc_hmac_keys(KEY) == (okm[:32], okm[32:])


# --- the envelope API ------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_json_round_trip_and_standard_base64(profile: Any) -> None:
    env = Envelope(KEY, profile)
    doc = {"userName": "alice", "n": [1, 2, 3], "text": "ünïcode"}
    token = env.seal(doc)
    assert base64.b64encode(base64.b64decode(token, validate=True)).decode() == token
    assert env.open_json(token) == doc
    assert json.loads(env.open(token)) == doc


def test_default_profile_is_gcm_and_ecb_only_by_name() -> None:
    assert Envelope(KEY).profile == "aes-256-gcm"
    assert Envelope.from_key_text(KEY.hex()).profile == "aes-256-gcm"
    with pytest.raises(InputError, match="profile"):
        Envelope(KEY, "aes-256-ctr")  # type: ignore[arg-type]


@pytest.mark.parametrize("profile", ["aes-256-gcm", "aes-256-cbc", "aes-256-cbc-hmac-sha256"])
def test_fresh_iv_every_seal(profile: Any) -> None:
    env = Envelope(KEY, profile)
    assert env.seal(b"same") != env.seal(b"same")


def test_ecb_is_deterministic() -> None:
    env = Envelope(KEY, "aes-256-ecb")
    assert env.seal(b"same") == env.seal(b"same")


@pytest.mark.parametrize("profile", AUTHENTICATED)
def test_tampering_any_byte_fails_authenticated_profiles(profile: Any) -> None:
    env = Envelope(KEY, profile)
    raw = base64.b64decode(env.seal(b'{"a": "some body text"}'))
    for i in range(len(raw)):
        for bit in (0x01, 0x80):
            bad = bytearray(raw)
            bad[i] ^= bit
            with pytest.raises(DecryptionFailed):
                env.open(base64.b64encode(bytes(bad)).decode())
    for bad_raw in (raw[:-1], raw + b"\x00", raw[1:], b""):
        with pytest.raises(DecryptionFailed):
            env.open(base64.b64encode(bad_raw).decode())


@pytest.mark.parametrize("profile", ["aes-256-cbc", "aes-256-ecb"])
def test_tampering_unauthenticated_profiles_never_returns_the_original(profile: Any) -> None:
    # CBC and ECB have no integrity: a change either fails or changes the plaintext. Never silent.
    env = Envelope(KEY, profile)
    plaintext = b'{"a": "some body text, two blocks"}'
    raw = base64.b64decode(env.seal(plaintext))
    failed = 0
    for i in range(len(raw)):
        bad = bytearray(raw)
        bad[i] ^= 0x01
        try:
            opened = env.open(base64.b64encode(bytes(bad)).decode())
        except DecryptionFailed:
            failed += 1
        else:
            assert opened != plaintext
    assert failed > 0
    for bad_raw in (raw[:-1], raw + b"\x00", b""):
        with pytest.raises(DecryptionFailed):
            env.open(base64.b64encode(bad_raw).decode())


@pytest.mark.parametrize("profile", PROFILES)
def test_every_failure_is_the_same_decryption_failed(profile: Any) -> None:
    env = Envelope(KEY, profile, max_token_size=4096)
    good = env.seal(b"x" * 40)
    raw = base64.b64decode(good)
    other = Envelope(os.urandom(32), profile)
    bad_tokens: list[Any] = [
        "not base64!",
        "QUJD=",  # bad padding
        good[:-4],  # bad length
        base64.b64encode(raw[:-1] + bytes([raw[-1] ^ 0x55])).decode(),  # bad tag/MAC/padding
        other.seal(b"x" * 40),  # wrong key
        "A" * 5000,  # over the size bound
        "é" * 8,  # not ASCII
        base64.b64encode(b"").decode(),
    ]
    messages = set()
    for token in bad_tokens:
        try:
            env.open_json(token)
        except DecryptionFailed as exc:
            messages.add(str(exc))
            assert exc.__cause__ is None and (exc.__context__ is None or exc.__suppress_context__)
        else:
            # only the unauthenticated profiles can open a garbled token, never into valid JSON of ours
            assert profile in ("aes-256-cbc", "aes-256-ecb"), token
    assert messages == {"envelope could not be opened"}


def test_open_json_refuses_non_json_plaintext() -> None:
    env = Envelope(KEY)
    with pytest.raises(DecryptionFailed):
        env.open_json(env.seal(b"\xff not json"))


def test_size_bound() -> None:
    env = Envelope(KEY, max_token_size=100)
    with pytest.raises(DecryptionFailed):
        env.open(Envelope(KEY).seal(b"x" * 200))
    assert env.open(env.seal(b"x" * 20)) == b"x" * 20
    with pytest.raises(InputError):
        Envelope(KEY, max_token_size=0)


def test_seal_refuses_unserialisable() -> None:
    with pytest.raises(InputError, match="JSON"):
        Envelope(KEY).seal({1, 2})


# --- keys --------------------------------------------------------------------------------------


def test_key_text_forms() -> None:
    token = Envelope(KEY).seal(b"hi")
    for text in (
        KEY.hex(),
        KEY.hex().upper(),
        base64.b64encode(KEY).decode(),
        base64.urlsafe_b64encode(KEY).decode(),
        "  " + base64.b64encode(KEY).decode() + "\n",
        KEY.hex().encode(),
    ):
        assert Envelope.from_key_text(text).open(token) == b"hi"
    assert Envelope.from_key_text(base64.b64encode(KEY).decode(), encoding="base64").open(token) == b"hi"


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (bytes(16).hex(), "auto", "base64 key text decodes to 24 bytes"),  # 32 hex digits read as base64
        (bytes(16).hex(), "hex", "hex key text decodes to 16 bytes"),
        (base64.b64encode(bytes(16)).decode(), "auto", "base64 key text decodes to 16 bytes"),
        (base64.b64encode(b"\xff" * 48).decode(), "auto", "base64 key text decodes to 48 bytes"),
        ("A" * 64, "base64", "base64 key text decodes to 48 bytes"),
        ("zz" * 32, "hex", "not hexadecimal"),
        ("%%%%", "auto", "neither 64 hex digits nor valid base64"),
    ],
)
def test_key_text_errors_say_which(text: str, encoding: Any, expected: str) -> None:
    with pytest.raises(InputError, match=expected) as info:
        Envelope.from_key_text(text, encoding=encoding)
    assert info.value.field == "key"


def test_raw_key_rules() -> None:
    with pytest.raises(InputError, match="exactly 32 bytes"):
        Envelope(bytes(16))
    with pytest.raises(InputError, match="from_key_text"):
        Envelope(KEY.hex())  # type: ignore[arg-type]


def test_key_never_shown() -> None:
    secret = os.urandom(32)
    env = Envelope(secret, "aes-256-cbc-hmac-sha256")
    shown = repr(env) + str(env)
    for form in (secret.hex(), base64.b64encode(secret).decode(), repr(secret)):
        assert form not in shown
    with pytest.raises(TypeError):
        pickle.dumps(env)
    with pytest.raises(AttributeError):
        env.profile = "aes-256-ecb"
    bad = secret.hex()[:-2]
    with pytest.raises(InputError) as info:
        Envelope.from_key_text(bad, encoding="hex")
    assert bad not in str(info.value)
    with pytest.raises(DecryptionFailed) as failed:
        env.open(Envelope(secret).seal(b"x"))
    assert secret.hex() not in str(failed.value)


def test_open_refuses_lax_base64_that_would_decode_to_a_good_token() -> None:
    """Whitespace, URL-safe letters, missing padding and data after padding are refused, not skipped."""
    env = Envelope(KEY)
    good = env.seal(b"x" * 40)  # 12 + 40 + 16 = 68 bytes: one '=' of padding
    while "+" not in good and "/" not in good:
        good = env.seal(b"x" * 40)
    assert good.endswith("=") and env.open(good) == b"x" * 40
    lenient = {  # a lenient decoder turns each of these into the good token's bytes, so the test bites
        good + "\n": binascii.a2b_base64(good + "\n"),
        good[:8] + " " + good[8:]: binascii.a2b_base64(good[:8] + " " + good[8:]),
        good[:8] + "\r\n" + good[8:]: binascii.a2b_base64(good[:8] + "\r\n" + good[8:]),
        good.replace("+", "-").replace("/", "_"): base64.urlsafe_b64decode(good.replace("+", "-").replace("/", "_")),
        good[:-1]: base64.b64decode(good[:-1] + "=="),
    }
    for token, decoded in lenient.items():
        assert env.open_bytes(decoded) == b"x" * 40
        with pytest.raises(DecryptionFailed):
            env.open(token)
    with pytest.raises(DecryptionFailed):
        env.open(good + "QUJD")  # data after padding


@pytest.mark.parametrize("plaintext_size", [40, 41, 42])  # one '=', no padding, two '=' (68, 69, 70 raw bytes)
def test_open_refuses_stray_bits_before_the_padding(plaintext_size: int) -> None:
    """Only the canonical encoding opens: non-zero unused bits give the same bytes but are refused."""
    env = Envelope(KEY)
    good = env.seal(b"x" * plaintext_size)
    assert env.open(good) == b"x" * plaintext_size and env.open(good.encode()) == b"x" * plaintext_size
    pad = len(good) - len(good.rstrip("="))
    if pad == 0:
        return
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = good[-pad - 1]
    for flip in range(1, 16 if pad == 2 else 4):  # every non-zero value of the unused bits
        stray = good[: -pad - 1] + alphabet[alphabet.index(last) ^ flip] + "=" * pad
        assert base64.b64decode(stray) == base64.b64decode(good)  # same bytes: a lenient decoder opens it
        with pytest.raises(DecryptionFailed):
            env.open(stray)
        with pytest.raises(DecryptionFailed):
            env.open(stray.encode())


def _shapes(data: bytes) -> list[memoryview]:
    """Views whose bytes are ``data``: 4-byte items, two dimensions (when the length allows) and strided."""
    interleaved = bytes(x for c in data for x in (c, 0))
    views = [memoryview(interleaved)[::2]]
    if len(data) % 4 == 0:
        views += [memoryview(data).cast("I"), memoryview(data).cast("B", (len(data) // 4, 4))]
    assert all(v.tobytes() == data for v in views)
    return views


@pytest.mark.parametrize("profile", PROFILES)
def test_any_buffer_shape_is_read_as_its_bytes(profile: Any) -> None:
    """A memoryview of wider items, two dimensions or with strides is read as bytes, never as items."""
    env = Envelope(KEY, profile, max_token_size=4096)
    body = b"0123456789abcdef" * 4
    for shaped in _shapes(body):
        assert env.open(env.seal(shaped)) == body
        assert env.open_bytes(env.seal_bytes(shaped)) == body
    token = env.seal(body).encode()
    for shaped in _shapes(token):
        assert env.open(shaped) == body
    raw = base64.b64decode(token)
    for shaped in _shapes(raw):
        assert env.open_bytes(shaped) == body
    with pytest.raises(InputError, match="plaintext"):
        env.seal_bytes("text")  # type: ignore[arg-type]


def test_size_bound_counts_bytes_not_items() -> None:
    env = Envelope(KEY, max_token_size=100)
    token = env.seal(b"x" * 60).encode()  # 120 base64 characters
    assert len(memoryview(token).cast("B", (len(token) // 8, 8))) == 15
    with pytest.raises(DecryptionFailed):
        env.open(memoryview(token).cast("B", (len(token) // 8, 8)))  # 15 rows, 120 bytes: over 100
    raw = base64.b64decode(env.seal(b"x" * 80))  # 108 bytes
    with pytest.raises(DecryptionFailed):
        env.open_bytes(memoryview(raw).cast("I"))  # 27 items, 108 bytes: over 100


def test_stray_bits_are_refused_in_every_buffer_shape() -> None:
    env = Envelope(KEY)
    good = env.seal(b"x" * 42)  # 70 raw bytes: '=='
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = good[-3]
    stray = (good[:-3] + alphabet[alphabet.index(last) ^ 1] + "==").encode()
    assert len(stray) % 4 == 0
    for shaped in (memoryview(stray), memoryview(stray).cast("I"), memoryview(stray).cast("B", (len(stray) // 4, 4))):
        with pytest.raises(DecryptionFailed):
            env.open(shaped)


@pytest.mark.parametrize("value", [None, 5, 1.5, [], {}, object()])
def test_envelope_open_wrong_type_is_input_error(value: object) -> None:
    from cryptokit.envelope import Envelope

    env = Envelope(bytes(32))
    for fn in (env.open, env.open_json, env.open_bytes):
        with pytest.raises(InputError):
            fn(value)  # type: ignore[arg-type]
    with pytest.raises(DecryptionFailed):
        env.open("not base64!")
