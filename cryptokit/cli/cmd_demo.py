"""``cryptokit demo``: the whole remote-signing job on embedded defaults (see :mod:`cryptokit.demo`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import add_command, add_output_options
from .io import emit_json, table

EXAMPLES = """examples:
  cryptokit demo
  cryptokit demo --documents 5000 --json

In a temporary folder, with nothing configured: a throwaway PKI and a client PFX registered with an
embedded emCA service; the emCA multiple-CSR exchange through the real client and server halves
(envelope, emKey + AuthKey, CMS over the CSRs, issuance with the requested validity) over HTTP
message bytes; N documents hashed; the ADSS sign request and status exchange against an embedded
signer holding one issued key; every returned signature and its chain verified. Exit 0 when every
step passed, 1 otherwise. The folder is deleted afterwards; --export DIR keeps the public artefacts
(no key, PFX or password) so you can try the offline verifiers on them:
  cryptokit demo --export out
  cryptokit verify adss-response --request out/adss-sign-request.json \\
      --response out/adss-sign-response.json --cert out/signer.pem --chain out/issuing-ca.pem --roots out/root.pem
"""


def _per_second(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def run(args: argparse.Namespace) -> int:
    from ..demo import run_demo

    live = not args.json and sys.stderr.isatty()

    def on_step(step: Any) -> None:
        if live:
            print(f"  {'ok ' if step.ok else 'FAIL'} {step.name}", file=sys.stderr, flush=True)

    result = run_demo(args.documents, folder=args.folder, on_step=on_step, export=args.export)
    if args.json:
        emit_json(result.to_dict())
        return 0 if result.ok else 1
    table(
        f"cryptokit demo: {result.documents} documents",
        ("step", "result", "count", "seconds", "per second", "what was checked"),
        [
            (
                s.name,
                "passed" if s.ok else "FAILED",
                f"{s.count} {s.unit}",
                f"{s.seconds:.3f}",
                _per_second(s.per_second),
                s.detail,
            )
            for s in result.steps
        ],
    )
    passed = sum(s.ok for s in result.steps)
    verdict = "OK" if result.ok else "FAILED"
    print(f"{verdict}: {passed}/{len(result.steps)} steps passed in {result.seconds:.2f} s")
    if result.exported:
        print(f"exported to {args.export}: {', '.join(result.exported)}")
    return 0 if result.ok else 1


def register(sub: Any) -> None:
    p = add_command(
        sub, "demo", run, examples=EXAMPLES, help="run the emCA issuance and ADSS signing job end to end, offline",
        description="The main job on embedded defaults, in a temporary folder.",
    )  # fmt: skip
    p.add_argument("--documents", type=int, default=1000, metavar="N", help="documents to hash and sign (1000)")
    p.add_argument("--folder", metavar="DIR", help="make the temporary folder inside DIR")
    p.add_argument(
        "--export",
        metavar="DIR",
        help="copy the public artefacts (certificates, ADSS request/answer, bulk manifest) to DIR",
    )
    add_output_options(p, 'print one JSON object {"ok", "steps": [...]}')
