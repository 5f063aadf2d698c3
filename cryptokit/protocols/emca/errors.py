"""emCA's documented error texts <-> typed :class:`~cryptokit.errors.VendorError` subclasses.

The texts are the vendor's (API guide, "Error Message" table); emCA answers them in the
``result`` field of a ``Failure`` response. :func:`error_from_text` maps a text to its class
(case- and whitespace-insensitively; unknown text gives a plain :class:`EmcaError` that keeps the
raw message); :func:`error_text` gives the text a server answers with.
"""

from __future__ import annotations

import re
from typing import ClassVar

from ...errors import FlowMisuse, InputError, PolicyViolation, VendorError

__all__ = [
    "EmcaError",
    "ProfileDoesNotExist",
    "InvalidData",
    "SignatureVerificationFailed",
    "InvalidValidity",
    "InvalidFromDate",
    "InvalidParameter",
    "InvalidInputData",
    "InvalidRequestDetails",
    "InternalServerError",
    "UnknownMethod",
    "RequestRejected",
    "ManualAuthorizationMisuse",
    "ERROR_CLASSES",
    "error_from_text",
    "error_text",
]

VENDOR = "emca"
_MAX_MESSAGE = 4096


class EmcaError(VendorError):
    """An emCA failure answer. ``code`` is a stable slug for known texts, None for unknown ones."""

    code_slug: ClassVar[str | None] = None
    #: The vendor's text for this condition (``{profile_id}`` is filled in where needed).
    text: ClassVar[str] = ""
    #: Other texts the vendor documents for the same condition (matched as prefixes).
    aliases: ClassVar[tuple[str, ...]] = ()

    def __init__(self, message: str | None = None, http_status: int | None = None) -> None:
        super().__init__(VENDOR, self.code_slug, message if message is not None else self.text, http_status)


class ProfileDoesNotExist(EmcaError):
    """ "<profile id> profile does not exist": the certificate profile id is unknown."""

    code_slug = "profile-does-not-exist"
    text = "{profile_id} profile does not exist"

    def __init__(self, message: str | None = None, http_status: int | None = None, *, profile_id: str = "") -> None:
        if message is None:
            message = self.text.format(profile_id=profile_id).strip()
        elif not profile_id:
            match = _PROFILE_RE.match(message)
            profile_id = match.group(1) if match else ""
        self.profile_id = profile_id
        super().__init__(message, http_status)


class InvalidData(EmcaError):
    """ "Please enter valid data": a CSR is invalid or lacks what the profile requires."""

    code_slug = "invalid-data"
    text = "Please enter valid data"


class SignatureVerificationFailed(EmcaError):
    """ "Signature verification failed": the signature is not by the registered PFX."""

    code_slug = "signature-verification-failed"
    text = "Signature verification failed"


class InvalidValidity(EmcaError):
    """ "Invalid validity": not ``Days:Hours:Minutes:Seconds`` within bounds."""

    code_slug = "invalid-validity"
    text = "Invalid validity"


class InvalidFromDate(EmcaError):
    """ "Invalid From Date": not ``dd:MM:yyyy HH:mm:ss`` or not a real date."""

    code_slug = "invalid-from-date"
    text = "Invalid From Date"
    aliases = ("Invalid Input: From Date should be in proper format",)


class InvalidParameter(EmcaError):
    """ "Invalid parameter": a parameter is missing or malformed."""

    code_slug = "invalid-parameter"
    text = "Invalid parameter"


class InvalidInputData(EmcaError):
    """ "Invalid input data": ``requestData`` could not be decrypted (wrong AES key or mode)."""

    code_slug = "invalid-input-data"
    text = "Invalid input data"


class InvalidRequestDetails(EmcaError):
    """ "Invalid request details found": user name, password or source IP refused."""

    code_slug = "invalid-request-details"
    text = "Invalid request details found"


class InternalServerError(EmcaError):
    """ "Internal server error"."""

    code_slug = "internal-server-error"
    text = "Internal server error"


class UnknownMethod(InvalidRequestDetails):
    """The path names no method this server offers: HTTP 404 (cryptokit's choice; the vendor documents
    no text for it, so the answer carries "Invalid request details found", and ``except
    InvalidRequestDetails`` catches it too). A client maps any HTTP 404 to this class."""

    code_slug = "unknown-method"
    text = "Invalid request details found"

    def __init__(self, message: str | None = None, http_status: int | None = 404) -> None:
        super().__init__(message, http_status)


class RequestRejected(EmcaError):
    """ "Request rejected": the follow-up of a manually authorized request that the authorizer refused.

    cryptokit's text (the vendor does not publish the follow-up method's error table)."""

    code_slug = "request-rejected"
    text = "Request rejected"


ERROR_CLASSES: tuple[type[EmcaError], ...] = (
    ProfileDoesNotExist,
    InvalidData,
    SignatureVerificationFailed,
    InvalidValidity,
    InvalidFromDate,
    InvalidParameter,
    InvalidInputData,
    InvalidRequestDetails,
    InternalServerError,
    RequestRejected,
)

_PROFILE_RE = re.compile(r"\A\s*(\S.*?)\s+profile\s+does\s+not\s+exist[\s.]*\Z", re.IGNORECASE | re.DOTALL)


def _normalise(text: str) -> str:
    return " ".join(text.split()).lower()


def _matches(normalised: str, known: str) -> bool:
    key = _normalise(known)
    if normalised == key:
        return True
    # "Invalid validity: ..." or "Invalid validity." : the known text followed by punctuation.
    return normalised.startswith(key) and not normalised[len(key)].isalnum() and normalised[len(key)] != " "


def error_from_text(message: str, http_status: int | None = None) -> EmcaError:
    """The typed error for a vendor failure text; unknown text gives :class:`EmcaError` with code None.

    HTTP 404 is always :class:`UnknownMethod` (the path named no method the server offers)."""
    raw = message if isinstance(message, str) else str(message)
    raw = raw[:_MAX_MESSAGE]
    normalised = _normalise(raw)
    if http_status == 404:
        return UnknownMethod(raw or UnknownMethod.text, 404)
    if _PROFILE_RE.match(raw):
        return ProfileDoesNotExist(raw, http_status)
    for cls in ERROR_CLASSES[1:]:
        if _matches(normalised, cls.text) or any(normalised.startswith(_normalise(a)) for a in cls.aliases):
            return cls(raw, http_status)
    return EmcaError(raw, http_status)


def error_text(error: EmcaError | type[EmcaError], *, profile_id: str = "") -> str:
    """The text a server answers with for ``error`` (an instance keeps its own message)."""
    if isinstance(error, EmcaError):
        return error.message
    if error is ProfileDoesNotExist:
        return ProfileDoesNotExist(profile_id=profile_id).message
    if not isinstance(error, type) or not issubclass(error, EmcaError):
        raise InputError("error", "must be an EmcaError or one of its classes")
    return error.text


class ManualAuthorizationMisuse(FlowMisuse, PolicyViolation):
    """An event the manual-authorization table (:data:`~.manual.TRANSITIONS`) does not allow for the
    request's state: approving a rejected request, issuing one not yet approved, anything after
    REJECTED or ISSUED. A :class:`~cryptokit.errors.FlowMisuse` (``state``, ``event``; an InputError
    with field "flow") and, as before it had its own class, a :class:`~cryptokit.errors.PolicyViolation`."""
