"""VerifyResults: what verify_many returns, kept by column (issue 23 point 5)."""

from __future__ import annotations

import gc
import hashlib
import pickle
import sys
import types
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils

from cryptokit.bulk import VerifyJob, VerifyResult, VerifyResults, verify_many
from cryptokit.errors import InputError, InvalidSignature
from tests.pki import make_key

_PREHASHED = utils.Prehashed(hashes.SHA256())


def _jobs(count: int, bad: set[int]) -> list[VerifyJob]:
    """``count`` RSA-2048 jobs over 50 signatures; the positions in ``bad`` carry a wrong digest."""
    key: Any = make_key("rsa2048", "bulk-results")
    pairs = []
    for i in range(50):
        digest = hashlib.sha256(b"%d" % i).digest()
        pairs.append((key.sign(digest, padding.PKCS1v15(), _PREHASHED), digest))
    pub = key.public_key()
    wrong = hashlib.sha256(b"wrong").digest()
    return [
        VerifyJob(pub, pairs[i % 50][0], digest=wrong if i in bad else pairs[i % 50][1], algorithm="sha256")
        for i in range(count)
    ]


def test_verify_many_returns_columns_that_read_like_the_list() -> None:
    bad = {3, 4, 700}
    jobs = _jobs(1000, bad)
    results = verify_many(jobs, workers=1)
    assert isinstance(results, VerifyResults) and len(results) == 1000
    as_list = list(results)
    assert all(type(r) is VerifyResult for r in as_list)
    assert [i for i, r in enumerate(as_list) if not r.ok] == sorted(bad)
    assert isinstance(results[3].error, InvalidSignature) and results[5].ok and results[-1].ok
    assert results[-300].ok is False  # position 700, counted from the end
    assert (results.ok, results.failed, sorted(results.failures())) == (False, 3, [3, 4, 700])
    assert results.ok_mask() == bytes(0 if i in bad else 1 for i in range(1000))
    # equal to the list it reads as, to itself pickled, and across the parallel path
    assert results == as_list and results == tuple(as_list) and as_list == list(results)
    assert pickle.loads(pickle.dumps(results)) == results
    assert verify_many(jobs, workers=2) == results
    # slices are VerifyResults of their own, positions counted from their start
    part = results[2:6]
    assert isinstance(part, VerifyResults) and sorted(part.failures()) == [1, 2] and part == as_list[2:6]
    assert results[::-1] == as_list[::-1]
    assert (results[:3] + results[3:]) == results and results[:2] + as_list[2:] == as_list
    assert repr(results) == "VerifyResults(1000 jobs, 3 failed)"
    with pytest.raises(IndexError):
        results[1000]
    with pytest.raises(InputError):
        results["1"]
    with pytest.raises(AttributeError):
        results._codes = b""  # type: ignore[misc]


def test_results_built_by_hand_are_checked() -> None:
    ok = verify_many(_jobs(2, set()), workers=1)
    assert VerifyResults(list(ok)) == ok and VerifyResults() == []
    with pytest.raises(InputError, match=r"results\[1\]"):
        VerifyResults([ok[0], "yes"])  # type: ignore[list-item]


def _held(obj: object) -> tuple[int, int]:
    """(bytes, objects) reachable from ``obj``, each object once; types, modules and functions
    (shared by every instance) are not counted."""
    seen: set[int] = set()
    size = count = 0
    todo = [obj]
    while todo:
        o = todo.pop()
        if id(o) in seen or isinstance(o, (type, types.ModuleType, types.FunctionType)):
            continue
        seen.add(id(o))
        size += sys.getsizeof(o)
        count += 1
        todo.extend(gc.get_referents(o))
    return size, count


def test_a_verified_job_costs_about_a_byte_not_a_list_slot() -> None:
    """Point 5's memory rule: 20,000 verified jobs are held in ~20 KB (one byte each) and a handful
    of objects, where a list alone is 160 KB (8-byte slots) and one object per failure. Measured on
    what the result holds, not on the allocator (cryptography's own allocations during the call
    differ between its versions)."""
    jobs = _jobs(20_000, set())
    results = verify_many(jobs, workers=1)
    assert results.ok and len(results) == 20_000
    size, count = _held(results)
    assert size < 20_000 * 2 + 4_096, size
    assert count < 50, count
    bad = verify_many(_jobs(20_000, {5, 700}), workers=1)
    bad_size, bad_count = _held(bad)
    assert not bad.ok and bad_size < 20_000 * 2 + 8_192, bad_size
    assert bad_count < 100, bad_count
