"""PDF signed PAdES B-B by pyHanko with a key held by ADSS or CSC, end to end over real HTTP.

A throwaway PKI (cryptokit.testing); the ADSS EmbeddedSigner and the CSC EmbeddedCscSigner each served
by a local HTTP server on 127.0.0.1 (tests/local_http.py: bounded timeouts, always stopped); a real PDF
signed through each; pyHanko's validator must find the signature intact, valid, trusted and covering
the whole file.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

pytest.importorskip("pyhanko", reason="the pdf extra (pyHanko) is not installed")

from asn1crypto import x509 as ax509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from cryptokit.errors import ForeignSignature, PolicyViolation, UnsupportedAlgorithm
from cryptokit.integrations.pyhanko import RemoteSigner, adss_signer, csc_signer
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import adss, csc
from tests.local_http import serve
from tests.pki import Pki, make_cert, make_pki, name

TOKEN = "2YotnFZFEjr1zCsicMWpAA"


def minimal_pdf(text: str = "Invoice 42") -> bytes:
    """A real one-page PDF 1.7 with a text stream and a correct cross-reference table."""
    stream = f"BT /F1 24 Tf 72 700 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def sign_pdf(signer: Any, pdf: bytes) -> bytes:
    meta = signers.PdfSignatureMetadata(field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES)
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer)
    return bytes(out.getvalue())


def validate(pdf: bytes, pki: Pki) -> Any:
    reader = PdfFileReader(io.BytesIO(pdf))
    (embedded,) = reader.embedded_signatures
    root = ax509.Certificate.load(pki.root.public_bytes(Encoding.DER))
    return validate_pdf_signature(embedded, ValidationContext(trust_roots=[root]))


def assert_pades_ok(pdf: bytes, pki: Pki) -> None:
    status = validate(pdf, pki)
    assert status.intact and status.valid, status.pretty_print_details()
    assert status.trusted, status.pretty_print_details()
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.sha256 == ax509.Certificate.load(pki.leaf.public_bytes(Encoding.DER)).sha256
    # PAdES (ETSI.CAdES.detached), not adbe.pkcs7.detached
    reader = PdfFileReader(io.BytesIO(pdf))
    assert reader.embedded_signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


@pytest.mark.parametrize(("kind", "encoding", "scheme"), [("rsa2048", "der", None), ("p256", "raw", None)])
def test_pdf_through_adss_over_http(kind: str, encoding: str, scheme: str | None) -> None:
    pki = make_pki(kind, label="pdf")
    service = adss.EmbeddedSigner(
        KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)),
        cert_alias="signer",
        token=TOKEN,
        signature_encoding=encoding,  # type: ignore[arg-type]
        pending_polls=1,
    )
    with serve(service.handle) as send:
        signer = adss_signer(
            send,
            certificate=pki.leaf,
            chain=pki.chain,
            profile_id="CSP Service Profile",
            cert_alias="signer",
            token=TOKEN,
            scheme=scheme,
            max_polls=2,
            poll_interval=0,
        )
        signed = sign_pdf(signer, minimal_pdf())
        assert send.exchanges == 2  # sign request (PENDING) + one status poll
    assert_pades_ok(signed, pki)


@pytest.mark.parametrize(("kind", "scheme"), [("rsa2048", "pss"), ("p256", None)])
def test_pdf_through_csc_over_http(kind: str, scheme: str | None) -> None:
    pki = make_pki(kind, label="pdf")
    service = csc.EmbeddedCscSigner(
        KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), credential_id="cred", access_token="tok", sad="sad-1"
    )
    with serve(service.handle) as send:
        signer = csc_signer(send, credential_id="cred", access_token="tok", sad="sad-1", scheme=scheme)
        signed = sign_pdf(signer, minimal_pdf())
        assert send.exchanges == 2  # credentials/info + signHash
    assert_pades_ok(signed, pki)
    if scheme == "pss":
        sig = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
        assert sig.signer_info["signature_algorithm"]["algorithm"].native == "rsassa_pss"


def test_tampered_pdf_is_not_intact() -> None:
    pki = make_pki("p256", label="pdf")
    service = csc.EmbeddedCscSigner(
        KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), credential_id="cred", sad="sad-1"
    )
    with serve(service.handle) as send:
        signed = sign_pdf(csc_signer(send, credential_id="cred", access_token="tok", sad="sad-1"), minimal_pdf())
    tampered = signed.replace(b"Invoice 42", b"Invoice 99")
    assert tampered != signed
    assert not validate(tampered, pki).intact


def test_service_with_another_key_is_refused() -> None:
    pki = make_pki("rsa2048", label="pdf")
    other = make_pki("rsa2048", label="pdf-other")
    service = adss.EmbeddedSigner(KeyBundle(other.leaf_key, other.leaf), cert_alias="signer")
    with serve(service.handle) as send:
        signer = adss_signer(
            send, certificate=pki.leaf, chain=pki.chain, profile_id="p", cert_alias="signer", token=TOKEN
        )
        with pytest.raises(ForeignSignature):
            sign_pdf(signer, minimal_pdf())


def test_refused_certificates() -> None:
    pki = make_pki("rsa2048", label="pdf")
    enc_only = make_cert(
        name("encryption only"),
        pki.leaf_key,
        pki.intermediate,
        pki.intermediate_key,
        key_usage={"digital_signature": False, "content_commitment": False, "key_encipherment": True},
    )
    with pytest.raises(PolicyViolation):
        RemoteSigner(lambda h: b"", certificate=enc_only)
    with pytest.raises(UnsupportedAlgorithm):
        RemoteSigner(lambda h: b"", certificate=make_pki("ed25519", label="pdf").leaf)


def test_pyhanko_is_imported_by_the_integration_only() -> None:
    import re
    import subprocess
    import sys
    from pathlib import Path

    import cryptokit

    package = Path(cryptokit.__file__).resolve().parent
    pattern = re.compile(r"^\s*(import|from)\s+pyhanko", re.MULTILINE)
    importers = [p.relative_to(package).as_posix() for p in package.rglob("*.py") if pattern.search(p.read_text())]
    assert sorted(importers) == ["integrations/pdf_verify.py", "integrations/pyhanko.py"]
    probe = (
        "import sys, cryptokit, cryptokit.cli.main; from cryptokit.protocols import adss, csc; "
        "adss.sign_documents, csc.sign_documents; "
        "assert not [m for m in sys.modules if m.startswith('pyhanko')], 'pyhanko imported'"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=120)


@pytest.mark.parametrize("kind", ["rsa2048", "p256"])
def test_pdf_signed_through_adss_passes_cryptokit_pdf_verify(kind: str, tmp_path: Any) -> None:
    """A PDF signed through ADSS (cryptokit's remote signer) passes `cryptokit pdf verify` with its root,
    and fails with another root, as pyHanko's validator says."""
    from cryptokit.cli.main import main

    pki = make_pki(kind, label="pdf")
    service = adss.EmbeddedSigner(KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), cert_alias="signer", token=TOKEN)
    with serve(service.handle) as send:
        signer = adss_signer(
            send, certificate=pki.leaf, chain=pki.chain, profile_id="CSP Service Profile",
            cert_alias="signer", token=TOKEN, max_polls=2, poll_interval=0,
        )  # fmt: skip
        signed = sign_pdf(signer, minimal_pdf())
    assert_pades_ok(signed, pki)
    (tmp_path / "doc.pdf").write_bytes(signed)
    (tmp_path / "root.pem").write_bytes(pki.root.public_bytes(Encoding.PEM))
    other = make_pki(kind, label="pdf-other")
    (tmp_path / "other.pem").write_bytes(other.root.public_bytes(Encoding.PEM))
    assert main(["pdf", "verify", str(tmp_path / "doc.pdf"), "--roots", str(tmp_path / "root.pem")]) == 0
    assert main(["pdf", "verify", str(tmp_path / "doc.pdf"), "--roots", str(tmp_path / "other.pem")]) == 1
