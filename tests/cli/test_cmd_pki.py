"""`cryptokit chain validate`, `cms sign|verify`, `csr new|verify`, `pfx inspect`, `certs inspect`."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from cryptokit.cli.main import main
from cryptokit.pkcs12 import KeyBundle
from tests.pki import Pki, make_pki

PEM = serialization.Encoding.PEM
MARKER = "S3cr3t-MARKER-123"


def run_cli(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "cryptokit", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
        input=stdin if stdin is not None else "",
    )


def no_secret(*outputs: str) -> None:
    for text in outputs:
        assert MARKER not in text
        assert "PRIVATE KEY" not in text


def write_pki(tmp: Path, pki: Pki) -> dict[str, Path]:
    paths = {"leaf": tmp / "leaf.pem", "ca": tmp / "ca.pem", "root": tmp / "root.pem", "pfx": tmp / "signer.pfx"}
    paths["leaf"].write_bytes(pki.leaf.public_bytes(PEM))
    paths["ca"].write_bytes(pki.intermediate.public_bytes(PEM))
    paths["root"].write_bytes(pki.root.public_bytes(PEM))
    bundle = KeyBundle(pki.leaf_key, pki.leaf, (pki.intermediate, pki.root), friendly_name="signer")
    paths["pfx"].write_bytes(bundle.to_pkcs12(MARKER))
    return paths


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki("rsa2048", label="clipki")


# --------------------------------------------------------------------------- chain


def test_chain_validate(tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str]) -> None:
    p = write_pki(tmp_path, pki)
    assert main(["chain", "validate", str(p["leaf"]), "--intermediates", str(p["ca"]), "--roots", str(p["root"])]) == 0
    out = capsys.readouterr().out
    assert "OK: certificate chain: TOTAL_PASSED" in out and "Test Issuing CA" in out
    args = ["chain", "validate", str(p["leaf"]), "--intermediates", str(p["ca"]), "--roots", str(p["root"]), "--json"]
    assert main([*args, "--policy", "rfc5280"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["ok"] is True and len(doc["path"]) == 3
    # After the leaf expired: TOTAL_FAILED / EXPIRED, and the failed check says so.
    assert main([*args, "--at", "2099-01-01T00:00:00Z"]) == 1
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["ok"] is False and doc["indication"] == "TOTAL_FAILED" and doc["sub_indication"] == "EXPIRED"
    expiry = pki.leaf.not_valid_after_utc.isoformat()
    assert any(
        c["outcome"] == "failed" and c["name"] == "validity" and c["message"] == f"expired on {expiry}"
        for c in doc["checks"]
    ), doc["checks"]
    assert main([*args[:-1], "--at", "2099-01-01T00:00:00Z"]) == 1  # the table lists it without -v
    out = capsys.readouterr().out
    assert f"expired on {expiry}" in out and "FAILED: certificate chain: TOTAL_FAILED / EXPIRED" in out
    # An unrelated root: no chain.
    other = make_pki("p256", label="clipki-other")
    (tmp_path / "other.pem").write_bytes(other.root.public_bytes(PEM))
    assert main(["chain", "validate", str(p["leaf"]), "--intermediates", str(p["ca"]), "--roots",
                 str(tmp_path / "other.pem")]) == 1  # fmt: skip
    assert "FAILED" in capsys.readouterr().out


def test_chain_validate_certificate_policies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json gives the policy sets; --require-policy needs one of the OIDs (issue 17)."""
    qcp = "0.4.0.194112.1.2"
    p = write_pki(tmp_path, make_pki("p256", label="clipki-qcp", policies=[qcp]))
    args = ["chain", "validate", str(p["leaf"]), "--intermediates", str(p["ca"]), "--roots", str(p["root"])]
    assert main([*args, "--json", "--require-policy", qcp, "0.4.0.194112.1.0"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["user_constrained_policies"] == [qcp] and doc["authority_constrained_policies"] == [qcp]
    assert main(args) == 0 and f"certificate policies: {qcp}" in capsys.readouterr().out
    assert main([*args, "--json", "--require-policy", "0.4.0.194112.1.0"]) == 1
    doc = orjson.loads(capsys.readouterr().out)
    (failure,) = [c for c in doc["checks"] if c["outcome"] == "failed"]
    assert failure["name"] == "certificate_policies" and "became empty at certificate 2 of 2" in failure["message"]
    assert doc["user_constrained_policies"] == [] and doc["authority_constrained_policies"] == [qcp]
    r = run_cli(*args, "--require-policy", "QCP-n-qscd")
    assert r.returncode == 2 and "--require-policy" in r.stderr and "dotted OID" in r.stderr, r.stderr


def test_chain_bad_input_exit_2(tmp_path: Path, pki: Pki) -> None:
    p = write_pki(tmp_path, pki)
    r = run_cli("chain", "validate", str(p["leaf"]), "--roots", str(p["root"]), "--at", "2026-01-01 10:00")
    assert r.returncode == 2 and "time zone" in r.stderr
    (tmp_path / "junk.pem").write_text("not a certificate")
    r = run_cli("chain", "validate", str(tmp_path / "junk.pem"), "--roots", str(p["root"]))
    assert r.returncode == 2 and "LEAF" in r.stderr
    r = run_cli("chain", "validate", str(p["leaf"]))
    assert r.returncode == 2  # --roots is required


# --------------------------------------------------------------------------- cms


def test_cms_sign_and_verify(tmp_path: Path, pki: Pki) -> None:
    p = write_pki(tmp_path, pki)
    content = tmp_path / "csr.der"
    content.write_bytes(b"content to sign")
    env = {"PFX_PW": MARKER}
    r = run_cli("cms", "sign", str(content), "--pfx", str(p["pfx"]), "--password-env", "PFX_PW",
                "-o", str(tmp_path / "c.p7s"), "--json", env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr
    no_secret(r.stdout, r.stderr)
    doc = orjson.loads(r.stdout)
    assert doc["detached"] is False and doc["signer"].startswith("C=IN") and doc["bytes"] > 500
    r = run_cli("cms", "verify", str(tmp_path / "c.p7s"), "--signer", str(p["leaf"]), "--json")
    assert r.returncode == 0, r.stderr
    doc = orjson.loads(r.stdout)
    assert doc["ok"] is True and doc["content_bytes"] == len(b"content to sign") and doc["encoding"] == "der"
    r = run_cli("cms", "verify", str(tmp_path / "c.p7s"), "--roots", str(p["root"]),
                "--out-content", str(tmp_path / "out.bin"))  # fmt: skip
    # the CMS carries only the signer certificate: without the intermediate its chain cannot be built
    assert r.returncode == 1 and "FAILED" in r.stdout

    # Detached, password from a file, base64 on stdout.
    (tmp_path / "pw.txt").write_text(MARKER + "\n")
    r = run_cli("cms", "sign", str(content), "--pfx", str(p["pfx"]), "--password-file", str(tmp_path / "pw.txt"),
                "--detached", "--include-chain")  # fmt: skip
    assert r.returncode == 0, r.stderr
    no_secret(r.stdout, r.stderr)
    (tmp_path / "d.p7s").write_bytes(base64.b64decode(r.stdout))
    r = run_cli("cms", "verify", str(tmp_path / "d.p7s"), "--content", str(content), "--roots", str(p["root"]))
    assert r.returncode == 0 and r.stdout.startswith("OK: CMS verified"), r.stdout + r.stderr
    content.write_bytes(b"content to sigN")
    r = run_cli("cms", "verify", str(tmp_path / "d.p7s"), "--content", str(content), "--roots", str(p["root"]),
                "--json")  # fmt: skip
    assert r.returncode == 1 and orjson.loads(r.stdout)["ok"] is False

    # Another registered signer: refused.
    other = make_pki("p256", label="clipki-other")
    (tmp_path / "other.pem").write_bytes(other.leaf.public_bytes(PEM))
    r = run_cli("cms", "verify", str(tmp_path / "c.p7s"), "--signer", str(tmp_path / "other.pem"))
    assert r.returncode == 1


def test_cms_sign_secret_errors_exit_2(tmp_path: Path, pki: Pki) -> None:
    p = write_pki(tmp_path, pki)
    wrong = "wrong-" + MARKER
    r = run_cli("cms", "sign", str(p["leaf"]), "--pfx", str(p["pfx"]), "--password-env", "PFX_PW",
                env={"PFX_PW": wrong})  # fmt: skip
    assert r.returncode == 2 and "password" in r.stderr
    no_secret(r.stdout, r.stderr)
    r = run_cli("cms", "sign", str(p["leaf"]), "--pfx", str(p["pfx"]), "--password-env", "UNSET_VAR_X")
    assert r.returncode == 2 and "UNSET_VAR_X" in r.stderr
    # No secret option and no terminal: refuses instead of hanging, and there is no --password option.
    r = run_cli("cms", "sign", str(p["leaf"]), "--pfx", str(p["pfx"]))
    assert r.returncode == 2 and "no terminal" in r.stderr
    r = run_cli("cms", "sign", str(p["leaf"]), "--pfx", str(p["pfx"]), "--password", MARKER)
    assert r.returncode == 2
    no_secret(r.stdout)
    r = run_cli("cms", "verify", str(p["leaf"]))
    assert r.returncode == 2 and "--signer/--roots" in r.stderr


# --------------------------------------------------------------------------- csr


def test_csr_new_and_verify(tmp_path: Path, vectors: Path) -> None:
    key_out = tmp_path / "k.pem"
    r = run_cli("csr", "new", "--subject", "CN=Asha Rao~O=Example~C=IN", "--new-key", "p256",
                "--key-out", str(key_out), "--key-password-env", "KPW", "--san", "email:asha@example.com",
                "-o", str(tmp_path / "a.csr"), "--json", env={"KPW": MARKER})  # fmt: skip
    assert r.returncode == 0, r.stderr
    no_secret(r.stdout, r.stderr)
    doc = orjson.loads(r.stdout)
    assert set(doc["subject"].split(",")) == {"CN=Asha Rao", "O=Example", "C=IN"}
    assert doc["key"]["curve"] == "secp256r1" and doc["san"] == ["rfc822Name:asha@example.com"]
    assert stat.S_IMODE(key_out.stat().st_mode) == 0o600
    assert b"ENCRYPTED PRIVATE KEY" in key_out.read_bytes()
    serialization.load_pem_private_key(key_out.read_bytes(), MARKER.encode())
    csr = x509.load_pem_x509_csr((tmp_path / "a.csr").read_bytes())
    assert csr.is_signature_valid

    # Same key again, PEM to stdout; then verify it.
    r = run_cli("csr", "new", "--subject", "CN=Seal,O=Example", "--key", str(key_out), "--key-password-env", "KPW",
                env={"KPW": MARKER})  # fmt: skip
    assert r.returncode == 0 and r.stdout.startswith("-----BEGIN CERTIFICATE REQUEST-----"), r.stderr
    no_secret(r.stdout, r.stderr)
    (tmp_path / "b.csr").write_text(r.stdout)
    r = run_cli("csr", "verify", str(tmp_path / "b.csr"), "--json")
    assert r.returncode == 0 and orjson.loads(r.stdout)["subject"] == "CN=Seal,O=Example"
    r = run_cli("csr", "new", "--subject", "CN=x", "--key", str(key_out))  # encrypted key, no password
    assert r.returncode == 2 and "encrypted" in r.stderr

    # Real vectors: valid, bad signature (exit 1), SHA-1 (refused by policy: 1), bad version (malformed: 2).
    r = run_cli("csr", "verify", str(vectors / "csr" / "rsa_sha256.pem"))
    assert r.returncode == 0 and "OK: CSR self-signature verified" in r.stdout
    r = run_cli("csr", "verify", str(vectors / "csr" / "invalid_signature.pem"), "--json")
    assert r.returncode == 1 and orjson.loads(r.stdout)["ok"] is False
    r = run_cli("csr", "verify", str(vectors / "csr" / "rsa_sha1.pem"))
    assert r.returncode == 1
    r = run_cli("csr", "verify", str(vectors / "csr" / "rsa_sha1.pem"), "--allow-sha1")
    assert r.returncode == 0
    r = run_cli("csr", "verify", str(vectors / "csr" / "bad-version.pem"))
    assert r.returncode == 2


# --------------------------------------------------------------------------- pfx / certs


def test_pfx_inspect(tmp_path: Path, pki: Pki, vectors: Path) -> None:
    p = write_pki(tmp_path, pki)
    r = run_cli("pfx", "inspect", str(p["pfx"]), "--password-env", "PW", "--json", env={"PW": MARKER})
    assert r.returncode == 0, r.stderr
    no_secret(r.stdout, r.stderr)
    doc = orjson.loads(r.stdout)
    assert doc["private_key"] == {"type": "rsa", "size": 2048, "curve": None}
    assert doc["friendly_name"] == "signer" and len(doc["chain"]) == 2
    assert doc["certificate"]["sha256"] == pki.leaf.fingerprint(hashes.SHA256()).hex()
    r = run_cli("pfx", "inspect", str(p["pfx"]), "--password-env", "PW", env={"PW": "nope"})
    assert r.returncode == 2 and "password" in r.stderr
    # A third-party vector (cryptography-vectors, password "cryptography") and one without a password.
    (tmp_path / "pw").write_text("cryptography")
    r = run_cli("pfx", "inspect", str(vectors / "pkcs12" / "cert-key-aes256cbc.p12"), "--password-file",
                str(tmp_path / "pw"))  # fmt: skip
    assert r.returncode == 0 and "private key: " in r.stdout, r.stderr
    no_secret(r.stdout)
    r = run_cli("pfx", "inspect", str(vectors / "pkcs12" / "no-password.p12"), "--json")
    assert r.returncode == 0, r.stderr
    assert orjson.loads(r.stdout)["certificate"] is not None


def test_certs_inspect(tmp_path: Path, pki: Pki, vectors: Path) -> None:
    p = write_pki(tmp_path, pki)
    r = run_cli("certs", "inspect", str(p["leaf"]), str(p["root"]), "--json")
    assert r.returncode == 0
    docs = orjson.loads(r.stdout)
    assert [d["is_ca"] for d in docs] == [False, True]
    # The BER indefinite-length PKCS#7 bundle and its DER twin describe the same certificates.
    ber = run_cli("certs", "inspect", str(vectors / "pkcs7" / "amazon-roots.p7b"), "--json")
    der = run_cli("certs", "inspect", str(vectors / "pkcs7" / "amazon-roots.der"), "--json")
    assert ber.returncode == der.returncode == 0
    assert [d["sha256"] for d in orjson.loads(ber.stdout)] == [d["sha256"] for d in orjson.loads(der.stdout)]
    r = run_cli("certs", "inspect", str(vectors / "pkcs7" / "isrg.pem"))
    assert r.returncode == 0 and "ISRG" in r.stdout
    (tmp_path / "x.pem").write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    r = run_cli("certs", "inspect", str(tmp_path / "x.pem"))
    assert r.returncode == 2


@pytest.mark.parametrize("serial", [-5, 0])
def test_certs_inspect_shows_a_non_positive_serial_flagged(tmp_path: Path, pki: Pki, serial: int) -> None:
    """An auditor sees the certificate RFC 5280 4.1.2.2 forbids, with the violation named; validation
    still refuses it."""
    from cryptokit.cli.cmd_pki import SERIAL_PROBLEM
    from cryptokit.testing import resign

    bad = resign(pki.leaf, pki.intermediate_key, lambda tbs: tbs.__setitem__("serial_number", serial))
    p = write_pki(tmp_path, pki)
    path = tmp_path / "bad.pem"
    path.write_bytes(bad.public_bytes(serialization.Encoding.PEM))
    r = run_cli("certs", "inspect", str(path), str(p["leaf"]), "--json")
    assert r.returncode == 0, r.stderr
    bad_doc, good_doc = orjson.loads(r.stdout)
    assert bad_doc["serial_positive"] is False and bad_doc["serial"] == ("-05" if serial else "00")
    assert bad_doc["problems"] == [SERIAL_PROBLEM] and "RFC 5280 4.1.2.2" in SERIAL_PROBLEM
    assert good_doc["serial_positive"] is True and good_doc["problems"] == []
    text = run_cli("certs", "inspect", str(path))
    assert text.returncode == 0 and "problem: " in text.stdout and "zero or negative" in text.stdout
    # the other commands still refuse it at load time, and chain validation refuses it
    r = run_cli("chain", "validate", str(path), "--roots", str(p["root"]), "--intermediates", str(p["ca"]))
    assert r.returncode != 0 and "serial" in (r.stdout + r.stderr).lower()
