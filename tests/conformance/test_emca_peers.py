"""emCA against real peers: OpenSSL's streamed (BER) CMS, OpenSSL verifying ours, third-party CSRs."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives import serialization

from cryptokit.cms import cms_sign
from cryptokit.envelope import Envelope
from cryptokit.errors import CryptokitError
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import emca
from tests.conftest import OPENSSL, requires_openssl
from tests.pki import make_key, make_pki

KEY = bytes(range(32))
PASSWORD = "pw-for-tests"
AUTH = emca.EmcaAuth(emkey="peer-test-emkey")
PKI = make_pki("p256", label="emca-peers")
SIGNER = KeyBundle(PKI.leaf_key, PKI.leaf)
CA = KeyBundle(PKI.intermediate_key, PKI.intermediate)


def _registry() -> emca.InMemoryRegistry:
    registry = emca.InMemoryRegistry(["P1"])
    registry.register("alice", PASSWORD, PKI.leaf, allowed_ips=emca.ANY)
    return registry


def _request(
    csrs: dict[str, bytes], envelope: Envelope, framing: emca.CsrFraming = emca.DEFAULT_FRAMING
) -> emca.CreateCertificatesRequest:
    return emca.build_create_certificates_request(
        csrs,
        application_id="A",
        profile_id="P1",
        subscriber_id="S",
        username="alice",
        password=PASSWORD,
        signer=SIGNER,
        envelope=envelope,
        auth=AUTH,
        framing=framing,
    )


def _openssl(tmp: Path, *args: str, stdin: bytes | None = None) -> bytes:
    assert OPENSSL is not None
    return subprocess.run([OPENSSL, *args], input=stdin, capture_output=True, check=True, cwd=tmp).stdout


def _write_signer(tmp: Path) -> None:
    (tmp / "cert.pem").write_bytes(PKI.leaf.public_bytes(serialization.Encoding.PEM))
    (tmp / "key.pem").write_bytes(
        PKI.leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


def _csrs() -> dict[str, bytes]:
    from cryptokit.csr import build_csr

    return {f"ID{i}": build_csr(make_key("p256", f"peers-{i}"), {"CN": f"peer {i}"}) for i in range(3)}


@requires_openssl
def test_server_accepts_openssl_streamed_ber_signature(tmp_path: Path) -> None:
    """A Java-style signer (BER indefinite length, attached): OpenSSL -stream makes the same shape."""
    _write_signer(tmp_path)
    csrs = _csrs()
    (tmp_path / "content.txt").write_bytes(emca.frame_csrs(csrs))
    ber = _openssl(
        tmp_path,
        "cms", "-sign", "-binary", "-nodetach", "-stream", "-md", "sha256", "-outform", "DER",
        "-signer", "cert.pem", "-inkey", "key.pem", "-in", "content.txt",
    )  # fmt: skip
    assert ber[1] == 0x80  # indefinite length: really BER
    envelope = Envelope(KEY)
    valid = _request(csrs, envelope)
    params = {"applicationId": "A", "profileID": "P1", "subscriberId": "S", "signature": base64.b64encode(ber).decode()}
    http = emca.build_request(
        emca.METHOD_CREATE_CERTIFICATES, params, username="alice", password=PASSWORD, envelope=envelope, auth=AUTH
    )
    opened = emca.open_create_certificates_request(http, envelope=envelope, registry=_registry())
    assert {k: v.der for k, v in opened.csrs.items()} == csrs
    status, _, body = emca.handle_create_certificates(http, envelope=envelope, registry=_registry(), ca=CA)
    assert emca.parse_create_certificates_response(status, body, request=valid).ok


@requires_openssl
def test_openssl_verifies_the_client_signature(tmp_path: Path) -> None:
    _write_signer(tmp_path)
    (tmp_path / "ca.pem").write_bytes(
        b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (PKI.intermediate, PKI.root))
    )
    envelope = Envelope(KEY)
    csrs = _csrs()

    def verified(cms_b64: str) -> bytes:
        (tmp_path / "sig.der").write_bytes(base64.b64decode(cms_b64))
        return _openssl(
            tmp_path,
            "cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der", "-CAfile", "ca.pem", "-purpose", "any",
        )  # fmt: skip

    # default (per-CSR): the field is ID|base64(CMS)~..., each CMS signs exactly its DER CSR
    request = _request(csrs, envelope)
    field = envelope.open_json(orjson.loads(request.body)["requestData"])["signature"]
    pieces = dict(part.split("|") for part in field.split("~"))
    assert list(pieces) == list(csrs)
    assert {csr_id: verified(b64) for csr_id, b64 in pieces.items()} == csrs
    # joined: one CMS over id|base64(DER)~...
    request = _request(csrs, envelope, emca.JoinedCsrFraming())
    field = envelope.open_json(orjson.loads(request.body)["requestData"])["signature"]
    assert verified(field) == emca.frame_csrs(csrs)


def test_third_party_csr_vectors(vectors: Path) -> None:
    envelope = Envelope(KEY, "aes-256-cbc")
    csrs = {
        "rsa": (vectors / "csr" / "rsa_sha256.der").read_bytes(),
        "ec": (vectors / "csr" / "ec_sha256.der").read_bytes(),
    }
    request = _request(csrs, envelope)
    status, _, body = emca.handle_create_certificates(request, envelope=envelope, registry=_registry(), ca=CA)
    result = emca.parse_create_certificates_response(status, body, request=request)
    assert result.ok and list(result.certificates) == ["rsa", "ec"]


def test_third_party_csr_with_bad_signature(vectors: Path) -> None:
    bad = (vectors / "csr" / "invalid_signature.pem").read_bytes()
    with pytest.raises(CryptokitError):
        _request({"x": bad}, Envelope(KEY))
    # a client that skips the check: the server answers "Please enter valid data"
    envelope = Envelope(KEY)
    signature = emca.JoinedCsrFraming().sign({"x": _pem_der(bad)}, lambda c: cms_sign(c, SIGNER))
    params = {"applicationId": "A", "profileID": "P1", "subscriberId": "S", "signature": signature}
    http = emca.build_request(
        emca.METHOD_CREATE_CERTIFICATES, params, username="alice", password=PASSWORD, envelope=envelope, auth=AUTH
    )
    with pytest.raises(emca.InvalidData):
        emca.open_create_certificates_request(http, envelope=envelope, registry=_registry())


def _pem_der(pem: bytes) -> bytes:
    from cryptokit.encoding import pem_decode

    return pem_decode(pem, label=("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"))


def test_ber_pkcs7_answer_is_loaded(vectors: Path) -> None:
    """An answer in BER PKCS#7 (as Java tools write it) loads; CA certificates are extras, and the
    missing end-entity certificate is reported."""
    envelope = Envelope(KEY)
    request = _request(_csrs(), envelope)
    p7b = base64.b64encode((vectors / "pkcs7" / "amazon-roots.p7b").read_bytes()).decode()
    body = orjson.dumps({"status": "success", "result": p7b, "subscriberId": "S"})
    result = emca.validate_create_certificates_response(200, body, request=request)
    assert len(result.extra) == 2 and not result.certificates
    assert {c.name for c in result.report.failures()} == {"certificate"}
