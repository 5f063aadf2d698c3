"""The bulk engines on a Dask cluster (a LocalCluster of 2 worker processes): same answers as one core.

Users who outgrow one machine point the same call at a cluster through
``distributed.Client(...).get_executor()``; nothing else changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from cryptokit.bulk import HashError, VerifyJob, hash_many, key_cache_info, verify_many
from cryptokit.errors import InputError, InvalidSignature
from cryptokit.signatures import sign_digest, sign_message
from tests.pki import make_cert, make_key

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow  # about 5 s, most of it starting the cluster; runs in the default suite


@pytest.fixture(scope="module")
def dask_executor() -> Iterator[Any]:
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_hash_many_on_a_dask_cluster(dask_executor: Any, tmp_path: Path) -> None:
    client = dask_executor
    docs = [b"document %d" % i for i in range(3000)]
    (tmp_path / "a.bin").write_bytes(b"on disk" * 100_000)
    sources: list[Any] = [*docs, tmp_path / "a.bin", tmp_path / "missing.bin", "a str"]
    serial = hash_many(sources, workers=1)
    calls: list[tuple[int, int]] = []
    on_cluster = hash_many(
        sources, executor=client.get_executor(), workers=2, progress=lambda d, t: calls.append((d, t))
    )
    assert on_cluster == serial
    assert [r.digest for r in on_cluster[:3000]] == [hashlib.sha256(d).digest() for d in docs]
    assert isinstance(on_cluster[3001], HashError) and isinstance(on_cluster[3001].error, InputError)
    assert on_cluster[3001].error.field == "sources[3001]"
    assert calls[-1] == (len(sources), len(sources))


def test_verify_many_on_a_dask_cluster(dask_executor: Any) -> None:
    client = dask_executor
    rsa_key, p256, ed = make_key("rsa2048"), make_key("p256"), make_key("ed25519")
    cert = make_cert("dask signer", rsa_key)
    digest = hashlib.sha256(b"document").digest()
    bad = hashlib.sha256(b"other").digest()
    pkcs1 = sign_digest(rsa_key, digest, "sha256")
    raw = sign_digest(p256, digest, "sha256", signature_encoding="raw")
    ed_sig = sign_message(ed, b"document")
    p256_pem = p256.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    base = [
        VerifyJob(cert, pkcs1, digest=digest, algorithm="sha256"),
        VerifyJob(rsa_key.public_key(), pkcs1, digest=bad, algorithm="sha256"),
        VerifyJob(p256_pem, raw, digest=digest, algorithm="sha256"),
        VerifyJob(ed.public_key(), ed_sig, message=b"document"),
        VerifyJob(ed.public_key(), ed_sig, message=b"tampered"),
        VerifyJob(b"not a key", pkcs1, digest=digest, algorithm="sha256"),
    ]
    jobs = base * 200
    serial = verify_many(jobs, workers=1)
    calls: list[tuple[int, int]] = []
    on_cluster = verify_many(
        jobs, executor=client.get_executor(), workers=2, progress=lambda d, t: calls.append((d, t))
    )
    assert on_cluster == serial
    assert [(r.ok, r.scheme, r.encoding) for r in on_cluster[:6]] == [
        (True, "pkcs1v15", None),
        (False, "pkcs1v15", None),
        (True, "ecdsa", "raw"),
        (True, "ed25519", None),
        (False, "ed25519", None),
        (False, None, None),
    ]
    assert isinstance(on_cluster[1].error, InvalidSignature)
    assert isinstance(on_cluster[5].error, InputError) and on_cluster[5].error.field == "jobs[5].key"
    assert calls[-1] == (1200, 1200) and len(calls) >= 8  # 1200 jobs in chunks of 75
    # 16 chunks x 5 distinct key references = 80 lookups; each worker parsed each key at most once
    infos = client.run(key_cache_info)
    assert len(infos) == 2
    assert all(info["loads"] <= 5 for info in infos.values()), infos
    assert sum(info["hits"] for info in infos.values()) >= 80 - 10, infos
