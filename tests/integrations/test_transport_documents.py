"""adss.sign_documents and the pyHanko ADSS signer with cryptokit.transport.Transport as the HTTP callable,
against the ADSS EmbeddedSigner served on 127.0.0.1 (tests/local_http.py): the real client path, end to end.
Skipped until the http extra (httpx) and cryptokit.transport are installed."""

from __future__ import annotations

import io

import pytest

from cryptokit.cms import cms_verify
from cryptokit.pkcs12 import KeyBundle
from cryptokit.protocols import adss
from tests.local_http import serve
from tests.pki import make_pki

transport = pytest.importorskip("cryptokit.transport", reason="cryptokit.transport (extra http) is not installed")

TOKEN = "2YotnFZFEjr1zCsicMWpAA"
DOCS = [b"contract 1\n", b"contract 2\n" * 1000]


def test_sign_documents_through_transport() -> None:
    pki = make_pki("p256", label="transport")
    service = adss.EmbeddedSigner(KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), cert_alias="signer", token=TOKEN)
    with serve(service.handle) as local, transport.Transport(f"http://{local.host}:{local.port}", timeout=10) as t:
        signed = adss.sign_documents(
            DOCS,
            t.send,
            certificate=pki.leaf,
            chain=pki.chain,
            profile_id="CSP Service Profile",
            cert_alias="signer",
            token=TOKEN,
        )
        with pytest.raises(adss.AdssError):  # a refused token comes back over HTTP as the typed ADSS error
            adss.sign_documents(
                DOCS,
                t.send,
                certificate=pki.leaf,
                profile_id="CSP Service Profile",
                cert_alias="signer",
                token="b3RoZXI",
            )
    for der, content in zip(signed, DOCS, strict=True):
        assert cms_verify(der, content=content, trust_anchors=[pki.root]).signer == pki.leaf


def test_pdf_through_transport() -> None:
    pytest.importorskip("pyhanko", reason="the pdf extra (pyHanko) is not installed")
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from cryptokit.integrations.pyhanko import adss_signer
    from tests.integrations.test_pyhanko import assert_pades_ok, minimal_pdf

    pki = make_pki("rsa2048", label="transport")
    service = adss.EmbeddedSigner(KeyBundle(pki.leaf_key, pki.leaf, tuple(pki.chain)), cert_alias="signer", token=TOKEN)
    with serve(service.handle) as local, transport.Transport(f"http://{local.host}:{local.port}", timeout=10) as t:
        signer = adss_signer(
            t.send,
            certificate=pki.leaf,
            chain=pki.chain,
            profile_id="CSP Service Profile",
            cert_alias="signer",
            token=TOKEN,
        )
        meta = signers.PdfSignatureMetadata(field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES)
        out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(minimal_pdf())), meta, signer=signer)
    assert_pades_ok(bytes(out.getvalue()), pki)
