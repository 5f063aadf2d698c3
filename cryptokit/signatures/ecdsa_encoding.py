"""ECDSA signature encodings: X9.62 DER ``SEQUENCE { r INTEGER, s INTEGER }`` and raw ``r || s``.

Raw (IEEE P1363, JWS, BSI "plain") signatures are two big-endian integers, each padded to the byte
length of the curve's *order* (pitfall 6: not to max(len(r), len(s))). DER is parsed strictly by
cryptography's DER decoder (no extra leading zeros, no negative integers, exact lengths, nothing
trailing); on top of it r and s must be positive and fit the curve's order length.

These functions prove only that an encoding is well formed; they say nothing about validity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from ..errors import InputError, UnsupportedAlgorithm

if TYPE_CHECKING:
    from .public_keys import PublicKey

__all__ = ["CurveLike", "der_to_raw", "raw_to_der", "order_byte_length", "is_strict_der"]

#: What names an ECDSA curve here: a cryptography curve (instance or class), an EC key (public or
#: private), a cryptokit :class:`~cryptokit.signatures.PublicKey`, or a name ("P-256", "secp256r1").
CurveLike: TypeAlias = (
    "ec.EllipticCurve | type[ec.EllipticCurve] | ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey"
    " | PublicKey | str"
)

# Bit length of each supported curve's group order (not its field size: for some curves they differ).
_ORDER_BITS: dict[str, int] = {
    "secp192r1": 192,
    "secp224r1": 224,
    "secp256r1": 256,
    "secp384r1": 384,
    "secp521r1": 521,
    "secp256k1": 256,
    "brainpoolP256r1": 256,
    "brainpoolP384r1": 384,
    "brainpoolP512r1": 512,
}
_ALIASES: dict[str, str] = {
    "p192": "secp192r1",
    "p224": "secp224r1",
    "p256": "secp256r1",
    "prime256v1": "secp256r1",
    "p384": "secp384r1",
    "p521": "secp521r1",
}
_ORDER_BYTES: dict[str, int] = {name: (bits + 7) // 8 for name, bits in _ORDER_BITS.items()}
# Concrete EC key classes seen so far (a memo, so the hot path skips the ABC isinstance checks).
_EC_KEY_TYPES: set[type] = set()
_MAX_DER = 2 * 66 + 16  # longest strict DER ECDSA signature for a supported curve, with margin


def order_byte_length(curve_or_key: CurveLike) -> int:
    """Byte length of the group order for a curve, an EC key (public or private) or a curve name.

    Accepts a ``cryptography`` curve instance or class, an EC key, a cryptokit ``PublicKey``, or
    a name such as ``"P-256"``, ``"secp256r1"`` or ``"prime256v1"``.
    """
    if type(curve_or_key) in _EC_KEY_TYPES:  # hot path: a cryptography EC key seen before
        size = _ORDER_BYTES.get(curve_or_key.curve.name)  # type: ignore[union-attr]  # an EC key (no cast here)
        if size is not None:
            return size
    name: str | None = None
    inner = getattr(curve_or_key, "key", None)  # cryptokit PublicKey wrapper
    if inner is not None and not isinstance(curve_or_key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)):
        curve_or_key = inner
    if isinstance(curve_or_key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)):
        _EC_KEY_TYPES.add(type(curve_or_key))
        name = curve_or_key.curve.name
    elif isinstance(curve_or_key, ec.EllipticCurve):
        name = curve_or_key.name
    elif isinstance(curve_or_key, type) and issubclass(curve_or_key, ec.EllipticCurve):
        name = str(curve_or_key.name)
    elif isinstance(curve_or_key, str):
        raw = curve_or_key.strip()
        name = _ALIASES.get(raw.lower().replace("-", "").replace("_", ""), raw)
    else:
        raise InputError("curve", f"must be an EC key, a curve or a curve name, not {type(curve_or_key).__name__}")
    size = _ORDER_BYTES.get(name)
    if size is None:
        raise UnsupportedAlgorithm(f"elliptic curve {name!r} is not supported for ECDSA encoding conversions")
    return size


def _as_bytes(signature: object) -> bytes:
    if isinstance(signature, bytes):
        return signature
    if isinstance(signature, (bytearray, memoryview)):
        return bytes(signature)
    raise InputError("signature", f"must be bytes (decode base64 first), not {type(signature).__name__}")


def _parse_der(signature: bytes, size: int) -> tuple[int, int]:
    if len(signature) > _MAX_DER:
        raise InputError("signature", f"is {len(signature)} bytes, too long for a DER ECDSA signature")
    try:
        r, s = decode_dss_signature(signature)
    except (ValueError, TypeError):
        raise InputError(
            "signature",
            "is not a strict DER ECDSA signature (SEQUENCE of two minimal positive INTEGERs, nothing trailing)",
        ) from None
    limit = 1 << (8 * size)
    if not (0 < r < limit and 0 < s < limit):
        raise InputError("signature", f"r and s must be positive integers of at most {size} bytes")
    return r, s


def der_to_raw(signature: bytes | bytearray | memoryview, curve_or_key: CurveLike) -> bytes:
    """Strict DER ``SEQUENCE { r, s }`` to raw ``r || s``, each padded to the curve's order length."""
    size = order_byte_length(curve_or_key)
    r, s = _parse_der(_as_bytes(signature), size)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def raw_to_der(signature: bytes | bytearray | memoryview, curve_or_key: CurveLike) -> bytes:
    """Raw ``r || s`` (exactly twice the curve's order length) to DER; r and s must be non-zero."""
    size = order_byte_length(curve_or_key)
    data = _as_bytes(signature)
    if len(data) != 2 * size:
        raise InputError("signature", f"a raw signature on this curve is exactly {2 * size} bytes, not {len(data)}")
    r = int.from_bytes(data[:size], "big")
    s = int.from_bytes(data[size:], "big")
    if r == 0 or s == 0:
        raise InputError("signature", "r and s must be positive integers")
    return encode_dss_signature(r, s)


def is_strict_der(signature: bytes | bytearray | memoryview, curve_or_key: CurveLike) -> bool:
    """True when ``signature`` is a strict DER ECDSA signature that fits the curve."""
    try:
        _parse_der(_as_bytes(signature), order_byte_length(curve_or_key))
    except InputError:
        return False
    return True
