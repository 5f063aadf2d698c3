"""Envelope against raw AES-GCM. Run: python3 -m pytest benchmarks/test_bench_envelope.py -p no:cacheprovider"""

from __future__ import annotations

import os
from typing import Any

from cryptokit.envelope import Envelope

from .cases_envelope import case_envelope_json, case_envelope_json_vs_raw, case_envelope_raw, json_body


def test_envelope_json_1mib_vs_raw_aesgcm_ratio(benchmark: Any, record_ratio: Any) -> None:
    result = record_ratio(case_envelope_json_vs_raw())
    env = Envelope(os.urandom(32))
    doc = json_body()
    benchmark(lambda: env.open_json(env.seal(doc)))
    assert result.ratio >= result.target, result.row()


def test_envelope_json_1mib_ratio(benchmark: Any, record_ratio: Any) -> None:
    result = record_ratio(case_envelope_json())
    env = Envelope(os.urandom(32))
    doc = json_body()
    benchmark(lambda: env.open(env.seal(doc)))
    assert result.ratio >= result.target, result.row()


def test_envelope_raw_1mib_ratio(benchmark: Any, record_ratio: Any) -> None:
    result = record_ratio(case_envelope_raw())
    env = Envelope(os.urandom(32))
    body = os.urandom(1024 * 1024)
    benchmark(lambda: env.open_bytes(env.seal_bytes(body)))
    assert result.ratio >= result.target, result.row()
