"""Small HTTP(S) servers on 127.0.0.1 for transport tests: an ephemeral port, a daemon thread, always
shut down when the ``with`` block ends."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class Served:
    url: str
    seen: list[Seen] = field(default_factory=list)


Answer = tuple[int, dict[str, str], bytes]


@contextmanager
def http_server(answer: Callable[[Seen, int], Answer], *, tls: ssl.SSLContext | None = None) -> Iterator[Served]:
    """Serve ``answer(seen, index)`` on 127.0.0.1 (a free port) until the block ends."""
    served = Served("")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen = Seen(self.command, parts.path, dict(parse_qsl(parts.query)), dict(self.headers.items()), body)
            with lock:
                served.seen.append(seen)
                index = len(served.seen) - 1
            status, headers, out = answer(seen, index)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PUT = do_DELETE = _any

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # refused handshakes and clients that gave up are what some tests are about

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    served.url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
