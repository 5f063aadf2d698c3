"""cryptokit.transport against real HTTP(S) servers on 127.0.0.1: exact bytes both ways, retries only
for idempotent calls, typed failures without secrets, mutual TLS with certificates from
cryptokit.testing, and the async twin."""

from __future__ import annotations

import asyncio
import pickle
import socket
import ssl
import tempfile
import time
from typing import Any

import pytest

pytest.importorskip("httpx")

from cryptokit.errors import CryptokitError, InputError, TransportError
from cryptokit.protocols import HttpRequest, csc
from cryptokit.testing import make_tls_pki
from cryptokit.transport import AsyncTransport, Transport
from tests.loopback import Seen, http_server

SECRET = "s3cr3t-Token-value"


def ok(seen: Seen, index: int) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json", "X-Echo": seen.method}, b'{"echo": true}'


def test_bytes_go_and_come_back_exactly() -> None:
    req = csc.build_credentials_list_request(access_token=SECRET, client_data="c")
    with http_server(ok) as srv, Transport(srv.url + "/prefix/", timeout=5) as send:
        resp = send(req)
        get = send.send(HttpRequest("GET", "/status", {"id": "r 1&x"}, {"X-A": "b"}))
    assert get.status == 200
    assert (resp.status, resp.body, resp.header("x-echo")) == (200, b'{"echo": true}', "POST")
    first, second = srv.seen
    assert first.method == "POST" and first.path == "/prefix" + req.path and first.body == req.body
    assert first.headers["Authorization"] == f"Bearer {SECRET}"
    assert (second.method, second.query, second.headers["X-A"]) == ("GET", {"id": "r 1&x"}, "b")


def flaky(seen: Seen, index: int) -> tuple[int, dict[str, str], bytes]:
    return (503, {}, b"busy") if index < 2 else (200, {}, b"done")


def test_retries_only_idempotent_calls() -> None:
    with http_server(flaky) as srv, Transport(srv.url, timeout=5, retries=2, backoff=0) as send:
        assert send(HttpRequest("GET", "/x")).body == b"done"
        assert len(srv.seen) == 3
    with http_server(flaky) as srv, Transport(srv.url, timeout=5, retries=2, backoff=0) as send:
        post = send(HttpRequest("POST", "/sign", body=b"{}"))  # signHash-like: never repeated
        assert (post.status, len(srv.seen)) == (503, 1)
        assert send.send(HttpRequest("POST", "/info", body=b"{}"), idempotent=True).body == b"done"
        assert len(srv.seen) == 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_failure_is_typed_and_secret_free() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    req = HttpRequest(
        "POST", "/csc/v2/signatures/signHash", {"Password": SECRET}, {"Authorization": SECRET}, SECRET.encode()
    )
    with Transport(url, timeout=2, retries=3, backoff=0) as send:
        with pytest.raises(TransportError) as info:
            send(req)
        assert (info.value.kind, info.value.attempts, info.value.path) == ("connect", 1, req.path)
        with pytest.raises(TransportError) as again:
            send(HttpRequest("GET", "/x", {"Password": SECRET}))
        assert again.value.attempts == 4
    for exc in (info.value, again.value):
        assert isinstance(exc, CryptokitError)
        text = str(exc) + repr(exc) + repr(exc.args) + repr(pickle.loads(pickle.dumps(exc)))
        assert SECRET not in text and exc.__cause__ is None and exc.__suppress_context__


def slow(seen: Seen, index: int) -> tuple[int, dict[str, str], bytes]:
    time.sleep(1.0)
    return 200, {}, b""


def big(seen: Seen, index: int) -> tuple[int, dict[str, str], bytes]:
    return 200, {}, b"x" * 5000


def test_timeout_and_size_bound() -> None:
    with http_server(slow) as srv, Transport(srv.url, timeout=0.2, retries=0) as send:
        with pytest.raises(TransportError) as info:
            send(HttpRequest("GET", "/slow"))
        assert info.value.kind == "timeout"
    with http_server(big) as srv, Transport(srv.url, timeout=5, max_response=4096) as send:
        with pytest.raises(TransportError) as info:
            send(HttpRequest("GET", "/big"))
        assert info.value.kind == "too_large"


def test_arguments_are_checked() -> None:
    for bad in ("ftp://x", "127.0.0.1:80", "http://x/?q=1", None):
        with pytest.raises(InputError):
            Transport(bad, timeout=1)  # type: ignore[arg-type]
    for options in ({"timeout": 0}, {"timeout": 1, "retries": -1}, {"timeout": 1, "verify": 3}):
        with pytest.raises(InputError):
            Transport("https://127.0.0.1", **options)  # type: ignore[arg-type]
    with Transport("http://127.0.0.1:9", timeout=1) as send:
        with pytest.raises(InputError):
            send("GET /")  # type: ignore[arg-type]
        with pytest.raises(InputError):
            send(HttpRequest("GET", "relative"))


def tls_server_context(pki: object, *, require_client: bool) -> ssl.SSLContext:
    folder = tempfile.mkdtemp(prefix="ck-tls-")
    files = pki.write(folder)  # type: ignore[attr-defined]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(files["server_cert"], files["server_key"])
    if require_client:
        ctx.load_verify_locations(files["ca"])
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def test_tls_server_verified_against_the_test_root() -> None:
    pki = make_tls_pki()
    other = make_tls_pki(label="other")
    with http_server(ok, tls=tls_server_context(pki, require_client=False)) as srv:
        with Transport(srv.url, timeout=5, verify=[pki.root]) as send:
            assert send(HttpRequest("GET", "/")).status == 200
        with Transport(srv.url, timeout=5, verify=[other.root], retries=2) as send:
            with pytest.raises(TransportError) as info:
                send(HttpRequest("GET", "/"))
            assert info.value.kind == "tls" and info.value.attempts == 1  # a TLS refusal is not retried


def test_mutual_tls_with_a_client_certificate() -> None:
    pki = make_tls_pki()
    with http_server(ok, tls=tls_server_context(pki, require_client=True)) as srv:
        with Transport(srv.url, timeout=5, verify=[pki.root], client_cert=pki.client) as send:
            assert send(HttpRequest("POST", "/adss", body=b"{}")).status == 200
            assert "mTLS" in repr(send)
        folder = tempfile.mkdtemp(prefix="ck-tls-")
        files = pki.write(folder)
        with Transport(
            srv.url, timeout=5, verify=files["ca"], client_cert=(files["client_cert"], files["client_key"])
        ) as send:
            assert send(HttpRequest("GET", "/")).status == 200
        with Transport(srv.url, timeout=5, verify=[pki.root], retries=0) as send:
            with pytest.raises(TransportError) as info:
                send(HttpRequest("GET", "/"))
            assert info.value.kind in ("tls", "connect", "protocol")
    assert len(srv.seen) == 2  # the call without a client certificate never reached the handler


def _context_state(ctx: ssl.SSLContext) -> tuple[object, ...]:
    return (
        ctx.minimum_version,
        ctx.maximum_version,
        ctx.verify_mode,
        ctx.check_hostname,
        ctx.options,
        ctx.cert_store_stats(),
        ctx.verify_flags,
    )


def test_a_callers_context_is_used_as_given_and_never_changed() -> None:
    """verify=<SSLContext> is the caller's object: the transport uses it as it is (here the caller's
    own client certificate makes a mutual-TLS call), and its settings are the same after the call.
    Before, ssl_context raised its minimum version and loaded ``client_cert`` into it."""
    from cryptokit.transport import ssl_context

    pki = make_tls_pki()
    files = pki.write(tempfile.mkdtemp(prefix="ck-tls-"))
    ctx = ssl.create_default_context(cafile=files["ca"])
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(files["client_cert"], files["client_key"])
    before = _context_state(ctx)
    assert ssl_context(ctx) is ctx
    with http_server(ok, tls=tls_server_context(pki, require_client=True)) as srv:
        with Transport(srv.url, timeout=5, verify=ctx) as send:
            assert send(HttpRequest("GET", "/")).status == 200
    assert _context_state(ctx) == before


@pytest.mark.parametrize("cls", [Transport, AsyncTransport])
def test_a_callers_context_with_client_cert_is_refused_untouched(cls: type[Any]) -> None:
    pki = make_tls_pki()
    ctx = ssl.create_default_context()
    before = _context_state(ctx)
    with pytest.raises(InputError) as info:
        cls("https://signing.example", verify=ctx, client_cert=pki.client)
    assert info.value.field == "client_cert" and "load_cert_chain" in info.value.rule
    assert _context_state(ctx) == before


@pytest.mark.parametrize("cls", [Transport, AsyncTransport])
@pytest.mark.parametrize("version", ["MINIMUM_SUPPORTED", "TLSv1", "TLSv1_1"])
def test_a_callers_context_below_tls_1_2_is_refused_untouched(cls: type[Any], version: str) -> None:
    """The TLS 1.2 minimum (SECURITY.md) holds for a caller's context by refusing a weaker one, not
    by changing it."""
    import warnings

    ctx = ssl.create_default_context()
    with warnings.catch_warnings():  # Python deprecates naming TLSv1/TLSv1_1: the test sets them on purpose
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = getattr(ssl.TLSVersion, version)
    before = _context_state(ctx)
    with pytest.raises(InputError) as info:
        cls("https://signing.example", verify=ctx)
    assert info.value.field == "verify" and "TLS below 1.2" in info.value.rule
    assert _context_state(ctx) == before


def test_async_twin() -> None:
    async def run(url: str) -> tuple[int, int]:
        async with AsyncTransport(url, timeout=5, retries=2, backoff=0) as send:
            get = await send(HttpRequest("GET", "/x"))
            post = await send.send(HttpRequest("POST", "/y", body=b"{}"))
            return get.status, post.status

    with http_server(flaky) as srv:
        assert asyncio.run(run(srv.url)) == (200, 200)
        assert [s.method for s in srv.seen] == ["GET", "GET", "GET", "POST"]

    async def refused() -> TransportError:
        async with AsyncTransport(f"http://127.0.0.1:{free_port()}", timeout=2, retries=0) as send:
            try:
                await send(HttpRequest("POST", "/z", {}, {"Authorization": SECRET}))
            except TransportError as exc:
                return exc
        raise AssertionError("no error")

    exc = asyncio.run(refused())
    assert exc.kind == "connect" and SECRET not in str(exc)


def test_timeout_defaults_to_a_finite_30_seconds() -> None:
    """Without ``timeout=`` a transport waits at most DEFAULT_TIMEOUT (30 s) for each connect, read,
    write and pool wait (it raised a bare TypeError before)."""
    from cryptokit.transport import DEFAULT_TIMEOUT

    assert DEFAULT_TIMEOUT == 30.0
    with Transport("https://signing.example") as send:
        assert send.timeout == 30.0
        waits = send._client.timeout
        assert (waits.connect, waits.read, waits.write, waits.pool) == (30.0, 30.0, 30.0, 30.0)
    async_send = AsyncTransport("https://signing.example")
    assert async_send.timeout == 30.0 and async_send._client.timeout.read == 30.0
    asyncio.run(async_send.aclose())


BAD_OPTIONS = [
    ("base_url", None),
    ("base_url", "ftp://x"),
    ("base_url", "https://x/?q=1"),
    ("timeout", None),
    ("timeout", "30"),
    ("timeout", 0),
    ("timeout", True),
    ("timeout", float("inf")),
    ("timeout", float("nan")),
    ("timeout", 3601),
    ("verify", None),
    ("verify", 5),
    ("verify", []),
    ("verify", [None]),
    ("verify", b"/etc/ssl/certs/ca-certificates.crt"),
    ("verify", "/nonexistent/ca.pem"),
    ("client_cert", "me.pem"),
    ("client_cert", ("me.pem",)),
    ("client_cert", ("me.pem", 5)),
    ("client_cert", ("/nonexistent/me.pem", "/nonexistent/me.key")),
    ("client_cert", object()),
    ("retries", None),
    ("retries", -1),
    ("retries", 11),
    ("retries", 1.5),
    ("retries", True),
    ("backoff", "0.2"),
    ("backoff", -1),
    ("max_response", None),
    ("max_response", 0),
    ("max_response", 64 * 1024 * 1024 + 1),
]


@pytest.mark.parametrize("cls", [Transport, AsyncTransport])
@pytest.mark.parametrize(("field", "value"), BAD_OPTIONS, ids=[f"{f}={v!r}" for f, v in BAD_OPTIONS])
def test_bad_option_values_are_input_errors_naming_the_field(cls: type[Any], field: str, value: object) -> None:
    options: dict[str, Any] = {} if field == "base_url" else {field: value}
    url = value if field == "base_url" else "https://signing.example"
    with pytest.raises(InputError) as info:
        cls(url, **options)
    assert info.value.field == field


BAD_REQUESTS = [
    ("request", "GET /x"),
    ("request.method", HttpRequest(None, "/x")),  # type: ignore[arg-type]
    ("request.method", HttpRequest("GE T", "/x")),
    ("request.method", HttpRequest("", "/x")),
    ("request.path", HttpRequest("GET", None)),  # type: ignore[arg-type]
    ("request.path", HttpRequest("GET", "x")),
    ("request.path", HttpRequest("GET", "/x?y=1")),
    ("request.body", HttpRequest("POST", "/x", body=None)),  # type: ignore[arg-type]
    ("request.body", HttpRequest("POST", "/x", body="text")),  # type: ignore[arg-type]
    ("request.query", HttpRequest("GET", "/x", {"id": 5})),  # type: ignore[dict-item]
    ("request.headers", HttpRequest("GET", "/x", {}, {"X-A": None})),  # type: ignore[dict-item]
    ("request.headers", HttpRequest("GET", "/x", {}, {"X-A": "caf\u00e9 \u2603"})),
    ("request.headers", HttpRequest("GET", "/x", {}, {"X-A": "a\r\nX-Injected: 1"})),
]


@pytest.mark.parametrize(("field", "request_"), BAD_REQUESTS, ids=[f for f, _ in BAD_REQUESTS])
def test_bad_requests_are_input_errors_before_any_connection(field: str, request_: Any) -> None:
    """A malformed HttpRequest is refused naming its field, before a socket is opened (an unused
    port: a connection attempt would be a TransportError). It was an AttributeError or a
    UnicodeEncodeError from httpx."""
    url = f"http://127.0.0.1:{free_port()}"
    with Transport(url, retries=0) as send:
        with pytest.raises(InputError) as info:
            send(request_)
    assert info.value.field == field

    async def run() -> None:
        async with AsyncTransport(url, retries=0) as asend:
            with pytest.raises(InputError) as again:
                await asend(request_)
        assert again.value.field == field

    asyncio.run(run())


def test_idempotent_must_be_a_bool_or_none() -> None:
    with Transport(f"http://127.0.0.1:{free_port()}", retries=0) as send:
        with pytest.raises(InputError) as info:
            send.send(HttpRequest("GET", "/x"), idempotent="yes")  # type: ignore[arg-type]
    assert info.value.field == "idempotent"
