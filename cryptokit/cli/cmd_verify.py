"""``cryptokit verify``: offline verification of bare signatures, ADSS and CSC answers, and bulk manifests."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..encoding import b64encode
from ..errors import InputError, InvalidSignature
from .common import (
    add_chain_options,
    add_command,
    add_group,
    add_output_options,
    chain_policy,
    decode_blob,
    parse_at,
    print_checks,
    read_blob,
    read_certificates,
    read_crls,
    read_ocsp,
    verdict_line,
)
from .io import command_language, emit_json, read_input, table

SIGNATURE_EXAMPLES = """examples:
  cryptokit verify signature --cert signer.pem --sig doc.sig --file contract.pdf
  cryptokit verify signature --cert signer.pem --sig doc.sig.b64 --hash 3q2+7w...= --alg sha256 --json

The signature file may hold raw bytes, base64 or hex (--sig-format to say which). The verdict says
which scheme (pkcs1v15, pss, ecdsa, ed25519) and, for ECDSA, which encoding (der, raw r||s) matched.
It proves the key signed this hash; it does not check the certificate (use 'cryptokit chain validate').
Exit 0 verified, 1 not verified, 2 bad input.
"""

ADSS_EXAMPLES = """examples:
  cryptokit verify adss-response --request sign-request.json --response sign-status.json \\
      --cert signer.cer --chain issuing-ca.cer --roots root.pem
  cryptokit verify adss-response --request req.json --response resp.json --cert signer.b64 \\
      --roots root.pem --at 2026-01-31T12:00:00Z --json
  cryptokit verify adss-response --request req.json --response resp.json --cert signer.cer \\
      --roots root.pem --require-scheme pkcs1v15      # the guide's "PKCS#1": a PSS answer fails

--request is the body sent to /v2/sign/request (its docs_to_sign_info); --response the body of the
/v2/sign/request or /v2/sign/status answer. Prints one row per document and the overall verdict
(DSS vocabulary: TOTAL_PASSED, TOTAL_FAILED, INDETERMINATE). Exit 0 passed, 1 failed, 2 bad input.
"""

CSC_EXAMPLES = """examples:
  cryptokit verify csc-response --request signhash-request.json --response signhash-response.json \\
      --cert credential.pem --roots root.pem
  cryptokit verify csc-response --request req.json --response resp.json --cert leaf.cer \\
      --chain ca.cer --roots root.pem --crl ca.crl --json

--request is the signatures/signHash body that was sent (v1 or v2), --response its answer body.
Exit 0 passed, 1 failed, 2 bad input.
"""

BULK_EXAMPLES = """examples:
  cryptokit verify bulk manifest.csv --workers 2
  cryptokit verify bulk manifest.jsonl --roots root.pem --intermediates ca.pem --json

MANIFEST is CSV with a header row, or JSON lines (one object per line), with the fields
  cert   certificate (or public key) file of the signer
  sig    signature file (raw, base64 or hex)   or   sig_b64: the signature as base64 text
  hash   the signed digest (base64 or hex)     or   file: the signed document (hashed here)
  alg    hash algorithm (default --alg, sha256)
  id     optional label for the row
Paths are relative to the manifest's folder. With --roots, each distinct certificate's chain is
validated once and a row passes only if its chain does too; without --roots the verdict says that no
chain was checked. A row that cannot be used (missing file, bad value) is reported as unusable and
the run goes on. With --json: one JSON object per row, then a summary object (JSON lines).
Exit 0 every row verified, 1 any row failed, 2 no row failed but some were unusable (or the manifest itself).
"""


# --------------------------------------------------------------------------- verify signature


def _key_from_file(path: str) -> Any:
    from ..certificates import load_certificates
    from ..signatures.sign_verify import load_public_key

    data = read_input(path, "--cert", max_size=1024 * 1024)
    try:
        certs = load_certificates(data)
    except InputError as not_cert:
        try:
            return load_public_key(data)  # a bare public key (PEM/DER SubjectPublicKeyInfo)
        except InputError:
            raise InputError("--cert", f"{path}: {not_cert.rule}, nor a public key (PEM or DER)") from None
    if len(certs) != 1:
        raise InputError("--cert", f"{path} holds {len(certs)} certificates; give the signer's only")
    return certs[0]


def _eddsa(key: Any) -> str | None:
    """``ed25519`` / ``ed448`` for an EdDSA key (certificate, PublicKey or cryptography key), else None."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ed448, ed25519

    from .._dsa import public_key as cert_public_key

    public = cert_public_key(key) if isinstance(key, x509.Certificate) else getattr(key, "key", key)
    if isinstance(public, ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(public, ed448.Ed448PublicKey):
        return "ed448"
    return None


def run_signature(args: argparse.Namespace) -> int:
    from ..algorithms import hash_algorithm
    from ..hashing import hash_to_sign
    from ..signatures.sign_verify import identify_signature, verify_message

    key = _key_from_file(args.cert)
    sig = read_blob(args.sig, "--sig", args.sig_format)
    if (args.hash is None) == (args.file is None):
        raise InputError("--hash/--file", "give exactly one: the signed digest or the signed document")
    alg = hash_algorithm(args.alg)
    out: dict[str, Any] = {"certificate": args.cert, "algorithm": alg.name}
    try:
        if args.file is not None and _eddsa(key):
            # PureEdDSA signs the document itself, not a hash of it.
            verify_message(key, sig, read_input(args.file, "--file"))
            out.update(scheme=_eddsa(key), encoding=None, hash=None, signed="message")
        else:
            if args.file is not None:
                digest = hash_to_sign(Path(args.file), alg).digest
            else:
                digest = decode_blob(args.hash.encode("ascii", "replace"), "--hash", "auto")
            match = identify_signature(key, sig, digest, alg)
            if match.absent_null and not args.allow_absent_null:
                raise InvalidSignature(
                    "RSA PKCS#1 v1.5 DigestInfo without NULL parameters (pass --allow-absent-null to accept)"
                )
            out.update(
                scheme=match.scheme,
                encoding=match.encoding,
                hash=match.hash.name if match.hash is not None else None,
                pss_salt_length=match.pss_salt_length,
                absent_null=match.absent_null,
                signed="digest",
                digest_b64=b64encode(digest),
            )
    except InvalidSignature as exc:
        out.update(ok=False, reason=command_language(str(exc)))
        if args.json:
            emit_json(out)
        else:
            print(f"FAILED: signature does not verify: {out['reason']}")
        return 1
    out["ok"] = True
    if args.json:
        emit_json(out)
    else:
        how = out["scheme"] + (f"/{out['encoding']}" if out.get("encoding") else "")
        extra = f", PSS salt {out['pss_salt_length']}" if out.get("pss_salt_length") is not None else ""
        print(f"OK: signature verified ({how}, {out['hash'] or 'pure EdDSA'}{extra})")
    return 0


# --------------------------------------------------------------------------- adss / csc


def _json_body(path: str, field: str) -> bytes:
    import orjson

    data = read_input(path, field, max_size=64 * 1024 * 1024)
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError:
        raise InputError(field, f"{path} is not JSON") from None
    return data


def _document_rows(documents: Any) -> list[tuple[Any, ...]]:
    """(index, alias, indication, scheme, reason) per document; the indication as the enum."""
    rows = []
    for d in documents:
        failures = d.report.failures()
        reason = failures[0].message if failures else ""
        match = getattr(d, "match", None)
        label = match.scheme + (f"/{match.encoding}" if match.encoding else "") if match is not None else ""
        alias = getattr(d, "doc_alias", None) or ""
        rows.append((d.index, alias, d.report.indication, label, reason))
    return rows


def _returned_signature_options(args: argparse.Namespace) -> dict[str, Any]:
    """The signer's certificate, its chain, the trust anchors and the chain options: the same keywords
    for ADSS and CSC (``certificate=``, ``certificate_chain=``, ...)."""
    certs = read_certificates([args.cert], "--cert")
    chain = (
        read_certificates([*args.chain, *args.intermediates], "--chain") if (args.chain or args.intermediates) else []
    )
    return {
        "certificate": certs if len(certs) > 1 else certs[0],
        "certificate_chain": chain or None,
        "trust_anchors": read_certificates(args.roots, "--roots"),
        "at": parse_at(args.at),
        "policy": chain_policy(args),
        "crls": read_crls(args.crl),
        "ocsp_responses": read_ocsp(args.ocsp),
        "allow_absent_null": args.allow_absent_null,
    }


def run_adss(args: argparse.Namespace) -> int:
    from ..protocols import HttpRequest, adss

    request_body = _json_body(args.request, "--request")
    response_body = _json_body(args.response, "--response")
    result = adss.parse_sign_status(200, response_body)
    options = _returned_signature_options(args)
    request = HttpRequest("POST", adss.V2_PATH + "/sign/request", {}, {}, request_body)
    require = tuple(args.require_scheme) if args.require_scheme else None
    report = adss.validate_sign_response(request, result, require_scheme=require, **options)
    return _finish(args, report, "ADSS sign response")


def run_csc(args: argparse.Namespace) -> int:
    from ..protocols import csc

    request_body = _json_body(args.request, "--request")
    response_body = _json_body(args.response, "--response")
    result = csc.parse_sign_hash_response(200, response_body)
    options = _returned_signature_options(args)
    report = csc.validate_sign_hash_response(request_body, result, **options)
    return _finish(args, report, "CSC signHash response")


#: Up to this many documents, the per-document table is printed in full without -v.
SHOW_ALL_DOCUMENTS = 20


def _finish(args: argparse.Namespace, report: Any, what: str) -> int:
    ok = bool(report.ok)
    if args.json:
        doc = report.to_dict()
        doc["ok"] = ok
        emit_json(doc)
        return 0 if ok else 1
    from ..report import Indication

    rows = _document_rows(report.documents)
    failed = [r for r in rows if r[2] is not Indication.TOTAL_PASSED]
    if args.verbose or len(rows) <= SHOW_ALL_DOCUMENTS:
        table(f"{what}: {len(rows)} documents", ("#", "alias", "indication", "scheme", "reason"), rows)
    else:
        schemes = sorted({r[3] for r in rows if r[3]})
        print(
            f"{what}: {len(rows)} documents, {len(rows) - len(failed)} passed, {len(failed)} not passed"
            + (f" (schemes: {', '.join(schemes)})" if schemes else "")
            + "; -v lists every document"
        )
        if failed:
            table("documents not passed (first 50)", ("#", "alias", "indication", "scheme", "reason"), failed[:50])
    print_checks("failed checks", report.checks, failed_only=True)
    sub = report.sub_indication.value if report.sub_indication else None
    verdict_line(ok, report.indication.value, sub, what)
    return 0 if ok else 1


# --------------------------------------------------------------------------- verify bulk


def run_bulk(args: argparse.Namespace) -> int:
    """``verify bulk``: see :mod:`cryptokit.cli.verify_bulk` (loaded only by this command)."""
    from .verify_bulk import run_bulk as run

    return run(args)


# --------------------------------------------------------------------------- registration


def register(sub: Any) -> None:
    vsub = add_group(
        sub,
        "verify",
        "verify signatures offline (bare, ADSS, CSC, bulk)",
        "Offline verification. Exit 0 verified, 1 verification failed, 2 bad usage or input.",
    )

    what = "verify one bare signature and say which scheme/encoding matched"
    p = add_command(vsub, "signature", run_signature, help=what, examples=SIGNATURE_EXAMPLES)
    p.add_argument("--cert", required=True, metavar="FILE", help="signer certificate or public key")
    p.add_argument("--sig", required=True, metavar="FILE", help="signature file (raw, base64 or hex; - for stdin)")
    p.add_argument("--sig-format", choices=("auto", "raw", "base64", "hex"), default="auto")
    p.add_argument("--hash", metavar="DIGEST", help="the signed digest, base64 or hex")
    p.add_argument("--file", metavar="FILE", help="the signed document (hashed with --alg)")
    p.add_argument("--alg", default="sha256", help="hash algorithm name or OID (default sha256)")
    p.add_argument("--allow-absent-null", action="store_true", help="accept legacy DigestInfo without NULL")
    add_output_options(p, "print one JSON object")

    for name, fn, examples, helptext in (
        ("adss-response", run_adss, ADSS_EXAMPLES, "verify an ADSS /v2/sign answer against its request"),
        ("csc-response", run_csc, CSC_EXAMPLES, "verify a CSC signatures/signHash answer against its request"),
    ):
        p = add_command(vsub, name, fn, help=helptext, examples=examples)
        p.add_argument("--request", required=True, metavar="FILE", help="the request body that was sent (JSON)")
        p.add_argument("--response", required=True, metavar="FILE", help="the answer body (JSON)")
        p.add_argument("--cert", required=True, metavar="FILE", help="signer certificate (or a bundle)")
        p.add_argument("--chain", nargs="+", default=[], metavar="FILE", help="other certificates of the chain")
        add_chain_options(p)
        p.add_argument("--allow-absent-null", action="store_true", help="accept legacy DigestInfo without NULL")
        if name == "adss-response":
            p.add_argument(
                "--require-scheme",
                action="append",
                choices=("pkcs1v15", "pss", "ecdsa", "ed25519", "ed448"),
                metavar="SCHEME",
                help="fail a signature that verifies under another scheme (repeat to accept several): "
                "pkcs1v15, pss, ecdsa, ed25519, ed448",
            )
        add_output_options(p, "print the report as JSON", verbose="show every check")

    what = "verify a manifest of signatures on every core"
    p = add_command(vsub, "bulk", run_bulk, help=what, examples=BULK_EXAMPLES)
    p.add_argument("manifest", metavar="MANIFEST", help="CSV or JSON lines (see below)")
    p.add_argument("--alg", default="sha256", help="default hash algorithm for rows without alg")
    p.add_argument("--workers", type=int, default=None, help="processes (default: every core for big batches)")
    add_chain_options(p, roots_required=False)
    add_output_options(p, "print the summary and every row as JSON", verbose="list every row, not only failures")
