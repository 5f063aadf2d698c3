"""``cryptokit verify bulk``: a manifest of signatures verified on every core (see ``BULK_EXAMPLES``)."""

from __future__ import annotations

import argparse
import codecs
import dataclasses
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from ..algorithms import hash_algorithm
from ..bulk.verify import VerifyJob
from ..encoding import b64_token, b64decode, hex_decode
from ..errors import CryptokitError, InputError
from .cmd_verify import _eddsa, _key_from_file
from .common import chain_arguments, decode_blob, progress_bar, read_blob
from .io import command_language, read_input, table

MAX_MANIFEST_ROWS = 1_000_000
#: Fewest rows in a piece of work a worker process takes (parse, decode, verify, render).
_PART_MIN_ROWS = 256


@dataclass(frozen=True, slots=True)
class _Manifest:
    """The manifest's rows before they are read: JSON lines as bytes (parsed by the workers) or CSV rows.

    ``numbers``: the file line number of each JSON line when blank lines were skipped (else the
    line number is the position plus one).
    """

    items: list[bytes] | list[dict[str, str]]
    numbers: list[int] | None = None


def _read_manifest(path: str) -> _Manifest:
    """Read and split the manifest; a JSON line is parsed where it is verified (in a worker process)."""
    data = read_input(path, "MANIFEST", max_size=256 * 1024 * 1024)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("MANIFEST", "is not UTF-8 text") from None
    manifest: _Manifest
    if data.lstrip().startswith(b"{"):
        lines = data.splitlines()
        if all(line.strip() for line in lines):
            manifest = _Manifest(lines)
        else:
            numbers = [number for number, line in enumerate(lines, 1) if line.strip()]
            manifest = _Manifest([lines[number - 1] for number in numbers], numbers)
    else:
        import csv
        import io

        reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
        if not reader.fieldnames or "cert" not in reader.fieldnames:
            raise InputError("MANIFEST", "CSV needs a header row with at least cert, sig|sig_b64, hash|file")
        manifest = _Manifest([{k: (v or "").strip() for k, v in r.items() if k is not None and v} for r in reader])
    if not manifest.items:
        raise InputError("MANIFEST", "holds no rows")
    if len(manifest.items) > MAX_MANIFEST_ROWS:
        raise InputError("MANIFEST", f"holds more than {MAX_MANIFEST_ROWS} rows")
    return manifest


def _json_row(line: bytes, number: int) -> dict[str, str]:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        obj = None
    if not isinstance(obj, dict):  # reported for this row; the run goes on
        return {_ROW_ERROR: f"line {number} is not a JSON object"}
    if _all_text(obj):
        return obj
    return {str(k): str(v) for k, v in obj.items() if v is not None}


_HEX_TOKEN = re.compile(r"(?:[0-9A-Fa-f]{2})+")


def _decode_value(text: str, row: int, name: str, form: str) -> bytes:
    """``decode_blob(text, "row {row}.{name}", form)`` for a manifest value (``form`` auto or base64),
    in fewer steps when the value is one hex or standard base64 token (the same bytes)."""
    try:
        if form == "auto" and _HEX_TOKEN.fullmatch(text):
            return hex_decode(text)
        return b64decode(text)
    except InputError:  # whitespace, URL-safe letters, or not base64: decode_blob's rules and errors
        return decode_blob(text.encode("ascii", "replace"), f"row {row}.{name}", form)


_ROW_ERROR = "\x00error"  # a manifest row that could not be read at all


class _Reader:
    """What a worker needs to turn rows into jobs: the manifest's folder, the default hash, and
    each certificate file and hash name, read once per process."""

    def __init__(self, base: str, alg: str) -> None:
        self.base = Path(base)
        self.alg = alg
        self.certs: dict[str, tuple[str, Any]] = {}  # cert as written -> (full path, key or InputError)
        self.algs: dict[str, Any] = {}

    def cert(self, written: str) -> tuple[str, Any]:
        found = self.certs.get(written)
        if found is None:
            full = str(self.base / written)
            try:
                key: Any = _key_from_file(full)
            except InputError as exc:
                key = exc
            found = self.certs[written] = (full, key)
        return found

    def warm(self, item: Any) -> None:
        """Read the certificate and hash of one row now (a forked worker inherits them, and the
        modules that loading them imports)."""
        row = item if type(item) is dict else _json_row(item, 1)
        if isinstance(row.get("cert"), str) and row["cert"]:
            self.cert(row["cert"])
        try:
            self.algorithm(row.get("alg") or self.alg)
        except CryptokitError:
            pass  # reported for the rows that use it

    def algorithm(self, name: str) -> Any:
        alg = self.algs.get(name)
        if alg is None:
            alg = self.algs[name] = hash_algorithm(name)
        return alg


def _bulk_job(row: dict[str, str], number: int, reader: _Reader) -> Any:
    """(certificate path, job, document to hash or None) for manifest row ``number`` (from 1);
    InputError if unusable."""
    where = f"row {number}"
    if _ROW_ERROR in row:
        raise InputError(where, row[_ROW_ERROR])
    cert_path = row.get("cert")
    if not cert_path:
        raise InputError(where, "has no cert")
    full, key = reader.cert(cert_path)
    if isinstance(key, InputError):
        raise InputError(f"{where}.cert", key.rule)
    alg = reader.algorithm(row.get("alg") or reader.alg)
    text = row.get("sig_b64")
    if text:
        sig = _decode_value(text, number, "sig_b64", "base64")
    elif row.get("sig"):
        sig = read_blob(str(reader.base / row["sig"]), f"{where}.sig")
    else:
        raise InputError(where, "has neither sig nor sig_b64")
    text = row.get("hash")
    if text:
        digest = _decode_value(text, number, "hash", "auto")
        if len(digest) != alg.digest_size:
            from ..hashing import HashToSign

            HashToSign(alg, digest)  # raises the error that names the lengths
        return full, VerifyJob(key, sig, digest=digest, algorithm=alg.name), None
    if row.get("file"):
        doc = reader.base / row["file"]
        if _eddsa(key):  # PureEdDSA signs the document itself
            return full, VerifyJob(key, sig, message=read_input(str(doc), f"{where}.file")), None
        if not doc.is_file():
            raise InputError(f"{where}.file", f"cannot read {row['file']!r}: no such file")
        return full, VerifyJob(key, sig, algorithm=alg.name), doc  # digest filled in later
    raise InputError(where, "has neither hash nor file")


class _Part(NamedTuple):
    """A worker's answer for consecutive rows: each row's output line and status (v, f or u), the
    certificate each row used, and every certificate file the part read."""

    lines: bytes
    status: bytes
    certs: list[str | None]
    read: list[str]


def _line(label: str, status: str, scheme: str | None, encoding: str | None, reason: str | None) -> bytes:
    row = {"id": label, "status": status, "ok": status == "verified", "scheme": scheme, "encoding": encoding,
           "reason": reason or None}  # fmt: skip
    return orjson.dumps(row) + b"\n"


def _verified_lines(labels: list[str], positions: list[int], scheme: str | None, encoding: str | None) -> list[bytes]:
    """``_line(label, "verified", scheme, encoding, None)`` for many rows: the same bytes, the tail built once."""
    tail = _line("", "verified", scheme, encoding, None)[len(b'{"id":""') :]
    dumps = orjson.dumps
    return [b'{"id":' + dumps(labels[p]) + tail for p in positions]


class _Run(NamedTuple):
    """The rows of one signer and hash in the common shape, by column (see :func:`_verify_part`)."""

    full: str  # the certificate file
    key: Any
    algorithm: str
    size: int  # the digest length
    positions: list[int]
    signatures: list[bytes]
    digests: list[bytes]


def _run_for(reader: _Reader, cert: str, alg: str) -> _Run | None:
    """An empty run for rows naming ``cert`` and ``alg``; None when either is not usable (those rows
    are read by :func:`_bulk_job`, which reports why)."""
    full, key = reader.cert(cert)
    if type(key) is InputError:
        return None
    try:
        algorithm = reader.algorithm(alg)
    except CryptokitError:
        return None
    return _Run(full, key, algorithm.name, algorithm.digest_size, [], [], [])


def _all_text(row: dict[Any, Any]) -> bool:
    for value in row.values():
        if type(value) is not str:
            return False
    return True


def _verify_part(items: Sequence[Any], start: int, numbers: Sequence[int] | None, reader: _Reader) -> _Part:
    """Rows ``start...`` of the manifest read, verified (in this process) and rendered.

    Rows in the common shape (certificate, ``sig_b64`` and ``hash``) are verified by column, one
    :func:`~cryptokit.bulk.verify.verify_digests` call per signer and hash; the others become
    :class:`~cryptokit.bulk.VerifyJob` values for one ``verify_many`` call (the same results)."""
    from ..bulk.verify import verify_digests, verify_many

    count = len(items)
    labels: list[str] = []
    reasons: dict[int, str] = {}
    certs: list[str | None] = [None] * count
    jobs: list[Any] = []
    job_rows: list[int] = []  # job position -> row position in this part
    to_hash: dict[str, list[tuple[int, Path]]] = {}  # algorithm -> (job position, document)
    plain: dict[tuple[str, str], _Run | None] = {}  # (cert, alg) as written -> its run (None: not usable)
    run: _Run | None = None
    last = ("", "")
    default_alg = reader.alg
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    for position, item in enumerate(items):
        index = start + position
        row = item
        if type(item) is not dict:  # a JSON line: text values kept as they are, anything else read by _json_row
            try:
                row = loads(item)
            except decode_error:
                row = None
            if type(row) is not dict or not _all_text(row):
                row = _json_row(item, numbers[position] if numbers else index + 1)
        labels.append(row.get("id") or str(index + 1))
        # The common shape (a usable certificate and hash, sig_b64 and hash as one strict token
        # each, the digest of the hash's length) goes to its signer's columns; anything else,
        # including a value refused here, is read by _bulk_job, which names what is wrong.
        cert, sig_text, hash_text = row.get("cert"), row.get("sig_b64"), row.get("hash")
        if cert and sig_text and hash_text:
            shape = (cert, row.get("alg") or default_alg)
            if shape != last:
                last = shape
                if shape not in plain:
                    plain[shape] = _run_for(reader, *shape)
                run = plain[shape]
            if run is not None:
                size = run.size
                digest = (
                    bytes.fromhex(hash_text)
                    if len(hash_text) == 2 * size and _HEX_TOKEN.fullmatch(hash_text)
                    else b64_token(hash_text)
                )
                sig = b64_token(sig_text)
                if sig is not None and digest is not None and len(digest) == size:
                    certs[position] = run.full
                    run.positions.append(position)
                    run.signatures.append(sig)
                    run.digests.append(digest)
                    continue
        try:
            full, job, doc = _bulk_job(row, index + 1, reader)
        except CryptokitError as exc:
            reasons[position] = command_language(str(exc))
            continue
        certs[position] = full
        if doc is not None:
            to_hash.setdefault(job.algorithm, []).append((len(jobs), doc))
        jobs.append(job)
        job_rows.append(position)
    if to_hash:
        jobs, job_rows = _hash_documents(jobs, job_rows, to_hash, reasons, start)
    results: list[Any] = [None] * count
    for row_position, result in zip(job_rows, verify_many(jobs, workers=1) if jobs else [], strict=True):
        results[row_position] = result
    for found in plain.values():
        if found is not None and found.positions:
            outcomes = verify_digests(found.key, found.signatures, found.digests, found.algorithm)
            for row_position, result in zip(found.positions, outcomes, strict=True):
                results[row_position] = result
    out: list[bytes] = [b""] * count
    status = bytearray(b"v" * count)
    verified: dict[tuple[str | None, str | None], list[int]] = {}
    for position, result in enumerate(results):
        if result is None:
            status[position] = 0x75  # u
            out[position] = _line(labels[position], "unusable", None, None, reasons.get(position, "not verified"))
        elif result.ok:
            verified.setdefault((result.scheme, result.encoding), []).append(position)
        else:
            status[position] = 0x66  # f
            out[position] = _line(labels[position], "failed", result.scheme, result.encoding, str(result.error))
    for (scheme, encoding), positions in verified.items():
        for position, line in zip(positions, _verified_lines(labels, positions, scheme, encoding), strict=True):
            out[position] = line
    return _Part(b"".join(out), bytes(status), certs, [full for full, _key in reader.certs.values()])


def _hash_documents(
    jobs: list[Any], job_rows: list[int], to_hash: dict[str, list[tuple[int, Path]]], reasons: dict[int, str], at: int
) -> tuple[list[Any], list[int]]:
    """The jobs with their documents' digests filled in (every document of one algorithm in one
    batch); a document that cannot be read makes its row unusable (its reason in ``reasons``)."""
    from ..bulk.hash import HashError, hash_many

    hashed_out: set[int] = set()
    for alg_name, pending in to_hash.items():
        outcomes = hash_many([doc for _, doc in pending], alg_name, workers=1)
        for (job_position, doc), outcome in zip(pending, outcomes, strict=True):
            if isinstance(outcome, HashError):
                row_position = job_rows[job_position]
                reasons[row_position] = f"row {at + row_position + 1}.file: {doc.name}: {outcome.error}"
                hashed_out.add(job_position)
            else:
                jobs[job_position] = dataclasses.replace(jobs[job_position], digest=outcome)
    if not hashed_out:
        return jobs, job_rows
    keep = [i for i in range(len(jobs)) if i not in hashed_out]
    return [jobs[i] for i in keep], [job_rows[i] for i in keep]


def _verify_sent(items: list[Any], start: int, numbers: list[int] | None, base: str, alg: str) -> _Part:
    return _verify_part(items, start, numbers, _Reader(base, alg))


def _verify_manifest(
    manifest: _Manifest, base: str, alg: str, workers: int, progress: Any, meanwhile: Any
) -> list[_Part]:
    """Every row verified, in parts (:func:`cryptokit.bulk.forked.guided`): in this process (one
    worker); on Linux by this process and ``workers - 1`` forked children
    (:func:`cryptokit.bulk.forked.run_forked`: they inherit the manifest, the modules and the
    certificate read, and a part a child took but did not answer is verified here, so every row
    still gets its status from a verification); elsewhere on a pool of ``workers`` processes.
    ``meanwhile()`` runs here while the others work."""
    from ..bulk import forked

    total = len(manifest.items)
    workers = min(workers, -(-total // _PART_MIN_ROWS))  # each process at least _PART_MIN_ROWS rows
    reader = _Reader(base, alg)
    if workers <= 1:
        part = _verify_part(manifest.items, 0, manifest.numbers, reader)
        if progress is not None:
            progress(total, total)
        meanwhile()
        return [part]
    ranges = forked.guided(total, workers, smallest=_PART_MIN_ROWS)
    if not forked.can_fork():
        return _verify_pooled(manifest, ranges, base, alg, workers, progress, meanwhile)
    import marshal

    reader.warm(manifest.items[0])  # the certificate and hash the children inherit

    def share(first: int, end: int) -> tuple[Any, ...]:
        return tuple(_share(manifest, reader, first, end))  # plain values: marshal carries them

    answers = forked.run_forked(
        ranges, share, workers, redo=True, meanwhile=meanwhile, progress=progress, codec=marshal
    )
    return [_Part(*answer) for answer in answers]


def _share(manifest: _Manifest, reader: _Reader, start: int, end: int) -> _Part:
    numbers = manifest.numbers[start:end] if manifest.numbers else None
    return _verify_part(manifest.items[start:end], start, numbers, reader)


def _verify_pooled(
    manifest: _Manifest, ranges: list[tuple[int, int]], base: str, alg: str, workers: int, progress: Any, meanwhile: Any
) -> list[_Part]:
    """Parts of the manifest on a process pool, where this process cannot fork (they are sent pickled)."""
    from concurrent.futures import ProcessPoolExecutor

    from ..bulk.dispatch import run_ordered

    total = len(manifest.items)
    numbers = manifest.numbers
    tasks = [(b - a, (manifest.items[a:b], a, numbers[a:b] if numbers else None, base, alg)) for a, b in ranges]
    with ProcessPoolExecutor(min(workers, len(ranges))) as pool:
        return run_ordered(
            pool, _verify_sent, tasks, max_in_flight=len(tasks), total=total, progress=progress, meanwhile=meanwhile
        )


def run_bulk(args: argparse.Namespace) -> int:
    """Every row gets a status (verified, failed, unusable); a bad row never stops the run.

    The rows are read, verified and rendered by the workers, in parts (JSON lines are parsed there
    too); this process splits the manifest, validates each distinct chain once (with --roots) while
    they work, and writes their output.
    """
    from ..bulk.dispatch import cpu_count
    from ..bulk.verify import VERIFY_PARALLEL_MIN_JOBS

    base = str(Path(args.manifest).parent if args.manifest != "-" else Path.cwd())
    started = time.perf_counter()
    manifest = _read_manifest(args.manifest)
    total = len(manifest.items)
    workers = args.workers
    if workers is None:
        workers = cpu_count() if total >= VERIFY_PARALLEL_MIN_JOBS else 1
    elif workers < 1:
        raise InputError("--workers", "must be a positive integer")
    chain: dict[str, Any] = {}

    def chain_options() -> None:  # read while the workers verify
        if args.roots:
            from ..chain import validate_chain

            chain["validate"] = validate_chain
            chain["options"] = chain_arguments(args)

    prepared = time.perf_counter()
    with progress_bar(total, "verifying") as progress:
        parts = _verify_manifest(manifest, base, args.alg, workers, progress, chain_options)
    verified_at = time.perf_counter()
    status = b"".join(part.status for part in parts)
    certs = [cert for part in parts for cert in part.certs]
    read_certs = {full for part in parts for full in part.read}
    chain_ok: dict[str, tuple[bool, str]] = {}
    if args.roots:
        for full in sorted({cert for cert, s in zip(certs, status, strict=True) if s != 0x75 and cert}):
            key = _key_from_file(full)
            if not hasattr(key, "public_key"):
                chain_ok[full] = (False, "chain: a bare public key has no chain to validate")
                continue
            report = chain["validate"](key, **chain["options"])
            failures = report.failures()
            reason = "" if report.ok else (failures[0].message if failures else report.indication.value)
            chain_ok[full] = (report.ok, f"chain: {reason}" if reason else "")
    lines = [part.lines for part in parts]
    if any(not ok for ok, _reason in chain_ok.values()):  # verified rows of those signers fail
        out = b"".join(lines).splitlines(keepends=True)
        final = bytearray(status)
        for i, (cert, s) in enumerate(zip(certs, status, strict=True)):
            chain_verdict = chain_ok.get(cert) if s == 0x76 and cert else None
            if chain_verdict is not None and not chain_verdict[0]:
                row = orjson.loads(out[i])
                row.update(status="failed", ok=False, reason=chain_verdict[1])
                out[i] = orjson.dumps(row) + b"\n"
                final[i] = 0x66
        lines, status = out, bytes(final)
    counts = {"verified": status.count(b"v"), "failed": status.count(b"f"), "unusable": status.count(b"u")}
    code = 1 if counts["failed"] else 2 if counts["unusable"] else 0
    summary: dict[str, Any] = {
        "summary": True,
        "ok": code == 0,
        "exit_code": code,
        "total": total,
        **counts,
        "passed": counts["verified"],
        "chain_checked": bool(args.roots),
        "certificates": len(read_certs),
        "chains_validated": len(chain_ok),
        "prepare_seconds": round(prepared - started, 4),
        "verify_seconds": round(verified_at - prepared, 4),
        "per_second": round(total / (verified_at - prepared), 1) if verified_at > prepared else None,
    }
    if not args.roots:
        summary["note"] = NO_CHAIN_NOTE
    if args.json:  # JSON lines: one object per row, then the summary object
        data = b"".join([*lines, orjson.dumps(summary), b"\n"])
        binary = getattr(sys.stdout, "buffer", None)
        if binary is None:
            sys.stdout.write(data.decode())
        else:  # the bytes as they are: one write, no decode and encode
            sys.stdout.flush()
            binary.write(data)
        return code
    shown = _shown(lines, status, every=args.verbose)
    if shown:
        table(
            "rows" if args.verbose else "rows not verified (first 50)",
            ("id", "status", "scheme", "reason"),
            [(r["id"], r["status"], _label(r), r["reason"] or "") for r in shown],
        )
    table(
        "summary",
        ("total", "verified", "failed", "unusable", "certificates", "verify s", "per second"),
        [
            (
                summary["total"], counts["verified"], counts["failed"], counts["unusable"], summary["certificates"],
                f"{summary['verify_seconds']:.3f}",
                f"{summary['per_second']:,.0f}" if summary["per_second"] else "",
            )
        ],
    )  # fmt: skip
    verdict = "OK" if code == 0 else "FAILED"
    print(
        f"{verdict}: {counts['verified']}/{total} signatures verified, {counts['failed']} failed, "
        f"{counts['unusable']} unusable"
        + ("; certificate chains validated against --roots" if args.roots else f"; {NO_CHAIN_NOTE}")
    )
    return code


#: Said whenever a bulk run had no --roots: a verified row proves the key, not who holds it.
NO_CHAIN_NOTE = "NO certificate chain was checked (signatures only; give --roots to validate the signers)"


def _shown(lines: list[bytes], status: bytes, *, every: bool) -> list[dict[str, Any]]:
    """The rows the table lists: every row, or the first 50 not verified."""
    if every:
        return [orjson.loads(line) for line in b"".join(lines).splitlines()]
    wanted = [i for i, s in enumerate(status) if s != 0x76][:50]
    if not wanted:
        return []
    out = b"".join(lines).splitlines()
    return [orjson.loads(out[i]) for i in wanted]


def _label(row: dict[str, Any]) -> str:
    if not row["scheme"]:
        return ""
    return str(row["scheme"]) + (f"/{row['encoding']}" if row["encoding"] else "")
