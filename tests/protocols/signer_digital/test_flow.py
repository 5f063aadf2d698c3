"""Signer.Digital key-authorization OTP: builders, RespErrPl parser, error codes, KeyAuthFlow branches."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import orjson
import pytest

from cryptokit.errors import FlowMisuse, InputError, KeyAuthOtpRequired, VendorError
from cryptokit.protocols import HttpRequest, signer_digital
from cryptokit.protocols.signer_digital import (
    TRANSITIONS,
    AwaitingOtp,
    Completed,
    Failed,
    FlowState,
    KeyAuthFlow,
    KeyAuthFlowMisuse,
)

CSC_ID = "CSC-000123"
PASSWORD = "Pa55-w0rd-Kluis!"
OTP = "472913"
# The seed's sample URL for GenKeyAuthOTP (with its placeholders filled in).
SEED_GEN_URL = (
    "https://api.signer.digital/signer/KeyAuthV1/GenKeyAuthOTP"
    f"?CscId={CSC_ID}&Password={PASSWORD}&KeyLabel=InvoiceSigner&CertProfileName=MyBillingERP"
)
SIGN = HttpRequest(
    "POST", "/signer/SignV1/Sign", {}, {"CscId": CSC_ID, "Password": PASSWORD}, b'{"KeyLabel":"InvoiceSigner"}'
)


def resp(status_cd: str, error_cd: str | None = None, message: str | None = None) -> bytes:
    return orjson.dumps({"Status_cd": status_cd, "Error_cd": error_cd, "Message": message})


OK = resp("1")


# --------------------------------------------------------------------------- builders


def test_gen_request_in_query_mode_equals_the_seed_sample_url() -> None:
    req = signer_digital.build_gen_key_auth_otp_request(
        key_label="InvoiceSigner",
        client_app_profile="MyBillingERP",
        csc_id=CSC_ID,
        password=PASSWORD,
        credentials_in="query",
        profile_param="CertProfileName",
    )
    url = urlsplit(SEED_GEN_URL)
    assert (req.method, req.path) == ("GET", url.path)
    assert list(req.query.items()) == parse_qsl(url.query)
    assert req.body == b"" and req.header("Password") is None


def test_gen_request_default_puts_credentials_in_headers() -> None:
    req = signer_digital.build_gen_key_auth_otp_request(
        key_label="InvoiceSigner", client_app_profile="MyBillingERP", csc_id=CSC_ID, password=PASSWORD
    )
    assert dict(req.query) == {"KeyLabel": "InvoiceSigner", "ClientAppProfName": "MyBillingERP"}
    assert (req.header("CscId"), req.header("Password")) == (CSC_ID, PASSWORD)
    bare = signer_digital.build_gen_key_auth_otp_request(key_label="InvoiceSigner", csc_id=CSC_ID, password=PASSWORD)
    assert dict(bare.query) == {"KeyLabel": "InvoiceSigner"}


def test_set_request_body() -> None:
    req = signer_digital.build_set_key_auth_otp_request(
        otp=OTP, key_label="InvoiceSigner", client_app_profile="MyBillingERP", csc_id=CSC_ID, password=PASSWORD
    )
    assert (req.method, req.path) == ("POST", "/signer/KeyAuthV1/SetKeyAuthOTP")
    assert orjson.loads(req.body) == {"OTP": OTP, "KeyLabel": "InvoiceSigner", "ClientAppProfName": "MyBillingERP"}
    assert list(orjson.loads(req.body)) == ["OTP", "KeyLabel", "ClientAppProfName"]
    assert dict(req.query) == {} and req.header("Password") == PASSWORD
    q = signer_digital.build_set_key_auth_otp_request(
        otp=OTP, key_label="K", csc_id=CSC_ID, password=PASSWORD, credentials_in="query"
    )
    assert dict(q.query) == {"CscId": CSC_ID, "Password": PASSWORD} and orjson.loads(q.body) == {
        "OTP": OTP,
        "KeyLabel": "K",
    }


def test_password_and_otp_never_in_repr_or_messages() -> None:
    req = signer_digital.build_set_key_auth_otp_request(otp=OTP, key_label="K", csc_id=CSC_ID, password=PASSWORD)
    gen = signer_digital.build_gen_key_auth_otp_request(
        key_label="K", csc_id=CSC_ID, password=PASSWORD, credentials_in="query"
    )
    for text in (repr(req), str(req), repr(gen)):
        assert PASSWORD not in text and OTP not in text
    bad_otp = OTP + "\n"
    with pytest.raises(InputError) as err:
        signer_digital.build_set_key_auth_otp_request(otp=bad_otp, key_label="K", csc_id=CSC_ID, password=PASSWORD)
    assert OTP not in str(err.value) and err.value.field == "otp"
    with pytest.raises(InputError) as err:
        signer_digital.build_set_key_auth_otp_request(otp=OTP, key_label="K", csc_id=CSC_ID, password=PASSWORD + "\x00")
    assert PASSWORD not in str(err.value) and err.value.field == "password"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"key_label": ""}, "key_label"),
        ({"csc_id": ""}, "csc_id"),
        ({"password": ""}, "password"),
        ({"credentials_in": "body"}, "credentials_in"),
        ({"profile_param": "Profile"}, "profile_param"),
    ],
)
def test_gen_request_input_checks(kwargs: dict[str, str], field: str) -> None:
    args = {"key_label": "K", "csc_id": CSC_ID, "password": PASSWORD, **kwargs}
    with pytest.raises(InputError) as err:
        signer_digital.build_gen_key_auth_otp_request(**args)  # type: ignore[arg-type]
    assert err.value.field == field


# --------------------------------------------------------------------------- RespErrPl


def test_success() -> None:
    r = signer_digital.parse_response(200, resp("1", None, "OTP sent"))
    assert r.ok and r.status_cd == "1" and r.message == "OTP sent"
    assert signer_digital.parse_response(200, b'{"Status_cd": "1"}').error_cd is None


@pytest.mark.parametrize("code", ["OA03A", "OA03B", "OA04"])
def test_every_seed_code_raises_key_auth_otp_required(code: str) -> None:
    with pytest.raises(KeyAuthOtpRequired) as err:
        signer_digital.parse_response(200, resp("0", code, "Key use requires OTP authorization"))
    assert isinstance(err.value, signer_digital.SignerDigitalError) and isinstance(err.value, VendorError)
    assert (err.value.vendor, err.value.code, err.value.http_status) == ("signer_digital", code, 200)
    assert err.value.message == "Key use requires OTP authorization"


def test_other_codes_are_signer_digital_errors() -> None:
    with pytest.raises(signer_digital.SignerDigitalError) as err:
        signer_digital.parse_response(200, resp("0", "OA05", "Invalid OTP"))
    assert not isinstance(err.value, KeyAuthOtpRequired) and err.value.code == "OA05"
    with pytest.raises(signer_digital.SignerDigitalError) as err:
        signer_digital.parse_response(502, b"<html>bad gateway</html>")
    assert err.value.code is None and err.value.http_status == 502


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b"{}",
        b'{"Status_cd": 2}',
        b'{"Status_cd": true}',
        b'{"Status_cd": 1.0}',
        b'{"Status_cd": "2"}',
        b'{"Status_cd": "0", "Error_cd": 3}',
        b'{"Status_cd": "1", "Message": ["x"]}',
    ],
)
def test_wrong_shapes_are_input_errors(raw: bytes) -> None:
    with pytest.raises(InputError):
        signer_digital.parse_response(200, raw)


# --------------------------------------------------------------------------- KeyAuthFlow


def state(f: KeyAuthFlow) -> FlowState:
    """The flow's state, read through a call so that mypy does not narrow it between steps."""
    return f.state


def flow(**kw: object) -> KeyAuthFlow:
    return KeyAuthFlow(SIGN, key_label="InvoiceSigner", csc_id=CSC_ID, password=PASSWORD, **kw)  # type: ignore[arg-type]


def test_sign_succeeds_without_otp() -> None:
    f = flow()
    assert f.start() is SIGN and state(f) is FlowState.SIGNING
    out = f.receive(200, b'{"Status_cd": "1", "Signature": "MEUCIQ..."}')
    assert isinstance(out, Completed) and out.status == 200 and not out.otp_authorized
    assert orjson.loads(out.body)["Signature"] == "MEUCIQ..." and state(f) is FlowState.DONE


def test_sign_answer_that_is_not_json_is_passed_through() -> None:
    f = flow()
    f.start()
    out = f.receive(200, b"%PDF-1.7 signed bytes")
    assert isinstance(out, Completed) and out.body == b"%PDF-1.7 signed bytes"


@pytest.mark.parametrize("code", ["OA03A", "OA03B", "OA04"])
def test_full_otp_path(code: str) -> None:
    f = flow(client_app_profile="MyBillingERP")
    f.start()
    gen = f.receive(200, resp("0", code, "OTP authorization required"))
    assert isinstance(gen, HttpRequest) and gen.method == "GET" and gen.path.endswith("/GenKeyAuthOTP")
    assert dict(gen.query) == {"KeyLabel": "InvoiceSigner", "ClientAppProfName": "MyBillingERP"}
    assert state(f) is FlowState.GENERATING
    waiting = f.receive(200, resp("1", None, "OTP sent to registered mobile and e-mail"))
    assert isinstance(waiting, AwaitingOtp) and waiting.key_label == "InvoiceSigner"
    assert state(f) is FlowState.AWAITING_OTP
    submit = f.submit_otp(OTP)
    assert submit.method == "POST" and orjson.loads(submit.body) == {
        "OTP": OTP,
        "KeyLabel": "InvoiceSigner",
        "ClientAppProfName": "MyBillingERP",
    }
    assert state(f) is FlowState.SUBMITTING
    retry = f.receive(200, OK)
    assert retry is SIGN and state(f) is FlowState.RETRYING
    done = f.receive(200, b'{"Status_cd": "1"}')
    assert isinstance(done, Completed) and done.otp_authorized and state(f) is FlowState.DONE


def test_second_otp_demand_after_the_retry_is_a_failure_not_a_loop() -> None:
    f = flow()
    f.start()
    f.receive(200, resp("0", "OA03A"))
    f.receive(200, OK)
    f.submit_otp(OTP)
    f.receive(200, OK)
    out = f.receive(200, resp("0", "OA03B", "still needs OTP"))
    assert isinstance(out, Failed) and out.stage == "retry" and isinstance(out.error, KeyAuthOtpRequired)
    assert state(f) is FlowState.FAILED
    with pytest.raises(InputError):
        f.receive(200, OK)


def test_sign_fails_with_another_error() -> None:
    f = flow()
    f.start()
    out = f.receive(200, resp("0", "KL01", "Key label not found"))
    assert isinstance(out, Failed) and out.stage == "sign" and out.error.code == "KL01"  # type: ignore[attr-defined]
    assert not isinstance(out.error, KeyAuthOtpRequired)


def test_sign_http_error_without_body() -> None:
    f = flow()
    f.start()
    out = f.receive(503, b"")
    assert isinstance(out, Failed) and out.stage == "sign" and out.error.http_status == 503  # type: ignore[attr-defined]


def test_sign_with_malformed_resp_err_pl() -> None:
    f = flow()
    f.start()
    out = f.receive(200, b'{"Status_cd": 2}')
    assert isinstance(out, Failed) and isinstance(out.error, InputError)


def test_gen_otp_fails() -> None:
    f = flow()
    f.start()
    f.receive(200, resp("0", "OA04"))
    out = f.receive(200, resp("0", "GN01", "Mobile not registered"))
    assert isinstance(out, Failed) and out.stage == "gen_otp" and out.error.code == "GN01"  # type: ignore[attr-defined]


def test_gen_otp_answer_of_the_wrong_shape() -> None:
    f = flow()
    f.start()
    f.receive(200, resp("0", "OA04"))
    out = f.receive(200, b"[]")
    assert isinstance(out, Failed) and out.stage == "gen_otp" and isinstance(out.error, InputError)


def test_wrong_otp_fails_at_set() -> None:
    f = flow()
    f.start()
    f.receive(200, resp("0", "OA03A"))
    f.receive(200, OK)
    f.submit_otp("000000")
    out = f.receive(200, resp("0", "OA05", "Invalid OTP"))
    assert isinstance(out, Failed) and out.stage == "set_otp" and state(f) is FlowState.FAILED


def test_calls_out_of_order_are_refused() -> None:
    f = flow()
    with pytest.raises(InputError):
        f.receive(200, OK)
    with pytest.raises(InputError):
        f.submit_otp(OTP)
    f.start()
    with pytest.raises(InputError):
        f.start()
    with pytest.raises(InputError):
        f.submit_otp(OTP)
    with pytest.raises(InputError):
        f.receive(True, OK)


def test_flow_never_shows_secrets() -> None:
    f = flow(credentials_in="query")
    f.start()
    gen = f.receive(200, resp("0", "OA03A"))
    f.receive(200, OK)
    submit = f.submit_otp(OTP)
    for text in (repr(f), str(f), repr(gen), repr(submit)):
        assert PASSWORD not in text and OTP not in text
    assert isinstance(gen, HttpRequest) and dict(gen.query)["Password"] == PASSWORD


def test_bad_flow_arguments_fail_at_construction() -> None:
    with pytest.raises(InputError):
        KeyAuthFlow(SIGN, key_label="", csc_id=CSC_ID, password=PASSWORD)
    with pytest.raises(InputError):
        KeyAuthFlow("POST /sign", key_label="K", csc_id=CSC_ID, password=PASSWORD)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the state table

# A path of canned answers into each state: (method, argument) steps from a new flow.
_PATHS: dict[FlowState, list[tuple[str, object]]] = {
    FlowState.IDLE: [],
    FlowState.SIGNING: [("start", None)],
    FlowState.DONE: [("start", None), ("receive", OK)],
    FlowState.FAILED: [("start", None), ("receive", resp("0", "KL01"))],
    FlowState.GENERATING: [("start", None), ("receive", resp("0", "OA03A"))],
    FlowState.AWAITING_OTP: [("start", None), ("receive", resp("0", "OA03A")), ("receive", OK)],
    FlowState.SUBMITTING: [("start", None), ("receive", resp("0", "OA03A")), ("receive", OK), ("submit_otp", OTP)],
    FlowState.RETRYING: [
        ("start", None),
        ("receive", resp("0", "OA03A")),
        ("receive", OK),
        ("submit_otp", OTP),
        ("receive", OK),
    ],
}
_METHODS = ("start", "receive", "submit_otp")


def _call(f: KeyAuthFlow, method: str, arg: object) -> object:
    if method == "start":
        return f.start()
    if method == "receive":
        return f.receive(200, arg)  # type: ignore[arg-type]
    return f.submit_otp(arg)  # type: ignore[arg-type]


def _walk(path: list[tuple[str, object]]) -> tuple[KeyAuthFlow, list[FlowState]]:
    f = flow()
    seen = [state(f)]
    for method, arg in path:
        before = state(f)
        _call(f, method, arg)
        assert state(f) in TRANSITIONS[(before, method)], f"{before} --{method}--> {state(f)} is not in the table"
        seen.append(state(f))
    return f, seen


def test_the_table_names_every_state_and_each_path_follows_it() -> None:
    assert {s for s, _ in TRANSITIONS} | {t for targets in TRANSITIONS.values() for t in targets} == set(FlowState)
    for target, path in _PATHS.items():
        _f, seen = _walk(path)
        assert seen[-1] is target


@pytest.mark.parametrize("current", list(FlowState))
@pytest.mark.parametrize("method", _METHODS)
def test_every_call_outside_the_table_is_a_flow_misuse(current: FlowState, method: str) -> None:
    f, _seen = _walk(_PATHS[current])
    arg = OTP if method == "submit_otp" else OK
    if (current, method) in TRANSITIONS:
        _call(f, method, arg)
        assert state(f) in TRANSITIONS[(current, method)]
        return
    with pytest.raises(KeyAuthFlowMisuse) as info:
        _call(f, method, arg)
    assert isinstance(info.value, FlowMisuse) and isinstance(info.value, InputError)
    assert (info.value.state, info.value.event, info.value.field) == (current.value, method, "flow")
    assert state(f) is current  # a misuse changes nothing


# --------------------------------------------------------------------------- numeric Status_cd, OTP codes in any shape


@pytest.mark.parametrize(("number", "text"), [(1, "1"), (0, "0")])
def test_numeric_status_cd_reads_like_the_string(number: int, text: str) -> None:
    if number:
        ok = signer_digital.parse_response(
            200, orjson.dumps({"Status_cd": number, "Error_cd": None, "Message": "OTP sent"})
        )
        assert ok.ok and ok.status_cd == "1" and ok == signer_digital.parse_response(200, resp("1", None, "OTP sent"))
        return
    for code in ("OA03A", "OA03B", "OA04"):
        with pytest.raises(signer_digital.SignerDigitalKeyAuthOtpRequired) as err:
            signer_digital.parse_response(200, orjson.dumps({"Status_cd": number, "Error_cd": code, "Message": "otp"}))
        assert err.value.code == code
    with pytest.raises(signer_digital.SignerDigitalError) as other:
        signer_digital.parse_response(200, orjson.dumps({"Status_cd": number, "Error_cd": "KL01"}))
    assert other.value.code == "KL01" and not isinstance(other.value, KeyAuthOtpRequired)


# Sign answers of other shapes than RespErrPl: the seed documents none, so these are the shapes a Kluis
# Sign call can plausibly take (RespErrPl fields next to the payload, a wrapped RespErrPl, .NET spellings).
SIGN_SHAPES = [
    {"Status_cd": 0, "Error_cd": "{code}", "Message": "Key use needs OTP authorization", "SignedData": None},
    {"RespErrPl": {"Status_cd": "0", "Error_cd": "{code}", "Message": "Key use needs OTP authorization"}},
    {"Data": None, "Result": {"ErrorCode": "{code}", "ErrorMessage": "Key use needs OTP authorization"}},
    {"status": "failed", "errorCd": "{code}", "msg": "Key use needs OTP authorization"},
    {"errors": [{"error_code": "{code}", "message": "Key use needs OTP authorization"}]},
]


def shaped(shape: dict[str, object], code: str) -> bytes:
    return orjson.dumps(shape).replace(b"{code}", code.encode())


@pytest.mark.parametrize("shape", SIGN_SHAPES)
@pytest.mark.parametrize("code", ["OA03A", "OA03B", "OA04", "oa04"])
@pytest.mark.parametrize("status", [200, 401, 403])
def test_otp_codes_are_recognised_in_any_answer_shape(shape: dict[str, object], code: str, status: int) -> None:
    body = shaped(shape, code)
    with pytest.raises(signer_digital.SignerDigitalKeyAuthOtpRequired) as err:
        signer_digital.raise_for_sign_answer(status, body)
    assert (err.value.code, err.value.http_status) == (code.upper(), status)
    assert err.value.message == "Key use needs OTP authorization"
    with pytest.raises(KeyAuthOtpRequired):
        signer_digital.parse_response(status, body)
    # the flow takes the documented recovery path for each of them
    f = flow()
    f.start()
    gen = f.receive(status, body)
    assert isinstance(gen, HttpRequest) and gen.path.endswith("/GenKeyAuthOTP") and state(f) is FlowState.GENERATING


def test_codes_are_not_found_where_they_are_not_an_error() -> None:
    # a success echoing a code, the code inside a signature value, another error code, a free-text message
    for body in (
        b'{"Status_cd": 1, "Error_cd": "OA04", "Signature": "MEUCIQ"}',
        b'{"Status_cd": "1", "Signature": "OA04"}',
        b'{"Status_cd": "1", "Data": {"Note": "OA03A"}}',
        b'{"Signature": "+OA04/"}',
        b"OA04 appears in these signed bytes",
    ):
        signer_digital.raise_for_sign_answer(200, body)
        f = flow()
        f.start()
        assert isinstance(f.receive(200, body), Completed)
    with pytest.raises(signer_digital.SignerDigitalError) as err:
        signer_digital.raise_for_sign_answer(200, b'{"Status_cd": 0, "Error_cd": "KL01", "Message": "OA04 said"}')
    assert err.value.code == "KL01" and not isinstance(err.value, KeyAuthOtpRequired)
    assert signer_digital.key_auth_otp_code('"OA03B"'.strip('"')) == ("OA03B", None)
    assert signer_digital.key_auth_otp_code({"a": {"b": {"c": {"d": {"Error_cd": "OA04"}}}}}) is None  # too deep
    assert signer_digital.key_auth_otp_code([{"x": i} for i in range(2000)] + [{"Error_cd": "OA04"}]) is None  # bounded


# --------------------------------------------------------------------------- credential header names


def test_credential_header_names_are_named_options_with_the_seed_defaults() -> None:
    assert (signer_digital.CSC_ID_HEADER, signer_digital.PASSWORD_HEADER) == ("CscId", "Password")
    req = signer_digital.build_gen_key_auth_otp_request(
        key_label="InvoiceSigner",
        csc_id=CSC_ID,
        password=PASSWORD,
        csc_id_header="X-Csc-Id",
        password_header="X-Csc-Password",
    )
    assert (req.header("X-Csc-Id"), req.header("X-Csc-Password")) == (CSC_ID, PASSWORD)
    assert req.header("CscId") is None and req.header("Password") is None
    assert PASSWORD not in repr(req)
    put = signer_digital.build_set_key_auth_otp_request(
        otp=OTP,
        key_label="K",
        csc_id=CSC_ID,
        password=PASSWORD,
        csc_id_header="X-Csc-Id",
        password_header="X-Csc-Password",
    )
    assert (put.header("X-Csc-Id"), put.header("X-Csc-Password")) == (CSC_ID, PASSWORD)
    # the flow sends both of its requests under the chosen names
    f = flow(csc_id_header="X-Csc-Id", password_header="X-Csc-Password")
    f.start()
    gen = f.receive(200, resp("0", "OA03A"))
    assert isinstance(gen, HttpRequest) and gen.header("X-Csc-Id") == CSC_ID and gen.header("Password") is None
    f.receive(200, OK)
    submit = f.submit_otp(OTP)
    assert submit.header("X-Csc-Password") == PASSWORD and submit.header("Password") is None
    # in the query string the seed's names stay
    q = signer_digital.build_gen_key_auth_otp_request(
        key_label="K", csc_id=CSC_ID, password=PASSWORD, credentials_in="query", csc_id_header="X-Csc-Id"
    )
    assert dict(q.query)["CscId"] == CSC_ID and q.header("X-Csc-Id") is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"csc_id_header": ""}, "csc_id_header"),
        ({"csc_id_header": "Csc Id"}, "csc_id_header"),
        ({"csc_id_header": "CscId\r\nX-Injected"}, "csc_id_header"),
        ({"password_header": "Accept"}, "password_header"),
        ({"password_header": "content-type"}, "password_header"),
        ({"password_header": "cscid"}, "password_header"),
        ({"password_header": 7}, "password_header"),
    ],
)
def test_credential_header_names_are_checked(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as err:
        signer_digital.build_gen_key_auth_otp_request(key_label="K", csc_id=CSC_ID, password=PASSWORD, **kwargs)  # type: ignore[arg-type]
    assert err.value.field == field
    with pytest.raises(InputError):
        flow(**kwargs)


def test_errors_survive_pickling() -> None:
    import pickle

    for err in (
        signer_digital.SignerDigitalKeyAuthOtpRequired("OA04", "otp", 200),
        signer_digital.SignerDigitalError("KL01", "no key", 400),
    ):
        again = pickle.loads(pickle.dumps(err))
        assert type(again) is type(err) and (again.code, again.message, again.http_status) == (
            err.code,
            err.message,
            err.http_status,
        )


def test_the_code_search_is_bounded_in_depth_and_breadth() -> None:
    # 1000 nested arrays once made the search recurse past Python's limit (RecursionError, not typed).
    signer_digital.raise_for_sign_answer(200, b"[" * 1000 + b"]" * 1000)
    assert signer_digital.key_auth_otp_code([[[[{"Error_cd": "OA04"}]]]]) is None  # deeper than 3 levels
    assert signer_digital.key_auth_otp_code([[{"Error_cd": "OA04"}]]) == ("OA04", None)
    wide = b"[" + b",".join([b"1"] * 100_000) + b',{"Error_cd": "OA04"}]'
    signer_digital.raise_for_sign_answer(200, wide)  # past the 1000-item budget: not looked at, no error


def test_builders_and_flow_take_one_option_list() -> None:
    """KeyAuthOptions is the one keyword list: the flow's profile_param reaches GenKeyAuthOTP only,
    its profile reaches both calls, and an unknown keyword is refused like any unknown argument."""
    f = flow(client_app_profile="MyBillingERP", profile_param="CertProfileName", credentials_in="query")
    f.start()
    gen = f.receive(200, resp("0", "OA03A"))
    assert isinstance(gen, HttpRequest) and dict(gen.query)["CertProfileName"] == "MyBillingERP"
    f.receive(200, OK)
    submit = f.submit_otp(OTP)
    assert orjson.loads(submit.body)["ClientAppProfName"] == "MyBillingERP"
    assert "profile_param" not in dict(submit.query) and dict(submit.query)["CscId"] == CSC_ID
    with pytest.raises(InputError) as err:  # an unknown option name is bad input, named
        signer_digital.build_gen_key_auth_otp_request(
            key_label="K", csc_id=CSC_ID, password=PASSWORD, profile_parm="CertProfileName"  # type: ignore[call-arg]
        )
    assert err.value.field == "profile_parm" and "build_gen_key_auth_otp_request" in err.value.rule
    assert "profile_param" in err.value.rule  # the known names are listed
    with pytest.raises(InputError) as err:
        signer_digital.build_set_key_auth_otp_request(
            otp=OTP, key_label="K", csc_id=CSC_ID, password=PASSWORD, profile_param="CertProfileName"  # type: ignore[call-arg]
        )
    assert err.value.field == "profile_param" and "profile_param" not in err.value.rule.split("known:")[1]
