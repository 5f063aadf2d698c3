"""Hash-to-sign: the digest a remote-signing client sends, with its algorithm and OID.

``hash_to_sign`` streams files in large blocks (never reads them whole), so a 1 GiB document
costs one buffer of memory. ``HashToSign.from_b64`` rebuilds a value received on the wire and checks
its length against the algorithm (the condition of ADSS error 60055 and CSC's hash mismatch).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any, ClassVar, NamedTuple, Union

from .algorithms import HashAlgorithm, digest_info, hash_algorithm
from .encoding import b64decode, b64encode
from .errors import CryptokitError, InputError

if TYPE_CHECKING:
    from .hash_results import HashResults

__all__ = ["HashToSign", "HashSource", "hash_to_sign", "hash_batch", "digest_source", "BLOCK_SIZE"]

#: Read size for files and file objects (1 MiB: large enough that the per-call cost vanishes).
BLOCK_SIZE = 1024 * 1024

HashSource = Union[bytes, bytearray, memoryview, "os.PathLike[str]", "os.PathLike[bytes]", IO[bytes], Iterable[bytes]]


class _HashToSignFields(NamedTuple):
    algorithm: HashAlgorithm
    digest: bytes


class HashToSign(_HashToSignFields):
    """A digest and the algorithm that made it (immutable).

    Proves nothing by itself: it is what a client sends to be signed and what a verifier checks a
    returned signature against. It is a named tuple rather than a frozen dataclass because bulk
    hashing makes millions of them and a tuple is built three times faster.
    """

    __slots__ = ()
    #: Always True and None: lets ``hash_many`` results (``HashToSign`` or ``HashError``) be checked alike.
    ok: ClassVar[bool] = True
    error: ClassVar[None] = None

    def __new__(cls, algorithm: HashAlgorithm, digest: bytes) -> HashToSign:
        if not isinstance(algorithm, HashAlgorithm):
            raise InputError("algorithm", "must be a HashAlgorithm (use hash_algorithm(name))")
        if not isinstance(digest, bytes):
            raise InputError("digest", f"must be bytes, not {type(digest).__name__}")
        if len(digest) != algorithm.digest_size:
            raise InputError(
                "digest",
                f"is {len(digest)} bytes; {algorithm.name} digests are {algorithm.digest_size}",
            )
        return _make(cls, (algorithm, digest))

    @property
    def oid(self) -> str:
        """Dotted OID of the hash algorithm (what ADSS ``hash_algo`` and CSC ``hashAlgo`` carry)."""
        return self.algorithm.oid

    @property
    def b64(self) -> str:
        """Standard base64 of the digest."""
        return b64encode(self.digest)

    @property
    def hex(self) -> str:
        """Lowercase hex of the digest."""
        return self.digest.hex()

    def digest_info(self) -> bytes:
        """DER DigestInfo (what RSA PKCS#1 v1.5 signs)."""
        return digest_info(self.algorithm, self.digest)

    @classmethod
    def from_b64(cls, algorithm: str | HashAlgorithm, b64: str | bytes) -> HashToSign:
        """Rebuild from base64 text, checking the length against the algorithm."""
        alg = hash_algorithm(algorithm)
        return cls(alg, b64decode(b64, field="hash_to_sign_base64", max_size=1024))

    @classmethod
    def from_hex(cls, algorithm: str | HashAlgorithm, hex_text: str | bytes) -> HashToSign:
        """Rebuild from hex text, checking the length against the algorithm."""
        from .encoding import hex_decode

        alg = hash_algorithm(algorithm)
        return cls(alg, hex_decode(hex_text, field="hash_hex", max_size=1024))

    def __repr__(self) -> str:
        return f"HashToSign({self.algorithm.name}, {self.hex})"


def _digest_file(path: str | bytes | os.PathLike[Any], alg: HashAlgorithm) -> bytes:
    h = alg.new()
    buf = bytearray(BLOCK_SIZE)
    view = memoryview(buf)
    try:
        with open(path, "rb", buffering=0) as f:
            while n := f.readinto(buf):
                h.update(view[:n])
    except OSError as exc:
        raise InputError("source", f"cannot read file: {exc.strerror or exc}") from None
    return bytes(h.digest())


def _digest_fileobj(f: Any, alg: HashAlgorithm) -> bytes:
    h = alg.new()
    readinto = getattr(f, "readinto", None)
    try:
        if readinto is not None:
            buf = bytearray(BLOCK_SIZE)
            view = memoryview(buf)
            while n := readinto(buf):
                h.update(view[:n])
        else:
            while chunk := f.read(BLOCK_SIZE):
                if not isinstance(chunk, (bytes, bytearray, memoryview)):
                    raise InputError("source", "file object must be opened in binary mode")
                h.update(chunk)
    except OSError as exc:
        raise InputError("source", f"cannot read file object: {exc.strerror or exc}") from None
    return bytes(h.digest())


def _digest_chunks(chunks: Iterable[Any], alg: HashAlgorithm) -> bytes:
    h = alg.new()
    for index, chunk in enumerate(chunks):
        if not isinstance(chunk, (bytes, bytearray, memoryview)):
            raise InputError(f"source[{index}]", f"chunks must be bytes, not {type(chunk).__name__}")
        h.update(chunk)
    return bytes(h.digest())


def digest_source(source: Any, alg: HashAlgorithm) -> bytes:
    """The raw digest of any supported source (the engine behind ``hash_to_sign``)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(alg._new(source).digest())  # type: ignore[misc]
    if isinstance(source, os.PathLike):
        return _digest_file(source, alg)
    if isinstance(source, str):
        raise InputError("source", "a str is ambiguous: pass bytes for data or a pathlib.Path for a file")
    if hasattr(source, "readinto") or hasattr(source, "read"):
        return _digest_fileobj(source, alg)
    if isinstance(source, Iterable):
        return _digest_chunks(source, alg)
    raise InputError("source", f"must be bytes, a path, a binary file object or chunks, not {type(source).__name__}")


_make = tuple.__new__  # builds a HashToSign whose digest length is already known to be right


def hash_to_sign(source: HashSource, algorithm: str | HashAlgorithm = "sha256") -> HashToSign:
    """Hash ``source`` (bytes-like data, a path, a binary file object, or an iterable of chunks).

    Files are streamed in 1 MiB blocks. Errors reading the source are :class:`InputError`.
    """
    alg = hash_algorithm(algorithm)
    try:
        digest = digest_source(source, alg)
    except CryptokitError:
        raise
    except (TypeError, ValueError) as exc:  # e.g. a closed file object
        raise InputError("source", f"cannot be read: {type(exc).__name__}") from None
    return _make(HashToSign, (alg, digest))


def hash_batch(sources: Iterable[HashSource], algorithm: str | HashAlgorithm = "sha256") -> HashResults:
    """Hash many sources in order in this thread; the first bad source raises.

    The engine under ``bulk.hash_many``: the algorithm is resolved once and ``bytes`` take a fast
    path that keeps only the digest; the :class:`~cryptokit.hash_results.HashResults` returned
    builds each ``HashToSign`` when it is read, so many small documents cost what bare ``hashlib`` does.
    """
    from .hash_results import HashResults

    alg = hash_algorithm(algorithm)
    new = alg._new
    assert new is not None
    entries = [new(s).digest() if type(s) is bytes else hash_to_sign(s, alg).digest for s in sources]
    return HashResults._trusted(alg, entries, 0)
