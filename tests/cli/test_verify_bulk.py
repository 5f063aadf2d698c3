"""``cryptokit verify bulk`` read and verified by the workers (issue 23 point 4): the same rows, order,
labels and reasons on one process, with forked children and on a pool, values decoded by decode_blob's rules."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

import orjson
import pytest

import cryptokit.bulk.forked as bulk_forked
import cryptokit.cli.verify_bulk as verify_bulk
from cryptokit.cli.main import main
from cryptokit.signatures import sign_digest
from tests.cli.test_cmd_verify import write_pki
from tests.pki import make_pki


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.fixture(scope="module")
def pki() -> Any:
    return make_pki("rsa2048", label="cli")


def _manifest(tmp_path: Path, pki: Any, count: int) -> Path:
    """``count`` good rows (hex, base64 and URL-safe base64 values, ids on some), blank lines, then
    rows that are unusable or fail, each for its own reason."""
    write_pki(tmp_path, pki)
    out = []
    for i in range(count):
        digest = hashlib.sha256(b"row %d" % i).digest()
        sig = sign_digest(pki.leaf_key, digest, "sha256")
        row: dict[str, Any] = {"cert": "leaf.pem", "sig_b64": base64.b64encode(sig).decode()}
        row["hash"] = digest.hex() if i % 3 == 0 else base64.b64encode(digest).decode()
        if i % 3 == 2:
            row["sig_b64"] = base64.urlsafe_b64encode(sig).decode()  # decode_blob accepts URL-safe letters
        if i % 2:
            row["id"] = f"doc-{i}"
        out.append(orjson.dumps(row).decode())
        if i == 5:
            out.append("   ")  # a blank line: skipped, line numbers still count it
    good = orjson.loads(out[0])
    out += [
        orjson.dumps({**good, "id": "bad-b64", "sig_b64": "AAA*"}).decode(),
        orjson.dumps({**good, "id": "short", "hash": "00" * 31}).decode(),
        orjson.dumps({**good, "id": "wrong", "hash": "11" * 32}).decode(),
        orjson.dumps({**good, "id": "spaced", "sig_b64": " " + good["sig_b64"] + " "}).decode(),
        "[1, 2]",
    ]
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("\n".join(out) + "\n")
    return manifest


def _one_process(tmp_path: Path, pki: Any, capsys: pytest.CaptureFixture[str], count: int) -> Any:
    """The manifest of ``count`` good rows, and its rows and summary verified by this process alone."""
    manifest = _manifest(tmp_path, pki, count)
    assert main(["verify", "bulk", str(manifest), "--workers", "1", "--json"]) == 1
    out = _lines(capsys)
    return manifest, out[:-1], out[-1]


def test_workers_give_the_rows_one_process_gives(
    tmp_path: Path, pki: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest, rows, summary = _one_process(tmp_path, pki, capsys, 1200)
    assert (summary["total"], summary["verified"], summary["failed"], summary["unusable"]) == (1205, 1201, 1, 3)
    assert rows[0]["id"] == "1" and rows[1]["id"] == "doc-1" and rows[1200]["id"] == "bad-b64"
    by_id = {r["id"]: r for r in rows}
    assert by_id["bad-b64"]["status"] == "unusable" and "row 1201.sig_b64" in by_id["bad-b64"]["reason"]
    assert by_id["short"]["status"] == "unusable" and "31 bytes" in by_id["short"]["reason"]
    assert by_id["wrong"]["status"] == "failed" and by_id["spaced"]["status"] == "verified"
    assert "line 1206 is not a JSON object" in rows[-1]["reason"]  # the blank line counted
    # This process and forked children (one and two), and the pool the pickled path uses where it
    # cannot fork, give the same rows.
    forks = _count_forks(monkeypatch)
    monkeypatch.setattr(bulk_forked, "can_fork", lambda: True)
    for workers in ("2", "3"):
        assert main(["verify", "bulk", str(manifest), "--workers", workers, "--json"]) == 1
        assert _lines(capsys)[:-1] == rows
    assert forks == [1, 2]  # --workers 2: this process and one child
    monkeypatch.setattr(bulk_forked, "can_fork", lambda: False)
    assert main(["verify", "bulk", str(manifest), "--workers", "3", "--json"]) == 1
    assert _lines(capsys)[:-1] == rows
    assert len(forks) == 2  # the pool, not run_forked (a pool's forks add to the last count)


def _count_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many children each run of run_forked started (os.fork is counted, not replaced; a
    process pool's forks add to the last count)."""
    counts: list[int] = []
    real_fork, real_forked = os.fork, bulk_forked.run_forked

    def fork() -> int:
        counts[-1] += 1
        return real_fork()

    def forked(*args: Any, **kwargs: Any) -> Any:
        counts.append(0)
        return real_forked(*args, **kwargs)

    monkeypatch.setattr(bulk_forked.os, "fork", fork)
    monkeypatch.setattr(bulk_forked, "run_forked", forked)
    return counts


def test_a_child_that_dies_has_its_share_verified_here(
    tmp_path: Path, pki: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest, rows, _summary = _one_process(tmp_path, pki, capsys, 600)
    real_share = verify_bulk._share
    parent = os.getpid()

    def dying_share(*args: Any) -> Any:
        if os.getpid() != parent:
            os._exit(9)  # the child dies before it answers
        return real_share(*args)

    monkeypatch.setattr(verify_bulk, "_share", dying_share)
    monkeypatch.setattr(bulk_forked, "can_fork", lambda: True)
    assert main(["verify", "bulk", str(manifest), "--workers", "2", "--json"]) == 1
    out = _lines(capsys)
    assert out[:-1] == rows and out[-1]["verified"] == 601


def test_a_failed_chain_fails_the_verified_rows_of_its_signer(
    tmp_path: Path, pki: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = _manifest(tmp_path, pki, 300)
    roots = ["--roots", str(tmp_path / "root.pem")]  # no --intermediates: the leaf's chain cannot be built
    assert main(["verify", "bulk", str(manifest), "--workers", "2", "--json", *roots]) == 1
    out = _lines(capsys)
    rows, summary = out[:-1], out[-1]
    assert (summary["verified"], summary["chains_validated"], summary["certificates"]) == (0, 1, 1)
    chain_failed = [r for r in rows if r["status"] == "failed" and r["reason"].startswith("chain:")]
    assert len(chain_failed) == 301 and [r["status"] for r in rows].count("unusable") == 3
    with_ca = [*roots, "--intermediates", str(tmp_path / "ca.pem")]
    assert main(["verify", "bulk", str(manifest), "--workers", "2", "--json", *with_ca]) == 1
    assert _lines(capsys)[-1]["verified"] == 301


@pytest.mark.parametrize("workers", ["2", "3"])
def test_a_manifest_too_small_to_share_runs_here(
    tmp_path: Path, pki: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    manifest, rows, summary = _one_process(tmp_path, pki, capsys, 2)  # 7 rows: fewer than a share
    forks = _count_forks(monkeypatch)
    monkeypatch.setattr(bulk_forked, "can_fork", lambda: True)
    assert main(["verify", "bulk", str(manifest), "--workers", workers, "--json"]) == 1
    out = _lines(capsys)
    assert out[:-1] == rows and out[-1]["total"] == summary["total"] == 7 and forks == []
