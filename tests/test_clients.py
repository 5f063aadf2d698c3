"""CscClient, AdssClient and EmcaClient composing builders, one exchange and parsers, against the real
server halves (sans-I/O here; over HTTP in test_server.py): batching by multisign with one SAD per
batch, PENDING polling with a bounded backoff and deadline, the emCA exchange checked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from cryptokit.clients import AdssClient, CscClient, EmcaClient
from cryptokit.csr import build_csr
from cryptokit.envelope import Envelope
from cryptokit.errors import InputError, VerificationFailed
from cryptokit.hashing import hash_to_sign
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import HttpRequest, HttpResponse, adss, csc, emca
from cryptokit.server import AdssTokens, EmcaService
from tests.pki import make_cert, make_key, make_pki, name

DOCS = [f"document {i}".encode() for i in range(5)]


class Recorder:
    """A ``send`` that hands each request to a server half and keeps the paths it saw."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.paths: list[str] = []

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.paths.append(request.path.rsplit("/", 2)[-2] + "/" + request.path.rsplit("/", 1)[-1])
        response: HttpResponse = self.handle(request)
        return response


@pytest.mark.parametrize("version", [1, 2])
def test_csc_client_batches_by_multisign_with_one_sad_each(version: int) -> None:
    pki = make_pki("p256", label="clients")
    service = csc.EmbeddedCscSigner(
        KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), credential_id="c1", access_token="tk", scal=2, multisign=2
    )
    send = Recorder(service.handle)
    client = CscClient(send, access_token="tk", version=version)
    assert "tk" not in repr(client)
    assert client.credentials().credential_ids == ("c1",)
    info = client.credential("c1")
    hashes = [hash_to_sign(d) for d in DOCS]
    send.paths.clear()
    signatures = client.sign_hash(
        "c1", hashes, sign_algo="1.2.840.10045.4.3.2", credential=info, trust_anchors=[pki.root]
    )
    assert len(signatures) == 5
    assert send.paths == ["credentials/authorize", "signatures/signHash"] * 3  # 2 + 2 + 1 hashes
    from cryptokit.signatures import verify_digest

    for h, sig in zip(hashes, signatures, strict=True):
        verify_digest(pki.leaf, sig, h.digest, "sha256")


def test_csc_client_verification_failure_raises() -> None:
    pki, other = make_pki("p256", label="clients"), make_pki("p256", label="clients-other")
    service = csc.EmbeddedCscSigner(KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), credential_id="c1")
    client = CscClient(service.handle)
    with pytest.raises(VerificationFailed):
        client.sign_hash("c1", [hash_to_sign(b"x")], sign_algo="1.2.840.10045.4.3.2", trust_anchors=[other.root])
    with pytest.raises(InputError):
        client.sign_hash("c1", [], sign_algo="1.2.840.10045.4.3.2")
    with pytest.raises(InputError):
        CscClient("not callable")  # type: ignore[arg-type]


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def adss_service(pending_polls: int) -> tuple[Any, AdssTokens, Any]:
    pki = make_pki("rsa2048", label="clients")
    tokens = AdssTokens({"app": "app-secret"})
    signer = adss.EmbeddedSigner(
        KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)),
        cert_alias="alias",
        profile_id="prof",
        token=tokens.check,
        pending_polls=pending_polls,
    )

    def route(request: HttpRequest) -> HttpResponse:
        return tokens.handle(request) if request.path.endswith("/authenticate") else signer.handle(request)

    return pki, tokens, route


def test_adss_client_authenticates_and_polls_pending() -> None:
    pki, tokens, route = adss_service(pending_polls=4)
    fake = FakeTime()
    client = AdssClient(
        route,
        profile_id="prof",
        cert_alias="alias",
        poll_interval=0.5,
        max_interval=1.5,
        sleep=fake.sleep,
        clock=fake.clock,
    )
    with pytest.raises(InputError, match="authenticate first"):
        client.sign([hash_to_sign(b"x")])
    with pytest.raises(adss.AdssError):
        client.authenticate(client_id="app", client_secret="wrong")
    token = client.authenticate(client_id="app", client_secret="app-secret")
    assert tokens.check(token.access_token) and "app-secret" not in repr(client)
    hashes = [hash_to_sign(d) for d in DOCS[:3]]
    result = client.sign(hashes, certificate=pki.leaf, certificate_chain=pki.chain, trust_anchors=[pki.root])
    assert result.succeeded and len(result.signatures) == 3
    assert fake.slept == [0.5, 1.0, 1.5, 1.5]  # doubling, capped at max_interval


def test_adss_client_gives_up_at_the_deadline() -> None:
    _, _, route = adss_service(pending_polls=100)
    fake = FakeTime()
    client = AdssClient(
        route,
        profile_id="prof",
        cert_alias="alias",
        poll_interval=1,
        max_interval=4,
        poll_timeout=10,
        sleep=fake.sleep,
        clock=fake.clock,
    )
    client.authenticate(client_id="app", client_secret="app-secret")
    with pytest.raises(adss.AdssSigningError, match="PENDING"):
        client.sign([hash_to_sign(b"x")])
    assert sum(fake.slept) <= 10


def test_emca_client_issues_certificates() -> None:
    pki = make_pki("p256", label="clients")
    ca = KeyBundle(pki.intermediate_key, pki.intermediate, (pki.root,))
    client_key = make_key("p256", "clients-emca")
    signer = KeyBundle(client_key, make_cert(name("emca client"), client_key, pki.intermediate, pki.intermediate_key))
    envelope = Envelope(bytes(range(32)))
    registry = emca.InMemoryRegistry(profiles=["P1"])
    registry.register("alice", "pw-1", signer.certificate, allowed_ips=["127.0.0.1"])
    service = EmcaService(envelope=envelope, registry=registry, ca=ca)
    auth = emca.EmcaAuth(emkey="clients-emkey")  # mandatory (the seed: header emKey, presence M)
    client = EmcaClient(
        lambda r: service.handle(r, "127.0.0.1"),
        username="alice",
        password="pw-1",
        signer=signer,
        envelope=envelope,
        auth=auth,
    )
    assert "pw-1" not in repr(client)
    csr = build_csr(make_key("p256", "clients-subject"), "CN=Subject One,O=cryptokit")
    result = client.create_certificates(
        {"CSR-1": csr},
        application_id="A1",
        profile_id="P1",
        subscriber_id="S1",
        validity=emca.Validity(30, 0, 0, 0),
        valid_from=dt.datetime.now(dt.UTC).replace(microsecond=0),
    )
    assert result.ok and list(result.certificates) == ["CSR-1"]
    bad = EmcaClient(
        lambda r: service.handle(r, "127.0.0.1"),
        username="alice",
        password="wrong",
        signer=signer,
        envelope=envelope,
        auth=auth,
    )
    with pytest.raises(emca.EmcaError):
        bad.create_certificates({"CSR-1": csr}, application_id="A2", profile_id="P1", subscriber_id="S1")


@pytest.mark.parametrize("verified", [True, False])
def test_adss_client_declined_is_typed(verified: bool) -> None:
    pki = make_pki("rsa2048", label="clients")
    tokens = AdssTokens({"app": "app-secret"})
    signer = adss.EmbeddedSigner(
        KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)),
        cert_alias="alias",
        profile_id="prof",
        token=tokens.check,
        pending_polls=2,
        final_status="DECLINED",
    )

    def route(request: HttpRequest) -> HttpResponse:
        return tokens.handle(request) if request.path.endswith("/authenticate") else signer.handle(request)

    fake = FakeTime()
    client = AdssClient(route, profile_id="prof", cert_alias="alias", sleep=fake.sleep, clock=fake.clock)
    client.authenticate(client_id="app", client_secret="app-secret")
    check = {"certificate": pki.leaf, "certificate_chain": pki.chain, "trust_anchors": [pki.root]} if verified else {}
    with pytest.raises(adss.AdssSignDeclined):
        client.sign([hash_to_sign(b"x")], **check)


def test_connect_owns_its_transport_and_closes_it_a_given_send_stays_open() -> None:
    """A client made by ``connect`` closes the Transport it opened (``close`` or ``with``; again is a
    no-op); a client over a caller's ``send`` leaves it open for the caller."""
    pytest.importorskip("httpx")
    from cryptokit.transport import Transport

    made = [
        CscClient.connect("http://127.0.0.1:9", version=1),
        AdssClient.connect("http://127.0.0.1:9", profile_id="p"),
        EmcaClient.connect(
            "http://127.0.0.1:9", username="u", password="p", signer=_signer(), envelope=Envelope(bytes(32))
        ),
    ]
    for client in made:
        transport = client._send
        assert isinstance(transport, Transport) and not transport._client.is_closed
        with client as entered:
            assert entered is client
        assert transport._client.is_closed
        client.close()  # again: nothing left to close
    with Transport("http://127.0.0.1:9", timeout=5) as mine:
        CscClient(mine).close()
        with AdssClient(mine, profile_id="p"):
            pass
        assert not mine._client.is_closed


def _signer() -> KeyBundle:
    key = make_key("p256", "clients-emca")
    return KeyBundle(key, make_cert(name("emca client"), key))


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(200, {}, b"{}")


def _bad_client_calls() -> list[Any]:
    h = [hash_to_sign(b"x")]
    adss_kw: dict[str, Any] = {"profile_id": "p", "cert_alias": "a", "token": "t"}
    emca_kw: dict[str, Any] = {"username": "u", "password": "p", "signer": _signer(), "envelope": Envelope(bytes(32))}
    cases: list[tuple[str, Any]] = [
        ("send", lambda: CscClient(None)),  # type: ignore[arg-type]
        ("version", lambda: CscClient(_ok, version="2")),  # type: ignore[arg-type]
        ("access_token", lambda: CscClient(_ok, access_token=5)),  # type: ignore[arg-type]
        ("base_path", lambda: CscClient(_ok, base_path=5)),  # type: ignore[arg-type]
        ("base_path", lambda: csc.build_info_request(base_path=5)),  # type: ignore[arg-type]
        ("hashes", lambda: CscClient(_ok).sign_hash("c", None, sign_algo="1.2.840.10045.4.3.2")),  # type: ignore[arg-type]
        ("hashes", lambda: CscClient(_ok).sign_hash("c", 5, sign_algo="1.2.840.10045.4.3.2")),  # type: ignore[arg-type]
        ("hashes", lambda: CscClient(_ok).authorize("c", hashes=5)),  # type: ignore[arg-type]
        ("credential", lambda: CscClient(_ok).sign_hash("c", h, sign_algo="x", credential=object())),  # type: ignore[arg-type]
        ("trust_anchors", lambda: CscClient(_ok).sign_hash("c", h, sign_algo="x", trust_anchors=5)),  # type: ignore[arg-type]
        ("otp", lambda: CscClient(_ok).sign_hash("c", h, sign_algo="x", otp=5)),  # type: ignore[arg-type]
        ("cert_alias", lambda: AdssClient(_ok, profile_id="p", cert_alias=5)),  # type: ignore[arg-type]
        ("token", lambda: AdssClient(_ok, profile_id="p", token=5)),  # type: ignore[arg-type]
        ("sleep", lambda: AdssClient(_ok, profile_id="p", sleep=5)),  # type: ignore[arg-type]
        ("clock", lambda: AdssClient(_ok, profile_id="p", clock=None)),  # type: ignore[arg-type]
        ("hashes", lambda: AdssClient(_ok, **adss_kw).sign(None)),  # type: ignore[arg-type]
        ("certificate_chain", lambda: AdssClient(_ok, **adss_kw).sign(h, certificate_chain=5)),  # type: ignore[arg-type]
        ("trust_anchors", lambda: AdssClient(_ok, **adss_kw).sign(h, trust_anchors=5)),  # type: ignore[arg-type]
        ("username", lambda: EmcaClient(_ok, **{**emca_kw, "username": None})),
        ("password", lambda: EmcaClient(_ok, **{**emca_kw, "password": 5})),
        ("signer", lambda: EmcaClient(_ok, **{**emca_kw, "signer": None})),
        ("envelope", lambda: EmcaClient(_ok, **{**emca_kw, "envelope": bytes(32)})),
        ("application_id", lambda: EmcaClient(_ok, **emca_kw).create_certificates({})),
        ("transport", lambda: AdssClient.connect("http://127.0.0.1:9", profile_id="p", transport=[1])),  # type: ignore[arg-type]
        ("transport.timeuot", lambda: EmcaClient.connect("http://127.0.0.1:9", transport={"timeuot": 5}, **emca_kw)),
        ("timeout", lambda: CscClient.connect("http://127.0.0.1:9", timeout=None)),
        ("timeout", lambda: AdssClient.connect("http://127.0.0.1:9", profile_id="p", transport={"timeout": "5"})),
    ]
    return [pytest.param(field, call, id=f"{index}-{field}") for index, (field, call) in enumerate(cases)]


@pytest.mark.parametrize(("field", "call"), _bad_client_calls())
def test_wrong_option_values_are_input_errors_naming_the_field(field: str, call: Any) -> None:
    """Wrong-typed or missing option values of the clients (and what connect passes to its Transport)
    are InputErrors naming the field, not a TypeError/AttributeError from deep inside."""
    pytest.importorskip("httpx")
    with pytest.raises(InputError) as info:
        call()
    assert info.value.field == field


def test_connect_closes_its_transport_when_the_client_refuses_an_option(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("httpx")
    from cryptokit.transport import Transport

    closed: list[Transport] = []
    real_close = Transport.close

    def close(self: Transport) -> None:
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(Transport, "close", close)
    with pytest.raises(InputError):
        AdssClient.connect("http://127.0.0.1:9", profile_id="p", poll_timeout=-1)
    assert len(closed) == 1 and closed[0]._client.is_closed


def test_connect_has_the_transport_default_timeout() -> None:
    pytest.importorskip("httpx")
    with CscClient.connect("http://127.0.0.1:9") as client:
        assert client._send.timeout == 30.0  # type: ignore[attr-defined]
    with pytest.raises(InputError) as err:  # an unknown option name is bad input, as in transport={...}
        CscClient.connect("http://127.0.0.1:9", timeuot=5)
    assert err.value.field == "timeuot" and "timeout" in err.value.rule
