"""OneSpan DIGIPASS Gateway push signature: builders, input checks, resultCodes parser."""

from __future__ import annotations

import base64
import inspect

import orjson
import pytest

from cryptokit.errors import InputError, VendorError
from cryptokit.protocols import onespan
from cryptokit.protocols.onespan import requests as onespan_requests
from cryptokit.protocols.onespan import responses as onespan_responses

API_KEY = "FrontEnd-ApiKey-5ecr3t"
# The seed's authSignature example request and response (docs.onespan.com, authSignature (Service)).
SEED_REQUEST = {"userID": "jane.doe", "domain": "mydomain.com", "requestKey": "8408980524", "signature": "3833791"}
SEED_RESPONSE = {
    "resultCodes": {
        "returnCodeEnum": "RET_SUCCESS",
        "statusCodeEnum": "STAT_SUCCESS",
        "returnCode": 0,
        "statusCode": 0,
    },
    "result": {"userID": "jane.doe", "domain": "mydomain.com", "orgUnit": "", "serialNo": "VDS1000120-1"},
}


def auth(**overrides: str | None) -> dict[str, object]:
    args: dict[str, object] = {
        "user_id": "jane.doe",
        "domain": "mydomain.com",
        "request_key": "8408980524",
        "signature": "3833791",
        "api_key": API_KEY,
    }
    args.update(overrides)
    return args


def test_auth_signature_request_equals_the_seed_example() -> None:
    req = onespan.build_auth_signature_request(**auth())  # type: ignore[arg-type]
    assert orjson.loads(req.body) == SEED_REQUEST
    assert list(orjson.loads(req.body)) == list(SEED_REQUEST)
    assert (req.method, req.path) == ("POST", "/rest/v2/signature/push/authSignature")
    assert req.header("content-type") == "application/json"


def test_domain_is_optional() -> None:
    req = onespan.build_auth_signature_request(**auth(domain=None))  # type: ignore[arg-type]
    assert orjson.loads(req.body) == {k: v for k, v in SEED_REQUEST.items() if k != "domain"}


def test_basic_auth_with_the_api_key_and_never_in_repr() -> None:
    req = onespan.build_auth_signature_request(**auth())  # type: ignore[arg-type]
    scheme, token = (req.header("Authorization") or "").split(" ")
    assert scheme == "Basic" and base64.b64decode(token) == f":{API_KEY}".encode()
    named = onespan.build_auth_signature_request(**auth(), api_key_user="gateway")  # type: ignore[arg-type]
    assert base64.b64decode((named.header("Authorization") or "").split(" ")[1]) == f"gateway:{API_KEY}".encode()
    for text in (repr(req), str(req)):
        assert API_KEY not in text and token not in text


def test_get_prepared_signature_request() -> None:
    req = onespan.build_get_prepared_signature_request(
        request_key="8408980524", serial_number="VDS1000120-1", api_key=API_KEY, base_path="/ctx/rest/v2/signature/push"
    )
    assert orjson.loads(req.body) == {"requestKey": "8408980524", "serialNumber": "VDS1000120-1"}
    assert req.path == "/ctx/rest/v2/signature/push/getPreparedSignatureRequest"
    assert (req.header("Authorization") or "").startswith("Basic ")
    with pytest.raises(InputError):
        onespan.build_get_prepared_signature_request(request_key="84x", serial_number="VDS1", api_key=API_KEY)
    with pytest.raises(InputError):
        onespan.build_get_prepared_signature_request(request_key="1", serial_number="", api_key=API_KEY)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"user_id": ""}, "user_id"),
        ({"user_id": "   "}, "user_id"),
        ({"user_id": None}, "user_id"),
        ({"request_key": ""}, "request_key"),
        ({"request_key": "84089805a4"}, "request_key"),
        ({"request_key": " 8408980524"}, "request_key"),
        ({"signature": "12345"}, "signature"),  # 5: too short
        ({"signature": "1" * 17}, "signature"),  # 17: too long
        ({"signature": "38337G"}, "signature"),  # not hex
        ({"signature": "383 791"}, "signature"),
        ({"api_key": ""}, "api_key"),
    ],
)
def test_input_checks(overrides: dict[str, str | None], field: str) -> None:
    with pytest.raises(InputError) as err:
        onespan.build_auth_signature_request(**auth(**overrides))  # type: ignore[arg-type]
    assert err.value.field == field


def test_gateway_options_refuse_unknown_keywords_and_require_the_api_key() -> None:
    """Both builders share GatewayOptions: a misspelt option is an InputError naming it and listing the
    known ones, a missing api_key an InputError naming it (nothing is sent without the gateway key)."""
    with pytest.raises(InputError) as err:
        onespan.build_auth_signature_request(**auth(), base_pth="/x")  # type: ignore[arg-type]
    assert err.value.field == "base_pth" and "base_path" in err.value.rule
    with pytest.raises(InputError) as err:
        onespan.build_get_prepared_signature_request(request_key="1", serial_number="V1", apikey=API_KEY)  # type: ignore[call-arg]
    assert err.value.field == "apikey" and "build_get_prepared_signature_request" in err.value.rule
    without_key = {k: v for k, v in auth().items() if k != "api_key"}
    with pytest.raises(InputError) as err:
        onespan.build_auth_signature_request(**without_key)  # type: ignore[arg-type]
    assert err.value.field == "api_key"


@pytest.mark.parametrize("signature", ["383379", "1234567890123456", "ABCDEF12", "abcdef", "0F0F0F0F0F"])
def test_signature_of_6_to_16_decimal_or_hex_characters_is_accepted(signature: str) -> None:
    req = onespan.build_auth_signature_request(**auth(signature=signature))  # type: ignore[arg-type]
    assert orjson.loads(req.body)["signature"] == signature


def test_seed_response_parses() -> None:
    resp = onespan.parse_response(200, orjson.dumps(SEED_RESPONSE))
    assert (resp.return_code, resp.status_code) == (0, 0)
    assert (resp.return_code_enum, resp.status_code_enum) == ("RET_SUCCESS", "STAT_SUCCESS")
    assert (resp.user_id, resp.domain, resp.org_unit, resp.serial_no) == (
        "jane.doe",
        "mydomain.com",
        "",
        "VDS1000120-1",
    )
    with pytest.raises(TypeError):
        resp.result["userID"] = "mallory"  # type: ignore[index]


def test_nothing_claims_the_e_signature_was_verified_offline() -> None:
    resp = onespan.parse_response(200, orjson.dumps(SEED_RESPONSE))
    assert not any("verif" in name.lower() for name in dir(resp))
    assert not any("verif" in name.lower() for name in dir(onespan))
    for doc in (onespan.__doc__, onespan.build_auth_signature_request.__doc__):
        assert doc is not None and "cannot be verified offline" in " ".join(doc.split())
    for module in (onespan_requests, onespan_responses):
        assert "verified=" not in inspect.getsource(module)


def codes(return_code: int, status_code: int, status_enum: str | None = None) -> bytes:
    rc: dict[str, object] = {"returnCodeEnum": "RET_FAILURE", "returnCode": return_code, "statusCode": status_code}
    if status_enum is not None:
        rc["statusCodeEnum"] = status_enum
    return orjson.dumps({"resultCodes": rc})


@pytest.mark.parametrize(
    ("status_code", "status_enum", "cls", "code"),
    [
        (1000, "STAT_INVCREDENTIALS", onespan.OneSpanInvalidCredentials, "STAT_INVCREDENTIALS"),
        (1000, None, onespan.OneSpanInvalidCredentials, "STAT_INVCREDENTIALS"),
        (1004, "STAT_EXP_CHALLENGE", onespan.OneSpanChallengeExpired, "STAT_EXP_CHALLENGE"),
        (1004, None, onespan.OneSpanChallengeExpired, "STAT_EXP_CHALLENGE"),
        (1007, "STAT_LOCKED", onespan.OneSpanLocked, "STAT_LOCKED"),
        (1007, None, onespan.OneSpanLocked, "STAT_LOCKED"),
        (1010, "STAT_NOT_FOUND", onespan.OneSpanRequestNotFound, "STAT_NOT_FOUND"),
        (4242, None, onespan.OneSpanError, "4242"),
        (4242, "STAT_SOMETHING", onespan.OneSpanError, "STAT_SOMETHING"),
    ],
)
def test_status_codes_map_to_classes(
    status_code: int, status_enum: str | None, cls: type[onespan.OneSpanError], code: str
) -> None:
    with pytest.raises(cls) as err:
        onespan.parse_response(200, codes(-1, status_code, status_enum))
    assert type(err.value) is cls and isinstance(err.value, VendorError)
    assert (err.value.vendor, err.value.code, err.value.http_status) == ("onespan", code, 200)
    assert (err.value.return_code, err.value.status_code) == (-1, status_code)


def test_success_only_when_return_code_is_zero() -> None:
    with pytest.raises(onespan.OneSpanError):
        onespan.parse_response(200, codes(-1, 0, "STAT_SUCCESS"))
    assert onespan.parse_response(200, codes(0, 0)).return_code == 0
    with pytest.raises(onespan.OneSpanError):  # a 0 returnCode on an HTTP error is not a success
        onespan.parse_response(500, codes(0, 0))


def test_http_error_without_result_codes() -> None:
    with pytest.raises(onespan.OneSpanError) as err:
        onespan.parse_response(401, b"Unauthorized")
    assert err.value.code is None and err.value.http_status == 401


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b"{}",
        b'{"resultCodes": []}',
        b'{"resultCodes": {"returnCode": "0", "statusCode": 0}}',
        b'{"resultCodes": {"returnCode": 0}}',
        b'{"resultCodes": {"returnCode": true, "statusCode": 0}}',
        b'{"resultCodes": {"returnCode": 0, "statusCode": 0, "statusCodeEnum": 5}}',
        b'{"resultCodes": {"returnCode": 0, "statusCode": 0}, "result": []}',
        b'{"resultCodes": {"returnCode": 0, "statusCode": 0}, "result": {"serialNo": 7}}',
    ],
)
def test_wrong_shapes_are_input_errors(raw: bytes) -> None:
    with pytest.raises(InputError):
        onespan.parse_response(200, raw)


# --------------------------------------------------------------------------- format rules (undocumented)


def test_format_defaults_are_documented_and_named() -> None:
    rules = onespan.DEFAULT_RULES
    assert (rules.request_key, rules.signature_charset, rules.signature_min_length, rules.signature_max_length) == (
        "decimal",
        "hex",
        6,
        16,
    )
    assert onespan.build_auth_signature_request.__doc__ is not None
    assert "6..16" in onespan.build_auth_signature_request.__doc__
    assert onespan_requests.__doc__ is not None and "8408980524" in onespan_requests.__doc__
    with pytest.raises(InputError) as err:
        onespan.build_auth_signature_request(**auth(request_key="abcdef010203"))  # type: ignore[arg-type]
    assert 'FormatRules(request_key="text")' in str(err.value)


def test_rules_widen_the_request_key_by_name() -> None:
    # OneSpan's SOAP reference shows the request key "abcdef010203": a gateway may hand out hex keys.
    hexkey = onespan.FormatRules(request_key="hex")
    req = onespan.build_auth_signature_request(**auth(request_key="abcdef010203"), rules=hexkey)  # type: ignore[arg-type]
    assert orjson.loads(req.body)["requestKey"] == "abcdef010203"
    prepared = onespan.build_get_prepared_signature_request(
        request_key="abcdef010203", serial_number="VDS1000120-1", api_key=API_KEY, rules=hexkey
    )
    assert orjson.loads(prepared.body)["requestKey"] == "abcdef010203"
    text = onespan.FormatRules(request_key="text")
    assert (
        orjson.loads(
            onespan.build_auth_signature_request(**auth(request_key="Rk-84_08/98"), rules=text).body  # type: ignore[arg-type]
        )["requestKey"]
        == "Rk-84_08/98"
    )
    for still_bad in ("", "a b", "x" * 65, "k\n"):
        with pytest.raises(InputError) as err:
            onespan.build_auth_signature_request(**auth(request_key=still_bad), rules=text)  # type: ignore[arg-type]
        assert err.value.field == "request_key"


def test_rules_widen_or_narrow_the_signature_by_name() -> None:
    long_sig = "0123456789ABCDEF0123"
    with pytest.raises(InputError):
        onespan.build_auth_signature_request(**auth(signature=long_sig))  # type: ignore[arg-type]
    wide = onespan.FormatRules(signature_max_length=20)
    assert (
        orjson.loads(onespan.build_auth_signature_request(**auth(signature=long_sig), rules=wide).body)[  # type: ignore[arg-type]
            "signature"
        ]
        == long_sig
    )
    decimal = onespan.FormatRules(signature_charset="decimal")
    onespan.build_auth_signature_request(**auth(), rules=decimal)  # type: ignore[arg-type]  # the seed's 3833791
    with pytest.raises(InputError) as err:
        onespan.build_auth_signature_request(**auth(signature="ABCDEF12"), rules=decimal)  # type: ignore[arg-type]
    assert err.value.field == "signature"
    short = onespan.FormatRules(signature_min_length=4)
    onespan.build_auth_signature_request(**auth(signature="1234"), rules=short)  # type: ignore[arg-type]
    anything = onespan.FormatRules(signature_charset="text")
    onespan.build_auth_signature_request(**auth(signature="38-33:79"), rules=anything)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"request_key": "alpha"}, "request_key"),
        ({"signature_charset": "base64"}, "signature_charset"),
        ({"signature_min_length": 0}, "signature_min_length"),
        ({"signature_max_length": 256}, "signature_max_length"),
        ({"signature_min_length": 10, "signature_max_length": 8}, "signature_max_length"),
        ({"signature_min_length": True}, "signature_min_length"),
    ],
)
def test_rules_are_checked(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as err:
        onespan.FormatRules(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field
    with pytest.raises(InputError) as err:
        onespan.build_auth_signature_request(**auth(), rules="lenient")  # type: ignore[arg-type]
    assert err.value.field == "rules"


# --------------------------------------------------------------------------- answers compared with the request


def seed_request(**overrides: str | None) -> onespan_requests.HttpRequest:
    return onespan.build_auth_signature_request(**auth(**overrides))  # type: ignore[arg-type]


def answered(**result: object) -> bytes:
    return orjson.dumps({**SEED_RESPONSE, "result": {**SEED_RESPONSE["result"], **result}})  # type: ignore[dict-item]


def test_seed_answer_matches_the_seed_request() -> None:
    resp = onespan.parse_response(200, orjson.dumps(SEED_RESPONSE), request=seed_request())
    assert (resp.user_id, resp.domain, resp.serial_no) == ("jane.doe", "mydomain.com", "VDS1000120-1")


@pytest.mark.parametrize(
    ("result", "field", "received"),
    [
        ({"userID": "john.doe"}, "userID", "john.doe"),
        ({"userID": "Jane.Doe"}, "userID", "Jane.Doe"),
        ({"userID": None}, "userID", None),
        ({"domain": "otherdomain.com"}, "domain", "otherdomain.com"),
        ({"domain": None}, "domain", None),
    ],
)
def test_an_answer_for_another_user_or_domain_is_a_typed_error(
    result: dict[str, object], field: str, received: str | None
) -> None:
    with pytest.raises(onespan.OneSpanResultMismatch) as err:
        onespan.parse_response(200, answered(**result), request=seed_request())
    e = err.value
    assert isinstance(e, onespan.OneSpanError) and isinstance(e, VendorError)
    assert (e.field, e.received, e.code, e.http_status) == (field, received, "RESULT_MISMATCH", 200)
    assert e.expected == SEED_REQUEST[field]
    assert f"result.{field}" in str(e)
    # without the request nothing is compared (the answer alone says nothing about whom it is for)
    onespan.parse_response(200, answered(**result))
    import pickle

    again = pickle.loads(pickle.dumps(e))
    assert type(again) is type(e) and (again.field, again.expected, again.received) == (field, e.expected, received)


def test_comparison_options() -> None:
    # case differences pass only when asked by name
    upper = answered(userID="JANE.DOE", domain="MyDomain.com")
    with pytest.raises(onespan.OneSpanResultMismatch):
        onespan.parse_response(200, upper, request=seed_request())
    assert onespan.parse_response(200, upper, request=seed_request(), ignore_case=True).user_id == "JANE.DOE"
    # a request without a domain lets the server resolve one
    no_domain = seed_request(domain=None)
    assert onespan.parse_response(200, orjson.dumps(SEED_RESPONSE), request=no_domain).domain == "mydomain.com"
    # a getPreparedSignatureRequest request carries no user: nothing to compare
    prepared = onespan.build_get_prepared_signature_request(
        request_key="8408980524", serial_number="VDS1000120-1", api_key=API_KEY
    )
    onespan.parse_response(200, orjson.dumps(SEED_RESPONSE), request=prepared)
    # error answers stay their own class whatever the request
    with pytest.raises(onespan.OneSpanInvalidCredentials):
        onespan.parse_response(200, codes(-1, 1000), request=seed_request())
    for bad in (
        "jane.doe",
        b"{}",
        onespan_requests.HttpRequest("POST", "/rest/v2/signature/push/authSignature", {}, {}, b"["),
    ):
        with pytest.raises(InputError) as err:
            onespan.parse_response(200, orjson.dumps(SEED_RESPONSE), request=bad)  # type: ignore[arg-type]
        assert err.value.field == "request"
    with pytest.raises(InputError):
        onespan.parse_response(200, orjson.dumps(SEED_RESPONSE), ignore_case="yes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- getPreparedSignatureRequest answer

# OneSpan's getPreparedSignatureRequest (Service) page: result {"requestMessage": "<hex>"} (its example is
# cut with an ellipsis; the hex digits it shows are kept).
PREPARED_ANSWER = {
    "resultCodes": {
        "returnCodeEnum": "RET_SUCCESS",
        "statusCodeEnum": "STAT_SUCCESS",
        "returnCode": 0,
        "statusCode": 0,
    },
    "result": {"requestMessage": "00C1C3E40F42B8B36D836BE8A3CC1168"},
}


def test_prepared_signature_answer_is_a_typed_value() -> None:
    prepared = onespan.parse_prepared_signature_response(200, orjson.dumps(PREPARED_ANSWER))
    assert isinstance(prepared, onespan.PreparedSignatureRequest)
    assert prepared.request_message == "00C1C3E40F42B8B36D836BE8A3CC1168"
    assert prepared.message == bytes.fromhex("00C1C3E40F42B8B36D836BE8A3CC1168") and len(prepared.message) == 16
    assert (prepared.return_code, prepared.status_code) == (0, 0)
    with pytest.raises(AttributeError):
        prepared.request_message = "00"  # type: ignore[misc]


@pytest.mark.parametrize(
    "message",
    [None, "", "00C1C", "00 C1", "XYZ0", 1234, "\u0660\u0661", ["00"]],
)
def test_prepared_signature_answer_without_a_hex_message_is_an_input_error(message: object) -> None:
    body = {**PREPARED_ANSWER, "result": {"requestMessage": message}}
    with pytest.raises(InputError) as err:
        onespan.parse_prepared_signature_response(200, orjson.dumps(body))
    assert err.value.field in ("body.result.requestMessage",)


def test_prepared_signature_errors_are_typed() -> None:
    # the request key is consumed by the first retrieval: a second one answers STAT_NOT_FOUND
    with pytest.raises(onespan.OneSpanRequestNotFound):
        onespan.parse_prepared_signature_response(200, codes(-1, 1010, "STAT_NOT_FOUND"))
    with pytest.raises(onespan.OneSpanError):
        onespan.parse_prepared_signature_response(503, b"Service Unavailable")


def test_errors_survive_pickling() -> None:
    import pickle

    with pytest.raises(onespan.OneSpanLocked) as err:
        onespan.parse_response(200, codes(-1, 1007))
    again = pickle.loads(pickle.dumps(err.value))
    assert type(again) is onespan.OneSpanLocked
    assert (again.code, again.message, again.http_status, again.return_code, again.status_code) == (
        "STAT_LOCKED",
        err.value.message,
        200,
        -1,
        1007,
    )
