"""`cryptokit emca seal|open|auth-key|validity|valid-from|request-ids` through the real entry point."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from cryptokit.cli.main import main
from cryptokit.envelope import Envelope

# A recognisable AES-256 key: it must never show in any output, in hex or base64.
KEY_HEX = "5ec7e7" + "0123456789abcdef" * 3 + "a1b2c3d4e5"
KEY_B64 = base64.b64encode(bytes.fromhex(KEY_HEX)).decode()


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cryptokit", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        input=stdin,
    )


def no_key(*outputs: str) -> None:
    for text in outputs:
        assert KEY_HEX not in text.lower() and KEY_B64 not in text


def test_seal_open_roundtrip(tmp_path: Path) -> None:
    assert len(bytes.fromhex(KEY_HEX)) == 32
    (tmp_path / "aes.key").write_text(KEY_HEX + "\n")
    (tmp_path / "req.json").write_text(
        '{"userName": "u1", "password": "S3cr3t-MARKER-123", "validity": "365:00:00:00"}'
    )
    r = run_cli("emca", "seal", str(tmp_path / "req.json"), "--key-file", str(tmp_path / "aes.key"))
    assert r.returncode == 0, r.stderr
    no_key(r.stdout, r.stderr)
    token = r.stdout.strip()
    # The library opens what the command sealed (the same key as base64 text).
    opened = Envelope.from_key_text(KEY_B64).open_json(token)
    assert opened == {"userName": "u1", "password": "S3cr3t-MARKER-123", "validity": "365:00:00:00"}
    (tmp_path / "token.txt").write_text(token)
    r = run_cli("emca", "open", str(tmp_path / "token.txt"), "--key-env", "EMCA_KEY", "--json",
                env={"EMCA_KEY": KEY_B64})  # fmt: skip
    assert r.returncode == 0, r.stderr
    no_key(r.stdout, r.stderr)
    assert orjson.loads(r.stdout)["json"] == {"userName": "u1", "password": "***", "validity": "365:00:00:00"}
    # Text mode redacts too; only -o FILE gets the exact plaintext.
    r = run_cli("emca", "open", str(tmp_path / "token.txt"), "--key-file", str(tmp_path / "aes.key"),
                "-o", str(tmp_path / "plain.json"))  # fmt: skip
    assert r.returncode == 0 and "S3cr3t-MARKER-123" not in r.stdout + r.stderr
    assert b"S3cr3t-MARKER-123" in (tmp_path / "plain.json").read_bytes()
    r = run_cli("emca", "open", str(tmp_path / "token.txt"), "--key-file", str(tmp_path / "aes.key"))
    assert r.returncode == 0 and "S3cr3t-MARKER-123" not in r.stdout + r.stderr
    assert orjson.loads(r.stdout)["password"] == "***"

    # CBC-HMAC profile through stdin, plaintext back on stdout.
    r = run_cli("emca", "seal", "--key-env", "K", "--profile", "aes-256-cbc-hmac-sha256", env={"K": KEY_HEX},
                stdin="hello emCA")  # fmt: skip
    assert r.returncode == 0
    r2 = run_cli("emca", "open", "--key-env", "K", "--profile", "aes-256-cbc-hmac-sha256", env={"K": KEY_HEX},
                 stdin=r.stdout)  # fmt: skip
    assert r2.returncode == 0 and r2.stdout == "hello emCA\n"


def test_open_wrong_key_or_altered_exit_1(tmp_path: Path) -> None:
    token = Envelope.from_key_text(KEY_HEX).seal({"a": 1})
    (tmp_path / "t").write_text(token)
    other = "ff" * 32
    r = run_cli("emca", "open", str(tmp_path / "t"), "--key-env", "K", env={"K": other})
    assert r.returncode == 1 and "FAILED" in r.stderr
    raw = bytearray(base64.b64decode(token))
    raw[-1] ^= 1
    (tmp_path / "t").write_text(base64.b64encode(bytes(raw)).decode())
    r = run_cli("emca", "open", str(tmp_path / "t"), "--key-env", "K", "--json", env={"K": KEY_HEX})
    assert r.returncode == 1 and orjson.loads(r.stdout)["ok"] is False
    no_key(r.stdout, r.stderr)


def test_seal_key_errors_exit_2(tmp_path: Path) -> None:
    short = KEY_HEX[:-2]
    r = run_cli("emca", "seal", "--key-env", "K", env={"K": short}, stdin="x")
    assert r.returncode == 2 and "key" in r.stderr
    assert short not in r.stderr and short not in r.stdout
    r = run_cli("emca", "seal", stdin="x")  # no key source, no terminal
    assert r.returncode == 2 and "--key-env/--key-file" in r.stderr
    r = run_cli("emca", "seal", "--key", KEY_HEX, stdin="x")  # a key on the command line is not an option
    assert r.returncode == 2
    no_key(r.stdout)


def test_auth_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["emca", "auth-key", "--client-id", "CLIENT42", "--ts", "1767225600000", "--txn", "7f3a9c", "--json"]) == 0
    )
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["AuthKey"] == hashlib.sha256(b"CLIENT42" + b"1767225600000" + b"7f3a9c").hexdigest()
    assert main(["emca", "auth-key", "--client-id", "C"]) == 0
    lines = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    assert lines["AuthKey"] == hashlib.sha256((lines["ClientID"] + lines["ts"] + lines["txn"]).encode()).hexdigest()
    assert len(lines["txn"]) == 32 and lines["ts"].isdigit()


def test_strings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emca", "validity", "365:12:45:45", "--json"]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc == {"validity": "365:12:45:45", "total_seconds": 365 * 86400 + 12 * 3600 + 45 * 60 + 45,
                   "timedelta": "365 days, 12:45:45"}  # fmt: skip
    assert main(["emca", "validity", "365:24:00:00"]) == 2
    assert "Invalid validity" in capsys.readouterr().err

    assert main(["emca", "valid-from", "12:12:2019 00:00:00", "--tz", "Asia/Kolkata", "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["utc"] == "2019-12-11T18:30:00+00:00"
    assert main(["emca", "valid-from", "31:02:2019 00:00:00"]) == 2
    assert main(["emca", "valid-from", "12:12:2019 00:00:00", "--tz", "Mars/Olympus"]) == 2
    capsys.readouterr()

    assert main(["emca", "request-ids", "ID1|1001~ID2|1002", "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out) == {"ID1": "1001", "ID2": "1002"}
    assert main(["emca", "request-ids", "ID1|1001~~ID2|1002"]) == 2
    assert main(["emca", "request-ids", "SIGNER|R-77"]) == 0
    assert "R-77" in capsys.readouterr().out


def test_key_file_not_utf8_is_a_typed_error_exit_2(tmp_path: Path) -> None:
    (tmp_path / "aes.key").write_bytes(b"\xff\xfe" + KEY_HEX.encode() + b"\n")
    r = run_cli("emca", "seal", "--key-file", str(tmp_path / "aes.key"), stdin="x")
    assert r.returncode == 2 and "--key-file" in r.stderr and "UTF-8" in r.stderr
    assert "Traceback" not in r.stderr and "UnicodeDecodeError" not in r.stderr
    no_key(r.stdout, r.stderr)
