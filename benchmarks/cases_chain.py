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


def case_chain_decoys(quick: bool = False) -> Ratio:
    """240 junk-signed decoys with the issuing CA's name and key identifier, plus the root's and the
    CA's CRLs (revocation required): cryptokit against cryptography's Rust verifier on the same
    certificates (which checks no CRL). Shows that the decoys cost linear time (issue 16: 120+120
    decoys with two CRLs took 596 s before)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.verification import ExtensionPolicy, PolicyBuilder, Store

    from cryptokit.chain import ChainPolicy
    from cryptokit.testing import make_cert, make_key, name
    from cryptokit.testing_chains import decoy_intermediates

    rk, ik, lk = make_key("p256", "bench-decoy-root"), make_key("p256", "bench-decoy-ca"), make_key("p256", "bench-dl")
    root = make_cert(name("Bench Decoy Root"), rk, ca=True)
    inter = make_cert(name("Bench Decoy CA"), ik, root, rk, ca=True)
    leaf = make_cert(
        name("Bench Decoy Leaf"),
        lk,
        inter,
        ik,
        extra_extensions=[(x509.SubjectAlternativeName([x509.DNSName("leaf.example.com")]), False)],
    )
    pool = [*decoy_intermediates(inter, root, 240, label="bench-decoy"), inter]
    at = _at()
    crls = []
    for issuer, key in ((root, rk), (inter, ik)):
        crls.append(
            x509.CertificateRevocationListBuilder()
            .issuer_name(issuer.subject)
            .last_update(at - dt.timedelta(days=1))
            .next_update(at + dt.timedelta(days=1))
            .add_extension(x509.CRLNumber(1), critical=False)
            .sign(key, hashes.SHA256())
        )
    policy = ChainPolicy.rfc5280(require_revocation=True, max_candidates=1024)
    n = 2 if quick else 5
    verifier = (
        PolicyBuilder()
        .store(Store([root]))
        .time(at)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ExtensionPolicy.permit_all())
        .build_client_verifier()
    )

    def bare() -> None:
        for _ in range(n):
            try:
                verifier.verify(leaf, pool)
            except Exception:  # the reference may give up on the decoys: its time is what counts
                pass

    def ours() -> None:
        for _ in range(n):
            r = validate_chain(
                leaf, intermediates=pool, trust_anchors=[root], at=at, policy=policy, crls=crls, cache=None
            )
            assert r.ok

    return measure(
        "validate_chain cold, 240 decoy CAs + 2 CRLs, vs cryptography's verifier (no CRLs)",
        bare,
        ours,
        ops=n,
        target=0.05,
        repeat=3,
    )


CASES: dict[str, Callable[..., Ratio]] = {
    "chain-cold": case_chain_cold,
    "chain-cached": case_chain_cached,
    "chain-decoys": case_chain_decoys,
}
