"""Adapters to other libraries (interfaces layer), each behind an optional extra.

- :mod:`cryptokit.integrations.pdf_verify` (extra ``pdf``): offline verification of every signature of a PDF.
- :mod:`cryptokit.integrations.pyhanko` (extra ``pdf``): a pyHanko ``Signer`` whose key is held by
  ADSS or a CSC service, for PAdES signatures made by pyHanko.

Nothing here is imported by ``import cryptokit``.
"""
