"""The one error hierarchy of cryptokit.

Every public function raises only subclasses of :class:`CryptokitError`. Messages name the field
and the rule that was broken; they never carry secret material (passwords, keys, OTPs, tokens).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "plain_parse_error",
    "CryptokitError",
    "InputError",
    "UnsupportedAlgorithm",
    "InvalidSignature",
    "VerificationFailed",
    "PolicyViolation",
    "DecryptionFailed",
    "AuthenticationFailed",
    "VendorError",
    "KeyAuthOtpRequired",
    "ExecutorFailed",
    "FlowMisuse",
    "CmsFormatError",
    "BerError",
    "DocumentSigningError",
    "SignatureLengthError",
    "SignatureCountMismatch",
    "ForeignSignature",
    "MisplacedSignature",
    "TransportError",
]


class CryptokitError(Exception):
    """Root of every error cryptokit raises.

    Every subclass pickles (a worker process, a task queue): the copy has the same type, text,
    ``args`` and attributes. Unpickling restores them without calling ``__init__``, so a subclass
    whose constructor takes other arguments than it stores needs no ``__reduce__`` of its own.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, dict(vars(self))))


def _restore(cls: type[CryptokitError], args: tuple[Any, ...], state: dict[str, Any]) -> CryptokitError:
    """The unpickled copy of an error: its ``args`` and attributes as they were (see CryptokitError)."""
    error = cls.__new__(cls)
    error.args = args
    vars(error).update(state)
    return error


class InputError(CryptokitError, ValueError):
    """Malformed input. ``field`` names the argument or element, ``rule`` the rule it broke."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class UnsupportedAlgorithm(CryptokitError):
    """An algorithm that is unknown, or known but refused by the active policy."""


class InvalidSignature(CryptokitError):
    """A well-formed signature that does not verify."""


class VerificationFailed(CryptokitError):
    """A structured verification (CMS, chain, vendor response) failed; ``report`` says why."""

    def __init__(self, message: str, report: Any = None) -> None:
        self.report = report
        super().__init__(message)


class PolicyViolation(CryptokitError):
    """The input is well formed and cryptographically sound but the chosen policy refuses it."""


class DecryptionFailed(CryptokitError):
    """An envelope could not be opened. Always the same message, so no padding oracle leaks."""

    def __init__(self) -> None:
        super().__init__("envelope could not be opened")


class AuthenticationFailed(CryptokitError):
    """A request authenticator (AuthKey, emKey, MAC) is wrong, stale or replayed.

    ``reason`` is one of a small fixed vocabulary ("wrong-key", "stale", "replayed", "malformed").
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


class VendorError(CryptokitError):
    """An error answer from a vendor service.

    ``vendor`` names the service ("emca", "adss", "csc", "onespan", "signer_digital"), ``code`` is
    the vendor's code or error text key, ``message`` the vendor's text, ``http_status`` the HTTP
    status of the answer (None when not from HTTP).
    """

    def __init__(
        self,
        vendor: str,
        code: str | None,
        message: str,
        http_status: int | None = None,
    ) -> None:
        self.vendor = vendor
        self.code = code
        self.message = message
        self.http_status = http_status
        label = f"{vendor} error" + (f" {code}" if code else "")
        status = f" (HTTP {http_status})" if http_status is not None else ""
        super().__init__(f"{label}{status}: {message}")


class KeyAuthOtpRequired(VendorError):
    """Signer.Digital: key use needs OTP authorization (codes OA03A, OA03B, OA04)."""


class ExecutorFailed(CryptokitError):
    """The executor could not run a chunk: a worker died, or an argument or answer could not be sent.

    Per-item failures (a bad source, a signature that does not verify) never raise this: they are
    entries in the result list. This is the executor itself failing; ``__cause__`` holds its exception.
    """


class CmsFormatError(VerificationFailed, InputError):
    """The CMS input is malformed, not a SignedData, or exceeds a bound.

    Both a :class:`VerificationFailed` (``report`` says FORMAT_FAILURE) and an :class:`InputError`
    (``field`` is ``cms``, ``rule`` the broken rule), so callers may catch either.
    """

    def __init__(self, rule: str, *, field: str = "cms") -> None:
        # The report block sits above this module; import it when an error is built, not at load.
        from .report import Check, Report, SubIndication

        report = Report.from_checks([Check.failed("format", SubIndication.FORMAT_FAILURE, rule, subject=field)])
        self.field = field
        self.rule = rule
        self.report = report
        # Both parents' __init__ chain through super(); set their attributes here and init Exception once.
        Exception.__init__(self, f"{field}: {rule}")


class BerError(CryptokitError):
    """The input is not well-formed BER/DER, or exceeds a bound (``bound`` True). The CMS layer maps it
    to a :class:`CmsFormatError`."""

    def __init__(self, message: str, *, bound: bool = False) -> None:
        self.bound = bound
        super().__init__(message)


class FlowMisuse(InputError):
    """A sans-I/O protocol flow was driven out of order: ``event`` (the method called) is not a
    transition of the flow's current ``state`` (h11's LocalProtocolError). An :class:`InputError`
    too, with ``field`` "flow"; each vendor flow raises its own subclass."""

    def __init__(self, state: str, event: str) -> None:
        self.state = state
        self.event = event
        super().__init__("flow", f"{event}() is not expected in state {state}")


class DocumentSigningError(VerificationFailed):
    """A remote signing answer that does not give a verified signed document.

    ``document`` is the document's position in the call (None when the answer as a whole is wrong),
    ``name`` its name (the path, the alias given, or ``document N``); ``report`` the verification
    report when there is one.
    """

    def __init__(self, message: str, report: Any = None, *, document: int | None = None, name: str | None = None):
        self.document = document
        self.name = name
        super().__init__(message, report)


class SignatureLengthError(DocumentSigningError):
    """A returned signature whose length (or encoding) cannot be a signature of the certificate's key."""


class SignatureCountMismatch(DocumentSigningError):
    """The service returned another number of signatures than hashes were sent."""


class ForeignSignature(DocumentSigningError):
    """The service answered for another certificate: no returned signature verifies under its key."""


class MisplacedSignature(DocumentSigningError):
    """A signature that verifies, but over the hash of another document of the request (a swapped order)."""


class TransportError(CryptokitError):
    """An HTTP exchange that did not complete (``cryptokit.transport``): ``kind`` is ``connect``,
    ``timeout``, ``tls``, ``protocol`` or ``too_large``; ``method`` and ``path`` name the call (no
    query, headers or body: they may hold credentials); ``attempts`` counts the tries made."""

    def __init__(self, kind: str, method: str, path: str, detail: str = "", attempts: int = 1) -> None:
        self.kind = kind
        self.method = method
        self.path = path
        self.attempts = attempts
        tail = f" ({detail})" if detail else ""
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(f"{method} {path}: {kind} failure{tries}{tail}")


# cryptography's Rust parser says ``ParseError { kind: UnexpectedTag { actual: Tag { .. } }, location:
# [..] }`` and asn1crypto says ``Error parsing asn1crypto.x509.Certificate - tag should have been ..``:
# parser internals. plain_parse_error turns them into the rule the input broke.
_PARSE_KINDS = {
    "UnexpectedTag": "an ASN.1 element has the wrong type (unexpected tag)",
    "InvalidTag": "an ASN.1 tag is malformed",
    "InvalidLength": "an ASN.1 length is malformed or not DER",
    "ShortData": "the data is truncated",
    "ExtraData": "there is data after the end of the structure",
    "InvalidValue": "an ASN.1 value is malformed",
    "IntegerOverflow": "an integer is too large",
    "InvalidSetOrdering": "a SET OF is not in DER order",
    "EncodedDefault": "a DEFAULT value is encoded (not DER)",
    "OidTooLong": "an object identifier is too long",
    "UnknownDefinedBy": "an algorithm's parameters do not fit its identifier",
}
_ASN1CRYPTO_PHRASES = (
    ("insufficient data", "the data is truncated"),
    ("extra data", "there is data after the end of the structure"),
    ("tag should have been", "an ASN.1 element has the wrong type (unexpected tag)"),
    ("unexpected tag", "an ASN.1 element has the wrong type (unexpected tag)"),
    ("indefinite-length", "an ASN.1 length is indefinite (BER, not DER)"),
)
_INTERNALS = re.compile(r"ParseError|asn1crypto|::|[{}]|https?://|Traceback|\bTag\b")


def plain_parse_error(exc: BaseException) -> str:
    """The rule behind a parser's exception (cryptography, asn1crypto) in plain words, without the
    parser's internals (type names, Rust structures, locations, links). Says what is wrong with the
    input, never where in the parser it was noticed."""
    text = str(exc)
    kind = re.search(r"kind:\s*([A-Za-z]+)", text)
    if kind is not None:
        return _PARSE_KINDS.get(kind.group(1), "the ASN.1 structure is malformed")
    lowered = text.lower()
    for phrase, rule in _ASN1CRYPTO_PHRASES:
        if phrase in lowered:
            return rule
    first = text.splitlines()[0].strip() if text.strip() else ""
    if not first or _INTERNALS.search(first) or len(first) > 160:
        return "the structure is malformed"
    return first
