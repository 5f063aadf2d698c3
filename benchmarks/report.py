"""Print the benchmark table: ``python3 -m benchmarks.report [--quick] [CASE ...]``.

Cases come from every ``benchmarks/cases*.py`` module's ``CASES`` dict (name -> callable taking
``quick: bool`` and returning a :class:`benchmarks.ratio.Ratio`).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import platform
from collections.abc import Callable
from pathlib import Path

from .ratio import HEADER, Ratio, cpu_count


def all_cases() -> dict[str, Callable[..., Ratio]]:
    cases: dict[str, Callable[..., Ratio]] = {}
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("cases"):
            module = importlib.import_module(f"{__package__}.{info.name}")
            cases.update(getattr(module, "CASES", {}))
    return cases


def main() -> int:
    cases = all_cases()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer repeats")
    parser.add_argument("cases", nargs="*", help=f"cases to run (default all): {', '.join(cases)}")
    args = parser.parse_args()
    unknown = [c for c in args.cases if c not in cases]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    print(f"machine: {platform.machine()}, {cpu_count()} cores, Python {platform.python_version()}")
    print(HEADER)
    ok = True
    for name in args.cases or list(cases):
        for result in _as_list(cases[name](quick=args.quick)):
            ok &= result.met
            print(result.row(), flush=True)
    return 0 if ok else 1


def _as_list(result: Ratio | list[Ratio]) -> list[Ratio]:
    return result if isinstance(result, list) else [result]


if __name__ == "__main__":
    raise SystemExit(main())
