"""cryptokit.server over real HTTP on loopback: `cryptokit serve --demo` answered by the ADSS, CSC and
emCA clients over cryptokit.transport, plain and with mutual TLS (client certificate from
cryptokit.testing); secrets stay out of the command's output; the ASGI app's own routing and bounds."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest

pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

from cryptokit.certificates import load_certificates
from cryptokit.chain import validate_chain
from cryptokit.clients import AdssClient, CscClient, EmcaClient
from cryptokit.csr import build_csr
from cryptokit.envelope import Envelope
from cryptokit.errors import TransportError
from cryptokit.hashing import hash_to_sign
from cryptokit.pkcs12 import load_pfx
from cryptokit.protocols import HttpRequest, HttpResponse, csc, emca, onespan, signer_digital
from cryptokit.server import ServiceApp, demo_app
from cryptokit.transport import Transport
from tests.pki import make_key
from tests.servers import cryptokit_serve

pytestmark = pytest.mark.slow


def flows(url: str, creds: dict[str, Any], transport: dict[str, Any]) -> None:
    root = load_certificates(Path(creds["root"]).read_bytes())[0]
    hashes = [hash_to_sign(f"doc {i}".encode()) for i in range(3)]

    # CSC: list, info (SCAL 2), authorize bound to the hashes, signHash, verified to the root
    c = creds["csc"]
    client = CscClient.connect(url, access_token=c["access_token"], version=1, **transport)
    assert client.info().name == "cryptokit serve"
    assert client.credentials().credential_ids == (c["credential_id"],)
    info = client.credential(c["credential_id"])
    assert info.scal == "2"
    sigs = client.sign_hash(c["credential_id"], hashes, sign_algo=csc.RSASSA_PSS, credential=info, trust_anchors=[root])
    assert len(sigs) == 3

    # ADSS: client_credentials token, sign request answered PENDING then polled to SUCCESS, verified
    a = creds["adss"]
    adss_client = AdssClient.connect(
        url, profile_id=a["profile_id"], cert_alias=a["cert_alias"], poll_interval=0.05, transport=transport
    )
    adss_client.authenticate(client_id=a["client_id"], client_secret=a["client_secret"])
    result = adss_client.sign(hashes, certificate=info.certificate, certificate_chain=info.chain, trust_anchors=[root])
    assert result.succeeded and len(result.signatures) == 3

    # emCA: the multiple-CSR exchange from 127.0.0.1 with emKey + AuthKey, certificates chained to the root
    e = creds["emca"]
    bundle = load_pfx(Path(e["pfx"]).read_bytes(), e["pfx_password"])
    emca_client = EmcaClient.connect(
        url,
        transport=transport,
        username=e["username"],
        password=e["password"],
        signer=bundle,
        envelope=Envelope.from_key_text(e["envelope_key"]),
        auth=emca.EmcaAuth(emkey=e["emkey"], client_id=e["username"]),
    )
    csr = build_csr(make_key("p256", "serve-subject"), "CN=Served Subject,O=cryptokit")
    issued = emca_client.create_certificates(
        {"CSR-1": csr},
        application_id="app-1",
        profile_id=e["profile_id"],
        subscriber_id="sub-1",
        validity=emca.Validity(10, 0, 0, 0),
        valid_from=dt.datetime.now(dt.UTC).replace(microsecond=0),
    )
    cert = issued.certificates["CSR-1"].certificate
    assert validate_chain(cert, intermediates=issued.extra, trust_anchors=[root]).ok
    for opened in (client, adss_client, emca_client):
        opened.close()

    with Transport(url, **transport) as send:
        onespan_flow(send, creds)
        signer_digital_flow(send, creds)


Send = Callable[[HttpRequest], HttpResponse]


def onespan_flow(send: Send, creds: dict[str, Any]) -> None:
    """OneSpan: a pushed transaction's message fetched (once), then completed with its e-signature
    for its user; the request key is single-use and another API key is refused."""
    o = creds["onespan"]
    tx = o["transactions"][0]
    fetch = onespan.build_get_prepared_signature_request(
        request_key=tx["request_key"], serial_number=o["serial_number"], api_key=o["api_key"]
    )
    answer = send(fetch)
    assert onespan.parse_prepared_signature_response(answer.status, answer.body).message.startswith(b"demo transaction")
    auth = onespan.build_auth_signature_request(
        user_id=o["user_id"], request_key=tx["request_key"], signature=tx["signature"], api_key=o["api_key"]
    )
    answer = send(auth)
    assert onespan.parse_response(answer.status, answer.body, request=auth).result["userID"] == o["user_id"]
    again = send(auth)
    with pytest.raises(onespan.OneSpanRequestNotFound):
        onespan.parse_response(again.status, again.body, request=auth)
    other = o["transactions"][1]
    wrong_key = onespan.build_auth_signature_request(
        user_id=o["user_id"], request_key=other["request_key"], signature=other["signature"], api_key="not-the-key"
    )
    assert send(wrong_key).status == 401


def signer_digital_flow(send: Send, creds: dict[str, Any]) -> None:
    """Signer.Digital: the Sign call answered with the OTP demand, GenKeyAuthOTP, the OTP read from the
    demo's "phone" file, SetKeyAuthOTP, and the Sign call retried through; a wrong password is refused."""
    d = creds["signer_digital"]
    who = {"CscId": d["csc_id"], "Password": d["password"]}
    sign = HttpRequest("POST", d["sign_path"], {}, who, orjson.dumps({"KeyLabel": d["key_label"]}))
    flow = signer_digital.KeyAuthFlow(sign, key_label=d["key_label"], csc_id=d["csc_id"], password=d["password"])
    step: object = flow.start()
    while isinstance(step, (HttpRequest, signer_digital.AwaitingOtp)):
        if isinstance(step, HttpRequest):
            answer = send(step)
            step = flow.receive(answer.status, answer.body)
        else:
            with open(d["otp_file"], encoding="ascii") as phone:
                step = flow.submit_otp(phone.read().strip())
    assert isinstance(step, signer_digital.Completed) and step.otp_authorized
    refused = send(HttpRequest("POST", d["sign_path"], {}, {**who, "Password": "wrong"}, sign.body))
    assert refused.status == 401


def test_serve_demo_over_http() -> None:
    with cryptokit_serve() as served:
        flows(served["url"], served["creds"], {"timeout": 30})
        # what the command printed holds no secret
        printed = json.dumps({k: v for k, v in served.items() if k != "creds"})
        for secret in (
            served["creds"]["csc"]["access_token"],
            served["creds"]["adss"]["client_secret"],
            served["creds"]["emca"]["password"],
            served["creds"]["emca"]["envelope_key"],
            served["creds"]["onespan"]["api_key"],
            *(tx["signature"] for tx in served["creds"]["onespan"]["transactions"]),
            served["creds"]["signer_digital"]["password"],
        ):
            assert secret not in printed
        with Transport(served["url"], timeout=10) as send:
            missing = send(HttpRequest("POST", "/nowhere", body=b"{}"))
            assert missing.status == 404 and b"/nowhere" in missing.body
            unknown = send(HttpRequest("POST", "/csc/v1/signatures/timestamp", {}, {}, b"{}"))
            assert unknown.status == 404 and b"signatures/timestamp" in unknown.body


def test_serve_demo_over_mutual_tls() -> None:
    with cryptokit_serve(tls=True) as served:
        tls = served["creds"]["tls"]
        transport = {"timeout": 30, "verify": tls["ca"], "client_cert": (tls["client_cert"], tls["client_key"])}
        flows(served["url"], served["creds"], transport)
        with Transport(served["url"], timeout=10, verify=tls["ca"], retries=0) as send:  # no client certificate
            with pytest.raises(TransportError) as info:
                send(HttpRequest("POST", "/csc/v1/info", body=b"{}"))
            assert info.value.kind in ("tls", "connect", "protocol")


def call(
    app: ServiceApp,
    method: str,
    path: str,
    body: bytes,
    headers: list[tuple[bytes, bytes]] | None = None,
    chunks: int = 1,
    query: bytes = b"",
) -> tuple[int, bytes]:
    """Drive the ASGI app directly (no server): the answer's status and body (its headers: :data:`LAST_HEADERS`)."""
    sent: list[dict[str, Any]] = []
    parts = [body[i::chunks] for i in range(chunks)] if chunks > 1 else [body]
    messages = [{"type": "http.request", "body": p, "more_body": i < len(parts) - 1} for i, p in enumerate(parts)]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "query_string": query,
        "headers": headers or [],
        "client": ("127.0.0.1", 5000),
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    LAST_HEADERS[:] = sent[0]["headers"]
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


#: The headers of the answer :func:`call` last received.
LAST_HEADERS: list[tuple[bytes, bytes]] = []


def test_asgi_app_routes_and_bounds() -> None:
    from cryptokit.pkcs12 import KeyBundle
    from tests.pki import make_pki

    pki = make_pki("p256", label="asgi")
    signer = csc.EmbeddedCscSigner(KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), credential_id="c")
    app = ServiceApp(csc=signer, max_body=1024)
    status, body = call(app, "POST", "/csc/v2/info", b"{}")
    assert status == 200 and csc.parse_info_response(status, body).name
    assert call(app, "POST", "/adss/service/csp/v2/sign/request", b"{}")[0] == 404  # ADSS not mounted
    assert call(app, "POST", "/csc/v2/credentials/list", b"x" * 2000, chunks=3)[0] == 413
    assert call(app, "POST", "/csc/v2/credentials/list", b"{}", [(b"content-length", b"99999")])[0] == 413
    with pytest.raises(Exception, match="server half"):
        ServiceApp(csc=object())
    with pytest.raises(Exception, match="serves"):
        ServiceApp(onespan=signer)  # a half mounted by path must say which paths it answers


def asgi_sender(app: ServiceApp) -> Send:
    """Send an HttpRequest through the ASGI app with :func:`call` (headers and query as a server gives them)."""

    def send(request: HttpRequest) -> HttpResponse:
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request.headers.items()]
        query = urlencode(request.query).encode("ascii")
        status, body = call(app, request.method, request.path, request.body, headers, query=query)
        return HttpResponse(status, {k.decode("latin-1"): v.decode("latin-1") for k, v in LAST_HEADERS}, body)

    return send


def test_demo_app_mounts_onespan_and_signer_digital(tmp_path: Path) -> None:
    """The demo app answers the OneSpan and Signer.Digital clients' requests through the ASGI app,
    next to the other halves, and says so in its repr."""
    app, creds = demo_app(str(tmp_path))
    assert repr(app) == "ServiceApp(csc, adss, emca, onespan, signer_digital)"
    send = asgi_sender(app)
    onespan_flow(send, creds)
    signer_digital_flow(send, creds)
    # paths the two halves do not serve are still the app's 404
    assert send(HttpRequest("POST", "/rest/v2/other/push", {}, {}, b"{}")).status == 404
    assert send(HttpRequest("POST", "/signer/Other", {}, {}, b"{}")).status == 404


def _bad_server_calls() -> list[Any]:
    from cryptokit.server import AdssTokens, EmcaService, run_demo_server

    env = {"envelope": Envelope(bytes(32)), "registry": emca.InMemoryRegistry(profiles=["P1"]), "ca": None}
    cases: list[tuple[str, Callable[[], object]]] = [
        ("max_tokens", lambda: AdssTokens({"a": "b"}, max_tokens=0)),  # was a StopIteration out of handle()
        ("max_tokens", lambda: AdssTokens({"a": "b"}, max_tokens="10")),  # type: ignore[arg-type]
        ("clock", lambda: AdssTokens({"a": "b"}, clock=5)),  # type: ignore[arg-type]
        ("methods", lambda: EmcaService(methods=5, **env)),  # type: ignore[arg-type]
        ("methods", lambda: EmcaService(methods="getCertificateByRequestID", **env)),  # type: ignore[arg-type]
        ("http_request", lambda: ServiceApp().route(None)),  # type: ignore[arg-type]
        ("http_request", lambda: AdssTokens({"a": "b"}).handle(None)),  # type: ignore[arg-type]
        ("folder", lambda: demo_app(None)),  # type: ignore[arg-type]
        ("folder", lambda: demo_app("/nonexistent/cryptokit-demo")),
        # max_seconds bounds each call should the check ever go: a server would stop, not hang the suite
        ("port", lambda: run_demo_server(port="8780", max_seconds=0.1)),  # type: ignore[arg-type]
        ("port", lambda: run_demo_server(port=70000, max_seconds=0.1)),
        ("folder", lambda: run_demo_server(port=0, folder=5, max_seconds=0.1)),  # type: ignore[arg-type]
        ("max_seconds", lambda: run_demo_server(port=0, max_seconds=-1)),
        ("announce", lambda: run_demo_server(port=0, announce=5, max_seconds=0.1)),  # type: ignore[arg-type]
    ]
    return [pytest.param(field, call, id=f"{index}-{field}") for index, (field, call) in enumerate(cases)]


@pytest.mark.parametrize(("field", "call"), _bad_server_calls())
def test_wrong_option_values_are_input_errors_naming_the_field(field: str, call: Callable[[], object]) -> None:
    """Wrong option values of the server's public constructors and functions are InputErrors naming
    the field, refused before anything is served or written (they were TypeErrors, a StopIteration
    from AdssTokens.handle, a FileNotFoundError from demo_app)."""
    from cryptokit.errors import InputError

    with pytest.raises(InputError) as info:
        call()
    assert info.value.field == field


@pytest.mark.parametrize("option", ["source_ip", "http_request", "emkey_secrett"])
def test_emca_service_refuses_options_it_cannot_pass_on_when_built(option: str) -> None:
    """An option the emCA half cannot take is refused when EmcaService is built (an unknown one was
    an InputError on every request, answered as a 500; source_ip a TypeError out of route)."""
    from cryptokit.errors import InputError
    from cryptokit.server import EmcaService

    env = {"envelope": Envelope(bytes(32)), "registry": emca.InMemoryRegistry(profiles=["P1"]), "ca": None}
    with pytest.raises(InputError) as info:
        EmcaService(**env, **{option: "x"})
    assert info.value.field == "options" and option in str(info.value)
    assert EmcaService(**env, emkey_secret="k").serves("/x/getCertificateByRequestID")


def test_csc_half_base_path_must_be_text() -> None:
    from cryptokit.errors import InputError
    from cryptokit.pkcs12 import KeyBundle
    from cryptokit.protocols.csc.server import parse_sign_hash_http_request
    from cryptokit.testing import make_pki

    pki = make_pki("p256", label="csc base path")
    with pytest.raises(InputError) as info:
        csc.EmbeddedCscSigner(KeyBundle(pki.leaf_key, pki.leaf), credential_id="c", base_path=5)  # type: ignore[arg-type]
    assert info.value.field == "base_path"
    with pytest.raises(InputError) as again:
        parse_sign_hash_http_request(HttpRequest("POST", "/x", body=b"{}"), base_path=5)  # type: ignore[arg-type]
    assert again.value.field == "base_path"
