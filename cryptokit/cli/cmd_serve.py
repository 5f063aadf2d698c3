"""``cryptokit serve --demo``: the ADSS, CSC, emCA, OneSpan and Signer.Digital server halves over
HTTP(S) on 127.0.0.1."""

from __future__ import annotations

import argparse
import sys

import orjson

from .common import add_command, add_output_options

EXAMPLES = """examples:
  cryptokit serve --demo                      # http://127.0.0.1:8780, until Ctrl-C
  cryptokit serve --demo --port 0 --json      # a free port; one JSON line says which
  cryptokit serve --demo --tls --max-seconds 600

Runs cryptokit.server's ASGI application with uvicorn (extra 'server') on 127.0.0.1 only, with a
throwaway PKI made at start: a CSC credential (SCAL 2, SADs from credentials/authorize), an ADSS
signer (client_credentials tokens; sign requests answer PENDING once, then SUCCESS), an emCA
service (envelope, emKey, source IP 127.0.0.1) issuing from a test CA, a OneSpan DIGIPASS Gateway
(/rest/v2/signature/push/: five pending transactions for one user, Basic API key) and a
Signer.Digital key-authorization service (/signer/KeyAuthV1/GenKeyAuthOTP and SetKeyAuthOTP; the
OTP is "sent" to signer_digital_otp.txt in the folder; a Sign call at /signer/SignV1/Sign that the
OTP gates and that signs nothing). The credentials to use are
written to credentials.json (mode 0600) in the demo folder, whose path is printed with the URL, the
trust anchor (root.pem) and the identifiers; secrets themselves are never printed. With --tls the
service speaks HTTPS and requires a client certificate (tls/client_cert.pem and client_key.pem in
the folder, issued by tls/ca.pem). The folder is deleted on exit unless --folder is given.
"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = add_command(
        sub, "serve", run, examples=EXAMPLES,
        help="serve the ADSS, CSC, emCA, OneSpan and Signer.Digital halves on 127.0.0.1 (--demo: throwaway PKI)",
        description="Serve the ADSS, CSC, emCA, OneSpan and Signer.Digital server halves over HTTP(S) on 127.0.0.1.",
    )  # fmt: skip
    p.add_argument("--demo", action="store_true", required=True, help="mount throwaway signers and a test CA")
    p.add_argument("--port", type=int, default=8780, help="TCP port on 127.0.0.1 (0: a free one; default 8780)")
    p.add_argument("--tls", action="store_true", help="HTTPS with a required client certificate (mutual TLS)")
    p.add_argument("--folder", help="where to write credentials.json, root.pem, client.pfx, tls/ (kept)")
    p.add_argument("--max-seconds", type=float, default=None, help="stop after this many seconds")
    add_output_options(p, "print one JSON line (url, folder, identifiers)")


def run(args: argparse.Namespace) -> int:
    from ..errors import InputError
    from ..server import run_demo_server

    if not 0 <= args.port <= 65535:
        raise InputError("--port", "must be 0..65535")
    if args.max_seconds is not None and not 0 < args.max_seconds <= 7 * 86400:
        raise InputError("--max-seconds", "must be 0..604800 (not 0)")

    def announce(summary: dict[str, object]) -> None:
        if args.json:
            print(orjson.dumps(summary).decode())
        else:
            print(f"cryptokit serve: {summary['url']} (Ctrl-C stops)")
            for key in ("folder", "credentials", "root", "csc", "adss", "emca", "onespan", "signer_digital", "tls"):
                if summary.get(key) is not None:
                    print(f"  {key}: {summary[key]}")
        sys.stdout.flush()

    run_demo_server(port=args.port, tls=args.tls, folder=args.folder, max_seconds=args.max_seconds, announce=announce)
    return 0
