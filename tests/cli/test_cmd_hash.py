from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from cryptokit.cli.main import main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cryptokit", *args], capture_output=True, text=True, timeout=60)


def test_version_and_help() -> None:
    r = run_cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("cryptokit ")
    r = run_cli("hash", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout


def test_hash_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.pdf").write_bytes(b"first")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.pdf").write_bytes(b"second")
    assert main(["hash", "--format", "adss", str(tmp_path)]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    infos = doc["docs_to_sign_info"]
    assert [i["doc_alias"] for i in infos] == ["a.pdf", "sub/b.pdf"]  # relative to the folder given
    assert infos[0]["hash_algo"] == "2.16.840.1.101.3.4.2.1"
    import base64

    assert base64.b64decode(infos[1]["hash_to_sign_base64"]) == hashlib.sha256(b"second").digest()
    assert main(["hash", "--format", "csc", "--alg", "sha512", str(tmp_path / "a.pdf")]) == 0
    doc = orjson.loads(capsys.readouterr().out)
    assert doc["hashAlgorithmOID"] == "2.16.840.1.101.3.4.2.3"
    assert base64.b64decode(doc["hashes"][0]) == hashlib.sha512(b"first").digest()
    assert main(["hash", "--json", str(tmp_path / "a.pdf")]) == 0
    assert orjson.loads(capsys.readouterr().out)[0]["hex"] == hashlib.sha256(b"first").hexdigest()
    assert main(["hash", str(tmp_path / "a.pdf")]) == 0
    assert capsys.readouterr().out.startswith(hashlib.sha256(b"first").hexdigest())


def test_hash_bad_input_exit_2(tmp_path: Path) -> None:
    r = run_cli("hash", str(tmp_path / "missing"))
    assert r.returncode == 2 and "FILE" in r.stderr
    r = run_cli("hash", "--alg", "SHA256withRSA", __file__)
    assert r.returncode == 2 and "signature algorithm" in r.stderr
    r = run_cli("hash")
    assert r.returncode == 2


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptokit.cli import common

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with common.progress_bar(10_000, "x") as cb:
        assert cb is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with common.progress_bar(10, "x") as cb:
        assert cb is None  # small sets: no bar
    with common.progress_bar(10_000, "x") as cb:
        assert cb is not None
        cb(5_000, 10_000)


def test_hash_many_files_matches_hashlib(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(300):
        (tmp_path / f"d{i:03d}.txt").write_bytes(f"doc {i}".encode())
    assert main(["hash", "--json", "--workers", "2", str(tmp_path)]) == 0
    rows = orjson.loads(capsys.readouterr().out)
    assert len(rows) == 300
    assert rows[123]["hex"] == hashlib.sha256(b"doc 123").hexdigest()


def test_adss_aliases_are_unique_relative_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 18 point 9: inv1.txt and sub/inv1.txt must not both become inv1.txt."""
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "inv1.txt").write_bytes(b"one")
    (docs / "sub" / "inv1.txt").write_bytes(b"two")
    other = tmp_path / "other"
    other.mkdir()
    (other / "inv1.txt").write_bytes(b"three")
    assert main(["hash", "--format", "adss", str(docs)]) == 0
    aliases = [d["doc_alias"] for d in orjson.loads(capsys.readouterr().out)["docs_to_sign_info"]]
    assert aliases == ["inv1.txt", "sub/inv1.txt"]
    assert main(["hash", "--format", "adss", str(docs), str(other / "inv1.txt")]) == 0
    aliases = [d["doc_alias"] for d in orjson.loads(capsys.readouterr().out)["docs_to_sign_info"]]
    assert len(set(aliases)) == 3 and "sub/inv1.txt" in aliases
    assert (other / "inv1.txt").as_posix() in aliases
