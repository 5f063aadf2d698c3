"""CMS SignedData (RFC 5652): sign with a KeyBundle, verify DER or Java-style BER against registered
signers or trust anchors.

- :func:`cms_sign` produces DER (attached or detached; RSA PKCS#1 v1.5, RSA-PSS, ECDSA, Ed25519).
- :func:`cms_prepare` prepares a CAdES-BES SignedData for a remote signer (ADSS, CSC): the hash to send,
  then :meth:`PreparedCms.finish` assembles and verifies the result around the returned signature.
- :func:`cms_verify` checks every signer and raises :class:`~cryptokit.errors.VerificationFailed`
  with a DSS-style report on any failure; :func:`cms_verify_unsafe_no_trust` skips the trust decision
  and says so in its name.
- Hashes are computed over the bytes as received (eContent octets, signed attributes re-tagged as
  SET OF), never over a re-serialisation.
"""

from __future__ import annotations

from . import policy, prepare, sign, verify
from .parse import CmsFormatError, ParsedCms, parse_signed_data
from .policy import *  # noqa: F403
from .prepare import *  # noqa: F403
from .sign import *  # noqa: F403
from .verify import *  # noqa: F403

# The parsing module's names are internals but these three; the other modules' lists are exported whole.
__all__ = [
    "CmsFormatError",
    "ParsedCms",
    "parse_signed_data",
    *policy.__all__,
    *prepare.__all__,
    *sign.__all__,
    *verify.__all__,
]
