"""``cryptokit pdf verify`` against PDFs signed by pyHanko (RSA PKCS#1 v1.5, RSA-PSS, ECDSA P-256), intact
and tampered, with the right and a wrong root; each verdict agrees with pyHanko's own validator."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyhanko", reason="the pdf extra (pyHanko) is not installed")

from asn1crypto import algos
from asn1crypto import keys as akeys
from asn1crypto import x509 as ax509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from cryptokit.cli.main import main
from cryptokit.errors import InputError
from cryptokit.integrations.pdf_verify import cms_der_length, verify_pdf
from tests.integrations.test_pyhanko import minimal_pdf
from tests.pki import Pki, make_pki

NOW = "2026-06-01T00:00:00Z"


def _a(cert: Any) -> ax509.Certificate:
    return ax509.Certificate.load(cert.public_bytes(Encoding.DER))


def simple_signer(pki: Pki, pss: bool = False) -> signers.SimpleSigner:
    der = pki.leaf_key.private_bytes(Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    mechanism = None
    if pss:
        mechanism = algos.SignedDigestAlgorithm(
            {"algorithm": "rsassa_pss", "parameters": {
                "hash_algorithm": {"algorithm": "sha256"},
                "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
                "salt_length": 32,
            }}
        )  # fmt: skip
    return signers.SimpleSigner(
        signing_cert=_a(pki.leaf),
        signing_key=akeys.PrivateKeyInfo.load(der),
        cert_registry=SimpleCertificateStore.from_certs([_a(pki.intermediate)]),
        signature_mechanism=mechanism,
    )


def sign(pdf: bytes, signer: Any, field: str = "Signature1") -> bytes:
    meta = signers.PdfSignatureMetadata(field_name=field, subfilter=fields.SigSeedSubFilter.PADES)
    return bytes(signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer).getvalue())


def pyhanko_statuses(pdf: bytes, root: Any) -> list[Any]:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return [validate_pdf_signature(e, ValidationContext(trust_roots=[_a(root)])) for e in reader.embedded_signatures]


def pyhanko_ok(status: Any) -> bool:
    return bool(status.intact and status.valid and status.trusted)


def run(tmp_path: Path, pdf: bytes, root: Any, *extra: str) -> tuple[int, dict[str, Any]]:
    pdf_path = tmp_path / "doc.pdf"
    pdf_path.write_bytes(pdf)
    root_path = tmp_path / "root.pem"
    root_path.write_bytes(root.public_bytes(Encoding.PEM))
    code = main(["pdf", "verify", str(pdf_path), "--roots", str(root_path), "--json", *extra])
    return code, json.loads(capsys_out.pop())


capsys_out: list[str] = []


@pytest.fixture(autouse=True)
def _capture(capsys: pytest.CaptureFixture[str]) -> Any:
    class Grab(list[str]):
        def pop(self, index: Any = -1) -> str:  # type: ignore[override]
            return capsys.readouterr().out

    global capsys_out
    capsys_out = Grab()
    yield


CASES = [("rsa2048", False), ("rsa2048", True), ("p256", False)]


@pytest.fixture(scope="module", params=CASES, ids=["rsa-pkcs1v15", "rsa-pss", "ecdsa-p256"])
def signed(request: pytest.FixtureRequest) -> tuple[Pki, bytes]:
    kind, pss = request.param
    pki = make_pki(kind, label="pdfverify")
    return pki, sign(minimal_pdf(), simple_signer(pki, pss))


def test_intact_pdf_verifies_and_agrees_with_pyhanko(signed: tuple[Pki, bytes], tmp_path: Path) -> None:
    pki, pdf = signed
    code, doc = run(tmp_path, pdf, pki.root)
    assert code == 0, doc
    (sig,) = doc["signatures"]
    assert sig["field"] == "Signature1"
    assert sig["signer"] == pki.leaf.subject.rfc4514_string()
    assert sig["indication"] == "TOTAL_PASSED" and sig["failed_checks"] == []
    assert sig["covers_whole_file"] is True
    assert sig["byte_range"][0] == 0 and sum(sig["byte_range"][2:]) == len(pdf)
    (status,) = pyhanko_statuses(pdf, pki.root)
    assert pyhanko_ok(status) and status.coverage.name == "ENTIRE_FILE"


def test_pss_pdf_really_is_pss(tmp_path: Path) -> None:
    pki = make_pki("rsa2048", label="pdfverify")
    pdf = sign(minimal_pdf(), simple_signer(pki, pss=True))
    sig = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    assert sig.signer_info["signature_algorithm"]["algorithm"].native == "rsassa_pss"
    assert run(tmp_path, pdf, pki.root)[0] == 0


def test_tampered_byte_fails_and_pyhanko_agrees(signed: tuple[Pki, bytes], tmp_path: Path) -> None:
    pki, pdf = signed
    at = pdf.index(b"Invoice 42") + len(b"Invoice 4")  # inside the first byte range
    tampered = pdf[:at] + b"9" + pdf[at + 1 :]
    code, doc = run(tmp_path, tampered, pki.root)
    assert code == 1 and doc["ok"] is False
    (sig,) = doc["signatures"]
    assert sig["indication"] == "TOTAL_FAILED" and sig["sub_indication"] == "HASH_FAILURE"
    assert sig["failed_checks"]
    (status,) = pyhanko_statuses(tampered, pki.root)
    assert not pyhanko_ok(status) and not status.intact


def test_wrong_root_is_not_passed_and_pyhanko_agrees(signed: tuple[Pki, bytes], tmp_path: Path) -> None:
    _, pdf = signed
    other = make_pki("p256", label="pdfverify-other")
    code, doc = run(tmp_path, pdf, other.root)
    assert code == 1
    (sig,) = doc["signatures"]
    assert sig["indication"] != "TOTAL_PASSED" and sig["failed_checks"]
    (status,) = pyhanko_statuses(pdf, other.root)
    assert status.intact and not status.trusted


def test_not_a_pdf_is_unusable(tmp_path: Path) -> None:
    pki = make_pki("p256", label="pdfverify")
    code, doc = run(tmp_path, b"hello, not a pdf\n", pki.root)
    assert code == 2 and doc["exit_code"] == 2 and doc["error"] == "unusable input"
    code, doc = run(tmp_path, b"%PDF-1.7\n garbage without xref", pki.root)
    assert code == 2, doc
    code, doc = run(tmp_path, sign(minimal_pdf(), simple_signer(pki)), pki.root, "--ocsp", str(tmp_path / "root.pem"))
    assert code == 2 and doc["field"] == "ocsp_responses[0]"  # a certificate is not an OCSP response


_XREF_STREAM_NOT_XREF = (
    b"%PDF-1.7\n1 0 obj\n<< /Type /Page /Length 0 >>\nstream\n\nendstream\nendobj\nstartxref\n9\n%%EOF\n"
)


@pytest.mark.parametrize(
    "pdf",
    [
        _XREF_STREAM_NOT_XREF,  # pyHanko asserts: AssertionError
        minimal_pdf().replace(b"xref\n0 6\n", b"xref\n0.0.1 6\n"),  # decimal.InvalidOperation (ArithmeticError)
    ],
    ids=["xref-stream-not-XRef", "xref-number-not-a-number"],
)
def test_pyhanko_parse_failures_are_typed(pdf: bytes) -> None:
    """Malformed PDFs found by fuzz/fuzz_pdf_verify.py on which pyHanko raised what verify_pdf let
    escape; now an InputError naming the PDF."""
    pki = make_pki("p256", label="pdfverify")
    with pytest.raises(InputError, match="not a readable PDF") as info:
        verify_pdf(pdf, trust_anchors=[pki.root])
    assert info.value.field == "pdf"


def test_ocsp_responses_decide_revocation(tmp_path: Path) -> None:
    """--ocsp FILE reaches each signature's chain check: with --require-revocation a good answer for
    the signer and its CA passes, a revoked one fails, none fails for want of revocation information."""
    from cryptography.x509 import ocsp

    from tests.chain.test_ocsp import _good_for_inter, _resp
    from tests.pki import NOW

    pki = make_pki("p256", label="pdfverify-ocsp")
    pdf = sign(minimal_pdf(), simple_signer(pki))
    good = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key)
    revoked = _resp(pki.leaf, pki.intermediate, pki.intermediate, pki.intermediate_key, ocsp.OCSPCertStatus.REVOKED,
                    revoked_at=NOW.replace(year=NOW.year - 1))  # fmt: skip
    files = {"leaf.ocsp": good, "revoked.ocsp": revoked, "ca.ocsp": _good_for_inter(pki)}
    for label, der in files.items():
        (tmp_path / label).write_bytes(der)
    base = ("--require-revocation", "--at", NOW.isoformat())
    code, doc = run(tmp_path, pdf, pki.root, *base)
    assert code == 1 and doc["signatures"][0]["sub_indication"] == "TRY_LATER"
    code, doc = run(tmp_path, pdf, pki.root, *base, "--ocsp", str(tmp_path / "leaf.ocsp"), str(tmp_path / "ca.ocsp"))
    assert code == 0, doc
    code, doc = run(tmp_path, pdf, pki.root, *base, "--ocsp", str(tmp_path / "revoked.ocsp"), str(tmp_path / "ca.ocsp"))
    assert code == 1 and doc["signatures"][0]["sub_indication"] == "REVOKED"
    # the library call: responses parsed once for every signature, revoked wins without the requirement too
    result = verify_pdf(pdf, trust_anchors=[pki.root], at=NOW, ocsp_responses=[revoked])
    assert not result.ok and result.signatures[0].sub_indication.value == "REVOKED"
    with pytest.raises(InputError) as err:
        verify_pdf(pdf, trust_anchors=[pki.root], ocsp_responses=[b"not der"])
    assert err.value.field == "ocsp_responses[0]"


def test_unsigned_pdf_fails(tmp_path: Path) -> None:
    pki = make_pki("p256", label="pdfverify")
    code, doc = run(tmp_path, minimal_pdf(), pki.root)
    assert code == 1 and doc["signatures"] == []


def test_incremental_update_after_signing_is_reported(tmp_path: Path) -> None:
    pki = make_pki("p256", label="pdfverify")
    pdf = sign(minimal_pdf(), simple_signer(pki))
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    from pyhanko.pdf_utils.generic import pdf_string

    writer.root["/Lang"] = pdf_string("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    updated = out.getvalue()
    assert len(updated) > len(pdf)
    code, doc = run(tmp_path, updated, pki.root)
    assert code == 1 and doc["whole_file_signed"] is False
    (sig,) = doc["signatures"]
    assert sig["ok"] is True and sig["covers_whole_file"] is False
    # the whole-PDF verdict is a report like every other: why it failed is a check of its own
    result = verify_pdf(updated, trust_anchors=[pki.root])
    assert not result.ok and not result.report.ok and result.sub_indication.value == "SIG_CONSTRAINTS_FAILURE"
    assert [c.name for c in result.failures()] == ["whole_file"]
    assert doc["indication"] == "INDETERMINATE" and doc["checks"][-1]["name"] == "whole_file"
    (status,) = pyhanko_statuses(updated, pki.root)
    assert status.coverage.name != "ENTIRE_FILE"
    # a second signature over the update covers the whole file again: both verify, exit 0
    twice = sign(updated, simple_signer(pki), field="Signature2")
    code, doc = run(tmp_path, twice, pki.root)
    assert code == 0, doc
    assert [s["covers_whole_file"] for s in doc["signatures"]] == [False, True]
    assert all(pyhanko_ok(s) for s in pyhanko_statuses(twice, pki.root))


def _break_byte_range(pdf: bytes, new: bytes) -> bytes:
    match = re.search(rb"/ByteRange\s*\[[^\]]*\]", pdf)
    assert match
    old = match.group(0)
    assert len(new) <= len(old)
    return pdf[: match.start()] + new.ljust(len(old)) + pdf[match.end() :]


def test_byte_range_rules_name_the_rule(tmp_path: Path) -> None:
    pki = make_pki("p256", label="pdfverify")
    pdf = sign(minimal_pdf(), simple_signer(pki))
    _, b, c, d = (int(v) for v in re.search(rb"/ByteRange\s*\[([^\]]*)\]", pdf).group(1).split())  # type: ignore[union-attr]
    cases = {
        b"/ByteRange [1 %d %d %d]" % (b - 1, c, d): "must start at 0",
        b"/ByteRange [0 %d %d %d]" % (b + 1, c, d): "not exactly one hex string",
        b"/ByteRange [0 %d %d %d]" % (b, c, d + 5): "past end of file",
    }
    for new, rule in cases.items():
        code, doc = run(tmp_path, _break_byte_range(pdf, new), pki.root)
        assert code == 1, rule
        (sig,) = doc["signatures"]
        assert sig["sub_indication"] == "FORMAT_FAILURE"
        assert any(rule in c["message"] for c in sig["checks"]), (rule, sig["checks"])


def test_library_cuts_padding_at_the_cms_length() -> None:
    assert cms_der_length(bytes.fromhex("3003020101") + bytes(100)) == 5
    assert cms_der_length(bytes.fromhex("30800201010000") + bytes(10)) == 7
    with pytest.raises(InputError):
        cms_der_length(b"\x30\x82\xff")
    pki = make_pki("p256", label="pdfverify")
    pdf = sign(minimal_pdf(), simple_signer(pki))
    result = verify_pdf(pdf, trust_anchors=[pki.root])
    assert result.ok and result.signatures[0].ok
    assert result.report.ok and result.indication.value == "TOTAL_PASSED" and result.sub_indication is None
    field = result.signatures[0].field
    assert all(c.subject.split(": ")[0] == field for c in result.checks if c.name != "whole_file")


def test_human_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = make_pki("p256", label="pdfverify")
    (tmp_path / "doc.pdf").write_bytes(sign(minimal_pdf(), simple_signer(pki)))
    (tmp_path / "root.pem").write_bytes(pki.root.public_bytes(Encoding.PEM))
    assert main(["pdf", "verify", str(tmp_path / "doc.pdf"), "--roots", str(tmp_path / "root.pem")]) == 0
    out = capsys.readouterr().out
    assert "OK: field Signature1" in out and "covers the whole file" in out and "1/1 signatures verified" in out


def test_no_warning_out_of_pdf_verify_or_the_signer_module(tmp_path: Path) -> None:
    """pyHanko names the DSA classes when it is imported (cryptography 51 warns), and its reader
    imports ``pyhanko.sign`` lazily: in a fresh interpreter, with every warning an error, importing
    ``cryptokit.integrations.pyhanko``, ``verify_pdf`` of a signed and of a tampered PDF, and the
    command print nothing on stderr and raise nothing."""
    import subprocess
    import sys

    pki = make_pki("p256", label="pdfverify-quiet")
    pdf = sign(minimal_pdf(), simple_signer(pki))
    at = pdf.index(b"Invoice 42") + len(b"Invoice 4")
    (tmp_path / "ok.pdf").write_bytes(pdf)
    (tmp_path / "tampered.pdf").write_bytes(pdf[:at] + b"9" + pdf[at + 1 :])
    (tmp_path / "root.pem").write_bytes(pki.root.public_bytes(Encoding.PEM))
    script = """
import sys
from pathlib import Path
from cryptography import x509
from cryptokit.integrations.pdf_verify import verify_pdf
d = Path(sys.argv[1])
root = x509.load_pem_x509_certificate((d / "root.pem").read_bytes())
assert verify_pdf((d / "ok.pdf").read_bytes(), trust_anchors=[root]).ok
assert not verify_pdf((d / "tampered.pdf").read_bytes(), trust_anchors=[root]).ok
"""
    command = [sys.executable, "-m", "cryptokit", "pdf", "verify"]
    runs = [
        ([sys.executable, "-W", "error", "-c", "import cryptokit.integrations.pyhanko"], 0),
        ([sys.executable, "-W", "error", "-c", script, str(tmp_path)], 0),
        ([*command, str(tmp_path / "ok.pdf"), "--roots", str(tmp_path / "root.pem")], 0),
        ([*command, str(tmp_path / "tampered.pdf"), "--roots", str(tmp_path / "root.pem")], 1),
    ]
    for argv, code in runs:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        assert (done.returncode, done.stderr) == (code, ""), argv[1:4]
