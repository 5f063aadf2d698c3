"""CMS verification, the emCA server half and the command over files, against the same work by hand.

Run: python3 -m pytest benchmarks/test_bench_cms.py -p no:cacheprovider
(set CRYPTOKIT_BENCH_QUICK=1 for the small inputs of ``--quick``). The file rows always run quick here
(10 launches per file, one invocation over 20 files); ``python3 -m benchmarks.report cms-verify-files``
runs them on 200 and 10,000 files.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from .cases_cms import case_cms_files, case_cms_sign, case_cms_verify, case_emca_open

QUICK = os.environ.get("CRYPTOKIT_BENCH_QUICK") == "1"


def test_cms_verify_ratio(benchmark: Any, record_ratio: Any) -> None:
    result = record_ratio(case_cms_verify(quick=QUICK))
    benchmark.pedantic(lambda: None, rounds=1)
    assert result.ratio >= result.target, result.row()


@pytest.mark.parametrize("case", [case_cms_sign, case_emca_open], ids=["cms-sign", "emca-open-10-csrs"])
def test_two_row_ratios(case: Any, benchmark: Any, record_ratio: Any) -> None:
    """cms_sign (RSA-2048, P-256) and the emCA server half (per-CSR, joined framing)."""
    rows = [record_ratio(r) for r in case(quick=QUICK)]
    benchmark.pedantic(lambda: None, rounds=1)
    assert len(rows) == 2
    for result in rows:
        assert result.ratio >= result.target, result.row()


def test_cms_verify_files_rows(record_ratio: Any) -> None:
    """Every file verifies with both commands (a failing launch raises); the rows are informational."""
    rows = [record_ratio(r) for r in case_cms_files(quick=True)]
    assert rows and all(r.ops > 0 and r.ours_seconds > 0 and r.bare_seconds > 0 for r in rows)
