"""CSC against outside peers over real HTTP on 127.0.0.1.

* cryptokit's CscClient over Transport against certomancer-csc-dummy (a CSC v1 server built on
  Certomancer and aiohttp, started by the test): credentials/list, credentials/info, authorize
  bound to the hashes on its SCAL 2 credentials, signHash with RSA PKCS#1 v1.5, RSASSA-PSS and
  ECDSA, every answer checked with csc.verify_sign_hash_response to the Certomancer root.
* pyHanko's CSCSigner, with a CSCAuthorizationManager that calls credentials/authorize, against
  `cryptokit serve --demo`: the PDFs it signs are accepted by pyHanko's validator (intact, valid,
  trusted, whole file).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

pytest.importorskip("httpx")

from cryptokit.certificates import load_certificates
from cryptokit.clients import CscClient
from cryptokit.hashing import hash_to_sign
from cryptokit.protocols import csc
from tests.pki import make_key

pytestmark = pytest.mark.slow

RUNNER = textwrap.dedent(
    """
    import asyncio, sys
    from aiohttp import web
    from certomancer import registry
    from csc_dummy.csc_dummy_server import CSCWithCertomancer, DummyServiceParams

    async def main():
        cfg = registry.CertomancerConfig.from_file(sys.argv[1])
        csc_app = CSCWithCertomancer(cfg, service_params=DummyServiceParams(hash_pinning_required=True, multisign=4))
        csc_app.register_routes()
        runner = web.AppRunner(csc_app.app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print(runner.addresses[0][1], flush=True)
        await asyncio.sleep(float(sys.argv[2]))
        await runner.cleanup()

    asyncio.run(main())
    """
)

VALIDITY = {"valid-from": "2020-01-01T00:00:00+0000", "valid-to": "2100-01-01T00:00:00+0000"}


def _ku(*usages: str) -> dict[str, object]:
    return {"id": "key_usage", "critical": True, "smart-value": {"schema": "key-usage", "params": list(usages)}}


def certomancer_config(folder: Path) -> Path:
    """A Certomancer configuration: root -> intermediate -> an RSA and an EC signer, keys made here."""
    import yaml

    keys = {"root": "rsa2048", "interm": "rsa2048", "signer-rsa": "rsa2048", "signer-ec": "p256"}
    for label, kind in keys.items():
        pem = make_key(kind, f"certomancer-{label}").private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        (folder / f"{label}.key.pem").write_bytes(pem)
    ca_ext = [{"id": "basic_constraints", "critical": True, "value": {"ca": True}}, _ku("key_cert_sign", "crl_sign")]
    leaf_ext = [_ku("digital_signature", "non_repudiation")]
    config = {
        "keysets": {"testing": {"path-prefix": str(folder), "keys": {k: {"path": f"{k}.key.pem"} for k in keys}}},
        "pki-architectures": {
            "testing": {
                "keyset": "testing",
                "entity-defaults": {"country-name": "BE", "organization-name": "cryptokit interop"},
                "entities": {k: {"common-name": f"Certomancer {k}"} for k in keys},
                "certs": {
                    "root": {"subject": "root", "issuer": "root", "validity": VALIDITY, "extensions": ca_ext},
                    "interm": {"issuer": "root", "validity": VALIDITY, "extensions": ca_ext},
                    "signer-rsa": {"issuer": "interm", "validity": VALIDITY, "extensions": leaf_ext},
                    "signer-ec": {"issuer": "interm", "validity": VALIDITY, "extensions": leaf_ext},
                },
            }
        },
    }
    path = folder / "certomancer.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


@contextmanager
def csc_dummy(config: Path, *, max_seconds: int = 300) -> Iterator[str]:
    """certomancer-csc-dummy on 127.0.0.1 (a free port), stopped when the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(config), str(max_seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(proc.stdout.readline() if proc.stdout else ""))
        reader.start()
        reader.join(60)
        if not line or not line[0].strip().isdigit():
            proc.kill()
            raise RuntimeError(f"csc-dummy did not start: {proc.stderr.read() if proc.stderr else ''}")
        yield f"http://127.0.0.1:{int(line[0])}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_csc_client_against_certomancer_csc_dummy(tmp_path: Path) -> None:
    pytest.importorskip("csc_dummy")
    config = certomancer_config(tmp_path)
    hashes = [hash_to_sign(f"interop {i}".encode()) for i in range(6)]
    with csc_dummy(config) as url:
        with CscClient.connect(url, version=1, timeout=30) as client:
            listed = client.credentials().credential_ids
            assert {"testing/signer-rsa", "testing/signer-ec"} <= set(listed)
            rsa_info = client.credential("testing/signer-rsa")
            root = rsa_info.certificates[-1]
            assert rsa_info.scal == "2" and rsa_info.multisign == 4 and root.subject == root.issuer
            # SCAL 2: a SAD without hashes is refused by the peer (its reason is kept: a plain-text 400)
            with pytest.raises(csc.CscError) as refused:
                client.authorize("testing/signer-rsa", num_signatures=1)
            assert refused.value.http_status == 400 and "Bad Request" in refused.value.message  # aiohttp's text kept
            # authorize bound to the hashes, signHash, verified offline to the Certomancer root; 6 hashes
            # go in two calls (multisign 4), each with its own SAD
            for sign_algo in (csc.RSA_ENCRYPTION, "1.2.840.113549.1.1.11", csc.RSASSA_PSS):
                sigs = client.sign_hash(
                    "testing/signer-rsa", hashes, sign_algo=sign_algo, credential=rsa_info, trust_anchors=[root]
                )
                assert len(sigs) == 6
            ec_info = client.credential("testing/signer-ec")
            assert ec_info.key_curve == "1.2.840.10045.3.1.7"
            sad = client.authorize("testing/signer-ec", hashes=hashes[:2])
            req = csc.build_sign_hash_request(
                hashes[:2],
                credential_id="testing/signer-ec",
                sign_algo="1.2.840.10045.4.3.2",
                sad=sad.sad,
                version=1,
                credential=ec_info,
            )
            from cryptokit.transport import Transport

            with Transport(url, timeout=30) as send:
                resp = send(req)
                result = csc.parse_sign_hash_response(resp.status, resp.body, request=req)
                report = csc.verify_sign_hash_response(req, result, certificates=ec_info, trust_anchors=[root])
                assert report.ok and [d.match.scheme for d in report.documents if d.match] == ["ecdsa", "ecdsa"]
                # a hash the SAD does not cover is refused by the peer
                other = csc.build_sign_hash_request(
                    [hash_to_sign(b"not authorized")],
                    credential_id="testing/signer-ec",
                    sign_algo="1.2.840.10045.4.3.2",
                    sad=sad.sad,
                    version=1,
                )
                resp = send(other)
                with pytest.raises(csc.CscError):
                    csc.parse_sign_hash_response(resp.status, resp.body)


def minimal_pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pyhanko_csc_signer_against_cryptokit_serve() -> None:
    pytest.importorskip("pyhanko")
    pytest.importorskip("uvicorn")
    import aiohttp
    from asn1crypto import x509 as a_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import signers
    from pyhanko.sign.signers.csc_signer import (
        CSCAuthorizationInfo,
        CSCAuthorizationManager,
        CSCServiceSessionInfo,
        CSCSigner,
        fetch_certs_in_csc_credential,
    )
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    from tests.servers import cryptokit_serve

    class AuthorizeEachBatch(CSCAuthorizationManager):
        """The CSC authorization manager pyHanko leaves abstract: credentials/authorize per batch."""

        def __init__(self, session: aiohttp.ClientSession, *args: object) -> None:
            super().__init__(*args)  # type: ignore[arg-type]
            self.session = session
            self.calls = 0

        async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
            self.calls += 1
            url = self.csc_session_info.endpoint_url("credentials/authorize")
            body = self.format_csc_auth_request(hash_b64s=hash_b64s)
            async with self.session.post(url, json=body, headers=self.auth_headers, raise_for_status=True) as resp:
                return self.parse_csc_auth_response(await resp.json())

    async def sign_and_validate(url: str, token: str, credential_id: str, root_der: bytes) -> None:
        async with aiohttp.ClientSession() as session:
            info = CSCServiceSessionInfo(url, credential_id, oauth_token=token, api_ver="v1")
            credential = await fetch_certs_in_csc_credential(session, info)
            assert credential.hash_pinning_required  # the demo credential is SCAL 2
            manager = AuthorizeEachBatch(session, info, credential)
            signer = CSCSigner(session, manager)
            for n in range(2):
                writer = IncrementalPdfFileWriter(__import__("io").BytesIO(minimal_pdf()))
                meta = signers.PdfSignatureMetadata(field_name=f"Sig{n}")
                signed = await signers.async_sign_pdf(writer, meta, signer=signer)
                reader = PdfFileReader(signed)
                vc = ValidationContext(trust_roots=[a_x509.Certificate.load(root_der)])
                status = await async_validate_pdf_signature(reader.embedded_signatures[0], vc)
                assert status.intact and status.valid and status.trusted, status.pretty_print_details()
                assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
            assert manager.calls == 2

    with cryptokit_serve() as served:
        creds = served["creds"]
        root = load_certificates(Path(creds["root"]).read_bytes())[0]
        asyncio.run(
            sign_and_validate(
                served["url"],
                creds["csc"]["access_token"],
                creds["csc"]["credential_id"],
                root.public_bytes(Encoding.DER),
            )
        )
