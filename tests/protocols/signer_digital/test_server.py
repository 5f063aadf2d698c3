"""Signer.Digital server half: KeyAuthFlow walked end to end against EmbeddedSigner, refusals as
RespErrPl answers the client half reads back, and no password or OTP in any answer or repr."""

from __future__ import annotations

import orjson
import pytest

from cryptokit.errors import InputError, KeyAuthOtpRequired
from cryptokit.protocols import HttpRequest, HttpResponse
from cryptokit.protocols import signer_digital as sd
from cryptokit.protocols.signer_digital import (
    TRANSITIONS,
    AwaitingOtp,
    Completed,
    EmbeddedSigner,
    Failed,
    FlowState,
    InMemoryKeyAuthBackend,
    KeyAuthFlow,
    SignerDigitalError,
)

CSC_ID = "CSC-000123"
PASSWORD = "Pa55-w0rd-Kluis!"
OTP = "472913"
KEY = "InvoiceSigner"
SIGN_PATH = "/signer/SignV1/Sign"
SIGNED = b'{"Status_cd": "1", "SignedData": "c2lnbmVk"}'


def sign_request(password: str = PASSWORD, key: str = KEY) -> HttpRequest:
    body = orjson.dumps({"KeyLabel": key})
    return HttpRequest("POST", SIGN_PATH, {}, {"CscId": CSC_ID, "Password": password}, body)


def backend(otp: str = OTP) -> InMemoryKeyAuthBackend:
    return InMemoryKeyAuthBackend({CSC_ID: PASSWORD}, {CSC_ID: [KEY]}, otp_factory=lambda: otp)


def server(be: InMemoryKeyAuthBackend, **options: object) -> EmbeddedSigner:
    return EmbeddedSigner(be, sign_path=SIGN_PATH, sign=lambda _r: HttpResponse(200, {}, SIGNED), **options)  # type: ignore[arg-type]


def send(srv: EmbeddedSigner, request: HttpRequest) -> tuple[int, bytes]:
    answer = srv.handle(request)
    return answer.status, answer.body


def walk(srv: EmbeddedSigner, flow: KeyAuthFlow, otp_of: object, seen: set[tuple[FlowState, FlowState]]) -> object:
    """Drive ``flow`` against ``srv``, recording every (state before, state after) move."""
    step: object = flow.start()
    while True:
        if isinstance(step, HttpRequest):
            before = flow.state
            step = flow.receive(*send(srv, step))
            seen.add((before, flow.state))
        elif isinstance(step, AwaitingOtp):
            step = flow.submit_otp(otp_of() if callable(otp_of) else str(otp_of))
        else:
            return step


def test_flow_end_to_end_otp_required_sent_completed() -> None:
    be = backend()
    srv = server(be)
    seen: set[tuple[FlowState, FlowState]] = set()
    flow = KeyAuthFlow(sign_request(), key_label=KEY, csc_id=CSC_ID, password=PASSWORD)
    outcome = walk(srv, flow, lambda: be.sent_otp(CSC_ID, KEY), seen)
    assert isinstance(outcome, Completed) and outcome.otp_authorized and outcome.body == SIGNED
    assert seen == {
        (FlowState.SIGNING, FlowState.GENERATING),
        (FlowState.GENERATING, FlowState.AWAITING_OTP),
        (FlowState.SUBMITTING, FlowState.RETRYING),
        (FlowState.RETRYING, FlowState.DONE),
    }
    # authorized now: the next Sign call goes straight through
    flow = KeyAuthFlow(sign_request(), key_label=KEY, csc_id=CSC_ID, password=PASSWORD)
    again = walk(srv, flow, OTP, seen)
    assert isinstance(again, Completed) and not again.otp_authorized


@pytest.mark.parametrize("where", ["headers", "query"])
def test_flow_with_options_credentials_base_path_and_profile(where: str) -> None:
    be = backend()
    srv = server(be, base_path="/kluis/v1/", csc_id_header="X-Csc-Id", password_header="X-Pwd")
    options = {"credentials_in": where, "base_path": "/kluis/v1", "client_app_profile": "MyBillingERP"}
    if where == "headers":
        options |= {"csc_id_header": "X-Csc-Id", "password_header": "X-Pwd"}
    gen = sd.build_gen_key_auth_otp_request(
        key_label=KEY,
        csc_id=CSC_ID,
        password=PASSWORD,
        profile_param="CertProfileName",
        **options,  # type: ignore[arg-type]
    )
    assert sd.parse_response(*send(srv, gen)).ok
    assert be.sent_otp(CSC_ID, KEY, "MyBillingERP") == OTP
    otp_set = sd.build_set_key_auth_otp_request(otp=OTP, key_label=KEY, csc_id=CSC_ID, password=PASSWORD, **options)  # type: ignore[arg-type]
    assert sd.parse_response(*send(srv, otp_set)).ok
    # the authorization is for that profile only
    profiled = HttpRequest(
        "POST",
        SIGN_PATH,
        {},
        {"X-Csc-Id": CSC_ID, "X-Pwd": PASSWORD},
        orjson.dumps({"KeyLabel": KEY, "ClientAppProfName": "MyBillingERP"}),
    )
    assert send(srv, profiled) == (200, SIGNED)
    with pytest.raises(KeyAuthOtpRequired):
        sd.raise_for_sign_answer(
            *send(srv, HttpRequest("POST", SIGN_PATH, {}, dict(profiled.headers), orjson.dumps({"KeyLabel": KEY})))
        )


def test_wrong_otp_fails_then_a_new_flow_succeeds() -> None:
    be = backend()
    srv = server(be)
    seen: set[tuple[FlowState, FlowState]] = set()
    flow = KeyAuthFlow(sign_request(), key_label=KEY, csc_id=CSC_ID, password=PASSWORD)
    failed = walk(srv, flow, "000000", seen)
    assert isinstance(failed, Failed) and failed.stage == "set_otp"
    assert isinstance(failed.error, SignerDigitalError) and failed.error.http_status == 403
    assert (FlowState.SUBMITTING, FlowState.FAILED) in seen
    assert be.sent_otp(CSC_ID, KEY) is None  # the OTP was good for one try
    # the retry: a new flow, a new OTP
    retry = KeyAuthFlow(sign_request(), key_label=KEY, csc_id=CSC_ID, password=PASSWORD)
    assert isinstance(walk(srv, retry, OTP, seen), Completed)


def test_every_transition_the_server_can_cause() -> None:
    seen: set[tuple[FlowState, FlowState]] = set()
    be = backend()
    srv = server(be)
    # SIGNING -> FAILED: bad credentials on the Sign call
    bad = walk(srv, KeyAuthFlow(sign_request("wrong"), key_label=KEY, csc_id=CSC_ID, password="wrong"), OTP, seen)
    assert isinstance(bad, Failed) and bad.stage == "sign" and bad.error.http_status == 401  # type: ignore[attr-defined]
    # GENERATING -> FAILED: a key label the CSC does not hold
    other = walk(
        srv, KeyAuthFlow(sign_request(key="Other"), key_label="Other", csc_id=CSC_ID, password=PASSWORD), OTP, seen
    )
    assert isinstance(other, Failed) and other.stage == "gen_otp"
    # SUBMITTING -> FAILED, then the documented path, then SIGNING -> DONE
    walk(srv, KeyAuthFlow(sign_request(), key_label=KEY, csc_id=CSC_ID, password=PASSWORD), "1", seen)
    walk(srv, KeyAuthFlow(sign_request(), key_label=KEY, csc_id=CSC_ID, password=PASSWORD), OTP, seen)
    walk(srv, KeyAuthFlow(sign_request(), key_label=KEY, csc_id=CSC_ID, password=PASSWORD), OTP, seen)

    # RETRYING -> FAILED: the key is still locked after the OTP (a second demand)
    class Stubborn(InMemoryKeyAuthBackend):
        def otp_required(self, csc_id: str, request: HttpRequest) -> str | None:
            return "OA04"

    stubborn = Stubborn({CSC_ID: PASSWORD}, {CSC_ID: [KEY]}, otp_factory=lambda: OTP)
    last = walk(
        server(stubborn), KeyAuthFlow(sign_request(), key_label=KEY, csc_id=CSC_ID, password=PASSWORD), OTP, seen
    )
    assert isinstance(last, Failed) and last.stage == "retry" and isinstance(last.error, KeyAuthOtpRequired)
    receive_moves = {(s, t) for (s, m), targets in TRANSITIONS.items() if m == "receive" for t in targets}
    assert seen == receive_moves


def test_bad_credentials_on_key_auth_calls() -> None:
    srv = server(backend())
    gen = sd.build_gen_key_auth_otp_request(key_label=KEY, csc_id=CSC_ID, password="not-it")
    status, body = send(srv, gen)
    assert status == 401
    with pytest.raises(SignerDigitalError) as caught:
        sd.parse_response(status, body)
    assert caught.value.http_status == 401 and caught.value.code is None
    missing = HttpRequest("GET", sd.BASE_PATH + "GenKeyAuthOTP", {"KeyLabel": KEY})
    assert send(srv, missing)[0] == 401
    unknown = sd.build_gen_key_auth_otp_request(key_label=KEY, csc_id="CSC-999", password=PASSWORD)
    assert send(srv, unknown)[0] == 401


def test_unknown_path_and_wrong_method() -> None:
    srv = server(backend())
    status, body = send(srv, HttpRequest("GET", "/signer/KeyAuthV1/Nope", {"KeyLabel": KEY}))
    assert status == 404 and orjson.loads(body)["Status_cd"] == "0"
    with pytest.raises(SignerDigitalError):
        sd.parse_response(status, body)
    gen = sd.build_gen_key_auth_otp_request(key_label=KEY, csc_id=CSC_ID, password=PASSWORD)
    answer = srv.handle(HttpRequest("POST", gen.path, gen.query, gen.headers))
    assert answer.status == 405 and answer.header("Allow") == "GET"


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1]", b'{"KeyLabel": "InvoiceSigner"}', b'{"OTP": 472913, "KeyLabel": "InvoiceSigner"}'],
)
def test_malformed_body_is_a_typed_400(body: bytes) -> None:
    srv = server(backend())
    good = sd.build_set_key_auth_otp_request(otp=OTP, key_label=KEY, csc_id=CSC_ID, password=PASSWORD)
    bad = HttpRequest("POST", good.path, good.query, good.headers, body)
    with pytest.raises(SignerDigitalError) as caught:
        sd.parse_key_auth_http_request(bad)
    assert caught.value.http_status == 400
    status, answer = send(srv, bad)
    assert status == 400
    with pytest.raises(SignerDigitalError):
        sd.parse_response(status, answer)


def test_parse_reads_what_the_builders_build() -> None:
    gen = sd.build_gen_key_auth_otp_request(key_label=KEY, csc_id=CSC_ID, password=PASSWORD, client_app_profile="P")
    got = sd.parse_key_auth_http_request(gen)
    assert (got.action, got.csc_id, got.key_label, got.client_app_profile, got.otp) == (
        "GenKeyAuthOTP",
        CSC_ID,
        KEY,
        "P",
        None,
    )
    otp_set = sd.build_set_key_auth_otp_request(otp=OTP, key_label=KEY, csc_id=CSC_ID, password=PASSWORD)
    assert sd.parse_key_auth_http_request(otp_set).otp == OTP
    with pytest.raises(InputError):
        sd.parse_key_auth_http_request("GET /")  # type: ignore[arg-type]


def test_no_secret_in_answers_or_reprs() -> None:
    be = backend()
    srv = server(be)
    answers = []
    for password, otp in ((PASSWORD, "999999"), ("x" + PASSWORD, OTP), (PASSWORD, OTP)):
        gen = sd.build_gen_key_auth_otp_request(key_label=KEY, csc_id=CSC_ID, password=password)
        otp_set = sd.build_set_key_auth_otp_request(otp=otp, key_label=KEY, csc_id=CSC_ID, password=password)
        answers += [srv.handle(gen), srv.handle(otp_set)]
        parsed = sd.parse_key_auth_http_request(otp_set)
        assert password not in repr(parsed) and otp not in repr(parsed)
    answers.append(srv.handle(sign_request()))
    assert [a.status for a in answers] == [200, 403, 401, 401, 200, 200, 200]
    for text in [*(a.body.decode() + repr(a) for a in answers), repr(be), repr(srv)]:
        assert PASSWORD not in text and OTP not in text and "999999" not in text
