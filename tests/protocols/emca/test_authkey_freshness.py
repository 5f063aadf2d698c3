"""emCA AuthKey server checks with a fake clock: fresh requests pass once; stale, future, replayed,
wrong and malformed ones are refused with the documented reason; the replay store is bounded."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptokit.errors import AuthenticationFailed, PolicyViolation
from cryptokit.protocols import emca

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
WINDOW = dt.timedelta(minutes=5)


class Clock:
    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _verifier(clock: Clock, **kw: object) -> emca.AuthKeyVerifier:
    return emca.AuthKeyVerifier(clock=clock, window=WINDOW, **kw)  # type: ignore[arg-type]


def _reason(fn: object) -> str:
    with pytest.raises(AuthenticationFailed) as info:
        fn()  # type: ignore[operator]
    return info.value.reason


def test_fresh_request_passes_once_then_is_a_replay() -> None:
    clock = Clock()
    v = _verifier(clock)
    headers = emca.auth_headers("client-1", T0)
    assert v.verify_headers(headers) == T0
    assert _reason(lambda: v.verify_headers(headers)) == "replayed"
    clock.now = T0 + WINDOW - dt.timedelta(milliseconds=1)
    assert _reason(lambda: v.verify_headers(headers)) == "replayed"
    clock.now = T0 + WINDOW + dt.timedelta(milliseconds=1)
    assert _reason(lambda: v.verify_headers(headers)) == "stale"


@pytest.mark.parametrize("offset", [WINDOW + dt.timedelta(milliseconds=1), -(WINDOW + dt.timedelta(milliseconds=1))])
def test_stale_and_future_timestamps_are_refused(offset: dt.timedelta) -> None:
    clock = Clock(T0 + offset)
    v = _verifier(clock)
    assert _reason(lambda: v.verify_headers(emca.auth_headers("client-1", T0))) == "stale"


@pytest.mark.parametrize("offset", [WINDOW - dt.timedelta(milliseconds=1), -WINDOW + dt.timedelta(milliseconds=1)])
def test_timestamps_inside_the_window_pass(offset: dt.timedelta) -> None:
    v = _verifier(Clock(T0 + offset))
    assert v.verify_headers(emca.auth_headers("client-1", T0)) == T0


def test_replay_at_the_window_boundary_is_refused() -> None:
    clock = Clock()
    v = _verifier(clock)
    headers = emca.auth_headers("client-1", T0)
    v.verify_headers(headers)
    clock.now = T0 + WINDOW
    assert _reason(lambda: v.verify_headers(headers)) in ("replayed", "stale")


def test_wrong_key_is_refused_and_does_not_burn_the_txn() -> None:
    v = _verifier(Clock())
    headers = emca.auth_headers("client-1", T0)
    forged = {**headers, "AuthKey": "0" * 64}
    assert _reason(lambda: v.verify_headers(forged)) == "wrong-key"
    assert v.verify_headers(headers) == T0  # the real request still goes through
    upper = {**emca.auth_headers("client-1", T0), "authkey": ""}
    upper["authkey"] = upper.pop("AuthKey").upper()
    assert v.verify_headers(upper) == T0  # hex case does not matter


def test_txn_is_scoped_per_client() -> None:
    v = _verifier(Clock())
    ts = emca.format_ts(T0)
    for client in ("client-1", "client-2"):
        assert v.verify(client, ts, "txn-1", emca.auth_key(client, ts, "txn-1")) == T0
    assert _reason(lambda: v.verify("client-1", ts, "txn-1", emca.auth_key("client-1", ts, "txn-1"))) == "replayed"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"ClientID": "c", "ts": "1", "txn": "t"},
        {"ClientID": "c", "ts": "not-a-number", "txn": "t", "AuthKey": "0" * 64},
        {"ClientID": "c", "ts": "9" * 17, "txn": "t", "AuthKey": "0" * 64},
        {"ClientID": "c", "ts": "9" * 16, "txn": "t", "AuthKey": "0" * 64},
        {"ClientID": "", "ts": "1", "txn": "t", "AuthKey": "0" * 64},
        {"ClientID": "c", "ts": "1", "txn": "t" * 300, "AuthKey": "0" * 64},
        {"ClientID": "c", "ts": "1", "txn": "t", "AuthKey": "0" * 63},
        {"ClientID": "c", "ts": "1", "txn": "t", "AuthKey": "é" * 64},
    ],
)
def test_malformed_headers(headers: dict[str, str]) -> None:
    v = _verifier(Clock())
    assert _reason(lambda: v.verify_headers(headers)) in ("malformed", "stale", "wrong-key")


def test_unregistered_client_is_refused() -> None:
    v = _verifier(Clock(), client_ids=["client-1"])
    assert _reason(lambda: v.verify_headers(emca.auth_headers("client-9", T0))) == "wrong-key"
    assert v.verify_headers(emca.auth_headers("client-1", T0)) == T0


def test_replay_store_is_bounded_and_expires() -> None:
    clock = Clock()
    store = emca.InMemoryReplayStore(max_entries=3, clock=clock)
    v = _verifier(clock, replay_store=store)
    for _ in range(3):
        v.verify_headers(emca.auth_headers("client-1", T0))
    assert len(store) == 3
    with pytest.raises(PolicyViolation):
        v.verify_headers(emca.auth_headers("client-1", T0))
    clock.now = T0 + 2 * WINDOW  # the entries expire; new requests are accepted again
    assert v.verify_headers(emca.auth_headers("client-1", clock.now)) == clock.now
    assert len(store) == 1


def test_window_must_be_positive() -> None:
    from cryptokit.errors import InputError

    with pytest.raises(InputError):
        emca.AuthKeyVerifier(window=dt.timedelta(0))


def test_authkey_does_not_bind_the_body() -> None:
    """SECURITY.md states it: the AuthKey is a hash of public values and does not cover the body, so a
    captured emCA request body replayed under freshly minted headers opens again. (If this changes,
    update SECURITY.md.)"""
    from cryptokit.envelope import Envelope
    from cryptokit.protocols import HttpRequest
    from fuzz.targets import EMKEY, context

    ctx = context()
    clock = Clock(ctx.at)
    verifier = _verifier(clock)
    env: Envelope = ctx.envelope
    captured = ctx.emca_request
    for _ in range(2):
        request = HttpRequest(
            captured.method, captured.path, {}, {**emca.auth_headers("client-1", ctx.at), "emKey": EMKEY}, captured.body
        )
        opened = emca.open_create_certificates_request(
            request, envelope=env, registry=ctx.registry, auth_verifier=verifier, at=ctx.at
        )
        assert opened.client.user_name == "alice"
    same_headers = HttpRequest(captured.method, captured.path, {}, dict(request.headers), captured.body)
    with pytest.raises(emca.EmcaError):
        emca.open_create_certificates_request(
            same_headers, envelope=env, registry=ctx.registry, auth_verifier=verifier, at=ctx.at
        )
