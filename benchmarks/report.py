"""Print the benchmark table: ``python3 -m benchmarks.report [--quick]``."""

from __future__ import annotations

import argparse
import platform

from .cases import CASES
from .ratio import HEADER, cpu_count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer repeats")
    parser.add_argument("cases", nargs="*", choices=[*CASES, []], help="cases to run (default all)")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(HEADER)
    ok = True
    for name in args.cases or list(CASES):
        result = CASES[name](quick=args.quick)
        ok &= result.met
        print(result.row(), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
