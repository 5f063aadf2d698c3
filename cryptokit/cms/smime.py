"""S/MIME wrappings of a CMS SignedData (RFC 8551): ``multipart/signed`` (detached: the first body part
is the signed content, the second the ``application/pkcs7-signature``) and opaque
``application/pkcs7-mime; smime-type=signed-data`` (the content inside the CMS), as ``openssl cms
-sign`` and ``openssl smime -sign`` write them.

:func:`unwrap_smime` only takes the wrapping apart; :func:`~cryptokit.cms.cms_verify` proves what the
CMS says. Headers are read with the standard library's ``email`` parser; the signed part is cut from
the raw bytes (a re-serialised MIME part would not hash the same).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..encoding import b64decode
from .parse import CmsFormatError

if TYPE_CHECKING:
    from email.message import Message

__all__ = ["SmimeParts", "is_smime", "unwrap_smime"]

_SIGNATURE_TYPES = ("application/pkcs7-signature", "application/x-pkcs7-signature")
_OPAQUE_TYPES = ("application/pkcs7-mime", "application/x-pkcs7-mime")
_HEADER_START = re.compile(rb"\A(?:[!-9;-~]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)+\r?\n")
#: An S/MIME message is text with a bounded header block; larger inputs are refused before parsing.
MAX_SMIME_SIZE = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class SmimeParts:
    """``cms``: the SignedData bytes (DER/BER); ``content``: the signed first part of a
    multipart/signed message (None for opaque signed-data, whose content is inside the CMS);
    ``kind``: ``multipart/signed`` or ``application/pkcs7-mime``."""

    cms: bytes
    content: bytes | None
    kind: str


def is_smime(data: bytes) -> bool:
    """Whether ``data`` starts with a MIME header block naming an S/MIME signed type."""
    head = _headers(data)
    return head is not None and _kind(head[0]) is not None


def _headers(data: bytes) -> tuple[Message, bytes] | None:
    match = _HEADER_START.match(data[: 64 * 1024])
    if match is None:
        return None
    from email.parser import BytesHeaderParser  # loaded for text that starts with headers, not for every CMS

    return BytesHeaderParser().parsebytes(match.group(0)), data[match.end() :]


def _kind(message: Message) -> str | None:
    ctype = message.get_content_type()
    if ctype == "multipart/signed":
        return ctype
    if ctype in _OPAQUE_TYPES:
        return "application/pkcs7-mime"
    return None


def _base64_body(body: bytes, where: str) -> bytes:
    text = b"".join(body.split())
    try:
        return b64decode(text.decode("ascii"), field=where)
    except (UnicodeDecodeError, ValueError):
        raise CmsFormatError(f"{where}: the body is not base64") from None


def unwrap_smime(data: bytes) -> SmimeParts:
    """Take an S/MIME signed message apart; CmsFormatError (an InputError) when it is not one."""
    if len(data) > MAX_SMIME_SIZE:
        raise CmsFormatError(f"S/MIME message is over the limit of {MAX_SMIME_SIZE} bytes")
    head = _headers(data)
    if head is None or _kind(head[0]) is None:
        raise CmsFormatError("not an S/MIME signed message (no multipart/signed or application/pkcs7-mime header)")
    message, body = head
    kind = _kind(message)
    if kind == "application/pkcs7-mime":
        smime_type = message.get_param("smime-type")
        if isinstance(smime_type, str) and smime_type.lower() != "signed-data":
            raise CmsFormatError(f"application/pkcs7-mime with smime-type={smime_type} is not a signed message")
        return SmimeParts(_base64_body(body, "S/MIME body"), None, kind)
    boundary = message.get_boundary()
    if not boundary:
        raise CmsFormatError("multipart/signed without a boundary parameter")
    escaped = re.escape(boundary.encode("ascii", "replace"))
    delimiter = re.compile(rb"(?:\A|\r?\n)--" + escaped + rb"(--)?[ \t]*(?:\r?\n|\Z)")
    marks = list(delimiter.finditer(body))
    if len(marks) < 3 or marks[-1].group(1) is None:
        raise CmsFormatError("multipart/signed must hold exactly two parts between its boundaries")
    if len(marks) != 3:
        raise CmsFormatError(f"multipart/signed holds {len(marks) - 1} parts, not two")
    first = body[marks[0].end() : marks[1].start()]
    second = body[marks[1].end() : marks[2].start()]
    # RFC 2046 5.1.1: the line break before a delimiter belongs to it, so the match starts there.
    sig_head = _headers(second)
    if sig_head is None or sig_head[0].get_content_type() not in _SIGNATURE_TYPES:
        raise CmsFormatError("the second part of multipart/signed is not application/pkcs7-signature")
    encoding = (sig_head[0].get("Content-Transfer-Encoding") or "base64").strip().lower()
    cms = _base64_body(sig_head[1], "S/MIME signature part") if encoding == "base64" else sig_head[1]
    return SmimeParts(cms, first, "multipart/signed")
