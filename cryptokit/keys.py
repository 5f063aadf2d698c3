"""Keys and key bundles: what a PFX/PKCS#12 file holds, loaded and written back.

``load_pfx`` reads PKCS#12 with cryptography (OpenSSL) and uses asn1crypto only to tell the user
*why* a file did not load: not PKCS#12 at all, a wrong password, or a legacy cipher (RC2, RC4,
single DES) that needs OpenSSL's legacy provider. It proves that the file decrypts with the password,
that its MAC verifies (OpenSSL checks it) and that the key matches its certificate; it does not
validate the certificate or the chain (see ``cryptokit.chain``).
"""

from __future__ import annotations

import hashlib
import hmac
import warnings
from dataclasses import dataclass, field
from typing import Literal

from asn1crypto import algos as a_algos
from asn1crypto import cms as a_cms
from asn1crypto import core as a_core
from asn1crypto import pkcs12 as a_pkcs12
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm as _CryptoUnsupported
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12

from .encoding import b64decode
from .errors import InputError, UnsupportedAlgorithm

__all__ = [
    "KeyBundle",
    "load_pfx",
    "MAX_PFX_SIZE",
    "MAX_PFX_ITERATIONS",
    "MAX_PFX_PARTS",
    "MAX_PFX_BAGS",
    "TOTAL_ITERATIONS_FACTOR",
]

#: Upper bound on the size of a PFX file (bytes, after base64 decoding).
MAX_PFX_SIZE = 4 * 1024 * 1024
#: Upper bound on the iteration count of any KDF (MAC, PBKDF2, PKCS#12 PBE) in a PFX.
MAX_PFX_ITERATIONS = 2_000_000
#: Default bound on the KDF iterations of a whole PFX (MAC plus every encrypted part), as a multiple of the
#: per-KDF bound: a usual file runs three KDFs (MAC, certificate bag, shrouded key).
TOTAL_ITERATIONS_FACTOR = 3
#: Upper bound on the parts (ContentInfos, each possibly one more KDF run) of a PFX's AuthenticatedSafe.
MAX_PFX_PARTS = 64
#: Upper bound on the SafeBags a PFX shows outside its encrypted parts (certificates, keys, nested bags).
MAX_PFX_BAGS = 1024
#: Upper bound on the number of certificates a PFX may hold.
MAX_PFX_CERTIFICATES = 256

Password = str | bytes | bytearray | memoryview | None
Encryption = Literal["aes256", "3des", "none"]

# Encryption OIDs that OpenSSL 3 keeps in its legacy provider (3DES and PBES2/AES stay in the default).
_LEGACY_CIPHERS: dict[str, str] = {
    "1.2.840.113549.1.12.1.1": "pbeWithSHAAnd128BitRC4",
    "1.2.840.113549.1.12.1.2": "pbeWithSHAAnd40BitRC4",
    "1.2.840.113549.1.12.1.5": "pbeWithSHAAnd128BitRC2-CBC",
    "1.2.840.113549.1.12.1.6": "pbeWithSHAAnd40BitRC2-CBC",
    "1.2.840.113549.1.5.1": "pbeWithMD2AndDES-CBC",
    "1.2.840.113549.1.5.3": "pbeWithMD5AndDES-CBC",
    "1.2.840.113549.1.5.4": "pbeWithMD2AndRC2-CBC",
    "1.2.840.113549.1.5.6": "pbeWithMD5AndRC2-CBC",
    "1.2.840.113549.1.5.10": "pbeWithSHA1AndDES-CBC",
    "1.2.840.113549.1.5.11": "pbeWithSHA1AndRC2-CBC",
    "1.2.840.113549.3.2": "RC2-CBC",
    "1.3.14.3.2.7": "DES-CBC",
}
_PBES2 = "1.2.840.113549.1.5.13"


def _private_key_name(key: object) -> str | None:
    if key is None:
        return None
    names: tuple[tuple[type, str], ...] = (
        (rsa.RSAPrivateKey, "RSA"),
        (ec.EllipticCurvePrivateKey, "EC"),
        (ed25519.Ed25519PrivateKey, "Ed25519"),
        (ed448.Ed448PrivateKey, "Ed448"),
        (dsa.DSAPrivateKey, "DSA"),
        (x25519.X25519PrivateKey, "X25519"),
        (x448.X448PrivateKey, "X448"),
    )
    for cls, label in names:
        if isinstance(key, cls):
            if isinstance(key, rsa.RSAPrivateKey):
                return f"RSA-{key.key_size}"
            if isinstance(key, ec.EllipticCurvePrivateKey):
                return f"EC-{key.curve.name}"
            return label
    return type(key).__name__.lstrip("_")


@dataclass(frozen=True, slots=True, repr=False)
class KeyBundle:
    """A private key, its certificate and the rest of the chain (as found, not validated).

    ``private_key`` or ``certificate`` may be None for key-only or certificate-only files.
    ``friendly_name`` is the certificate's (or key's) PKCS#12 friendly name; ``chain_friendly_names``
    holds one entry (or None) per ``chain`` certificate. The repr shows the subject and the key
    type, never key material.
    """

    private_key: PrivateKeyTypes | None
    certificate: x509.Certificate | None
    chain: tuple[x509.Certificate, ...] = ()
    friendly_name: str | None = None
    extra: tuple[object, ...] = field(default=(), compare=False)
    chain_friendly_names: tuple[str | None, ...] = field(default=(), compare=False)

    def __repr__(self) -> str:
        subject = self.certificate.subject.rfc4514_string() if self.certificate is not None else None
        key_type = _private_key_name(self.private_key)
        return f"KeyBundle(subject={subject!r}, key={key_type}, chain={len(self.chain)} certificates)"

    def certificates(self) -> list[x509.Certificate]:
        """The certificate (if any) followed by the chain, in file order."""
        first = [self.certificate] if self.certificate is not None else []
        return first + list(self.chain)

    def to_pkcs12(
        self,
        password: Password,
        *,
        encryption: Encryption = "aes256",
        friendly_name: str | None = None,
        kdf_rounds: int = 20_000,
    ) -> bytes:
        """This bundle as DER PKCS#12.

        ``encryption``: ``aes256`` (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC, HMAC-SHA256 MAC; what
        OpenSSL 3 writes by default), ``3des`` (pbeWithSHAAnd3-KeyTripleDES-CBC, HMAC-SHA1, for old
        consumers such as Windows 7 and Java 8) or ``none`` (no encryption, ``password`` must be None).
        """
        pw = _password_bytes(password)
        name = friendly_name if friendly_name is not None else self.friendly_name
        algorithm: serialization.KeySerializationEncryption
        if encryption == "none":
            if pw:
                raise InputError("encryption", "is 'none' but a password was given")
            algorithm = serialization.NoEncryption()
        elif encryption in ("aes256", "3des"):
            if not pw:
                raise InputError("password", f"is required for {encryption} encryption")
            builder = serialization.PrivateFormat.PKCS12.encryption_builder()
            if encryption == "aes256":
                builder = (
                    builder.kdf_rounds(kdf_rounds)
                    .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
                    .hmac_hash(hashes.SHA256())
                )
            else:
                builder = (
                    builder.kdf_rounds(kdf_rounds)
                    .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
                    .hmac_hash(hashes.SHA1())  # noqa: S303 - what 3DES-era consumers accept
                )
            algorithm = builder.build(pw)
        else:
            raise InputError("encryption", "must be 'aes256', '3des' or 'none'")
        if self.private_key is None and self.certificate is None and not self.chain:
            raise InputError("bundle", "holds neither a key nor a certificate")
        if self.private_key is not None and not isinstance(
            self.private_key,
            (
                rsa.RSAPrivateKey,
                ec.EllipticCurvePrivateKey,
                ed25519.Ed25519PrivateKey,
                ed448.Ed448PrivateKey,
                dsa.DSAPrivateKey,
            ),
        ):
            raise UnsupportedAlgorithm(f"cannot write a {_private_key_name(self.private_key)} key to PKCS#12")
        names = self.chain_friendly_names or (None,) * len(self.chain)
        cas = [
            pkcs12.PKCS12Certificate(cert, n.encode("utf-8") if n else None)
            for cert, n in zip(self.chain, names, strict=False)
        ]
        try:
            return pkcs12.serialize_key_and_certificates(
                name.encode("utf-8") if name else None,
                self.private_key,
                self.certificate,
                cas or None,
                algorithm,
            )
        except (ValueError, TypeError) as exc:
            raise InputError("bundle", f"cannot be written as PKCS#12: {exc}") from None

    def to_pem(self, password: Password = None) -> bytes:
        """The key (PKCS#8, encrypted with the best available scheme when ``password`` is given),
        then the certificate, then the chain, as one PEM text."""
        parts: list[bytes] = []
        if self.private_key is not None:
            pw = _password_bytes(password)
            enc: serialization.KeySerializationEncryption = (
                serialization.BestAvailableEncryption(pw) if pw else serialization.NoEncryption()
            )
            parts.append(
                self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)
            )
        for cert in self.certificates():
            parts.append(cert.public_bytes(serialization.Encoding.PEM))
        if not parts:
            raise InputError("bundle", "holds neither a key nor a certificate")
        return b"".join(parts)


def _password_bytes(password: Password) -> bytes | None:
    if password is None:
        return None
    if isinstance(password, str):
        raw = password.encode("utf-8")
    elif isinstance(password, (bytes, bytearray, memoryview)):
        raw = bytes(password)
    else:
        raise InputError("password", f"must be str, bytes or None, not {type(password).__name__}")
    if b"\x00" in raw:  # cryptography's PKCS#12 loader panics on NUL (and its panic message shows the password)
        raise InputError("password", "must not contain NUL characters")
    return raw


def _pfx_bytes(data: object, max_size: int) -> bytes:
    if isinstance(data, str):
        raw = data.encode("ascii", "replace")
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
    else:
        raise InputError("pfx", f"must be bytes or base64 text, not {type(data).__name__}")
    if len(raw) > max_size * 4 // 3 + 4096:
        raise InputError("pfx", f"is over the size limit of {max_size} bytes")
    if raw[:1] != b"\x30":
        # base64 text, as emCA's getPKCS12 and most JSON APIs carry it
        raw = b64decode(raw.strip(), field="pfx", allow_whitespace=True, max_size=max_size * 4 // 3 + 4096)
        if raw[:1] != b"\x30":
            raise InputError("pfx", "is not a PKCS#12 (PFX) file")
    if len(raw) > max_size:
        raise InputError("pfx", f"is over the size limit of {max_size} bytes")
    return raw


def _parse_pfx(raw: bytes) -> a_pkcs12.Pfx:
    try:
        pfx = a_pkcs12.Pfx.load(raw, strict=True)
        version = pfx["version"].native
        content_type = pfx["auth_safe"]["content_type"].native
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError):
        raise InputError("pfx", "is not a PKCS#12 (PFX) file") from None
    if version not in (3, "v3"):
        raise InputError("pfx", f"has PFX version {version}, expected 3")
    if content_type != "data":
        raise UnsupportedAlgorithm(f"PKCS#12 integrity mode {content_type!r} is not supported (only password MAC)")
    return pfx


def _to_der(pfx: a_pkcs12.Pfx, raw: bytes) -> bytes:
    """The PFX with its outer layers in DER, keeping the MAC-protected content octets as they were.

    BER input (indefinite lengths, explicitly encoded DEFAULT values) is valid PKCS#12; cryptography
    parses it only through a fallback that warns. Re-encoding the outer layers avoids the warning
    without touching the bytes the MAC covers.
    """
    try:
        if pfx.dump(force=True) == raw:
            return raw
        content = pfx["auth_safe"]["content"].native
        mac = pfx["mac_data"]
        rebuilt = a_pkcs12.Pfx(
            {
                "version": 3,
                "auth_safe": a_cms.ContentInfo({"content_type": "data", "content": a_core.OctetString(content)}),
                "mac_data": a_pkcs12.MacData.load(mac.dump(force=True)) if mac.native is not None else None,
            }
        )
        return bytes(rebuilt.dump(force=True))
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError):
        raise InputError("pfx", "is not a well-formed PKCS#12 (PFX) file") from None


def _encryption_params(pfx: a_pkcs12.Pfx) -> list[tuple[str, int | None]]:
    """(encryption OID, KDF iterations) for every encrypted part of the AuthenticatedSafe (encrypted
    bags and shrouded keys); PBES2 is reported by its inner cipher."""
    found: list[tuple[str, int | None]] = []

    def algorithm(alg: a_algos.EncryptionAlgorithm) -> None:
        oid = alg["algorithm"].dotted
        if oid == _PBES2:
            oid = alg["parameters"]["encryption_scheme"]["algorithm"].dotted
        try:
            iterations: int | None = int(alg.kdf_iterations)
        except (ValueError, TypeError, KeyError, AttributeError):
            iterations = None
        found.append((oid, iterations))

    seen = 0

    def bags(safe: a_pkcs12.SafeContents, depth: int) -> None:
        nonlocal seen
        if depth > 4:
            raise InputError("pfx", "nests SafeContents more than 4 deep")
        seen += len(safe)
        if seen > MAX_PFX_BAGS:
            raise InputError("pfx", f"holds more than {MAX_PFX_BAGS} bags")
        for bag in safe:
            kind = bag["bag_id"].native
            if kind == "pkcs8_shrouded_key_bag":
                algorithm(bag["bag_value"]["encryption_algorithm"])
            elif kind == "safe_contents":
                bags(bag["bag_value"], depth + 1)

    try:
        auth = a_pkcs12.AuthenticatedSafe.load(pfx["auth_safe"]["content"].native)
        if len(auth) > MAX_PFX_PARTS:
            raise InputError(
                "pfx", f"has {len(auth)} parts in its AuthenticatedSafe, over the limit of {MAX_PFX_PARTS}"
            )
        for info in auth:
            kind = info["content_type"].native
            if kind == "encrypted_data":
                algorithm(info["content"]["encrypted_content_info"]["content_encryption_algorithm"])
            elif kind == "data":
                bags(a_pkcs12.SafeContents.load(info["content"].native), 0)
    except InputError:  # a ValueError too: not to be swallowed below
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError):
        pass
    return found


def _encryption_oids(pfx: a_pkcs12.Pfx) -> list[str]:
    """Every encryption algorithm OID in the AuthenticatedSafe, in file order."""
    return [oid for oid, _ in _encryption_params(pfx)]


def _mac_iterations(pfx: a_pkcs12.Pfx) -> int | None:
    try:
        mac_data = pfx["mac_data"]
        return None if mac_data.native is None else int(mac_data["iterations"].native)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _check_work(pfx: a_pkcs12.Pfx, max_iterations: int, max_total_iterations: int) -> None:
    """Refuse files that ask for more key-derivation work than ``max_iterations`` in any one KDF, or
    than ``max_total_iterations`` summed over the MAC and every encrypted part the file shows (each
    part is one more KDF run). Bags inside an encrypted part are not visible before decryption."""
    parts = [n for _, n in _encryption_params(pfx)]
    counts = [n for n in [_mac_iterations(pfx), *parts] if n is not None]
    worst = max(counts, default=0)
    if worst > max_iterations:
        raise InputError("pfx", f"asks for {worst} key-derivation iterations, over the limit of {max_iterations}")
    total = sum(counts)
    if total > max_total_iterations:
        raise InputError(
            "pfx",
            f"asks for {total} key-derivation iterations in all (MAC and {len(parts)} encrypted parts), "
            f"over the limit of {max_total_iterations}",
        )


def _legacy_provider_loaded() -> bool:
    try:
        from cryptography.hazmat.bindings._rust import openssl as _ossl

        return bool(getattr(_ossl, "_legacy_provider_loaded", True))
    except ImportError:  # pragma: no cover - cryptography internals moved
        return True


def _pkcs12_kdf_mac_key(password: bytes | None, salt: bytes, iterations: int, h: str) -> bytes:
    """RFC 7292 appendix B.2 key derivation (ID 3, MAC key); password as BMPString + NUL terminator."""
    info = hashlib.new(h)
    u, v = info.digest_size, info.block_size
    pw = (password.decode("utf-8").encode("utf-16-be") + b"\x00\x00") if password is not None else b""

    def stretch(data: bytes) -> bytes:
        if not data:
            return b""
        n = v * ((len(data) + v - 1) // v)
        return (data * (n // len(data) + 1))[:n]

    block = bytes([3]) * v + stretch(salt) + stretch(pw)
    digest = block
    for _ in range(iterations):
        digest = hashlib.new(h, digest).digest()
    return digest[:u]


def _mac_verifies(pfx: a_pkcs12.Pfx, password: bytes | None) -> bool | None:
    """True/False when the PFX has a PKCS#12 HMAC we can check; None when it has no MAC or another kind."""
    try:
        mac_data = pfx["mac_data"]
        if mac_data.native is None:
            return None
        alg = mac_data["mac"]["digest_algorithm"]["algorithm"].native
        names = {"sha1": "sha1", "sha224": "sha224", "sha256": "sha256", "sha384": "sha384", "sha512": "sha512"}
        if alg not in names:
            return None
        iterations = int(mac_data["iterations"].native)
        if iterations > MAX_PFX_ITERATIONS:
            return None
        key = _pkcs12_kdf_mac_key(password, mac_data["mac_salt"].native, iterations, names[alg])
        content = pfx["auth_safe"]["content"].native
        expected = mac_data["mac"]["digest"].native
        return hmac.compare_digest(hmac.new(key, content, names[alg]).digest(), expected)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError, UnicodeDecodeError):
        return None


def _friendly(value: bytes | None) -> str | None:
    if value is None:
        return None
    text = value.decode("utf-8", "replace")
    # Windows writes the BMPString with its NUL terminator.
    return text.rstrip("\x00") or None


def _public_der(holder: x509.Certificate | PrivateKeyTypes) -> bytes:
    """SubjectPublicKeyInfo DER of a certificate's or a private key's public key."""
    try:
        public_key = holder.public_key()
        return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    except (ValueError, TypeError, _CryptoUnsupported) as exc:
        raise InputError("pfx", f"holds a key or certificate whose public key cannot be read ({exc})") from None


def load_pfx(
    data: bytes | bytearray | memoryview | str,
    password: Password,
    *,
    require_key: bool = False,
    max_size: int = MAX_PFX_SIZE,
    max_iterations: int = MAX_PFX_ITERATIONS,
    max_total_iterations: int | None = None,
) -> KeyBundle:
    """Load a PFX/PKCS#12 file (DER, BER, or base64 of either) into a :class:`KeyBundle`.

    Accepts PBES2/AES, 3DES, RC2/RC4 (when OpenSSL's legacy provider is loaded), unencrypted bags,
    certificate-only and key-only files. Errors say which: not PKCS#12 (``InputError`` field
    ``pfx``), wrong password (field ``password``), legacy cipher without the legacy provider (field
    ``pfx``), no key when ``require_key`` (field ``pfx``), key and certificate that do not match.
    The certificate is the one that pairs with the key; the others go to ``chain`` in file order.

    Work is bounded: no KDF may ask for more than ``max_iterations``, and the MAC and all encrypted
    parts together for no more than ``max_total_iterations`` (default ``TOTAL_ITERATIONS_FACTOR *
    max_iterations``: a usual file has three runs, MAC, certificates and key); over either is an
    ``InputError`` (field ``pfx``) before any KDF runs.
    """
    raw = _pfx_bytes(data, max_size)
    pw = _password_bytes(password)
    pfx = _parse_pfx(raw)
    total = TOTAL_ITERATIONS_FACTOR * max_iterations if max_total_iterations is None else max_total_iterations
    _check_work(pfx, max_iterations, total)
    der = _to_der(pfx, raw)
    candidates: list[bytes | None] = [pw] if pw else [None, b""]
    loaded: pkcs12.PKCS12KeyAndCertificates | None = None
    for candidate in candidates:
        try:
            if der is raw:
                loaded = pkcs12.load_pkcs12(der, candidate)
            else:
                # Backstop only: the outer layers are DER now, so cryptography should not need its
                # (warning) BER fallback. catch_warnings is process-global, hence used only here.
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message="PKCS#12 bundle could not be parsed as DER")
                    loaded = pkcs12.load_pkcs12(der, candidate)
            break
        except _CryptoUnsupported as exc:
            raise UnsupportedAlgorithm(f"PKCS#12 file uses an unsupported algorithm: {exc}") from None
        except (ValueError, TypeError):
            continue
    if loaded is None:
        raise _explain_failure(pfx, pw)

    key = loaded.key
    cert = loaded.cert.certificate if loaded.cert is not None else None
    name = _friendly(loaded.cert.friendly_name) if loaded.cert is not None else None
    others = [(c.certificate, _friendly(c.friendly_name)) for c in loaded.additional_certs]
    if len(others) + (cert is not None) > MAX_PFX_CERTIFICATES:
        raise InputError("pfx", f"holds more than {MAX_PFX_CERTIFICATES} certificates")
    if key is not None:
        key_public = _public_der(key)
        if cert is not None and _public_der(cert) != key_public:
            raise InputError("pfx", "the private key does not match the certificate (different public keys)")
        if cert is None:
            for index, (other, other_name) in enumerate(others):
                if _public_der(other) == key_public:
                    cert, name = other, other_name
                    del others[index]
                    break
            else:
                if others:
                    raise InputError(
                        "pfx",
                        f"the private key does not match the certificate (nor any of the {len(others)} in the file)",
                    )
    if key is None and cert is None and not others:
        raise InputError("pfx", "holds neither a private key nor a certificate")
    if require_key and key is None:
        raise InputError("pfx", "holds no private key (only certificates)")
    return KeyBundle(
        private_key=key,
        certificate=cert,
        chain=tuple(c for c, _ in others),
        friendly_name=name,
        chain_friendly_names=tuple(n for _, n in others),
    )


def _explain_failure(pfx: a_pkcs12.Pfx, password: bytes | None) -> InputError:
    legacy = sorted({_LEGACY_CIPHERS[o] for o in _encryption_oids(pfx) if o in _LEGACY_CIPHERS})
    mac_ok = _mac_verifies(pfx, password)
    if legacy and not _legacy_provider_loaded() and mac_ok is not False:
        proof = "the password is right (the MAC verifies), but " if mac_ok else ""
        return InputError(
            "pfx",
            f"{proof}the file is encrypted with {', '.join(legacy)}, a legacy cipher that needs OpenSSL's legacy "
            "provider (unset CRYPTOGRAPHY_OPENSSL_NO_LEGACY, or re-export the file with AES-256)",
        )
    if mac_ok is True:
        return InputError("pfx", "the MAC verifies but the contents could not be decrypted or parsed")
    if password and (_mac_verifies(pfx, None) or _mac_verifies(pfx, b"")):
        return InputError("password", "is wrong: this file has no password (pass None)")
    if password is None:
        return InputError("password", "is required: the file did not open without a password")
    return InputError("password", "is wrong for this PKCS#12 file (the MAC or the decryption failed)")
