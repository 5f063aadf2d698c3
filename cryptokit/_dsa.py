"""DSA key classes for ``isinstance`` checks, named without cryptography 51's deprecation warning.

cryptography 51 deprecates DSA: reading ``dsa.DSAPublicKey`` from its module emits
CryptographyDeprecationWarning even when the key in hand is RSA or EC. cryptokit only needs the
classes to recognise (and refuse or describe) a DSA key, so it takes the aliases cryptography keeps
for its own internal use (``dsa._DSAPublicKey``, 51 and later) and falls back to the public names on
older releases, where they do not warn.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

__all__ = ["DSAPrivateKey", "DSAPublicKey", "public_key"]


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


_DSA_OID = x509.ObjectIdentifier("1.2.840.10040.4.1")


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
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "DSA is deprecated")
        return cert.public_key()
