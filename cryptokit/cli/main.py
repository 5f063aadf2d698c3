"""Entry point of the ``cryptokit`` command.

Exit codes are a contract: 0 verified (or done), 1 verification failed, 2 unusable input or bad usage
(not CMS, truncated, unreadable, wrong password, unknown option), 3 internal error (one line on
stderr; the traceback only with ``--debug``). A closed output pipe (``cryptokit hash docs | head -1``)
ends the command quietly with 141, as a process stopped by SIGPIPE would. With ``--json`` every outcome,
including 2 and 3, writes exactly one JSON object to stdout. Secrets are never taken only from an
argument and never printed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from .. import __version__
from ..errors import CryptokitError, InputError, InvalidSignature, VerificationFailed
from .io import command_language, emit_json

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNUSABLE = 2
EXIT_USAGE = EXIT_UNUSABLE  # the old name: bad usage is unusable input
EXIT_INTERNAL = 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE

#: The command modules, in the order of ``cryptokit --help``.
COMMAND_MODULES = ("cmd_hash", "cmd_verify", "cmd_pdf", "cmd_pki", "cmd_emca", "cmd_bench", "cmd_demo", "cmd_serve")
#: Each top-level command and the module that registers it: a command line that names one loads only
#: that module (``cryptokit verify ...`` imports no emca, pki or bench code); --help and anything
#: else load them all. tests/cli/test_main.py checks this table against the full parser.
COMMAND_MODULE = {
    "hash": "cmd_hash",
    "verify": "cmd_verify",
    "pdf": "cmd_pdf",
    "chain": "cmd_pki",
    "cms": "cmd_pki",
    "csr": "cmd_pki",
    "pfx": "cmd_pki",
    "certs": "cmd_pki",
    "emca": "cmd_emca",
    "bench": "cmd_bench",
    "demo": "cmd_demo",
    "serve": "cmd_serve",
}

EXIT_CODES = (
    "Exit codes: 0 verified/done, 1 verification failed, 2 unusable input or bad usage, "
    "3 internal error (--debug shows the traceback). With --json every outcome prints one JSON object."
)


class UsageError(Exception):
    """argparse's complaint, raised instead of exiting so that --json can still answer."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.format_usage())

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse makes a formatter for every add_argument; given the width, it does not import
        # shutil (and zlib, bz2, lzma) to ask for it: the same width, without ~2 ms of start-up.
        formatter: Any = self.formatter_class  # every argparse formatter takes width (typeshed says prog only)
        return formatter(prog=self.prog, width=_terminal_columns() - 2)  # type: ignore[no-any-return]


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``: $COLUMNS, else the terminal's width, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command's parser; with a known ``command``, only that command's module is registered."""
    parser = _Parser(
        prog="cryptokit",
        description="The cryptography of remote-signing and CA protocols (emCA, ADSS, CSC, OneSpan, "
        "Signer.Digital): hash, sign, verify, validate.",
        epilog=EXIT_CODES + " Run 'cryptokit COMMAND --help' for examples.",
    )
    parser.add_argument("--version", action="version", version=f"cryptokit {__version__}")
    parser.add_argument("--debug", action="store_true", help="print the traceback of an internal error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = (COMMAND_MODULE[command],) if command in COMMAND_MODULE else COMMAND_MODULES
    for name in modules:
        importlib.import_module(f"{__package__}.{name}").register(sub)
    return parser


def _failure(json_mode: bool, code: int, kind: str, message: str, **extra: Any) -> int:
    """Report an outcome that ended the command early: one line on stderr, one JSON object with --json."""
    message = command_language(message)
    label = {EXIT_FAILED: "verification failed", EXIT_INTERNAL: "internal error"}.get(code, "error")
    print(f"cryptokit: {label}: {message}", file=sys.stderr)
    if json_mode:
        emit_json({"ok": False, "exit_code": code, "error": kind, "message": message, **extra})
    return code


def _skip_final_collection() -> None:
    """Let the interpreter exit without walking every object it holds for reference cycles (its last
    garbage collection; ~10 ms after ``verify bulk``): the command has returned, its files are closed
    and its output flushed, so only memory the exit gives back anyway is left. Modules are still torn
    down and ``atexit`` handlers still run."""
    import gc

    gc.freeze()


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush stays silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (captured in tests)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in raw
    raw = [a for a in raw if a != "--debug"]  # accepted anywhere on the line
    json_mode = "--json" in raw
    parser = build_parser(raw[0] if raw else None)
    try:
        args = parser.parse_args(raw)
    except UsageError as exc:
        sys.stderr.write(exc.usage)
        return _failure(json_mode, EXIT_UNUSABLE, "usage", str(exc))
    except SystemExit as exc:  # --help / --version
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return _failure(json_mode, EXIT_UNUSABLE, "usage", "a COMMAND is required")
    json_mode = bool(getattr(args, "json", False))
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # a reader that went away shows here, not in the interpreter's last flush
        if argv is None:  # the process's own command line, which ends now: its output is written
            _skip_final_collection()
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except InputError as exc:  # unusable input: also a malformed CMS (CmsFormatError is both)
        return _failure(json_mode, EXIT_UNUSABLE, "unusable input", str(exc), field=exc.field)
    except (InvalidSignature, VerificationFailed) as exc:
        report = getattr(exc, "report", None)
        extra = {"report": report.to_dict()} if report is not None else {}
        return _failure(json_mode, EXIT_FAILED, "verification failed", str(exc), **extra)
    except CryptokitError as exc:  # UnsupportedAlgorithm, PolicyViolation, vendor errors: cannot be checked
        return _failure(json_mode, EXIT_UNUSABLE, type(exc).__name__, str(exc))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # writing an output file
        where = f": {exc.filename}" if exc.filename else ""
        return _failure(json_mode, EXIT_UNUSABLE, "unusable input", f"{exc.strerror or exc}{where}")
    except Exception as exc:
        if debug:
            import traceback

            traceback.print_exc()
        hint = "" if debug else " (run with --debug for the traceback)"
        line = " ".join(str(exc).split())[:300]
        return _failure(json_mode, EXIT_INTERNAL, "internal error", f"{type(exc).__name__}: {line}{hint}")
