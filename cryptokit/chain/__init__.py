"""Certificate chain validation with DSS-style reports.

``validate_chain(leaf, *, intermediates=(), trust_anchors, at=None, policy=None, crls=())`` builds
a path from unordered input, checks it under RFC 5280 section 6 and a :class:`ChainPolicy`, and
returns a :class:`ChainReport` (indication, sub-indication, path, one check per fact per
certificate). See :mod:`cryptokit.chain.validate` for the design and what is not processed.
"""

from __future__ import annotations

from .cache import CacheStats, ChainCache
from .policy import AllOf, AnyOf, ChainPolicy, Constraint, RequireLeafEku, RequireLeafKeyUsage
from .validate import DEFAULT_CACHE, ChainReport, validate_chain

__all__ = [
    "validate_chain",
    "ChainReport",
    "ChainPolicy",
    "ChainCache",
    "CacheStats",
    "DEFAULT_CACHE",
    "Constraint",
    "AllOf",
    "AnyOf",
    "RequireLeafEku",
    "RequireLeafKeyUsage",
    "chain_cache_stats",
]


def chain_cache_stats() -> CacheStats:
    """Hits, misses, uncacheable stores and size of the process-wide chain cache."""
    return DEFAULT_CACHE.stats()
