"""``cryptokit hash``: hash-to-sign for files, in text, JSON, ADSS or CSC form."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import InputError
from .common import add_command, add_output_options, progress_bar
from .io import emit_json

EXAMPLES = """examples:
  cryptokit hash contract.pdf
  cryptokit hash --format adss --alg sha512 invoices/
  cryptokit hash --format csc a.pdf b.pdf
"""


#: A progress bar (on a terminal) from this many files, or this many bytes in all.
PROGRESS_MIN_FILES = 200
PROGRESS_MIN_BYTES = 256 * 1024 * 1024


def files_of(paths: list[str]) -> list[Path]:
    return [path for path, _ in files_with_aliases(paths)]


def files_with_aliases(paths: list[str]) -> list[tuple[Path, str]]:
    """Every file with a unique document alias: its path relative to the folder given (``sub/inv1.txt``),
    or the file argument's own name; where two would collide, the path as given (``a/inv1.txt``)."""
    found: list[tuple[Path, str]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.extend((q, q.relative_to(p).as_posix()) for q in sorted(q for q in p.rglob("*") if q.is_file()))
        elif p.is_file():
            found.append((p, p.name))
        else:
            raise InputError("FILE", f"{raw!r} is not a file or folder")
    counts: dict[str, int] = {}
    for _, alias in found:
        counts[alias] = counts.get(alias, 0) + 1
    return [(path, alias if counts[alias] == 1 else path.as_posix()) for path, alias in found]


def run(args: argparse.Namespace) -> int:
    from ..algorithms import hash_algorithm
    from ..bulk import hash_many, unwrap

    alg = hash_algorithm(args.alg)
    with_aliases = files_with_aliases(args.paths)
    files = [path for path, _ in with_aliases]
    large = sum(f.stat().st_size for f in files) >= PROGRESS_MIN_BYTES
    with progress_bar(len(files), "hashing", threshold=1 if large else PROGRESS_MIN_FILES) as progress:
        outcomes = hash_many(files, alg, workers=args.workers, progress=progress)
    results = list(zip((str(f) for f in files), unwrap(outcomes), strict=True))
    if args.format == "text" and not args.json:
        for name, h in results:
            sys.stdout.write(f"{h.hex}  {alg.name}  {name}\n")
        return 0
    doc: Any
    if args.format == "adss":
        doc = {
            "docs_to_sign_info": [
                {"doc_alias": alias, "hash_algo": h.oid, "hash_to_sign_base64": h.b64}
                for (_, alias), (_, h) in zip(with_aliases, results, strict=True)
            ]
        }
    elif args.format == "csc":
        doc = {"hashAlgorithmOID": alg.oid, "hashes": [h.b64 for _, h in results]}
    else:
        doc = [
            {"file": name, "algorithm": alg.name, "oid": h.oid, "hex": h.hex, "base64": h.b64} for name, h in results
        ]
    emit_json(doc)
    return 0


def register(sub: Any) -> None:
    p = add_command(
        sub, "hash", run, examples=EXAMPLES, help="hash files to sign (ADSS docs_to_sign_info, CSC hashes)",
        description="Hash files (or every file under a folder) the way a remote-signing client sends them.",
    )  # fmt: skip
    p.add_argument("paths", nargs="+", metavar="FILE|DIR")
    p.add_argument("--alg", default="sha256", help="hash algorithm name or OID (default sha256)")
    p.add_argument("--format", choices=("text", "json", "adss", "csc"), default="text")
    p.add_argument("--workers", type=int, default=None, help="threads (default: every core for large sets)")
    add_output_options(p, "same as --format json")
