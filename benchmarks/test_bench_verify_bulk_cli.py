"""``cryptokit verify bulk`` against a naive script, whole processes, as targets.
Run: python3 -m pytest benchmarks/test_bench_verify_bulk_cli.py -p no:cacheprovider

20,000-row JSON-lines manifest, one RSA-2048 signer, ``--workers 2`` (see
:mod:`benchmarks.cases_verify_bulk_cli`, which holds the naive script): >= 1.5x the one-core naive
script, and >= 1.3x with ``--roots``. Needs 2 free cores. CRYPTOKIT_BENCH_QUICK=1: 2,000 rows.
"""

from __future__ import annotations

import os
from typing import Any

from .cases_verify_bulk_cli import case_verify_bulk_command
from .ratio import check_rows

QUICK = os.environ.get("CRYPTOKIT_BENCH_QUICK", "") not in ("", "0")


def test_verify_bulk_command(benchmark: Any, record_ratio: Any) -> None:
    benchmark.pedantic(lambda: None, rounds=1)
    check_rows(record_ratio, case_verify_bulk_command(quick=QUICK))
