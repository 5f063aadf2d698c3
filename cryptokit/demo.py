"""``cryptokit demo``: the whole remote-signing job on embedded defaults, in a temporary folder.

Steps (each timed, each with a verdict):

1. ``pki``: a throwaway root, issuing CA and client PFX (written to disk, read back with
   :func:`cryptokit.pkcs12.load_pfx`), registered with an embedded emCA service (password, emKey,
   AuthKey client id, shared AES-256 envelope key).
2. ``emca``: createCertificatesByIdWithMultipleCsrData through the real client and server halves
   (routed by method, envelope, emKey + AuthKey, registered source IP, one CMS per CSR, issuance
   with the requested validity and validFrom, the answer wrapped in ``response``),
   over HTTP/1.1 message bytes; the answer is checked against the request, every issued
   certificate's chain is validated, and a replay of the same request bytes must be refused.
3. ``hash``: N documents written to the folder and hashed with :func:`cryptokit.bulk.hash_many`.
4. ``adss-sign``: the ADSS ``/v2/sign/request`` (answered PENDING) and ``/v2/sign/status``
   (answered SUCCESS) exchange against :class:`cryptokit.protocols.adss.EmbeddedSigner` (the
   library's sans-I/O server half) holding the key of one issued certificate.
5. ``adss-verify``: :func:`cryptokit.protocols.adss.verify_sign_response` checks every returned
   signature and the signer's chain; a copy with one signature altered must fail on that document
   only (:func:`~cryptokit.protocols.adss.validate_sign_response`, the report variant).

What it proves: the client and server halves interoperate over bytes, and the verifiers accept the
good and refuse the altered. What it does not: interoperability with the vendors' real servers
(the envelope profile, CSR framing and emKey scheme are cryptokit's documented choices).
The emCA server half and the ADSS signer are cryptokit's own sans-I/O server halves; the registry
and the HTTP framing around them are demo code.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from .errors import CryptokitError, InputError, VerificationFailed
from .protocols import HttpRequest
from .testing import DAY, make_cert, new_key
from .testing import name as dn

__all__ = ["DemoStep", "DemoResult", "run_demo", "MAX_DEMO_DOCUMENTS"]

UTC = dt.UTC
#: The most documents one demo run hashes and signs (one ADSS sign request).
MAX_DEMO_DOCUMENTS = 10_000
_MAX_WIRE = 64 * 1024 * 1024
_PROFILE = "DEMO-DOCUMENT-SIGNING"
_USER = "demo-client"
_ADSS_PROFILE = "adss:csp:demo"
_SIGNER_ALIAS = "SIGNER"
#: The source address the demo client is registered with (and sends from).
_CLIENT_IP = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class DemoStep:
    """One step's verdict: ``count`` items handled in ``seconds``; ``detail`` says what was checked
    (or why it failed); ``facts`` holds JSON-ready numbers and names (never secrets)."""

    name: str
    ok: bool
    count: int
    seconds: float
    detail: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    unit: str = "items"

    @property
    def per_second(self) -> float | None:
        """Throughput of the bulk steps (documents, signatures); None for the setup steps."""
        if self.unit not in ("documents", "signatures") or not self.count or self.seconds <= 0:
            return None
        return self.count / self.seconds

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "ok": self.ok,
            "count": self.count,
            "unit": self.unit,
            "seconds": round(self.seconds, 4),
            "per_second": None if self.per_second is None else round(self.per_second, 1),
            "detail": self.detail,
        }
        out.update(self.facts)
        return out


@dataclass(frozen=True, slots=True)
class DemoResult:
    """Every step, and ``ok`` only if every step passed."""

    steps: tuple[DemoStep, ...]
    documents: int
    seconds: float
    exported: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "documents": self.documents,
            "seconds": round(self.seconds, 3),
            "steps": [s.to_dict() for s in self.steps],
            "exported": list(self.exported),
        }


# --------------------------------------------------------------------------- the wire


def request_bytes(request: HttpRequest, host: str) -> bytes:
    """``request`` as the HTTP/1.1 message a client would write on the socket."""
    lines = [f"{request.method} {request.path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in request.headers.items()]
    lines.append(f"Content-Length: {len(request.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body


def parse_request_bytes(raw: bytes) -> HttpRequest:
    """The server's reading of an HTTP/1.1 request message (no chunked encoding, bounded)."""
    if not isinstance(raw, (bytes, bytearray)):
        raise InputError("request", f"must be bytes, not {type(raw).__name__}")
    head, body = _split_message(raw, "request")
    start, *header_lines = head.split("\r\n")
    parts = start.split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise InputError("request", "bad request line")
    headers = _headers(header_lines, "request")
    headers.pop("Host", None)
    _check_length(headers, body, "request")
    return HttpRequest(parts[0], parts[1], {}, headers, body)


def response_bytes(status: int, body: bytes) -> bytes:
    """An HTTP/1.1 JSON answer as the server would write it."""
    head = f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\nContent-Type: application/json\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body


def parse_response_bytes(raw: bytes) -> tuple[int, bytes]:
    """(status, body) of an HTTP/1.1 answer message."""
    if not isinstance(raw, (bytes, bytearray)):
        raise InputError("response", f"must be bytes, not {type(raw).__name__}")
    head, body = _split_message(raw, "response")
    start, *header_lines = head.split("\r\n")
    parts = start.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise InputError("response", "bad status line")
    _check_length(_headers(header_lines, "response"), body, "response")
    return int(parts[1]), body


def _split_message(raw: bytes, field_name: str) -> tuple[str, bytes]:
    if len(raw) > _MAX_WIRE:
        raise InputError(field_name, f"is over {_MAX_WIRE} bytes")
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise InputError(field_name, "has no end of headers")
    return head.decode("latin-1"), body


def _headers(lines: list[str], field_name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep or not name:
            raise InputError(field_name, "bad header line")
        out[name.strip()] = value.strip()
    return out


def _check_length(headers: dict[str, str], body: bytes, field_name: str) -> None:
    length = headers.pop("Content-Length", None)
    if length is None or not length.isdigit() or int(length) != len(body):
        raise InputError(field_name, "Content-Length does not match the body")


@dataclass
class _State:
    """What the steps hand each other (secrets stay in here and never reach a DemoStep)."""

    folder: Path
    now: dt.datetime
    root: x509.Certificate | None = None
    ca: Any = None  # KeyBundle of the issuing CA
    client: Any = None  # KeyBundle loaded from the client PFX
    client_password: str = ""
    envelope_key_text: str = ""
    emkey_secret: bytes = b""
    registry: Any = None
    signer_key: Any = None
    signer_cert: x509.Certificate | None = None
    ca_chain: tuple[x509.Certificate, ...] = ()
    documents: list[Path] = field(default_factory=list)
    hashes: list[Any] = field(default_factory=list)
    sign_request: HttpRequest | None = None
    sign_result: Any = None
    sign_status_body: bytes = b""


def _step_pki(state: _State) -> tuple[int, str, dict[str, Any]]:
    from .pkcs12 import KeyBundle, load_pfx
    from .protocols import emca

    root_key, ca_key, client_key = new_key("rsa2048"), new_key("rsa2048"), new_key("rsa2048")
    root = make_cert(dn("cryptokit demo root", o="cryptokit demo"), root_key, ca=True, not_after=state.now + 3650 * DAY)
    ca_cert = make_cert(
        dn("cryptokit demo issuing CA", o="cryptokit demo"),
        ca_key,
        root,
        root_key,
        ca=True,
        path_length=0,
        not_after=state.now + 3650 * DAY,
    )
    state.root = root
    state.ca = KeyBundle(ca_key, ca_cert, (root,))
    # The client's registered PFX, made by the CA, written as a file and read back like a customer's.
    client_cert = make_cert(dn("cryptokit demo API client", o="cryptokit demo"), client_key, ca_cert, ca_key)
    state.client_password = secrets.token_urlsafe(18)
    pfx_path = state.folder / "client.pfx"
    pfx_path.write_bytes(KeyBundle(client_key, client_cert, (ca_cert, root)).to_pkcs12(state.client_password))
    state.client = load_pfx(pfx_path.read_bytes(), state.client_password, require_key=True)
    # The out-of-band secrets an operator hands the client: AES-256 key (file) and emKey.
    state.envelope_key_text = secrets.token_hex(32)
    key_path = state.folder / "envelope.key"
    key_path.write_text(state.envelope_key_text + "\n", encoding="ascii")
    key_path.chmod(0o600)
    state.emkey_secret = secrets.token_bytes(32)
    registry = emca.InMemoryRegistry(profiles=[_PROFILE])
    registry.register(_USER, state.client_password, state.client.certificate, allowed_ips=[_CLIENT_IP])
    state.registry = registry
    facts = {"root": root.subject.rfc4514_string(), "issuing_ca": ca_cert.subject.rfc4514_string()}
    return 3, "root, issuing CA, client PFX (file, read back), emCA registration", facts


def _step_emca(state: _State) -> tuple[int, str, dict[str, Any]]:
    from .chain import validate_chain
    from .csr import build_csr
    from .envelope import Envelope
    from .protocols import emca

    if state.client is None or state.ca is None or state.root is None:
        raise _Skipped("needs the pki step")
    signer_key = new_key("rsa2048")
    seal_key = ec.generate_private_key(ec.SECP256R1())
    csrs = {
        _SIGNER_ALIAS: build_csr(signer_key, "CN=Demo Document Signer,O=cryptokit demo"),
        "SEAL": build_csr(seal_key, "CN=Demo Company Seal,O=cryptokit demo"),
    }
    validity = emca.Validity(30, 12, 0, 0)
    valid_from = state.now - dt.timedelta(minutes=1)
    # Client half: its own envelope from the key file, the PFX, the emKey the operator issued.
    client_env = Envelope.from_key_text((state.folder / "envelope.key").read_text(encoding="ascii"))
    auth = emca.EmcaAuth.generated(state.emkey_secret, _USER, client_id=_USER)
    request = emca.build_create_certificates_request(
        csrs,
        application_id="demo-app-1",
        profile_id=_PROFILE,
        subscriber_id="demo-subscriber-1",
        username=_USER,
        password=state.client_password,
        signer=state.client,
        envelope=client_env,
        validity=validity,
        valid_from=valid_from,
        auth=auth,
    )
    wire_in = request_bytes(request, "emca.demo.invalid")
    # Server half: reads the bytes, opens, authenticates, checks the CMS, issues.
    server_env = Envelope.from_key_text(state.envelope_key_text)
    verifier = emca.AuthKeyVerifier(client_ids=[_USER])

    def serve(raw: bytes) -> bytes:
        answer = emca.handle_request(
            parse_request_bytes(raw),
            envelope=server_env,
            registry=state.registry,
            ca=state.ca,
            auth_verifier=verifier,
            emkey_secret=state.emkey_secret,
            source_ip=_CLIENT_IP,
            include_chain=True,
        )
        return response_bytes(answer.status, answer.body)

    wire_out = serve(wire_in)
    status, body = parse_response_bytes(wire_out)
    result = emca.parse_create_certificates_response(status, body, request=request)
    if result.pending or len(result.certificates) != len(csrs):
        raise _Failed(f"expected {len(csrs)} certificates, got {len(result.certificates)}")
    chains_ok = 0
    for issued in result.certificates.values():
        report = validate_chain(issued.certificate, intermediates=result.extra, trust_anchors=[state.root])
        if not report.ok:
            failures = report.failures()
            raise _Failed(f"issued certificate {issued.csr_id}: chain {failures[0].message if failures else 'failed'}")
        chains_ok += 1
    # The same bytes again: the AuthKey txn was used, so the server must refuse them.
    replay_status, replay_body = parse_response_bytes(serve(wire_in))
    try:
        emca.parse_create_certificates_response(replay_status, replay_body, request=request)
    except emca.InvalidRequestDetails:
        replay_refused = True
    else:
        replay_refused = False
    if not replay_refused:
        raise _Failed("a replayed request was not refused")
    signer = result.certificates[_SIGNER_ALIAS].certificate
    state.signer_key, state.signer_cert = signer_key, signer
    state.ca_chain = tuple(c for c in result.extra if c != state.root)
    lengths = {
        i.csr_id: str(i.certificate.not_valid_after_utc - i.certificate.not_valid_before_utc)
        for i in result.certificates.values()
    }
    facts = {
        "request_bytes": len(wire_in),
        "response_bytes": len(wire_out),
        "validity_requested": str(validity),
        "validity_issued": lengths,
        "chains_valid": chains_ok,
        "replay_refused": replay_refused,
    }
    detail = f"{len(csrs)} CSRs -> {len(result.certificates)} certs, validity {validity}, chains valid, replay refused"
    return len(result.certificates), detail, facts


def _step_hash(state: _State, count: int) -> tuple[int, str, dict[str, Any]]:
    from .bulk import hash_many, unwrap

    docs = state.folder / "documents"
    docs.mkdir()
    paths = []
    for i in range(count):
        p = docs / f"invoice-{i:05d}.txt"
        p.write_bytes(f"Invoice {i:05d}\n".encode() + secrets.token_bytes(2048))
        paths.append(p)
    state.documents = paths
    started = time.perf_counter()
    state.hashes = unwrap(hash_many(paths, "sha256"))
    elapsed = time.perf_counter() - started
    size = sum(p.stat().st_size for p in paths)
    facts = {"algorithm": "sha256", "bytes": size, "_seconds": elapsed}
    return len(state.hashes), f"SHA-256 of {count} documents, {size / 1e6:.1f} MB", facts


def _step_adss_sign(state: _State) -> tuple[int, str, dict[str, Any]]:
    from .protocols import adss

    if state.signer_key is None or not state.hashes:
        raise _Skipped("needs the emca and hash steps")
    token = secrets.token_urlsafe(24)
    # The service side: the library's sans-I/O ADSS signer holding the key emCA just certified. It answers
    # the sign request PENDING (the user approves on their phone) and the first status poll SUCCESS.
    service = adss.EmbeddedSigner(state.signer_key, cert_alias=_SIGNER_ALIAS, token=token, pending_polls=1)

    class _Wire:
        @staticmethod
        def handle(raw: bytes) -> bytes:
            answer = service.handle(parse_request_bytes(raw))
            return response_bytes(answer.status, answer.body)

    signer = _Wire()
    host = "adss.demo.invalid"
    request = adss.build_sign_request(
        state.hashes,
        profile_id=_ADSS_PROFILE,
        cert_alias=_SIGNER_ALIAS,
        token=token,
        doc_aliases=[p.name for p in state.documents],
        request_description="cryptokit demo batch",
    )
    wire_in = request_bytes(request, host)
    first = adss.parse_sign_response(*parse_response_bytes(signer.handle(wire_in)))
    if first.status is not adss.SignStatus.PENDING or first.request_id is None:
        raise _Failed(f"sign request answered {first.status.value}, expected PENDING")
    poll = adss.build_sign_status_request(_ADSS_PROFILE, first.request_id, token=token)
    wire_out = signer.handle(request_bytes(poll, host))
    result = adss.parse_sign_status(*parse_response_bytes(wire_out))
    if not result.succeeded:
        raise _Failed(f"sign status answered {result.status.value}")
    state.sign_request, state.sign_result = request, result
    state.sign_status_body = parse_response_bytes(wire_out)[1]
    facts = {"request_bytes": len(wire_in), "status_response_bytes": len(wire_out), "statuses": "PENDING -> SUCCESS"}
    return len(result.signatures), "sign request PENDING, status poll SUCCESS", facts


def _step_adss_verify(state: _State) -> tuple[int, str, dict[str, Any]]:
    from .protocols import adss

    if state.sign_result is None or state.sign_request is None or state.root is None or state.signer_cert is None:
        raise _Skipped("needs the adss-sign step")
    started = time.perf_counter()
    try:  # fail closed: returns the report only when every document and the chain passed
        report: Any = adss.verify_sign_response(
            state.sign_request,
            state.sign_result,
            certificate=state.signer_cert,
            certificate_chain=list(state.ca_chain),
            trust_anchors=[state.root],
        )
    except VerificationFailed as exc:
        if exc.report is None:
            raise
        report = exc.report
    good = sum(1 for d in report.documents if d.ok)
    if not report.ok or good != len(state.hashes):
        failed = report.failures()
        raise _Failed(f"{good}/{len(state.hashes)} verified; {failed[0].message if failed else report.indication}")
    elapsed = time.perf_counter() - started
    schemes = sorted({f"{d.scheme}" for d in report.documents})
    # Negative control: one altered signature must fail, on that document only.
    sigs = list(state.sign_result.signatures)
    victim = len(sigs) // 2
    sigs[victim] = bytes([sigs[victim][0] ^ 1]) + sigs[victim][1:]
    tampered = adss.SignResult(state.sign_result.status, state.sign_result.request_id, tuple(sigs))
    bad = adss.validate_sign_response(  # the report variant: this one must fail
        state.sign_request, tampered, certificate=state.signer_cert, certificate_chain=list(state.ca_chain),
        trust_anchors=[state.root],
    )  # fmt: skip
    caught = [d.index for d in bad.documents if not d.ok]
    if bad.ok or caught != [victim]:
        raise _Failed(f"the altered signature was not caught exactly (failed documents: {caught[:5]})")
    facts = {
        "indication": report.indication.value,
        "schemes": schemes,
        "chain": [c.subject.rfc4514_string() for c in report.chain.path] if report.chain is not None else [],
        "tamper_detected": True,
        "_seconds": elapsed,
    }
    detail = f"{report.indication.value} ({', '.join(schemes)}), chain to root; altered copy caught"
    return good, detail, facts


class _Skipped(CryptokitError):
    """A step could not run because an earlier one failed."""


class _Failed(CryptokitError):
    """A step ran and its check failed."""


def run_demo(
    documents: int = 1000,
    *,
    folder: str | os.PathLike[str] | None = None,
    on_step: Callable[[DemoStep], None] | None = None,
    export: str | os.PathLike[str] | None = None,
) -> DemoResult:
    """Run every step in a fresh temporary folder (inside ``folder`` when given) and return the verdicts.

    Never raises for a failing step: the step is reported failed with its reason (the error's type and
    message, which by the library's rules carry no secret; an unexpected exception from a missing or
    broken library part is reported the same way), and later steps that need it are reported as not run.
    ``documents``: 1..:data:`MAX_DEMO_DOCUMENTS`. ``on_step`` is called after each step.
    ``export``: a folder to copy the public artefacts into, for trying the offline verifiers on them
    (certificates, the ADSS request and answer bodies, a bulk manifest); never a key, PFX or password.
    """
    if isinstance(documents, bool) or not isinstance(documents, int) or not 1 <= documents <= MAX_DEMO_DOCUMENTS:
        raise InputError("documents", f"must be an integer from 1 to {MAX_DEMO_DOCUMENTS}")
    started = time.perf_counter()
    steps: list[DemoStep] = []
    with tempfile.TemporaryDirectory(prefix="cryptokit-demo-", dir=folder) as tmp:
        state = _State(Path(tmp), dt.datetime.now(UTC).replace(microsecond=0))
        plan: list[tuple[str, str, Callable[[], tuple[int, str, dict[str, Any]]]]] = [
            ("pki", "certificates", lambda: _step_pki(state)),
            ("emca", "certificates", lambda: _step_emca(state)),
            ("hash", "documents", lambda: _step_hash(state, documents)),
            ("adss-sign", "signatures", lambda: _step_adss_sign(state)),
            ("adss-verify", "signatures", lambda: _step_adss_verify(state)),
        ]
        for name, unit, fn in plan:
            t0 = time.perf_counter()
            try:
                count, detail, facts = fn()
                total = time.perf_counter() - t0
                seconds = float(facts.pop("_seconds", total))  # the timed work, when a step sets it up first
                if seconds != total:
                    facts["step_seconds"] = round(total, 4)
                step = DemoStep(name, True, count, seconds, detail, facts, unit)
            except _Skipped as exc:
                step = DemoStep(name, False, 0, 0.0, f"not run: {exc}", unit=unit)
            except CryptokitError as exc:
                step = DemoStep(name, False, 0, time.perf_counter() - t0, f"{type(exc).__name__}: {exc}", unit=unit)
            except Exception as exc:  # a missing or broken library part fails its step, not the run
                reason = f"{type(exc).__name__}: {str(exc)[:200]}"
                step = DemoStep(name, False, 0, time.perf_counter() - t0, reason, unit=unit)
            steps.append(step)
            if on_step is not None:
                on_step(step)
            exported = _export(state, Path(export)) if export is not None else ()
    return DemoResult(tuple(steps), documents, time.perf_counter() - started, exported)


def _export(state: _State, folder: Path) -> tuple[str, ...]:
    """Write the public artefacts that exist; returns the file names written."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from .encoding import b64encode

    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    if state.root is not None:
        files["root.pem"] = state.root.public_bytes(Encoding.PEM)
    if state.ca_chain:
        files["issuing-ca.pem"] = b"".join(c.public_bytes(Encoding.PEM) for c in state.ca_chain)
    if state.signer_cert is not None:
        files["signer.pem"] = state.signer_cert.public_bytes(Encoding.PEM)
    if state.sign_request is not None and state.sign_status_body:
        files["adss-sign-request.json"] = state.sign_request.body
        files["adss-sign-response.json"] = state.sign_status_body
        answer = orjson.loads(state.sign_status_body)
        signatures = answer.get("signatures") if isinstance(answer, dict) else None
        if isinstance(signatures, list) and len(signatures) >= 5:  # documents 3 and 4 swapped, for the README
            signatures[3], signatures[4] = signatures[4], signatures[3]
            files["swapped-response.json"] = orjson.dumps(answer)
        lines = [
            orjson.dumps({"id": p.name, "cert": "signer.pem", "sig_b64": b64encode(sig), "hash": h.b64})
            for p, h, sig in zip(state.documents, state.hashes, state.sign_result.signatures, strict=True)
        ]
        files["bulk-manifest.jsonl"] = b"\n".join(lines) + b"\n"
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return tuple(files)
