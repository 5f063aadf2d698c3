"""Issue 18 points 4 and 5: the command's exit-code contract and failed checks always listed.

0 verified, 1 verification failed, 2 unusable input, 3 internal error (one line, the traceback only
with --debug); a closed pipe ends quietly; with --json every outcome is one JSON object on stdout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from cryptography.hazmat.primitives import serialization

from cryptokit.cli import cmd_hash
from cryptokit.cli.common import print_checks
from cryptokit.cli.main import main
from cryptokit.pkcs12 import KeyBundle
from cryptokit.report import Check, SubIndication
from tests.pki import Pki, make_pki

PEM = serialization.Encoding.PEM


@pytest.fixture(scope="module")
def pki() -> Pki:
    return make_pki("p256", label="contract")


@pytest.fixture
def files(tmp_path: Path, pki: Pki) -> dict[str, Path]:
    out = {"leaf": tmp_path / "leaf.pem", "ca": tmp_path / "ca.pem", "root": tmp_path / "root.pem"}
    out["leaf"].write_bytes(pki.leaf.public_bytes(PEM))
    out["ca"].write_bytes(pki.intermediate.public_bytes(PEM))
    out["root"].write_bytes(pki.root.public_bytes(PEM))
    return out


def one_json(text: str) -> dict[str, object]:
    doc = orjson.loads(text)  # raises if there is anything but exactly one JSON value
    assert isinstance(doc, dict)
    return doc


@pytest.mark.parametrize("junk", [b"\x30\x82\x01", b"hello, not a CMS at all", b""], ids=["truncated", "text", "empty"])
def test_cms_verify_unusable_input_exits_2(
    tmp_path: Path, files: dict[str, Path], junk: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "junk.p7s").write_bytes(junk)
    assert main(["cms", "verify", str(tmp_path / "junk.p7s"), "--roots", str(files["root"])]) == 2
    captured = capsys.readouterr()
    assert "cryptokit: error:" in captured.err and "Traceback" not in captured.err
    assert main(["cms", "verify", str(tmp_path / "junk.p7s"), "--roots", str(files["root"]), "--json"]) == 2
    doc = one_json(capsys.readouterr().out)
    assert doc["ok"] is False and doc["exit_code"] == 2


def test_unreadable_file_and_usage_errors_exit_2_with_one_json_object(
    tmp_path: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["chain", "validate", str(tmp_path / "missing.pem"), "--roots", str(files["root"]), "--json"]) == 2
    doc = one_json(capsys.readouterr().out)
    assert doc["exit_code"] == 2 and "missing.pem" in str(doc["message"])
    assert main(["chain", "validate", str(files["leaf"]), "--json"]) == 2  # --roots missing: a usage error
    captured = capsys.readouterr()
    doc = one_json(captured.out)
    assert doc["error"] == "usage" and "--roots" in str(doc["message"])
    assert "usage:" in captured.err


def test_internal_error_is_one_line_exit_3_and_debug_shows_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: object) -> int:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cmd_hash, "run", broken)
    (tmp_path / "a.txt").write_bytes(b"a")
    assert main(["hash", str(tmp_path / "a.txt")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: boom second line" in err
    assert "Traceback" not in err and "--debug" in err
    assert main(["--debug", "hash", str(tmp_path / "a.txt")]) == 3
    assert "Traceback" in capsys.readouterr().err
    assert main(["hash", str(tmp_path / "a.txt"), "--json", "--debug"]) == 3
    doc = one_json(capsys.readouterr().out)
    assert doc["exit_code"] == 3 and doc["error"] == "internal error"


def test_verification_failure_exits_1_with_json(
    tmp_path: Path, files: dict[str, Path], pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    from cryptokit.cms import cms_sign

    cms = cms_sign(b"payload", KeyBundle(pki.leaf_key, pki.leaf, (pki.intermediate,)), include_chain=True)
    (tmp_path / "m.p7s").write_bytes(cms)
    (tmp_path / "other.txt").write_bytes(b"not the payload")
    args = ["cms", "verify", str(tmp_path / "m.p7s"), "--roots", str(files["root"])]
    assert main(args) == 0
    capsys.readouterr()
    assert main([*args, "--content", str(tmp_path / "other.txt")]) == 1
    out = capsys.readouterr().out
    assert "the supplied content differs from the embedded one" in out  # the failed check is listed
    assert main([*args, "--content", str(tmp_path / "other.txt"), "--json"]) == 1
    assert one_json(capsys.readouterr().out)["ok"] is False


def test_broken_pipe_is_quiet(tmp_path: Path) -> None:
    for i in range(3000):
        (tmp_path / f"f{i:04}.txt").write_bytes(b"%d" % i)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cryptokit", "hash", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "0"},
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read()
    code = proc.wait(timeout=120)
    assert first.endswith(b".txt\n")
    assert err == b"", err
    assert code == 141


def test_expired_chain_lists_the_failed_check(
    files: dict[str, Path], pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["chain", "validate", str(files["leaf"]), "--intermediates", str(files["ca"]), "--roots", str(files["root"])]
    assert main([*args, "--at", "2099-01-01T00:00:00Z"]) == 1
    out = capsys.readouterr().out
    expiry = pki.leaf.not_valid_after_utc.isoformat()
    assert "failed" in out and "validity" in out and f"expired on {expiry}" in " ".join(out.split())
    assert "FAILED: certificate chain: TOTAL_FAILED / EXPIRED" in out


def test_repeated_reasons_are_grouped(capsys: pytest.CaptureFixture[str]) -> None:
    checks = [
        Check.failed(
            "certificate_chain", SubIndication.REVOKED, "the signer certificate is revoked", subject=f"doc[{i}]"
        )
        for i in range(50)
    ]
    checks.append(Check.failed("signature", SubIndication.SIG_CRYPTO_FAILURE, "does not verify", subject="doc[7]"))
    checks.append(Check.passed("format", "fine", subject="doc[1]"))
    print_checks("failed checks", checks, failed_only=True)
    out = capsys.readouterr().out
    assert out.count("the signer certificate is revoked") == 1
    assert "doc[0] and 49 more" in out and "does not verify" in out and "fine" not in out
