"""Clients for the flows people run: the protocol builders, one HTTP exchange, the parsers.

Each client takes ``send``: any callable ``HttpRequest -> HttpResponse`` (a
:class:`cryptokit.transport.Transport`, a server half's ``handle`` in tests, or your own adapter),
or is opened on a URL with ``connect(base_url, **transport_options)`` (needs the ``http`` extra).
They add no cryptography of their own: every answer goes through the same parser and offline
verifier as a hand-written exchange, so what a result proves is what those functions document.

* :class:`CscClient`: ``info``, ``credentials``, ``credential``, ``authorize``, ``send_otp``,
  ``sign_hash`` (authorizes and splits the hashes into calls of at most the credential's
  ``multisign``, each with its own SAD bound to its hashes; verifies the signatures when given
  ``trust_anchors``).
* :class:`AdssClient`: ``authenticate`` (keeps the token), ``sign`` (polls ``sign/status`` while
  the answer is PENDING, with a bounded backoff and an overall deadline; verifies when given a
  certificate and ``trust_anchors``).
* :class:`EmcaClient`: ``create_certificates`` (the multiple-CSR request, answer checked against it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Self, TypeVar

from cryptography import x509

from .errors import InputError
from .hashing import HashToSign
from .protocols import HttpRequest, HttpResponse, adss, csc, emca
from .protocols._args import known_options, optional_str_arg

if TYPE_CHECKING:
    from .certificates import CertificateLike
    from .envelope import Envelope
    from .pkcs12 import KeyBundle

__all__ = ["Send", "CscClient", "AdssClient", "EmcaClient"]

Send = Callable[[HttpRequest], HttpResponse]


def _send_arg(send: object) -> Send:
    if not callable(send):
        raise InputError("send", "must be a callable HttpRequest -> HttpResponse (e.g. a Transport)")
    return send


def _items(field: str, value: object) -> list[Any]:
    """A sequence argument as a list; a string, bytes or a non-iterable is refused."""
    if isinstance(value, (str, bytes, bytearray, Mapping)) or not isinstance(value, Iterable):
        raise InputError(field, f"must be a sequence, not {type(value).__name__}")
    return list(value)


def _callable(field: str, value: object) -> None:
    if not callable(value):
        raise InputError(field, f"must be callable, not {type(value).__name__}")


def _exchange(send: Send, request: HttpRequest, *, idempotent: bool = False) -> HttpResponse:
    """One exchange; an idempotent call tells a Transport it may retry it."""
    method = getattr(send, "send", None)
    if idempotent and method is not None and getattr(send, "_tries", None) is not None:
        response = method(request, idempotent=True)
    else:
        response = send(request)
    if not isinstance(response, HttpResponse):
        if isinstance(response, tuple) and len(response) in (2, 3):  # (status, body) / (status, headers, body)
            status, body = response[0], response[-1]
            headers = response[1] if len(response) == 3 else {}
            return HttpResponse(status, headers, body)
        raise InputError("send", f"returned {type(response).__name__}, not an HttpResponse")
    return response


def _transport(base_url: str, options: object, field: str) -> Send:
    """A Transport to ``base_url`` with ``options`` (its defaults for what is not given: a 30 s
    timeout). ``field`` "transport" is a mapping (an unknown name is an InputError naming it);
    otherwise they are ``connect``'s keywords (an unknown one is an InputError naming it too)."""
    from .transport import OPTIONS, Transport

    if options is None:
        options = {}
    if not isinstance(options, Mapping) or not all(isinstance(key, str) for key in options):
        raise InputError(field, "must be a mapping of Transport option names to values")
    if field == "transport":
        for key in options:
            if key not in OPTIONS:
                raise InputError(f"transport.{key}", f"is not a Transport option ({', '.join(sorted(OPTIONS))})")
    else:
        known_options(field, options, OPTIONS)
    return Transport(base_url, **options)


_C = TypeVar("_C", bound="_Client")


def _connect(base_url: str, options: object, field: str, make: Callable[[Send], _C]) -> _C:
    """``make``'s client over a new Transport it owns; the Transport is closed if ``make`` refuses."""
    send = _transport(base_url, options, field)
    try:
        client = make(send)
    except BaseException:
        send.close()  # type: ignore[attr-defined]
        raise
    client._owning(send)
    return client


class _Client:
    """What every client shares: :meth:`close` and ``with``. A client made by ``connect`` owns the
    Transport it opened and closes it (its pooled connections); a ``send`` the caller gave stays
    the caller's to close."""

    _owned: Any = None

    def _owning(self, transport: Send) -> None:
        self._owned = transport

    def close(self) -> None:
        """Close the Transport :meth:`connect` opened; a no-op otherwise, and when called again."""
        owned, self._owned = self._owned, None
        if owned is not None:
            owned.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------- CSC


class CscClient(_Client):
    """A CSC API client (v1 or v2) over ``send``; ``access_token`` is sent as a bearer token (None:
    a service without authentication, or call :meth:`login` first)."""

    def __init__(
        self,
        send: Send,
        *,
        access_token: str | None = None,
        version: int = 2,
        base_path: str | None = None,
    ) -> None:
        self._send = _send_arg(send)
        if version not in (1, 2) or isinstance(version, bool):
            raise InputError("version", "must be 1 or 2")
        optional_str_arg(access_token, "access_token")
        optional_str_arg(base_path, "base_path")
        self.version: Any = version
        self.base_path = base_path
        self._token = access_token

    @classmethod
    def connect(
        cls,
        base_url: str,
        *,
        access_token: str | None = None,
        version: int = 2,
        base_path: str | None = None,
        **transport_options: Any,
    ) -> CscClient:
        """A client over a new :class:`~cryptokit.transport.Transport` to ``base_url``; close it
        with :meth:`close` or ``with``."""
        return _connect(
            base_url,
            transport_options,
            "CscClient.connect",
            lambda send: cls(send, access_token=access_token, version=version, base_path=base_path),
        )

    def __repr__(self) -> str:
        return f"CscClient(v{self.version}, token={'set' if self._token else 'none'})"

    def _common(self) -> dict[str, Any]:
        return {"version": self.version, "access_token": self._token, "base_path": self.base_path}

    def info(self) -> csc.ServiceInfo:
        req = csc.build_info_request(version=self.version, base_path=self.base_path)
        resp = _exchange(self._send, req, idempotent=True)
        return csc.parse_info_response(resp.status, resp.body)

    def login(self, username: str, password: str) -> csc.LoginToken:
        """``auth/login`` (HTTP Basic); the access token is kept for the next calls."""
        req = csc.build_login_request(username, password, version=self.version, base_path=self.base_path)
        resp = _exchange(self._send, req)
        token = csc.parse_login_response(resp.status, resp.body)
        self._token = token.access_token
        return token

    def credentials(self, **options: Any) -> csc.CredentialsList:
        """``credentials/list``; ``options`` as :func:`csc.build_credentials_list_request` takes them."""
        req = csc.build_credentials_list_request(**self._common(), **options)
        resp = _exchange(self._send, req, idempotent=True)
        return csc.parse_credentials_list(resp.status, resp.body)

    def credential(self, credential_id: str, *, allow_ca_certificate: bool = False) -> csc.CredentialInfo:
        """``credentials/info`` with the whole chain."""
        req = csc.build_credentials_info_request(credential_id, **self._common())
        resp = _exchange(self._send, req, idempotent=True)
        return csc.parse_credential_info(
            resp.status, resp.body, credential_id=credential_id, allow_ca_certificate=allow_ca_certificate
        )

    def authorize(
        self,
        credential_id: str,
        *,
        num_signatures: int | None = None,
        hashes: Sequence[HashToSign] | None = None,
        **options: Any,
    ) -> csc.Sad:
        """``credentials/authorize``: a SAD for ``num_signatures`` (default: one per hash), bound
        to ``hashes`` when given; ``options``: ``pin``, ``otp``, ``description``, ``client_data``."""
        if hashes is not None:
            hashes = _items("hashes", hashes)
        count = num_signatures if num_signatures is not None else len(hashes or ())
        req = csc.build_authorize_request(
            credential_id, num_signatures=count, hashes=hashes, **self._common(), **options
        )
        resp = _exchange(self._send, req)
        return csc.parse_authorize_response(resp.status, resp.body)

    def send_otp(self, credential_id: str) -> None:
        req = csc.build_send_otp_request(credential_id, **self._common())
        resp = _exchange(self._send, req)
        csc.parse_send_otp_response(resp.status, resp.body)

    def sign_hash(
        self,
        credential_id: str,
        hashes: Sequence[HashToSign],
        *,
        sign_algo: str,
        credential: csc.CredentialInfo | None = None,
        sad: str | None = None,
        pin: str | None = None,
        otp: str | Callable[[], str] | None = None,
        trust_anchors: Sequence[x509.Certificate] | None = None,
        **options: Any,
    ) -> tuple[bytes, ...]:
        """Sign ``hashes`` with ``credential_id``: one signature per hash, in order.

        The hashes go in calls of at most the credential's ``multisign`` (``credential`` or a
        ``credentials/info`` call). Without ``sad``, each call is authorized first with a SAD
        bound to its hashes (``pin``; ``otp`` a value or a callable asked once per call, e.g.
        after :meth:`send_otp`). With ``trust_anchors``, each answer is verified offline
        (:func:`csc.verify_sign_hash_response`: signature per hash, in order, chain to an anchor),
        raising VerificationFailed otherwise. ``options`` go to :func:`csc.build_sign_hash_request`.
        """
        items = _items("hashes", hashes)
        if not items:
            raise InputError("hashes", "must hold at least one hash")
        anchors = _items("trust_anchors", trust_anchors) if trust_anchors is not None else None
        if credential is not None and not isinstance(credential, csc.CredentialInfo):
            raise InputError("credential", "must be a CredentialInfo (from credential()) or None")
        if otp is not None and not isinstance(otp, str):
            _callable("otp", otp)
        info = credential if credential is not None else self.credential(credential_id)
        size = info.multisign
        out: list[bytes] = []
        for start in range(0, len(items), size):
            batch = items[start : start + size]
            batch_sad = sad
            if batch_sad is None:
                code = otp() if callable(otp) else otp
                batch_sad = self.authorize(credential_id, hashes=batch, pin=pin, otp=code).sad
            req = csc.build_sign_hash_request(
                batch,
                credential_id=credential_id,
                sign_algo=sign_algo,
                sad=batch_sad,
                credential=info,
                **self._common(),
                **options,
            )
            resp = _exchange(self._send, req)
            result = csc.parse_sign_hash_response(resp.status, resp.body, request=req)
            if anchors is not None:
                from .protocols.csc import verify_sign_hash_response

                verify_sign_hash_response(req, result, certificates=info, trust_anchors=anchors)
            elif len(result.signatures) != len(batch):
                raise InputError(
                    "body.signatures", f"holds {len(result.signatures)} signatures for {len(batch)} hashes"
                )
            out.extend(result.signatures)
        return tuple(out)


# --------------------------------------------------------------------------- ADSS


class AdssClient(_Client):
    """An ADSS CSP client over ``send`` for one ``profile_id``: authenticate, then sign.

    PENDING answers (authorised remote signing) are polled after ``poll_interval`` seconds,
    doubling up to ``max_interval``, until ``poll_timeout`` seconds have passed (then
    :class:`~cryptokit.protocols.adss.AdssPollTimeout`); with verification this is ADSS's
    sans-I/O :class:`~cryptokit.protocols.adss.SignStatusPoller`. ``sleep``/``clock`` are injectable.
    """

    def __init__(
        self,
        send: Send,
        *,
        profile_id: str,
        cert_alias: str | None = None,
        token: str | adss.Token | None = None,
        poll_interval: float = 1.0,
        max_interval: float = 10.0,
        poll_timeout: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = _send_arg(send)
        if not isinstance(profile_id, str) or not profile_id:
            raise InputError("profile_id", "must be a non-empty string")
        for name, value in (
            ("poll_interval", poll_interval),
            ("max_interval", max_interval),
            ("poll_timeout", poll_timeout),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 86400:
                raise InputError(name, "must be 0..86400 seconds")
        optional_str_arg(cert_alias, "cert_alias")
        if token is not None and not isinstance(token, (str, adss.Token)):
            raise InputError("token", "must be a string, an adss.Token or None")
        _callable("sleep", sleep)
        _callable("clock", clock)
        self.profile_id = profile_id
        self.cert_alias = cert_alias
        self._token: Any = token
        self.poll_interval, self.max_interval, self.poll_timeout = poll_interval, max_interval, poll_timeout
        self._sleep = sleep
        self._clock = clock

    @classmethod
    def connect(
        cls, base_url: str, *, profile_id: str, transport: Mapping[str, Any] | None = None, **options: Any
    ) -> AdssClient:
        """A client over a new :class:`~cryptokit.transport.Transport` to ``base_url`` (``transport``:
        its options, e.g. ``client_cert`` for ADSS's mutual TLS); close it with :meth:`close` or ``with``."""
        return _connect(base_url, transport, "transport", lambda send: cls(send, profile_id=profile_id, **options))

    def __repr__(self) -> str:
        return f"AdssClient(profile_id={self.profile_id!r}, token={'set' if self._token else 'none'})"

    @property
    def token(self) -> Any:
        return self._token

    def authenticate(self, grant_type: str = "client_credentials", **options: Any) -> adss.Token:
        """``/authenticate`` (``client_id``, ``client_secret``, ``username``, ``password``... as
        :func:`adss.build_authenticate_request` takes them); the token is kept for :meth:`sign`."""
        resp = _exchange(self._send, adss.build_authenticate_request(grant_type, **options))
        token = adss.parse_token_response(resp.status, resp.body)
        self._token = token
        return token

    def _token_arg(self) -> Any:
        if self._token is None:
            raise InputError("token", "authenticate first (or give token=)")
        return self._token

    def sign(
        self,
        hashes: Sequence[HashToSign],
        *,
        cert_alias: str | None = None,
        certificate: CertificateLike | adss.UserCertificate | None = None,
        certificate_chain: Sequence[x509.Certificate] | None = None,
        trust_anchors: Sequence[x509.Certificate] | None = None,
        **options: Any,
    ) -> adss.SignResult:
        """``/v2/sign/request`` for ``hashes``, then ``/v2/sign/status`` while PENDING; the final
        SUCCESS result. TIMEOUT, DECLINED, FAILED raise their :class:`adss.AdssSignStatusError`;
        still PENDING at ``poll_timeout``, :class:`adss.AdssPollTimeout`.

        With ``certificate`` (``certificate_chain``) and ``trust_anchors`` the polling is
        :class:`adss.SignStatusPoller`'s and the signatures are verified like a direct answer
        (VerificationFailed otherwise); without them the result is returned unverified."""
        alias = cert_alias or self.cert_alias
        if alias is None:
            raise InputError("cert_alias", "is required (here or in the client)")
        items = _items("hashes", hashes)
        chain = _items("certificate_chain", certificate_chain) if certificate_chain is not None else []
        anchors = _items("trust_anchors", trust_anchors) if trust_anchors is not None else None
        req = adss.build_sign_request(
            items, profile_id=self.profile_id, cert_alias=alias, token=self._token_arg(), **options
        )
        resp = _exchange(self._send, req)
        result = adss.parse_sign_response(resp.status, resp.body)
        if certificate is not None and anchors is not None:
            poller = adss.SignStatusPoller.for_answer(
                req,
                result,
                profile_id=self.profile_id,
                token=self._token_arg(),
                certificate=certificate,
                certificate_chain=chain,
                trust_anchors=anchors,
                first_delay=min(self.poll_interval, self.poll_timeout),
                max_delay=max(self.max_interval, self.poll_interval),
                deadline=max(self.poll_timeout, 0.001),
                clock=self._clock,
            )
            step = poller.start()
            while isinstance(step, adss.Poll):
                self._sleep(step.delay)
                answer = _exchange(self._send, step.request, idempotent=True)
                step = poller.receive(answer.status, answer.body)
            return step.result
        result = self._until_final(result)
        adss.raise_for_sign_status(result, result.request_id)
        return result

    def _until_final(self, result: adss.SignResult) -> adss.SignResult:
        request_id = result.request_id
        deadline = self._clock() + self.poll_timeout
        interval = self.poll_interval
        while result.status is adss.SignStatus.PENDING:
            if request_id is None:
                raise InputError("sign_response.request_id", "is missing in a PENDING answer")
            if self._clock() + interval > deadline:
                raise adss.AdssPollTimeout("PENDING", request_id, f"still PENDING after {self.poll_timeout} seconds")
            self._sleep(interval)
            interval = min(interval * 2 or self.max_interval, self.max_interval)
            poll = adss.build_sign_status_request(self.profile_id, request_id, token=self._token_arg())
            resp = _exchange(self._send, poll, idempotent=True)
            result = adss.parse_sign_status(resp.status, resp.body)
        return result


# --------------------------------------------------------------------------- emCA


class EmcaClient(_Client):
    """An emCA client over ``send`` for one registered user: ``username``, ``password``, the
    ``signer`` KeyBundle whose certificate the CA registered, the shared ``envelope``; ``options``
    (``auth``, ``framing``, ``path``...) go to every :func:`emca.build_create_certificates_request`."""

    def __init__(
        self, send: Send, *, username: str, password: str, signer: KeyBundle, envelope: Envelope, **options: Any
    ) -> None:
        from .envelope import Envelope
        from .pkcs12 import KeyBundle

        self._send = _send_arg(send)
        if not isinstance(username, str) or not username:
            raise InputError("username", "must be a non-empty string")
        if not isinstance(password, str):
            raise InputError("password", "must be a string")
        if not isinstance(signer, KeyBundle):
            raise InputError("signer", "must be the KeyBundle whose certificate the CA registered")
        if not isinstance(envelope, Envelope):
            raise InputError("envelope", "must be the Envelope shared with the CA")
        self.username = username
        self._password = password
        self._signer = signer
        self._envelope = envelope
        self._options = options

    @classmethod
    def connect(cls, base_url: str, *, transport: Mapping[str, Any] | None = None, **options: Any) -> EmcaClient:
        """A client over a new :class:`~cryptokit.transport.Transport` to ``base_url``; close it
        with :meth:`close` or ``with``."""
        return _connect(base_url, transport, "transport", lambda send: cls(send, **options))

    def __repr__(self) -> str:
        return f"EmcaClient(username={self.username!r})"

    def create_certificates(self, csrs: Mapping[str, Any], **options: Any) -> emca.CreateCertificatesResult:
        """Send the multiple-CSR request (``application_id``, ``profile_id``, ``subscriber_id``,
        ``validity``... in ``options``) and return the answer checked against it."""
        merged = {**self._options, **options}
        for name in ("application_id", "profile_id", "subscriber_id"):
            if name not in merged:
                raise InputError(name, "is required (in create_certificates or the client's options)")
        req = emca.build_create_certificates_request(
            csrs,
            username=self.username,
            password=self._password,
            signer=self._signer,
            envelope=self._envelope,
            **merged,
        )
        resp = _exchange(self._send, req)
        return emca.verify_create_certificates_response(resp.status, resp.body, request=req)
