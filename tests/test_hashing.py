from __future__ import annotations

import hashlib
import io
import os
import re
import tracemalloc
from pathlib import Path

import pytest

import cryptokit as ck

NIST_FILES = {
    "sha224": "SHA224",
    "sha256": "SHA256",
    "sha384": "SHA384",
    "sha512": "SHA512",
}


def _nist_cases(path: Path) -> list[tuple[bytes, bytes]]:
    text = path.read_text()
    cases = []
    for length, msg, md in re.findall(r"Len = (\d+)\s+Msg = ([0-9a-f]+)\s+MD = ([0-9a-f]+)", text):
        data = bytes.fromhex(msg)[: int(length) // 8]
        cases.append((data, bytes.fromhex(md)))
    assert cases, path
    return cases


def _sources(data: bytes, tmp: Path) -> dict[str, object]:
    path = tmp / "doc.bin"
    path.write_bytes(data)
    chunks = [data[i : i + 7] for i in range(0, len(data), 7)]
    return {
        "bytes": data,
        "bytearray": bytearray(data),
        "memoryview": memoryview(data),
        "path": path,
        "fileobj": io.BytesIO(data),
        "chunks": iter(chunks),
    }


@pytest.mark.parametrize("name", sorted(NIST_FILES))
@pytest.mark.parametrize("kind", ["Short", "Long"])
def test_nist_shavs_every_source_kind(vectors: Path, tmp_path: Path, name: str, kind: str) -> None:
    cases = _nist_cases(vectors / "nist-sha" / f"{NIST_FILES[name]}{kind}Msg.rsp")
    for data, md in cases:
        for source_kind, source in _sources(data, tmp_path).items():
            h = ck.hash_to_sign(source, name)  # type: ignore[arg-type]
            assert h.digest == md, (name, kind, source_kind, len(data))
    assert len(cases) >= 64


def test_hash_to_sign_fields() -> None:
    h = ck.hash_to_sign(b"abc", "SHA-256")
    assert h.algorithm.name == "sha256"
    assert h.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert h.b64 == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
    assert h.oid == "2.16.840.1.101.3.4.2.1"
    assert h.digest_info() == bytes.fromhex("3031300d060960864801650304020105000420") + h.digest
    assert repr(h) == f"HashToSign(sha256, {h.hex})"


def test_from_b64_checks_length_against_algorithm() -> None:
    h = ck.hash_to_sign(b"abc", "sha256")
    assert ck.HashToSign.from_b64("2.16.840.1.101.3.4.2.1", h.b64) == h
    with pytest.raises(ck.InputError, match="sha512 digests are 64") as info:
        ck.HashToSign.from_b64("sha512", h.b64)
    assert info.value.field == "digest"
    with pytest.raises(ck.InputError, match="base64"):
        ck.HashToSign.from_b64("sha256", "not base64!")
    assert ck.HashToSign.from_hex("sha256", h.hex) == h


def test_bad_sources_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(ck.InputError, match="ambiguous"):
        ck.hash_to_sign("some text")  # type: ignore[arg-type]
    with pytest.raises(ck.InputError, match="cannot read"):
        ck.hash_to_sign(tmp_path / "missing.pdf")
    with pytest.raises(ck.InputError, match="binary"):
        ck.hash_to_sign(io.StringIO("text"))  # type: ignore[arg-type]
    with pytest.raises(ck.InputError, match=r"source\[1\]"):
        ck.hash_to_sign([b"a", "b"])  # type: ignore[list-item]
    closed = io.BytesIO(b"x")
    closed.close()
    with pytest.raises(ck.InputError):
        ck.hash_to_sign(closed)
    with pytest.raises(ck.InputError):
        ck.hash_to_sign(12)  # type: ignore[arg-type]
    with pytest.raises(ck.UnsupportedAlgorithm):
        ck.hash_to_sign(b"x", "SHA256withRSA")


def test_text_mode_file_without_readinto(tmp_path: Path) -> None:
    class Reader:
        def __init__(self, data: bytes) -> None:
            self.buf = io.BytesIO(data)

        def read(self, n: int) -> bytes:
            return self.buf.read(n)

    assert ck.hash_to_sign(Reader(b"abc")).digest == hashlib.sha256(b"abc").digest()  # type: ignore[arg-type]


@pytest.mark.slow
def test_sparse_1gib_file_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "sparse.bin"
    size = 1024**3
    with open(path, "wb") as f:
        f.truncate(size)
        f.seek(size - 1)
        f.write(b"\x01")
    expected = hashlib.sha256()
    zero = bytes(1024 * 1024)
    for _ in range(size // len(zero) - 1):
        expected.update(zero)
    expected.update(zero[:-1] + b"\x01")
    tracemalloc.start()
    try:
        got = ck.hash_to_sign(path, "sha256")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got.digest == expected.digest()
    assert os.path.getsize(path) == size
    assert peak < 8 * 1024 * 1024, peak  # one 1 MiB buffer and change, never the file
