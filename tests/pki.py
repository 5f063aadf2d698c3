"""The throwaway test PKI lives in :mod:`cryptokit.testing`; this module keeps the tests' imports short."""

from __future__ import annotations

import datetime as dt

from cryptokit.testing import DAY, Pki, PrivateKey, make_cert, make_key, make_pki, name

UTC = dt.UTC
NOW = dt.datetime.now(UTC).replace(microsecond=0)

__all__ = ["DAY", "NOW", "UTC", "Pki", "PrivateKey", "make_cert", "make_key", "make_pki", "name"]
