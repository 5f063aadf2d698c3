"""Bulk engines against the bare loops. Run: python3 -m pytest benchmarks/test_bench_bulk.py -p no:cacheprovider

Full size by default (256 MiB of files, 20,000 RSA-2048 signatures, ...); set CRYPTOKIT_BENCH_QUICK=1
for the small sizes of ``python -m benchmarks.report --quick`` (to check that the code paths work).
The multi-worker targets need a quiet machine with at least 2 free cores.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from cryptokit.bulk import hash_many, verify_many

from .cases_bulk import (
    case_bulk_hash_large_files,
    case_bulk_hash_small_documents,
    case_bulk_openssl_limit,
    case_bulk_verify_ed25519,
    case_bulk_verify_p256,
    case_bulk_verify_rsa,
    ed25519_jobs,
    p256_jobs,
    rsa_jobs,
)
from .openssl_speed import openssl_speed, parse_speed
from .ratio import Ratio

QUICK = os.environ.get("CRYPTOKIT_BENCH_QUICK", "") not in ("", "0")


def _record_all(record_ratio: Any, rows: list[Ratio]) -> list[Ratio]:
    assert rows
    return [record_ratio(row) for row in rows]


def _assert_targets(rows: list[Ratio]) -> None:
    missed = [row.row() for row in rows if not row.met]
    assert not missed, "\n".join(missed)


def test_bulk_hash_large_files(benchmark: Any, record_ratio: Any) -> None:
    rows = _record_all(record_ratio, case_bulk_hash_large_files(quick=QUICK))
    data = [os.urandom(4 * 1024 * 1024) for _ in range(4)]
    benchmark.pedantic(hash_many, args=(data,), rounds=3)
    _assert_targets(rows)


def test_bulk_hash_small_documents(benchmark: Any, record_ratio: Any) -> None:
    rows = _record_all(record_ratio, case_bulk_hash_small_documents(quick=QUICK))
    docs = [os.urandom(1024) for _ in range(10_000)]
    benchmark(hash_many, docs, workers=1)
    _assert_targets(rows)


@pytest.mark.parametrize(
    ("case", "maker"),
    [(case_bulk_verify_rsa, rsa_jobs), (case_bulk_verify_p256, p256_jobs), (case_bulk_verify_ed25519, ed25519_jobs)],
    ids=["rsa2048", "p256", "ed25519"],
)
def test_bulk_verify(benchmark: Any, record_ratio: Any, case: Any, maker: Any) -> None:
    rows = _record_all(record_ratio, case(quick=QUICK))
    _pub, jobs = maker(500)
    benchmark(verify_many, jobs, workers=1)
    _assert_targets(rows)


def test_bulk_openssl_limit(benchmark: Any, record_ratio: Any) -> None:
    """Informative (target 0): cryptokit on one worker as a fraction of ``openssl speed``."""
    rows = case_bulk_openssl_limit(quick=QUICK)
    if not rows:
        pytest.skip("the openssl command is not on this machine")
    _record_all(record_ratio, rows)
    benchmark.pedantic(openssl_speed, args=(["ed25519_verify"],), rounds=1)
    assert all(row.ours_per_second > 0 and row.bare_per_second > 0 for row in rows)


def test_openssl_speed_parser() -> None:
    mr = (
        "+DT:sha256:1:16384\n+R:84025:sha256:0.970000\n+F:6:sha256:1419242886.60\n"
        "+F2:2:2048:2735.227273:51766.000000\n+F4:3:256:40348.837209:13023.529412\n"
        "+F6:0:253:Ed25519:24213.829787:8629.591837\n"
    )
    assert parse_speed("sha256", mr) == pytest.approx(1419242886.60)
    assert parse_speed("rsa2048_verify", mr) == pytest.approx(51766.0)
    assert parse_speed("ecdsap256_verify", mr) == pytest.approx(13023.529412)
    assert parse_speed("ed25519_verify", mr) == pytest.approx(8629.591837)
    text = (
        "type          16384 bytes\nsha256         1429212.10k\n"
        "                  sign    verify    sign/s verify/s\n"
        "rsa 2048 bits 0.000358s 0.000023s   2794.1  42830.3\n"
        " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  40491.8  12971.0\n"
        " 253 bits EdDSA (Ed25519)   0.0000s   0.0001s  22779.6   9049.0\n"
    )
    assert parse_speed("sha256", text) == pytest.approx(1429212100.0)
    assert parse_speed("rsa2048_verify", text) == pytest.approx(42830.3)
    assert parse_speed("ecdsap256_verify", text) == pytest.approx(12971.0)
    assert parse_speed("ed25519_verify", text) == pytest.approx(9049.0)
    assert parse_speed("rsa2048_verify", "no numbers here") is None
