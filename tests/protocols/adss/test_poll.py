"""ADSS SignStatusPoller: PENDING -> final status, sans-I/O, against EmbeddedSigner and the guide's bodies.

A fake clock drives the deadline: no test sleeps.
"""

from __future__ import annotations

import json
import pickle
from typing import Any

import orjson
import pytest

from cryptokit.encoding import b64encode
from cryptokit.errors import InputError, VerificationFailed
from cryptokit.hashing import hash_to_sign
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import HttpRequest, adss
from cryptokit.protocols.adss import Poll, PollState, Signed, SignStatusPoller
from cryptokit.report import SubIndication
from cryptokit.signatures import sign_digest
from tests.pki import Pki, make_pki

TOKEN = "2YotnFZFEjr1zCsicMWpAA"
RENEWED = "tGzv3JOkF0XG5Qx2TIKWIA"
PROFILE = "CSP Service Profile"
ALIAS = "o5eaqqdi9htel7vj6s63ai4j4chlpqt"
HASHES = [hash_to_sign(b"invoice 1"), hash_to_sign(b"invoice 2", "sha384")]
# Guide 7.2: the status answers (the sample's signature values replaced by real ones where needed).
PENDING = b'{ "status": "PENDING" }'
ERROR_60045 = b'{ "error": "60045", "error_description": "Failed to process request - Invalid or expired token" }'


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki("rsa2048", label="adss-poll")


def sign_request(token: str = TOKEN) -> HttpRequest:
    return adss.build_sign_request(HASHES, profile_id=PROFILE, cert_alias=ALIAS, token=token)


def poller(pki: Pki, clock: Clock, /, **options: Any) -> SignStatusPoller:
    options.setdefault("token", TOKEN)
    options.setdefault("clock", clock)
    request_id = options.pop("request_id", "1613630666")
    return SignStatusPoller(
        sign_request(),
        request_id,
        profile_id=PROFILE,
        certificate=pki.leaf,
        certificate_chain=pki.chain,
        trust_anchors=[pki.root],
        **options,
    )


def success_body(pki: Pki, **sign_options: Any) -> bytes:
    sigs = [sign_digest(pki.leaf_key, h.digest, h.algorithm, **sign_options) for h in HASHES]
    return orjson.dumps({"status": "SUCCESS", "signatures": [{"signature_base64": b64encode(s)} for s in sigs]})


def test_polls_embedded_signer_from_pending_to_verified_success(pki: Pki) -> None:
    service = adss.EmbeddedSigner(
        KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), cert_alias=ALIAS, token=TOKEN, pending_polls=4
    )
    req = sign_request()
    first = service.handle(req)
    result = adss.parse_sign_response(first.status, first.body)
    assert result.status is adss.SignStatus.PENDING and result.request_id
    clock = Clock()
    p = SignStatusPoller.for_answer(
        req,
        result,
        profile_id=PROFILE,
        token=TOKEN,
        certificate=pki.leaf,
        certificate_chain=pki.chain,
        trust_anchors=[pki.root],
        require_scheme="pkcs1v15",
        clock=clock,
    )
    step = p.start()
    delays = []
    while isinstance(step, Poll):
        assert p.state is PollState.WAITING
        assert (step.request.method, step.request.path) == ("POST", "/adss/service/csp/v2/sign/status")
        assert json.loads(step.request.body) == {"profile_id": PROFILE, "request_id": result.request_id}
        assert step.request.header("Authorization") == f"Bearer {TOKEN}"
        delays.append(step.delay)
        clock.sleep(step.delay)
        answer = service.handle(step.request)
        step = p.receive(answer.status, answer.body)
    assert isinstance(step, Signed) and p.state is PollState.DONE
    assert delays == [1.0, 2.0, 4.0, 8.0]  # bounded exponential backoff, one poll per PENDING answer
    assert step.report.ok and [d.scheme for d in step.report.documents] == ["pkcs1v15", "pkcs1v15"]
    assert step.signatures == step.result.signatures and len(step.signatures) == 2
    assert p.attempts == 4
    assert TOKEN not in repr(p) and TOKEN not in repr(step)


def test_backoff_is_capped_and_the_deadline_bounds_every_delay(pki: Pki) -> None:
    clock = Clock()
    p = poller(pki, clock, first_delay=0.5, backoff=3.0, max_delay=5.0, deadline=20.0)
    step = p.start()
    delays = []
    with pytest.raises(adss.AdssPollTimeout) as info:
        while True:
            assert isinstance(step, Poll)
            delays.append(step.delay)
            clock.sleep(step.delay + 0.25)  # each round trip takes a quarter second
            step = p.receive(200, PENDING)
    assert delays == [0.5, 1.5, 4.5, 5.0, 5.0, pytest.approx(20 - 5 * 0.25 - 16.5)]
    assert sum(delays) + 0.25 * len(delays) >= 20.0
    err = info.value
    assert isinstance(err, adss.AdssSignTimeout) and isinstance(err, adss.AdssSigningError)
    assert (err.status, err.request_id, err.code) == ("TIMEOUT", "1613630666", None)
    assert "still PENDING at the 20 s deadline (6 polls)" in str(err)
    assert p.state is PollState.FAILED
    with pytest.raises(InputError):
        p.receive(200, PENDING)


def test_max_polls_bounds_the_loop(pki: Pki) -> None:
    clock = Clock()
    p = poller(pki, clock, first_delay=0.0, max_delay=0.0, max_polls=3, deadline=86_400)
    step = p.start()
    with pytest.raises(adss.AdssPollTimeout, match="after max_polls=3"):
        for _ in range(10):
            assert isinstance(step, Poll) and step.delay == 0.0
            step = p.receive(200, PENDING)
    assert p.attempts == 3


@pytest.mark.parametrize(
    ("body", "cls"),
    [
        (b'{ "status": "TIMEOUT" }', adss.AdssSignTimeout),
        (b'{ "status": "DECLINED" }', adss.AdssSignDeclined),
        (b'{ "status": "FAILED" }', adss.AdssSignFailed),
    ],
)
def test_final_statuses_without_signatures_are_typed_errors(pki: Pki, body: bytes, cls: type[Exception]) -> None:
    clock = Clock()
    p = poller(pki, clock)
    step = p.start()
    assert isinstance(step, Poll)
    step = p.receive(200, PENDING)
    with pytest.raises(cls) as info:
        p.receive(200, body)
    err = info.value
    assert type(err) is cls and not isinstance(err, adss.AdssPollTimeout)
    assert isinstance(err, adss.AdssSignStatusError) and isinstance(err, adss.AdssSigningError)
    status = json.loads(body)["status"]
    assert (err.status, err.request_id) == (status, "1613630666")
    assert p.state is PollState.FAILED
    with pytest.raises(InputError):
        p.resume()
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is cls and (again.status, again.request_id, str(again)) == (status, "1613630666", str(err))
    # the same statuses in the direct answer of /v2/sign/request raise before any poll
    direct = adss.parse_sign_response(200, orjson.dumps({"request_id": "77", "status": status}))
    with pytest.raises(cls) as info:
        SignStatusPoller.for_answer(
            sign_request(), direct, profile_id=PROFILE, token=TOKEN, certificate=pki.leaf, trust_anchors=[pki.root]
        )
    assert info.value.request_id == "77"  # type: ignore[attr-defined]
    with pytest.raises(cls):
        adss.raise_for_sign_status(direct)


def test_success_is_verified_like_a_direct_answer(pki: Pki) -> None:
    clock = Clock()
    # a correct SUCCESS status answer passes
    p = poller(pki, clock)
    p.start()
    signed = p.receive(200, success_body(pki))
    assert isinstance(signed, Signed) and signed.report.ok
    # a PSS answer fails under require_scheme, naming the scheme found
    p = poller(pki, clock, require_scheme="pkcs1v15")
    p.start()
    with pytest.raises(VerificationFailed, match="verified as pss, not the required pkcs1v15") as info:
        p.receive(200, success_body(pki, scheme="pss"))
    assert info.value.report.sub_indication is SubIndication.CRYPTO_CONSTRAINTS_FAILURE
    assert p.state is PollState.FAILED
    # signatures by another key fail closed
    other = make_pki("rsa2048", label="adss-poll-other")
    p = poller(pki, clock)
    p.start()
    with pytest.raises(VerificationFailed):
        p.receive(200, success_body(other))
    # a SUCCESS answer of /v2/sign/request is verified by start() without any poll
    direct = adss.parse_sign_response(200, success_body(pki)[:1] + b'"request_id":"9",' + success_body(pki)[1:])
    p = SignStatusPoller.for_answer(
        sign_request(),
        direct,
        profile_id=PROFILE,
        token=TOKEN,
        certificate=pki.leaf,
        trust_anchors=[pki.root],
        certificate_chain=pki.chain,
    )
    done = p.start()
    assert isinstance(done, Signed) and done.report.ok and p.attempts == 0


def test_invalid_token_interrupts_and_resume_sends_the_renewed_token_at_once(pki: Pki) -> None:
    clock = Clock()
    p = poller(pki, clock)
    step = p.start()
    assert isinstance(step, Poll)
    clock.sleep(step.delay)
    with pytest.raises(adss.AdssInvalidToken):
        p.receive(401, ERROR_60045)
    assert p.state is PollState.INTERRUPTED
    with pytest.raises(InputError):
        p.receive(200, PENDING)  # nothing was sent
    renewed = adss.Token(RENEWED, expires_in=3600)
    retry = p.resume(token=renewed)
    assert retry.delay == 0.0 and retry.attempt == 2
    assert retry.request.header("Authorization") == f"Bearer {RENEWED}"
    nxt = p.receive(200, PENDING)
    assert isinstance(nxt, Poll) and nxt.delay == 2.0 and nxt.request.header("Authorization") == f"Bearer {RENEWED}"
    # a transient error (60001, a proxy page) resumes with the usual backoff and the same token
    with pytest.raises(adss.AdssServiceError):
        p.receive(500, b'{ "error": "60001", "error_description": "Detailed error message" }')
    later = p.resume()
    assert later.delay == 4.0 and later.request.header("Authorization") == f"Bearer {RENEWED}"
    with pytest.raises(InputError):
        p.receive(200, b"<html>not json</html>")
    assert p.state is PollState.INTERRUPTED
    assert RENEWED not in repr(p)


def test_misuse_and_arguments(pki: Pki) -> None:
    clock = Clock()
    p = poller(pki, clock)
    with pytest.raises(InputError):
        p.receive(200, PENDING)  # before start
    with pytest.raises(InputError):
        p.resume()
    p.start()
    with pytest.raises(InputError):
        p.start()
    for bad, field in [
        ({"deadline": 0}, "deadline"),
        ({"deadline": float("inf")}, "deadline"),
        ({"first_delay": -1}, "first_delay"),
        ({"first_delay": 10, "max_delay": 5}, "max_delay"),
        ({"backoff": 0.5}, "backoff"),
        ({"backoff": True}, "backoff"),
        ({"max_polls": 0}, "max_polls"),
        ({"max_polls": 1.5}, "max_polls"),
        ({"clock": 3}, "clock"),
        ({"token": "bad token\r\n"}, "token"),
        ({"request_id": ""}, "request_id"),
    ]:
        with pytest.raises(InputError) as info:
            poller(pki, clock, **bad)
        assert info.value.field == field
    with pytest.raises(InputError) as info:
        SignStatusPoller.for_answer(sign_request(), "PENDING", profile_id=PROFILE, token=TOKEN)  # type: ignore[arg-type]
    assert info.value.field == "result"


def test_ocsp_responses_reach_the_verification_of_a_success(pki: Pki) -> None:
    """ocsp_responses= (next to crls=) is applied to the SUCCESS answer's chain check: a good answer
    satisfies require_revocation, a revoked one fails closed as REVOKED."""
    from cryptography.x509 import ocsp

    from cryptokit.chain import ChainPolicy
    from tests.chain.test_ocsp import _good_for_inter, _resp
    from tests.pki import DAY, NOW

    policy = ChainPolicy.document_signing(require_revocation=True)
    for_ca = _good_for_inter(pki)
    good = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key)
    revoked = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key, ocsp.OCSPCertStatus.REVOKED,
                    revoked_at=NOW - DAY)  # fmt: skip
    clock = Clock()
    p = poller(pki, clock, policy=policy, at=NOW, ocsp_responses=[good, for_ca])
    p.start()
    signed = p.receive(200, success_body(pki))
    assert isinstance(signed, Signed) and signed.report.ok
    p = poller(pki, clock, policy=policy, at=NOW)
    p.start()
    with pytest.raises(VerificationFailed) as info:  # no revocation source: not verified
        p.receive(200, success_body(pki))
    assert info.value.report.sub_indication is SubIndication.TRY_LATER
    p = poller(pki, clock, policy=policy, at=NOW, ocsp_responses=[revoked, for_ca])
    p.start()
    with pytest.raises(VerificationFailed) as info:
        p.receive(200, success_body(pki))
    assert info.value.report.sub_indication is SubIndication.REVOKED
