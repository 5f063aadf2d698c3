"""Adapters to other libraries (interfaces layer), each behind an optional extra.

- :mod:`cryptokit.integrations.pyhanko` (extra ``pdf``): a pyHanko ``Signer`` whose key is held by
  ADSS or a CSC service, for PAdES signatures made by pyHanko.

Nothing here is imported by ``import cryptokit``.
"""
