"""A bounded BER/DER TLV scanner that keeps byte offsets.

asn1crypto parses CMS well, but it has no size or nesting bound for definite lengths and a re-encoding
of a parsed value is not always the bytes that were received. Signature checks need exactly the received
bytes (pitfall 1), so this scanner walks the input once, refuses anything malformed or out of bounds, and
records where every element starts and ends. It decodes no values: that is left to asn1crypto, applied to
the slices this scanner finds.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from ..errors import BerError

__all__ = ["Tlv", "BerError", "scan", "UNIVERSAL", "CONTEXT"]

UNIVERSAL = 0
CONTEXT = 2

# Universal string types whose constructed form is BER only (DER requires them primitive).
_STRING_TAGS = frozenset({3, 4, 12, 18, 19, 20, 21, 22, 25, 26, 27, 28, 30})


class Tlv(NamedTuple):
    """One element: class, constructed flag and tag number; byte offsets into the scanned buffer.

    ``data[start:end]`` is the whole element as received (for an indefinite length, including the
    end-of-contents octets); ``data[content_start:content_end]`` is its contents. ``opaque``: a
    definite-length element on the scan's ``opaque`` path whose contents were not walked (``children``
    is empty; whoever reads its bytes must parse them strictly).
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
    opaque: bool = False

    def is_(self, cls: int, tag: int, constructed: bool | None = None) -> bool:
        return self.cls == cls and self.tag == tag and (constructed is None or self.constructed is constructed)


# A trie of identifier octets: each level maps the next element's identifier octet to the next level;
# the key _END marks an element at the end of a path (its SEQUENCE children are opaque).
Trie = dict[int, "Trie"]
_END = -1


def _trie(paths: tuple[tuple[int, ...], ...]) -> Trie | None:
    if not paths:
        return None
    root: Trie = {}
    for path in paths:
        level = root
        for octet in path:
            level = level.setdefault(octet, {})
        level[_END] = {}
    return root


class _Scanner:
    __slots__ = ("ber", "data", "max_depth", "nodes_left")

    def __init__(self, data: bytes, max_depth: int, max_nodes: int) -> None:
        self.data = data
        self.max_depth = max_depth
        self.nodes_left = max_nodes
        self.ber = False

    def read(self, pos: int, limit: int, depth: int, path: Trie | None = None) -> Tlv:
        """The element at ``pos``. ``path``: the trie level of this element's position (None: off
        every opaque path); a definite SEQUENCE whose parent ends a path is returned opaque."""
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
        sub: Trie | None = None  # the trie level of the children
        opaque = False
        if path is not None:
            sub = path.get(first)
            opaque = first == 0x30 and _END in path
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
                    return _new(Tlv, (cls, True, tag, start, header_end, pos, pos + 2, True, tuple(children), False))
                if pos >= limit:
                    raise BerError(f"truncated at offset {pos}: end-of-contents missing")
                child = self.read(pos, limit, depth + 1, sub)
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
            return _new(Tlv, (cls, False, tag, start, content_start, content_end, content_end, False, (), False))
        if opaque:  # a SEQUENCE: left to the caller's strict parser
            return _new(Tlv, (cls, True, tag, start, content_start, content_end, content_end, False, (), True))
        if cls == UNIVERSAL and tag in _STRING_TAGS:
            self.ber = True
        children = []
        leaf_ok = depth + 1 <= self.max_depth  # a primitive child is never opaque: no path bookkeeping
        while pos < content_end:
            # Fast path, same rules as read(): a primitive child with a low tag number and a short length.
            first = data[pos]
            if leaf_ok and not first & 0x20 and first & 0x1F != 0x1F and first and pos + 1 < content_end:
                length = data[pos + 1]
                child_end = pos + 2 + length
                if length < 0x80 and child_end <= content_end and self.nodes_left > 0:
                    self.nodes_left -= 1
                    children.append(_new(Tlv, (first >> 6, False, first & 0x1F, pos, pos + 2, child_end, child_end,
                                               False, (), False)))  # fmt: skip
                    pos = child_end
                    continue
            child = self.read(pos, content_end, depth + 1, sub)
            children.append(child)
            pos = child.end
        kids = tuple(children)
        return _new(Tlv, (cls, True, tag, start, content_start, content_end, content_end, False, kids, False))


_new = tuple.__new__
_tries = lru_cache(maxsize=16)(_trie)  # the same few path sets on every call


def scan(
    data: bytes, *, max_depth: int = 32, max_nodes: int = 500_000, opaque: tuple[tuple[int, ...], ...] = ()
) -> tuple[Tlv, bool]:
    """Scan ``data`` as exactly one BER/DER element. Returns the tree and whether BER-only forms appeared
    (indefinite lengths, non-minimal lengths, constructed strings).

    ``opaque``: paths from the root, each the identifier octets of its elements (e.g. ContentInfo,
    [0], SignedData, certificates [0]); the definite-length SEQUENCE children of an element at the end
    of a path are bounded by their length but not walked (``Tlv.opaque``): the caller checks their
    bytes itself (a strict DER parser, or :func:`scan` of the slice), so BER inside them is not
    flagged here and their elements do not count against ``max_nodes``. Other children, and
    indefinite-length ones, are walked as usual.

    Raises :class:`BerError` for anything malformed, for trailing bytes, and when a bound is exceeded.
    Proves well-formedness of the TLV structure only; it does not check value encodings or DER set order.
    """
    scanner = _Scanner(data, max_depth, max_nodes)
    root = scanner.read(0, len(data), 0, _tries(opaque))
    if root.end != len(data):
        raise BerError(f"{len(data) - root.end} trailing bytes after the element")
    return root, scanner.ber
