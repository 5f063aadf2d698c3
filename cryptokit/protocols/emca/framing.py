"""What emCA's ``signature`` field signs, per method, and how it is framed.

Vendor-documented: the ``signature`` is a CMS SignedData made with the client's registered PFX
over the method's content: the CSR(s) for the certificate methods, a DN-like string
``CN=..,SERIALNUMBER=..,E=..,O=..,S=..,C=..,PostalCode=..,KeyAlogirthmAndSize=RSA-2048,Password=..``
for createPKCS12 (the guide shows both ``,`` and ``~`` as separator, and the misspelled key name).

NOT documented: how several CSRs are framed inside the signed content of
createCertificatesByIdWithMultipleCsrData. The seed says the CSR ids are "shown in signature
parameter", so the default puts them there. The framing is a swappable object:

- :class:`PerCsrFraming` (the client default): one CMS per CSR (content = the DER CSR), the field
  is ``id|base64(CMS)`` joined with ``~``, mirroring the answer's ``ID|requestId~...``;
- :class:`JoinedCsrFraming`: one CMS over ``id|base64(DER CSR)`` joined with ``~``; the field is
  base64 of the CMS;
- :class:`AutoCsrFraming` (the server default): opens either (base64 has no ``|``, so a field with
  one is per-CSR) and accepts base64 line-wrapped as Java's MIME encoder writes it (see
  :func:`unwrap_base64`).

A framing only moves bytes; the CMS signing and verification are passed in as callables, so the
framing proves nothing by itself. Ids are 1..128 characters without ``|``, ``~`` or whitespace.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from cryptography import x509

from ...encoding import utf8
from ...errors import InputError

__all__ = [
    "CsrFraming",
    "JoinedCsrFraming",
    "PerCsrFraming",
    "AutoCsrFraming",
    "DEFAULT_FRAMING",
    "SERVER_FRAMING",
    "unwrap_base64",
    "MAX_CSRS",
    "check_csr_id",
    "frame_csrs",
    "unframe_csrs",
    "detect_framing",
    "sign_content",
    "open_content",
    "Pkcs12Content",
    "format_pkcs12_content",
    "parse_pkcs12_content",
    "KEY_FIELD_VENDOR",
    "KEY_FIELD_CORRECT",
]

#: Upper bound on the number of CSRs in one request.
MAX_CSRS = 1000
MAX_SIGNATURE_FIELD = 32 * 1024 * 1024
_ID_RE = re.compile(r"\A[^|~\s]{1,128}\Z")

Sign = Callable[[bytes], bytes]  # content -> CMS (DER/BER)
Verify = Callable[[bytes], bytes]  # CMS -> the signed content (raises if it does not verify)


def check_csr_id(csr_id: object, field: str = "csrs") -> str:
    """The id if it is 1..128 characters without ``|``, ``~`` or whitespace; else InputError."""
    if not isinstance(csr_id, str) or not _ID_RE.match(csr_id):
        raise InputError(field, "CSR ids must be 1..128 characters without '|', '~' or whitespace")
    return csr_id


def _b64(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii")


#: Longest line of line-wrapped base64 (MIME, RFC 2045).
MAX_B64_LINE = 76
_LINE_BREAK = re.compile(r"\r\n|\n")


def unwrap_base64(text: str, field: str) -> str:
    """``text`` with the line breaks of line-wrapped standard base64 removed; InputError otherwise.

    Accepted: lines joined by CRLF or LF (one kind per text), every line but the last of the same
    length L (a multiple of 4, at most 76), the last line 1..L characters, one optional final break.
    This covers Java's ``Base64.getMimeEncoder()`` (76, CRLF), ``sun.misc.BASE64Encoder`` (76, LF,
    final break), commons-codec ``encodeBase64Chunked`` (76, CRLF, final break) and PEM bodies (64).
    Text without a line break is returned as it is. The base64 itself is checked by the decoder.
    """
    if not isinstance(text, str):
        raise InputError("text", f"must be base64 text, not {type(text).__name__}")
    if "\r" not in text and "\n" not in text:
        return text
    breaks = set(_LINE_BREAK.findall(text))
    lines = _LINE_BREAK.split(text)
    if len(breaks) != 1 or "\r" in "".join(lines):
        raise InputError(field, "mixes line breaks or holds a lone CR")
    if lines[-1] == "":
        lines.pop()
    width = len(lines[0])
    if not lines or width == 0 or width % 4 or width > MAX_B64_LINE:
        raise InputError(field, f"base64 lines must be 4..{MAX_B64_LINE} characters, a multiple of 4")
    if any(len(line) != width for line in lines[:-1]) or not 0 < len(lines[-1]) <= width:
        raise InputError(field, "base64 lines must all have the same length but the last")
    return "".join(lines)


def _unb64(text: str, field: str, wrapped: bool = False) -> bytes:
    if wrapped:
        text = unwrap_base64(text, field)
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        raise InputError(field, "is not valid base64") from None


def _check_map(csrs: Mapping[str, bytes]) -> None:
    if not isinstance(csrs, Mapping) or not csrs:
        raise InputError("csrs", "must be a non-empty mapping of id -> DER CSR")
    if len(csrs) > MAX_CSRS:
        raise InputError("csrs", f"holds more than {MAX_CSRS} CSRs")
    for csr_id, der in csrs.items():
        check_csr_id(csr_id)
        if not isinstance(der, (bytes, bytearray)) or not der:
            raise InputError(f"csrs[{csr_id}]", "must be DER bytes")


def _pairs(text: str, field: str) -> list[tuple[str, str]]:
    if not text:
        raise InputError(field, "is empty")
    parts = text.split("~")
    if len(parts) > MAX_CSRS:
        raise InputError(field, f"holds more than {MAX_CSRS} CSRs")
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, part in enumerate(parts):
        where = f"{field}[{index}]"
        pieces = part.split("|")
        if len(pieces) != 2 or not pieces[1]:
            raise InputError(where, "must be id|base64")
        csr_id = check_csr_id(pieces[0], where)
        if csr_id in seen:
            raise InputError(where, f"repeats the id {csr_id!r}")
        seen.add(csr_id)
        out.append((csr_id, pieces[1]))
    return out


def frame_csrs(csrs: Mapping[str, bytes]) -> bytes:
    """``id|base64(DER)`` joined with ``~``, in the mapping's order (ASCII bytes)."""
    _check_map(csrs)
    return "~".join(f"{i}|{_b64(bytes(d))}" for i, d in csrs.items()).encode("ascii")


def unframe_csrs(content: bytes) -> dict[str, bytes]:
    """Inverse of :func:`frame_csrs`; InputError (field ``signature``) for anything else, including
    a ``content`` that is not bytes."""
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise InputError("signature", f"signed content must be bytes, not {type(content).__name__}")
    try:
        text = bytes(content).decode("ascii")
    except UnicodeDecodeError:
        raise InputError("signature", "signed content is not ASCII id|base64 pairs") from None
    return {i: _unb64(b, f"signature[{i}]") for i, b in _pairs(text, "signature")}


@runtime_checkable
class CsrFraming(Protocol):
    """How a set of CSRs becomes the ``signature`` field, and back."""

    @property
    def name(self) -> str: ...

    def sign(self, csrs: Mapping[str, bytes], sign: Sign) -> str:
        """The ``signature`` field for ``csrs`` (id -> DER), using ``sign(content) -> CMS``."""
        ...

    def open(self, signature: str, verify: Verify) -> dict[str, bytes]:
        """id -> DER CSR from a ``signature`` field; ``verify(cms) -> content`` must raise on failure."""
        ...


def _field_text(signature: object) -> str:
    if not isinstance(signature, str) or not signature:
        raise InputError("signature", "must be a non-empty string")
    if len(signature) > MAX_SIGNATURE_FIELD:
        raise InputError("signature", f"is over {MAX_SIGNATURE_FIELD} characters")
    return signature


@dataclass(frozen=True, slots=True)
class JoinedCsrFraming:
    """One CMS over ``id|base64(DER CSR)~...``; the field is base64 of the CMS.

    ``accept_wrapped`` lets :meth:`open` read line-wrapped base64 (:func:`unwrap_base64`)."""

    name: str = "joined"
    accept_wrapped: bool = False

    def sign(self, csrs: Mapping[str, bytes], sign: Sign) -> str:
        return _b64(sign(frame_csrs(csrs)))

    def open(self, signature: str, verify: Verify) -> dict[str, bytes]:
        cms = _unb64(_field_text(signature), "signature", self.accept_wrapped)
        return unframe_csrs(verify(cms))


@dataclass(frozen=True, slots=True)
class PerCsrFraming:
    """One CMS per CSR over its DER; the field is ``id|base64(CMS)~...`` (the client default: the ids
    are "shown in signature parameter", as the seed says).

    ``accept_wrapped`` lets :meth:`open` read each CMS as line-wrapped base64 (:func:`unwrap_base64`)."""

    name: str = "per-csr"
    accept_wrapped: bool = False

    def sign(self, csrs: Mapping[str, bytes], sign: Sign) -> str:
        _check_map(csrs)
        return "~".join(f"{i}|{_b64(sign(bytes(d)))}" for i, d in csrs.items())

    def open(self, signature: str, verify: Verify) -> dict[str, bytes]:
        pairs = _pairs(_field_text(signature), "signature")
        return {i: verify(_unb64(b, f"signature[{i}]", self.accept_wrapped)) for i, b in pairs}


@dataclass(frozen=True, slots=True)
class AutoCsrFraming:
    """The server default: opens a per-CSR field (it holds ``|``, which base64 never does) or a joined
    one, each possibly line-wrapped (``accept_wrapped``, on by default). Signs per-CSR.
    :attr:`detected` is not kept (the object is immutable); call :func:`detect_framing` for it."""

    name: str = "auto"
    accept_wrapped: bool = True

    def sign(self, csrs: Mapping[str, bytes], sign: Sign) -> str:
        return PerCsrFraming().sign(csrs, sign)

    def open(self, signature: str, verify: Verify) -> dict[str, bytes]:
        return detect_framing(signature, accept_wrapped=self.accept_wrapped).open(signature, verify)


def detect_framing(signature: str, *, accept_wrapped: bool = True) -> CsrFraming:
    """:class:`PerCsrFraming` when ``signature`` holds ``|``, else :class:`JoinedCsrFraming`."""
    text = _field_text(signature)
    if "|" in text:
        return PerCsrFraming(accept_wrapped=accept_wrapped)
    return JoinedCsrFraming(accept_wrapped=accept_wrapped)


#: What the client half signs by default: one CMS per CSR, ids visible in the field.
DEFAULT_FRAMING: CsrFraming = PerCsrFraming()
#: What the server half opens by default: either framing, line-wrapped base64 accepted.
SERVER_FRAMING: CsrFraming = AutoCsrFraming()


def sign_content(content: bytes | str, sign: Sign) -> str:
    """The ``signature`` field of the single-content methods: base64 of ``sign(content)``.

    createCertificate* and rekey sign the CSR (pass its DER), createPKCS12 the string of
    :func:`format_pkcs12_content`, getCertificate/revoke/suspend/reinstate the serial number,
    getCertificateByRequestID the request id (the vendor's API guide, signature table).
    """
    if not isinstance(content, (str, bytes, bytearray, memoryview)):
        raise InputError("content", f"must be bytes or text, not {type(content).__name__}")
    if not callable(sign):
        raise InputError("sign", "must be a callable signing bytes")
    data = utf8(content, "content") if isinstance(content, str) else bytes(content)
    if not data:
        raise InputError("content", "is empty")
    return _b64(sign(data))


def open_content(signature: str, verify: Verify, *, accept_wrapped: bool = False) -> bytes:
    """Inverse of :func:`sign_content`: the content ``verify(cms)`` returns (``accept_wrapped``: the
    base64 may be line-wrapped, see :func:`unwrap_base64`)."""
    return verify(_unb64(_field_text(signature), "signature", accept_wrapped))


# --- createPKCS12 signed content -------------------------------------------------------------

#: The vendor's spelling, as printed in the emCA guide.
KEY_FIELD_VENDOR = "KeyAlogirthmAndSize"
KEY_FIELD_CORRECT = "KeyAlgorithmAndSize"
_KEY_VALUE_RE = re.compile(r"\A(RSA|EC|ECDSA)-([0-9]{3,5})\Z", re.IGNORECASE)
_MAX_CONTENT = 16 * 1024


@dataclass(frozen=True, slots=True)
class Pkcs12Content:
    """The parsed createPKCS12 signed content. The password never appears in the repr."""

    subject: x509.Name
    key_algorithm: str
    key_size: int
    password: str = field(repr=False)
    separator: str = ","
    vendor_spelling: bool = True


_SEPARATORS = (",", "~")


def _masked(message: str) -> str:
    """``message`` with every quoted fragment replaced: a fragment may be part of a password."""
    return re.sub(r"'[^']*'|\"[^\"]*\"", "'...'", message)


def format_pkcs12_content(
    subject: x509.Name | Mapping[str, str] | str,
    *,
    password: str,
    key_algorithm: str = "RSA",
    key_size: int = 2048,
    separator: str = ",",
    vendor_spelling: bool = False,
) -> str:
    """``CN=..,...,KeyAlgorithmAndSize=RSA-2048,Password=..`` for createPKCS12's signature.

    ``vendor_spelling=True`` emits the guide's misspelled ``KeyAlogirthmAndSize``; ``separator`` is
    ``,`` or ``~``. The vendor documents no escaping, so a value holding ``,`` or ``~`` (either
    separator) is refused (``InputError``) rather than sent: emCA would split it, truncate the
    password and put the rest into the certificate subject.
    """
    from ...names import format_subject, parse_subject

    if separator not in _SEPARATORS:
        raise InputError("separator", "must be ',' or '~'")
    if not isinstance(password, str) or not password:
        raise InputError("password", "must be a non-empty string")
    if any(sep in password for sep in _SEPARATORS):
        raise InputError("password", "must not contain ',' or '~' (the createPKCS12 separators; emCA has no escaping)")
    if key_algorithm.upper() not in ("RSA", "EC", "ECDSA") or not isinstance(key_size, int) or key_size <= 0:
        raise InputError("key_algorithm", "must be RSA, EC or ECDSA with a positive key size")
    name = parse_subject(subject)
    for attribute in name:
        value = attribute.value if isinstance(attribute.value, str) else ""
        if any(sep in value for sep in _SEPARATORS) or "\\" in value:
            raise InputError(
                "subject",
                f"attribute {attribute.oid.dotted_string} has a ',', '~' or '\\' in its value (no escaping here)",
            )
    dn = format_subject(name, "emca", separator)
    key_field = KEY_FIELD_VENDOR if vendor_spelling else KEY_FIELD_CORRECT
    return separator.join((dn, f"{key_field}={key_algorithm.upper()}-{key_size}", f"Password={password}"))


def parse_pkcs12_content(text: str | bytes) -> Pkcs12Content:
    """Read createPKCS12 signed content with ``,`` or ``~`` and either spelling of the key field.

    Fields are ``NAME=value`` split at the separator (no escaping, as the vendor documents none);
    ``Password`` must be the last field, and text holding both separators is refused, so a
    password holding a separator is an error, never a truncated password with its tail in the
    subject. Errors never quote values (a fragment could be part of the password).
    """
    from ...names import parse_subject

    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("content", "is not UTF-8 text") from None
    if not isinstance(text, str) or not text:
        raise InputError("content", "must be non-empty text")
    if len(text) > _MAX_CONTENT:
        raise InputError("content", f"is over {_MAX_CONTENT} characters")
    if all(sep in text for sep in _SEPARATORS):
        raise InputError("content", "holds both ',' and '~': a value must not contain a separator")
    separator = "~" if "~" in text else ","
    dn_parts: list[str] = []
    key_value: str | None = None
    password: str | None = None
    vendor_spelling = False
    for index, part in enumerate(text.split(separator)):
        name, eq, value = part.partition("=")
        key = name.strip()
        if password is not None:
            raise InputError(
                "content", f"has field {index} after Password: Password must be last (a value holding the separator?)"
            )
        if not eq:
            raise InputError(f"content[{index}]", "is not NAME=value")
        if key in (KEY_FIELD_VENDOR, KEY_FIELD_CORRECT):
            if key_value is not None:
                raise InputError("content", "names the key algorithm twice")
            key_value, vendor_spelling = value.strip(), key == KEY_FIELD_VENDOR
        elif key == "Password":
            password = value
        else:
            dn_parts.append(part)
    if key_value is None:
        raise InputError("content", f"lacks {KEY_FIELD_VENDOR} (or {KEY_FIELD_CORRECT})")
    match = _KEY_VALUE_RE.match(key_value)
    if match is None:
        raise InputError("content", "key algorithm and size must look like RSA-2048")
    if not password:
        raise InputError("content", "lacks a non-empty Password")
    if not dn_parts:
        raise InputError("content", "lacks the subject fields")
    try:
        subject = parse_subject(separator.join(dn_parts), style="emca")
    except InputError as exc:
        problem = _masked(exc.rule)
    else:
        return Pkcs12Content(subject, match.group(1).upper(), int(match.group(2)), password, separator, vendor_spelling)
    raise InputError("content", f"the subject fields are not a valid subject ({problem})")
