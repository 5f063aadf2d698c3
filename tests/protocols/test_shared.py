"""Shared pieces of the vendor packages (protocols/_json.py, protocols/_server.py) and report.HasReport."""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from cryptokit.errors import InputError, UnsupportedAlgorithm
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import HttpRequest, HttpResponse, _json, _server
from cryptokit.report import Check, HasReport, Indication, Report, SubIndication
from tests.pki import make_key

# --------------------------------------------------------------------------- _json


def test_body_bytes_accepts_text_and_bytes_and_bounds_the_size() -> None:
    assert _json.body_bytes("é", max_size=10) == "é".encode()
    assert _json.body_bytes(memoryview(b"ab"), max_size=2) == b"ab"
    assert _json.body_bytes(None, max_size=1, allow_none=True) == b""
    for bad, rule in ((None, "must be bytes or str, not NoneType"), (7, "must be bytes or str, not int")):
        with pytest.raises(InputError) as info:
            _json.body_bytes(bad, max_size=10, field="response")
        assert (info.value.field, info.value.rule) == ("response", rule)
    with pytest.raises(InputError) as info:
        _json.body_bytes(b"abc", max_size=2)
    assert info.value.rule == "is 3 bytes, over the limit of 2"


def test_load_object_and_loads() -> None:
    assert _json.load_object(b' {"a": 1} ', max_size=100) == {"a": 1}
    assert _json.load_object(b"  \n", max_size=100) is None
    with pytest.raises(InputError, match="is not JSON"):
        _json.load_object(b"{", max_size=100)
    with pytest.raises(InputError, match="must be a JSON object"):
        _json.load_object(b"[1]", max_size=100, field="request")
    with pytest.raises(InputError, match="is not JSON"):
        _json.loads(b"")


@pytest.mark.parametrize("status", [True, 99, 600, "200", 200.0])
def test_http_status_refuses_what_is_not_a_status(status: object) -> None:
    with pytest.raises(InputError) as info:
        _json.http_status(status)
    assert info.value.field == "status"


def test_typed_fields() -> None:
    obj = {"s": "x", "n": None, "i": 3, "b": True, "f": 1.5}
    assert _json.opt_str(obj, "s", "body") == "x"
    assert _json.opt_str(obj, "n", "body") is None and _json.opt_str(obj, "absent", "body") is None
    assert _json.opt_int(obj, "i", "body") == 3 and _json.opt_int(obj, "absent", "body") is None
    for key in ("b", "f", "s"):
        with pytest.raises(InputError) as info:
            _json.opt_int(obj, key, "body.result")
        assert info.value.field == f"body.result.{key}"
    with pytest.raises(InputError, match="must be a string"):
        _json.opt_str(obj, "i", "body")
    assert _json.dumps({"b": 1, "a": [True]}) == b'{"b":1,"a":[true]}'


# --------------------------------------------------------------------------- _server


def _request(authorization: str | None) -> HttpRequest:
    headers = {} if authorization is None else {"authorization": authorization}
    return HttpRequest("POST", "/x", headers=headers)


def test_bearer_token_shapes() -> None:
    b64 = lambda t: _server.B64TOKEN.match(t) is not None  # noqa: E731
    assert _server.bearer_token("Bearer abc.DEF-_~+/==", well_formed=b64) == "abc.DEF-_~+/=="
    assert _server.bearer_token("  bearer   tok  ", well_formed=b64) == "tok"
    for value in ("Basic abc", "Bearer", "Bearer ", "Bearer a b", "Bearer a\r\nX: y", "Bearer " + "a" * 16385):
        assert _server.bearer_token(value, well_formed=b64) is None, value
    assert _server.bearer_token("Bearer a:b", well_formed=lambda t: True) == "a:b"
    assert _request("Bearer t").header("Authorization") == "Bearer t"


def test_basic_credentials_shapes() -> None:
    assert _server.basic_credentials("Basic OmtleQ==") == ("", "key")  # ":key", as onespan's client sends
    assert _server.basic_credentials("  basic dTpwOnE=  ") == ("u", "p:q")  # the password may hold ':'
    for value in (
        "Basic",
        "Basic a2V5",
        "Basic !!!!",
        "Basic OmtleQ",
        "Bearer OmtleQ==",
        "Basic //79",
        "Basic " + "A" * 16388,
    ):
        assert _server.basic_credentials(value) is None, value


def test_accepts_and_same() -> None:
    assert _server.same("é", "é") and not _server.same("a", "b")
    assert _server.accepts(None, None) and _server.accepts(None, "x")
    assert _server.accepts("secret", "secret") and not _server.accepts("secret", "other")
    assert not _server.accepts("secret", None)
    assert _server.accepts(lambda t: t == "x", "x") and not _server.accepts(lambda t: "yes", "x")  # type: ignore[arg-type, return-value]
    with pytest.raises(InputError) as info:
        _server.token_check_arg(42, "sad", "must be the expected value, a callable, or None")
    assert (info.value.field, info.value.rule) == ("sad", "must be the expected value, a callable, or None")


def test_http_request_arg() -> None:
    request = _request(None)
    assert _server.http_request_arg(request) is request
    with pytest.raises(InputError, match="must be an HttpRequest, not dict"):
        _server.http_request_arg({})


def test_hash_signing_key() -> None:
    rsa_key = make_key("rsa2048", "shared")
    assert _server.hash_signing_key(rsa_key, "x") is rsa_key
    assert _server.hash_signing_key(KeyBundle(rsa_key, None), "x") is rsa_key
    with pytest.raises(UnsupportedAlgorithm, match="cannot answer signHash"):
        _server.hash_signing_key(make_key("ed25519", "shared"), "signHash")
    with pytest.raises(InputError, match="holds no private key"):
        _server.hash_signing_key(KeyBundle(None, None), "x")
    with pytest.raises(InputError, match="not str"):
        _server.hash_signing_key("key", "x")


def test_json_response() -> None:
    response = _server.json_response(401, {"error": "e"}, "application/json", {"WWW-Authenticate": "Bearer"})
    assert isinstance(response, HttpResponse)
    assert response.status == 401 and orjson.loads(response.body) == {"error": "e"}
    assert list(response.headers.items()) == [("Content-Type", "application/json"), ("WWW-Authenticate", "Bearer")]


# --------------------------------------------------------------------------- HasReport


@dataclasses.dataclass(frozen=True, slots=True)
class _Result(HasReport):
    report: Report
    name: str = ""


def test_has_report_reads_through() -> None:
    failed = Check.failed("signature", SubIndication.HASH_FAILURE, "over another hash")
    result = _Result(Report.from_checks([Check.passed("count"), failed]))
    assert not result.ok
    assert result.indication is Indication.TOTAL_FAILED
    assert result.sub_indication is SubIndication.HASH_FAILURE
    assert result.checks == result.report.checks and result.failures() == (failed,)
    assert _Result(Report.from_checks([Check.passed("count")])).ok
    assert not hasattr(result, "__dict__")  # the mixin adds no per-instance state


def test_one_json_field_reader_for_every_vendor() -> None:
    from cryptokit.protocols import _json
    from cryptokit.protocols.adss import _wire as adss_wire
    from cryptokit.protocols.csc import _wire as csc_wire

    assert adss_wire.get_str is _json.get_str is csc_wire.get_str
    assert adss_wire.opt_str is _json.opt_str
    obj = {"a": "x", "n": None, "i": 5, "alt": "y", "big": "z" * 11}
    assert _json.get_str(obj, "a", "body") == "x"
    assert _json.get_str(obj, "missing", "body", aliases=("n", "alt")) == "y"  # null aliases are skipped
    assert _json.get_str(obj, "n", "body", required=False) is None
    assert _json.opt_str(obj, "missing", "body") is None
    for key, rule in (("missing", "is missing"), ("n", "is missing"), ("i", "must be a string, not int")):
        with pytest.raises(InputError) as info:
            _json.get_str(obj, key, "body")
        assert info.value.field == f"body.{key}" and info.value.rule == rule
    with pytest.raises(InputError) as info:
        _json.opt_str(obj, "big", "body", max_len=10)
    assert info.value.rule == "is over 10 characters"
