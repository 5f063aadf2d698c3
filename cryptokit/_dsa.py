"""DSA key classes for ``isinstance`` checks, named without cryptography 51's deprecation warning.

cryptography 51 deprecates DSA: reading ``dsa.DSAPublicKey`` from its module emits
CryptographyDeprecationWarning even when the key in hand is RSA or EC. cryptokit only needs the
classes to recognise (and refuse or describe) a DSA key, so it takes the aliases cryptography keeps
for its own internal use (``dsa._DSAPublicKey``, 51 and later) and falls back to the public names on
older releases, where they do not warn.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes, PublicKeyTypes

from .encoding import der_header

__all__ = [
    "DSAPrivateKey",
    "DSAPublicKey",
    "csr_public_key",
    "public_key",
    "quiet_dsa_deprecation",
    "spki_algorithm",
    "spki_public_key",
]


def _dsa_class(name: str) -> type:
    alias = getattr(dsa, f"_{name}", None)
    if isinstance(alias, type):
        return alias
    with warnings.catch_warnings():  # an older release: the public name, silenced should it ever warn
        warnings.simplefilter("ignore")
        cls = getattr(dsa, name)
    assert isinstance(cls, type)
    return cls


if TYPE_CHECKING:
    DSAPublicKey = dsa.DSAPublicKey
    DSAPrivateKey = dsa.DSAPrivateKey
else:
    DSAPublicKey = _dsa_class("DSAPublicKey")
    DSAPrivateKey = _dsa_class("DSAPrivateKey")


@contextmanager
def quiet_dsa_deprecation() -> Iterator[None]:
    """Silence cryptography 51's "DSA is deprecated" warning, and only it, for the block: for
    importing a third-party module (pyHanko) that names the DSA classes at import time, which would
    otherwise warn out of a cryptokit call."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "DSA is deprecated")
        yield


_DSA_OID = x509.ObjectIdentifier("1.2.840.10040.4.1")
_DSA_OID_CONTENT = b"\x2a\x86\x48\xce\x38\x04\x01"  # OBJECT IDENTIFIER 1.2.840.10040.4.1


def public_key(cert: x509.Certificate) -> CertificatePublicKeyTypes:
    """``cert.public_key()``, without the deprecation warning cryptography 51
    emits while loading a DSA key. The warning is silenced only around a key whose algorithm is DSA (or
    unreadable), so checking the algorithm costs about 0.1 us and other keys load as before; errors
    from the load are unchanged."""
    try:
        quiet = cert.public_key_algorithm_oid == _DSA_OID
    except ValueError:
        quiet = True
    if not quiet:
        return cert.public_key()
    with quiet_dsa_deprecation():
        return cert.public_key()


def spki_algorithm(der: bytes, i: int = 0) -> tuple[bytes, int | None]:
    """The algorithm OBJECT IDENTIFIER's content octets of the SubjectPublicKeyInfo whose tag is at
    ``der[i]``, and the tag of the algorithm's parameters (None when absent). cryptokit's one reader
    of a SubjectPublicKeyInfo's algorithm from DER (the DSA checks here, ``chain.der``'s certificate
    reader). Reads headers only and proves nothing else well-formed; ValueError when the shape is
    not SEQUENCE { SEQUENCE { OBJECT IDENTIFIER, ... }, ... }, IndexError when truncated."""
    if der[i] != 0x30:
        raise ValueError("SubjectPublicKeyInfo not a SEQUENCE")
    i = der_header(der, i)[0]
    if der[i] != 0x30:
        raise ValueError("AlgorithmIdentifier not a SEQUENCE")
    a, n = der_header(der, i)
    if der[a] != 0x06:
        raise ValueError("algorithm not an OBJECT IDENTIFIER")
    o, m = der_header(der, a)
    p, end = o + m, a + n
    if p > len(der):
        raise IndexError("truncated SubjectPublicKeyInfo")
    if p > end:
        raise ValueError("algorithm OID beyond its AlgorithmIdentifier")
    return der[o:p], der[p] if p < end else None


def _spki_is_dsa(der: bytes, i: int) -> bool:
    """Whether the SubjectPublicKeyInfo whose tag is at ``der[i]`` has the algorithm id-dsa (True too
    when the bytes do not have the expected shape: cryptography then refuses or warns, and is silenced)."""
    try:
        return spki_algorithm(der, i)[0] == _DSA_OID_CONTENT
    except (IndexError, ValueError):
        return True


def _csr_key_is_dsa(der: bytes) -> bool:
    """Whether the SubjectPublicKeyInfo algorithm of a PKCS#10 request's DER is id-dsa (or unreadable)."""
    try:
        if der[0] != 0x30:
            return True
        i = der_header(der, 0)[0]  # CertificationRequest
        if der[i] != 0x30:
            return True
        i = der_header(der, i)[0]  # CertificationRequestInfo
        for _ in range(2):  # version, subject
            start, length = der_header(der, i)
            i = start + length
    except IndexError:
        return True
    return _spki_is_dsa(der, i)


def spki_public_key(der: bytes) -> PublicKeyTypes:
    """``serialization.load_der_public_key(der)`` for a DER SubjectPublicKeyInfo, without cryptography
    51's DSA deprecation warning: silenced only when the SPKI's algorithm is DSA (or unreadable).
    Errors from the load are unchanged."""
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    if not _spki_is_dsa(der, 0):
        return load_der_public_key(der)
    with quiet_dsa_deprecation():
        return load_der_public_key(der)


def csr_public_key(csr: x509.CertificateSigningRequest, der: bytes | None = None) -> CertificatePublicKeyTypes:
    """``csr.public_key()``, without cryptography 51's DSA deprecation warning: as :func:`public_key`,
    silenced only when the request's SubjectPublicKeyInfo algorithm (read from ``der``, the request's
    DER, or its re-encoding when not given; a CSR object exposes no key algorithm) is DSA or
    unreadable. Errors from the load are unchanged."""
    if der is None:
        from cryptography.hazmat.primitives.serialization import Encoding

        der = csr.public_bytes(Encoding.DER)
    if not _csr_key_is_dsa(der):
        return csr.public_key()
    with quiet_dsa_deprecation():
        return csr.public_key()
