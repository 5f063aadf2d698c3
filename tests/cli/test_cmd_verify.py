"""`cryptokit verify signature|adss-response|csc-response|bulk` through the real entry point."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from cryptokit.cli.main import main
from cryptokit.hashing import hash_to_sign
from cryptokit.protocols import adss, csc
from cryptokit.signatures import sign_digest
from tests.pki import Pki, make_pki

PEM = serialization.Encoding.PEM


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cryptokit", *args], capture_output=True, text=True, timeout=120)


def write_pki(tmp: Path, pki: Pki) -> dict[str, Path]:
    paths = {"leaf": tmp / "leaf.pem", "ca": tmp / "ca.pem", "root": tmp / "root.pem"}
    paths["leaf"].write_bytes(pki.leaf.public_bytes(PEM))
    paths["ca"].write_bytes(pki.intermediate.public_bytes(PEM))
    paths["root"].write_bytes(pki.root.public_bytes(PEM))
    return paths


# --------------------------------------------------------------------------- verify signature


def test_signature_file_and_hash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = make_pki("rsa2048", label="cli")
    paths = write_pki(tmp_path, pki)
    doc = tmp_path / "contract.pdf"
    doc.write_bytes(b"%PDF-1.7 contract")
    digest = hashlib.sha256(doc.read_bytes()).digest()
    key = pki.leaf_key
    assert isinstance(key, rsa.RSAPrivateKey)
    sig = key.sign(doc.read_bytes(), padding.PKCS1v15(), hashes.SHA256())
    (tmp_path / "raw.sig").write_bytes(sig)
    (tmp_path / "b64.sig").write_text(base64.b64encode(sig).decode() + "\n")

    assert main(["verify", "signature", "--cert", str(paths["leaf"]), "--sig", str(tmp_path / "raw.sig"),
                 "--file", str(doc)]) == 0  # fmt: skip
    assert capsys.readouterr().out.startswith("OK: signature verified (pkcs1v15, sha256)")

    b64 = base64.b64encode(digest).decode()
    assert main(["verify", "signature", "--cert", str(paths["leaf"]), "--sig", str(tmp_path / "b64.sig"),
                 "--hash", b64, "--json"]) == 0  # fmt: skip
    out = orjson.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["scheme"] == "pkcs1v15" and out["encoding"] is None
    assert out["digest_b64"] == b64

    # Another document: exit 1, and the JSON says why.
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.7 another contract")
    assert main(["verify", "signature", "--cert", str(paths["leaf"]), "--sig", str(tmp_path / "raw.sig"),
                 "--file", str(other), "--json"]) == 1  # fmt: skip
    out = orjson.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["reason"]


def test_signature_ecdsa_raw_and_pss(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = make_pki("p256", label="cli")
    paths = write_pki(tmp_path, pki)
    digest = hashlib.sha384(b"data").digest()
    raw = sign_digest(pki.leaf_key, digest, "sha384", signature_encoding="raw")
    (tmp_path / "sig.hex").write_text(raw.hex())
    assert main(["verify", "signature", "--cert", str(paths["leaf"]), "--sig", str(tmp_path / "sig.hex"),
                 "--hash", digest.hex(), "--alg", "sha384", "--json"]) == 0  # fmt: skip
    out = orjson.loads(capsys.readouterr().out)
    assert (out["scheme"], out["encoding"], out["hash"]) == ("ecdsa", "raw", "sha384")

    rsa_pki = make_pki("rsa2048", label="cli")
    (tmp_path / "rsa").mkdir()
    rsa_paths = write_pki(tmp_path / "rsa", rsa_pki)
    d256 = hashlib.sha256(b"pss").digest()
    pss = sign_digest(rsa_pki.leaf_key, d256, "sha256", scheme="pss")
    (tmp_path / "pss.sig").write_bytes(pss)
    assert main(["verify", "signature", "--cert", str(rsa_paths["leaf"]), "--sig", str(tmp_path / "pss.sig"),
                 "--hash", base64.b64encode(d256).decode(), "--json"]) == 0  # fmt: skip
    out = orjson.loads(capsys.readouterr().out)
    assert out["scheme"] == "pss" and out["pss_salt_length"] == 32


def test_signature_ed25519_over_the_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = make_pki("ed25519", label="cli")
    paths = write_pki(tmp_path, pki)
    doc = tmp_path / "a.txt"
    doc.write_bytes(b"pure eddsa signs the message")
    key = pki.leaf_key
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    (tmp_path / "s.sig").write_bytes(key.sign(doc.read_bytes()))
    args = ["verify", "signature", "--cert", str(paths["leaf"]), "--sig", str(tmp_path / "s.sig"), "--file"]
    assert main([*args, str(doc), "--json"]) == 0
    out = orjson.loads(capsys.readouterr().out)
    assert (out["ok"], out["scheme"], out["signed"]) == (True, "ed25519", "message")
    doc.write_bytes(b"pure eddsa signs the messagE")
    assert main([*args, str(doc)]) == 1
    assert capsys.readouterr().out.startswith("FAILED")


def test_signature_bad_usage_exit_2(tmp_path: Path) -> None:
    paths = write_pki(tmp_path, make_pki("rsa2048", label="cli"))
    (tmp_path / "s.sig").write_bytes(b"\x01" * 256)
    r = run_cli("verify", "signature", "--cert", str(paths["leaf"]), "--sig", str(tmp_path / "s.sig"))
    assert r.returncode == 2 and "--hash/--file" in r.stderr
    r = run_cli("verify", "signature", "--cert", str(tmp_path / "nope.pem"), "--sig", str(tmp_path / "s.sig"),
                "--hash", "00" * 32)  # fmt: skip
    assert r.returncode == 2 and "--cert" in r.stderr
    r = run_cli("verify", "signature", "--cert", str(paths["leaf"]), "--sig", str(tmp_path / "s.sig"),
                "--hash", "00" * 31)  # fmt: skip
    assert r.returncode == 2
    r = run_cli("verify", "signature", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout


# --------------------------------------------------------------------------- ADSS


def adss_exchange(
    tmp: Path, count: int = 5, pki: Pki | None = None
) -> tuple[adss.SignResult, Path, Path, dict[str, Path]]:
    pki = pki or make_pki("rsa2048", label="cli")
    paths = write_pki(tmp, pki)
    hashes_ = [hash_to_sign(f"document {i}".encode()) for i in range(count)]
    req = adss.build_sign_request(hashes_, profile_id="p", cert_alias="a", token="tok",
                                  doc_aliases=[f"d{i}.pdf" for i in range(count)])  # fmt: skip
    sigs = [sign_digest(pki.leaf_key, h.digest, "sha256") for h in hashes_]
    (tmp / "request.json").write_bytes(req.body)
    body = {"status": "SUCCESS", "signatures": [{"signature_base64": base64.b64encode(s).decode()} for s in sigs]}
    (tmp / "response.json").write_bytes(orjson.dumps(body))
    return (
        adss.SignResult(adss.SignStatus.SUCCESS, None, tuple(sigs)),
        tmp / "request.json",
        tmp / "response.json",
        paths,
    )


def test_adss_response(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result, req, resp, paths = adss_exchange(tmp_path)
    base = ["verify", "adss-response", "--request", str(req), "--response", str(resp), "--cert", str(paths["leaf"])]
    assert main([*base, "--chain", str(paths["ca"]), "--roots", str(paths["root"]), "--json"]) == 0
    out = orjson.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["indication"] == "TOTAL_PASSED"
    assert [d["scheme"] for d in out["documents"]] == ["pkcs1v15"] * 5
    assert out["documents"][2]["doc_alias"] == "d2.pdf"

    assert main([*base, "--chain", str(paths["ca"]), "--roots", str(paths["root"])]) == 0
    text = capsys.readouterr().out
    assert "OK: ADSS sign response: TOTAL_PASSED" in text and "d4.pdf" in text

    # Signatures in the wrong order: exit 1, documents 0 and 1 fail and say which document they sign.
    sigs = list(result.signatures)
    sigs[0], sigs[1] = sigs[1], sigs[0]
    swapped = {"status": "SUCCESS", "signatures": [{"signature_base64": base64.b64encode(s).decode()} for s in sigs]}
    resp.write_bytes(orjson.dumps(swapped))
    assert main([*base, "--chain", str(paths["ca"]), "--roots", str(paths["root"]), "--json"]) == 1
    out = orjson.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["indication"] == "TOTAL_FAILED"
    assert [d["ok"] for d in out["documents"]] == [False, False, True, True, True]

    # Without the intermediate the chain cannot be built: not passed (exit 1).
    resp.write_bytes(orjson.dumps({"status": "SUCCESS", "signatures": swapped["signatures"][::-1][::-1]}))
    assert main([*base, "--roots", str(paths["root"])]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_adss_response_require_scheme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = make_pki("rsa2048", label="cli")
    _, req, resp, paths = adss_exchange(tmp_path, count=2, pki=pki)
    base = ["verify", "adss-response", "--request", str(req), "--response", str(resp), "--cert", str(paths["leaf"]),
            "--chain", str(paths["ca"]), "--roots", str(paths["root"])]  # fmt: skip
    assert main([*base, "--require-scheme", "pkcs1v15"]) == 0
    capsys.readouterr()
    assert main([*base, "--require-scheme", "pss", "--json"]) == 1
    out = orjson.loads(capsys.readouterr().out)
    assert out["sub_indication"] == "CRYPTO_CONSTRAINTS_FAILURE"
    assert "verified as pkcs1v15, not the required pss" in out["documents"][0]["checks"][0]["message"]
    assert main([*base, "--require-scheme", "pss", "--require-scheme", "pkcs1v15"]) == 0
    capsys.readouterr()
    r = run_cli(*base, "--require-scheme", "PKCS1")
    assert r.returncode == 2
    r = run_cli("verify", "adss-response", "--help")
    assert "--require-scheme" in r.stdout


def test_adss_response_revoked_with_crl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = make_pki("rsa2048", label="cli")
    _, req, resp, paths = adss_exchange(tmp_path, pki=pki)
    now = dt.datetime.now(dt.UTC)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.intermediate.subject)
        .last_update(now - dt.timedelta(hours=1))
        .next_update(now + dt.timedelta(days=1))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(pki.leaf.serial_number)
            .revocation_date(now - dt.timedelta(minutes=30))
            .build()
        )
        .sign(pki.intermediate_key, hashes.SHA256())
    )
    (tmp_path / "ca.crl").write_bytes(crl.public_bytes(PEM))
    args = ["verify", "adss-response", "--request", str(req), "--response", str(resp), "--cert", str(paths["leaf"]),
            "--chain", str(paths["ca"]), "--roots", str(paths["root"]), "--crl", str(tmp_path / "ca.crl")]  # fmt: skip
    assert main([*args, "--json"]) == 1
    out = orjson.loads(capsys.readouterr().out)
    assert out["ok"] is False
    # the signatures themselves are fine; the CRL (passed through to chain validation) says revoked
    assert (out["indication"], out["sub_indication"]) == ("TOTAL_FAILED", "REVOKED")


def test_adss_bad_input_exit_2(tmp_path: Path) -> None:
    _, req, resp, paths = adss_exchange(tmp_path, 2)
    resp.write_text("not json")
    r = run_cli("verify", "adss-response", "--request", str(req), "--response", str(resp),
                "--cert", str(paths["leaf"]), "--roots", str(paths["root"]))  # fmt: skip
    assert r.returncode == 2 and "--response" in r.stderr
    resp.write_bytes(orjson.dumps({"status": "MAYBE"}))
    r = run_cli("verify", "adss-response", "--request", str(req), "--response", str(resp),
                "--cert", str(paths["leaf"]), "--roots", str(paths["root"]), "--at", "2026-01-01T00:00:00")  # fmt: skip
    assert r.returncode == 2


# --------------------------------------------------------------------------- CSC


def test_csc_response(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = make_pki("p256", label="cli")
    paths = write_pki(tmp_path, pki)
    hashes_ = [hash_to_sign(f"page {i}".encode()) for i in range(3)]
    req = csc.build_sign_hash_request(hashes_, credential_id="cred-1", sign_algo="1.2.840.10045.4.3.2", sad="x")
    (tmp_path / "req.json").write_bytes(req.body)
    sigs = [sign_digest(pki.leaf_key, h.digest, "sha256") for h in hashes_]
    (tmp_path / "resp.json").write_bytes(orjson.dumps({"signatures": [base64.b64encode(s).decode() for s in sigs]}))
    args = ["verify", "csc-response", "--request", str(tmp_path / "req.json"), "--response",
            str(tmp_path / "resp.json"), "--cert", str(paths["leaf"]), "--chain", str(paths["ca"]),
            "--roots", str(paths["root"])]  # fmt: skip
    assert main([*args, "--json"]) == 0
    out = orjson.loads(capsys.readouterr().out)
    assert out["ok"] is True and [d["scheme"] for d in out["documents"]] == ["ecdsa"] * 3
    assert {d["encoding"] for d in out["documents"]} == {"der"}

    other = ec.generate_private_key(ec.SECP256R1())
    sigs[2] = sign_digest(other, hashes_[2].digest, "sha256")
    (tmp_path / "resp.json").write_bytes(orjson.dumps({"signatures": [base64.b64encode(s).decode() for s in sigs]}))
    assert main(args) == 1
    assert "FAILED" in capsys.readouterr().out
    # A body that is not a signHash answer, or a request that is not JSON: bad input.
    (tmp_path / "resp.json").write_bytes(orjson.dumps({"signatures": "not a list"}))
    assert main(args) == 2
    (tmp_path / "req.json").write_text("{")
    assert main(args) == 2
    assert "--request" in capsys.readouterr().err


# --------------------------------------------------------------------------- bulk


def json_lines(text: str) -> dict[str, Any]:
    """``verify bulk --json``: one object per row, then the summary; the summary with ``rows`` added."""
    lines = [orjson.loads(line) for line in text.splitlines()]
    assert lines and lines[-1]["summary"] is True and not any("summary" in r for r in lines[:-1])
    return {**lines[-1], "rows": lines[:-1]}


def test_bulk_csv_and_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pki = make_pki("rsa2048", label="cli")
    paths = write_pki(tmp_path, pki)
    lines = ["id,cert,sig,file,hash"]
    jsonl = []
    for i in range(6):
        doc = tmp_path / f"doc{i}.txt"
        doc.write_bytes(f"doc {i}".encode())
        digest = hashlib.sha256(doc.read_bytes()).digest()
        sig = sign_digest(pki.leaf_key, digest, "sha256")
        (tmp_path / f"doc{i}.sig").write_text(base64.b64encode(sig).decode())
        lines.append(f"row{i},leaf.pem,doc{i}.sig,doc{i}.txt,")
        jsonl.append(orjson.dumps({"cert": "leaf.pem", "sig_b64": base64.b64encode(sig).decode(),
                                   "hash": digest.hex(), "alg": "sha256"}).decode())  # fmt: skip
    (tmp_path / "m.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "m.jsonl").write_text("\n".join(jsonl) + "\n")

    assert main(["verify", "bulk", str(tmp_path / "m.csv"), "--workers", "1", "--json"]) == 0
    out = json_lines(capsys.readouterr().out)
    assert (out["ok"], out["total"], out["passed"], out["certificates"]) == (True, 6, 6, 1)
    assert out["rows"][0]["id"] == "row0" and out["rows"][0]["scheme"] == "pkcs1v15"

    assert main(["verify", "bulk", str(tmp_path / "m.jsonl"), "--roots", str(paths["root"]),
                 "--intermediates", str(paths["ca"])]) == 0  # fmt: skip
    assert "OK: 6/6 signatures verified" in capsys.readouterr().out

    # A changed document fails its row only; without the intermediate every row fails its chain.
    (tmp_path / "doc3.txt").write_bytes(b"changed")
    assert main(["verify", "bulk", str(tmp_path / "m.csv"), "--workers", "2", "--json"]) == 1
    out = json_lines(capsys.readouterr().out)
    assert out["failed"] == 1 and [r["ok"] for r in out["rows"]].index(False) == 3
    assert main(["verify", "bulk", str(tmp_path / "m.jsonl"), "--roots", str(paths["root"]), "--json"]) == 1
    out = json_lines(capsys.readouterr().out)
    assert out["passed"] == 0 and out["rows"][0]["reason"].startswith("chain:")


def test_bulk_bad_manifest_exit_2(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text("name,value\na,b\n")
    r = run_cli("verify", "bulk", str(tmp_path / "m.csv"))
    assert r.returncode == 2 and "header" in r.stderr
    (tmp_path / "m.jsonl").write_text('{"cert": "missing.pem", "sig_b64": "AA==", "hash": "00"}\n')
    r = run_cli("verify", "bulk", str(tmp_path / "m.jsonl"))  # the row is unusable; no row failed: exit 2
    assert r.returncode == 2 and "missing.pem" in r.stdout and "0 failed, 1 unusable" in r.stdout


def test_bulk_missing_document_names_the_row(tmp_path: Path) -> None:
    pki = make_pki("rsa2048", label="cli")
    write_pki(tmp_path, pki)
    (tmp_path / "m.csv").write_text("cert,sig_b64,file\nleaf.pem,AAAA,present.txt\nleaf.pem,AAAA,absent.txt\n")
    (tmp_path / "present.txt").write_text("x")
    r = run_cli("verify", "bulk", str(tmp_path / "m.csv"), "--json")
    rows = [orjson.loads(line) for line in r.stdout.splitlines()]
    # Row 1 is read and fails (a bad signature), row 2 is unusable: the run went on past it.
    assert r.returncode == 1 and [x.get("status") for x in rows[:2]] == ["failed", "unusable"]
    assert "row 2" in rows[1]["reason"] and "absent.txt" in rows[1]["reason"]
    assert (rows[2]["verified"], rows[2]["failed"], rows[2]["unusable"]) == (0, 1, 1)


def test_bulk_keeps_going_and_says_no_chain_was_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 18 point 8: per-row outcomes, the run goes on, summary verified/failed/unusable, exit from
    the summary, and without --roots the verdict says plainly that no chain was checked."""
    pki = make_pki("rsa2048", label="cli")
    paths = write_pki(tmp_path, pki)
    rows = []
    for i in range(3):
        digest = hashlib.sha256(b"doc %d" % i).digest()
        sig = base64.b64encode(sign_digest(pki.leaf_key, digest, "sha256")).decode()
        rows.append({"id": f"good{i}", "cert": "leaf.pem", "sig_b64": sig, "hash": digest.hex()})
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(orjson.dumps(r).decode() for r in rows) + "\n")
    # Verified signatures of a leaf whose chain expired long ago: without --roots they pass, and say why.
    assert main(["verify", "bulk", str(manifest), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "OK: 3/3 signatures verified, 0 failed, 0 unusable; NO certificate chain was checked" in out
    late = ["--at", "2099-01-01T00:00:00Z", "--roots", str(paths["root"]), "--intermediates", str(paths["ca"])]
    assert main(["verify", "bulk", str(manifest), "--workers", "1", *late]) == 1
    out = capsys.readouterr().out
    assert "FAILED: 0/3 signatures verified, 3 failed" in out and "chain: expired" in out
    # A bad JSON line, a missing certificate and a missing signature file: each its own unusable row.
    bad = [*rows, {"id": "nocert", "cert": "absent.pem", "sig_b64": "AAAA", "hash": "00" * 32},
           {"id": "nosig", "cert": "leaf.pem", "sig": "absent.sig", "hash": "00" * 32}]  # fmt: skip
    manifest.write_text("\n".join(orjson.dumps(r).decode() for r in bad) + "\nnot json\n")
    assert main(["verify", "bulk", str(manifest), "--workers", "1", "--json"]) == 2
    lines = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["status"] for r in lines[:-1]] == ["verified"] * 3 + ["unusable"] * 3
    assert "absent.pem" in lines[3]["reason"] and "absent.sig" in lines[4]["reason"]
    assert "line 6 is not a JSON object" in lines[5]["reason"]
    summary = lines[-1]
    assert (summary["verified"], summary["failed"], summary["unusable"], summary["exit_code"]) == (3, 0, 3, 2)
    assert summary["chain_checked"] is False and "NO certificate chain was checked" in summary["note"]


def test_adss_response_revoked_with_ocsp(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--ocsp FILE next to --crl: a revoked OCSP answer from the issuing CA reaches chain validation."""
    from cryptography.x509 import ocsp

    pki = make_pki("rsa2048", label="cli")
    _, req, resp, paths = adss_exchange(tmp_path, pki=pki)
    now = dt.datetime.now(dt.UTC)
    answer = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            cert=pki.leaf, issuer=pki.intermediate, algorithm=hashes.SHA256(), cert_status=ocsp.OCSPCertStatus.REVOKED,
            this_update=now - dt.timedelta(hours=1), next_update=now + dt.timedelta(days=1),
            revocation_time=now - dt.timedelta(minutes=30), revocation_reason=x509.ReasonFlags.key_compromise,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, pki.intermediate)
        .sign(pki.intermediate_key, hashes.SHA256())
    )
    (tmp_path / "leaf.ocsp").write_bytes(answer.public_bytes(serialization.Encoding.DER))
    args = ["verify", "adss-response", "--request", str(req), "--response", str(resp), "--cert", str(paths["leaf"]),
            "--chain", str(paths["ca"]), "--roots", str(paths["root"])]  # fmt: skip
    assert main([*args, "--json"]) == 0
    capsys.readouterr()
    assert main([*args, "--ocsp", str(tmp_path / "leaf.ocsp"), "--json"]) == 1
    out = orjson.loads(capsys.readouterr().out)
    assert (out["indication"], out["sub_indication"]) == ("TOTAL_FAILED", "REVOKED")
