"""Signature verification against bare cryptography.

Run: python3 -m pytest benchmarks/test_bench_verify.py -p no:cacheprovider
(set CRYPTOKIT_BENCH_QUICK=1 for the small inputs of ``--quick``).
"""

from __future__ import annotations

import os
from typing import Any

from cryptokit.signatures import verify_digest, verify_message

from .cases_verify import case_ed25519, case_p256, case_rsa2048_pkcs1v15, ed25519_inputs, p256_inputs, rsa_inputs

QUICK = os.environ.get("CRYPTOKIT_BENCH_QUICK") == "1"


def _verify_digests(pub: Any, pairs: list[tuple[bytes, bytes]]) -> None:
    for sig, digest in pairs:
        verify_digest(pub, sig, digest, "sha256")


def test_verify_rsa2048_pkcs1v15_ratio(benchmark: Any, record_ratio: Any) -> None:
    result = record_ratio(case_rsa2048_pkcs1v15(quick=QUICK))
    pub, pairs = rsa_inputs(2_000 if QUICK else 20_000)
    benchmark.pedantic(_verify_digests, args=(pub, pairs[:1000]), rounds=3)
    assert result.ratio >= result.target, result.row()


def test_verify_p256_ratio(benchmark: Any, record_ratio: Any) -> None:
    result = record_ratio(case_p256(quick=QUICK))
    pub, pairs = p256_inputs(1_000 if QUICK else 10_000)
    benchmark.pedantic(_verify_digests, args=(pub, pairs[:500]), rounds=3)
    assert result.ratio >= result.target, result.row()


def test_verify_ed25519_ratio(benchmark: Any, record_ratio: Any) -> None:
    result = record_ratio(case_ed25519(quick=QUICK))
    pub, pairs = ed25519_inputs(1_000 if QUICK else 10_000)

    def run() -> None:
        for sig, message in pairs[:500]:
            verify_message(pub, sig, message)

    benchmark.pedantic(run, rounds=3)
    assert result.ratio >= result.target, result.row()
