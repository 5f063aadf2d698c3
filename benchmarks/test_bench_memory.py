"""Peak resident memory of the bulk engines, as targets.
Run: python3 -m pytest benchmarks/test_bench_memory.py -p no:cacheprovider

Bounds (MiB of peak RSS over the interpreter's baseline with the inputs built, see
:mod:`benchmarks.cases_memory`): ``hash_many`` over 10,000 files <= 16 MiB; ``verify_many`` over
1,000,000 jobs <= 16 MiB in the calling process and <= 32 MiB in each forked worker. Set
CRYPTOKIT_BENCH_QUICK=1 for 2,000 files and 100,000 jobs.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from .cases_memory import case_memory_hash_many, case_memory_verify_many
from .ratio import check_rows

QUICK = os.environ.get("CRYPTOKIT_BENCH_QUICK", "") not in ("", "0")


@pytest.mark.parametrize("case", [case_memory_hash_many, case_memory_verify_many], ids=["hash_many", "verify_many"])
def test_memory_bound(benchmark: Any, record_ratio: Any, case: Any) -> None:
    benchmark.pedantic(lambda: None, rounds=1)
    check_rows(record_ratio, case(quick=QUICK))
