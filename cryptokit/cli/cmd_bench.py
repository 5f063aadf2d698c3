"""``cryptokit bench``: the benchmark report table, from a source checkout.

Choice: the benchmarks are not part of the installed package (they need the bare baselines and the
pytest-benchmark harness kept in the repository). ``cryptokit bench`` therefore imports
``benchmarks.report`` from the checkout the running ``cryptokit`` package lives in (an editable
install, ``pip install -e .``); from an ordinary install it says how to run them instead (exit 2).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any

from ..errors import InputError
from .common import add_command, add_output_options
from .io import emit_json, table

EXAMPLES = """examples:
  cryptokit bench                       # every case, quick mode
  cryptokit bench verify-rsa2048-pkcs1v15 hash-small-documents --json
  cryptokit bench --full                # full sizes (minutes; run on a quiet machine)
  cryptokit bench --list

Each row: our throughput, the bare library loop's, their ratio and the target. Quick mode (the
default) is informational: its small sizes cannot hold the full-size targets, so it always exits 0;
--full judges every row: exit 1 when a target is missed. A case whose comparison peer is not installed
(pyhanko-certvalidator, from the bench extra) is shown as skipped with the reason. Exit 2 when not run
from a source checkout (then: python3 -m benchmarks.report --quick).
"""


def checkout_root() -> Path | None:
    """The source checkout holding benchmarks/report.py next to the running package, if any."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "benchmarks" / "report.py").is_file() and (root / "cryptokit").is_dir() else None


def load_report() -> Any:
    root = checkout_root()
    if root is None:
        raise InputError(
            "bench",
            "the benchmarks live in the source repository, not in the installed package: clone it, "
            "'pip install -e .[dev]', then run 'cryptokit bench' or 'python3 -m benchmarks.report --quick'",
        )
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    module = importlib.import_module("benchmarks.report")
    if not Path(module.__file__ or "").resolve().is_relative_to(root):
        raise InputError("bench", f"a different 'benchmarks' package shadows the checkout's: {module.__file__}")
    return module


def run(args: argparse.Namespace) -> int:
    report = load_report()
    cases = report.all_cases()
    if args.list:
        if args.json:
            emit_json(sorted(cases))
        else:
            print("\n".join(sorted(cases)))
        return 0
    unknown = [c for c in args.cases if c not in cases]
    if unknown:
        raise InputError("CASE", f"unknown: {', '.join(unknown)} (see cryptokit bench --list)")
    quick = not args.full
    rows: list[dict[str, Any]] = []
    for name in args.cases or list(cases):
        try:
            out = cases[name](quick=quick)
        except ImportError as exc:  # an optional comparison peer is not installed: skip the row, say why
            missing = exc.name or str(exc)
            peer = missing.replace("_", "-")
            rows.append({"name": name, "skipped": f"needs {peer} (pip install -e '.[bench]')"})
            continue
        for r in out if isinstance(out, list) else [out]:
            rows.append(
                {
                    "name": r.name,
                    "ops": r.ops,
                    "ours_per_second": round(r.ours_per_second, 1),
                    "bare_per_second": round(r.bare_per_second, 1),
                    "ratio": round(r.ratio, 3),
                    "target": r.target,
                    "met": r.met,
                    "cores": r.cores,
                }
            )
    measured = [r for r in rows if "skipped" not in r]
    # Quick mode's small inputs and few repeats cannot hold the full-size targets on a busy machine:
    # its rows are informational and never fail the command; --full judges every row.
    ok = quick or all(r["met"] for r in measured)
    if args.json:
        emit_json({"ok": ok, "quick": quick, "informational": quick, "cases": rows})
        return 0 if ok else 1
    table(
        f"benchmarks ({'quick: informational, targets are judged with --full' if quick else 'full'})",
        ("case", "ours/s", "bare/s", "ratio", "target", "met", "cores"),
        [
            (r["name"], "", "", "", "", f"skipped: {r['skipped']}", "")
            if "skipped" in r
            else (
                r["name"],
                f"{r['ours_per_second']:,.0f}",
                f"{r['bare_per_second']:,.0f}",
                f"{r['ratio']:.2f}x",
                f">= {r['target']:.2f}x",
                "yes" if r["met"] else ("below (informational)" if quick else "MISSED"),
                r["cores"],
            )
            for r in rows
        ],
    )
    return 0 if ok else 1


def register(sub: Any) -> None:
    p = add_command(
        sub, "bench", run, examples=EXAMPLES, help="run the benchmark table (quick mode by default)",
        description="Benchmarks: cryptokit against the bare library loop, as ratios. Needs a source checkout.",
    )  # fmt: skip
    p.add_argument("cases", nargs="*", metavar="CASE", help="cases to run (default all)")
    p.add_argument("--full", action="store_true", help="full sizes instead of quick mode")
    p.add_argument("--list", action="store_true", help="list the cases")
    add_output_options(p, "print JSON")
