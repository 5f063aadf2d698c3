"""Keys and key bundles: what a PFX/PKCS#12 file holds.

(Skeleton: ``KeyBundle`` is fixed here so other blocks can use it; ``load_pfx`` and the writers
are being built in the keys issue.)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

__all__ = ["KeyBundle"]


@dataclass(frozen=True, slots=True, repr=False)
class KeyBundle:
    """A private key, its certificate and the rest of the chain (as found, not validated).

    ``private_key`` or ``certificate`` may be None for key-only or certificate-only files.
    The repr shows the subject and the key type, never key material.
    """

    private_key: PrivateKeyTypes | None
    certificate: x509.Certificate | None
    chain: tuple[x509.Certificate, ...] = ()
    friendly_name: str | None = None
    extra: tuple[object, ...] = field(default=(), compare=False)

    def __repr__(self) -> str:
        subject = self.certificate.subject.rfc4514_string() if self.certificate is not None else None
        key_type = type(self.private_key).__name__.lstrip("_") if self.private_key is not None else None
        return f"KeyBundle(subject={subject!r}, key={key_type}, chain={len(self.chain)} certificates)"
