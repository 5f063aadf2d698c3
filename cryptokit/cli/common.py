"""Helpers shared by the subcommands: times, certificates and CRLs from files, signature blobs,
chain policies, report tables and the progress bar."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from .io import command_language, read_input, table

if TYPE_CHECKING:
    from cryptography import x509

__all__ = [
    "EXAMPLES_FORMATTER",
    "parse_at",
    "read_certificates",
    "read_crls",
    "read_ocsp",
    "read_blob",
    "chain_policy",
    "chain_arguments",
    "cms_chain_arguments",
    "add_chain_options",
    "add_group",
    "add_command",
    "add_output_options",
    "print_checks",
    "progress_bar",
    "verdict_line",
]

EXAMPLES_FORMATTER = argparse.RawDescriptionHelpFormatter
_HEXISH = re.compile(rb"\A[0-9A-Fa-f\s]+\Z")
_B64ISH = re.compile(rb"\A[A-Za-z0-9+/=_\-\s]+\Z")


def parse_at(text: str | None, field: str = "--at") -> dt.datetime | None:
    """An ISO 8601 time with an offset (``2026-01-31T12:00:00Z``) as aware UTC; None for None."""
    if text is None:
        return None
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        when = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InputError(field, "must be an ISO 8601 time such as 2026-01-31T12:00:00Z") from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise InputError(field, "must carry a time zone (Z or +hh:mm); naive times are ambiguous")
    return when.astimezone(dt.UTC)


def read_certificates(
    paths: Sequence[str], field: str, *, allow_non_positive_serial: bool = False
) -> list[x509.Certificate]:
    """Every certificate in the files (PEM, DER, base64, PKCS#7 bundles); a zero or negative serial
    is refused (RFC 5280 4.1.2.2) unless ``allow_non_positive_serial`` (commands that describe)."""
    from ..certificates import load_certificates

    lax = allow_non_positive_serial
    out: list[x509.Certificate] = []
    for path in paths:
        try:
            data = read_input(path, field, max_size=16 * 1024 * 1024)
            out.extend(load_certificates(data, allow_non_positive_serial=lax))
        except InputError as exc:
            raise InputError(field, f"{path}: {exc.rule}") from None
    return out


def read_crls(paths: Sequence[str] | None) -> list[bytes]:
    """CRL files as bytes (PEM or DER; the chain module parses them)."""
    return [read_input(p, "--crl", max_size=64 * 1024 * 1024) for p in paths or ()]


def read_ocsp(paths: Sequence[str] | None) -> list[bytes]:
    """OCSP response files as DER bytes (the chain module parses them)."""
    return [read_input(p, "--ocsp", max_size=1024 * 1024) for p in paths or ()]


def read_blob(path: str, field: str, form: str = "auto", *, max_size: int = 64 * 1024) -> bytes:
    """A signature or digest from a file (``-`` for stdin): raw bytes, base64 text or hex text.

    ``auto``: hex text when it is only hex digits of an even length, base64 text when it is only
    base64 characters, else the raw bytes.
    """
    data = read_input(path, field, max_size=max_size)
    return decode_blob(data, field, form)


def decode_blob(data: bytes, field: str, form: str = "auto") -> bytes:
    """``data`` read as ``raw``, ``base64`` or ``hex`` (``auto`` guesses as :func:`read_blob` says)."""
    from ..encoding import b64decode, hex_decode

    stripped = data.strip()
    if form == "raw":
        return data
    if form == "hex" or (form == "auto" and _HEXISH.match(stripped) and len(b"".join(stripped.split())) % 2 == 0):
        return hex_decode(b"".join(stripped.split()).decode("ascii"), field=field)
    if form == "base64" or (form == "auto" and _B64ISH.match(stripped)):
        text = b"".join(stripped.split()).decode("ascii")
        return b64decode(text.replace("-", "+").replace("_", "/"), field=field)
    if form == "auto":
        return data
    raise InputError(field, "format must be auto, raw, base64 or hex")


def add_group(sub: Any, name: str, help: str, description: str | None = None) -> Any:
    """``cryptokit NAME WHAT ...``: a command whose subcommand WHAT is required; its subparsers."""
    group = sub.add_parser(name, help=help, description=description)
    return group.add_subparsers(dest=f"{name.replace('-', '_')}_command", metavar="WHAT", required=True)


def add_command(
    sub: Any,
    name: str,
    run: Callable[[argparse.Namespace], int],
    *,
    help: str,
    examples: str,
    description: str | None = None,
) -> argparse.ArgumentParser:
    """A (sub)command that runs ``run(args)``; its ``--help`` ends with ``examples`` as written."""
    p: argparse.ArgumentParser = sub.add_parser(
        name, help=help, description=description, epilog=examples, formatter_class=EXAMPLES_FORMATTER
    )
    p.set_defaults(func=run)
    return p


def add_output_options(
    p: argparse.ArgumentParser, json: str, *, out: str | None = None, verbose: str | None = None
) -> None:
    """The output flags, last and in this order: ``-o/--out FILE`` (with ``out``, its help), ``--json``
    and ``-v/--verbose`` (with ``verbose``)."""
    if out is not None:
        p.add_argument("-o", "--out", metavar="FILE", help=out)
    p.add_argument("--json", action="store_true", help=json)
    if verbose is not None:
        p.add_argument("-v", "--verbose", action="store_true", help=verbose)


def add_chain_options(p: argparse.ArgumentParser, *, roots_required: bool = True) -> None:
    """--roots, --intermediates, --crl, --at, --policy, --require-revocation, --require-policy."""
    p.add_argument("--roots", nargs="+", required=roots_required, metavar="FILE", help="trust anchors")
    p.add_argument("--intermediates", nargs="+", default=[], metavar="FILE", help="other certificates, any order")
    p.add_argument("--crl", nargs="+", default=[], metavar="FILE", help="CRLs (PEM or DER) to check revocation with")
    p.add_argument(
        "--ocsp", nargs="+", default=[], metavar="FILE", help="OCSP responses (DER) to check revocation with"
    )
    p.add_argument("--at", metavar="TIME", help="validation time, ISO 8601 with zone (default now)")
    p.add_argument("--policy", choices=("document-signing", "rfc5280"), default="document-signing")
    p.add_argument(
        "--require-revocation",
        action="store_true",
        help="every non-anchor certificate needs a usable CRL or OCSP response",
    )
    p.add_argument(
        "--require-policy",
        nargs="+",
        default=[],
        metavar="OID",
        help="the path must be valid for one of these certificate policies (RFC 5280 6.1), e.g. 0.4.0.194112.1.2",
    )


def chain_policy(args: argparse.Namespace) -> Any:
    from ..chain import ChainPolicy

    options: dict[str, Any] = {}
    if getattr(args, "require_revocation", False):
        options["require_revocation"] = True
    if getattr(args, "require_policy", None):
        options["required_policies"] = args.require_policy
    preset = (
        ChainPolicy.rfc5280
        if getattr(args, "policy", "document-signing") == "rfc5280"
        else ChainPolicy.document_signing
    )
    try:
        return preset(**options)
    except InputError as exc:
        if exc.field == "required_policies":
            raise InputError("--require-policy", exc.rule) from None
        raise


def chain_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The chain options (:func:`add_chain_options`) read and parsed, as the keywords ``validate_chain``
    takes: ``trust_anchors`` (none without --roots), ``intermediates``, ``crls``, ``ocsp_responses``,
    ``at`` and ``policy`` (a ChainPolicy)."""
    out: dict[str, Any] = {
        "trust_anchors": read_certificates(args.roots or (), "--roots"),
        "intermediates": read_certificates(args.intermediates or (), "--intermediates"),
        "crls": read_crls(args.crl),
        "ocsp_responses": read_ocsp(args.ocsp),
        "at": parse_at(args.at),
        "policy": chain_policy(args),
    }
    return out


def cms_chain_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """:func:`chain_arguments` as the keywords ``cms_verify`` and ``verify_pdf`` take: the chain policy
    inside a ``CmsPolicy``. Without a chain option (no --roots: cms verify with --signer only) the
    chain policy is not built, as nothing uses it."""
    from ..cms import CmsPolicy

    if not (args.roots or args.intermediates or args.crl or args.ocsp or getattr(args, "require_policy", None)):
        # no chain to check (only --signer): no chain policy to build, and cryptokit.chain is not loaded
        return {"trust_anchors": [], "intermediates": [], "crls": [], "ocsp_responses": [],
                "at": parse_at(args.at), "policy": CmsPolicy()}  # fmt: skip
    out = chain_arguments(args)
    out["policy"] = CmsPolicy(chain_policy=out["policy"])
    return out


def print_checks(title: str, checks: Sequence[Any], *, failed_only: bool = False) -> None:
    """A table of report checks: outcome, name, subject, message (only the failed ones with
    ``failed_only``). Checks that repeat the same outcome, name and message for several subjects (one
    chain failure for 50 documents) are one row naming the first subject and how many more."""
    from ..report import Outcome

    groups: dict[tuple[str, str, str], list[str]] = {}
    for c in checks:
        if failed_only and c.outcome is not Outcome.FAILED:
            continue
        subjects = groups.setdefault((c.outcome.value, c.name, command_language(c.message)), [])
        if c.subject and c.subject not in subjects:
            subjects.append(c.subject)
    rows = [(outcome, name, _subjects(subjects), message) for (outcome, name, message), subjects in groups.items()]
    if rows:
        table(title, ("outcome", "check", "subject", "message"), rows)


def _subjects(subjects: list[str]) -> str:
    if len(subjects) <= 1:
        return subjects[0] if subjects else ""
    return f"{subjects[0]} and {len(subjects) - 1} more"


def verdict_line(ok: bool, indication: str, sub_indication: str | None, what: str) -> None:
    mark = "OK" if ok else "FAILED"
    sub = f" / {sub_indication}" if sub_indication else ""
    print(f"{mark}: {what}: {indication}{sub}")


@contextmanager
def progress_bar(total: int, label: str, *, threshold: int = 200) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr for ``total`` items, only when stderr is a terminal and
    ``total`` reaches ``threshold``; yields the ``progress(done, total)`` callback or None."""
    if total < threshold or not sys.stderr.isatty():
        yield None
        return
    try:
        from rich.console import Console
        from rich.progress import Progress
    except ImportError:  # the cli extra is not installed
        yield None
        return
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)

        def update(done: int, all_items: int) -> None:
            bar.update(task, completed=done, total=all_items)

        yield update
