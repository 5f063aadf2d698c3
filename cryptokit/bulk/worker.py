"""The worker side of ``verify_many``: one verification per row, with a per-process key cache.

A chunk arrives as ``(key_refs, rows, offset)``. ``key_refs`` are the distinct keys the chunk uses:
already loaded :class:`~cryptokit.signatures.PublicKey` objects (in-process and thread runs) or
picklable references (process and cluster runs): DER/PEM bytes of a certificate or
SubjectPublicKeyInfo, or ``("pss", spki_der, hash, mgf_hash, salt_length, pss_key)`` for an
RSASSA-PSS key whose parameters would be lost in a plain SPKI. A reference is parsed once per worker
process and kept in a bounded cache (the one piece of module state in cryptokit, by design: it is
what makes "each distinct key loaded once per worker" true on a cluster).

Each row is checked with :func:`cryptokit.signatures.verify_digest` or ``verify_message``, or,
for plain RSA PKCS#1 v1.5, ECDSA and EdDSA rows, with the one cryptography call that
``verify_digest``'s own fast path makes (a failure is checked again the slow way, which names the
error); a :class:`PlainRun` of such rows is verified in one loop. No certificate chain is validated
here (see :mod:`cryptokit.chain` and its cache).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple, cast

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ..algorithms import hash_algorithm
from ..errors import CryptokitError, InputError
from ..signatures.ecdsa_encoding import is_strict_der, order_byte_length
from ..signatures.prehashed import HASH_BY_NAME, direct_args, verify_direct
from ..signatures.public_keys import KIND_EC, KIND_ED448, KIND_ED25519, KIND_RSA, rsa_exponent_problem
from ..signatures.sign_verify import (
    MAX_SIGNATURE_SIZE,
    PssParams,
    PublicKey,
    load_public_key,
    verify_digest,
    verify_message,
)
from .packed_errors import pack_error, relabel, unpack_error
from .results import VerifyResult
from .results import ok_result as _ok

__all__ = [
    "KeyRef",
    "Row",
    "PlainRun",
    "verify_chunk",
    "verify_rows",
    "prepare",
    "key_cache_info",
    "reset_key_cache",
    "KEY_CACHE_SIZE",
]

#: Most parsed keys a worker process keeps (oldest dropped first).
KEY_CACHE_SIZE: Final = 4096

#: A picklable key reference, or a loaded PublicKey (same process only).
KeyRef = Any
#: (key index, signature, digest, message, algorithm, scheme, signature_encoding, pss_salt_length,
#: pss_mgf_hash), a :class:`PlainRun` of plain digest jobs, or a ready VerifyResult for a job the
#: caller already found malformed.
Row = Any


@dataclass(frozen=True, slots=True)
class Prepared:
    """A loaded key with what the hot loop needs: what to pass to verify, the auto scheme, the EC order length."""

    call_key: Any  # the cryptography key (fast path of verify_digest) or the PublicKey (RSASSA-PSS keys)
    auto_scheme: str
    raw_length: int  # 2 * order byte length for EC keys, else 0
    fast: int = 0  # _FAST_RSA/_FAST_EC/_FAST_ED: plain rows may call cryptography directly (see verify_rows)


# Keys whose plain rows verify_rows checks with one cryptography call (what verify_digest's own
# fast path does); anything else, and any failure, goes through verify_digest/verify_message.
_FAST_RSA: Final = 1  # RSA without PSS parameters, exponent already checked (SP 800-89)
_FAST_EC: Final = 2
_FAST_ED: Final = 3


@dataclass(frozen=True, slots=True)
class Failed:
    """A key that could not be loaded; every row that uses it gets ``error``."""

    error: CryptokitError


def prepare(pk: PublicKey) -> Prepared:
    """Hot-loop facts for a loaded :class:`~cryptokit.signatures.PublicKey`."""
    if pk.kind == KIND_RSA:
        if pk.pss is not None:
            return Prepared(pk, "pss", 0)
        fast = _FAST_RSA if rsa_exponent_problem(cast(rsa.RSAPublicKey, pk.key)) is None else 0  # kind says RSA
        return Prepared(pk.key, "pkcs1v15", 0, fast)
    if pk.kind == KIND_EC:
        try:
            length = 2 * order_byte_length(cast(ec.EllipticCurvePublicKey, pk.key))  # kind says EC
        except CryptokitError:
            length = 0  # verify_digest reports the unsupported curve
        return Prepared(pk.key, "ecdsa", length, _FAST_EC if length else 0)
    if pk.kind == KIND_ED25519:
        return Prepared(pk.key, "ed25519", 0, _FAST_ED)
    if pk.kind == KIND_ED448:
        return Prepared(pk.key, "ed448", 0, _FAST_ED)
    return Prepared(pk, "auto", 0)


def load_ref(ref: KeyRef) -> Prepared | Failed:
    """Load one key reference (no cache): see the module docstring for the forms."""
    _STATS["loads"] += 1
    try:
        if isinstance(ref, PublicKey):
            return prepare(ref)
        if isinstance(ref, tuple):
            if ref[0] == "error":
                return Failed(unpack_error(ref[1]))
            if ref[0] == "pss":
                _tag, spki, hash_name, mgf_name, salt, pss_key = ref
                base = load_public_key(spki)
                params = PssParams(hash_algorithm(hash_name), hash_algorithm(mgf_name), salt)
                return prepare(PublicKey(base.key, base.kind, params, pss_key))
            raise InputError("key", "unknown key reference")
        return prepare(load_public_key(ref))
    except CryptokitError as exc:
        return Failed(exc)
    except Exception as exc:  # fail closed: a key that cannot be loaded verifies nothing
        return Failed(unpack_error(pack_error(exc)))


# Per-process state: the parsed-key cache and its counters (see the module docstring).
_CACHE: dict[Any, Prepared | Failed] = {}
_STATS: dict[str, int] = {"loads": 0, "hits": 0}


def cached(ref: KeyRef) -> Prepared | Failed:
    """``load_ref`` through this process's key cache."""
    found = _CACHE.get(ref)
    if found is not None:
        _STATS["hits"] += 1
        return found
    value = load_ref(ref)
    if len(_CACHE) >= KEY_CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)), None)
    _CACHE[ref] = value
    return value


def key_cache_info() -> dict[str, int]:
    """This process's key loads (calls of ``load_public_key`` by the bulk engine), cache hits and size, and pid."""
    return {"loads": _STATS["loads"], "hits": _STATS["hits"], "size": len(_CACHE), "pid": os.getpid()}


def reset_key_cache() -> None:
    """Empty this process's key cache and zero its counters (usable as an executor ``initializer``)."""
    _CACHE.clear()
    _STATS["loads"] = 0
    _STATS["hits"] = 0


def verify_chunk(refs: Sequence[KeyRef], rows: Sequence[Row], offset: int) -> list[VerifyResult]:
    """Worker entry point: resolve the chunk's keys through the cache, then verify every row in order."""
    keys = [cached(ref) for ref in refs]
    return verify_rows(keys, rows, offset)


class PlainRun(NamedTuple):
    """Consecutive plain digest jobs that share key, algorithm, scheme and encoding, stored by column.

    The common case of a bulk run (one key, prehashed digests, default options) costs one tuple
    and two list slots per job instead of a nine-field row, and verifies in a tight loop.
    """

    key_index: int
    algorithm: str | None
    scheme: Any
    encoding: Any
    signatures: list[Any]
    digests: list[bytes]


def verify_rows(keys: Sequence[Prepared | Failed], rows: Sequence[Row], offset: int) -> list[VerifyResult]:
    """Verify ``rows`` (indices ``offset...`` in the caller's job list) against already loaded ``keys``."""
    out: list[VerifyResult] = []
    append = out.append
    index = offset
    for row in rows:
        if type(row) is PlainRun:
            _verify_run(keys[row.key_index], row, index, out)
            index += len(row.signatures)
            continue
        if type(row) is VerifyResult:
            append(row)
        else:
            key_index, sig, digest, message, algorithm, scheme, encoding, salt, mgf = row
            try:
                append(
                    _verify_row(keys[key_index], sig, digest, message, algorithm, scheme, encoding, salt, mgf, index)
                )
            except Exception as exc:  # a job field whose own methods raise (an __eq__, say): one failed job
                append(VerifyResult(False, unpack_error(pack_error(exc)), None, None))
        index += 1
    return out


def _verify_run(p: Prepared | Failed, run: PlainRun, index: int, out: list[VerifyResult]) -> None:
    """Append one result per job of ``run``; plain RSA and ECDSA-DER signatures go through one loop."""
    append = out.append
    base = len(out)
    algorithm, scheme, encoding = run.algorithm, run.scheme, run.encoding
    h = HASH_BY_NAME.get(algorithm) if type(algorithm) is str else None
    if h is not None and isinstance(p, Prepared):
        size = h.digest_size
        raw_length = 0
        extra: tuple[Any, ...] | None = None
        ok = None
        if p.fast == _FAST_RSA:
            extra, ok = direct_args(KIND_RSA, h.name, scheme, encoding), _ok("pkcs1v15", None)
        elif p.fast == _FAST_EC and encoding in ("auto", "der"):
            extra, ok = direct_args(KIND_EC, h.name, scheme, "der"), _ok("ecdsa", "der")
            raw_length = p.raw_length if encoding == "auto" else 0  # "auto" reads that length as raw r||s
        if extra is not None and ok is not None:  # p.fast says call_key is a cryptography key
            verify = p.call_key.verify  # prehashed.verify_direct, with the method looked up once per run
            for sig, digest in zip(run.signatures, run.digests, strict=True):
                if (
                    type(sig) is bytes
                    and len(sig) <= MAX_SIGNATURE_SIZE
                    and len(digest) == size
                    and len(sig) != raw_length
                ):
                    try:
                        verify(sig, digest, *extra)
                        append(ok)
                        continue
                    except Exception:  # noqa: S110 - verified again below, which reports the typed error
                        pass
                position = index + len(out) - base
                append(_verify_row(p, sig, digest, None, algorithm, scheme, encoding, None, None, position, fast=False))
            return
    for sig, digest in zip(run.signatures, run.digests, strict=True):
        append(_verify_row(p, sig, digest, None, algorithm, scheme, encoding, None, None, index + len(out) - base))


def _verify_row(
    p: Prepared | Failed,
    sig: Any,
    digest: Any,
    message: Any,
    algorithm: Any,
    scheme: Any,
    encoding: Any,
    salt: Any,
    mgf: Any,
    index: int,
    *,
    fast: bool = True,
) -> VerifyResult:
    """The result of one job (job number ``index``) against its loaded key.

    ``fast=False`` skips the direct cryptography call, for a job whose direct call already failed.
    """
    if isinstance(p, Failed):
        return VerifyResult(False, _label(p.error, index), None, None)
    shown = p.auto_scheme if scheme == "auto" else scheme
    enc = encoding
    if p.raw_length:
        if enc == "auto" and type(sig) is bytes:
            enc = "raw" if len(sig) == p.raw_length else "der"  # the rule of encoding "auto", decided up front
        shown_enc = enc if enc in ("der", "raw") else None
    else:
        shown_enc = None
    fast_kind = p.fast if fast else 0
    if fast_kind and salt is None and mgf is None and type(sig) is bytes and len(sig) <= MAX_SIGNATURE_SIZE:
        # The plain case, checked exactly as verify_digest's fast path checks it; a failure falls
        # through to verify_digest/verify_message below, which verify again and name the error.
        try:
            if fast_kind == _FAST_ED:
                if (
                    digest is None
                    and type(message) is bytes
                    and algorithm is None
                    and (scheme == "auto" or scheme == p.auto_scheme)
                    and encoding == "auto"
                ):
                    p.call_key.verify(sig, message)
                    return _ok(shown, None)
            elif digest is not None and type(digest) is bytes and message is None and type(algorithm) is str:
                h = HASH_BY_NAME.get(algorithm)
                if h is not None and len(digest) == h.digest_size:
                    rsa_key = fast_kind == _FAST_RSA
                    args = direct_args(KIND_RSA if rsa_key else KIND_EC, h.name, scheme, encoding if rsa_key else enc)
                    if args is not None:
                        verify_direct(p.call_key, sig, digest, args)
                        return _ok(shown, shown_enc)
        except Exception:  # noqa: S110 - verified again below, which reports the typed error
            pass
    try:
        try:
            if digest is not None:
                verify_digest(
                    p.call_key,
                    sig,
                    digest,
                    algorithm,
                    scheme=scheme,
                    signature_encoding=enc,
                    pss_salt_length=salt,
                    pss_mgf_hash=mgf,
                )
            else:
                verify_message(
                    p.call_key,
                    sig,
                    message,
                    algorithm,
                    scheme=scheme,
                    signature_encoding=enc,
                    pss_salt_length=salt,
                    pss_mgf_hash=mgf,
                )
        except CryptokitError:
            # "auto" tries a raw-length value that fails as raw once more as strict DER.
            if not (enc == "raw" and encoding == "auto" and is_strict_der(sig, p.call_key)):
                raise
            enc = shown_enc = "der"
            if digest is not None:
                verify_digest(p.call_key, sig, digest, algorithm, scheme=scheme, signature_encoding="der")
            else:
                verify_message(p.call_key, sig, message, algorithm, scheme=scheme, signature_encoding="der")
    except CryptokitError as exc:
        return VerifyResult(False, _label(exc, index), shown, shown_enc)
    except Exception as exc:  # fail closed, never a failed batch
        return VerifyResult(False, unpack_error(pack_error(exc)), shown, shown_enc)
    return _ok(shown, shown_enc)


def _label(exc: CryptokitError, index: int) -> CryptokitError:
    return relabel(exc, f"jobs[{index}]")
