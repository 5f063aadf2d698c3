"""Bare signature values: verify, sign and identify them (RSA PKCS#1 v1.5, RSA-PSS, ECDSA, EdDSA).

Modules: :mod:`.sign_verify` (``verify_digest``, ``verify_message``, ``sign_digest``,
``sign_message``, ``identify_signature``), :mod:`.public_keys` (``load_public_key``,
``PublicKey``), :mod:`.pss_params` (RSASSA-PSS-params), :mod:`.rsa_pss` (salt recovery),
:mod:`.ecdsa_encoding` (DER <-> raw r||s).
"""

from __future__ import annotations

from . import sign_verify
from .sign_verify import *  # noqa: F403

__all__ = [*sign_verify.__all__]
