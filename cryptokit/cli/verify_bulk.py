"""``cryptokit verify bulk``: a manifest of signatures verified on every core (see ``BULK_EXAMPLES``)."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io as _io
import sys
import time
from pathlib import Path
from typing import Any

import orjson

from ..errors import InputError
from .cmd_verify import _eddsa, _key_from_file
from .common import chain_arguments, decode_blob, progress_bar, read_blob
from .io import command_language, read_input, table

MAX_MANIFEST_ROWS = 1_000_000


def _manifest_rows(path: str) -> list[dict[str, str]]:
    data = read_input(path, "MANIFEST", max_size=256 * 1024 * 1024)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("MANIFEST", "is not UTF-8 text") from None
    stripped = text.lstrip()
    rows: list[dict[str, str]] = []
    if stripped.startswith("{"):
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                obj = None
            if not isinstance(obj, dict):  # reported for this row; the run goes on
                rows.append({_ROW_ERROR: f"line {number} is not a JSON object"})
                continue
            rows.append({str(k): str(v) for k, v in obj.items() if v is not None})
    else:
        reader = csv.DictReader(_io.StringIO(text))
        if not reader.fieldnames or "cert" not in reader.fieldnames:
            raise InputError("MANIFEST", "CSV needs a header row with at least cert, sig|sig_b64, hash|file")
        rows = [{k: (v or "").strip() for k, v in r.items() if k is not None and v} for r in reader]
    if not rows:
        raise InputError("MANIFEST", "holds no rows")
    if len(rows) > MAX_MANIFEST_ROWS:
        raise InputError("MANIFEST", f"holds more than {MAX_MANIFEST_ROWS} rows")
    return rows


_ROW_ERROR = "\x00error"  # a manifest row that could not be read at all


def _bulk_job(row: dict[str, str], where: str, base: Path, keys: dict[str, Any], args: argparse.Namespace) -> Any:
    """(certificate path, job, document to hash or None) for one manifest row; InputError if unusable."""
    from ..algorithms import hash_algorithm
    from ..bulk import VerifyJob
    from ..hashing import HashToSign

    if _ROW_ERROR in row:
        raise InputError(where, row[_ROW_ERROR])
    cert_path = row.get("cert")
    if not cert_path:
        raise InputError(where, "has no cert")
    full = str(base / cert_path)
    if full not in keys:
        try:
            keys[full] = _key_from_file(full)
        except InputError as exc:
            keys[full] = exc
    if isinstance(keys[full], InputError):
        raise InputError(f"{where}.cert", keys[full].rule)
    key = keys[full]
    alg = hash_algorithm(row.get("alg") or args.alg)
    if row.get("sig_b64"):
        sig = decode_blob(row["sig_b64"].encode("ascii", "replace"), f"{where}.sig_b64", "base64")
    elif row.get("sig"):
        sig = read_blob(str(base / row["sig"]), f"{where}.sig")
    else:
        raise InputError(where, "has neither sig nor sig_b64")
    if row.get("hash"):
        digest = decode_blob(row["hash"].encode("ascii", "replace"), f"{where}.hash")
        return full, VerifyJob(key, sig, digest=HashToSign(alg, digest), algorithm=alg.name), None
    if row.get("file"):
        doc = base / row["file"]
        if _eddsa(key):  # PureEdDSA signs the document itself
            return full, VerifyJob(key, sig, message=read_input(str(doc), f"{where}.file")), None
        if not doc.is_file():
            raise InputError(f"{where}.file", f"cannot read {row['file']!r}: no such file")
        return full, VerifyJob(key, sig, algorithm=alg.name), doc  # digest filled in later
    raise InputError(where, "has neither hash nor file")


def run_bulk(args: argparse.Namespace) -> int:
    """Every row gets a status (verified, failed, unusable); a bad row never stops the run."""
    from ..bulk import HashError, hash_many, verify_many
    from ..errors import CryptokitError

    base = Path(args.manifest).parent if args.manifest != "-" else Path.cwd()
    rows = _manifest_rows(args.manifest)
    keys: dict[str, Any] = {}
    labels = [row.get("id") or str(index + 1) for index, row in enumerate(rows)]
    unusable: dict[int, str] = {}
    jobs: list[Any] = []
    job_rows: list[int] = []  # job position -> row index
    row_certs: dict[int, str] = {}
    to_hash: dict[str, list[tuple[int, Path]]] = {}  # algorithm -> (job position, document)
    started = time.perf_counter()
    for index, row in enumerate(rows):
        where = f"row {index + 1}"
        try:
            full, job, doc = _bulk_job(row, where, base, keys, args)
        except CryptokitError as exc:
            unusable[index] = command_language(str(exc))
            continue
        row_certs[index] = full
        if doc is not None:
            to_hash.setdefault(job.algorithm, []).append((len(jobs), doc))
        jobs.append(job)
        job_rows.append(index)
    hashed_out: set[int] = set()
    for alg_name, items in to_hash.items():  # every document of one algorithm in one parallel batch
        outcomes = hash_many([doc for _, doc in items], alg_name, workers=args.workers)
        for (position, doc), outcome in zip(items, outcomes, strict=True):
            if isinstance(outcome, HashError):
                unusable[job_rows[position]] = f"row {job_rows[position] + 1}.file: {doc.name}: {outcome.error}"
                hashed_out.add(position)
            else:
                jobs[position] = dataclasses.replace(jobs[position], digest=outcome)
    keep = [i for i in range(len(jobs)) if i not in hashed_out]
    jobs, job_rows = [jobs[i] for i in keep], [job_rows[i] for i in keep]
    prepared = time.perf_counter()
    with progress_bar(len(jobs), "verifying") as progress:
        results = verify_many(jobs, workers=args.workers, progress=progress) if jobs else []
    verified_at = time.perf_counter()
    by_row = dict(zip(job_rows, results, strict=True))
    chain_ok: dict[str, tuple[bool, str]] = {}
    if args.roots:
        from ..chain import validate_chain

        chain_options = chain_arguments(args)
        for full in sorted({row_certs[i] for i in by_row}):
            key = keys[full]
            if not hasattr(key, "public_key"):
                chain_ok[full] = (False, "chain: a bare public key has no chain to validate")
                continue
            report = validate_chain(key, **chain_options)
            failures = report.failures()
            reason = "" if report.ok else (failures[0].message if failures else report.indication.value)
            chain_ok[full] = (report.ok, f"chain: {reason}" if reason else "")
    out_rows = []
    counts = {"verified": 0, "failed": 0, "unusable": 0}
    for index, label in enumerate(labels):
        result = by_row.get(index)
        if result is None:
            status, reason, scheme, encoding = "unusable", unusable.get(index, "not verified"), None, None
        else:
            scheme, encoding = result.scheme, result.encoding
            status, reason = ("verified", "") if result.ok else ("failed", str(result.error))
            chain = chain_ok.get(row_certs[index])
            if status == "verified" and chain is not None and not chain[0]:
                status, reason = "failed", chain[1]
        counts[status] += 1
        out_rows.append(
            {"id": label, "status": status, "ok": status == "verified", "scheme": scheme, "encoding": encoding,
             "reason": reason or None}
        )  # fmt: skip
    code = 1 if counts["failed"] else 2 if counts["unusable"] else 0
    summary: dict[str, Any] = {
        "summary": True,
        "ok": code == 0,
        "exit_code": code,
        "total": len(out_rows),
        **counts,
        "passed": counts["verified"],
        "chain_checked": bool(args.roots),
        "certificates": len(keys),
        "chains_validated": len(chain_ok),
        "prepare_seconds": round(prepared - started, 4),
        "verify_seconds": round(verified_at - prepared, 4),
        "per_second": round(len(jobs) / (verified_at - prepared), 1) if jobs and verified_at > prepared else None,
    }
    if not args.roots:
        summary["note"] = NO_CHAIN_NOTE
    if args.json:  # JSON lines: one object per row, then the summary object
        for r in out_rows:
            sys.stdout.write(orjson.dumps(r).decode() + "\n")
        sys.stdout.write(orjson.dumps(summary).decode() + "\n")
        return code
    shown = out_rows if args.verbose else [r for r in out_rows if r["status"] != "verified"][:50]
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
        f"{verdict}: {counts['verified']}/{len(out_rows)} signatures verified, {counts['failed']} failed, "
        f"{counts['unusable']} unusable"
        + ("; certificate chains validated against --roots" if args.roots else f"; {NO_CHAIN_NOTE}")
    )
    return code


#: Said whenever a bulk run had no --roots: a verified row proves the key, not who holds it.
NO_CHAIN_NOTE = "NO certificate chain was checked (signatures only; give --roots to validate the signers)"


def _label(row: dict[str, Any]) -> str:
    if not row["scheme"]:
        return ""
    return str(row["scheme"]) + (f"/{row['encoding']}" if row["encoding"] else "")


