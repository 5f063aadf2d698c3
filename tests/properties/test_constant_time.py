"""MAC, key, password and AuthKey comparisons go through ``hmac.compare_digest``.

Each test replaces ``hmac.compare_digest`` with a spy that records its arguments and delegates to
the real function, then drives the code path (accepting and refusing): the value under test must
have been compared by the spy. A ``==`` comparison would leave the spy empty and fail the test.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterator
from typing import Any

import pytest

from cryptokit.errors import AuthenticationFailed, CryptokitError, DecryptionFailed
from tests.pki import make_pki

_REAL = hmac.compare_digest


class Spy:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, Any]] = []

    def __call__(self, a: Any, b: Any) -> bool:
        self.calls.append(
            (
                bytes(a) if isinstance(a, (bytes, bytearray, memoryview)) else a,
                bytes(b) if isinstance(b, (bytes, bytearray, memoryview)) else b,
            )
        )
        return _REAL(a, b)

    def compared(self, value: Any) -> bool:
        return any(value in (a, b) for a, b in self.calls)

    def reset(self) -> None:
        self.calls.clear()


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    s = Spy()
    monkeypatch.setattr(hmac, "compare_digest", s)
    yield s


def test_spy_sees_compare_digest(spy: Spy) -> None:
    assert hmac.compare_digest(b"a", b"a")
    assert spy.compared(b"a")


def test_envelope_hmac_tag(spy: Spy) -> None:
    from cryptokit.encoding import b64decode, b64encode
    from cryptokit.envelope import Envelope
    from cryptokit.hazmat.ciphers import cbc_hmac_decrypt, cbc_hmac_encrypt

    env = Envelope(bytes(range(32)), "aes-256-cbc-hmac-sha256")
    raw = bytearray(b64decode(env.seal(b"payload")))
    tag = bytes(raw[-32:])
    assert env.open(b64encode(raw)) == b"payload"
    assert spy.compared(tag)
    spy.reset()
    raw[-1] ^= 1
    with pytest.raises(DecryptionFailed):
        env.open(b64encode(raw))
    assert spy.compared(bytes(raw[-32:]))
    spy.reset()
    data = cbc_hmac_encrypt(bytes(32), bytes(16), b"x")
    with pytest.raises(DecryptionFailed):
        cbc_hmac_decrypt(bytes(32), bytes(16), data[:-1] + bytes([data[-1] ^ 1]))
    assert spy.compared(data[-32:-1] + bytes([data[-1] ^ 1]))


def test_authkey(spy: Spy) -> None:
    from cryptokit.protocols import emca

    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    v = emca.AuthKeyVerifier(clock=lambda: t0)
    headers = emca.auth_headers("client-1", t0)
    v.verify_headers(headers)
    assert spy.compared(headers["AuthKey"].encode())
    spy.reset()
    wrong = {**emca.auth_headers("client-1", t0), "AuthKey": "a" * 64}
    with pytest.raises(AuthenticationFailed):
        v.verify_headers(wrong)
    assert spy.compared(b"a" * 64)


def test_emkeys(spy: Spy) -> None:
    from cryptokit.protocols import emca

    expected = "0123456789abcdef0123456789abcdef01234567"
    emca.check_static_emkey(expected.upper(), expected)
    assert spy.compared(expected)
    spy.reset()
    with pytest.raises(AuthenticationFailed):
        emca.check_static_emkey("f" * 40, expected)
    assert spy.compared("f" * 40)
    spy.reset()
    secret = bytes(range(32))
    issued = emca.issue_emkey(secret, "alice")
    emca.check_emkey(secret, issued, "alice")
    assert spy.compared(issued)
    spy.reset()
    with pytest.raises(AuthenticationFailed):
        emca.check_emkey(secret, "e" * 40, "alice")
    assert spy.compared("e" * 40)


def test_registry_passwords(spy: Spy) -> None:
    from cryptokit.protocols import emca

    pki = make_pki("p256", label="ct")
    registry = emca.InMemoryRegistry()
    registry.register("alice", "right password", pki.leaf)
    assert registry.authenticate("alice", "right password") is not None
    assert len(spy.calls) == 1
    spy.reset()
    assert registry.authenticate("alice", "wrong password") is None
    assert len(spy.calls) == 1
    spy.reset()
    assert registry.authenticate("mallory", "anything") is None
    assert len(spy.calls) == 1, "an unknown user must cost the same comparison"


def test_pfx_mac(spy: Spy) -> None:
    from cryptokit.pkcs12 import KeyBundle, _mac_verifies, _parse_pfx, load_pfx

    pki = make_pki("p256", label="ct")
    pfx = KeyBundle(pki.leaf_key, pki.leaf).to_pkcs12("right", kdf_rounds=1000)
    with pytest.raises(CryptokitError):
        load_pfx(pfx, "wrong")
    # A wrong password is explained from OpenSSL's attempt now (issue 15: no Python re-derivation);
    # cryptokit's own MAC check (the legacy-provider explanation) must still compare in constant time.
    assert _mac_verifies(_parse_pfx(pfx), b"wrong") is False
    assert spy.calls, "the PKCS#12 MAC check (explaining a legacy-cipher failure) must use compare_digest"


def test_cms_message_digest(spy: Spy) -> None:
    import hashlib

    from cryptokit.cms import cms_sign, cms_verify
    from cryptokit.pkcs12 import KeyBundle

    pki = make_pki("p256", label="ct")
    bundle = KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain))
    at = pki.leaf.not_valid_before_utc + dt.timedelta(hours=1)
    cms = cms_sign(b"content", bundle, detached=True)
    cms_verify(cms, content=b"content", trusted_signers=[pki.leaf], at=at)
    assert spy.compared(hashlib.sha256(b"content").digest())


def test_server_token_checks(spy: Spy) -> None:
    """The ADSS/CSC server halves check bearer tokens and secrets with ``protocols._server.accepts``,
    which compares a configured token in constant time."""
    server = pytest.importorskip("cryptokit.protocols._server")
    accepts = getattr(server, "accepts", None)
    if accepts is None:
        pytest.skip("protocols._server has no accepts() yet")
    assert accepts("token-1", "token-1")
    assert spy.compared(b"token-1")
    spy.reset()
    assert not accepts("token-1", "token-2")
    assert spy.compared(b"token-2")


def test_signer_digital_reference_backend(spy: Spy) -> None:
    """InMemoryKeyAuthBackend compares CSC passwords and OTPs in constant time; an unknown CscId
    costs the same one comparison."""
    from cryptokit.protocols import signer_digital as sd

    backend = sd.InMemoryKeyAuthBackend({"CSC-1": "right pwd"}, {"CSC-1": ["K"]}, otp_factory=lambda: "123456")
    for csc_id, password, expected in (("CSC-1", "right pwd", True), ("CSC-1", "wrong", False), ("CSC-9", "x", False)):
        spy.reset()
        assert backend.authenticate(csc_id, password) is expected
        assert len(spy.calls) == 1 and spy.compared(password.encode())
    assert backend.send_otp("CSC-1", "K", None)
    spy.reset()
    assert not backend.check_otp("CSC-1", "K", None, "654321")
    assert spy.compared(b"654321")
