"""emCA AuthKey (vendor scheme), its server-side verifier, and the emKey paths."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading

import pytest

from cryptokit.errors import AuthenticationFailed, InputError, PolicyViolation
from cryptokit.protocols import emca
from cryptokit.protocols.emca.auth import ReplayStore

UTC = dt.UTC
T0 = dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def test_auth_key_is_lowercase_hex_sha256_of_concatenation() -> None:
    key = emca.auth_key("client-1", "1735689600000", "txn-42")
    assert key == hashlib.sha256(b"client-11735689600000txn-42").hexdigest()
    assert key == key.lower() and len(key) == 64
    assert emca.auth_key("client-1", 1735689600000, "txn-42") == key
    # a known answer (sha256sum of "a1b")
    assert emca.auth_key("a", "1", "b") == "acee240f9a281b012353cca27eb1c4068a15cc67138da3dbc39cc4464d128448"


@pytest.mark.parametrize("args", [("", "1", "t"), ("c", "", "t"), ("c", "1", ""), ("c", True, "t")])
def test_auth_key_refuses_empty(args: tuple[object, object, object]) -> None:
    with pytest.raises(InputError):
        emca.auth_key(*args)  # type: ignore[arg-type]


def test_auth_headers_fresh_and_consistent() -> None:
    a = emca.auth_headers("client-1", T0)
    b = emca.auth_headers("client-1", T0)
    assert a["ts"] == b["ts"] == str(int(T0.timestamp() * 1000))
    assert a["txn"] != b["txn"] and len(a["txn"]) == 32
    assert a["AuthKey"] == emca.auth_key("client-1", a["ts"], a["txn"])
    assert emca.auth_headers("c", T0, ts_format="epoch-seconds")["ts"] == str(int(T0.timestamp()))
    with pytest.raises(InputError):
        emca.auth_headers("c", dt.datetime(2026, 1, 1))


def test_ts_round_trip() -> None:
    assert emca.parse_ts(emca.format_ts(T0)) == T0
    assert emca.parse_ts(emca.format_ts(T0, "epoch-seconds"), "epoch-seconds") == T0.replace(microsecond=0)
    for bad in ("", "-1", "1.5", "12345678901234567", " 1"):
        with pytest.raises(InputError):
            emca.parse_ts(bad)


def _verifier(clock: Clock, **kw: object) -> emca.AuthKeyVerifier:
    return emca.AuthKeyVerifier(window=dt.timedelta(seconds=300), clock=clock, **kw)  # type: ignore[arg-type]


def test_verifier_accepts_fresh_and_refuses_replay() -> None:
    clock = Clock(T0)
    verifier = _verifier(clock)
    headers = emca.auth_headers("client-1", T0 + dt.timedelta(seconds=10))
    assert verifier.verify_headers(headers) == T0 + dt.timedelta(seconds=10)
    with pytest.raises(AuthenticationFailed) as info:
        verifier.verify_headers(headers)
    assert info.value.reason == "replayed"
    # the same txn for another client is a different entry
    other = dict(headers, ClientID="client-2")
    other["AuthKey"] = emca.auth_key("client-2", other["ts"], other["txn"])
    verifier.verify_headers(other)


def test_verifier_refuses_stale_both_sides() -> None:
    clock = Clock(T0)
    verifier = _verifier(clock)
    for skew in (dt.timedelta(seconds=301), dt.timedelta(seconds=-301)):
        with pytest.raises(AuthenticationFailed) as info:
            verifier.verify_headers(emca.auth_headers("c", T0 + skew))
        assert info.value.reason == "stale"
    verifier.verify_headers(emca.auth_headers("c", T0 + dt.timedelta(seconds=299)))
    verifier.verify_headers(emca.auth_headers("c", T0 - dt.timedelta(seconds=299)))


def test_verifier_refuses_wrong_key_without_burning_txn() -> None:
    clock = Clock(T0)
    verifier = _verifier(clock)
    headers = emca.auth_headers("c", T0)
    forged = dict(headers, AuthKey="0" * 64)
    with pytest.raises(AuthenticationFailed) as info:
        verifier.verify_headers(forged)
    assert info.value.reason == "wrong-key"
    tampered = dict(headers, ts=str(int(headers["ts"]) + 1))
    with pytest.raises(AuthenticationFailed) as info:
        verifier.verify_headers(tampered)
    assert info.value.reason == "wrong-key"
    verifier.verify_headers(headers)  # the real request still goes through
    # uppercase hex is the same key
    again = emca.auth_headers("c", T0)
    verifier.verify_headers(dict(again, AuthKey=again["AuthKey"].upper()))


@pytest.mark.parametrize(
    "change",
    [{"AuthKey": "zz"}, {"AuthKey": "g" * 64}, {"ts": "yesterday"}, {"txn": ""}, {"ClientID": ""}],
)
def test_verifier_malformed(change: dict[str, str]) -> None:
    clock = Clock(T0)
    headers = dict(emca.auth_headers("c", T0), **change)
    with pytest.raises(AuthenticationFailed) as info:
        _verifier(clock).verify_headers(headers)
    assert info.value.reason in ("malformed", "wrong-key")
    if change.get("AuthKey") != "g" * 64:
        assert info.value.reason == "malformed"


def test_verifier_missing_header_and_unregistered_client() -> None:
    clock = Clock(T0)
    headers = emca.auth_headers("c", T0)
    del headers["txn"]
    with pytest.raises(AuthenticationFailed) as info:
        _verifier(clock).verify_headers(headers)
    assert info.value.reason == "malformed"
    with pytest.raises(AuthenticationFailed) as info:
        _verifier(clock, client_ids={"registered"}).verify_headers(emca.auth_headers("c", T0))
    assert info.value.reason == "wrong-key"
    _verifier(clock, client_ids={"registered"}).verify_headers(emca.auth_headers("registered", T0))


def test_replay_store_expiry_and_bound() -> None:
    clock = Clock(T0)
    store = emca.InMemoryReplayStore(max_entries=2, clock=clock)
    assert isinstance(store, ReplayStore)
    assert store.add("a", T0 + dt.timedelta(seconds=10))
    assert not store.add("a", T0 + dt.timedelta(seconds=10))
    assert store.add("b", T0 + dt.timedelta(seconds=20))
    with pytest.raises(PolicyViolation):
        store.add("c", T0 + dt.timedelta(seconds=20))  # full: never forget a live entry
    clock.now = T0 + dt.timedelta(seconds=11)
    assert len(store) == 1
    assert store.add("a", T0 + dt.timedelta(seconds=30))  # expired, so new again
    with pytest.raises(PolicyViolation):
        store.add("c", T0 + dt.timedelta(seconds=40))  # "b" (until +20) and "a" are live: full
    clock.now = T0 + dt.timedelta(seconds=31)
    assert len(store) == 0


def test_replay_store_is_atomic_under_threads() -> None:
    store = emca.InMemoryReplayStore()
    wins: list[bool] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        wins.append(store.add("same", dt.datetime.now(UTC) + dt.timedelta(minutes=1)))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wins.count(True) == 1


def test_custom_replay_store_protocol() -> None:
    class SetStore:
        def __init__(self) -> None:
            self.keys: set[str] = set()

        def add(self, key: str, expires_at: dt.datetime) -> bool:
            if key in self.keys:
                return False
            self.keys.add(key)
            return True

    store = SetStore()
    clock = Clock(T0)
    verifier = emca.AuthKeyVerifier(replay_store=store, clock=clock)
    headers = emca.auth_headers("c", T0)
    verifier.verify_headers(headers)
    assert store.keys == {"c\x00" + headers["txn"]}
    with pytest.raises(AuthenticationFailed):
        verifier.verify_headers(headers)


def _reason(fn: object) -> str:
    with pytest.raises(AuthenticationFailed) as info:
        fn()  # type: ignore[operator]
    return info.value.reason


@pytest.mark.parametrize("step", [dt.timedelta(0), dt.timedelta(microseconds=1), dt.timedelta(milliseconds=999)])
def test_replay_exactly_at_the_window_edge_is_refused(step: dt.timedelta) -> None:
    window = dt.timedelta(seconds=300)
    clock = Clock(T0)
    verifier = _verifier(clock)
    headers = emca.auth_headers("client-1", T0)
    # The ts bound is inclusive: a first use exactly at the edge is accepted...
    clock.now = T0 + window
    assert _verifier(clock).verify_headers(headers) == T0
    # ...so a txn used at T0 must still be remembered then (and a replay after it is stale anyway).
    clock.now = T0
    assert verifier.verify_headers(headers) == T0
    clock.now = T0 + window
    assert _reason(lambda: verifier.verify_headers(headers)) == "replayed"
    clock.now = T0 + window + step
    assert _reason(lambda: verifier.verify_headers(headers)) == ("replayed" if not step else "stale")


def test_replay_at_the_edge_is_refused_by_a_store_with_millisecond_expiry() -> None:
    class MillisStore:
        """Like Redis SET NX PXAT: expiry truncated to whole milliseconds, gone once now >= expiry."""

        def __init__(self, clock: Clock) -> None:
            self.clock = clock
            self.entries: dict[str, int] = {}

        def add(self, key: str, expires_at: dt.datetime) -> bool:
            now_ms = int(self.clock().timestamp() * 1000)
            if self.entries.get(key, 0) > now_ms:
                return False
            self.entries[key] = int(expires_at.timestamp() * 1000)
            return True

    clock = Clock(T0)
    verifier = _verifier(clock, replay_store=MillisStore(clock))
    headers = emca.auth_headers("client-1", T0)
    assert verifier.verify_headers(headers) == T0
    clock.now = T0 + dt.timedelta(seconds=300)
    assert _reason(lambda: verifier.verify_headers(headers)) == "replayed"


@pytest.mark.parametrize("headers", [None, 5, 1.5, [], [1], "ClientID", b"ts", object()])
def test_verify_headers_refuses_a_non_mapping(headers: object) -> None:
    with pytest.raises(InputError, match="headers: must be a mapping"):
        _verifier(Clock(T0)).verify_headers(headers)  # type: ignore[arg-type]


def test_verify_headers_refuses_non_text_values() -> None:
    verifier = _verifier(Clock(T0))
    good = emca.auth_headers("client-1", T0)
    for name in good:
        for value in (5, b"x", ["x"]):
            with pytest.raises(AuthenticationFailed) as info:
                verifier.verify_headers({**good, name: value})  # type: ignore[dict-item]
            assert info.value.reason == "malformed"
    odd_names: dict[object, str] = {1: "x", b"ts": "1"}
    assert _reason(lambda: verifier.verify_headers(odd_names)) == "malformed"  # type: ignore[arg-type]
    assert verifier.verify_headers(good) == T0  # none of the refusals burned the txn


# --- emKey -------------------------------------------------------------------------------------

SECRET = b"server secret, 32 random bytes!!"


def test_emkey_format() -> None:
    key = "A1" * 20
    assert emca.check_emkey_format(key) == key.lower()
    for bad in ("a" * 39, "a" * 41, "g" * 40, " " + "a" * 39, "", "a" * 40 + "\n"):
        with pytest.raises(InputError):
            emca.check_emkey_format(bad)


def test_static_emkey() -> None:
    expected = "0123456789abcdef0123456789abcdef01234567"
    emca.check_static_emkey(expected.upper(), expected)
    # The vendor's emKey format is undocumented: any printable text is a key, checked by value.
    cases = (
        (None, "malformed"),
        ("xyz", "wrong-key"),
        ("f" * 40, "wrong-key"),
        ("a b", "malformed"),
        ("k\r\nX-Injected: 1", "malformed"),
        ("x" * (emca.auth.MAX_EMKEY + 1), "malformed"),
    )
    for presented, reason in cases:
        with pytest.raises(AuthenticationFailed) as info:
            emca.check_static_emkey(presented, expected)
        assert info.value.reason == reason
        assert expected not in str(info.value)
    # strict: only the observed 40-hex shape
    with pytest.raises(AuthenticationFailed) as info:
        emca.check_static_emkey("xyz", expected, strict=True)
    assert info.value.reason == "malformed"
    # a non-hex key issued by an operator compares exactly (case matters)
    emca.check_static_emkey("Op3rator-Key_v2=", "Op3rator-Key_v2=")
    with pytest.raises(AuthenticationFailed):
        emca.check_static_emkey("op3rator-key_v2=", "Op3rator-Key_v2=")


def test_issue_and_check_emkey_cryptokit_scheme() -> None:
    key = emca.issue_emkey(SECRET, "alice", context=("10.0.0.1",))
    assert len(key) == 40 and emca.check_emkey_format(key) == key
    # the documented construction, recomputed independently
    msg = b"cryptokit emKey v1" + b"".join(len(f).to_bytes(4, "big") + f for f in (b"alice", b"10.0.0.1"))
    assert key == hmac.new(SECRET, msg, "sha1").hexdigest()
    emca.check_emkey(SECRET, key, "alice", context=("10.0.0.1",))
    emca.check_emkey(SECRET, key.upper(), "alice", context=("10.0.0.1",))
    for args, ctx in ((("alice",), ("10.0.0.2",)), (("bob",), ("10.0.0.1",)), (("alice",), ())):
        with pytest.raises(AuthenticationFailed) as info:
            emca.check_emkey(SECRET, key, *args, context=ctx)
        assert info.value.reason == "wrong-key"
    with pytest.raises(AuthenticationFailed):
        emca.check_emkey(b"another secret of enough length", key, "alice", context=("10.0.0.1",))
    # field boundaries are unambiguous
    assert emca.issue_emkey(SECRET, "ab", context=("c",)) != emca.issue_emkey(SECRET, "a", context=("bc",))
    with pytest.raises(InputError):
        emca.issue_emkey(b"short", "alice")
    with pytest.raises(AuthenticationFailed) as info:
        emca.check_emkey(SECRET, None, "alice")
    assert info.value.reason == "malformed"
