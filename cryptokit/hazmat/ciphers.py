"""Hazardous materials: the AES-256 cores of the envelope profiles, with a caller-chosen IV.

These exist for test vectors and for interoperating with a peer that frames the IV differently.
An IV picked by the caller is the caller's responsibility: reusing a GCM IV under one key leaks the
authentication key and the XOR of the plaintexts; CBC and ECB have no integrity at all. Use
:class:`cryptokit.Envelope`, which draws IVs from ``os.urandom`` and authenticates by default.
"""

from __future__ import annotations

import hmac
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import DecryptionFailed, InputError

__all__ = [
    "Buffer",
    "KEY_SIZE",
    "GCM_IV_SIZE",
    "GCM_TAG_SIZE",
    "CBC_IV_SIZE",
    "HMAC_TAG_SIZE",
    "BLOCK",
    "gcm_encrypt",
    "gcm_decrypt",
    "cbc_encrypt",
    "cbc_decrypt",
    "cbc_hmac_keys",
    "cbc_hmac_encrypt",
    "cbc_hmac_decrypt",
    "ecb_encrypt",
    "ecb_decrypt",
]

KEY_SIZE: Final = 32
GCM_IV_SIZE: Final = 12
GCM_TAG_SIZE: Final = 16
CBC_IV_SIZE: Final = 16
HMAC_TAG_SIZE: Final = 32
BLOCK: Final = 16

_HKDF_INFO: Final = b"cryptokit envelope aes-256-cbc-hmac-sha256"
Buffer = bytes | bytearray | memoryview


def _byte_view(data: Buffer) -> memoryview:
    """``data`` as a flat view of unsigned bytes (a copy only for a non-contiguous or shaped buffer).

    ``len`` of a memoryview counts items, not bytes, and slicing a 2-D view slices rows: every
    length and size check here is made on this view so that it counts bytes.
    """
    view = memoryview(data)
    if view.c_contiguous and view.ndim == 1 and view.format == "B":
        return view
    if view.c_contiguous:
        return view.cast("B")
    return memoryview(view.tobytes())


def _check_key(key: Buffer) -> bytes:
    if not isinstance(key, (bytes, bytearray, memoryview)):
        raise InputError("key", f"must be bytes, not {type(key).__name__}")
    raw = bytes(key)
    if len(raw) != KEY_SIZE:
        raise InputError("key", f"must be exactly {KEY_SIZE} bytes for AES-256, got {len(raw)}")
    return raw


def _check_iv(iv: Buffer, size: int) -> None:
    if len(iv) != size:
        raise InputError("iv", f"must be exactly {size} bytes, got {len(iv)}")


def gcm_encrypt(key: Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer = b"") -> bytes:
    """AES-256-GCM with a 12-byte IV: ciphertext || 16-byte tag."""
    _check_iv(iv, GCM_IV_SIZE)
    return AESGCM(_check_key(key)).encrypt(bytes(iv), plaintext, bytes(aad) if aad else None)


def gcm_decrypt(key: Buffer, iv: Buffer, data: Buffer, aad: Buffer = b"") -> bytes:
    """Inverse of :func:`gcm_encrypt`; raises DecryptionFailed on a wrong tag or short input."""
    _check_iv(iv, GCM_IV_SIZE)
    aesgcm = AESGCM(_check_key(key))
    if len(data) < GCM_TAG_SIZE:
        raise DecryptionFailed()
    try:
        return aesgcm.decrypt(bytes(iv), data, bytes(aad) if aad else None)
    except InvalidTag:
        raise DecryptionFailed() from None


def _pad(plaintext: Buffer) -> bytes:
    padder = padding.PKCS7(128).padder()
    return padder.update(bytes(plaintext)) + padder.finalize()


def _unpad(padded: bytes) -> bytes:
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise DecryptionFailed() from None


def cbc_encrypt(key: Buffer, iv: Buffer, plaintext: Buffer) -> bytes:
    """AES-256-CBC with PKCS#7 padding (Java's PKCS5Padding); the IV is not included."""
    _check_iv(iv, CBC_IV_SIZE)
    enc = Cipher(algorithms.AES(_check_key(key)), modes.CBC(bytes(iv))).encryptor()
    return enc.update(_pad(plaintext)) + enc.finalize()


def cbc_decrypt(key: Buffer, iv: Buffer, ciphertext: Buffer) -> bytes:
    """Inverse of :func:`cbc_encrypt`; DecryptionFailed on a bad length or bad padding.

    Proves nothing about who made the ciphertext: CBC has no integrity.
    """
    _check_iv(iv, CBC_IV_SIZE)
    dec = Cipher(algorithms.AES(_check_key(key)), modes.CBC(bytes(iv))).decryptor()
    if len(ciphertext) == 0 or len(ciphertext) % BLOCK:
        raise DecryptionFailed()
    return _unpad(dec.update(bytes(ciphertext)) + dec.finalize())


def cbc_hmac_keys(key: Buffer) -> tuple[bytes, bytes]:
    """(encryption key, MAC key) for ``aes-256-cbc-hmac-sha256``: HKDF-SHA256(key) split 32/32."""
    okm = HKDF(algorithm=hashes.SHA256(), length=2 * KEY_SIZE, salt=None, info=_HKDF_INFO).derive(_check_key(key))
    return okm[:KEY_SIZE], okm[KEY_SIZE:]


def _mac(mac_key: bytes, iv: bytes, ciphertext: Buffer) -> bytes:
    h = hmac.new(mac_key, iv, "sha256")
    h.update(ciphertext)
    return h.digest()


def cbc_hmac_encrypt(key: Buffer, iv: Buffer, plaintext: Buffer) -> bytes:
    """Encrypt-then-MAC: CBC ciphertext || HMAC-SHA256(mac key, IV || ciphertext)."""
    enc_key, mac_key = cbc_hmac_keys(key)
    ciphertext = cbc_encrypt(enc_key, iv, plaintext)
    return ciphertext + _mac(mac_key, bytes(iv), ciphertext)


def cbc_hmac_decrypt(key: Buffer, iv: Buffer, data: Buffer) -> bytes:
    """Check the MAC (constant time) before decrypting; DecryptionFailed on any failure."""
    _check_iv(iv, CBC_IV_SIZE)
    enc_key, mac_key = cbc_hmac_keys(key)
    view = memoryview(data)
    if len(view) < HMAC_TAG_SIZE:
        raise DecryptionFailed()
    ciphertext, tag = view[:-HMAC_TAG_SIZE], view[-HMAC_TAG_SIZE:]
    if not hmac.compare_digest(_mac(mac_key, bytes(iv), ciphertext), tag):
        raise DecryptionFailed()
    return cbc_decrypt(enc_key, iv, ciphertext)


def ecb_encrypt(key: Buffer, plaintext: Buffer) -> bytes:
    """AES-256-ECB with PKCS#7 padding. INSECURE; for peers that use Java's bare "AES" only."""
    enc = Cipher(algorithms.AES(_check_key(key)), modes.ECB()).encryptor()  # noqa: S305 - documented legacy profile
    return enc.update(_pad(plaintext)) + enc.finalize()


def ecb_decrypt(key: Buffer, ciphertext: Buffer) -> bytes:
    """Inverse of :func:`ecb_encrypt`; DecryptionFailed on a bad length or bad padding."""
    dec = Cipher(algorithms.AES(_check_key(key)), modes.ECB()).decryptor()  # noqa: S305 - documented legacy profile
    if len(ciphertext) == 0 or len(ciphertext) % BLOCK:
        raise DecryptionFailed()
    return _unpad(dec.update(bytes(ciphertext)) + dec.finalize())
