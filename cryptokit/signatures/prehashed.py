"""The prehashed tables and the one direct cryptography call for a plain digest signature.

A "plain" digest signature is RSA PKCS#1 v1.5 or DER-encoded ECDSA over a digest made with a hash
of the registry, under a key with no RSASSA-PSS parameters. For it, verifying is exactly one call,
``key.verify(signature, digest, *args)`` with ``args`` from :func:`direct_args`. Both
:func:`cryptokit.signatures.verify_digest` (its fast path) and the bulk worker
(:mod:`cryptokit.bulk.worker`) take that call from here, so they cannot drift apart. A failed
direct call proves only that this call failed: callers verify again the general way, which names
the error.
"""

from __future__ import annotations

from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from ..algorithms import HashAlgorithm, hash_algorithms
from .public_keys import KIND_EC, KIND_RSA

__all__ = ["PKCS1V15", "HASH_BY_NAME", "PREHASHED", "ECDSA_PREHASHED", "direct_args", "verify_direct"]

PKCS1V15: Final = padding.PKCS1v15()
_HASHES: Final = hash_algorithms()
#: Registry hashes by canonical name (a dict lookup instead of alias resolution on the hot path).
HASH_BY_NAME: Final[dict[str, HashAlgorithm]] = {h.name: h for h in _HASHES}
PREHASHED: Final[dict[str, Prehashed]] = {h.name: Prehashed(h.cryptography()) for h in _HASHES}


class _EcdsaByName(dict[str, ec.ECDSA]):
    """``ec.ECDSA(Prehashed(hash))`` per registry hash name, each built on first use.

    Building ``ec.ECDSA`` imports cryptography's OpenSSL backend module (about 10 ms at start-up),
    which a process that verifies RSA only never needs. An unknown name is a KeyError, as before.
    """

    def __missing__(self, name: str) -> ec.ECDSA:
        value = self[name] = ec.ECDSA(PREHASHED[name])
        return value


ECDSA_PREHASHED: Final[dict[str, ec.ECDSA]] = _EcdsaByName()


def direct_args(kind: int, hash_name: str, scheme: str, encoding: str) -> tuple[Any, ...] | None:
    """The extra arguments of ``key.verify(signature, digest, *args)`` for a plain job, else None.

    ``kind`` is the key kind (``KIND_RSA``, ``KIND_EC``); ``scheme`` and ``encoding`` are the
    caller's options. RSA: scheme ``auto``/``pkcs1v15`` and encoding ``auto``/``der``. ECDSA: scheme
    ``auto``/``ecdsa`` and encoding ``der`` (the caller resolves ``auto`` to ``der`` or ``raw`` first,
    by the signature's length).
    """
    if kind == KIND_RSA:
        if (scheme == "auto" or scheme == "pkcs1v15") and (encoding == "auto" or encoding == "der"):
            return (PKCS1V15, PREHASHED[hash_name])
    elif kind == KIND_EC and (scheme == "auto" or scheme == "ecdsa") and encoding == "der":
        return (ECDSA_PREHASHED[hash_name],)
    return None


def verify_direct(
    key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey, signature: bytes, digest: bytes, args: tuple[Any, ...]
) -> None:
    """The direct call; raises cryptography's ``InvalidSignature`` (or its ValueError/TypeError)."""
    key.verify(signature, digest, *args)
