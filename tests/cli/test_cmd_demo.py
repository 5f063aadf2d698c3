"""`cryptokit demo`: the whole job on embedded defaults, through the real entry point."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from cryptokit import demo as demo_module
from cryptokit.cli.main import main

STEPS = ["pki", "emca", "hash", "adss-sign", "adss-verify"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cryptokit", *args], capture_output=True, text=True, timeout=120)


def test_demo_json_every_step_passes() -> None:
    started = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-m", "cryptokit", "demo", "--json", "--documents", "200"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.perf_counter() - started
    assert r.returncode == 0, r.stdout + r.stderr
    doc = orjson.loads(r.stdout)
    assert doc["ok"] is True and doc["documents"] == 200
    assert [s["name"] for s in doc["steps"]] == STEPS
    assert all(s["ok"] for s in doc["steps"]), doc["steps"]
    by_name = {s["name"]: s for s in doc["steps"]}
    assert by_name["emca"]["count"] == 2 and by_name["emca"]["replay_refused"] is True
    assert set(by_name["emca"]["validity_issued"].values()) == {"30 days, 12:00:00"}
    assert by_name["hash"]["count"] == by_name["adss-sign"]["count"] == by_name["adss-verify"]["count"] == 200
    assert by_name["adss-verify"]["indication"] == "TOTAL_PASSED" and by_name["adss-verify"]["tamper_detected"]
    assert len(by_name["adss-verify"]["chain"]) == 3
    for step in doc["steps"]:
        assert set(step) >= {"name", "ok", "count", "seconds"}
    assert elapsed < 30


def test_demo_table_and_no_secret_in_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The demo's own secrets (client password, ADSS token, AES key) never reach stdout, stderr or the export."""
    import secrets

    marker, key_hex = "S3cr3t-MARKER-123", "5ec7e7" * 10 + "abcd"
    real_urlsafe, real_hex = secrets.token_urlsafe, secrets.token_hex
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n=None: marker + real_urlsafe(8))
    monkeypatch.setattr(secrets, "token_hex", lambda n=None: key_hex if n == 32 else real_hex(n))
    assert main(["demo", "--documents", "20", "--export", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "OK: 5/5 steps passed" in captured.out
    for name in STEPS:
        assert name in captured.out
    assert main(["demo", "--documents", "5", "--json"]) == 0
    captured2 = capsys.readouterr()
    for text in (captured.out, captured.err, captured2.out, captured2.err):
        assert marker not in text and key_hex not in text
    for p in (tmp_path / "out").iterdir():
        data = p.read_bytes()
        assert marker.encode() not in data and key_hex.encode() not in data


def test_demo_fails_when_the_signer_uses_another_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A signer whose key is not the issued certificate's must make the demo fail (exit 1)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from cryptokit.protocols import adss

    original = adss.EmbeddedSigner.__init__
    other = rsa.generate_private_key(65537, 2048)

    def with_other_key(self: Any, signer: Any, **options: Any) -> None:
        original(self, other, **options)

    monkeypatch.setattr(adss.EmbeddedSigner, "__init__", with_other_key)
    assert main(["demo", "--documents", "10", "--json"]) == 1
    doc = orjson.loads(capsys.readouterr().out)
    steps = {s["name"]: s for s in doc["steps"]}
    assert doc["ok"] is False and steps["adss-sign"]["ok"] is True and steps["adss-verify"]["ok"] is False
    assert "0/10 verified" in steps["adss-verify"]["detail"]


def test_demo_missing_part_is_a_failed_step(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """If a protocol half is unusable, its step and the steps that need it fail with a reason."""

    def broken(state: Any) -> Any:
        raise AttributeError("module has no attribute 'handle_create_certificates'")

    monkeypatch.setattr(demo_module, "_step_emca", broken)
    assert main(["demo", "--documents", "5"]) == 1
    out = capsys.readouterr().out
    assert "FAILED: 2/5 steps passed" in out
    result = demo_module.run_demo(5)
    steps = {s.name: s for s in result.steps}
    assert not result.ok and steps["pki"].ok and steps["hash"].ok
    assert "handle_create_certificates" in steps["emca"].detail
    assert steps["adss-sign"].detail.startswith("not run") and steps["adss-verify"].detail.startswith("not run")


def test_demo_bad_usage_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--documents", "0"]) == 2
    assert "documents" in capsys.readouterr().err
    assert main(["demo", "--documents", "many"]) == 2


def test_demo_export_then_offline_verification(tmp_path: Path) -> None:
    """--export keeps only public artefacts, and the offline verifiers accept them (and refuse a change)."""
    out = tmp_path / "out"
    r = run_cli("demo", "--documents", "30", "--export", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["root.pem", "issuing-ca.pem", "signer.pem", "adss-sign-request.json",
                            "adss-sign-response.json", "bulk-manifest.jsonl", "swapped-response.json"])  # fmt: skip
    for p in out.iterdir():
        assert b"PRIVATE KEY" not in p.read_bytes() and b"password" not in p.read_bytes().lower()
    args = ["verify", "adss-response", "--request", str(out / "adss-sign-request.json"), "--response",
            str(out / "adss-sign-response.json"), "--cert", str(out / "signer.pem"), "--chain",
            str(out / "issuing-ca.pem"), "--roots", str(out / "root.pem")]  # fmt: skip
    r = run_cli(*args)
    assert r.returncode == 0 and "30 documents, 30 passed, 0 not passed" in r.stdout, r.stdout + r.stderr
    r = run_cli("verify", "bulk", str(out / "bulk-manifest.jsonl"), "--roots", str(out / "root.pem"),
                "--intermediates", str(out / "issuing-ca.pem"), "--json")  # fmt: skip
    assert r.returncode == 0 and orjson.loads(r.stdout.splitlines()[-1])["verified"] == 30
    # Another document's hash in the request: that document fails, exit 1.
    body = orjson.loads((out / "adss-sign-request.json").read_bytes())
    body["docs_to_sign_info"][7]["hash_to_sign_base64"] = body["docs_to_sign_info"][8]["hash_to_sign_base64"]
    (out / "adss-sign-request.json").write_bytes(orjson.dumps(body))
    r = run_cli(*args)
    assert r.returncode == 1 and "29 passed, 1 not passed" in r.stdout and "invoice-00007" in r.stdout
