"""HashResults: the column-stored sequence that hash_batch and hash_many return."""

from __future__ import annotations

import base64
import hashlib
import pickle
from pathlib import Path

import pytest

import cryptokit as ck
from cryptokit.errors import InputError
from cryptokit.hash_results import HashError, HashResults
from cryptokit.hashing import HashToSign, hash_batch, hash_to_sign

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
