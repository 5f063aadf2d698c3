"""Entry point of the ``cryptokit`` command.

Exit codes are stable: 0 ok, 1 verification failed, 2 bad usage or input.
Secrets are never taken only from an argument and never printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson

from .. import __version__
from ..algorithms import hash_algorithm
from ..errors import CryptokitError
from ..hashing import hash_to_sign

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def _files(paths: Sequence[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file()))
        else:
            out.append(p)
    return out


def _cmd_hash(args: argparse.Namespace) -> int:
    alg = hash_algorithm(args.alg)
    files = _files(args.paths)
    results = [(str(f), hash_to_sign(f, alg)) for f in files]
    if args.format == "text":
        for name, h in results:
            print(f"{h.hex}  {alg.name}  {name}")
        return EXIT_OK
    if args.format == "json":
        doc: object = [
            {"file": name, "algorithm": alg.name, "oid": h.oid, "hex": h.hex, "base64": h.b64} for name, h in results
        ]
    elif args.format == "adss":
        doc = {
            "docs_to_sign_info": [
                {"doc_alias": Path(name).name, "hash_algo": h.oid, "hash_to_sign_base64": h.b64} for name, h in results
            ]
        }
    else:  # csc
        doc = {"hashAlgorithmOID": alg.oid, "hashes": [h.b64 for _, h in results]}
    sys.stdout.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cryptokit",
        description="Cryptography of remote-signing and CA protocols (emCA, ADSS, CSC, OneSpan, "
        "Signer.Digital): hash, verify, sign, validate.",
        epilog="Exit codes: 0 ok, 1 verification failed, 2 bad usage or input.",
    )
    parser.add_argument("--version", action="version", version=f"cryptokit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p_hash = sub.add_parser(
        "hash",
        help="hash files to sign (ADSS docs_to_sign_info, CSC hashes)",
        description="Hash files (or every file under a folder) the way a remote-signing client sends them.",
        epilog="examples:\n  cryptokit hash contract.pdf\n  cryptokit hash --format adss --alg sha512 invoices/\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_hash.add_argument("paths", nargs="+", metavar="FILE|DIR")
    p_hash.add_argument("--alg", default="sha256", help="hash algorithm name or OID (default sha256)")
    p_hash.add_argument("--format", choices=("text", "json", "adss", "csc"), default="text")
    p_hash.set_defaults(func=_cmd_hash)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except CryptokitError as exc:
        print(f"cryptokit: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
