"""Hazardous materials: low-level primitives whose safe use depends on the caller.

:mod:`cryptokit.hazmat.ciphers` holds the AES-256 cores of the envelope profiles with a
caller-chosen IV. Nothing here is exported from :mod:`cryptokit`; prefer :class:`cryptokit.Envelope`.
"""
