"""A wrong PFX password against a right one. Run: python3 -m pytest benchmarks/test_bench_pfx.py -p no:cacheprovider"""

from __future__ import annotations

from typing import Any

from .cases_pfx import case_pfx_wrong_vs_right


def test_pfx_wrong_vs_right_password_ratio(benchmark: Any, record_ratio: Any) -> None:
    result = record_ratio(case_pfx_wrong_vs_right())
    benchmark.pedantic(lambda: None, rounds=1)
    assert result.ratio >= result.target, result.row()
