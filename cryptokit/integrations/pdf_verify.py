"""Verify the signatures of a PDF offline (extra ``pdf``: pyHanko finds the signature dictionaries).

:func:`verify_pdf` proves, for every signature field with a value: its /ByteRange starts at 0, its hole
is exactly the /Contents hex string (``<`` to ``>``, decoding to the dictionary's /Contents), its ranges
stay inside the file; the CMS in /Contents (cut at its own DER/BER length, the zero padding dropped, and
only zeros may follow) verifies with :func:`cryptokit.cms_verify` detached over the concatenated ranges and
chains to ``trust_anchors`` (the certificates the CMS embeds serve as intermediates). ``covers_whole_file``
says whether the second range ends at end of file; a signature followed by an incremental update covers
only its revision, and :attr:`PdfVerifyResult.ok` requires that some verified signature covers the whole
file. It does not judge what the later revisions changed (pyHanko's diff analysis does), nor check
document timestamps (/DocTimeStamp fields fail as not supported), nor DSS/VRI revocation data.

pyHanko is a well-kept PDF library (the signer in :mod:`cryptokit.integrations.pyhanko` uses it already);
parsing PDF object syntax ourselves would be a new attack surface. It is imported only in here.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..errors import CryptokitError, InputError, VerificationFailed
from ..report import Check, HasReport, Report, SubIndication

if TYPE_CHECKING:
    from cryptography import x509

    from ..chain.ocsp import OcspLike
    from ..chain.revocation import CrlInput
    from ..cms.policy import CmsPolicy

__all__ = ["PdfSignatureResult", "PdfVerifyResult", "verify_pdf", "cms_der_length"]

_HEX_STRING = re.compile(rb"<([0-9A-Fa-f\s]*)>\Z")
_CONTENTS_KEY = re.compile(rb"/Contents\s*\Z")
MAX_PDF = 512 * 1024 * 1024
#: what pyHanko raises on a malformed PDF besides its PdfError: lookups and conversions of Python's
#: own (ArithmeticError: decimal.InvalidOperation for a number that is not one), and ``assert`` on
#: structure (an xref stream that is not /Type /XRef; gone under ``python -O``, where the parse goes
#: on to one of the others). Each was found by fuzz/fuzz_pdf_verify.py.
_PDF_PARSE_ERRORS: tuple[type[Exception], ...] = (
    ValueError, LookupError, TypeError, AttributeError, AssertionError, RecursionError, ArithmeticError,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PdfSignatureResult(HasReport):
    """One signature field: its ``field`` name, the ``signer`` subject (None when no certificate was
    found), the ``byte_range``, whether it ``covers_whole_file``, and the ``report`` (byte-range checks
    followed by the CMS checks)."""

    field: str
    signer: str | None
    byte_range: tuple[int, ...]
    covers_whole_file: bool
    report: Report

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "signer": self.signer}
        out.update(self.report.to_dict())
        out.update(
            failed_checks=[c.name for c in self.report.failures()],
            byte_range=list(self.byte_range),
            covers_whole_file=self.covers_whole_file,
        )
        return out


_UNSIGNED_TAIL = "no verified signature covers the whole file (bytes after the last signed revision)"


@dataclass(frozen=True, slots=True)
class PdfVerifyResult(HasReport):
    """Every signature of a PDF. ``ok``: at least one signature, every one verified, and one of them
    covers the whole file (no unsigned bytes after the last signed revision). ``report``: every
    signature's checks (their subject prefixed with the signature's field), then whether any signature was found and
    whether one covers the whole file."""

    size: int
    signatures: tuple[PdfSignatureResult, ...]

    @property
    def whole_file_signed(self) -> bool:
        return any(s.ok and s.covers_whole_file for s in self.signatures)

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures) and self.whole_file_signed

    @property
    def report(self) -> Report:
        checks = [
            replace(c, subject=f"{s.field}: {c.subject}" if c.subject else s.field)
            for s in self.signatures
            for c in s.checks
        ]
        if not self.signatures:
            checks.append(Check.failed("signatures", SubIndication.SIGNED_DATA_NOT_FOUND, "the PDF holds no signature"))
        elif self.whole_file_signed:
            checks.append(Check.passed("whole_file", "a verified signature covers the whole file"))
        else:
            checks.append(Check.failed("whole_file", SubIndication.SIG_CONSTRAINTS_FAILURE, _UNSIGNED_TAIL))
        return Report.from_checks(checks)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": self.ok, "size": self.size, "whole_file_signed": self.whole_file_signed}
        out.update(self.report.to_dict())
        out["signatures"] = [s.to_dict() for s in self.signatures]
        return out


def cms_der_length(contents: bytes) -> int:
    """The length of the ASN.1 element that starts ``contents`` (definite or BER indefinite length), so
    the zero padding of a PDF's /Contents can be cut. Raises InputError when it is not one element."""
    from asn1crypto import parser

    try:
        _, _, _, header, body, trailer = parser.parse(contents, strict=False)
    except (ValueError, TypeError) as exc:
        raise InputError("/Contents", f"not a DER/BER element: {exc}") from None
    return len(header) + len(body) + len(trailer)


def _byte_range_checks(data: bytes, byte_range: Sequence[int], contents: bytes) -> tuple[list[Check], bool]:
    """The /ByteRange rules; returns the checks and whether the ranges end at end of file."""
    name = "byte-range"
    fail = SubIndication.FORMAT_FAILURE
    if len(byte_range) != 4 or not all(isinstance(v, int) and v >= 0 for v in byte_range):
        return [Check.failed(name, fail, f"/ByteRange must be 4 non-negative integers: {list(byte_range)}")], False
    start1, len1, start2, len2 = byte_range
    if start1 != 0:
        return [Check.failed(name, fail, f"the first range must start at 0, starts at {start1}")], False
    if start2 < len1:
        return [Check.failed(name, fail, f"the second range starts at {start2}, inside the first (ends {len1})")], False
    if start2 + len2 > len(data):
        return [
            Check.failed(name, fail, f"the second range ends at {start2 + len2}, past end of file {len(data)}")
        ], False
    hole = data[len1:start2]
    match = _HEX_STRING.match(hole)
    if not hole.startswith(b"<") or match is None:
        return [Check.failed(name, fail, f"the hole {len1}..{start2} is not exactly one hex string <...>")], False
    if not _CONTENTS_KEY.search(data[max(0, len1 - 64) : len1]):
        return [Check.failed(name, fail, "the hole does not follow the /Contents key")], False
    digits = b"".join(match.group(1).split())
    if len(digits) % 2 or bytes.fromhex(digits.decode("ascii")) != contents:
        return [Check.failed(name, fail, "the hole is not the /Contents value of the signature dictionary")], False
    whole = start2 + len2 == len(data)
    checks = [Check.passed(name, f"0..{len1} and {start2}..{start2 + len2}, the hole is exactly /Contents")]
    if whole:
        checks.append(Check.passed("coverage", "the signed ranges end at end of file"))
    else:
        after = len(data) - start2 - len2
        checks.append(Check.skipped("coverage", f"{after} bytes after the signed ranges (an incremental update "
                                    "after this signature): it covers its revision, not the whole file"))  # fmt: skip
    return checks, whole


def _verify_one(data: bytes, embedded: Any, chain_args: dict[str, Any]) -> PdfSignatureResult:
    from ..cms import cms_verify

    field = str(embedded.field_name)
    sig_object = embedded.sig_object
    try:
        byte_range = tuple(int(v) for v in sig_object["/ByteRange"])
        contents = bytes(sig_object["/Contents"])
    except (KeyError, TypeError, ValueError):
        report = Report.from_checks([Check.failed("signature-dictionary", SubIndication.FORMAT_FAILURE,
                                                  "no usable /ByteRange and /Contents")])  # fmt: skip
        return PdfSignatureResult(field, None, (), False, report)
    checks, whole = _byte_range_checks(data, byte_range, contents)
    signer: str | None = None
    if str(sig_object.get("/Type", "")) == "/DocTimeStamp":
        checks.append(Check.failed("document-timestamp", SubIndication.FORMAT_FAILURE,
                                   "document timestamps (/DocTimeStamp) are not checked"))  # fmt: skip
        return PdfSignatureResult(field, None, byte_range, whole, Report.from_checks(checks))
    try:
        length = cms_der_length(contents)
        if any(contents[length:]):
            raise InputError("/Contents", "non-zero bytes after the CMS (only zero padding may follow)")
        cms = contents[:length]
    except InputError as exc:
        checks.append(Check.failed("contents", SubIndication.FORMAT_FAILURE, str(exc)))
        return PdfSignatureResult(field, None, byte_range, whole, Report.from_checks(checks))
    if checks[0].outcome.value == "failed":
        return PdfSignatureResult(field, None, byte_range, whole, Report.from_checks(checks))
    start1, len1, start2, len2 = byte_range
    signed = data[start1 : start1 + len1] + data[start2 : start2 + len2]
    try:
        result = cms_verify(cms, content=signed, **chain_args)
        signer = result.signer.subject.rfc4514_string()
        checks.extend(result.report.checks)
    except VerificationFailed as exc:  # also CmsFormatError: a malformed CMS fails this signature
        failed_report = getattr(exc, "report", None)
        if failed_report is not None:
            checks.extend(failed_report.checks)
        if not any(c.outcome.value == "failed" for c in checks):
            checks.append(Check.failed("cms", SubIndication.FORMAT_FAILURE, str(exc)))
        signer = _claimed_signer(embedded)
    return PdfSignatureResult(field, signer, byte_range, whole, Report.from_checks(checks))


def _claimed_signer(embedded: Any) -> str | None:
    """The signer certificate's subject as pyHanko reads it (unverified; for the report only)."""
    try:
        from cryptography import x509

        return x509.load_der_x509_certificate(embedded.signer_cert.dump()).subject.rfc4514_string()
    except Exception:  # a name for the report, never a verdict
        return None


def verify_pdf(
    pdf: bytes,
    *,
    trust_anchors: Iterable[x509.Certificate],
    intermediates: Iterable[x509.Certificate] = (),
    crls: Iterable[CrlInput] = (),
    at: dt.datetime | None = None,
    policy: CmsPolicy | None = None,
    ocsp_responses: OcspLike = (),
) -> PdfVerifyResult:
    """Verify every signature of ``pdf`` (see the module docstring); returns a result to check
    (``ok``). ``crls`` and ``ocsp_responses`` (DER or loaded; parsed once for all signatures) go to
    each signature's chain check. Not a PDF, or a PDF pyHanko cannot read: InputError. Needs the
    ``pdf`` extra."""
    from .._dsa import quiet_dsa_deprecation

    try:
        # pyHanko names the DSA classes when pyhanko.sign is imported (a warning on cryptography 51),
        # which its reader does lazily on first reading the signatures: imported here, quietly
        with quiet_dsa_deprecation():
            import pyhanko.sign  # noqa: F401
            from pyhanko.pdf_utils.misc import PdfError
            from pyhanko.pdf_utils.reader import PdfFileReader
    except ImportError:  # pragma: no cover - the extra is installed in the test environment
        raise InputError("pdf", "needs pyHanko: pip install 'cryptokit[pdf]'") from None
    from ..chain.ocsp import load_ocsp_responses

    if not isinstance(pdf, (bytes, bytearray, memoryview)):
        raise InputError("pdf", f"must be the PDF's bytes, not {type(pdf).__name__}")
    data = bytes(pdf)
    if len(data) > MAX_PDF:
        raise InputError("pdf", f"larger than {MAX_PDF} bytes")
    if not data.lstrip()[:5] == b"%PDF-":
        raise InputError("pdf", "not a PDF (no %PDF- header)")
    chain_args: dict[str, Any] = {
        "trust_anchors": tuple(trust_anchors),
        "intermediates": tuple(intermediates),
        "crls": tuple(crls),
        "ocsp_responses": load_ocsp_responses(ocsp_responses),  # malformed: InputError before any work
        "at": at,
        "policy": policy,
    }
    if not chain_args["trust_anchors"]:
        raise InputError("trust_anchors", "give at least one trust anchor")
    unreadable: tuple[type[Exception], ...] = (PdfError, *_PDF_PARSE_ERRORS)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except unreadable as exc:
        line = " ".join(str(exc).split())[:200]
        raise InputError("pdf", f"not a readable PDF ({type(exc).__name__}: {line})") from None
    results = []
    for sig in embedded:
        try:
            results.append(_verify_one(data, sig, chain_args))
        except CryptokitError:
            raise  # the caller's arguments (a malformed CMS fails its signature inside _verify_one)
        except unreadable as exc:
            report = Report.from_checks([Check.failed("signature-dictionary", SubIndication.FORMAT_FAILURE,
                                                      f"unreadable: {type(exc).__name__}")])  # fmt: skip
            results.append(PdfSignatureResult(str(getattr(sig, "field_name", "?")), None, (), False, report))
    return PdfVerifyResult(len(data), tuple(results))
