"""``cryptokit emca``: the emCA envelope, AuthKey and the vendor's string formats."""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys
from pathlib import Path
from typing import Any

import orjson

from ..encoding import b64encode
from ..errors import DecryptionFailed, InputError
from .common import add_command, add_group, add_output_options
from .io import add_secret_options, emit_json, read_input, read_secret, table
from .redact import redact

SEAL_EXAMPLES = """examples:
  cryptokit emca seal request.json --key-file aes.key > token.txt
  echo '{"a": 1}' | cryptokit emca seal - --key-env EMCA_AES_KEY --profile aes-256-cbc

The AES-256 key (64 hex digits or base64 of 32 bytes) comes from --key-env, --key-file or a prompt.
Profiles: aes-256-gcm (default), aes-256-cbc-hmac-sha256, aes-256-cbc, aes-256-ecb (the last two
have no integrity: legacy peers only).
"""

OPEN_EXAMPLES = """examples:
  cryptokit emca open token.txt --key-file aes.key
  cryptokit emca open token.txt --key-env EMCA_AES_KEY --json

A JSON plaintext is printed with its secrets shown as "***": the value of every field whose name
contains password, pin, otp, secret, token or key, at any depth, also inside base64, JSON text and
the content of base64 CMS SignedData (createPKCS12's signature holds the PFX password); -o FILE
writes the exact plaintext. Exit 0 opened, 1 the token does not open under this key (wrong key or
altered), 2 bad input.
"""

AUTH_EXAMPLES = """examples:
  cryptokit emca auth-key --client-id CLIENT42
  cryptokit emca auth-key --client-id CLIENT42 --ts 1767225600000 --txn 7f3a9c --json

AuthKey = lowercase hex of SHA-256(ClientID + ts + txn) (emCA 4.3). Without --ts, now in Unix
milliseconds; without --txn, 128 random bits.
"""

VALIDITY_EXAMPLES = """examples:
  cryptokit emca validity 365:12:45:45
  cryptokit emca validity 120:23:45:54 --json
"""

VALID_FROM_EXAMPLES = """examples:
  cryptokit emca valid-from "12:12:2019 00:00:00"
  cryptokit emca valid-from "12:12:2019 00:00:00" --tz Asia/Kolkata --json
"""

REQUEST_IDS_EXAMPLES = """examples:
  cryptokit emca request-ids "ID1|1001~ID2|1002"
  cryptokit emca request-ids "SIGNER|R-77" --json
"""


def _envelope(args: argparse.Namespace) -> Any:
    from ..envelope import Envelope

    key_text = read_secret(args, "key", prompt="AES-256 key (hex or base64): ")
    assert key_text is not None
    return Envelope.from_key_text(key_text, args.profile)


def run_seal(args: argparse.Namespace) -> int:
    envelope = _envelope(args)
    data = read_input(args.input, "INPUT", max_size=envelope.max_token_size)
    token = envelope.seal_bytes(data)
    text = b64encode(bytes(token))
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="ascii")
    if args.json:
        emit_json({"profile": envelope.profile, "plaintext_bytes": len(data), "token": text, "out": args.out})
    elif not args.out:
        print(text)
    return 0


#: Kept for callers of the old name; :mod:`cryptokit.cli.redact` decides (any field whose name holds one of
#: its words, at any depth, inside base64 and CMS too).
SECRET_FIELDS = frozenset({"password", "pfxpin", "pin", "otp", "cert_password"})


def run_open(args: argparse.Namespace) -> int:
    envelope = _envelope(args)
    token = read_input(args.token, "TOKEN", max_size=envelope.max_token_size).strip()
    try:
        plaintext = envelope.open(token.decode("ascii", "replace"))
    except DecryptionFailed as exc:
        if args.json:
            emit_json({"ok": False, "profile": envelope.profile, "reason": str(exc)})
        else:
            print(f"FAILED: the token does not open: {exc}", file=sys.stderr)
        return 1
    if args.out:
        Path(args.out).write_bytes(plaintext)  # the exact plaintext, secrets included, only to a file
    try:
        inner: Any = orjson.loads(plaintext)
    except orjson.JSONDecodeError:
        inner = None
    text: str | None = None
    if inner is None:
        try:
            text = plaintext.decode("utf-8")
        except UnicodeDecodeError:
            text = None
    if args.json:
        doc: dict[str, Any] = {"ok": True, "profile": envelope.profile, "plaintext_bytes": len(plaintext)}
        if not args.out:
            if inner is not None:
                doc["json"] = redact(inner)
            elif text is not None:
                doc["text"] = redact(text)
            else:
                doc["base64"] = redact(b64encode(plaintext))  # looked inside (CMS, text) like any base64
        emit_json(doc)
    elif not args.out:
        if inner is not None and isinstance(inner, (dict, list)):
            emit_json(redact(inner))
        else:
            shown = redact(text if text is not None else b64encode(plaintext))
            if isinstance(shown, str):
                print(shown)
            else:
                emit_json(shown)
    return 0


def run_auth_key(args: argparse.Namespace) -> int:
    from ..protocols.emca import auth_key, format_ts

    ts = args.ts if args.ts is not None else format_ts(dt.datetime.now(dt.UTC))
    txn = args.txn if args.txn is not None else secrets.token_hex(16)
    headers = {"ClientID": args.client_id, "ts": ts, "txn": txn, "AuthKey": auth_key(args.client_id, ts, txn)}
    if args.json:
        emit_json(headers)
    else:
        for name, value in headers.items():
            print(f"{name}: {value}")
    return 0


def run_validity(args: argparse.Namespace) -> int:
    from ..protocols.emca import Validity

    v = Validity.parse(args.text)
    doc = {"validity": str(v), "total_seconds": v.total_seconds, "timedelta": str(v.to_timedelta())}
    if args.json:
        emit_json(doc)
    else:
        print(f"{v}  = {v.to_timedelta()} ({v.total_seconds} s)")
    return 0


def _zone(name: str) -> dt.tzinfo:
    if name.upper() == "UTC":
        return dt.UTC
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ImportError, ValueError, OSError, KeyError):
        raise InputError("--tz", f"unknown time zone {name!r}") from None


def run_valid_from(args: argparse.Namespace) -> int:
    from ..protocols.emca import parse_valid_from

    when = parse_valid_from(args.text, _zone(args.tz))
    if args.json:
        emit_json({"valid_from": args.text, "tz": args.tz, "utc": when.isoformat()})
    else:
        print(when.isoformat())
    return 0


def run_request_ids(args: argparse.Namespace) -> int:
    from ..protocols.emca import parse_request_ids

    ids = parse_request_ids(args.text)
    if args.json:
        emit_json(ids)
    else:
        table(None, ("CSR id", "request id"), list(ids.items()))
    return 0


def register(sub: Any) -> None:
    esub = add_group(sub, "emca", "eMudhra emCA helpers: envelope, AuthKey, validity, request ids")

    for name, fn, examples, helptext, positional in (
        ("seal", run_seal, SEAL_EXAMPLES, "encrypt a requestData envelope", ("input", "INPUT")),
        ("open", run_open, OPEN_EXAMPLES, "decrypt a requestData envelope", ("token", "TOKEN")),
    ):
        p = add_command(esub, name, fn, help=helptext, examples=examples)
        p.add_argument(positional[0], metavar=positional[1], nargs="?", default="-", help="file (default stdin)")
        add_secret_options(p, "key", "AES-256 key")
        p.add_argument(
            "--profile",
            default="aes-256-gcm",
            choices=("aes-256-gcm", "aes-256-cbc-hmac-sha256", "aes-256-cbc", "aes-256-ecb"),
        )
        add_output_options(p, "print JSON", out="write the result here")

    p = add_command(esub, "auth-key", run_auth_key, help="compute AuthKey headers", examples=AUTH_EXAMPLES)
    p.add_argument("--client-id", required=True)
    p.add_argument("--ts", help="Unix time in milliseconds (default now)")
    p.add_argument("--txn", help="transaction id (default random)")
    add_output_options(p, "print JSON")

    for name, fn, examples, helptext in (
        ("validity", run_validity, VALIDITY_EXAMPLES, "check a Days:Hours:Minutes:Seconds validity"),
        ("valid-from", run_valid_from, VALID_FROM_EXAMPLES, "read a dd:MM:yyyy HH:mm:ss validFrom"),
        ("request-ids", run_request_ids, REQUEST_IDS_EXAMPLES, "split ID1|req1~ID2|req2"),
    ):
        p = add_command(esub, name, fn, help=helptext, examples=examples)
        p.add_argument("text", metavar="TEXT")
        if name == "valid-from":
            p.add_argument("--tz", default="UTC", help="the service's time zone (IANA name, default UTC)")
        add_output_options(p, "print JSON")
