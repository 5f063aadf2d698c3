"""The chain report cache and composable policies."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

from cryptokit.chain import (
    DEFAULT_CACHE,
    AllOf,
    AnyOf,
    ChainCache,
    ChainPolicy,
    RequireLeafEku,
    RequireLeafKeyUsage,
    chain_cache_stats,
    validate_chain,
)
from cryptokit.errors import InputError
from cryptokit.report import SubIndication
from tests.pki import DAY, NOW, make_pki

UTC = dt.UTC


def test_cache_hits_for_a_repeated_chain() -> None:
    pki = make_pki("p256")
    cache: ChainCache = ChainCache(maxsize=8, bucket_seconds=60)
    at = dt.datetime(NOW.year, NOW.month, NOW.day, 12, 0, 10, tzinfo=UTC)  # far from any certificate boundary
    first = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], at=at, cache=cache)
    assert cache.stats().misses == 1 and cache.stats().hits == 0 and len(cache) == 1
    for i in range(5):
        again = validate_chain(
            pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], at=at + dt.timedelta(seconds=i), cache=cache
        )
        assert again.ok and again.path == first.path and again.checks == first.checks
        assert again.at == at + dt.timedelta(seconds=i)
    stats = cache.stats()
    assert (stats.hits, stats.misses) == (5, 1)
    # another time bucket, another policy, another chain order: misses
    validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], at=at + DAY, cache=cache)
    validate_chain(
        pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], at=at, policy=ChainPolicy.rfc5280(), cache=cache
    )
    assert cache.stats().misses == 3


def test_cache_never_serves_across_a_boundary() -> None:
    """A bucket that contains the leaf's notAfter is not cached: the verdict changes inside it."""
    pki = make_pki("p256")
    cache: ChainCache = ChainCache(bucket_seconds=10_000_000)
    end = pki.leaf.not_valid_after_utc
    before = end - dt.timedelta(seconds=1)
    after = end + dt.timedelta(seconds=2)
    assert cache.bucket(before) == cache.bucket(after)  # one bucket (fails with odds of about 3 in 10 million)
    r1 = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], at=before, cache=cache)
    r2 = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], at=after, cache=cache)
    assert r1.ok and r2.sub_indication is SubIndication.EXPIRED
    assert cache.stats().hits == 0 and cache.stats().uncacheable >= 1


def test_cache_is_bounded_lru() -> None:
    cache: ChainCache = ChainCache(maxsize=2)
    pkis = [make_pki("p256", label=f"lru{i}") for i in range(3)]
    at = dt.datetime(NOW.year, NOW.month, NOW.day, 12, tzinfo=UTC)
    for p in pkis:
        validate_chain(p.leaf, intermediates=p.chain, trust_anchors=[p.root], at=at, cache=cache)
    assert len(cache) == 2
    validate_chain(pkis[0].leaf, intermediates=pkis[0].chain, trust_anchors=[pkis[0].root], at=at, cache=cache)
    assert cache.stats().hits == 0  # the oldest entry was evicted


def test_default_cache_and_stats() -> None:
    pki = make_pki("p256", label="default-cache")
    at = dt.datetime(NOW.year, NOW.month, NOW.day, 12, tzinfo=UTC)
    before = chain_cache_stats()
    validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], at=at)
    validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], at=at)
    after = chain_cache_stats()
    assert after.hits == before.hits + 1 and after.misses == before.misses + 1
    assert DEFAULT_CACHE.stats() == after


def test_policy_is_frozen_hashable_and_composable() -> None:
    base = ChainPolicy.document_signing()
    assert hash(base) == hash(ChainPolicy.document_signing())
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.require_revocation = True  # type: ignore[misc]
    strict = base.replace(require_revocation=True)
    assert strict.require_revocation and not base.require_revocation and strict.profile == "document_signing"
    pki = make_pki("p256")
    code = base.with_constraints(RequireLeafEku(ExtendedKeyUsageOID.CODE_SIGNING.dotted_string))
    report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], policy=code, cache=None)
    assert report.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    assert [c.name for c in report.failures()] == ["leaf_eku"]
    either = base.with_constraints(
        AnyOf(
            (RequireLeafEku(ExtendedKeyUsageOID.CODE_SIGNING.dotted_string), RequireLeafKeyUsage("content_commitment"))
        )
    )
    assert validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], policy=either, cache=None).ok
    both = base.with_constraints(
        AllOf(
            (RequireLeafKeyUsage("digital_signature"), RequireLeafEku(ExtendedKeyUsageOID.CODE_SIGNING.dotted_string))
        )
    )
    report = validate_chain(pki.leaf, intermediates=pki.chain, trust_anchors=[pki.root], policy=both, cache=None)
    assert [(c.name, c.subject) for c in report.failures()] == [("leaf_eku", pki.leaf.subject.rfc4514_string())]
    with pytest.raises(InputError):
        RequireLeafKeyUsage("fly")
    with pytest.raises(InputError):
        base.with_constraints(object())  # type: ignore[arg-type]


def test_hash_policy_by_date() -> None:
    policy = ChainPolicy.rfc5280()
    assert policy.hash_allowed("sha1", dt.datetime(2008, 12, 31, tzinfo=UTC))[0]
    assert not policy.hash_allowed("sha1", dt.datetime(2009, 1, 1, tzinfo=UTC))[0]
    assert policy.hash_allowed("sha256", dt.datetime(2099, 1, 1, tzinfo=UTC))[0]
    assert not policy.hash_allowed("md5", dt.datetime(1990, 1, 1, tzinfo=UTC))[0]
    custom = ChainPolicy.rfc5280(hash_algorithms={"SHA-1": dt.datetime(2012, 1, 1, tzinfo=UTC), "sha256": None})
    assert custom.hash_allowed("sha1", dt.datetime(2011, 1, 1, tzinfo=UTC))[0]
    assert not custom.hash_allowed("sha384", dt.datetime(2011, 1, 1, tzinfo=UTC))[0]
    with pytest.raises(InputError):
        ChainPolicy.rfc5280(hash_algorithms={"sha1": dt.datetime(2012, 1, 1)})  # naive
    with pytest.raises(InputError):
        ChainPolicy.rfc5280(hash_algorithms={"nohash": None})
