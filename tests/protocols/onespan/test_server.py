"""OneSpan server half: the client builders' requests answered and read back by the client parsers."""

from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cryptokit.errors import InputError
from cryptokit.protocols import HttpRequest, onespan

from .test_requests_responses import SEED_RESPONSE

KEY = "front-end-K3y!"
MESSAGE = bytes.fromhex("0123456789abcdef" * 4)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def setup(**gateway_options: object) -> tuple[onespan.MemoryBackend, onespan.EmbeddedGateway, Clock]:
    clock = Clock()
    backend = onespan.MemoryBackend(ttl=60, max_attempts=2, clock=clock)
    return backend, onespan.EmbeddedGateway(backend, api_key=KEY, **gateway_options), clock  # type: ignore[arg-type]


def push(backend: onespan.MemoryBackend, signature: str = "3833791") -> str:
    return backend.push(
        "jane.doe", domain="mydomain.com", serial_number="VDS1000120-1", message=MESSAGE, signature=signature
    )


def fetch(gateway: onespan.EmbeddedGateway, key: str, serial: str = "VDS1000120-1", **opts: object) -> object:
    req = onespan.build_get_prepared_signature_request(request_key=key, serial_number=serial, api_key=KEY, **opts)  # type: ignore[arg-type]
    answer = gateway.handle(req)
    return onespan.parse_prepared_signature_response(answer.status, answer.body)


def auth(gateway: onespan.EmbeddedGateway, key: str, signature: str = "3833791", **opts: object) -> object:
    req = onespan.build_auth_signature_request(
        user_id=opts.pop("user_id", "jane.doe"),
        domain="mydomain.com",  # type: ignore[arg-type]
        request_key=key,
        signature=signature,
        **opts,
    )  # type: ignore[arg-type]
    answer = gateway.handle(req)
    return onespan.parse_response(answer.status, answer.body, request=req)


def test_round_trip_success() -> None:
    backend, gateway, _ = setup()
    key = push(backend)
    prepared = fetch(gateway, key)
    assert isinstance(prepared, onespan.PreparedSignatureRequest) and prepared.message == MESSAGE
    result = auth(gateway, key, api_key=KEY)
    assert isinstance(result, onespan.OneSpanResponse)
    assert (result.return_code, result.status_code, result.status_code_enum) == (0, 0, "STAT_SUCCESS")
    assert (result.user_id, result.domain, result.serial_no) == ("jane.doe", "mydomain.com", "VDS1000120-1")


def test_base_path_api_key_user_and_rules_are_honoured() -> None:
    rules = onespan.FormatRules(request_key="text", signature_charset="text")
    backend, gateway, _ = setup(base_path="/dpgw/rest/v2/signature/push", api_key_user="fe", rules=rules)
    key = push(backend, signature="sig-with-dash")
    opts = {"base_path": "/dpgw/rest/v2/signature/push/", "api_key_user": "fe", "rules": rules}
    assert fetch(gateway, key, **opts).message == MESSAGE  # type: ignore[attr-defined]
    assert auth(gateway, key, "sig-with-dash", api_key=KEY, **opts).user_id == "jane.doe"  # type: ignore[attr-defined]
    # the same request without the configured Basic user is refused
    answer = gateway.handle(
        onespan.build_auth_signature_request(
            user_id="jane.doe",
            request_key=key,
            signature="sig-with-dash",
            api_key=KEY,
            base_path="/dpgw/rest/v2/signature/push/",
            rules=rules,
        )
    )
    assert answer.status == 401


@pytest.mark.parametrize(
    ("scenario", "expected", "status_code"),
    [
        ("wrong signature", onespan.OneSpanInvalidCredentials, 1000),
        ("other user", onespan.OneSpanInvalidCredentials, 1000),
        ("expired", onespan.OneSpanChallengeExpired, 1004),
        ("locked", onespan.OneSpanLocked, 1007),
        ("reused key", onespan.OneSpanRequestNotFound, onespan.UNDOCUMENTED_CODE),
        ("unknown key", onespan.OneSpanRequestNotFound, onespan.UNDOCUMENTED_CODE),
    ],
)
def test_round_trip_every_error_class(scenario: str, expected: type[onespan.OneSpanError], status_code: int) -> None:
    backend, gateway, clock = setup()
    key = push(backend)
    call: Callable[[], object] = lambda: auth(gateway, key, api_key=KEY)  # noqa: E731
    if scenario == "wrong signature":
        call = lambda: auth(gateway, key, "999999", api_key=KEY)  # noqa: E731
    elif scenario == "other user":
        call = lambda: auth(gateway, key, api_key=KEY, user_id="john.doe")  # noqa: E731
    elif scenario == "expired":
        clock.now += 61
    elif scenario == "locked":
        for _ in range(2):
            with pytest.raises(onespan.OneSpanInvalidCredentials):
                auth(gateway, key, "999999", api_key=KEY)
        assert backend.locked_users() == ["jane.doe"]
    elif scenario == "reused key":
        auth(gateway, key, api_key=KEY)
    else:
        key = "1234567890"
    with pytest.raises(expected) as info:
        call()
    assert type(info.value) is expected
    assert info.value.status_code == status_code and info.value.return_code == onespan.UNDOCUMENTED_CODE


def test_prepared_signature_errors_round_trip() -> None:
    backend, gateway, clock = setup()
    key = push(backend)
    with pytest.raises(onespan.OneSpanInvalidCredentials):
        fetch(gateway, key, serial="VDS0000000-1")
    fetch(gateway, key)
    with pytest.raises(onespan.OneSpanRequestNotFound):
        fetch(gateway, key)  # single use
    fresh = push(backend)
    clock.now += 61
    with pytest.raises(onespan.OneSpanChallengeExpired):
        fetch(gateway, fresh)


def test_locked_user_is_refused_even_with_the_right_signature_until_unlocked() -> None:
    backend, gateway, _ = setup()
    key = push(backend)
    for _ in range(2):
        with pytest.raises(onespan.OneSpanInvalidCredentials):
            auth(gateway, key, "999999", api_key=KEY)
    with pytest.raises(onespan.OneSpanLocked):
        auth(gateway, key, api_key=KEY)
    backend.unlock("jane.doe")
    assert auth(gateway, key, api_key=KEY).user_id == "jane.doe"  # type: ignore[attr-defined]


@pytest.mark.parametrize("authorization", [None, "Basic Onl3cm9uZw==", "Bearer " + KEY, "Basic !!!", "Basic OmE="])
def test_bad_api_key_is_401(authorization: str | None) -> None:
    backend, gateway, _ = setup()
    req = onespan.build_auth_signature_request(
        user_id="jane.doe", request_key=push(backend), signature="3833791", api_key="wrong"
    )
    headers = {"Content-Type": "application/json"} | ({} if authorization is None else {"Authorization": authorization})
    for request in (req, HttpRequest(req.method, req.path, {}, headers, req.body)):
        answer = gateway.handle(request)
        assert answer.status == 401 and answer.header(
            "WWW-Authenticate",
        ).startswith("Basic")  # type: ignore[union-attr]
        with pytest.raises(onespan.OneSpanError) as info:
            onespan.parse_response(answer.status, answer.body)
        assert info.value.http_status == 401 and type(info.value) is onespan.OneSpanError
    with pytest.raises(onespan.OneSpanRequestRefused):
        onespan.parse_auth_signature_http_request(req, api_key=KEY)


def test_unknown_path_is_404_and_method_405() -> None:
    backend, gateway, _ = setup()
    req = onespan.build_auth_signature_request(
        user_id="jane.doe", request_key=push(backend), signature="3833791", api_key=KEY
    )
    for path in ("/rest/v2/signature/push/authSignatures", "/rest/v1/signature/push/authSignature", "/"):
        answer = gateway.handle(HttpRequest("POST", path, {}, req.headers, req.body))
        assert answer.status == 404
        with pytest.raises(onespan.OneSpanError) as info:
            onespan.parse_response(answer.status, answer.body)
        assert info.value.http_status == 404
    answer = gateway.handle(HttpRequest("GET", req.path, {}, req.headers, b""))
    assert answer.status == 405 and answer.header("Allow") == "POST"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"{not json", "body"),
        (b"[]", "body"),
        (b'{"userID": "jane.doe", "requestKey": "8408980524"}', "signature"),
        (b'{"userID": 7, "requestKey": "8408980524", "signature": "3833791"}', "userID"),
        (b'{"userID": "jane.doe", "requestKey": "84x", "signature": "3833791"}', "requestKey"),
        (b'{"userID": "jane.doe", "requestKey": "8408980524", "signature": "12"}', "signature"),
        (b'{"userid": "jane.doe", "requestKey": "8408980524", "signature": "3833791"}', "member"),
    ],
)
def test_malformed_body_is_a_typed_400(body: bytes, named: str) -> None:
    _, gateway, _ = setup()
    good = onespan.build_auth_signature_request(user_id="u", request_key="1", signature="123456", api_key=KEY)
    req = HttpRequest("POST", good.path, {}, good.headers, body)
    with pytest.raises(onespan.OneSpanRequestRefused) as info:
        onespan.parse_auth_signature_http_request(req, api_key=KEY)
    assert info.value.http_status == 400 and named in info.value.message
    answer = gateway.handle(req)
    assert answer.status == 400 and named.encode() in answer.body
    with pytest.raises(onespan.OneSpanError) as parsed:
        onespan.parse_response(answer.status, answer.body)
    assert parsed.value.http_status == 400
    big = HttpRequest("POST", good.path, {}, good.headers, b" " * (onespan.responses.MAX_BODY + 1))
    assert gateway.handle(big).status == 413


def test_builders_refuse_bad_values_with_input_errors() -> None:
    req = onespan.build_auth_signature_request(user_id="u", request_key="1", signature="123456", api_key=KEY)
    with pytest.raises(InputError, match="api_key"):
        onespan.parse_auth_signature_http_request(req)  # type: ignore[call-arg]
    with pytest.raises(InputError) as err:  # an unknown option name, named with the known ones
        onespan.EmbeddedGateway(onespan.MemoryBackend(), api_key=KEY, apikey=KEY)  # type: ignore[call-arg]
    assert err.value.field == "apikey" and "api_key" in err.value.rule
    with pytest.raises(InputError):
        onespan.build_error_response(onespan.OneSpanResultMismatch("userID", "a", "b"))
    with pytest.raises(InputError):
        onespan.build_prepared_signature_response(b"")
    with pytest.raises(InputError):
        onespan.error_for("STAT_SUCCESS")
    with pytest.raises(InputError):
        onespan.EmbeddedGateway(object(), api_key=KEY)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        onespan.EmbeddedGateway(onespan.MemoryBackend(), api_key=3)  # type: ignore[arg-type]


_secret = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=16, max_size=24)  # no 16 capitals run in any answer


@settings(max_examples=30, deadline=None)
@given(api_key=_secret, signature=_secret, wrong=_secret)
def test_no_secret_in_answers_errors_or_reprs(api_key: str, signature: str, wrong: str) -> None:
    rules = onespan.FormatRules(signature_charset="text", signature_max_length=24)
    backend = onespan.MemoryBackend(max_attempts=1)
    gateway = onespan.EmbeddedGateway(backend, api_key=api_key, rules=rules)
    key = backend.push("jane.doe", serial_number="VDS1000120-1", message=MESSAGE, signature=signature)
    assume(wrong != signature and wrong != api_key)
    seen: list[str] = [repr(backend), repr(gateway)]
    outcomes: list[object] = []
    requests = [
        onespan.build_get_prepared_signature_request(request_key=key, serial_number="VDS1000120-1", api_key=api_key),
        onespan.build_auth_signature_request(
            user_id="jane.doe", request_key=key, signature=wrong, api_key=api_key, rules=rules
        ),
        onespan.build_auth_signature_request(
            user_id="jane.doe", request_key=key, signature=signature, api_key=wrong, rules=rules
        ),
        onespan.build_auth_signature_request(
            user_id="jane.doe", request_key=key, signature=signature, api_key=api_key, rules=rules
        ),
    ]
    for req in requests:
        answer = gateway.handle(req)
        seen += [repr(answer), repr(dict(answer.headers)), answer.body.decode()]
        try:
            outcomes.append(onespan.parse_response(answer.status, answer.body).status_code)
        except onespan.OneSpanError as exc:
            seen += [str(exc), repr(exc)]
            outcomes.append(type(exc))
        for parse in (onespan.parse_get_prepared_signature_http_request, onespan.parse_auth_signature_http_request):
            try:
                seen.append(repr(parse(req, api_key=api_key, rules=rules)))
            except onespan.OneSpanError as exc:
                seen += [str(exc), repr(exc)]
    seen.append(repr(backend))
    text = "\n".join(seen)
    for secret in (api_key, signature, wrong, key):
        assert secret not in text
    # fetched; wrong signature (max_attempts=1 locks); wrong API key; locked despite the right signature
    assert outcomes == [0, onespan.OneSpanInvalidCredentials, onespan.OneSpanError, onespan.OneSpanLocked]


def test_answers_are_the_documented_shape() -> None:
    backend, gateway, _ = setup()
    key = push(backend)
    gateway.handle(
        onespan.build_get_prepared_signature_request(request_key=key, serial_number="VDS1000120-1", api_key=KEY)
    )
    answer = gateway.handle(
        onespan.build_auth_signature_request(
            user_id="jane.doe", domain="mydomain.com", request_key=key, signature="3833791", api_key=KEY
        )
    )
    assert orjson.loads(answer.body) == SEED_RESPONSE  # the seed's example answer, byte for byte in meaning
    locked = orjson.loads(onespan.build_error_response(onespan.error_for("STAT_LOCKED")).body)
    assert locked == {"resultCodes": {"returnCode": -1, "statusCode": 1007, "statusCodeEnum": "STAT_LOCKED"}}
