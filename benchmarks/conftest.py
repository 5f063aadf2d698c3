from __future__ import annotations

import pytest

from .ratio import Ratio

_RESULTS: list[Ratio] = []


@pytest.fixture
def record_ratio(benchmark: object) -> object:
    def record(result: Ratio) -> Ratio:
        _RESULTS.append(result)
        info = getattr(benchmark, "extra_info", {})
        info.update(
            ratio=round(result.ratio, 3),
            target=result.target,
            ours_ops_per_s=round(result.ours_per_second, 1),
            bare_ops_per_s=round(result.bare_per_second, 1),
        )
        return result

    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _RESULTS:
        return
    from .ratio import HEADER

    terminalreporter.write_line("")
    terminalreporter.write_line("cryptokit vs the bare primitive (same run):")
    terminalreporter.write_line(HEADER)
    for r in _RESULTS:
        terminalreporter.write_line(r.row())
