"""A small HTTP server on 127.0.0.1 for end-to-end tests, and the ``send`` callable that talks to it.

``serve(handle)`` runs ``handle(HttpRequest) -> HttpResponse`` (a server half such as
``adss.EmbeddedSigner.handle``) behind ``http.server`` in a daemon thread, on a free port, and always
shuts it down when the ``with`` block ends; every socket has a timeout, so nothing can hang a test.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from cryptokit.protocols import HttpRequest, HttpResponse

TIMEOUT = 10.0
MAX_BODY = 4 * 1024 * 1024


def _handler(handle: Callable[[HttpRequest], HttpResponse]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = TIMEOUT  # socket timeout for each connection

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.send_error(413)
                return
            body = self.rfile.read(length) if length else b""
            url = urlsplit(self.path)
            request = HttpRequest(self.command, url.path, dict(parse_qsl(url.query)), dict(self.headers.items()), body)
            response = handle(request)
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


class Sender:
    """``send(HttpRequest) -> HttpResponse`` over real HTTP to ``host:port``; counts the exchanges."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.exchanges = 0

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.exchanges += 1
        conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            path = request.path
            if request.query:
                from urllib.parse import urlencode

                path += "?" + urlencode(dict(request.query))
            conn.request(request.method, path, body=request.body, headers=dict(request.headers))
            answer = conn.getresponse()
            headers: Mapping[str, str] = dict(answer.getheaders())
            return HttpResponse(answer.status, headers, answer.read())
        finally:
            conn.close()


@contextmanager
def serve(handle: Callable[[HttpRequest], HttpResponse]) -> Iterator[Sender]:
    """Serve ``handle`` on 127.0.0.1 (a free port) for the ``with`` block; yields the ``send`` callable."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(handle))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield Sender(str(host), int(port))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=TIMEOUT)
