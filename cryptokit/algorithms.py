"""The registry of hash and signature algorithms: names, aliases, OIDs, sizes, DigestInfo.

One table answers "what is this algorithm" for every layer above. Hashes are looked up by
canonical name (``sha256``), common alias (``SHA-256``, ``SHA256``, ``sha_256``) or dotted OID.
A signature-algorithm name such as Java's ``SHA256withRSA`` is *not* a hash name and is refused.
MD5 is known (so it can be named in reports) but refused unless the caller passes ``allow_md5``.

SHA-3 OIDs are NIST's (2.16.840.1.101.3.4.2.7-10); see pitfall 7 in the architecture notes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from cryptography.hazmat.primitives import hashes

from .errors import InputError, UnsupportedAlgorithm

__all__ = [
    "HashAlgorithm",
    "SignatureAlgorithm",
    "Scheme",
    "HashArg",
    "hash_algorithm",
    "hash_algorithms",
    "signature_algorithm",
    "signature_algorithms",
    "digest_info",
    "parse_digest_info",
    "oid_to_der",
]

Scheme = Literal["pkcs1v15", "pss", "ecdsa", "ed25519", "ed448", "dsa"]


def oid_to_der(dotted: str) -> bytes:
    """DER encoding (tag, length, value) of a dotted OID."""
    if not isinstance(dotted, str) or not re.fullmatch(r"[0-9]+(\.[0-9]+)+", dotted):
        raise InputError("oid", "must be a dotted object identifier such as 1.2.840.113549")
    parts = [int(p) for p in dotted.split(".")]
    if len(parts) < 2 or parts[0] > 2 or (parts[0] < 2 and parts[1] > 39):
        raise InputError("oid", f"{dotted!r} is not a valid object identifier")
    arcs = [parts[0] * 40 + parts[1], *parts[2:]]
    body = bytearray()
    for arc in arcs:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return bytes([0x06, len(body)]) + bytes(body)


@dataclass(frozen=True, slots=True)
class HashAlgorithm:
    """A hash algorithm cryptokit knows.

    ``name`` is canonical (``sha256``, ``sha512-224``, ``sha3-256``), ``oid`` the dotted NIST/RSA
    OID, ``digest_size`` in bytes. ``weak`` marks algorithms refused unless a policy allows them.
    """

    name: str
    oid: str
    digest_size: int
    block_size: int
    weak: bool = False
    _hashlib_name: str = field(default="", repr=False, compare=False)
    _crypto_cls: type[hashes.HashAlgorithm] | None = field(default=None, repr=False, compare=False)
    _new: Callable[..., Any] | None = field(default=None, repr=False, compare=False)
    # DER DigestInfo up to (not including) the digest octets; with and without NULL params.
    _di_prefix: bytes = field(default=b"", repr=False, compare=False)
    _di_prefix_no_null: bytes = field(default=b"", repr=False, compare=False)

    def new(self) -> Any:
        """A fresh ``hashlib`` hash object for this algorithm."""
        assert self._new is not None
        return self._new()

    def cryptography(self) -> hashes.HashAlgorithm:
        """An instance of the matching ``cryptography`` hash class."""
        assert self._crypto_cls is not None
        return self._crypto_cls()

    def __str__(self) -> str:
        return self.name


def _make_hash(
    name: str,
    oid: str,
    size: int,
    block: int,
    hashlib_name: str,
    crypto_cls: type[hashes.HashAlgorithm],
    *,
    weak: bool = False,
) -> HashAlgorithm:
    constructor = getattr(hashlib, hashlib_name, None)
    if constructor is None:

        def constructor(data: bytes = b"", _n: str = hashlib_name) -> Any:
            return hashlib.new(_n, data)

    oid_der = oid_to_der(oid)
    alg_null = b"\x30" + bytes([len(oid_der) + 2]) + oid_der + b"\x05\x00"
    alg_bare = b"\x30" + bytes([len(oid_der)]) + oid_der

    def prefix(alg_id: bytes) -> bytes:
        inner_len = len(alg_id) + 2 + size
        return b"\x30" + bytes([inner_len]) + alg_id + b"\x04" + bytes([size])

    return HashAlgorithm(
        name=name,
        oid=oid,
        digest_size=size,
        block_size=block,
        weak=weak,
        _hashlib_name=hashlib_name,
        _crypto_cls=crypto_cls,
        _new=constructor,
        _di_prefix=prefix(alg_null),
        _di_prefix_no_null=prefix(alg_bare),
    )


_NIST = "2.16.840.1.101.3.4.2."
_HASHES: tuple[HashAlgorithm, ...] = (
    _make_hash("md5", "1.2.840.113549.2.5", 16, 64, "md5", hashes.MD5, weak=True),
    _make_hash("sha1", "1.3.14.3.2.26", 20, 64, "sha1", hashes.SHA1),
    _make_hash("sha224", _NIST + "4", 28, 64, "sha224", hashes.SHA224),
    _make_hash("sha256", _NIST + "1", 32, 64, "sha256", hashes.SHA256),
    _make_hash("sha384", _NIST + "2", 48, 128, "sha384", hashes.SHA384),
    _make_hash("sha512", _NIST + "3", 64, 128, "sha512", hashes.SHA512),
    _make_hash("sha512-224", _NIST + "5", 28, 128, "sha512_224", hashes.SHA512_224),
    _make_hash("sha512-256", _NIST + "6", 32, 128, "sha512_256", hashes.SHA512_256),
    _make_hash("sha3-224", _NIST + "7", 28, 144, "sha3_224", hashes.SHA3_224),
    _make_hash("sha3-256", _NIST + "8", 32, 136, "sha3_256", hashes.SHA3_256),
    _make_hash("sha3-384", _NIST + "9", 48, 104, "sha3_384", hashes.SHA3_384),
    _make_hash("sha3-512", _NIST + "10", 64, 72, "sha3_512", hashes.SHA3_512),
)


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "").replace("_", "").replace("/", "").replace(" ", "")


_BY_KEY: dict[str, HashAlgorithm] = {}
_BY_OID_DER: dict[bytes, HashAlgorithm] = {}
for _h in _HASHES:
    _BY_KEY[_normalise(_h.name)] = _h
    _BY_KEY[_h.oid] = _h
    _BY_OID_DER[oid_to_der(_h.oid)] = _h
# Spellings that normalisation alone does not cover.
_BY_KEY["sha"] = _BY_KEY["sha1"]
_BY_KEY["sha2224"] = _BY_KEY["sha224"]
_BY_KEY["sha2256"] = _BY_KEY["sha256"]
_BY_KEY["sha2384"] = _BY_KEY["sha384"]
_BY_KEY["sha2512"] = _BY_KEY["sha512"]

# Raw-string cache: the hot path (the same literal name every call) skips normalisation.
_FAST: dict[str, HashAlgorithm] = {h.name: h for h in _HASHES if not h.weak}


#: What names a hash wherever cryptokit takes one: a name or alias ("SHA-256", "sha256"), a dotted
#: OID, a :class:`HashAlgorithm`, or a cryptography ``hashes.HashAlgorithm`` instance.
HashArg: TypeAlias = str | HashAlgorithm | hashes.HashAlgorithm


def hash_algorithm(
    name: HashArg,
    *,
    allow_md5: bool = False,
) -> HashAlgorithm:
    """Look up a hash algorithm by name, alias, dotted OID, or a ``cryptography`` hash instance.

    Raises :class:`UnsupportedAlgorithm` for unknown names, for signature-algorithm names such as
    ``SHA256withRSA``, and for MD5 unless ``allow_md5`` is True.
    """
    if isinstance(name, HashAlgorithm):
        alg = name
    elif isinstance(name, str):
        fast = _FAST.get(name)
        if fast is not None:
            return fast
        found = _BY_KEY.get(_normalise(name)) or _BY_KEY.get(name.strip())
        if found is None:
            lowered = name.lower()
            if "with" in lowered or "rsa" in lowered or "ecdsa" in lowered:
                raise UnsupportedAlgorithm(f"{name!r} names a signature algorithm, not a hash algorithm")
            raise UnsupportedAlgorithm(f"unknown hash algorithm {name!r}")
        alg = found
    elif isinstance(name, hashes.HashAlgorithm):
        found = _BY_KEY.get(_normalise(name.name))
        if found is None:
            raise UnsupportedAlgorithm(f"unsupported hash algorithm {name.name!r}")
        alg = found
    else:
        raise InputError("algorithm", f"must be a name, OID or HashAlgorithm, not {type(name).__name__}")
    if alg.weak and not allow_md5:
        raise UnsupportedAlgorithm(f"{alg.name} is refused (pass allow_md5=True to name it anyway)")
    return alg


def hash_algorithms(*, include_weak: bool = False) -> tuple[HashAlgorithm, ...]:
    """Every registered hash algorithm, MD5 only if ``include_weak``."""
    return tuple(h for h in _HASHES if include_weak or not h.weak)


# --------------------------------------------------------------------------- signatures


@dataclass(frozen=True, slots=True)
class SignatureAlgorithm:
    """A signature-algorithm OID resolved to (scheme, hash, encoding).

    ``hash`` is None where the OID does not fix it (rsaEncryption, RSASSA-PSS, EdDSA).
    ``encoding`` is ``raw`` for the BSI plain-ECDSA OIDs, ``der`` for X9.62 ECDSA, else None.
    """

    name: str
    oid: str
    scheme: Scheme
    hash: HashAlgorithm | None
    encoding: Literal["der", "raw"] | None = None


def _sig(
    name: str, oid: str, scheme: Scheme, h: str | None, enc: Literal["der", "raw"] | None = None
) -> SignatureAlgorithm:
    return SignatureAlgorithm(name, oid, scheme, _BY_KEY[_normalise(h)] if h else None, enc)


_RSA = "1.2.840.113549.1.1."
_ECDSA = "1.2.840.10045.4."
_BSI = "0.4.0.127.0.7.1.1.4.1."
_SIG3 = "2.16.840.1.101.3.4.3."


def _family(
    scheme: Scheme, enc: Literal["der", "raw"] | None, name: str, arc: str, arcs: dict[str, int | str]
) -> tuple[SignatureAlgorithm, ...]:
    """One algorithm per hash of ``arcs``: OID ``arc`` + its number, ``name`` with the hash's name
    (``{h}`` as registered, ``{H}`` in capitals)."""
    return tuple(_sig(name.format(h=h, H=h.upper()), f"{arc}{n}", scheme, h, enc) for h, n in arcs.items())


_SIGNATURES: tuple[SignatureAlgorithm, ...] = (
    _sig("rsaEncryption", _RSA + "1", "pkcs1v15", None),
    *_family(
        "pkcs1v15", None, "{h}WithRSAEncryption", _RSA,
        {"md5": 4, "sha1": 5, "sha224": 14, "sha256": 11, "sha384": 12, "sha512": 13,
         "sha512-224": 15, "sha512-256": 16},
    ),
    *_family(
        "pkcs1v15", None, "id-rsassa-pkcs1-v1_5-with-{h}", _SIG3,
        {"sha3-224": 13, "sha3-256": 14, "sha3-384": 15, "sha3-512": 16},
    ),
    _sig("RSASSA-PSS", _RSA + "10", "pss", None),
    *_family(
        "ecdsa", "der", "ecdsa-with-{H}", _ECDSA,
        {"sha1": "1", "sha224": "3.1", "sha256": "3.2", "sha384": "3.3", "sha512": "3.4"},
    ),
    *_family(
        "ecdsa", "der", "id-ecdsa-with-{h}", _SIG3,
        {"sha3-224": 9, "sha3-256": 10, "sha3-384": 11, "sha3-512": 12},
    ),
    *_family(
        "ecdsa", "raw", "ecdsa-plain-{H}", _BSI,
        {"sha1": 1, "sha224": 2, "sha256": 3, "sha384": 4, "sha512": 5, "sha3-224": 8, "sha3-256": 9, "sha3-384": 10,
         "sha3-512": 11},
    ),
    _sig("Ed25519", "1.3.101.112", "ed25519", None),
    _sig("Ed448", "1.3.101.113", "ed448", None),
    _sig("dsa-with-sha1", "1.2.840.10040.4.3", "dsa", "sha1"),
    _sig("dsa-with-sha256", _SIG3 + "2", "dsa", "sha256"),
)  # fmt: skip
_SIG_BY_KEY: dict[str, SignatureAlgorithm] = {}
for _s in _SIGNATURES:
    _SIG_BY_KEY[_s.oid] = _s
    _SIG_BY_KEY[_s.name.lower()] = _s


def signature_algorithm(oid_or_name: str) -> SignatureAlgorithm:
    """Resolve a signature-algorithm OID (or its registry name) to scheme, hash and encoding."""
    if not isinstance(oid_or_name, str):
        raise InputError("signature_algorithm", "must be a dotted OID or a name")
    found = _SIG_BY_KEY.get(oid_or_name.strip()) or _SIG_BY_KEY.get(oid_or_name.strip().lower())
    if found is None:
        raise UnsupportedAlgorithm(f"unknown signature algorithm {oid_or_name!r}")
    return found


def signature_algorithms() -> tuple[SignatureAlgorithm, ...]:
    """Every registered signature algorithm."""
    return _SIGNATURES


# --------------------------------------------------------------------------- DigestInfo


def digest_info(alg: str | HashAlgorithm, digest: bytes) -> bytes:
    """The RFC 8017 (section 9.2, note 1) DER DigestInfo for ``digest``, with NULL parameters.

    Raises :class:`InputError` when the digest length does not match the algorithm.
    """
    h = hash_algorithm(alg, allow_md5=isinstance(alg, HashAlgorithm))
    digest = bytes(digest)
    if len(digest) != h.digest_size:
        raise InputError("digest", f"is {len(digest)} bytes; {h.name} digests are {h.digest_size}")
    return h._di_prefix + digest


def parse_digest_info(
    der: bytes, *, allow_absent_params: bool = False, allow_md5: bool = False
) -> tuple[HashAlgorithm, bytes]:
    """Parse a DER DigestInfo into (algorithm, digest).

    Only the exact DER form with NULL parameters is accepted; the form with the parameters left out
    only with ``allow_absent_params``. Trailing bytes, BER lengths, a digest whose length does not
    match the algorithm and unknown OIDs are all :class:`InputError`.
    """
    if not isinstance(der, (bytes, bytearray, memoryview)):
        raise InputError("digest_info", "must be bytes")
    data = bytes(der)
    # SEQUENCE { SEQUENCE { OID, NULL? }, OCTET STRING }, every length short-form (DER for < 128).
    if len(data) < 2 or data[0] != 0x30 or data[1] & 0x80 or data[1] != len(data) - 2:
        raise InputError("digest_info", "is not a DER SEQUENCE of exactly its own length")
    if len(data) < 6 or data[2] != 0x30 or data[3] & 0x80 or data[4] != 0x06:
        raise InputError("digest_info", "has no AlgorithmIdentifier")
    oid_len = data[5]
    if oid_len & 0x80 or 6 + oid_len > len(data):
        raise InputError("digest_info.digestAlgorithm", "has a malformed OID")
    alg = _BY_OID_DER.get(data[4 : 6 + oid_len])
    if alg is None:
        raise InputError("digest_info.digestAlgorithm", "is not a known hash algorithm OID")
    if alg.weak and not allow_md5:
        raise InputError("digest_info.digestAlgorithm", f"{alg.name} is refused")
    body_len = len(data) - len(alg._di_prefix)
    if body_len == alg.digest_size and data.startswith(alg._di_prefix):
        return alg, data[len(alg._di_prefix) :]
    if allow_absent_params:
        body_len = len(data) - len(alg._di_prefix_no_null)
        if body_len == alg.digest_size and data.startswith(alg._di_prefix_no_null):
            return alg, data[len(alg._di_prefix_no_null) :]
    raise InputError(
        "digest_info",
        f"is not the exact DER DigestInfo for {alg.name} "
        "(NULL parameters, digest of the right length, nothing trailing)",
    )
