"""A servable signing service: one ASGI application mounting the ADSS, CSC, emCA, OneSpan and
Signer.Digital server halves (extra ``server`` runs it with uvicorn; any ASGI 3 server works).

    from cryptokit.server import ServiceApp, AdssTokens
    app = ServiceApp(csc=csc.EmbeddedCscSigner(...), adss=adss.EmbeddedSigner(..., token=tokens.check),
                     adss_tokens=tokens, emca=EmcaService(envelope=..., registry=..., ca=...))
    uvicorn.run(app, host="127.0.0.1", port=8443, ssl_certfile=..., ssl_keyfile=..., ssl_ca_certs=...,
                ssl_cert_reqs=ssl.CERT_REQUIRED)      # mutual TLS is the TLS server's job

Routing by path: ``/csc/...`` goes to the CSC half; ``/adss/service/csp/authenticate`` to
:class:`AdssTokens` (the OAuth client-credentials grant), other ``/adss/...`` paths to the ADSS
half; a path the OneSpan half serves (``onespan.serves(path)``: its base path, by default
``/rest/v2/signature/push/``) to :class:`onespan.EmbeddedGateway`; one the Signer.Digital half
serves (its KeyAuth base path ``/signer/KeyAuthV1/`` and its Sign path) to
:class:`signer_digital.EmbeddedSigner`; a path ending in an emCA method name
(:data:`EMCA_METHODS`) to the emCA half.
A path no mounted half serves is a 404 JSON answer naming the path. Bodies over ``max_body`` are
413 before they are read in full. The halves are sans-I/O and synchronous: each request runs in a
worker thread. The app keeps no secrets in logs; it writes none.

What it proves: nothing beyond the mounted halves. Real deployments plug in their own signer,
registry and token check; ``cryptokit serve --demo`` mounts throwaway ones.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

import orjson

from .errors import CryptokitError, InputError
from .protocols import HttpRequest, HttpResponse, _server

__all__ = ["ServiceApp", "AdssTokens", "EmcaService", "MAX_BODY", "demo_app", "run_demo_server"]

#: Largest request body read (the emCA limit; ADSS and CSC bodies are far smaller).
MAX_BODY = 32 * 1024 * 1024
ADSS_AUTHENTICATE = "/adss/service/csp/authenticate"

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
AsgiSend = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class AdssTokens:
    """The ADSS ``/authenticate`` endpoint for ``client_credentials``: ``clients`` maps client_id
    to client_secret (compared in constant time); tokens are random, expire after ``lifetime``
    seconds, and :meth:`check` is the ``token=`` callable of :class:`adss.EmbeddedSigner`.
    At most ``max_tokens`` live tokens (the oldest dropped)."""

    def __init__(
        self,
        clients: Mapping[str, str],
        *,
        lifetime: int = 3600,
        max_tokens: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(clients, Mapping) or not clients:
            raise InputError("clients", "must map at least one client_id to its client_secret")
        for key, value in clients.items():
            if not isinstance(key, str) or not isinstance(value, str) or not key or not value:
                raise InputError("clients", "client ids and secrets must be non-empty strings")
        if isinstance(lifetime, bool) or not isinstance(lifetime, int) or not 1 <= lifetime <= 86400:
            raise InputError("lifetime", "must be 1..86400 seconds")
        if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or not 1 <= max_tokens <= 10_000_000:
            raise InputError("max_tokens", "must be 1..10000000")
        if not callable(clock):
            raise InputError("clock", "must be a callable returning seconds")
        self._clients = dict(clients)
        self.lifetime = lifetime
        self.max_tokens = max_tokens
        self._clock = clock
        self._tokens: dict[str, float] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"AdssTokens({len(self._clients)} clients, {len(self._tokens)} tokens)"

    def check(self, token: str) -> bool:
        """Whether ``token`` was issued here and has not expired."""
        now = self._clock()
        with self._lock:
            for issued, expires in self._tokens.items():
                if _server.same(issued, token):
                    return expires > now
        return False

    def handle(self, http_request: HttpRequest) -> HttpResponse:
        from .protocols.adss import build_error_response

        _server.http_request_arg(http_request)
        form = dict(parse_qsl(http_request.body.decode("utf-8", "replace"), keep_blank_values=True))
        if http_request.method.upper() != "POST":
            return build_error_response("60056")
        if form.get("grant_type") != "client_credentials":
            return build_error_response("60054")
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if not client_id:
            return build_error_response("60010")
        if not secret:
            return build_error_response("60007")
        expected = self._clients.get(client_id, "")
        if not (_server.same(secret, expected) and expected):
            return build_error_response("60008")
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            for old in [t for t, e in self._tokens.items() if e <= now]:
                del self._tokens[old]
            while len(self._tokens) >= self.max_tokens:
                del self._tokens[next(iter(self._tokens))]
            self._tokens[token] = now + self.lifetime
        doc = {"access_token": token, "token_type": "Bearer", "expires_in": self.lifetime}
        return _server.json_response(200, doc, "application/json", {"Cache-Control": "no-store"})


#: emCA method names routed to the emCA half (the last path segment): the seed's name and the
#: one other emCA versions use; the emCA half itself decides which it serves.
EMCA_METHODS = frozenset(
    {
        "createCertificatesByIdWithMultipleCsrData",
        "createX509CertificatesByIdWithMultipleCsrData",
        "getCertificateByRequestID",
    }
)


class EmcaService:
    """The emCA half as one handler: ``options`` go to :func:`emca.handle_request`, which routes by
    method (``envelope``, ``registry``, ``ca``, ``manual``, ``create_methods``, ``auth_verifier``,
    ``emkey_secret``...); the source IP is the peer address the ASGI server reports. ``methods``:
    the path endpoints it is routed (the emCA half answers 404 for those it does not serve)."""

    def __init__(self, *, methods: frozenset[str] | None = None, **options: Any) -> None:
        from .protocols import emca
        from .protocols.emca import server as emca_server

        for name in ("envelope", "registry", "ca"):
            if name not in options:
                raise InputError(name, "is required by the emCA half")
        # refused now, not on every request (handle_request's InputError, answered as a 500)
        taken = {"http_request", "source_ip"}  # what handle passes itself
        known = {"envelope", "registry", "ca", "manual", "create_methods", "wrapped"} | emca_server._CREATE_OPTIONS
        unknown = sorted(set(options) - (known - taken))
        if unknown:
            raise InputError("options", f"unknown option(s) of the emCA half: {', '.join(unknown)}")
        self._handle = emca.handle_request
        if methods is not None and (
            isinstance(methods, str)
            or not isinstance(methods, Iterable)
            or not all(isinstance(m, str) and m for m in methods)
        ):
            raise InputError("methods", "must be a set of emCA method names")
        self._options = options
        self.methods = frozenset(methods) if methods is not None else EMCA_METHODS | {emca.METHOD_CREATE_CERTIFICATES}

    def serves(self, path: str) -> bool:
        return path.rstrip("/").rsplit("/", 1)[-1] in self.methods

    def __repr__(self) -> str:
        return "EmcaService()"

    def handle(self, http_request: HttpRequest, source_ip: str | None = None) -> HttpResponse:
        answer = self._handle(http_request, source_ip=source_ip, **self._options)
        if isinstance(answer, HttpResponse):
            return answer
        status, body = answer[0], answer[-1]
        return HttpResponse(status, {"Content-Type": "application/json"}, body)


def _not_found(path: str) -> HttpResponse:
    shown = "".join(c if c.isprintable() else "?" for c in path[:200])
    doc = {"error": "not_found", "error_description": f"No service is mounted at {shown}"}
    return _server.json_response(404, doc, "application/json")


def _serves(half: Any, path: str) -> bool:
    """Whether a half mounted by path (OneSpan, Signer.Digital) answers ``path``: its own ``serves``."""
    return half is not None and bool(half.serves(path))


class ServiceApp:
    """The ASGI 3 application (see the module text). ``csc``, ``adss``, ``emca``, ``onespan``,
    ``signer_digital`` are the mounted halves (any may be None); ``adss_tokens`` serves ADSS
    ``/authenticate``. The OneSpan and Signer.Digital halves also need ``serves(path)``."""

    def __init__(
        self,
        *,
        csc: Any = None,
        adss: Any = None,
        adss_tokens: AdssTokens | None = None,
        emca: EmcaService | None = None,
        onespan: Any = None,
        signer_digital: Any = None,
        max_body: int = MAX_BODY,
    ) -> None:
        halves = (("csc", csc), ("adss", adss), ("adss_tokens", adss_tokens), ("emca", emca))
        by_path = (("onespan", onespan), ("signer_digital", signer_digital))
        for name, half in (*halves, *by_path):
            if half is not None and not callable(getattr(half, "handle", None)):
                raise InputError(name, "must be a server half with handle(HttpRequest)")
        for name, half in by_path:
            if half is not None and not callable(getattr(half, "serves", None)):
                raise InputError(name, "must be a server half with serves(path) (which paths it answers)")
        if isinstance(max_body, bool) or not isinstance(max_body, int) or not 1 <= max_body <= MAX_BODY:
            raise InputError("max_body", f"must be 1..{MAX_BODY} bytes")
        self.csc, self.adss, self.adss_tokens, self.emca = csc, adss, adss_tokens, emca
        self.onespan, self.signer_digital = onespan, signer_digital
        self.max_body = max_body

    def __repr__(self) -> str:
        mounted = [n for n in ("csc", "adss", "emca", "onespan", "signer_digital") if getattr(self, n) is not None]
        return f"ServiceApp({', '.join(mounted) or 'nothing mounted'})"

    def route(self, http_request: HttpRequest, source_ip: str | None = None) -> HttpResponse:
        """The answer for one request (what the ASGI callable sends; usable without a server)."""
        path = _server.http_request_arg(http_request).path
        if not isinstance(path, str):
            raise InputError("http_request.path", "must be a string")
        try:
            if path.startswith("/csc/") and self.csc is not None:
                response: HttpResponse = self.csc.handle(http_request)
            elif path.rstrip("/") == ADSS_AUTHENTICATE and self.adss_tokens is not None:
                response = self.adss_tokens.handle(http_request)
            elif path.startswith("/adss/") and self.adss is not None:
                response = self.adss.handle(http_request)
            elif _serves(self.onespan, path):
                response = self.onespan.handle(http_request)
            elif _serves(self.signer_digital, path):
                response = self.signer_digital.handle(http_request)
            elif self.emca is not None and self.emca.serves(path):
                response = self.emca.handle(http_request, source_ip)
            else:
                response = _not_found(path)
        except CryptokitError:
            response = _server.json_response(500, {"error": "server_error"}, "application/json")
        return response

    async def __call__(self, scope: Scope, receive: Receive, send: AsgiSend) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        headers: dict[str, str] = {}
        length = 0
        for raw_key, raw_value in scope.get("headers", []):
            key, value = raw_key.decode("latin-1"), raw_value.decode("latin-1")
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
            if key.lower() == "content-length" and value.strip().isdigit():
                length = int(value)
        if length > self.max_body:
            await _respond(send, HttpResponse(413, {"Content-Type": "application/json"}, b'{"error": "too_large"}'))
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_body:
                await _respond(send, HttpResponse(413, {"Content-Type": "application/json"}, b'{"error": "too_large"}'))
                return
            if not message.get("more_body", False):
                break
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        request = HttpRequest(scope["method"], scope["path"], query, headers, bytes(body))
        client = scope.get("client")
        source_ip = client[0] if client else None
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(None, self.route, request, source_ip)
        await _respond(send, response)


async def _respond(send: AsgiSend, response: HttpResponse) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
    headers.append((b"content-length", str(len(response.body)).encode("ascii")))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


# --------------------------------------------------------------------------- the demo service


def demo_app(folder: str, *, tls: bool = False) -> tuple[ServiceApp, dict[str, Any]]:
    """A :class:`ServiceApp` with throwaway signers, and the credentials to use them.

    Writes to ``folder``: ``root.pem`` (the trust anchor of every signature and certificate),
    ``client.pfx`` (the emCA client's signing PFX), ``credentials.json`` (mode 0600: tokens,
    secrets, passwords, the envelope key and emKey, the OneSpan API key and pending transactions'
    e-signatures, the Signer.Digital password), ``signer_digital_otp.txt`` (mode 0600, written when
    an OTP is "sent": the key owner's phone) and with ``tls`` ``tls/`` (CA, server and client
    certificate and keys). Returns the app and the credentials document."""
    import os

    from cryptography.hazmat.primitives.serialization import Encoding

    from .envelope import Envelope
    from .pkcs12 import KeyBundle
    from .protocols import adss, csc, emca
    from .testing import make_cert, make_pki, make_tls_pki, name, new_key

    if not isinstance(folder, (str, os.PathLike)) or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise InputError("folder", "must be an existing directory this process can write")
    pki = make_pki("rsa2048", label=" serve")
    signer = KeyBundle(pki.leaf_key, pki.leaf, (pki.intermediate, pki.root))
    ca = KeyBundle(pki.intermediate_key, pki.intermediate, (pki.root,))
    root_path = os.path.join(folder, "root.pem")
    with open(root_path, "wb") as out:
        out.write(pki.root.public_bytes(Encoding.PEM))

    csc_token = secrets.token_urlsafe(24)
    csc_half = csc.EmbeddedCscSigner(
        signer, credential_id="demo-rsa", access_token=csc_token, scal=2, multisign=10, service_name="cryptokit serve"
    )
    adss_client, adss_secret = "demo-client", secrets.token_urlsafe(24)
    tokens = AdssTokens({adss_client: adss_secret})
    adss_half = adss.EmbeddedSigner(
        signer, cert_alias="demo-signer", profile_id="demo-profile", token=tokens.check, pending_polls=1
    )

    user, password, pfx_password = "demo-user", secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    client_key = new_key("p256")
    client_cert = make_cert(name("cryptokit serve emCA client"), client_key, pki.intermediate, pki.intermediate_key)
    pfx_path = os.path.join(folder, "client.pfx")
    with open(os.open(pfx_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(KeyBundle(client_key, client_cert, (pki.intermediate, pki.root)).to_pkcs12(pfx_password))
    envelope_key = secrets.token_hex(32)
    emkey_secret = secrets.token_bytes(32)
    registry = emca.InMemoryRegistry(profiles=["demo-profile"])
    registry.register(user, password, client_cert, allowed_ips=["127.0.0.1"])
    emca_half = EmcaService(
        envelope=Envelope.from_key_text(envelope_key),
        registry=registry,
        ca=ca,
        auth_verifier=emca.AuthKeyVerifier(client_ids=[user]),
        emkey_secret=emkey_secret,
        include_chain=True,
    )
    onespan_half, onespan_creds = _demo_onespan()
    signer_digital_half, signer_digital_creds = _demo_signer_digital(folder)
    creds: dict[str, Any] = {
        "root": root_path,
        "onespan": onespan_creds,
        "signer_digital": signer_digital_creds,
        "csc": {"base_path": "/csc/v1/", "credential_id": "demo-rsa", "access_token": csc_token, "scal": 2},
        "adss": {
            "client_id": adss_client,
            "client_secret": adss_secret,
            "profile_id": "demo-profile",
            "cert_alias": "demo-signer",
        },
        "emca": {
            "username": user,
            "password": password,
            "pfx": pfx_path,
            "pfx_password": pfx_password,
            "envelope_key": envelope_key,
            "emkey": emca.issue_emkey(emkey_secret, user),
            "profile_id": "demo-profile",
        },
    }
    if tls:
        tls_dir = os.path.join(folder, "tls")
        os.makedirs(tls_dir, mode=0o700, exist_ok=True)
        creds["tls"] = make_tls_pki("p256", label="serve").write(tls_dir)
    creds_path = os.path.join(folder, "credentials.json")
    with open(os.open(creds_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
        out.write(orjson.dumps(creds, option=orjson.OPT_INDENT_2))
    creds["credentials"] = creds_path
    app = ServiceApp(csc=csc_half, adss=adss_half, adss_tokens=tokens, emca=emca_half, onespan=onespan_half,
                     signer_digital=signer_digital_half)  # fmt: skip
    return app, creds


#: Pending OneSpan transactions the demo pushes at start (each request key is single-use).
DEMO_ONESPAN_TRANSACTIONS = 5
#: The demo's Signer.Digital Sign path (the vendor documents no Sign API; this one only gates).
DEMO_SIGN_PATH = "/signer/SignV1/Sign"


def _demo_onespan() -> tuple[Any, dict[str, Any]]:
    """The OneSpan half on a :class:`onespan.MemoryBackend` with pending transactions pushed for one
    user and authenticator, and the credentials document (API key, request keys, e-signatures)."""
    from .protocols import onespan

    backend = onespan.MemoryBackend(ttl=86400.0)
    api_key = secrets.token_urlsafe(24)
    user, serial = "demo-user", "DEMO0000001-1"
    transactions = []
    for index in range(DEMO_ONESPAN_TRANSACTIONS):
        signature = f"{secrets.randbelow(10**8):08d}"
        message = f"demo transaction {index + 1}: transfer 100 EUR".encode()
        key = backend.push(user, serial_number=serial, message=message, signature=signature)
        transactions.append({"request_key": key, "signature": signature})
    half = onespan.EmbeddedGateway(backend, api_key=api_key)
    doc = {"base_path": half.base_path, "api_key": api_key, "user_id": user, "serial_number": serial}
    return half, {**doc, "transactions": transactions}


def _demo_signer_digital(folder: str) -> tuple[Any, dict[str, Any]]:
    """The Signer.Digital half on an :class:`signer_digital.InMemoryKeyAuthBackend`: one CSC account
    and key label; each OTP "sent" is written to ``signer_digital_otp.txt`` (mode 0600) in
    ``folder``; the Sign call at :data:`DEMO_SIGN_PATH` is gated by the OTP and signs nothing."""
    import os

    from .protocols import signer_digital

    otp_path = os.path.join(folder, "signer_digital_otp.txt")

    def send_otp() -> str:
        otp = f"{secrets.randbelow(10**6):06d}"
        with open(os.open(otp_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            out.write(otp + "\n")
        return otp

    def sign(_request: HttpRequest) -> HttpResponse:
        doc = {"Status_cd": "1", "Message": "key use authorized (the demo signs nothing)"}
        return HttpResponse(200, {"Content-Type": "application/json"}, orjson.dumps(doc))

    csc_id, password, key_label = "DEMO-CSC-0001", secrets.token_urlsafe(18), "demo-key"
    backend = signer_digital.InMemoryKeyAuthBackend({csc_id: password}, {csc_id: [key_label]}, otp_factory=send_otp)
    half = signer_digital.EmbeddedSigner(backend, sign_path=DEMO_SIGN_PATH, sign=sign)
    doc = {"base_path": half.base_path, "sign_path": DEMO_SIGN_PATH, "csc_id": csc_id, "key_label": key_label}
    return half, {**doc, "password": password, "otp_file": otp_path}


def run_demo_server(
    *,
    port: int = 8780,
    tls: bool = False,
    folder: str | None = None,
    max_seconds: float | None = None,
    announce: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Serve :func:`demo_app` with uvicorn on 127.0.0.1:``port`` (0: a free port) until Ctrl-C or
    ``max_seconds``; ``announce`` gets the URL, the folder and the public identifiers once the socket
    is bound. A temporary folder is deleted on exit."""
    import os
    import shutil
    import socket
    import ssl
    import tempfile

    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise InputError("port", "must be 0..65535 (0: a free port)")
    if folder is not None and not isinstance(folder, (str, os.PathLike)):
        raise InputError("folder", "must be a directory path or None")
    if max_seconds is not None and (
        isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float)) or not max_seconds >= 0
    ):
        raise InputError("max_seconds", "must be a number of seconds (0 or more) or None")
    if announce is not None and not callable(announce):
        raise InputError("announce", "must be a callable taking the summary, or None")
    try:
        import uvicorn
    except ImportError:  # pragma: no cover - the extra is not installed
        raise InputError("serve", "needs uvicorn: pip install 'cryptokit[server]'") from None

    own = folder is None
    where = tempfile.mkdtemp(prefix="cryptokit-serve-") if folder is None else folder
    os.makedirs(where, mode=0o700, exist_ok=True)
    try:
        app, creds = demo_app(where, tls=tls)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            raise InputError("port", f"127.0.0.1:{port} cannot be bound (in use?)") from None
        sock.listen(128)  # connections wait in the backlog from the moment the URL is announced
        bound = sock.getsockname()[1]
        options: dict[str, Any] = {}
        if tls:
            files = creds["tls"]
            options = {
                "ssl_certfile": files["server_cert"],
                "ssl_keyfile": files["server_key"],
                "ssl_ca_certs": files["ca"],
                "ssl_cert_reqs": ssl.CERT_REQUIRED,
            }
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", **options)
        server = uvicorn.Server(config)
        url = f"{'https' if tls else 'http'}://127.0.0.1:{bound}"
        summary: dict[str, Any] = {
            "url": url,
            "folder": where,
            "credentials": creds["credentials"],
            "root": creds["root"],
            "csc": {k: v for k, v in creds["csc"].items() if k != "access_token"},
            "adss": {k: v for k, v in creds["adss"].items() if k != "client_secret"},
            "emca": {"username": creds["emca"]["username"], "pfx": creds["emca"]["pfx"]},
            "onespan": {k: v for k, v in creds["onespan"].items() if k not in ("api_key", "transactions")},
            "signer_digital": {k: v for k, v in creds["signer_digital"].items() if k != "password"},
            "tls": {k: v for k, v in creds["tls"].items() if k in ("ca", "client_cert", "client_key")} if tls else None,
        }
        if announce is not None:
            announce(summary)

        async def serve() -> None:
            async def stop_later() -> None:
                if max_seconds is not None:
                    await asyncio.sleep(max_seconds)
                    server.should_exit = True

            stopper = asyncio.create_task(stop_later())
            try:
                await server.serve(sockets=[sock])
            finally:
                stopper.cancel()

        try:
            asyncio.run(serve())
        finally:
            sock.close()
    finally:
        if own:
            shutil.rmtree(where, ignore_errors=True)
