"""Hashing against bare hashlib. Run: python3 -m pytest benchmarks/ -p no:cacheprovider"""

from __future__ import annotations

import os
from typing import Any

import cryptokit as ck
from cryptokit.hashing import hash_batch

from .cases import case_hash_large_file, case_hash_small_documents, case_hash_small_documents_read, make_file


def test_hash_large_file_ratio(benchmark: Any, record_ratio: Any, tmp_path: Any) -> None:
    result = record_ratio(case_hash_large_file())
    path = make_file(64 * 1024 * 1024, tmp_path)
    benchmark.pedantic(ck.hash_to_sign, args=(path, "sha256"), rounds=3)
    assert result.ratio >= result.target, result.row()


def test_hash_small_documents_ratio(benchmark: Any, record_ratio: Any) -> None:
    result = record_ratio(case_hash_small_documents())
    docs = [os.urandom(1024) for _ in range(10_000)]
    benchmark(hash_batch, docs, "sha256")
    assert result.ratio >= result.target, result.row()


def test_hash_small_documents_read_by_column_ratio(benchmark: Any, record_ratio: Any) -> None:
    by_column, by_entry = case_hash_small_documents_read()
    record_ratio(by_entry)
    result = record_ratio(by_column)
    docs = [os.urandom(1024) for _ in range(10_000)]
    benchmark(lambda: hash_batch(docs, "sha256").b64())
    assert result.ratio >= result.target, result.row()
