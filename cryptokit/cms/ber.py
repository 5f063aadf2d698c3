"""A bounded BER/DER TLV scanner that keeps byte offsets.

asn1crypto parses CMS well, but it has no size or nesting bound for definite lengths and a re-encoding
of a parsed value is not always the bytes that were received. Signature checks need exactly the received
bytes (pitfall 1), so this scanner walks the input once, refuses anything malformed or out of bounds, and
records where every element starts and ends. It decodes no values: that is left to asn1crypto, applied to
the slices this scanner finds.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import BerError

__all__ = ["Tlv", "BerError", "scan", "UNIVERSAL", "CONTEXT"]

UNIVERSAL = 0
CONTEXT = 2

# Universal string types whose constructed form is BER only (DER requires them primitive).
_STRING_TAGS = frozenset({3, 4, 12, 18, 19, 20, 21, 22, 25, 26, 27, 28, 30})


@dataclass(frozen=True, slots=True)
class Tlv:
    """One element: class, constructed flag and tag number; byte offsets into the scanned buffer.

    ``data[start:end]`` is the whole element as received (for an indefinite length, including the
    end-of-contents octets); ``data[content_start:content_end]`` is its contents.
    """

    cls: int
    constructed: bool
    tag: int
    start: int
    content_start: int
    content_end: int
    end: int
    indefinite: bool
    children: tuple[Tlv, ...]

    def is_(self, cls: int, tag: int, constructed: bool | None = None) -> bool:
        return self.cls == cls and self.tag == tag and (constructed is None or self.constructed is constructed)


class _Scanner:
    __slots__ = ("ber", "data", "max_depth", "nodes_left")

    def __init__(self, data: bytes, max_depth: int, max_nodes: int) -> None:
        self.data = data
        self.max_depth = max_depth
        self.nodes_left = max_nodes
        self.ber = False

    def read(self, pos: int, limit: int, depth: int) -> Tlv:
        data = self.data
        if depth > self.max_depth:
            raise BerError(f"nesting deeper than {self.max_depth} levels", bound=True)
        self.nodes_left -= 1
        if self.nodes_left < 0:
            raise BerError("too many ASN.1 elements", bound=True)
        start = pos
        if pos >= limit:
            raise BerError(f"truncated at offset {pos}: tag expected")
        first = data[pos]
        pos += 1
        cls = first >> 6
        constructed = bool(first & 0x20)
        tag = first & 0x1F
        if tag == 0x1F:
            tag = 0
            for count in range(5):
                if pos >= limit:
                    raise BerError(f"truncated at offset {pos}: tag number")
                octet = data[pos]
                pos += 1
                if count == 0 and octet == 0x80:
                    raise BerError(f"non-minimal tag number at offset {start}")
                tag = (tag << 7) | (octet & 0x7F)
                if not octet & 0x80:
                    break
            else:
                raise BerError(f"tag number too long at offset {start}")
            if tag < 0x1F:
                self.ber = True
        elif first == 0:
            raise BerError(f"unexpected end-of-contents at offset {start}")
        if pos >= limit:
            raise BerError(f"truncated at offset {pos}: length expected")
        length_octet = data[pos]
        pos += 1
        if length_octet == 0x80:
            if not constructed:
                raise BerError(f"indefinite length on a primitive element at offset {start}")
            self.ber = True
            header_end = pos
            children: list[Tlv] = []
            while True:
                if pos + 2 <= limit and data[pos] == 0 and data[pos + 1] == 0:
                    return Tlv(cls, True, tag, start, header_end, pos, pos + 2, True, tuple(children))
                if pos >= limit:
                    raise BerError(f"truncated at offset {pos}: end-of-contents missing")
                child = self.read(pos, limit, depth + 1)
                children.append(child)
                pos = child.end
        if length_octet & 0x80:
            count = length_octet & 0x7F
            if count == 0x7F or count > 8:
                raise BerError(f"length of length {count} at offset {start}")
            if pos + count > limit:
                raise BerError(f"truncated at offset {pos}: length octets")
            length = int.from_bytes(data[pos : pos + count], "big")
            if length < 0x80 or data[pos] == 0:
                self.ber = True  # non-minimal length encoding
            pos += count
        else:
            length = length_octet
        content_start = pos
        content_end = pos + length
        if content_end > limit:
            raise BerError(f"truncated: element at offset {start} claims {length} bytes, {limit - pos} remain")
        if not constructed:
            return Tlv(cls, False, tag, start, content_start, content_end, content_end, False, ())
        if cls == UNIVERSAL and tag in _STRING_TAGS:
            self.ber = True
        children = []
        while pos < content_end:
            child = self.read(pos, content_end, depth + 1)
            children.append(child)
            pos = child.end
        return Tlv(cls, True, tag, start, content_start, content_end, content_end, False, tuple(children))


def scan(data: bytes, *, max_depth: int = 32, max_nodes: int = 500_000) -> tuple[Tlv, bool]:
    """Scan ``data`` as exactly one BER/DER element. Returns the tree and whether BER-only forms appeared
    (indefinite lengths, non-minimal lengths, constructed strings).

    Raises :class:`BerError` for anything malformed, for trailing bytes, and when a bound is exceeded.
    Proves well-formedness of the TLV structure only; it does not check value encodings or DER set order.
    """
    scanner = _Scanner(data, max_depth, max_nodes)
    root = scanner.read(0, len(data), 0)
    if root.end != len(data):
        raise BerError(f"{len(data) - root.end} trailing bytes after the element")
    return root, scanner.ber
