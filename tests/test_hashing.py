"""hashing: hash_to_sign against NIST vectors, and HashResults, the column-stored sequence that
hash_batch and hash_many return."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import pickle
import re
import tracemalloc
from pathlib import Path

import pytest

import cryptokit as ck
from cryptokit.errors import InputError
from cryptokit.hashing import HashError, HashResults, HashToSign, hash_batch, hash_to_sign

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


# ------------------------------------------------------------------ HashResults

DOCS = [b"document %d" % i for i in range(50)]


def test_hash_batch_entries_equal_hash_to_sign_and_hashlib() -> None:
    results = hash_batch(DOCS, "sha384")
    assert isinstance(results, HashResults)
    assert len(results) == 50
    assert results.algorithm.name == "sha384"
    for i, doc in enumerate(DOCS):
        entry = results[i]
        assert type(entry) is HashToSign
        assert entry == hash_to_sign(doc, "sha384")
        assert entry.digest == hashlib.sha384(doc).digest()
    assert results[-1] == hash_to_sign(DOCS[-1], "sha384")
    assert list(results) == [hash_to_sign(d, "sha384") for d in DOCS]


def test_columns_match_hashlib_without_building_entries() -> None:
    results = hash_batch(DOCS)
    want = [hashlib.sha256(d).digest() for d in DOCS]
    assert results.digests() == want
    assert results.b64() == [base64.b64encode(d).decode() for d in want]
    assert results.hex() == [d.hex() for d in want]
    assert results.ok and results.errors == []
    assert results.unwrap() == [hash_to_sign(d) for d in DOCS]
    results.digests().clear()  # a new list each time: the results are not changed through it
    assert len(results.digests()) == 50


def test_slices_are_results_and_equality_follows_entries() -> None:
    results = hash_batch(DOCS)
    part = results[10:20]
    assert isinstance(part, HashResults) and len(part) == 10
    assert part == [hash_to_sign(d) for d in DOCS[10:20]]
    assert part == tuple(hash_to_sign(d) for d in DOCS[10:20])
    assert results[::-1][0] == results[49]
    assert results == hash_batch(DOCS)
    assert results != hash_batch(DOCS, "sha512")
    assert results != hash_batch(DOCS[:-1])
    assert results != [hash_to_sign(d) for d in DOCS[:-1]]
    assert results != [hash_to_sign(d) for d in [*DOCS[:-1], b"other"]]
    assert (results == "not a sequence") is False
    assert hash_batch([]) == []
    with pytest.raises(TypeError):
        hash(results)


def test_index_errors() -> None:
    results = hash_batch(DOCS[:3])
    with pytest.raises(IndexError):  # the sequence protocol: what ``in``, ``index`` and old-style iteration rely on
        results[3]
    with pytest.raises(InputError, match="index"):
        results["0"]  # type: ignore[call-overload]
    assert results.index(results[2]) == 2
    assert hash_to_sign(DOCS[1]) in results
    assert hash_to_sign(b"absent") not in results


def test_results_with_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.bin"
    good.write_bytes(b"on disk")
    results = ck.hash_many([b"a", tmp_path / "missing", good, "text"], workers=1)  # type: ignore[list-item]
    assert not results.ok
    assert [type(r).__name__ for r in results] == ["HashToSign", "HashError", "HashToSign", "HashError"]
    assert [e.index for e in results.errors] == [1, 3]
    assert results.digests() == [hashlib.sha256(b"a").digest(), None, hashlib.sha256(b"on disk").digest(), None]
    assert results.b64()[1] is None and results.hex()[3] is None
    assert results.b64()[2] == base64.b64encode(hashlib.sha256(b"on disk").digest()).decode()
    assert results.hex()[0] == hashlib.sha256(b"a").hexdigest()
    assert results[1] == results.errors[0] and not results[1]
    with pytest.raises(InputError, match=r"sources\[1\]"):
        results.unwrap()
    with pytest.raises(InputError, match=r"sources\[1\]"):
        ck.bulk.unwrap(results)
    assert "2 failed" in repr(results)


def test_pickles_with_its_errors() -> None:
    results = ck.hash_many([b"a", "text", b"b"], "sha512", workers=1)  # type: ignore[list-item]
    again = pickle.loads(pickle.dumps(results))
    assert again == results
    assert again.algorithm.name == "sha512" and [e.index for e in again.errors] == [1]
    assert isinstance(again.errors[0].error, InputError)


def test_constructor_checks_every_entry() -> None:
    digest = hashlib.sha256(b"x").digest()
    error = HashError(1, InputError("sources[1]", "cannot read"))
    built = HashResults("SHA-256", [digest, error])
    assert built[0] == hash_to_sign(b"x") and built[1] is error and not built.ok
    with pytest.raises(InputError, match=r"entries\[1\].*32-byte sha256"):
        HashResults("sha256", [digest, digest[:31]])
    with pytest.raises(InputError, match=r"entries\[0\]"):
        HashResults("sha256", [bytearray(digest)])  # type: ignore[list-item]
    with pytest.raises(ck.UnsupportedAlgorithm):
        HashResults("sha-999", [])


def test_read_only() -> None:
    results = hash_batch(DOCS[:2])
    with pytest.raises(AttributeError):
        results._entries = []  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del results._entries
    with pytest.raises(TypeError):
        results[0] = results[1]  # type: ignore[index]
    assert len(results) == 2


def test_hash_error_and_constructor_refuse_what_they_cannot_hold() -> None:
    with pytest.raises(InputError, match="error: must be a cryptokit error"):
        HashError(0, "not an error")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="index"):
        HashError(-1, InputError("f", "r"))
    with pytest.raises(InputError, match="entries: must be a list or tuple"):
        HashResults("sha256", None)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="entries: must be a list or tuple"):
        HashResults("sha256", 5)  # type: ignore[arg-type]


def test_a_slice_keeps_each_error_index_in_the_whole() -> None:
    results = ck.hash_many([b"a", "text", b"b", "more"], workers=1)  # type: ignore[list-item]
    assert [e.index for e in results[1:].errors] == [1, 3]
