"""Chain validation: a 3-certificate chain (leaf, issuing CA, root), cold and cached.

Cold: ``validate_chain(..., cache=None)`` against pyhanko-certvalidator (benchmark-only; never
imported by cryptokit) validating the same chain at the same time with fetching off and revocation
soft-fail (so neither side checks revocation), in one asyncio loop: target >= 3x. Cached: the same
call through a :class:`ChainCache` (a bulk run that meets the same chain again) against our own
cold path, to show what the cache saves (target >= 5x).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives import serialization

from cryptokit.chain import ChainCache, validate_chain

from .ratio import Ratio, measure


def _pki(kind: str = "rsa2048") -> object:
    from tests.pki import make_pki

    return make_pki(kind, label="bench")


def _at() -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    return now.replace(hour=12, minute=0, second=0, microsecond=0)  # far from the certificates' boundaries


def case_chain_cold(quick: bool = False, kind: str = "rsa2048") -> Ratio:
    from asn1crypto import x509 as a_x509
    from pyhanko_certvalidator import CertificateValidator, ValidationContext

    pki = _pki(kind)
    at = _at()
    n = 100 if quick else 400

    def a1(c: object) -> a_x509.Certificate:
        return a_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))  # type: ignore[attr-defined]

    root, inter, leaf = a1(pki.root), a1(pki.intermediate), a1(pki.leaf)  # type: ignore[attr-defined]

    async def pyhanko_loop() -> None:
        for _ in range(n):
            ctx = ValidationContext(trust_roots=[root], moment=at, allow_fetching=False, revocation_mode="soft-fail")
            v = CertificateValidator(leaf, intermediate_certs=[inter], validation_context=ctx)
            await v.async_validate_usage({"digital_signature"})  # type: ignore[no-untyped-call]

    def bare() -> None:
        asyncio.run(pyhanko_loop())

    def ours() -> None:
        for _ in range(n):
            r = validate_chain(
                pki.leaf,  # type: ignore[attr-defined]
                intermediates=[pki.intermediate],  # type: ignore[attr-defined]
                trust_anchors=[pki.root],  # type: ignore[attr-defined]
                at=at,
                cache=None,
            )
            assert r.ok

    return measure(
        f"validate_chain cold, 3-cert {kind} chain, vs pyhanko-certvalidator",
        bare,
        ours,
        ops=n,
        target=3.0,
        repeat=3 if quick else 5,
    )


def case_chain_cached(quick: bool = False, kind: str = "rsa2048") -> Ratio:
    pki = _pki(kind)
    at = _at()
    n = 200 if quick else 2000
    cache: ChainCache[Any] = ChainCache()
    args = dict(intermediates=[pki.intermediate], trust_anchors=[pki.root], at=at)  # type: ignore[attr-defined]

    def cold() -> None:
        for _ in range(n):
            validate_chain(pki.leaf, cache=None, **args)  # type: ignore[arg-type, attr-defined]

    def cached() -> None:
        for _ in range(n):
            validate_chain(pki.leaf, cache=cache, **args)  # type: ignore[arg-type, attr-defined]

    result = measure(
        f"validate_chain cached, 3-cert {kind} chain, vs our cold path",
        cold,
        cached,
        ops=n,
        target=5.0,
        repeat=3 if quick else 5,
    )
    assert cache.stats().misses == 1, cache.stats()
    return result


CASES: dict[str, Callable[..., Ratio]] = {
    "chain-cold": case_chain_cold,
    "chain-cached": case_chain_cached,
}
