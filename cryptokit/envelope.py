"""AES-256 envelopes: encrypt a request body under a shared key, as base64 text.

Vendors such as eMudhra emCA wrap each request in "JSON encrypted with the AES-256 key we gave you"
without saying which mode, IV handling or padding. :class:`Envelope` therefore speaks named
*profiles*; each profile fixes the whole wire format (base64 of the bytes below):

=========================== ===================================================================
``aes-256-gcm`` (default)   12-byte random IV || ciphertext || 16-byte tag (Java AES/GCM/NoPadding)
``aes-256-cbc``             16-byte random IV || PKCS#7-padded ciphertext (Java AES/CBC/PKCS5Padding).
                            No integrity: a flipped bit changes the plaintext or the padding.
``aes-256-cbc-hmac-sha256`` 16-byte random IV || PKCS#7-padded ciphertext || 32-byte HMAC-SHA256 tag
                            over IV || ciphertext (encrypt-then-MAC). This is cryptokit's own
                            construction: the 32-byte key is expanded with HKDF-SHA256 (no salt,
                            info ``b"cryptokit envelope aes-256-cbc-hmac-sha256"``, 64 bytes) into an
                            encryption key (first 32 bytes) and a MAC key (last 32 bytes).
``aes-256-ecb``             PKCS#7-padded ECB ciphertext (Java's bare ``Cipher.getInstance("AES")``).
                            INSECURE: equal blocks give equal ciphertext and nothing is authenticated.
                            Only used when asked for by name; never a default.
=========================== ===================================================================

Every failure to open a token (too large, bad base64, bad length, bad tag, bad MAC, bad padding,
not JSON) raises the one :class:`~cryptokit.errors.DecryptionFailed` with the same message, so that
no padding or MAC oracle leaks. The key never appears in ``repr`` or in error messages.

The profiles' cores with an explicit IV (``gcm_encrypt``, ``cbc_encrypt``, ...) live apart, in the
low-level :mod:`cryptokit.hazmat.ciphers`; :meth:`Envelope.seal` draws its IVs from ``os.urandom``.
"""

from __future__ import annotations

import binascii
import hmac
import os
import re
from typing import Any, Final, Literal, get_args

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .encoding import b64decode, b64encode
from .errors import DecryptionFailed, InputError
from .hazmat.ciphers import (
    BLOCK,
    CBC_IV_SIZE,
    GCM_IV_SIZE,
    GCM_TAG_SIZE,
    HMAC_TAG_SIZE,
    KEY_SIZE,
    Buffer,
    _byte_view,
    _check_key,
    _mac,
    cbc_decrypt,
    cbc_encrypt,
    cbc_hmac_keys,
    ecb_decrypt,
    ecb_encrypt,
)

__all__ = [
    "Envelope",
    "EnvelopeProfile",
    "PROFILES",
    "DEFAULT_MAX_TOKEN_SIZE",
    "KEY_SIZE",
]

EnvelopeProfile = Literal["aes-256-gcm", "aes-256-cbc", "aes-256-cbc-hmac-sha256", "aes-256-ecb"]
PROFILES: Final[tuple[str, ...]] = get_args(EnvelopeProfile)

#: Default upper bound on a token's length in characters (64 MiB of base64 text).
DEFAULT_MAX_TOKEN_SIZE: Final = 64 * 1024 * 1024
_HEX_KEY = re.compile(r"\A[0-9A-Fa-f]{64}\Z")


# --- the envelope --------------------------------------------------------------------------------


class Envelope:
    """Seal and open base64 tokens under one AES-256 key and one profile.

    ``Envelope(key)`` takes the 32 raw key bytes; :meth:`from_key_text` takes base64 or hex text.
    ``seal`` proves nothing by itself; ``open`` proves, for the authenticated profiles
    (``aes-256-gcm``, ``aes-256-cbc-hmac-sha256``), that the token was made with this key and not
    changed since. For ``aes-256-cbc`` and ``aes-256-ecb`` it proves nothing about integrity.
    """

    __slots__ = ("_aesgcm", "_enc_key", "_key", "_mac_key", "max_token_size", "profile")

    profile: EnvelopeProfile
    max_token_size: int
    _key: bytes
    _enc_key: bytes
    _mac_key: bytes
    _aesgcm: AESGCM

    def __init__(
        self,
        key: Buffer,
        profile: EnvelopeProfile = "aes-256-gcm",
        *,
        max_token_size: int = DEFAULT_MAX_TOKEN_SIZE,
    ) -> None:
        if isinstance(key, str):
            raise InputError("key", "must be the 32 raw key bytes; use Envelope.from_key_text() for base64 or hex")
        if profile not in PROFILES:
            raise InputError("profile", f"must be one of {', '.join(PROFILES)}")
        if not isinstance(max_token_size, int) or max_token_size <= 0:
            raise InputError("max_token_size", "must be a positive integer")
        raw = _check_key(key)
        object.__setattr__(self, "_key", raw)
        object.__setattr__(self, "profile", profile)
        object.__setattr__(self, "max_token_size", max_token_size)
        object.__setattr__(self, "_aesgcm", AESGCM(raw))
        enc_key, mac_key = cbc_hmac_keys(raw) if profile == "aes-256-cbc-hmac-sha256" else (raw, b"")
        object.__setattr__(self, "_enc_key", enc_key)
        object.__setattr__(self, "_mac_key", mac_key)

    @classmethod
    def from_key_text(
        cls,
        text: str | bytes,
        profile: EnvelopeProfile = "aes-256-gcm",
        *,
        encoding: Literal["auto", "base64", "hex"] = "auto",
        max_token_size: int = DEFAULT_MAX_TOKEN_SIZE,
    ) -> Envelope:
        """An envelope from key text: 64 hex digits, or standard/URL-safe base64 of 32 bytes.

        ``auto`` reads 64 hex digits as hex and anything else as base64 (the two cannot be
        confused at this length). Surrounding whitespace is ignored. The error says which
        decoding was tried and how many bytes it gave, never the key.
        """
        if isinstance(text, (bytes, bytearray)):
            try:
                text = bytes(text).decode("ascii")
            except UnicodeDecodeError:
                raise InputError("key", "key text must be ASCII") from None
        if not isinstance(text, str):
            raise InputError("key", f"key text must be str or bytes, not {type(text).__name__}")
        stripped = text.strip()
        kind = encoding
        if kind == "auto":
            kind = "hex" if _HEX_KEY.match(stripped) else "base64"
        if kind == "hex":
            if not re.fullmatch(r"[0-9A-Fa-f]*", stripped) or len(stripped) % 2:
                raise InputError("key", "key text is not hexadecimal")
            raw = bytes.fromhex(stripped)
        elif kind == "base64":
            candidate = stripped.replace("-", "+").replace("_", "/")
            try:
                raw = binascii.a2b_base64(candidate.encode("ascii"), strict_mode=True)
            except (binascii.Error, UnicodeEncodeError):
                raise InputError("key", "key text is neither 64 hex digits nor valid base64") from None
        else:
            raise InputError("encoding", "must be 'auto', 'base64' or 'hex'")
        if len(raw) != KEY_SIZE:
            raise InputError("key", f"{kind} key text decodes to {len(raw)} bytes; AES-256 needs exactly {KEY_SIZE}")
        return cls(raw, profile, max_token_size=max_token_size)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Envelope is immutable")

    def __repr__(self) -> str:
        return f"Envelope(profile={self.profile!r})"

    def __reduce__(self) -> Any:
        raise TypeError("an Envelope holds a secret key and is not picklable")

    # -- seal -----------------------------------------------------------------------------------

    def seal_bytes(self, plaintext: Buffer) -> bytearray:
        """The raw token (before base64) for ``plaintext``, with a fresh random IV, as a new buffer."""
        if not isinstance(plaintext, (bytes, bytearray, memoryview)):
            raise InputError("plaintext", f"must be bytes, not {type(plaintext).__name__}")
        if isinstance(plaintext, memoryview):
            plaintext = _byte_view(plaintext)
        profile = self.profile
        if profile == "aes-256-gcm":
            # One buffer, written in place: avoids a second 1 MiB allocation and copy per seal.
            iv = os.urandom(GCM_IV_SIZE)
            out = bytearray(GCM_IV_SIZE + len(plaintext) + GCM_TAG_SIZE)
            out[:GCM_IV_SIZE] = iv
            self._aesgcm.encrypt_into(iv, plaintext, None, memoryview(out)[GCM_IV_SIZE:])
            return out
        if profile == "aes-256-cbc":
            iv = os.urandom(CBC_IV_SIZE)
            return bytearray(iv + cbc_encrypt(self._key, iv, plaintext))
        if profile == "aes-256-cbc-hmac-sha256":
            iv = os.urandom(CBC_IV_SIZE)
            ciphertext = cbc_encrypt(self._enc_key, iv, plaintext)
            return bytearray(iv + ciphertext + _mac(self._mac_key, iv, ciphertext))
        return bytearray(ecb_encrypt(self._key, plaintext))

    def seal(self, data: Any) -> str:
        """Encrypt ``data`` and return standard base64 text.

        bytes-like ``data`` is sealed as is; anything else (dict, list, str, numbers...) is
        serialised to JSON with orjson first. An unserialisable value is an InputError.
        """
        if isinstance(data, (bytes, bytearray, memoryview)):
            plaintext: Buffer = data
        else:
            try:
                plaintext = orjson.dumps(data)
            except TypeError:
                raise InputError("data", f"is not JSON-serialisable ({type(data).__name__})") from None
        return b64encode(self.seal_bytes(plaintext))

    # -- open -----------------------------------------------------------------------------------

    def open_bytes(self, token: Buffer) -> bytes:
        """Inverse of :meth:`seal_bytes`; DecryptionFailed on any failure."""
        if not isinstance(token, (bytes, bytearray, memoryview)):
            raise InputError("token", f"must be bytes, not {type(token).__name__}")
        if memoryview(token).nbytes > self.max_token_size:
            raise DecryptionFailed()
        view = _byte_view(token)
        profile = self.profile
        try:
            if profile == "aes-256-gcm":
                if len(view) < GCM_IV_SIZE + GCM_TAG_SIZE:
                    raise DecryptionFailed()
                return self._aesgcm.decrypt(view[:GCM_IV_SIZE], view[GCM_IV_SIZE:], None)
            if profile == "aes-256-cbc":
                if len(view) < CBC_IV_SIZE + BLOCK:
                    raise DecryptionFailed()
                return cbc_decrypt(self._key, view[:CBC_IV_SIZE], view[CBC_IV_SIZE:])
            if profile == "aes-256-cbc-hmac-sha256":
                if len(view) < CBC_IV_SIZE + BLOCK + HMAC_TAG_SIZE:
                    raise DecryptionFailed()
                iv = bytes(view[:CBC_IV_SIZE])
                ciphertext, tag = view[CBC_IV_SIZE:-HMAC_TAG_SIZE], view[-HMAC_TAG_SIZE:]
                if not hmac.compare_digest(_mac(self._mac_key, iv, ciphertext), tag):
                    raise DecryptionFailed()
                return cbc_decrypt(self._enc_key, iv, ciphertext)
            return ecb_decrypt(self._key, view)
        except DecryptionFailed:
            raise DecryptionFailed() from None
        except (InvalidTag, ValueError, TypeError, BufferError):
            raise DecryptionFailed() from None

    def open(self, token: str | Buffer) -> bytes:
        """Decrypt a base64 token made by :meth:`seal` (or a peer using the same profile).

        Raises DecryptionFailed, always with the same message, for every failure (InputError when
        ``token`` is not text or bytes at all: a caller's bug, not a token).
        """
        if not isinstance(token, (str, bytes, bytearray, memoryview)):
            raise InputError("token", f"must be str or bytes, not {type(token).__name__}")
        try:
            data = b64decode(token, field="token", max_size=self.max_token_size)  # strict: one spelling only
        except InputError:
            raise DecryptionFailed() from None
        return self.open_bytes(data)

    def open_json(self, token: str | Buffer) -> Any:
        """:meth:`open` then parse JSON; a plaintext that is not JSON is also DecryptionFailed."""
        plaintext = self.open(token)
        try:
            return orjson.loads(plaintext)
        except orjson.JSONDecodeError:
            raise DecryptionFailed() from None
