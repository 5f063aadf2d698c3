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
