"""Run every atheris harness (or the named ones) for a bounded time each.

    python fuzz/run.py --seconds 10                 # all harnesses, 10 s each
    python fuzz/run.py --seconds 60 cms_verify pfx  # some, longer

Each harness starts from its seeds (``fuzz/targets.py``) plus the saved regression inputs in
``tests/fuzz_regressions/<name>/``. A finding (an exception that is not a CryptokitError, an input
slower than ``--timeout`` seconds, or memory over ``--rss-mb``) is saved as
``fuzz/crashes/<name>-crash-<sha1>`` (or ``-timeout-``/``-oom-``) and makes the run exit 1. Move a
finding into ``tests/fuzz_regressions/<name>/`` once fixed: ``tests/properties/test_fuzz_regressions.py``
replays every file there.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REGRESSIONS = ROOT / "tests" / "fuzz_regressions"


def names() -> list[str]:
    return sorted(p.stem.removeprefix("fuzz_") for p in HERE.glob("fuzz_*.py"))


def run(
    name: str,
    seconds: int,
    timeout: int,
    rss_mb: int,
    crashes: Path,
    regressions: bool = True,
    runs: int | None = None,
    seed: int | None = None,
) -> tuple[int, float]:
    crashes.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"corpus-{name}-") as corpus:
        cmd = [
            sys.executable,
            str(HERE / f"fuzz_{name}.py"),
            *([f"-runs={runs}"] if runs is not None else [f"-max_total_time={seconds}"]),
            *([f"-seed={seed}"] if seed is not None else []),
            f"-timeout={timeout}",
            f"-rss_limit_mb={rss_mb}",
            "-max_len=65536",
            "-print_final_stats=1",
            f"-artifact_prefix={crashes}/{name}-",
            corpus,
        ]
        saved = REGRESSIONS / name
        if regressions and saved.is_dir():
            cmd.append(str(saved))
        start = time.monotonic()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - start
    if proc.returncode != 0:
        # the traceback and libFuzzer's summary, not the coverage log
        lines = [ln for ln in proc.stderr.splitlines() if not ln.startswith("#")]
        sys.stderr.write(f"== {name}\n" + "\n".join(lines[-60:]) + "\n")
    return proc.returncode, elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help=f"harness names (default: all): {', '.join(names())}")
    parser.add_argument("--seconds", type=int, default=10, help="fuzzing time per harness (default 10)")
    parser.add_argument(
        "--runs",
        type=int,
        help="a fixed number of inputs per harness instead of --seconds (with --seed: repeatable, for CI)",
    )
    parser.add_argument("--seed", type=int, help="libFuzzer's random seed (default: random)")
    parser.add_argument("--timeout", type=int, default=5, help="seconds one input may take (default 5)")
    parser.add_argument("--rss-mb", type=int, default=2048, help="memory limit per harness (default 2048)")
    parser.add_argument(
        "--no-regressions", action="store_true", help="do not add tests/fuzz_regressions/<name>/ to the corpus"
    )
    parser.add_argument("--jobs", type=int, default=1, help="harnesses run at the same time (default 1)")
    parser.add_argument("--crashes", type=Path, default=HERE / "crashes", help="where findings are saved")
    args = parser.parse_args(argv)
    chosen = args.targets or names()
    unknown = sorted(set(chosen) - set(names()))
    if unknown:
        parser.error(f"unknown harness: {', '.join(unknown)}")
    failed: list[str] = []
    total = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = {
            name: pool.submit(
                run,
                name,
                args.seconds,
                args.timeout,
                args.rss_mb,
                args.crashes,
                not args.no_regressions,
                args.runs,
                args.seed,
            )
            for name in chosen
        }
        for name, future in futures.items():
            code, elapsed = future.result()
            print(f"{'FAIL' if code else 'ok  '} {name:16} {elapsed:5.1f}s", flush=True)
            if code:
                failed.append(name)
    print(f"{len(chosen) - len(failed)}/{len(chosen)} harnesses clean in {time.monotonic() - total:.0f}s")
    if failed:
        print(f"findings in: {', '.join(failed)} (see {args.crashes})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
