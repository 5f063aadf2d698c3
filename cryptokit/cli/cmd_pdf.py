"""``cryptokit pdf verify``: every signature of a signed PDF, offline."""

from __future__ import annotations

import argparse
from typing import Any

from .common import add_chain_options, add_command, add_group, add_output_options, cms_chain_arguments, print_checks
from .io import emit_json, read_input

PDF_VERIFY_EXAMPLES = """\
examples:
  cryptokit pdf verify contract.pdf --roots root.pem
  cryptokit pdf verify contract.pdf --roots root.pem --intermediates ca.pem --crl ca.crl --json
  cryptokit pdf verify contract.pdf --roots root.pem --ocsp signer.ocsp ca.ocsp --require-revocation

Every signature field is checked: /ByteRange starts at 0, its hole is exactly the /Contents hex
string, the CMS (zero padding cut at its own length) verifies over the signed ranges and chains to
--roots. Exit 0 when every signature verified and one covers the whole file; 1 when any failed or the
last revision is unsigned (an incremental update after the last signature); 2 when FILE is not a
readable PDF. Needs the pdf extra (pyHanko finds the signature dictionaries).
"""


def run_pdf_verify(args: argparse.Namespace) -> int:
    from ..integrations.pdf_verify import MAX_PDF, verify_pdf

    data = read_input(args.pdf, "FILE", max_size=MAX_PDF)
    result = verify_pdf(data, **cms_chain_arguments(args))
    code = 0 if result.ok else 1
    if args.json:
        doc = result.to_dict()
        doc["exit_code"] = code
        emit_json(doc)
        return code
    if not result.signatures:
        print(f"FAILED: {args.pdf}: the PDF carries no signature")
        return code
    for sig in result.signatures:
        mark = "OK" if sig.ok else "FAILED"
        sub = f" / {sig.sub_indication.value}" if sig.sub_indication else ""
        cover = "covers the whole file" if sig.covers_whole_file else "does NOT cover the whole file"
        print(f"{mark}: field {sig.field}: {sig.signer or 'signer unknown'}: {sig.indication.value}{sub}; {cover}")
        if args.verbose:
            print_checks(f"checks of {sig.field}", sig.report.checks)
        elif not sig.ok:
            print_checks(f"failed checks of {sig.field}", sig.report.checks, failed_only=True)
    verified = sum(s.ok for s in result.signatures)
    tail = "" if result.whole_file_signed else "; no verified signature covers the whole file"
    print(f"{'OK' if result.ok else 'FAILED'}: {verified}/{len(result.signatures)} signatures verified{tail}")
    return code


def register(sub: Any) -> None:
    psub = add_group(sub, "pdf", "verify the signatures of a signed PDF")
    p = add_command(
        psub,
        "verify",
        run_pdf_verify,
        help="check every signature field: byte range, CMS, chain",
        examples=PDF_VERIFY_EXAMPLES,
    )
    p.add_argument("pdf", metavar="FILE", help="the signed PDF")
    add_chain_options(p)
    add_output_options(p, "print one JSON object", verbose="show every check")
