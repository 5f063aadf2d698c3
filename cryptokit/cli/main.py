"""Entry point of the ``cryptokit`` command.

Exit codes are stable: 0 ok, 1 verification failed, 2 bad usage or input.
Secrets are never taken only from an argument and never printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import CryptokitError, InvalidSignature, VerificationFailed
from . import cmd_bench, cmd_demo, cmd_emca, cmd_hash, cmd_pki, cmd_verify

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

COMMANDS = (cmd_hash, cmd_verify, cmd_pki, cmd_emca, cmd_bench, cmd_demo)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cryptokit",
        description="The cryptography of remote-signing and CA protocols (emCA, ADSS, CSC, OneSpan, "
        "Signer.Digital): hash, sign, verify, validate.",
        epilog="Exit codes: 0 ok, 1 verification failed, 2 bad usage or input. "
        "Run 'cryptokit COMMAND --help' for examples.",
    )
    parser.add_argument("--version", action="version", version=f"cryptokit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help / --version
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except (InvalidSignature, VerificationFailed) as exc:
        print(f"cryptokit: verification failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except CryptokitError as exc:
        print(f"cryptokit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # writing an output file, a closed pipe
        print(f"cryptokit: error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
