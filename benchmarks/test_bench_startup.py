"""Start-up rows as benchmark targets. Run: python3 -m pytest benchmarks/test_bench_startup.py -p no:cacheprovider

Whole processes (see :mod:`benchmarks.cases_startup`): ``import cryptokit`` at most 1.3x its runtime
dependencies' import; ``cryptokit --help`` and ``cryptokit verify signature`` at most 1.5x
``python -c "import cryptography.x509"``. Set CRYPTOKIT_BENCH_QUICK=1 for 5 launches instead of 21.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from .cases_startup import case_command, case_import
from .ratio import check_rows

QUICK = os.environ.get("CRYPTOKIT_BENCH_QUICK", "") not in ("", "0")


@pytest.mark.parametrize("case", [case_import, case_command], ids=["import", "command"])
def test_startup(benchmark: Any, record_ratio: Any, case: Any) -> None:
    benchmark.pedantic(lambda: None, rounds=1)
    check_rows(record_ratio, case(quick=QUICK))
