"""``cryptokit chain validate``, ``cms sign|verify``, ``csr new|verify``, ``pfx inspect``, ``certs inspect``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ..encoding import b64encode, pem_encode
from ..errors import InputError, InvalidSignature, PolicyViolation, VerificationFailed
from .common import (
    add_chain_options,
    add_command,
    add_group,
    add_output_options,
    chain_arguments,
    cms_chain_arguments,
    print_checks,
    read_certificates,
    verdict_line,
)
from .io import add_secret_options, command_language, emit_json, read_input, read_secret_bytes, table

CHAIN_EXAMPLES = """examples:
  cryptokit chain validate signer.pem --intermediates ca.pem --roots root.pem
  cryptokit chain validate signer.cer --intermediates bundle.p7b --roots root.pem \\
      --crl ca.crl --require-revocation --at 2026-01-31T12:00:00Z --json
  cryptokit chain validate signer.pem --intermediates ca.pem --roots root.pem \\
      --require-policy 0.4.0.194112.1.2 0.4.0.194112.1.0

Builds the path from unordered intermediates, checks RFC 5280 section 6 (certificate policies
too: --require-policy needs the path valid for one of the OIDs) and the policy (document-signing
by default), CRLs when given; --json lists authority_constrained_policies and
user_constrained_policies. Exit 0 TOTAL_PASSED, 1 otherwise, 2 bad input.
"""

CMS_SIGN_EXAMPLES = """examples:
  cryptokit cms sign --pfx client.pfx --password-env PFX_PASSWORD csr.der -o csr.p7s
  cryptokit cms sign --pfx client.pfx --password-file pw.txt --detached invoice.pdf --json

Without -o the CMS is printed as base64. The PFX password comes from --password-env,
--password-file or a prompt, never from the command line.
"""

CMS_VERIFY_EXAMPLES = """examples:
  cryptokit cms verify request.p7s --signer client.cer
  cryptokit cms verify invoice.p7s --detached invoice.pdf --roots root.pem --json
  cryptokit cms verify mail.eml --roots root.pem --intermediates ca.pem --crl ca.crl --at 2026-01-31T12:00:00Z
  cryptokit cms verify invoice.p7s --roots root.pem --ocsp signer.ocsp ca.ocsp --require-revocation
  cryptokit cms verify requests/*.p7s --signer client.cer

CMS may be DER, BER, base64 or PEM, or an S/MIME message as 'openssl cms -sign' and 'openssl smime
-sign' write it (multipart/signed: the first part is the signed content; application/pkcs7-mime:
the content is inside). A detached CMS needs --detached FILE; --content FILE checks that an attached
CMS carries exactly that file. The verdict says which mode was used.
--signer accepts only these signer certificates (the "registered PFX" check); --roots validates the
signer's chain, with --intermediates for CA certificates the CMS does not embed and --crl or --ocsp
(OCSP responses, DER) for revocation. At least one of --signer and --roots is required.
Several CMS files are verified in one process (the options read once): a line per file (OK, FAILED
or UNUSABLE, with the file name), then a count; --json writes one document with a "results" entry
per file; --detached, --content and --out-content take one CMS. Exit 0 verified (every file), 1
failed (a file failed), 2 unusable input (not CMS, truncated, unreadable; a file was), 3 internal error.
"""

CSR_NEW_EXAMPLES = """examples:
  cryptokit csr new --subject "CN=Asha Rao,O=Example,C=IN" --new-key rsa2048 --key-out asha.key -o asha.csr
  cryptokit csr new --subject "CN=Seal~O=Example" --key seal.key --key-password-env KEY_PW --san email:a@example.com

--new-key writes a PKCS#8 key (mode 0600), encrypted when a key password is given via
--key-password-env/--key-password-file. The CSR is PEM on stdout unless -o.
"""

CSR_VERIFY_EXAMPLES = """examples:
  cryptokit csr verify asha.csr
  cryptokit csr verify request.b64 --json

Checks the self-signature and prints subject, key and extensions. Exit 0 valid, 1 bad signature or
refused algorithm, 2 malformed.
"""

PFX_EXAMPLES = """examples:
  cryptokit pfx inspect client.pfx --password-env PFX_PASSWORD
  cryptokit pfx inspect legacy.p12 --password-file pw.txt --json

Prints the key type, the certificate and chain, whether the file's integrity was checked (its MAC),
and the MAC and encryption algorithms with their iteration counts (scrypt: N, r, p); never the key
or the password. A file without a MAC is refused unless --allow-no-mac (then shown as NOT CHECKED).
"""

CERTS_EXAMPLES = """examples:
  cryptokit certs inspect chain.pem
  cryptokit certs inspect signer.b64 bundle.p7b --json

Reads PEM, DER, base64 and PKCS#7 bundles (DER or BER) and describes each certificate. A certificate
with a zero or negative serial (RFC 5280 4.1.2.2) is shown with that problem listed ("problems" in
--json) rather than refused; chain validate refuses it.
"""


# --------------------------------------------------------------------------- chain


def run_chain(args: argparse.Namespace) -> int:
    from ..chain import validate_chain

    leaf = read_certificates([args.leaf], "LEAF")[0]
    report = validate_chain(leaf, **chain_arguments(args))
    if args.json:
        emit_json(report.to_dict())
    else:
        table("path", ("#", "subject"), [(i, c.subject.rfc4514_string()) for i, c in enumerate(report.path)])
        print_checks("checks", report.checks, failed_only=not args.verbose)
        if report.user_constrained_policies:
            print("certificate policies: " + ", ".join(sorted(report.user_constrained_policies)))
        sub = report.sub_indication.value if report.sub_indication else None
        verdict_line(report.ok, report.indication.value, sub, "certificate chain")
    return 0 if report.ok else 1


# --------------------------------------------------------------------------- cms


def _load_bundle(args: argparse.Namespace, *, require_key: bool = True) -> Any:
    """The PFX of ``args.pfx``; the password from --password-env/--password-file, else a prompt when
    the file does not open without one."""
    from ..pkcs12 import load_pfx

    data = read_input(args.pfx, "PFX", max_size=4 * 1024 * 1024)
    allow_no_mac = bool(getattr(args, "allow_no_mac", False))
    password = read_secret_bytes(args, "password", prompt="PFX password: ", required=False)
    if password is None:
        try:
            return load_pfx(data, None, require_key=require_key, allow_no_mac=allow_no_mac)
        except InputError as exc:
            if exc.field != "password":
                raise
            if not sys.stdin.isatty():
                raise InputError(
                    "--password-env/--password-file", "the PFX needs a password and there is no terminal to prompt on"
                ) from None
        password = read_secret_bytes(args, "password", prompt="PFX password: ")
    return load_pfx(data, password, require_key=require_key, allow_no_mac=allow_no_mac)


def run_cms_sign(args: argparse.Namespace) -> int:
    from ..cms import cms_sign

    bundle = _load_bundle(args)
    content = read_input(args.input, "INPUT")
    der = cms_sign(content, bundle, detached=args.detached, digest=args.digest, include_chain=args.include_chain)
    if args.out:
        Path(args.out).write_bytes(der)
    doc = {
        "signer": bundle.certificate.subject.rfc4514_string(),
        "digest": args.digest,
        "detached": args.detached,
        "bytes": len(der),
        "out": args.out,
    }
    if args.json:
        if not args.out:
            doc["cms_base64"] = b64encode(der)
        emit_json(doc)
    elif args.out:
        print(f"CMS SignedData ({len(der)} bytes, {'detached' if args.detached else 'attached'}) -> {args.out}")
    else:
        print(b64encode(der))
    return 0


_DETACHED = "is detached (it does not carry the signed content): give --detached FILE"


def _cms_input(args: argparse.Namespace, path: str) -> tuple[bytes, bytes | None, str]:
    """The CMS bytes, the content to check it against and a sentence saying which mode is used."""
    from ..cms.smime import is_smime, unwrap_smime

    data = read_input(path, "CMS")
    if args.detached and args.content:
        raise InputError("--detached/--content", "give one: --detached FILE (the signed content of a detached CMS) "
                         "or --content FILE (must equal the content the CMS carries)")  # fmt: skip
    given = args.detached or args.content
    content = read_input(given, "--detached" if args.detached else "--content") if given else None
    if is_smime(data):
        parts = unwrap_smime(data)
        if parts.content is not None:
            if given:
                raise InputError("--detached/--content", "an S/MIME multipart/signed message carries its content")
            return parts.cms, parts.content, "detached content: the first part of the S/MIME multipart/signed message"
        data = parts.cms
        wrapper = "S/MIME application/pkcs7-mime, "
    else:
        wrapper = ""
    if not given:  # attached or not is read by cms_verify itself (see _verify_cms): no second parse
        return data, None, f"{wrapper}attached content"
    from ..cms import parse_signed_data

    attached = parse_signed_data(data).content is not None
    if args.detached:
        if attached:
            raise InputError("--detached", "the CMS carries its content (attached): drop --detached, or use --content "
                             "to check that it equals a file")  # fmt: skip
        return data, content, f"detached content from {args.detached}"
    if not attached:
        return data, content, f"detached content from {args.content}"
    return data, content, f"{wrapper}attached content, equal to {args.content}"


def _verify_cms(cms: bytes, content: bytes | None, trusted: list[Any], chain: dict[str, Any]) -> Any:
    """The CmsResult, or the VerificationFailed of a CMS that does not verify. An unusable input
    (not a SignedData at all: garbage, truncated) raises its InputError (exit 2)."""
    from ..cms import cms_verify

    try:
        return cms_verify(cms, content=content, trusted_signers=trusted, **chain)
    except VerificationFailed as exc:
        if isinstance(exc, InputError):
            raise
        if content is None and exc.report is not None and _content_missing(exc.report):
            raise InputError("CMS", _DETACHED) from None
        return exc


def _content_missing(report: Any) -> bool:
    """True when the report failed because a detached CMS came without its content."""
    from ..report import SubIndication

    return any(c.name == "content" and c.sub_indication is SubIndication.SIGNED_DATA_NOT_FOUND for c in report.checks)


def _cms_failure_doc(exc: VerificationFailed, mode: str) -> dict[str, Any]:
    doc: dict[str, Any] = exc.report.to_dict() if getattr(exc, "report", None) is not None else {"ok": False}
    doc.update(ok=False, reason=command_language(str(exc)), mode=mode)
    return doc


def _cms_result_doc(result: Any, mode: str, chain_checked: bool) -> dict[str, Any]:
    doc: dict[str, Any] = result.report.to_dict()
    doc.update(
        signer=result.signer.subject.rfc4514_string(),
        signers=len(result.signers),
        digest_algorithm=result.digest_algorithm.name,
        encoding=result.encoding,
        detached=result.detached,
        mode=mode,
        content_bytes=len(result.content),
        chain_checked=chain_checked,
    )
    return doc


def _cms_ok_line(result: Any, mode: str, chain_checked: bool) -> str:
    trust = "chain validated" if chain_checked else "registered signer only, no chain checked"
    return (
        f"CMS verified ({result.encoding.upper()}, {result.digest_algorithm.name}, {mode}, "
        f"{len(result.content)} bytes; {trust}), signer {result.signer.subject.rfc4514_string()}"
    )


def run_cms_verify(args: argparse.Namespace) -> int:
    if not args.signer and not args.roots:
        raise InputError("--signer/--roots", "give the registered signer certificates, trust anchors, or both")
    if (args.intermediates or args.crl or args.ocsp) and not args.roots:
        raise InputError("--intermediates/--crl/--ocsp", "serve the chain check: give --roots too")
    if len(args.cms) > 1 and (args.detached or args.content or args.out_content):
        raise InputError("--detached/--content/--out-content", "name one content file: give them with one CMS")
    if len(args.cms) > 1:
        return _verify_cms_files(args)
    cms, content, mode = _cms_input(args, args.cms[0])
    trusted = read_certificates(args.signer, "--signer") if args.signer else []
    outcome = _verify_cms(cms, content, trusted, cms_chain_arguments(args))
    if isinstance(outcome, VerificationFailed):
        if args.json:
            emit_json(_cms_failure_doc(outcome, mode))
        else:
            if getattr(outcome, "report", None) is not None:
                print_checks("failed checks", outcome.report.checks, failed_only=True)
            print(f"FAILED: CMS signature ({mode}): {command_language(str(outcome))}")
        return 1
    if args.out_content:
        Path(args.out_content).write_bytes(outcome.content)
    if args.json:
        emit_json(_cms_result_doc(outcome, mode, bool(args.roots)))
    else:
        if args.verbose:
            print_checks("checks", outcome.report.checks)
        print(f"OK: {_cms_ok_line(outcome, mode, bool(args.roots))}")
    return 0


def _verify_cms_files(args: argparse.Namespace) -> int:
    """Several CMS files in one process: a line (or a JSON entry) per file, in the given order, then
    a count. A file that is unusable or does not verify does not stop the others. Exit 0 when every
    file verified, 1 when one failed and none was unusable, 2 when one was unusable. The options
    are read once: the same certificate objects let cms_verify reuse what it derived from them."""
    from ..errors import CryptokitError

    trusted = read_certificates(args.signer, "--signer") if args.signer else []
    chain = cms_chain_arguments(args)
    counts = {"verified": 0, "failed": 0, "unusable": 0}
    entries: list[dict[str, Any]] = []
    for path in args.cms:
        try:
            cms, content, mode = _cms_input(args, path)
            outcome = _verify_cms(cms, content, trusted, chain)
        except CryptokitError as exc:  # InputError, CmsFormatError, UnsupportedAlgorithm...: not checkable
            counts["unusable"] += 1
            reason = command_language(str(exc))
            if args.json:
                entries.append({"file": path, "ok": False, "unusable": True, "reason": reason})
            else:
                print(f"UNUSABLE: {path}: {reason}")
            continue
        if isinstance(outcome, VerificationFailed):
            counts["failed"] += 1
            if args.json:
                entries.append({"file": path, **_cms_failure_doc(outcome, mode)})
            else:
                if args.verbose and getattr(outcome, "report", None) is not None:
                    print_checks(f"{path}: failed checks", outcome.report.checks, failed_only=True)
                print(f"FAILED: {path}: CMS signature ({mode}): {command_language(str(outcome))}")
            continue
        counts["verified"] += 1
        if args.json:
            entries.append({"file": path, **_cms_result_doc(outcome, mode, bool(args.roots))})
        else:
            if args.verbose:
                print_checks(f"{path}: checks", outcome.report.checks)
            print(f"OK: {path}: {_cms_ok_line(outcome, mode, bool(args.roots))}")
    total = len(args.cms)
    if args.json:
        emit_json({"ok": counts["verified"] == total, "files": total, **counts, "results": entries})
    else:
        print(f"{total} files: {counts['verified']} verified, {counts['failed']} failed, {counts['unusable']} unusable")
    return 2 if counts["unusable"] else 1 if counts["failed"] else 0


# --------------------------------------------------------------------------- csr


def _new_key(kind: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if kind in ("rsa2048", "rsa3072", "rsa4096"):
        return rsa.generate_private_key(65537, int(kind[3:]))
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "p384":
        return ec.generate_private_key(ec.SECP384R1())
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    raise InputError("--new-key", "must be rsa2048, rsa3072, rsa4096, p256, p384 or ed25519")


def _load_key(path: str, password: bytes | None) -> Any:
    from cryptography.hazmat.primitives import serialization

    data = read_input(path, "--key", max_size=1024 * 1024)
    pw = password or None
    loader = serialization.load_pem_private_key if b"-----BEGIN" in data else serialization.load_der_private_key
    try:
        return loader(data, pw)
    except TypeError:
        raise InputError("--key", "is encrypted: give --key-password-env or --key-password-file") from None
    except ValueError:
        raise InputError("--key", "cannot be read (not a private key, or a wrong password)") from None


def run_csr_new(args: argparse.Namespace) -> int:
    from cryptography.hazmat.primitives import serialization

    from ..csr import build_csr, verify_csr

    if (args.key is None) == (args.new_key is None):
        raise InputError("--key/--new-key", "give exactly one")
    password = read_secret_bytes(args, "key-password", prompt="key password: ", required=False)
    if args.new_key:
        if not args.key_out:
            raise InputError("--key-out", "is required with --new-key (where to keep the new private key)")
        key = _new_key(args.new_key)
        enc: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
        )
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)
        fd = os.open(args.key_out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
    else:
        key = _load_key(args.key, password)
    der = build_csr(
        key,
        args.subject,
        san=args.san or (),
        signature_hash=None if args.new_key == "ed25519" else args.hash,
    )
    pem_csr = pem_encode(der, "CERTIFICATE REQUEST").encode("ascii")
    if args.out:
        Path(args.out).write_bytes(pem_csr)
    info = verify_csr(der)
    if args.json:
        doc = info.to_dict()
        doc.update(out=args.out, key_out=args.key_out)
        if not args.out:
            doc["csr_pem"] = pem_csr.decode("ascii")
        emit_json(doc)
    elif args.out:
        print(f"CSR for {info.subject_text} ({info.key_type}) -> {args.out}")
    else:
        sys.stdout.write(pem_csr.decode("ascii"))
    return 0


def run_csr_verify(args: argparse.Namespace) -> int:
    from ..csr import verify_csr

    data = read_input(args.csr, "CSR", max_size=256 * 1024)
    try:
        info = verify_csr(data, allow_sha1=args.allow_sha1)
    except (InvalidSignature, PolicyViolation) as exc:
        if args.json:
            emit_json({"ok": False, "reason": command_language(str(exc))})
        else:
            print(f"FAILED: CSR: {command_language(str(exc))}")
        return 1
    doc = {"ok": True, **info.to_dict()}
    if args.json:
        emit_json(doc)
    else:
        key = info.key_type + (f" {info.key_size}" if info.key_size else "") + (f" {info.curve}" if info.curve else "")
        rows = [
            ("subject", info.subject_text),
            ("key", key),
            ("signature", f"{info.signature_algorithm} ({info.signature_hash or 'none'})"),
            ("SAN", ", ".join(doc["san"]) or "-"),
            ("extensions", ", ".join(e["oid"] + ("!" if e["critical"] else "") for e in doc["extensions"]) or "-"),
            ("challenge password", "present" if info.challenge_password_present else "-"),
        ]
        table("CSR", ("field", "value"), rows)
        print("OK: CSR self-signature verified")
    return 0


# --------------------------------------------------------------------------- pfx / certs


def run_pfx_inspect(args: argparse.Namespace) -> int:
    from ..certificates import certificate_summary, public_key_description

    bundle = _load_bundle(args, require_key=False)
    doc: dict[str, Any] = {
        "friendly_name": bundle.friendly_name,
        "private_key": public_key_description(bundle.private_key.public_key()) if bundle.private_key else None,
        "certificate": certificate_summary(bundle.certificate) if bundle.certificate is not None else None,
        "chain": [certificate_summary(c) for c in bundle.chain],
        "protection": bundle.pfx.to_dict() if bundle.pfx is not None else None,
    }
    if args.json:
        emit_json(doc)
        return 0
    key = doc["private_key"]
    print(f"private key: {_key_text(key) if key else 'none'}")
    print(f"friendly name: {bundle.friendly_name or '-'}")
    if bundle.pfx is not None:
        mac = bundle.pfx.mac
        if mac is None:
            print("integrity: NOT CHECKED - the file has no MAC: anyone could have replaced its key or certificates")
        else:
            print(f"integrity: MAC verified ({mac.scheme}, {_kdf_text(mac)})")
        for kdf in bundle.pfx.kdfs:
            print(f"encryption: {kdf.where}: {kdf.scheme}, {_kdf_text(kdf)}")
        if not bundle.pfx.kdfs:
            print("encryption: none (the key and certificates are stored in the clear)")
    _certs_table("certificates", [c for c in [doc["certificate"], *doc["chain"]] if c is not None])
    return 0


def _kdf_text(kdf: Any) -> str:
    if kdf.kdf == "scrypt":
        return f"scrypt N={kdf.n} r={kdf.r} p={kdf.p}"
    return f"{kdf.kdf} {kdf.iterations} iterations"


def _key_text(key: dict[str, Any]) -> str:
    return " ".join(str(v) for v in (key.get("type"), key.get("size"), key.get("curve")) if v)


def _certs_table(title: str, summaries: list[dict[str, Any]]) -> None:
    rows = [
        (
            s["subject"],
            s["issuer"],
            _key_text(s["key"]),
            f"{s['not_before'][:10]} .. {s['not_after'][:10]}",
            "CA" if s["is_ca"] else "end-entity",
        )
        for s in summaries
    ]
    table(title, ("subject", "issuer", "key", "valid (UTC dates)", "kind"), rows)


#: what ``certs inspect`` says of a certificate whose ``serial_positive`` is False
SERIAL_PROBLEM = (
    "serialNumber is zero or negative: RFC 5280 4.1.2.2 requires a positive integer "
    "(shown for inspection; chain validation refuses this certificate)"
)


def run_certs_inspect(args: argparse.Namespace) -> int:
    """Describe every certificate, those with a zero or negative serial too (loaded for inspection
    only): each JSON entry carries ``problems`` (RFC 5280 violations found while describing), the
    table lists them under it. Exit 0: describing is not validating (``chain validate`` judges)."""
    from ..certificates import certificate_summary

    certs = read_certificates(args.files, "FILE", allow_non_positive_serial=True)
    summaries = [certificate_summary(c) for c in certs]
    for s in summaries:
        s["problems"] = [] if s["serial_positive"] else [SERIAL_PROBLEM]
    if args.json:
        emit_json(summaries)
    else:
        _certs_table(f"{len(summaries)} certificates", summaries)
        for s in summaries:
            for problem in s["problems"]:
                print(f"problem: {s['subject']} (serial {s['serial']}): {problem}")
    return 0


# --------------------------------------------------------------------------- registration


def register(sub: Any) -> None:
    csub = add_group(sub, "chain", "validate certificate chains")
    p = add_command(csub, "validate", run_chain, help="validate LEAF to a trust anchor", examples=CHAIN_EXAMPLES)
    p.add_argument("leaf", metavar="LEAF", help="the end-entity certificate file")
    add_chain_options(p)
    add_output_options(p, "print the report as JSON", verbose="show every check, not only failures")

    msub = add_group(sub, "cms", "sign and verify CMS SignedData (PKCS#7)")
    p = add_command(msub, "sign", run_cms_sign, help="sign a file with a PFX", examples=CMS_SIGN_EXAMPLES)
    p.add_argument("input", metavar="INPUT", help="the content to sign (- for stdin)")
    p.add_argument("--pfx", required=True, metavar="FILE", help="signer PFX/PKCS#12")
    add_secret_options(p, "password", "PFX password")
    p.add_argument("--detached", action="store_true", help="leave the content out of the CMS")
    p.add_argument("--digest", default="sha256", help="digest algorithm (default sha256)")
    p.add_argument("--include-chain", action="store_true", help="embed the PFX's chain certificates")
    add_output_options(p, "print a JSON summary", out="write DER here (default: base64 on stdout)")
    p = add_command(msub, "verify", run_cms_verify, help="verify a CMS SignedData", examples=CMS_VERIFY_EXAMPLES)
    p.add_argument(
        "cms",
        nargs="+",
        metavar="CMS",
        help="DER, BER, base64 or PEM CMS, or an S/MIME signed message; several files are verified in one "
        "process, a line each (put them before --signer/--roots, which take several files too)",
    )
    p.add_argument("--detached", metavar="FILE", help="the signed content of a detached CMS")
    p.add_argument("--content", metavar="FILE", help="a file the content the CMS carries must equal")
    p.add_argument("--signer", nargs="+", default=[], metavar="FILE", help="accepted signer certificates")
    add_chain_options(p, roots_required=False)
    p.add_argument("--out-content", metavar="FILE", help="write the signed content here")
    add_output_options(p, "print the report as JSON", verbose="show every check")

    rsub = add_group(sub, "csr", "make and check PKCS#10 certificate requests")
    p = add_command(rsub, "new", run_csr_new, help="make a CSR", examples=CSR_NEW_EXAMPLES)
    p.add_argument("--subject", required=True, help="RFC 4514 (CN=..,O=..) or emCA (CN=..~O=..) subject")
    p.add_argument("--key", metavar="FILE", help="existing private key (PEM or DER)")
    p.add_argument("--new-key", choices=("rsa2048", "rsa3072", "rsa4096", "p256", "p384", "ed25519"))
    p.add_argument("--key-out", metavar="FILE", help="where to write the new private key (created, mode 0600)")
    add_secret_options(p, "key-password", "private key password")
    p.add_argument("--san", nargs="+", metavar="KIND:VALUE", help="subject alternative names, e.g. email:a@b.c")
    p.add_argument("--hash", default="sha256", help="signature hash (default sha256)")
    add_output_options(p, "print a JSON description", out="write the PEM CSR here (default stdout)")
    p = add_command(rsub, "verify", run_csr_verify, help="check a CSR", examples=CSR_VERIFY_EXAMPLES)
    p.add_argument("csr", metavar="CSR", help="PEM, DER or base64 CSR")
    p.add_argument("--allow-sha1", action="store_true", help="accept a SHA-1 self-signature")
    add_output_options(p, "print a JSON description")

    psub = add_group(sub, "pfx", "inspect PFX/PKCS#12 files")
    p = add_command(psub, "inspect", run_pfx_inspect, help="describe a PFX", examples=PFX_EXAMPLES)
    p.add_argument("pfx", metavar="PFX")
    add_secret_options(p, "password", "PFX password")
    p.add_argument(
        "--allow-no-mac",
        action="store_true",
        help="load a PFX without a MAC (its integrity cannot be checked; shown as NOT CHECKED)",
    )
    add_output_options(p, "print JSON")

    ssub = add_group(sub, "certs", "inspect certificates")
    p = add_command(ssub, "inspect", run_certs_inspect, help="describe certificates", examples=CERTS_EXAMPLES)
    p.add_argument("files", nargs="+", metavar="FILE")
    add_output_options(p, "print JSON")
