"""Send :class:`~cryptokit.protocols.HttpRequest` values over HTTP(S) with httpx (extra ``http``).

The protocol packages are sans-I/O: they build requests and parse ``(status, body)``. This is the
thin adapter that carries the bytes::

    from cryptokit.transport import Transport
    with Transport("https://signing.example", client_cert=("me.pem", "me.key")) as send:
        response = send(csc.build_credentials_list_request(access_token=token))   # an HttpResponse
        ids = csc.parse_credentials_list(response.status, response.body)

* ``timeout``: seconds (0 < timeout <= 3600; default :data:`DEFAULT_TIMEOUT`, 30) allowed for each of
  connecting, each read, each write and waiting for a pooled connection. It bounds every wait, not
  the whole call: a large answer arriving steadily, and each retry, take longer.
* ``verify``: True (the system's trust store), False (no certificate check: tests only), a path to
  a PEM CA file, an ``ssl.SSLContext``, or a sequence of ``x509.Certificate`` trust anchors. A
  caller's ``SSLContext`` is used exactly as given, never changed: its ``minimum_version`` must be
  TLS 1.2 or later, and it carries its own client certificate (``client_cert`` with it is an
  InputError).
* ``client_cert``: mutual TLS (ADSS answers 86000-86005 when it is missing or refused): a
  ``(certificate_file, key_file)`` or ``(certificate_file, key_file, password)`` tuple, or a
  :class:`~cryptokit.keys.KeyBundle` (written to a private temporary directory only while OpenSSL
  loads it).
* ``retries``: how many times an *idempotent* call is tried again after a connection failure, a
  timeout or a 502/503/504 answer (GET, HEAD, OPTIONS, PUT, DELETE; or any call sent with
  ``idempotent=True``, such as CSC ``credentials/info``). A POST that may have reached the service
  (signHash, sign/request) is never repeated.
* Failures are :class:`~cryptokit.errors.TransportError` naming the method and path only: never the
  query, headers or body, which may carry tokens, passwords or SADs.

:class:`Transport` is the callable ``HttpRequest -> HttpResponse`` that ``sign_documents`` and the
clients take; :class:`AsyncTransport` is its asyncio twin.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from .errors import InputError, TransportError
from .pkcs12 import KeyBundle
from .protocols import HttpRequest, HttpResponse

try:
    import httpx
except ImportError as exc:  # pragma: no cover - the extra is not installed
    raise ImportError("cryptokit.transport needs httpx: pip install 'cryptokit[http]'") from exc

__all__ = [
    "Transport",
    "AsyncTransport",
    "TransportError",
    "IDEMPOTENT_METHODS",
    "RETRY_STATUSES",
    "DEFAULT_TIMEOUT",
    "OPTIONS",
    "ssl_context",
]

#: Methods HTTP defines as idempotent: only these are retried unless the caller says otherwise.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: Answers after which an idempotent call is tried again.
RETRY_STATUSES = frozenset({502, 503, 504})
#: Largest answer body read (64 MiB, the largest a cryptokit parser accepts).
MAX_RESPONSE = 64 * 1024 * 1024
MAX_RETRIES = 10
#: Seconds each connect, read, write or pool wait may take when ``timeout`` is not given.
DEFAULT_TIMEOUT = 30.0
#: The keyword options a transport takes (what ``connect(base_url, **options)`` may pass on).
OPTIONS = frozenset({"timeout", "verify", "client_cert", "retries", "backoff", "max_response"})
#: RFC 9110 token characters: what an HTTP method may be made of.
_TCHAR = frozenset("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

Verify = bool | str | os.PathLike[str] | ssl.SSLContext | Sequence[x509.Certificate]
ClientCert = tuple[str, str] | tuple[str, str, str] | KeyBundle | None


def ssl_context(verify: Verify = True, client_cert: ClientCert = None) -> ssl.SSLContext:
    """The TLS context a transport uses (TLS 1.2 or later): see the module text for the arguments.

    A caller's ``ssl.SSLContext`` is returned exactly as given, never changed: it must already refuse
    anything below TLS 1.2 (``minimum_version`` TLSv1_2 or later, as ``ssl.create_default_context()``
    sets it), else an InputError naming ``verify``; and ``client_cert`` cannot be combined with it (an
    InputError naming ``client_cert``: load the certificate into the context with ``load_cert_chain``).
    Every other ``verify`` builds a new context with TLS 1.2 as its minimum."""
    if isinstance(verify, ssl.SSLContext):
        return _callers_context(verify, client_cert)
    if verify is True:
        ctx = ssl.create_default_context()
    elif verify is False:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif isinstance(verify, (str, os.PathLike)):
        try:
            ctx = ssl.create_default_context(cafile=os.fspath(verify))
        except (OSError, ssl.SSLError):
            raise InputError("verify", "is not a readable PEM CA file") from None
    elif isinstance(verify, Sequence) and verify and all(isinstance(c, x509.Certificate) for c in verify):
        pem = "".join(c.public_bytes(Encoding.PEM).decode("ascii") for c in verify if isinstance(c, x509.Certificate))
        ctx = ssl.create_default_context(cadata=pem)
    else:
        raise InputError("verify", "must be a bool, a CA file path, an SSLContext or a list of certificates")
    ctx.minimum_version = max(ctx.minimum_version, ssl.TLSVersion.TLSv1_2)  # our own new context
    if client_cert is not None:
        _load_client_cert(ctx, client_cert)
    return ctx


def _callers_context(ctx: ssl.SSLContext, client_cert: ClientCert) -> ssl.SSLContext:
    """A caller's context, checked and used as given (a library does not change a caller's object)."""
    if client_cert is not None:
        raise InputError(
            "client_cert",
            "cannot be combined with verify=<ssl.SSLContext>: load the client certificate into that "
            "context (ctx.load_cert_chain)",
        )
    # MINIMUM_SUPPORTED (-2) sorts below every real version: the context would take what OpenSSL allows.
    if ctx.minimum_version < ssl.TLSVersion.TLSv1_2:
        raise InputError(
            "verify",
            f"an SSLContext must refuse TLS below 1.2 (its minimum_version is {ctx.minimum_version.name}; "
            "set ctx.minimum_version = ssl.TLSVersion.TLSv1_2)",
        )
    return ctx


def _load_client_cert(ctx: ssl.SSLContext, client_cert: ClientCert) -> None:
    if isinstance(client_cert, KeyBundle):
        if client_cert.private_key is None or client_cert.certificate is None:
            raise InputError("client_cert", "the KeyBundle needs a private key and a certificate")
        with tempfile.TemporaryDirectory(prefix="cryptokit-mtls-") as folder:
            cert_path = os.path.join(folder, "cert.pem")
            key_path = os.path.join(folder, "key.pem")
            chain = [client_cert.certificate, *client_cert.chain]
            with open(os.open(cert_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
                out.write(b"".join(c.public_bytes(Encoding.PEM) for c in chain))
            with open(os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
                out.write(client_cert.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
            try:
                ctx.load_cert_chain(cert_path, key_path)
            except (OSError, ssl.SSLError):
                raise InputError("client_cert", "OpenSSL refused the KeyBundle's key or certificate") from None
        return
    if (
        not isinstance(client_cert, tuple)
        or len(client_cert) not in (2, 3)
        or not all(isinstance(part, str) for part in client_cert)
    ):
        raise InputError("client_cert", "must be (cert_file, key_file[, password]) or a KeyBundle")
    password = client_cert[2] if len(client_cert) == 3 else None
    try:
        ctx.load_cert_chain(client_cert[0], client_cert[1], password)
    except (OSError, ssl.SSLError):
        raise InputError(
            "client_cert", "the certificate or key file cannot be loaded (or the password is wrong)"
        ) from None


def _base_url(base_url: object) -> str:
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise InputError("base_url", "must be an http:// or https:// URL")
    if any(c in base_url for c in "?#\r\n "):
        raise InputError("base_url", "must not hold a query, a fragment or white space")
    return base_url.rstrip("/")


def _options(timeout: object, retries: object, backoff: object, max_response: object) -> tuple[float, int, float, int]:
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 3600:
        raise InputError("timeout", "must be 0..3600 seconds (not 0)")
    if isinstance(retries, bool) or not isinstance(retries, int) or not 0 <= retries <= MAX_RETRIES:
        raise InputError("retries", f"must be 0..{MAX_RETRIES}")
    if isinstance(backoff, bool) or not isinstance(backoff, (int, float)) or not 0 <= backoff <= 60:
        raise InputError("backoff", "must be 0..60 seconds")
    if isinstance(max_response, bool) or not isinstance(max_response, int) or not 0 < max_response <= MAX_RESPONSE:
        raise InputError("max_response", f"must be 1..{MAX_RESPONSE} bytes")
    return float(timeout), retries, float(backoff), max_response


def _kind(exc: BaseException) -> str:
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if isinstance(seen, ssl.SSLError):
            return "tls"
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, (httpx.ConnectError, httpx.NetworkError)):
        return "connect"
    return "protocol"


def _headers(response: httpx.Response) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in response.headers.multi_items():
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def _text_map(field: str, value: object, *, header: bool) -> dict[str, str]:
    """``request.query`` / ``request.headers`` as a dict of str, refusing what httpx would choke on."""
    if not isinstance(value, Mapping):
        raise InputError(field, "must be a mapping of str to str")
    out: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise InputError(field, "must be a mapping of str to str")
        if header and (not key.isascii() or not item.isascii() or any(c in key + item for c in "\r\n\0")):
            raise InputError(field, "names and values must be ASCII without CR, LF or NUL")
        out[key] = item
    return out


class _Base:
    """What both transports share; the constructor's arguments are the module text's options."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        verify: Verify = True,
        client_cert: ClientCert = None,
        retries: int = 2,
        backoff: float = 0.2,
        max_response: int = MAX_RESPONSE,
    ) -> None:
        self.base_url = _base_url(base_url)
        self.timeout, self.retries, self.backoff, self.max_response = _options(timeout, retries, backoff, max_response)
        self._ssl = ssl_context(verify, client_cert) if self.base_url.startswith("https://") else None
        self._mtls = client_cert is not None
        self._client = self._open()

    def _open(self) -> Any:  # pragma: no cover - each transport opens its own httpx client
        raise NotImplementedError

    def __repr__(self) -> str:
        mtls = ", mTLS" if self._mtls else ""
        return f"{type(self).__name__}({self.base_url!r}, timeout={self.timeout}, retries={self.retries}{mtls})"

    def _request(self, request: HttpRequest) -> tuple[str, str, dict[str, str], dict[str, str], bytes]:
        if not isinstance(request, HttpRequest):
            raise InputError("request", f"must be an HttpRequest, not {type(request).__name__}")
        method, path, body = request.method, request.path, request.body
        if not isinstance(method, str) or not method or not set(method) <= _TCHAR:
            raise InputError("request.method", "must be an HTTP method name (RFC 9110 token)")
        if not isinstance(path, str) or not path.startswith("/") or any(c in path for c in "\r\n #?"):
            raise InputError("request.path", "must start with / and hold no query, fragment or white space")
        if not isinstance(body, (bytes, bytearray)):
            raise InputError("request.body", f"must be bytes, not {type(body).__name__}")
        return (
            method.upper(),
            self.base_url + path,
            _text_map("request.query", request.query, header=False),
            _text_map("request.headers", request.headers, header=True),
            bytes(body),
        )

    def _tries(self, method: str, idempotent: bool | None) -> int:
        if idempotent is not None and not isinstance(idempotent, bool):
            raise InputError("idempotent", "must be True, False or None")
        safe = method in IDEMPOTENT_METHODS if idempotent is None else idempotent is True
        return 1 + self.retries if safe else 1

    def _delay(self, attempt: int) -> float:
        return float(min(self.backoff * (2**attempt), 5.0))

    def _client_options(self) -> dict[str, Any]:
        """What both httpx clients are built with: this TLS context, no redirects, no environment."""
        return {
            "verify": self._ssl if self._ssl is not None else True,
            "timeout": self.timeout,
            "follow_redirects": False,
            "trust_env": False,
        }

    def _add_chunk(self, data: bytearray, chunk: bytes, method: str, path: str, attempt: int) -> None:
        data += chunk
        if len(data) > self.max_response:
            raise TransportError("too_large", method, path, f"answer over {self.max_response} bytes", attempt)

    @staticmethod
    def _is_final(status: int, attempt: int, tries: int) -> bool:
        """True when this answer is returned; False when a retry status leaves tries to spend."""
        return status not in RETRY_STATUSES or attempt >= tries

    @contextlib.contextmanager
    def _attempt(self, method: str, path: str, attempt: int, tries: int) -> Iterator[None]:
        """One try: a failure raises TransportError, except a retryable httpx failure, which is swallowed
        (the caller sleeps and tries again)."""
        try:
            yield
        except httpx.HTTPError as exc:
            kind = _kind(exc)
            if attempt >= tries or kind == "tls":
                raise TransportError(kind, method, path, type(exc).__name__, attempt) from None
        except (ssl.SSLError, OSError) as exc:
            raise TransportError(_kind(exc), method, path, type(exc).__name__, attempt) from None


class Transport(_Base):
    """Blocking HTTP(S) transport over one httpx connection pool: ``send(request) -> HttpResponse``.

    Calling the transport is ``send``. Use it as a context manager (or call :meth:`close`). An HTTP
    error status is an answer, not a failure: it is returned for the protocol parser to type.
    """

    _client: httpx.Client

    def _open(self) -> httpx.Client:
        return httpx.Client(**self._client_options())

    def send(self, request: HttpRequest, *, idempotent: bool | None = None) -> HttpResponse:
        """Send ``request``; the answer as an :class:`HttpResponse`. TransportError when no answer came."""
        method, url, query, headers, body = self._request(request)
        tries = self._tries(method, idempotent)
        for attempt in range(1, tries + 1):
            with self._attempt(method, request.path, attempt, tries):
                with self._client.stream(method, url, params=query, headers=headers, content=body) as answer:
                    data = bytearray()
                    for chunk in answer.iter_bytes():
                        self._add_chunk(data, chunk, method, request.path, attempt)
                    if self._is_final(answer.status_code, attempt, tries):
                        return HttpResponse(answer.status_code, _headers(answer), bytes(data))
            time.sleep(self._delay(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    __call__ = send

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncTransport(_Base):
    """The asyncio twin of :class:`Transport`: ``await send(request) -> HttpResponse``."""

    _client: httpx.AsyncClient

    def _open(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(**self._client_options())

    async def send(self, request: HttpRequest, *, idempotent: bool | None = None) -> HttpResponse:
        """Send ``request``; the answer as an :class:`HttpResponse`. TransportError when no answer came."""
        method, url, query, headers, body = self._request(request)
        tries = self._tries(method, idempotent)
        for attempt in range(1, tries + 1):
            with self._attempt(method, request.path, attempt, tries):
                async with self._client.stream(method, url, params=query, headers=headers, content=body) as answer:
                    data = bytearray()
                    async for chunk in answer.aiter_bytes():
                        self._add_chunk(data, chunk, method, request.path, attempt)
                    if self._is_final(answer.status_code, attempt, tries):
                        return HttpResponse(answer.status_code, _headers(answer), bytes(data))
            await asyncio.sleep(self._delay(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    __call__ = send

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> AsyncTransport:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
