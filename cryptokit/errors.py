"""The one error hierarchy of cryptokit.

Every public function raises only subclasses of :class:`CryptokitError`. Messages name the field
and the rule that was broken; they never carry secret material (passwords, keys, OTPs, tokens).
"""

from __future__ import annotations

from typing import Any

__all__ = [
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
    "DocumentSigningError",
    "SignatureLengthError",
    "SignatureCountMismatch",
    "ForeignSignature",
    "MisplacedSignature",
]


class CryptokitError(Exception):
    """Root of every error cryptokit raises."""


class InputError(CryptokitError, ValueError):
    """Malformed input. ``field`` names the argument or element, ``rule`` the rule it broke."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.rule))


class UnsupportedAlgorithm(CryptokitError):
    """An algorithm that is unknown, or known but refused by the active policy."""


class InvalidSignature(CryptokitError):
    """A well-formed signature that does not verify."""


class VerificationFailed(CryptokitError):
    """A structured verification (CMS, chain, vendor response) failed; ``report`` says why."""

    def __init__(self, message: str, report: Any = None) -> None:
        self.report = report
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.report))


class PolicyViolation(CryptokitError):
    """The input is well formed and cryptographically sound but the chosen policy refuses it."""


class DecryptionFailed(CryptokitError):
    """An envelope could not be opened. Always the same message, so no padding oracle leaks."""

    def __init__(self) -> None:
        super().__init__("envelope could not be opened")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), ())


class AuthenticationFailed(CryptokitError):
    """A request authenticator (AuthKey, emKey, MAC) is wrong, stale or replayed.

    ``reason`` is one of a small fixed vocabulary ("wrong-key", "stale", "replayed", "malformed").
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reason, str(self)))


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

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.vendor, self.code, self.message, self.http_status))


class KeyAuthOtpRequired(VendorError):
    """Signer.Digital: key use needs OTP authorization (codes OA03A, OA03B, OA04)."""


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

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_document_error, (type(self), str(self), self.report, self.document, self.name))


def _rebuild_document_error(
    cls: type[DocumentSigningError], message: str, report: Any, document: int | None, name: str | None
) -> DocumentSigningError:
    return cls(message, report, document=document, name=name)


class SignatureLengthError(DocumentSigningError):
    """A returned signature whose length (or encoding) cannot be a signature of the certificate's key."""


class SignatureCountMismatch(DocumentSigningError):
    """The service returned another number of signatures than hashes were sent."""


class ForeignSignature(DocumentSigningError):
    """The service answered for another certificate: no returned signature verifies under its key."""


class MisplacedSignature(DocumentSigningError):
    """A signature that verifies, but over the hash of another document of the request (a swapped order)."""
