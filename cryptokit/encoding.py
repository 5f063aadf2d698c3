"""Strict decoders for the wire encodings vendors use: base64, hex, PEM armour, DER/BER sniffing.

Strict means: the standard alphabet only (or the URL-safe one when asked), canonical padding,
no embedded whitespace unless asked, and a size limit on every decoder. Each failure is an
:class:`~cryptokit.errors.InputError` naming the field and the rule.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

import pybase64

from .errors import InputError

__all__ = [
    "DEFAULT_MAX_SIZE",
    "utf8",
    "b64decode",
    "b64_token",
    "b64encode",
    "b64encode_all",
    "hex_decode",
    "hex_encode",
    "PemBlock",
    "pem_decode",
    "pem_decode_all",
    "pem_encode",
    "is_pem",
    "asn1_kind",
    "to_bytes",
]

#: Default upper bound, in bytes of *input*, for every decoder (64 MiB).
DEFAULT_MAX_SIZE = 64 * 1024 * 1024

_B64_STD = re.compile(rb"\A[A-Za-z0-9+/=]*\Z")
_B64_URL = re.compile(rb"\A[A-Za-z0-9\-_=]*\Z")
_WS = re.compile(rb"[ \t\r\n]+")
_HEX = re.compile(rb"\A[0-9A-Fa-f]*\Z")


def to_bytes(data: bytes | bytearray | memoryview | str, field: str) -> bytes:
    """Return ``data`` as bytes; text must be ASCII."""
    if isinstance(data, str):
        try:
            return data.encode("ascii")
        except UnicodeEncodeError:
            raise InputError(field, "must be ASCII text") from None
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise InputError(field, f"must be bytes or str, not {type(data).__name__}")


def input_bytes(data: object, field: str, max_size: int, *, text: Callable[[str], bytes], accepted: str) -> bytes:
    """``data`` as bytes, at most ``max_size`` of them: text through ``text`` (which names ``field`` in
    its errors), bytes-like copied. Any other type is an InputError saying ``must be {accepted}``."""
    if isinstance(data, str):
        raw = text(data)
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
    else:
        raise InputError(field, f"must be {accepted}, not {type(data).__name__}")
    if len(raw) > max_size:
        raise InputError(field, f"is {len(raw)} bytes, over the limit of {max_size}")
    return raw


def _size_of(data: object) -> int:
    """Bytes (or characters) in ``data``, read before any copy: a memoryview counts bytes, not items."""
    if isinstance(data, memoryview):
        return data.nbytes
    return len(data) if isinstance(data, (str, bytes, bytearray)) else 0


def _check_size(data: bytes | bytearray | memoryview | str, field: str, max_size: int) -> None:
    size = _size_of(data)
    if size > max_size:
        raise InputError(field, f"is {size} bytes, over the limit of {max_size}")


# Value of each standard base64 letter, for the check that the bits below the padding are zero.
_B64_VALUE = {c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def _canonical_tail(text: str | bytes) -> bool:
    """Whether the unused bits before the padding of validated standard base64 are zero.

    "QR==" and "QQ==" both decode to b"A"; only the second is the encoding. Called after a
    successful validating decode, so ``text`` is in the alphabet and its length a multiple of 4.
    """
    if isinstance(text, str):
        if text[-1:] != "=" or len(text) < 3:  # no padding: every bit is used
            return True
        if text[-2] == "=":  # "x==": the letter before carries 2 bits of data and 4 unused
            return _B64_VALUE[ord(text[-3])] & 0x0F == 0
        return _B64_VALUE[ord(text[-2])] & 0x03 == 0  # "xy=": 2 unused bits
    if text[-1:] != b"=" or len(text) < 3:
        return True
    if text[-2] == 0x3D:
        return _B64_VALUE[text[-3]] & 0x0F == 0
    return _B64_VALUE[text[-2]] & 0x03 == 0


def b64_token(data: str | bytes) -> bytes | None:
    """The bytes of ``data`` when it is one strict standard base64 token (alphabet, padding and
    zero bits below the padding, as :func:`b64decode` requires; no size limit), else None.

    :func:`b64decode`'s common case in the fewest steps, for callers that decode many small
    values and read a refused one again with :func:`b64decode`, which names the rule it breaks.
    """
    try:
        out = pybase64.b64decode(data, validate=True)
    except (ValueError, TypeError):  # binascii.Error is a ValueError, and so is non-ASCII text
        return None  # (TypeError: not text or bytes; b64decode names the rule)
    return out if _canonical_tail(data) else None


def b64decode(
    data: bytes | bytearray | memoryview | str,
    *,
    field: str = "base64",
    urlsafe: bool = False,
    allow_whitespace: bool = False,
    require_padding: bool = True,
    max_size: int = DEFAULT_MAX_SIZE,
) -> bytes:
    """Decode base64 strictly.

    Refuses characters outside the alphabet, wrong padding, non-zero trailing bits (a second
    spelling of the same bytes) and whitespace unless ``allow_whitespace``. URL-safe input may
    omit padding when ``require_padding`` is False. Standard base64 is decoded by pybase64's SIMD
    codec (about 50 times the standard library's speed); anything it refuses goes through the
    checks below, which name the rule that failed.
    """
    if not urlsafe and not allow_whitespace and (type(data) is str or type(data) is bytes) and len(data) <= max_size:
        out = b64_token(data)  # the common case; anything refused gets the checks below, which name the rule
        if out is not None:
            return out
    _check_size(data, field, max_size)
    text: str | bytes
    if isinstance(data, (str, bytes)) and not allow_whitespace:
        text = data  # pybase64 reads ASCII text in place: no copy of a large token
    else:
        text = to_bytes(data, field)
        if allow_whitespace:
            text = _WS.sub(b"", text)
    if not urlsafe:
        try:
            out = pybase64.b64decode(text, validate=True)
        except ValueError:  # binascii.Error is a ValueError, and so is non-ASCII text
            pass
        else:
            if _canonical_tail(text):
                return out
    raw = to_bytes(text, field)
    pattern = _B64_URL if urlsafe else _B64_STD
    if not pattern.match(raw):
        alphabet = "URL-safe base64" if urlsafe else "standard base64"
        raise InputError(field, f"has characters outside the {alphabet} alphabet")
    if len(raw) % 4:
        if require_padding:
            raise InputError(field, "base64 length is not a multiple of 4 (bad padding)")
        if b"=" in raw:
            raise InputError(field, "base64 has partial padding")
        raw += b"=" * (-len(raw) % 4)
    if b"=" in raw.rstrip(b"="):
        raise InputError(field, "base64 has padding in the middle")
    if urlsafe:
        raw = raw.replace(b"-", b"+").replace(b"_", b"/")
    try:
        out = binascii.a2b_base64(raw, strict_mode=True)
    except binascii.Error:
        raise InputError(field, "is not valid base64") from None
    # Canonical form: re-encoding must give the same text (no stray bits in the last quantum).
    if binascii.b2a_base64(out, newline=False) != raw:
        raise InputError(field, "base64 has non-zero trailing bits (non-canonical)")
    if not urlsafe:  # the fast decoder refused what these checks pass: trust the refusal
        raise InputError(field, "is not valid base64")
    return out


def b64encode(data: bytes | bytearray | memoryview, *, urlsafe: bool = False) -> str:
    """Encode as standard (or URL-safe) base64 text, padded (pybase64's SIMD codec)."""
    if isinstance(data, memoryview) and not (data.c_contiguous and data.ndim == 1 and data.itemsize == 1):
        data = data.tobytes()  # a shaped or strided view: its bytes, not its items
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError("data", f"must be bytes, not {type(data).__name__}")
    return pybase64.b64encode_as_string(data, altchars=b"-_" if urlsafe else None)


def b64encode_all(items: list[bytes]) -> list[str]:
    """Standard base64 of each of ``items`` (all ``bytes``), in one C-level pass: for columns of digests."""
    try:
        return list(map(pybase64.b64encode_as_string, items))
    except TypeError:
        raise InputError("items", "must be a list of bytes") from None


def hex_decode(
    data: bytes | bytearray | memoryview | str,
    *,
    field: str = "hex",
    max_size: int = DEFAULT_MAX_SIZE,
) -> bytes:
    """Decode hexadecimal (either case, even length, nothing else)."""
    raw = to_bytes(data, field)
    _check_size(raw, field, max_size)
    if not _HEX.match(raw):
        raise InputError(field, "has characters that are not hexadecimal digits")
    if len(raw) % 2:
        raise InputError(field, "hex has an odd number of digits")
    return binascii.unhexlify(raw)


def hex_encode(data: bytes | bytearray | memoryview) -> str:
    """Lowercase hexadecimal."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError("data", f"must be bytes, not {type(data).__name__}")
    return bytes(data).hex()


@dataclass(frozen=True, slots=True)
class PemBlock:
    """One PEM block: its label (e.g. ``CERTIFICATE``) and decoded DER bytes."""

    label: str
    der: bytes


# Anchored pieces of one block; the body between them is found with bytes.find, so a scan is linear in
# the input (a single DOTALL regex with a lazy body rescans to the end for every BEGIN without an END).
_PEM_BEGIN = b"-----BEGIN "
_PEM_END = b"-----END "
_PEM_BEGIN_LINE = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n")
_PEM_END_LINE = re.compile(rb"-----END ([A-Z0-9 ]+)-----")


def is_pem(data: bytes) -> bool:
    """True if ``data`` contains a PEM BEGIN line."""
    if not isinstance(data, (bytes, bytearray)):
        raise InputError("data", f"must be bytes, not {type(data).__name__}")
    return b"-----BEGIN " in data


def pem_decode_all(
    data: bytes | str,
    *,
    labels: tuple[str, ...] | None = None,
    field: str = "pem",
    max_size: int = DEFAULT_MAX_SIZE,
) -> list[PemBlock]:
    """Every PEM block in ``data``, in order.

    With ``labels``, a block with another label is an :class:`InputError` (never silently skipped).
    BEGIN and END labels must match. Headers (RFC 1421 ``Proc-Type:``) are refused.
    """
    raw = to_bytes(data, field)  # refuses non-bytes/str types before touching them (never bytes(int))
    _check_size(raw, field, max_size)
    blocks: list[PemBlock] = []
    for index, (begin, body, end) in enumerate(_pem_blocks(raw, field)):
        label = begin.decode("ascii")
        where = f"{field}[{index}]"
        if begin != end:
            raise InputError(where, f"BEGIN {label} does not match END {end.decode('ascii')}")
        if labels is not None and label not in labels:
            raise InputError(where, f"label {label} is not one of {', '.join(labels)}")
        if b":" in body:
            raise InputError(where, "encrypted or annotated PEM headers are not supported")
        der = b64decode(body, field=where, allow_whitespace=True, max_size=max_size)
        blocks.append(PemBlock(label, der))
    if not blocks:
        raise InputError(field, "contains no PEM block")
    return blocks


def _pem_blocks(raw: bytes, field: str) -> Iterator[tuple[bytes, bytes, bytes]]:
    """(BEGIN label, body, END label) of each block, in order, in one linear pass.

    A text that is not a well-formed BEGIN line is skipped, as is text between blocks. A well-formed
    BEGIN line with no END line after it is an :class:`InputError`.
    """
    pos = 0
    index = 0
    while (start := raw.find(_PEM_BEGIN, pos)) != -1:
        begin = _PEM_BEGIN_LINE.match(raw, start)
        if begin is None:
            pos = start + 1
            continue
        body_start = begin.end()
        cursor = body_start
        while (cursor := raw.find(_PEM_END, cursor)) != -1:
            end = _PEM_END_LINE.match(raw, cursor)
            if end is not None:
                break
            cursor += 1
        else:
            label = begin.group(1).decode("ascii")
            raise InputError(f"{field}[{index}]", f"BEGIN {label} has no END line")
        yield begin.group(1), raw[body_start:cursor], end.group(1)
        pos = end.end()
        index += 1


def pem_decode(
    data: bytes | str,
    *,
    label: str | tuple[str, ...],
    field: str = "pem",
    max_size: int = DEFAULT_MAX_SIZE,
) -> bytes:
    """The DER of the single PEM block in ``data``, whose label must be ``label``."""
    labels = (label,) if isinstance(label, str) else label
    blocks = pem_decode_all(data, labels=labels, field=field, max_size=max_size)
    if len(blocks) != 1:
        raise InputError(field, f"holds {len(blocks)} PEM blocks, expected exactly one")
    return blocks[0].der


def pem_encode(der: bytes, label: str) -> str:
    """PEM armour with 64-character lines."""
    body = b64encode(der)
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def asn1_kind(data: bytes | bytearray | memoryview) -> Literal["der", "ber", "not-asn1"]:
    """Sniff whether ``data`` is one DER/BER TLV: ``der`` (definite lengths at the top, exact
    length), ``ber`` (indefinite length at the top) or ``not-asn1``.

    It looks only at the outer header; it is a sniff, not a validation. Anything but bytes is an
    :class:`InputError`.
    """
    if isinstance(data, memoryview):
        data = bytes(data)
    elif not isinstance(data, (bytes, bytearray)):
        raise InputError("data", f"must be bytes, not {type(data).__name__}")
    if len(data) < 2:
        return "not-asn1"
    pos = 1
    if data[0] & 0x1F == 0x1F:  # high tag number form
        while pos < len(data) and data[pos] & 0x80:
            pos += 1
        pos += 1
    if pos >= len(data):
        return "not-asn1"
    first = data[pos]
    pos += 1
    if first == 0x80:
        return "ber" if data[0] & 0x20 else "not-asn1"
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0x7F or count > 8 or pos + count > len(data):
            return "not-asn1"
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length != len(data):
        return "not-asn1"
    return "der"


def der_header(der: bytes, i: int) -> tuple[int, int]:
    """(index of the content, content length) of the DER element whose tag is at ``der[i]``
    (one-byte tags, definite lengths). A walker for reading a known structure's few fields without a
    parser; it validates nothing, and a truncated input raises IndexError.

    Internal (not in ``__all__``, not public API): the hot read paths (certificate admission, chain
    validation: about 25 calls per certificate) rely on that IndexError in their own ``except`` clause,
    so it stays bare here; public callers parse DER with :func:`asn1_kind` or a real parser."""
    first = der[i + 1]
    if first < 0x80:
        return i + 2, first
    n = first & 0x7F
    if i + 2 + n > len(der):
        raise IndexError("truncated DER length")
    return i + 2 + n, int.from_bytes(der[i + 2 : i + 2 + n], "big")


def utf8(text: str, field: str) -> bytes:
    """``text`` in UTF-8; a str that has none (lone surrogates, as ``bytes.decode(..., "surrogateescape")``
    gives for an answer that is not UTF-8) is an InputError naming ``field`` that does not quote it.

    The error is raised outside the ``except`` block, so not even ``__context__`` keeps the text."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    except AttributeError:
        raise InputError(field, f"must be text, not {type(text).__name__}") from None
    raise InputError(field, "is text that cannot be encoded as UTF-8 (lone surrogates)")
