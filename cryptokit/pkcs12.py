"""Keys and key bundles: what a PFX/PKCS#12 file holds, loaded and written back.

``load_pfx`` reads PKCS#12 with cryptography (OpenSSL) and uses asn1crypto only to tell the user
*why* a file did not load: not PKCS#12 at all, a wrong password, or a legacy cipher (RC2, RC4,
single DES) that needs OpenSSL's legacy provider. It proves that the file decrypts with the password,
that its MAC verifies (OpenSSL checks it) and that the key matches its certificate; it does not
validate the certificate or the chain (see ``cryptokit.chain``).

Work is bounded before OpenSSL derives anything: every key derivation the file shows (the MAC, every
encrypted part, every shrouded key bag outside an encrypted part) is read with asn1crypto, its cost
(PBKDF2 / PKCS#12-KDF iterations, scrypt N, r, p and memory) is checked against the bounds, and a
KDF whose cost cannot be read is refused. A file without a MAC is refused unless ``allow_no_mac``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final, Literal

from asn1crypto import algos as a_algos
from asn1crypto import cms as a_cms
from asn1crypto import core as a_core
from asn1crypto import pkcs12 as a_pkcs12
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm as _CryptoUnsupported
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.utils import CryptographyDeprecationWarning

from ._dsa import public_key as load_public_key
from .certificates import parsed_certificate
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
    "MAX_SCRYPT_COST",
    "MAX_SCRYPT_MEMORY",
    "PfxInfo",
    "PfxKdf",
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
#: Upper bound on one scrypt run's work, N * r * p (in 128-byte BlockMix rounds of r blocks; N=2**17, r=8,
#: p=1 is the bound, about a third of a second). The file's scrypt runs together may ask for
#: ``TOTAL_ITERATIONS_FACTOR`` times this.
MAX_SCRYPT_COST = 2**20
#: Upper bound on the memory one scrypt run needs, 128 * r * (N + p) bytes (OpenSSL's own PBE limit).
MAX_SCRYPT_MEMORY = 32 * 1024 * 1024

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
_PBKDF2 = "1.2.840.113549.1.5.12"
_SCRYPT = "1.3.6.1.4.1.11591.4.11"
_PBMAC1 = "1.2.840.113549.1.5.14"
# Password-based schemes whose parameters are PBEParameter / pkcs-12PbeParams {salt, iterations}.
_PBE_ITERATION_SCHEMES: dict[str, str] = {
    **{oid: name for oid, name in _LEGACY_CIPHERS.items() if oid.startswith("1.2.840.113549.1.")},
    "1.2.840.113549.1.12.1.3": "pbeWithSHAAnd3-KeyTripleDES-CBC",
    "1.2.840.113549.1.12.1.4": "pbeWithSHAAnd2-KeyTripleDES-CBC",
}


class _ScryptParams(a_core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    """scrypt-params (RFC 7914 section 7): asn1crypto does not know them."""

    _fields: ClassVar = [
        ("salt", a_core.OctetString),
        ("cost_parameter", a_core.Integer),
        ("block_size", a_core.Integer),
        ("parallelization_parameter", a_core.Integer),
        ("key_length", a_core.Integer, {"optional": True}),
    ]


@dataclass(frozen=True, slots=True)
class PfxKdf:
    """One key derivation a PFX asks for, as read before any is run.

    ``where``: ``MAC``, ``encrypted part N`` or ``shrouded key N``; ``scheme``: the MAC hash or the
    encryption scheme (``PBES2/AES-256-CBC``, ``pbeWithSHAAnd3-KeyTripleDES-CBC``, ...); ``kdf``:
    ``pkcs12-kdf``, ``pbkdf2``, ``pbkdf1`` or ``scrypt``; ``iterations`` for the iterated ones, ``n``,
    ``r``, ``p`` for scrypt.
    """

    where: str
    scheme: str
    kdf: str
    iterations: int | None = None
    n: int | None = None
    r: int | None = None
    p: int | None = None

    @property
    def scrypt_cost(self) -> int:
        """N * r * p for scrypt, else 0."""
        return (self.n or 0) * (self.r or 0) * (self.p or 0) if self.kdf == "scrypt" else 0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields (None ones left out)."""
        doc: dict[str, object] = {"where": self.where, "scheme": self.scheme, "kdf": self.kdf}
        for name in ("iterations", "n", "r", "p"):
            value = getattr(self, name)
            if value is not None:
                doc[name] = value
        return doc


@dataclass(frozen=True, slots=True)
class PfxInfo:
    """How a loaded PFX protects itself: its MAC (None when it has none) and its key derivations.

    ``integrity_checked`` is True when the file has a MAC and OpenSSL verified it under the password;
    False when the file has no MAC and was loaded with ``allow_no_mac=True``: then anyone could
    have changed or substituted its key and certificates.
    """

    integrity_checked: bool
    mac: PfxKdf | None
    kdfs: tuple[PfxKdf, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-ready description (no salts, no key material)."""
        return {
            "integrity_checked": self.integrity_checked,
            "mac": self.mac.to_dict() if self.mac is not None else None,
            "encryption": [k.to_dict() for k in self.kdfs],
        }


# Key kinds told by the name of a class the key derives from, not by isinstance: naming
# dsa.DSAPrivateKey warns under cryptography 51, and one lookup then serves every kind.
_KINDS_BY_CLASS_NAME: Final = frozenset(
    {"DSAPrivateKey", "Ed25519PrivateKey", "Ed448PrivateKey", "X25519PrivateKey", "X448PrivateKey"}
)


def _key_kind(key: object) -> str | None:
    """``DSA``, ``Ed25519``, ``Ed448``, ``X25519`` or ``X448`` by class name; None for any other object."""
    for cls in type(key).__mro__:
        if cls.__name__ in _KINDS_BY_CLASS_NAME:
            return cls.__name__.removesuffix("PrivateKey")
    return None


def _is_dsa(key: object) -> bool:
    """Whether ``key`` is a DSA private key (by name: see :func:`_key_kind`)."""
    return _key_kind(key) == "DSA"


def _private_key_name(key: object) -> str | None:
    if key is None:
        return None
    if isinstance(key, rsa.RSAPrivateKey):
        return f"RSA-{key.key_size}"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return f"EC-{key.curve.name}"
    return _key_kind(key) or type(key).__name__.lstrip("_")


@dataclass(frozen=True, slots=True, repr=False)
class KeyBundle:
    """A private key, its certificate and the rest of the chain (as found, not validated).

    ``private_key`` or ``certificate`` may be None for key-only or certificate-only files.
    ``friendly_name`` is the certificate's (or key's) PKCS#12 friendly name; ``chain_friendly_names``
    holds one entry (or None) per ``chain`` certificate. The repr shows the subject and the key
    type, never key material. ``pfx`` describes the file a bundle was loaded from (None for a bundle
    built in code): whether its integrity was checked, its MAC and its key derivations.
    """

    private_key: PrivateKeyTypes | None
    certificate: x509.Certificate | None
    chain: tuple[x509.Certificate, ...] = ()
    friendly_name: str | None = None
    extra: tuple[object, ...] = field(default=(), compare=False)
    chain_friendly_names: tuple[str | None, ...] = field(default=(), compare=False)
    pfx: PfxInfo | None = field(default=None, compare=False)

    @property
    def integrity_checked(self) -> bool | None:
        """True: loaded from a PFX whose MAC verified; False: from a PFX without a MAC (integrity not
        checked, ``allow_no_mac=True``); None: not loaded from a PFX."""
        return self.pfx.integrity_checked if self.pfx is not None else None

    def __repr__(self) -> str:
        subject = self.certificate.subject.rfc4514_string() if self.certificate is not None else None
        key_type = _private_key_name(self.private_key)
        note = ", integrity not checked (no MAC)" if self.integrity_checked is False else ""
        return f"KeyBundle(subject={subject!r}, key={key_type}, chain={len(self.chain)} certificates{note})"

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
        if (
            self.private_key is not None
            and not isinstance(
                self.private_key,
                (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey),
            )
            and not _is_dsa(self.private_key)
        ):
            raise UnsupportedAlgorithm(f"cannot write a {_private_key_name(self.private_key)} key to PKCS#12")
        names = self.chain_friendly_names or (None,) * len(self.chain)
        cas = [
            pkcs12.PKCS12Certificate(cert, n.encode("utf-8") if n else None)
            for cert, n in zip(self.chain, names, strict=False)
        ]
        try:
            private_key: Any = self.private_key  # checked above (DSA by name: see _is_dsa)
            return pkcs12.serialize_key_and_certificates(
                name.encode("utf-8") if name else None,
                private_key,
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
    raw: bytes | None
    if password is None:
        return None
    if isinstance(password, str):
        try:
            raw = password.encode("utf-8")
        except UnicodeEncodeError:  # its repr holds the password: raised below, outside this block, so
            raw = None  # that not even __context__ keeps it
        if raw is None:
            raise InputError(
                "password",
                "is a str that cannot be encoded as UTF-8 (lone surrogates, e.g. undecodable bytes from the "
                "environment): pass the password as bytes",
            )
    elif isinstance(password, (bytes, bytearray, memoryview)):
        raw = bytes(password)
    else:
        raise InputError("password", f"must be str, bytes or None, not {type(password).__name__}")
    if b"\x00" in raw:  # cryptography's PKCS#12 loader panics on NUL (and its panic message shows the password)
        raise InputError("password", "must not contain NUL characters")
    try:
        raw.decode("utf-8")
        utf8 = True
    except UnicodeDecodeError:  # cryptography reads PKCS#12 passwords as UTF-8 only (and fails untyped)
        utf8 = False
    if not utf8:
        raise InputError("password", "is not valid UTF-8 (cryptography reads PKCS#12 passwords as UTF-8)")
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


def _number(value: int) -> str:
    """``value`` for a message; a huge one by its size (str() of a 4300-digit int raises)."""
    return str(value) if value.bit_length() <= 64 else f"a {value.bit_length()}-bit number"


def _int(value: a_core.Integer, where: str, name: str) -> int:
    number = value.native
    if not isinstance(number, int) or number < 1:
        raise InputError("pfx", f"the {where} has a {name} below 1")
    return number


def _scrypt_kdf(where: str, scheme: str, params: a_core.Asn1Value) -> PfxKdf:
    if isinstance(params, a_core.Void):
        raise InputError("pfx", f"the {where} uses scrypt without parameters")
    parsed = _ScryptParams.load(params.dump(), strict=True)
    return PfxKdf(
        where,
        scheme,
        "scrypt",
        n=_int(parsed["cost_parameter"], where, "scrypt N"),
        r=_int(parsed["block_size"], where, "scrypt r"),
        p=_int(parsed["parallelization_parameter"], where, "scrypt p"),
    )


def _encryption_kdf(alg: a_algos.EncryptionAlgorithm, where: str) -> tuple[str, PfxKdf]:
    """(cipher OID, key derivation) of a PKCS#12 encryption algorithm; PBES2 is reported by its
    inner cipher. A scheme whose key-derivation cost cannot be read is refused."""
    oid = alg["algorithm"].dotted
    if oid == _PBES2:
        params = alg["parameters"]
        cipher = params["encryption_scheme"]["algorithm"]
        kdf = params["key_derivation_func"]
        kdf_oid = kdf["algorithm"].dotted
        if kdf_oid == _PBKDF2:
            prf = kdf["parameters"]["prf"]["algorithm"].native
            scheme = f"PBES2/PBKDF2-{prf}/{cipher.native}"
            return cipher.dotted, PfxKdf(
                where, scheme, "pbkdf2", iterations=_int(kdf["parameters"]["iteration_count"], where, "iteration count")
            )
        if kdf_oid == _SCRYPT:
            return cipher.dotted, _scrypt_kdf(where, f"PBES2/scrypt/{cipher.native}", kdf["parameters"])
        raise UnsupportedAlgorithm(
            f"PKCS#12 {where} uses the key-derivation function {kdf_oid}, whose cost cannot be read (refused)"
        )
    if oid in _PBE_ITERATION_SCHEMES:
        kind = "pkcs12-kdf" if oid.startswith("1.2.840.113549.1.12.") else "pbkdf1"
        iterations = _int(alg["parameters"]["iterations"], where, "iteration count")
        return oid, PfxKdf(where, _PBE_ITERATION_SCHEMES[oid], kind, iterations=iterations)
    raise UnsupportedAlgorithm(
        f"PKCS#12 {where} is encrypted with {oid}, whose key-derivation cost cannot be read (refused)"
    )


_MALFORMED = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)


def _read_kdfs(pfx: a_pkcs12.Pfx) -> list[tuple[str, PfxKdf]]:
    """(cipher OID, key derivation) for every encrypted part of the AuthenticatedSafe and every
    shrouded key bag outside them, in file order. Fails closed: what cannot be read is refused."""
    found: list[tuple[str, PfxKdf]] = []
    seen = 0
    keys = 0

    def bags(safe: a_pkcs12.SafeContents, depth: int) -> None:
        nonlocal seen, keys
        if depth > 4:
            raise InputError("pfx", "nests SafeContents more than 4 deep")
        seen += len(safe)
        if seen > MAX_PFX_BAGS:
            raise InputError("pfx", f"holds more than {MAX_PFX_BAGS} bags")
        for bag in safe:
            kind = bag["bag_id"].native
            if kind == "pkcs8_shrouded_key_bag":
                keys += 1
                found.append(_encryption_kdf(bag["bag_value"]["encryption_algorithm"], f"shrouded key {keys}"))
            elif kind == "safe_contents":
                bags(bag["bag_value"], depth + 1)

    try:
        auth = a_pkcs12.AuthenticatedSafe.load(pfx["auth_safe"]["content"].native)
        if len(auth) > MAX_PFX_PARTS:
            raise InputError(
                "pfx", f"has {len(auth)} parts in its AuthenticatedSafe, over the limit of {MAX_PFX_PARTS}"
            )
        for number, info in enumerate(auth, 1):
            kind = info["content_type"].native
            if kind == "encrypted_data":
                alg = info["content"]["encrypted_content_info"]["content_encryption_algorithm"]
                found.append(_encryption_kdf(alg, f"encrypted part {number}"))
            elif kind == "data":
                bags(a_pkcs12.SafeContents.load(info["content"].native), 0)
            else:
                raise UnsupportedAlgorithm(f"PKCS#12 part {number} is {kind!r} (only data and encrypted data)")
    except (InputError, UnsupportedAlgorithm):  # an InputError is a ValueError too: not to be swallowed below
        raise
    except _MALFORMED:
        raise InputError("pfx", "has an AuthenticatedSafe whose encryption parameters cannot be read") from None
    return found


def _encryption_params(pfx: a_pkcs12.Pfx) -> list[tuple[str, int | None]]:
    """(encryption OID, KDF iterations) for every encrypted part and shrouded key outside them."""
    return [(oid, kdf.iterations) for oid, kdf in _read_kdfs(pfx)]


def _encryption_oids(pfx: a_pkcs12.Pfx) -> list[str]:
    """Every encryption algorithm OID in the AuthenticatedSafe, in file order."""
    return [oid for oid, _ in _read_kdfs(pfx)]


class _Pbmac1Params(a_core.Sequence):  # type: ignore[misc]  # asn1crypto is untyped
    """PBMAC1-params (RFC 8018 A.5): keyDerivationFunc, messageAuthScheme."""

    _fields: ClassVar = [("key_derivation_func", a_algos.KdfAlgorithm), ("message_auth_scheme", a_algos.HmacAlgorithm)]


def _read_mac(pfx: a_pkcs12.Pfx) -> PfxKdf | None:
    """The MAC's key derivation, None when the file has no MAC. PBMAC1 (RFC 9579) is read through
    its PBKDF2 parameters; a MAC whose cost cannot be read is refused."""
    try:
        mac_data = pfx["mac_data"]
        if isinstance(mac_data, a_core.Void) or mac_data.native is None:
            return None
        alg = mac_data["mac"]["digest_algorithm"]
        iterations = _int(mac_data["iterations"], "MAC", "iteration count")
        if alg["algorithm"].dotted != _PBMAC1:
            return PfxKdf("MAC", str(alg["algorithm"].native), "pkcs12-kdf", iterations=iterations)
        params = _Pbmac1Params.load(alg["parameters"].dump(), strict=True)
        kdf = params["key_derivation_func"]
        if kdf["algorithm"].dotted != _PBKDF2:
            raise UnsupportedAlgorithm(
                f"PKCS#12 MAC uses PBMAC1 with {kdf['algorithm'].dotted}, whose cost cannot be read (refused)"
            )
        scheme = f"PBMAC1/{params['message_auth_scheme']['algorithm'].native}"
        return PfxKdf("MAC", scheme, "pbkdf2", iterations=_int(kdf["parameters"]["iteration_count"], "MAC", "count"))
    except (InputError, UnsupportedAlgorithm):
        raise
    except _MALFORMED:
        raise InputError("pfx", "has a MAC whose parameters cannot be read") from None


def _mac_iterations(pfx: a_pkcs12.Pfx) -> int | None:
    mac = _read_mac(pfx)
    return mac.iterations if mac is not None else None


def _check_work(
    kdfs: list[PfxKdf],
    max_iterations: int,
    max_total_iterations: int,
    max_scrypt_cost: int = MAX_SCRYPT_COST,
    max_scrypt_memory: int = MAX_SCRYPT_MEMORY,
) -> None:
    """Refuse files that ask for more key-derivation work than ``max_iterations`` (scrypt:
    ``max_scrypt_cost`` for N*r*p and ``max_scrypt_memory`` bytes) in any one KDF, or than
    ``max_total_iterations`` (scrypt: ``TOTAL_ITERATIONS_FACTOR * max_scrypt_cost``) summed over the MAC
    and every key derivation the file shows. Bags inside an encrypted part are not visible before
    decryption."""
    total = 0
    scrypt_total = 0
    parts = sum(1 for kdf in kdfs if kdf.where != "MAC")
    for kdf in kdfs:
        if kdf.kdf == "scrypt":
            n, r, p = kdf.n or 0, kdf.r or 0, kdf.p or 0
            if n < 2 or n & (n - 1):
                raise InputError("pfx", f"the {kdf.where} has scrypt N={_number(n)}: must be a power of 2 above 1")
            for name, value in (("N", n), ("r", r), ("p", p)):
                if value > max_scrypt_cost:
                    raise InputError(
                        "pfx",
                        f"the {kdf.where} asks for scrypt {name}={_number(value)}, over the limit of {max_scrypt_cost} "
                        "for N*r*p (max_scrypt_cost)",
                    )
            memory = 128 * r * (n + p)
            if memory > max_scrypt_memory:
                raise InputError(
                    "pfx",
                    f"the {kdf.where} asks for {memory} bytes of scrypt memory (N={n}, r={r}, p={p}), over the "
                    f"limit of {max_scrypt_memory} (max_scrypt_memory)",
                )
            if n * r * p > max_scrypt_cost:
                raise InputError(
                    "pfx",
                    f"the {kdf.where} asks for scrypt work N*r*p={n * r * p} (N={n}, r={r}, p={p}), over the "
                    f"limit of {max_scrypt_cost} (max_scrypt_cost)",
                )
            scrypt_total += n * r * p
            continue
        iterations = kdf.iterations or 0
        if iterations > max_iterations:
            raise InputError(
                "pfx",
                f"the {kdf.where} asks for {_number(iterations)} key-derivation iterations, over the limit of "
                f"{max_iterations} (max_iterations)",
            )
        total += iterations
    if total > max_total_iterations:
        raise InputError(
            "pfx",
            f"asks for {total} key-derivation iterations in all (MAC and {parts} encrypted parts and keys), "
            f"over the limit of {max_total_iterations} (max_total_iterations)",
        )
    if scrypt_total > TOTAL_ITERATIONS_FACTOR * max_scrypt_cost:
        raise InputError(
            "pfx",
            f"asks for scrypt work N*r*p={scrypt_total} in all, over the limit of "
            f"{TOTAL_ITERATIONS_FACTOR * max_scrypt_cost} ({TOTAL_ITERATIONS_FACTOR} x max_scrypt_cost)",
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
        public_key = load_public_key(holder) if isinstance(holder, x509.Certificate) else holder.public_key()
        return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    except (ValueError, TypeError, _CryptoUnsupported) as exc:
        raise InputError("pfx", f"holds a key or certificate whose public key cannot be read ({exc})") from None


def load_pfx(
    data: bytes | bytearray | memoryview | str,
    password: Password,
    *,
    require_key: bool = False,
    allow_no_mac: bool = False,
    max_size: int = MAX_PFX_SIZE,
    max_iterations: int = MAX_PFX_ITERATIONS,
    max_total_iterations: int | None = None,
    max_scrypt_cost: int = MAX_SCRYPT_COST,
    max_scrypt_memory: int = MAX_SCRYPT_MEMORY,
) -> KeyBundle:
    """Load a PFX/PKCS#12 file (DER, BER, or base64 of either) into a :class:`KeyBundle`.

    Accepts PBES2/AES (PBKDF2 or scrypt), 3DES, RC2/RC4 (when OpenSSL's legacy provider is loaded),
    unencrypted bags, certificate-only and key-only files. Errors say which: not PKCS#12
    (``InputError`` field ``pfx``), wrong password (field ``password``), legacy cipher without the
    legacy provider (field ``pfx``), no key when ``require_key`` (field ``pfx``), key and certificate
    that do not match. The certificate is the one that pairs with the key; the others go to ``chain``
    in file order.

    A file without a MAC is refused (``InputError`` field ``pfx``): its integrity cannot be checked, so
    anyone who can change it can substitute their own key and certificate. ``allow_no_mac=True``
    loads it; the bundle's ``integrity_checked`` is then False (and its repr says so).

    Work is bounded before any key derivation runs: no KDF may ask for more than ``max_iterations``
    (scrypt: N*r*p over ``max_scrypt_cost`` or memory over ``max_scrypt_memory``), and the MAC and all
    encrypted parts and shrouded keys together for no more than ``max_total_iterations`` (default
    ``TOTAL_ITERATIONS_FACTOR * max_iterations``: a usual file has three runs, MAC, certificates and
    key); a KDF whose cost cannot be read is refused. A wrong password costs about what a right one
    does: the failure is explained from one OpenSSL attempt, plus an empty-password attempt only when
    it costs at most half the right password's work.
    """
    raw = _pfx_bytes(data, max_size)
    pw = _password_bytes(password)
    pfx = _parse_pfx(raw)
    total = TOTAL_ITERATIONS_FACTOR * max_iterations if max_total_iterations is None else max_total_iterations
    mac = _read_mac(pfx)
    found = _read_kdfs(pfx)
    kdfs = [kdf for _, kdf in found]
    _check_work(([mac] if mac is not None else []) + kdfs, max_iterations, total, max_scrypt_cost, max_scrypt_memory)
    if mac is None and not allow_no_mac:
        raise InputError(
            "pfx",
            "has no MAC: the file's integrity cannot be checked (anyone could have replaced its key or "
            "certificates); pass allow_no_mac=True to load it anyway",
        )
    der = _to_der(pfx, raw)
    candidates: list[bytes | None] = [pw] if pw else [None, b""]
    loaded: pkcs12.PKCS12KeyAndCertificates | None = None
    for candidate in candidates:
        loaded = _openssl_load(der, raw, candidate)
        if loaded is not None:
            break
    if loaded is None:
        raise _explain_failure(pfx, der, raw, pw, mac, found)
    info = PfxInfo(integrity_checked=mac is not None, mac=mac, kdfs=tuple(kdfs))

    key = loaded.key
    if len(loaded.additional_certs) + (loaded.cert is not None) > MAX_PFX_CERTIFICATES:
        raise InputError("pfx", f"holds more than {MAX_PFX_CERTIFICATES} certificates")
    # parsed now (names, extensions), by the rules load_certificates applies, so no later call warns
    cert = parsed_certificate(loaded.cert.certificate, "pfx.certificate") if loaded.cert is not None else None
    name = _friendly(loaded.cert.friendly_name) if loaded.cert is not None else None
    others = [
        (parsed_certificate(c.certificate, f"pfx.certificates[{i}]"), _friendly(c.friendly_name))
        for i, c in enumerate(loaded.additional_certs)
    ]
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
        pfx=info,
    )


#: The start of cryptography's warning about a zero or negative certificate serial number.
_SERIAL_WARNING = r"Parsed a (negative )?serial number"


def _openssl_load(der: bytes, raw: bytes, password: bytes | None) -> pkcs12.PKCS12KeyAndCertificates | None:
    """One load attempt in OpenSSL (through cryptography); None when the password (or the data) fails."""
    try:
        # catch_warnings is process-global, hence used only here. A certificate whose serial number
        # is not positive loads with cryptography's deprecation warning: refused instead. A DSA key
        # loads with cryptography 51's "DSA is deprecated": silenced, as cryptokit._dsa does for
        # certificate keys (a DSA PFX loads; signing with it is refused elsewhere). The BER filter is
        # a backstop only: the outer layers are DER now, so cryptography should not need its
        # (warning) BER fallback.
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=_SERIAL_WARNING, category=CryptographyDeprecationWarning)
            warnings.filterwarnings("ignore", message="DSA is deprecated", category=CryptographyDeprecationWarning)
            if der is not raw:
                warnings.filterwarnings("ignore", message="PKCS#12 bundle could not be parsed as DER")
            return pkcs12.load_pkcs12(der, password)
    except CryptographyDeprecationWarning as exc:
        if not re.match(_SERIAL_WARNING, str(exc)):
            raise  # another warning the caller's own filters made an error: not ours to rename
        raise InputError(
            "pfx", "holds a certificate whose serial number is not positive (RFC 5280 section 4.1.2.2)"
        ) from None
    except _CryptoUnsupported as exc:
        raise UnsupportedAlgorithm(f"PKCS#12 file uses an unsupported algorithm: {exc}") from None
    except (ValueError, TypeError):
        return None


#: An explanation attempt this cheap (MAC iterations) is always affordable (a few milliseconds).
_FREE_EXPLANATION_ITERATIONS = 65_536


def _explain_failure(
    pfx: a_pkcs12.Pfx,
    der: bytes,
    raw: bytes,
    password: bytes | None,
    mac: PfxKdf | None,
    found: list[tuple[str, PfxKdf]],
) -> InputError:
    """Why the file did not open, at a bounded cost: a wrong password must not cost much more than a
    right one (the failed OpenSSL attempt ran the MAC's KDF; the right password would also have run
    every encrypted part's). The legacy-cipher check re-derives the MAC key in Python, but only when
    the legacy provider is off, where the right password fails the same way at the same cost."""
    legacy = sorted({_LEGACY_CIPHERS[oid] for oid, _ in found if oid in _LEGACY_CIPHERS})
    if legacy and not _legacy_provider_loaded():
        mac_ok = _mac_verifies(pfx, password)
        if mac_ok is not False:
            proof = "the password is right (the MAC verifies), but " if mac_ok else ""
            return InputError(
                "pfx",
                f"{proof}the file is encrypted with {', '.join(legacy)}, a legacy cipher that needs OpenSSL's legacy "
                "provider (unset CRYPTOGRAPHY_OPENSSL_NO_LEGACY, or re-export the file with AES-256)",
            )
    if password is None:
        return InputError("password", "is required: the file did not open without a password")
    if mac is not None and mac.kdf == "pkcs12-kdf" and mac.iterations is not None:
        # OpenSSL tries NULL then "" (two MAC derivations); affordable when the failed attempt plus
        # these stay within 1.5 x the right password's work (the MAC plus every encrypted part).
        right = sum(kdf.iterations or 0 for _, kdf in found) + mac.iterations
        hint = 2 * mac.iterations
        if hint <= _FREE_EXPLANATION_ITERATIONS or 2 * (mac.iterations + hint) <= 3 * right:
            if _openssl_load(der, raw, None) is not None:
                return InputError("password", "is wrong: this file has no password (pass None)")
    if mac is None:
        return InputError("password", "is wrong for this PKCS#12 file (the decryption failed)")
    return InputError("password", "is wrong for this PKCS#12 file (the MAC or the decryption failed)")
