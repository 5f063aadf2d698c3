"""Bulk engines: order, per-item errors, executors, progress, key loading, schemes and encodings."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import pickle
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed448, rsa

import cryptokit.bulk.forked as bulk_forked
import cryptokit.bulk.hash as bulk_hash
import cryptokit.bulk.verify as bulk_verify
import cryptokit.errors as ck_errors
from cryptokit.bulk import (
    RUN_HERE_MAX_WORKERS,
    VERIFY_PARALLEL_MIN_JOBS,
    ExecutorFailed,
    HashError,
    VerifyJob,
    VerifyResult,
    hash_many,
    key_cache_info,
    reset_key_cache,
    unwrap,
    verify_digests,
    verify_many,
)
from cryptokit.errors import InputError, InvalidSignature, UnsupportedAlgorithm
from cryptokit.hashing import HashToSign, hash_to_sign
from cryptokit.signatures import load_public_key, sign_digest, sign_message
from tests.conftest import OPENSSL, requires_openssl
from tests.pki import make_cert, make_key

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    """Two worker processes, started now (before any test changes directory), caches reset at start."""
    with ProcessPoolExecutor(2, initializer=reset_key_cache) as executor:
        list(executor.map(abs, [1, 2]))
        yield executor


def _digest_of(data: bytes, name: str = "sha256") -> bytes:
    return hashlib.new(name, data).digest()


# --------------------------------------------------------------------------- hash_many


def _mixed_sources(tmp: Path) -> tuple[list[Any], list[bytes | None]]:
    """Every source kind, good and bad, with the digest hashlib gives (None where an error is due)."""
    rng = random.Random(7)  # the same sources on every call
    small = b"abc"
    big = rng.randbytes(3 * 1024 + 5)
    on_disk = rng.randbytes(200_000)
    (tmp / "doc.bin").write_bytes(on_disk)
    sources: list[Any] = [
        small,
        big,
        bytearray(big),
        memoryview(small),
        tmp / "doc.bin",
        tmp / "missing.bin",  # bad: no such file
        io.BytesIO(on_disk),
        "a str is ambiguous",  # bad
        iter([b"ab", b"c"]),
        io.StringIO("text mode"),  # bad
        12345,  # bad
        b"",
    ]
    expected = [
        _digest_of(small),
        _digest_of(big),
        _digest_of(big),
        _digest_of(small),
        _digest_of(on_disk),
        None,
        _digest_of(on_disk),
        None,
        _digest_of(b"abc"),
        None,
        None,
        _digest_of(b""),
    ]
    return sources, expected


def test_hash_many_keeps_order_and_matches_hashlib(tmp_path: Path) -> None:
    sources, expected = _mixed_sources(tmp_path)
    results = hash_many(sources, workers=1)
    assert [r.digest for r in results] == expected
    assert results[0].hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert all(
        isinstance(r, HashToSign) and r.algorithm.name == "sha256" for r, e in zip(results, expected, strict=True) if e
    )


def test_one_bad_source_is_one_error_entry(tmp_path: Path) -> None:
    sources, expected = _mixed_sources(tmp_path)
    results = hash_many(sources, workers=1)
    errors = {i: r for i, r in enumerate(results) if isinstance(r, HashError)}
    assert sorted(errors) == [i for i, e in enumerate(expected) if e is None] == [5, 7, 9, 10]
    for index, entry in errors.items():
        assert entry.index == index and entry.ok is False and not entry
        assert entry.digest is None and entry.b64 is None and entry.hex is None
        assert isinstance(entry.error, InputError)
        assert entry.error.field == f"sources[{index}]", entry.error
    assert "cannot read file" in str(errors[5].error)
    assert all(results[i] for i in range(len(results)) if i not in errors)
    with pytest.raises(InputError) as first:
        unwrap(results)
    assert first.value.field == "sources[5]"
    good = [r for r in results if r]
    assert unwrap(good) == good


def test_hash_many_other_algorithms_on_every_executor(pool: ProcessPoolExecutor) -> None:
    data = [os.urandom(n) for n in (0, 10, 5000)]
    for name in ("sha512-224", "sha3-256", "sha384"):  # sha512-224's hashlib constructor does not pickle
        want = [_digest_of(d, name.replace("-", "_")) for d in data]
        for kwargs in ({"workers": 1}, {"executor": pool}, {"workers": 2}):
            results = hash_many(data, name, **kwargs)
            assert [r.digest for r in results] == want, (name, kwargs)
            assert {r.algorithm.name for r in results if isinstance(r, HashToSign)} == {name}


def test_hash_many_refuses_bad_arguments() -> None:
    with pytest.raises(UnsupportedAlgorithm):
        hash_many([b"x"], "sha-999")
    for workers in (0, -1, "2", 1.5, True):
        with pytest.raises(InputError) as info:
            hash_many([b"x"], workers=workers)  # type: ignore[arg-type]
        assert info.value.field == "workers"
        with pytest.raises(InputError):
            verify_many([], workers=workers)  # type: ignore[arg-type]
    assert hash_many([]) == []
    assert hash_many(iter([b"abc"]), "SHA-256")[0] == hash_to_sign(b"abc")


def test_hash_many_same_results_on_every_executor(tmp_path: Path, pool: ProcessPoolExecutor) -> None:
    sources, _ = _mixed_sources(tmp_path)
    serial = hash_many(sources, workers=1)
    with ThreadPoolExecutor(2) as threads:
        runs: dict[str, Callable[[], list[Any]]] = {
            "threads": lambda: hash_many(_mixed_sources(tmp_path)[0], workers=3),
            "thread executor": lambda: hash_many(_mixed_sources(tmp_path)[0], executor=threads),
            "process executor": lambda: hash_many(_mixed_sources(tmp_path)[0], executor=pool),
        }
        for label, run in runs.items():
            assert run() == serial, label  # fresh sources: file objects and iterators are consumed


def test_process_executor_gets_absolute_paths(
    tmp_path: Path, pool: ProcessPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "rel.bin").write_bytes(b"relative")
    monkeypatch.chdir(tmp_path)  # the pool's workers were started in another directory
    results = hash_many([Path("rel.bin")], executor=pool)
    assert results[0].digest == _digest_of(b"relative")


class _Recorder:
    """Stands in for an executor class and records that it was created."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.created: list[int] = []

    def __call__(self, max_workers: int, *args: Any, **kwargs: Any) -> Executor:
        self.created.append(max_workers)
        executor: Executor = self.real(max_workers, *args, **kwargs)
        return executor


def test_hash_threads_only_for_large_inputs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    recorder = _Recorder(ThreadPoolExecutor)
    monkeypatch.setattr(bulk_hash, "ThreadPoolExecutor", recorder)
    monkeypatch.setattr(bulk_hash, "cpu_count", lambda: 2)
    small = [os.urandom(1024) for _ in range(5000)]
    assert [r.digest for r in hash_many(small)] == [_digest_of(d) for d in small]
    assert recorder.created == []  # 1 KiB documents hold the GIL: threads cannot help
    big = [os.urandom(2 * MiB) for _ in range(3)]
    assert [r.digest for r in hash_many(big)] == [_digest_of(d) for d in big]
    assert recorder.created == [2]
    assert [r.digest for r in hash_many(big, workers=1)] == [_digest_of(d) for d in big]
    assert recorder.created == [2]  # workers=1: no pool
    for i, d in enumerate(big):
        (tmp_path / f"f{i}").write_bytes(d)
    files = [tmp_path / f"f{i}" for i in range(3)]
    assert [r.digest for r in hash_many(files)] == [_digest_of(d) for d in big]
    assert recorder.created == [2, 2]  # files count by their size on disk


def _progress_log() -> tuple[list[tuple[int, int]], Any]:
    calls: list[tuple[int, int]] = []
    return calls, lambda done, total: calls.append((done, total))


def _check_progress(calls: list[tuple[int, int]], total: int, at_least: int) -> None:
    assert len(calls) >= at_least, calls
    assert calls[-1] == (total, total)
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(set(done)) == len(done)
    assert {t for _, t in calls} == {total}


def test_hash_progress_counts(tmp_path: Path, pool: ProcessPoolExecutor) -> None:
    docs = [os.urandom(64) for _ in range(10_000)]
    calls, progress = _progress_log()
    hash_many(docs, workers=1, progress=progress)
    _check_progress(calls, 10_000, at_least=3)  # chunks of at most 4096 items
    calls, progress = _progress_log()
    big = [os.urandom(2 * MiB) for _ in range(4)]
    hash_many(big, workers=2, progress=progress)
    _check_progress(calls, 4, at_least=2)
    calls, progress = _progress_log()
    hash_many([*docs[:10], io.BytesIO(b"local"), tmp_path / "missing"], executor=pool, progress=progress)
    _check_progress(calls, 12, at_least=2)  # the file object is read here first, then the chunks


# --------------------------------------------------------------------------- verify_many: material


def _pem(key: Any) -> bytes:
    return bytes(key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def _der(key: Any) -> bytes:
    return bytes(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def _rsassa_pss_spki(key: rsa.RSAPrivateKey) -> bytes:
    """An RSASSA-PSS SubjectPublicKeyInfo (SHA-384, MGF1-SHA-384, salt 48), built with asn1crypto."""
    from asn1crypto import algos, keys

    pkcs1 = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    params = algos.RSASSAPSSParams(
        {
            "hash_algorithm": {"algorithm": "sha384"},
            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha384"}},
            "salt_length": 48,
        }
    )
    info = keys.PublicKeyInfo(
        {"algorithm": {"algorithm": "rsassa_pss", "parameters": params}, "public_key": keys.RSAPublicKey.load(pkcs1)}
    )
    return bytes(info.dump())


_ED448 = ed448.Ed448PrivateKey.generate()


def _flip(data: bytes) -> bytes:
    return bytes([data[0] ^ 1]) + data[1:]


def _cases() -> list[tuple[VerifyJob, bool, str | None, str | None]]:
    """(job, ok, scheme, encoding) over every scheme, encoding and key form."""
    rsa_key = make_key("rsa2048")
    p256 = make_key("p256")
    p384 = make_key("p384")
    ed = make_key("ed25519")
    pss_key = make_key("rsa2048", "bulk-pss")
    assert isinstance(pss_key, rsa.RSAPrivateKey)
    cert = make_cert("bulk rsa signer", rsa_key)
    d256 = _digest_of(b"document")
    d384 = _digest_of(b"document", "sha384")
    h = hash_to_sign(b"document", "sha256")
    pkcs1 = sign_digest(rsa_key, d256, "sha256")
    pss = sign_digest(rsa_key, d256, "sha256", scheme="pss")
    pss_bound = sign_digest(pss_key, d384, "sha384", scheme="pss", pss_salt_length=48)
    der = sign_digest(p256, d256, "sha256")
    raw = sign_digest(p256, d256, "sha256", signature_encoding="raw")
    raw384 = sign_digest(p384, d384, "sha384", signature_encoding="raw")
    ed_sig = sign_message(ed, b"message")
    ed448_sig = _ED448.sign(b"message")
    pss_pk = load_public_key(_rsassa_pss_spki(pss_key))
    return [
        (VerifyJob(rsa_key.public_key(), pkcs1, digest=d256, algorithm="sha256"), True, "pkcs1v15", None),
        (VerifyJob(cert, pkcs1, digest=d256, algorithm="sha256"), True, "pkcs1v15", None),
        (VerifyJob(cert.public_bytes(serialization.Encoding.PEM), pkcs1, digest=h), True, "pkcs1v15", None),
        (VerifyJob(_der(rsa_key.public_key()), pkcs1, message=b"document", algorithm="sha256"), True, "pkcs1v15", None),
        (VerifyJob(rsa_key.public_key(), pss, digest=d256, algorithm="sha256", scheme="pss"), True, "pss", None),
        (VerifyJob(_rsassa_pss_spki(pss_key), pss_bound, digest=d384, algorithm="sha384"), True, "pss", None),
        (VerifyJob(pss_pk, pss_bound, digest=d384, algorithm="sha384"), True, "pss", None),
        (VerifyJob(_pem(p256.public_key()), der, digest=d256, algorithm="sha256"), True, "ecdsa", "der"),
        (VerifyJob(p256.public_key(), raw, digest=d256, algorithm="sha256"), True, "ecdsa", "raw"),
        (VerifyJob(p384.public_key(), raw384, digest=d384, algorithm="sha384"), True, "ecdsa", "raw"),
        (VerifyJob(p256.public_key(), der, message=b"document", algorithm="sha256"), True, "ecdsa", "der"),
        (VerifyJob(ed.public_key(), ed_sig, message=b"message"), True, "ed25519", None),
        (VerifyJob(_ED448.public_key(), ed448_sig, message=b"message"), True, "ed448", None),
        # invalid: well formed, does not verify
        (VerifyJob(rsa_key.public_key(), _flip(pkcs1), digest=d256, algorithm="sha256"), False, "pkcs1v15", None),
        (VerifyJob(rsa_key.public_key(), pss, digest=d256, algorithm="sha256"), False, "pkcs1v15", None),
        (VerifyJob(p256.public_key(), raw, digest=_flip(d256), algorithm="sha256"), False, "ecdsa", "raw"),
        (VerifyJob(p256.public_key(), der, digest=_flip(d256), algorithm="sha256"), False, "ecdsa", "der"),
        (VerifyJob(ed.public_key(), ed_sig, message=b"messagE"), False, "ed25519", None),
        (VerifyJob(_ED448.public_key(), ed448_sig, message=b"other"), False, "ed448", None),
    ]


@pytest.fixture(scope="module")
def cases() -> list[tuple[VerifyJob, bool, str | None, str | None]]:
    return _cases()


def test_verify_many_reports_the_matched_scheme_and_encoding(cases: list[Any]) -> None:
    results = verify_many([job for job, *_ in cases], workers=1)
    for (job, ok, scheme, encoding), result in zip(cases, results, strict=True):
        assert (result.ok, result.scheme, result.encoding) == (ok, scheme, encoding), (job, result)
        assert bool(result) is ok
        if ok:
            assert result.error is None
        else:
            assert isinstance(result.error, InvalidSignature), result


def _malformed() -> list[tuple[Any, type[Exception], str]]:
    rsa_key = make_key("rsa2048")
    ed = make_key("ed25519")
    d = _digest_of(b"x")
    sig = sign_digest(rsa_key, d, "sha256")
    pub = rsa_key.public_key()
    return [
        (VerifyJob(pub, sig.hex(), digest=d, algorithm="sha256"), InputError, "jobs[0].signature"),  # type: ignore[arg-type]
        (VerifyJob(b"not a key", sig, digest=d, algorithm="sha256"), InputError, "jobs[1].key"),
        (VerifyJob(pub, sig, digest=d, message=b"x", algorithm="sha256"), InputError, "jobs[2]"),
        (VerifyJob(pub, sig, algorithm="sha256"), InputError, "jobs[3]"),
        ("not a job", InputError, "jobs[4]"),
        (VerifyJob(ed.public_key(), b"\x00" * 64, digest=d), InputError, "jobs[5].digest"),
        (VerifyJob(pub, sig, digest=d[:20], algorithm="sha256"), InputError, "jobs[6].digest"),
        (VerifyJob(pub, sig, digest=d, algorithm="sha-999"), UnsupportedAlgorithm, ""),
        (VerifyJob(pub, sig, digest=d), InputError, "jobs[8].algorithm"),
        (VerifyJob(pub, sig, digest=d, algorithm="sha256", scheme="ecdsa"), InputError, "jobs[9].scheme"),
    ]


def test_malformed_jobs_are_error_entries(pool: ProcessPoolExecutor) -> None:
    cases = _malformed()
    jobs = [job for job, _, _ in cases]
    for results in (verify_many(jobs, workers=1), verify_many(jobs, executor=pool)):
        for (job, kind, field), result in zip(cases, results, strict=True):
            assert result.ok is False and isinstance(result.error, kind), (job, result)
            if field:
                assert isinstance(result.error, InputError) and result.error.field == field, result


def _ordered_jobs(count: int, seed: int) -> tuple[list[VerifyJob], list[bool]]:
    rng = random.Random(seed)
    key = make_key("rsa2048")
    pub = key.public_key()
    digests = [_digest_of(b"doc %d" % i) for i in range(8)]
    sigs = [sign_digest(key, d, "sha256") for d in digests]
    jobs, want = [], []
    for _ in range(count):
        i = rng.randrange(8)
        j = i if rng.random() < 0.5 else (i + 1 + rng.randrange(7)) % 8
        jobs.append(VerifyJob(pub, sigs[i], digest=digests[j], algorithm="sha256"))
        want.append(i == j)
    return jobs, want


def test_verify_many_keeps_order(pool: ProcessPoolExecutor) -> None:
    jobs, want = _ordered_jobs(600, seed=9)
    assert 100 < sum(want) < 500
    assert [r.ok for r in verify_many(jobs, workers=1)] == want
    assert [r.ok for r in verify_many(jobs, executor=pool, workers=4)] == want  # 32 chunks of 64


def test_verify_many_same_results_on_every_executor(
    cases: list[Any], pool: ProcessPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = [job for job, *_ in cases] + [job for job, *_ in _malformed()]
    jobs = (base * (VERIFY_PARALLEL_MIN_JOBS // len(base) + 1))[:VERIFY_PARALLEL_MIN_JOBS]
    serial = verify_many(jobs, workers=1)
    assert sum(r.ok for r in serial) > 100 and sum(not r.ok for r in serial) > 100
    recorder = _Recorder(ProcessPoolExecutor)
    monkeypatch.setattr(bulk_verify, "ProcessPoolExecutor", recorder)
    monkeypatch.setattr(bulk_verify, "cpu_count", lambda: 2)
    with ThreadPoolExecutor(2) as threads:
        assert verify_many(jobs, executor=threads) == serial
    assert verify_many(jobs, executor=pool) == serial
    assert recorder.created == []
    assert verify_many(jobs, workers=2) == serial
    assert verify_many(jobs) == serial  # workers=None: this many jobs use every core
    assert recorder.created == [1, 1]  # this process and a pool of one more
    assert verify_many(jobs[: VERIFY_PARALLEL_MIN_JOBS - 1]) == serial[: VERIFY_PARALLEL_MIN_JOBS - 1]
    assert recorder.created == [1, 1]  # below the threshold: in-process
    assert verify_many(jobs, workers=RUN_HERE_MAX_WORKERS + 1) == serial
    assert recorder.created == [1, 1, RUN_HERE_MAX_WORKERS + 1]  # many workers: this process only feeds them


def test_keys_loaded_once_in_process() -> None:
    certs = [make_cert(f"signer {i}", make_key("p256", f"bulk-{i}")) for i in range(3)]
    pems = [c.public_bytes(serialization.Encoding.PEM) for c in certs]
    d = _digest_of(b"x")
    sigs = [sign_digest(make_key("p256", f"bulk-{i}"), d, "sha256") for i in range(3)]
    # every job gets its own bytes object: the engine must dedupe by value, not only by identity
    jobs = [VerifyJob(bytes(bytearray(pems[i % 3])), sigs[i % 3], digest=d, algorithm="sha256") for i in range(900)]
    jobs += [VerifyJob(certs[i % 3], sigs[i % 3], digest=d, algorithm="sha256") for i in range(300)]
    reset_key_cache()
    assert all(verify_many(jobs, workers=1))
    assert key_cache_info()["loads"] == 6  # 3 PEM values + 3 certificate objects, each once


def _probe(barrier: Any) -> dict[str, int]:
    barrier.wait(timeout=20)  # both probes wait here, so each runs in a different worker
    return key_cache_info()


def test_keys_loaded_once_per_worker_process() -> None:
    keys = [make_key("p256", f"bulk-{i}") for i in range(3)]
    certs = [make_cert(f"signer {i}", k) for i, k in enumerate(keys)]
    d = _digest_of(b"x")
    sigs = [sign_digest(k, d, "sha256") for k in keys]
    jobs = [
        VerifyJob(certs[i % 3] if i % 2 else bytes(bytearray(_pem(keys[i % 3].public_key()))), sigs[i % 3], digest=d)
        for i in range(2000)
    ]
    jobs = [VerifyJob(j.key, j.signature, digest=j.digest, algorithm="sha256") for j in jobs]
    with multiprocessing.Manager() as manager, ProcessPoolExecutor(2, initializer=reset_key_cache) as executor:
        assert all(verify_many(jobs, executor=executor, workers=4))  # 2000 / 32 -> 32 chunks of 63
        barrier = manager.Barrier(2)
        infos = [f.result(timeout=30) for f in [executor.submit(_probe, barrier) for _ in range(2)]]
    assert len({i["pid"] for i in infos}) == 2
    for info in infos:
        # 6 distinct key references (3 certificates, 3 PEM values in fresh bytes objects per job):
        # each parsed at most once per worker, though each worker verified about 1000 jobs in 16 chunks
        assert 1 <= info["loads"] <= 6, infos
    assert sum(i["hits"] for i in infos) >= 6 * 32 - 12  # every later chunk found its keys already parsed


def test_verify_progress_counts(pool: ProcessPoolExecutor) -> None:
    jobs, want = _ordered_jobs(5000, seed=1)
    calls, progress = _progress_log()
    verify_many(jobs, workers=1, progress=progress)
    _check_progress(calls, 5000, at_least=2)
    calls, progress = _progress_log()
    verify_many(jobs[:1000], executor=pool, workers=2, progress=progress)
    _check_progress(calls, 1000, at_least=8)  # 1000 / 16 -> chunks of 64
    calls, progress = _progress_log()
    assert [r.ok for r in verify_many(jobs, workers=2, progress=progress)] == want
    _check_progress(calls, 5000, at_least=16)  # chunks of 313, some run here, some in the pool


def test_results_survive_pickle_with_their_typed_errors() -> None:
    failed = VerifyResult(False, InputError("jobs[3].signature", "must be bytes"), "ecdsa", "raw")
    again = pickle.loads(pickle.dumps(failed))
    assert again == failed and isinstance(again.error, InputError)
    assert (again.error.field, again.error.rule) == ("jobs[3].signature", "must be bytes")
    ok = verify_many([_cases()[0][0]], workers=1)[0]
    assert pickle.loads(pickle.dumps(ok)) is ok  # successes are shared immutable values
    entry = hash_many([b"ok", "not a source"], workers=1)[1]  # type: ignore[list-item]
    assert isinstance(entry, HashError)
    copy = pickle.loads(pickle.dumps(entry))
    assert copy == entry and isinstance(copy.error, InputError) and copy.error.field == "sources[1]"


class _BrokenExecutor(Executor):
    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_exception(pickle.PicklingError("cannot send"))
        return future


def test_executor_failures_raise_executor_failed() -> None:
    jobs, _ = _ordered_jobs(10, seed=2)
    with pytest.raises(ExecutorFailed) as info:
        verify_many(jobs, executor=_BrokenExecutor())
    assert isinstance(info.value.__cause__, pickle.PicklingError)
    with pytest.raises(ExecutorFailed):
        hash_many([b"x"], executor=_BrokenExecutor())
    closed = ThreadPoolExecutor(1)
    closed.shutdown()
    with pytest.raises(ExecutorFailed):
        verify_many(jobs, executor=closed)


# --------------------------------------------------------------------------- real peers


@requires_openssl
def test_signatures_made_by_openssl(tmp_path: Path) -> None:
    assert OPENSSL is not None
    jobs, want = [], []
    for kind in ("rsa2048", "p256", "ed25519"):
        key = make_key(kind)
        key_path = tmp_path / f"{kind}.pem"
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        for i in range(3):
            doc = tmp_path / f"{kind}-{i}.txt"
            doc.write_bytes(b"document %d for %s" % (i, kind.encode()))
            if kind == "ed25519":
                args = [OPENSSL, "pkeyutl", "-sign", "-rawin", "-inkey", str(key_path), "-in", str(doc)]
            else:
                args = [OPENSSL, "dgst", "-sha256", "-sign", str(key_path), str(doc)]
            sig = subprocess.run(args, capture_output=True, check=True).stdout
            msg = doc.read_bytes()
            algorithm = None if kind == "ed25519" else "sha256"
            jobs.append(VerifyJob(_pem(key.public_key()), sig, message=msg, algorithm=algorithm))
            jobs.append(VerifyJob(_pem(key.public_key()), sig, message=msg + b"!", algorithm=algorithm))
            want += [(True, kind), (False, kind)]
    results = verify_many(jobs, workers=1)
    schemes = {"rsa2048": "pkcs1v15", "p256": "ecdsa", "ed25519": "ed25519"}
    assert [(r.ok, r.scheme) for r in results] == [(ok, schemes[kind]) for ok, kind in want]
    assert {r.encoding for r in results if r.scheme == "ecdsa"} == {"der"}  # openssl writes X9.62 DER


def test_raw_and_der_ecdsa_from_pycryptodome() -> None:
    from Crypto.Hash import SHA256
    from Crypto.PublicKey import ECC
    from Crypto.Signature import DSS

    key = ECC.generate(curve="P-256")
    spki = key.public_key().export_key(format="DER")
    jobs = []
    for encoding in ("binary", "der"):
        for i in range(4):
            h = SHA256.new(b"pycryptodome %d" % i)
            sig = DSS.new(key, "fips-186-3", encoding=encoding).sign(h)
            jobs.append(VerifyJob(spki, sig, digest=h.digest(), algorithm="sha256"))
    results = verify_many(jobs, workers=1)
    assert [(r.ok, r.encoding) for r in results] == [(True, "raw")] * 4 + [(True, "der")] * 4


# --------------------------------------------------------------------------- scheduling and the direct path


def _square_chunk(values: list[int], start: int) -> list[tuple[int, int]]:
    return [(start + i, v * v) for i, v in enumerate(values)]


def test_run_split_keeps_order_shrinks_chunks_and_shares_the_work() -> None:
    from cryptokit.bulk.dispatch import run_split

    values = list(range(5000))
    sizes: list[int] = []
    here_ranges: list[tuple[int, int]] = []

    def build(start: int, end: int) -> tuple[Any, ...]:
        sizes.append(end - start)
        return (values[start:end], start)

    def here(start: int, end: int) -> list[tuple[int, int]]:
        here_ranges.append((start, end))
        return _square_chunk(values[start:end], start)

    calls, progress = _progress_log()
    with ThreadPoolExecutor(1) as executor:
        out = run_split(
            executor,
            _square_chunk,
            build,
            5000,
            verifiers=2,
            largest=1000,
            smallest=50,
            max_in_flight=2,
            here=here,
            piece=40,
            progress=progress,
        )
    assert out == [(i, i * i) for i in range(5000)]
    _check_progress(calls, 5000, at_least=10)
    assert sizes and max(sizes) <= 1000
    assert min(sizes) < max(sizes)  # guided: the chunks shrink as the work runs out
    assert sum(sizes) + sum(end - start for start, end in here_ranges) == 5000
    assert here_ranges and all(end - start <= 40 for start, end in here_ranges)
    assert here_ranges[0][1] == 5000  # this thread works from the back, the executor from the front
    # without ``here``: every item once, in order, from chunks no larger than ``largest``
    sizes.clear()
    with ThreadPoolExecutor(2) as executor:
        out = run_split(executor, _square_chunk, build, 777, verifiers=2, largest=100, smallest=10, max_in_flight=3)
    assert out == [(i, i * i) for i in range(777)] and sum(sizes) == 777 and max(sizes) <= 100
    assert sizes[-1] <= 10 < sizes[0]


def _huge_e_rsa() -> Any:
    """An RSA key with an odd 257-bit public exponent: cryptography verifies with it, SP 800-89 refuses it."""
    from math import gcd

    signer: Any = make_key("rsa2048", "bulk-huge-e")
    base = signer.private_numbers()
    p, q, n = base.p, base.q, base.public_numbers.n
    lam = (p - 1) * (q - 1) // gcd(p - 1, q - 1)
    e = (1 << 256) + 1
    while gcd(e, lam) != 1:
        e += 2
    d = pow(e, -1, lam)
    numbers = rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), rsa.RSAPublicNumbers(e, n)
    )
    return numbers.private_key()


def test_direct_path_keeps_every_check_of_verify_digest(pool: ProcessPoolExecutor) -> None:
    """Plain rows call cryptography directly; what verify_digest refuses stays refused, with its typed error."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    d = _digest_of(b"direct")
    huge = _huge_e_rsa()
    huge_sig = huge.sign(d, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    huge.public_key().verify(huge_sig, d, padding.PKCS1v15(), Prehashed(hashes.SHA256()))  # cryptography accepts
    rsa_key = make_key("rsa2048", "bulk-direct")
    good = sign_digest(rsa_key, d, "sha256")
    p256 = ec.generate_private_key(ec.SECP256R1())
    der = p256.sign(d, ec.ECDSA(Prehashed(hashes.SHA256())))
    ed = ed25519.Ed25519PrivateKey.generate()
    ed_sig = ed.sign(b"m")
    jobs = [
        VerifyJob(huge.public_key(), huge_sig, digest=d, algorithm="sha256"),  # refused: SP 800-89
        VerifyJob(rsa_key.public_key(), good, digest=d, algorithm="sha256"),
        VerifyJob(rsa_key.public_key(), good, digest=d[:31], algorithm="sha256"),  # short digest
        VerifyJob(rsa_key.public_key(), good, digest=d, algorithm="sha256", scheme="pss"),  # wrong scheme
        VerifyJob(p256.public_key(), der, digest=d, algorithm="sha256"),
        VerifyJob(p256.public_key(), der + b"\x00", digest=d, algorithm="sha256"),  # not strict DER
        VerifyJob(ed.public_key(), ed_sig, message=b"m"),
        VerifyJob(ed.public_key(), ed_sig, message=b"m", algorithm="sha256"),  # EdDSA takes no hash
        VerifyJob(ed.public_key(), ed_sig, message=b"m", scheme="ed448"),
    ]
    want = [
        (False, InputError, "jobs[0].key"),
        (True, None, None),
        (False, InputError, "jobs[2].digest"),
        (False, InvalidSignature, None),
        (True, None, None),
        (False, InputError, "jobs[5].signature"),
        (True, None, None),
        (False, InputError, "jobs[7].algorithm"),
        (False, InputError, "jobs[8].scheme"),
    ]

    def shape(results: list[VerifyResult]) -> list[tuple[Any, ...]]:
        return [(r.ok, None if r.error is None else type(r.error), getattr(r.error, "field", None)) for r in results]

    serial = verify_many(jobs, workers=1)
    assert shape(serial) == want, shape(serial)
    pooled = verify_many(jobs * 40, executor=pool, workers=2)
    assert [(r.ok, type(r.error), r.scheme, r.encoding) for r in pooled] == [
        (r.ok, type(r.error), r.scheme, r.encoding) for r in serial
    ] * 40
    assert str(pooled[9 * 39 + 7].error) == str(serial[7].error).replace("jobs[7]", f"jobs[{9 * 39 + 7}]")
    assert getattr(pooled[9 * 39 + 2].error, "field", None) == f"jobs[{9 * 39 + 2}].digest"  # inside a run
    assert [(r.scheme, r.encoding) for r in serial[4:7]] == [("ecdsa", "der"), ("ecdsa", "der"), ("ed25519", None)]


class _SubmitSpy(ProcessPoolExecutor):
    """A process pool that records what each submitted task was: the function and the size of its arguments."""

    calls: ClassVar[list[tuple[str, int]]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        _SubmitSpy.calls.append((fn.__name__, len(pickle.dumps(args))))
        return super().submit(fn, *args, **kwargs)


def _count_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Children started by verify_many's forked runs (os.fork counted, not replaced)."""
    forks: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(bulk_forked.os, "fork", fork)
    return forks


@pytest.mark.skipif(sys.platform != "linux", reason="verify_many forks on Linux only")
def test_forked_workers_read_inherited_jobs(cases: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """With fork, verify_many shares the job list with forked children (no pool, no pickled job) and
    gives the serial results; without it, a pool gets the jobs pickled, with the same results."""
    base = [job for job, *_ in cases] + [job for job, *_ in _malformed()]
    jobs = (base * (3000 // len(base) + 1))[:3000]
    serial = verify_many(jobs, workers=1)
    _SubmitSpy.calls = []
    monkeypatch.setattr(bulk_verify, "ProcessPoolExecutor", _SubmitSpy)
    forks = _count_forks(monkeypatch)
    # verify_many forks only while this process runs one thread (forked.can_fork, tested on its own);
    # the test session's shared pool keeps threads alive, so the choice is made here.
    monkeypatch.setattr(bulk_verify, "_may_fork", lambda: True)
    done: list[tuple[int, int]] = []
    assert verify_many(jobs, workers=3, progress=lambda d, t: done.append((d, t))) == serial
    assert len(forks) == 2 and _SubmitSpy.calls == []  # this process and two children, no pool
    assert done[-1] == (3000, 3000) and all(t == 3000 for _, t in done)
    assert verify_many(jobs[:300], workers=3) == serial[:300] and len(forks) == 3  # 300 jobs: one child
    assert verify_many(jobs[:200], workers=3) == serial[:200] and len(forks) == 3  # fewer than a part: here
    # Without fork (other threads alive, or not Linux) the jobs travel pickled, with the same results.
    monkeypatch.setattr(bulk_verify, "_may_fork", lambda: False)
    assert verify_many(jobs, workers=3) == serial
    assert {name for name, _ in _SubmitSpy.calls} == {"_verify_chunk_columns"}  # verify_chunk, sent back by column


@pytest.mark.skipif(sys.platform != "linux", reason="verify_many forks on Linux only")
def test_a_forked_worker_that_dies_raises_executor_failed_naming_the_jobs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Fail closed: the jobs of the part a dead child took get no made-up result; the call raises the
    typed error naming them (the child takes the first part, jobs 0-299, and dies)."""
    jobs, _ = _ordered_jobs(1200, seed=5)
    parent = os.getpid()
    real_range, real_take = bulk_verify._verify_range, bulk_forked._take
    died = tmp_path / "died"

    def dying(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() != parent:
            died.write_bytes(b"")
            os._exit(9)  # the child dies before it answers
        return real_range(*args, **kwargs)

    def take(queue: int, *args: Any) -> Any:
        if os.getpid() == parent:  # this process starts once the child has taken its part and died
            for _ in range(2000):
                if died.exists():
                    break
                time.sleep(0.005)
        return real_take(queue, *args)

    monkeypatch.setattr(bulk_verify, "_verify_range", dying)
    monkeypatch.setattr(bulk_verify, "_may_fork", lambda: True)
    monkeypatch.setattr(bulk_forked, "_take", take)
    with pytest.raises(ExecutorFailed, match=r"\(exit code 9\): jobs 0-299 have no result$"):
        verify_many(jobs, workers=2)


@pytest.mark.skipif(sys.platform != "linux", reason="fork is used on Linux only")
def test_can_fork_only_while_single_threaded() -> None:
    code = (
        "import threading, cryptokit.bulk.forked as f\n"
        "alone = f.can_fork()\n"
        "stop = threading.Event(); t = threading.Thread(target=stop.wait); t.start()\n"
        "print(alone, f.can_fork())\n"
        "stop.set(); t.join()\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False"]


def test_long_runs_of_one_key_report_each_job(pool: ProcessPoolExecutor, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain jobs of one key verify as runs; a bad job anywhere in a run is reported at its own index."""
    from cryptokit.signatures import verify_digest

    keys = [make_key("rsa2048", "bulk-runs"), make_key("p256", "bulk-runs")]
    pairs = [[(d, sign_digest(k, d, "sha256")) for d in (_digest_of(b"run %d" % i) for i in range(20))] for k in keys]
    jobs: list[VerifyJob] = []
    for i in range(2900):
        k = 0 if i < 1300 or i >= 2600 else 1  # the last 300 name the hash by an alias: a run off the fast loop
        d, sig = pairs[k][i % 20]
        if i % 97 == 5:
            sig = _flip(sig)  # well formed, does not verify
        elif i % 211 == 7:
            d = d[:20]  # malformed digest
        elif i % 301 == 11:
            sig = b"\x30" * 8  # garbage signature
        jobs.append(VerifyJob(keys[k].public_key(), sig, digest=d, algorithm="sha256" if i < 2600 else "SHA-256"))
    oracle: list[tuple[bool, Any, Any]] = []
    for i, job in enumerate(jobs):  # verify_digest itself, one job at a time
        try:
            verify_digest(job.key, job.signature, job.digest, "sha256")  # type: ignore[arg-type]
            oracle.append((True, None, None))
        except InputError as exc:
            oracle.append((False, InputError, f"jobs[{i}].{exc.field}"))
        except InvalidSignature:
            oracle.append((False, InvalidSignature, None))
    assert 2300 < sum(ok for ok, *_ in oracle) < 2900
    assert {kind for _, kind, _ in oracle} == {None, InputError, InvalidSignature}

    def shape(results: list[VerifyResult]) -> list[tuple[Any, ...]]:
        return [(r.ok, None if r.error is None else type(r.error), getattr(r.error, "field", None)) for r in results]

    serial = verify_many(jobs, workers=1)
    assert shape(serial) == oracle
    assert {(r.scheme, r.encoding) for r in serial[:1300] + serial[2600:]} == {("pkcs1v15", None)}
    assert {(r.scheme, r.encoding) for r in serial[1300:2600] if r.ok} == {("ecdsa", "der")}
    full = [(r.ok, type(r.error), str(r.error), r.scheme, r.encoding) for r in serial]
    assert [
        (r.ok, type(r.error), str(r.error), r.scheme, r.encoding) for r in verify_many(jobs, executor=pool, workers=4)
    ] == full
    monkeypatch.setattr(bulk_verify, "_may_fork", lambda: True)
    assert [(r.ok, type(r.error), str(r.error), r.scheme, r.encoding) for r in verify_many(jobs, workers=2)] == full


def test_equal_but_different_options_are_reported_as_given() -> None:
    """Jobs whose scheme or encoding compare equal without being the same string are not merged."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from cryptokit.signatures import verify_digest

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    d = _digest_of(b"m")
    jobs = [
        VerifyJob(key, b"\x30\x00", digest=d, algorithm="sha256", scheme=1),  # type: ignore[arg-type]
        VerifyJob(key, b"\x30\x00", digest=d, algorithm="sha256", scheme=True),  # type: ignore[arg-type]
        VerifyJob(key, b"\x30\x00", digest=d, algorithm="sha256", signature_encoding=0),  # type: ignore[arg-type]
        VerifyJob(key, b"\x30\x00", digest=d, algorithm="sha256", signature_encoding=False),  # type: ignore[arg-type]
    ]
    for i, (job, result) in enumerate(zip(jobs, verify_many(jobs, workers=1), strict=True)):
        with pytest.raises(InputError) as single:
            verify_digest(
                job.key, job.signature, d, "sha256", scheme=job.scheme, signature_encoding=job.signature_encoding
            )
        assert isinstance(result.error, InputError)
        assert str(result.error) == f"jobs[{i}].{single.value}"


def test_a_path_whose_fspath_raises_is_one_error_entry(pool: ProcessPoolExecutor) -> None:
    class Broken(os.PathLike):  # type: ignore[type-arg]
        def __fspath__(self) -> str:
            raise RuntimeError("no path today")

    for kwargs in ({"workers": 1}, {}, {"executor": pool}):
        results = hash_many([b"a", Broken(), b"b"], **kwargs)  # type: ignore[list-item, arg-type]
        assert [r.ok for r in results] == [True, False, True]
        assert isinstance(results[1].error, ck_errors.CryptokitError)


def test_a_job_field_that_raises_fails_only_its_job() -> None:
    class Weird:
        def __eq__(self, other: object) -> bool:
            raise RuntimeError("no comparing")

        __hash__ = object.__hash__

    key = make_key("p256", "bulk-weird")
    d = _digest_of(b"w")
    good = VerifyJob(key.public_key(), sign_digest(key, d, "sha256"), digest=d, algorithm="sha256")
    jobs = [good, VerifyJob(key.public_key(), good.signature, digest=d, algorithm="sha256", scheme=Weird()), good]  # type: ignore[arg-type]
    results = verify_many(jobs, workers=1)
    assert [r.ok for r in results] == [True, False, True]
    assert isinstance(results[1].error, ck_errors.CryptokitError)


def test_verify_digests_gives_verify_many_results_by_column() -> None:
    """The column form of one signer's digests gives what verify_many gives the same jobs: every
    result, scheme, encoding and error, good and bad rows mixed, for RSA, ECDSA (DER and raw) and a
    key that cannot be loaded."""
    rsa_key, ec_key = make_key("rsa2048", "bulk-columns"), make_key("p256", "bulk-columns")
    digests = [_digest_of(b"column %d" % i) for i in range(12)]
    for key, encodings in ((rsa_key, ("der",)), (ec_key, ("der", "raw"))):
        sigs = [
            sign_digest(key, d, "sha256", signature_encoding=encodings[i % 2 % len(encodings)])
            for i, d in enumerate(digests)
        ]
        sigs[3], sigs[5] = _flip(sigs[3]), b"\x30" * 8  # does not verify; garbage
        column_digests = list(digests)
        column_digests[7] = digests[7][:20]  # the wrong length for sha256
        jobs = [
            VerifyJob(key.public_key(), s, digest=d, algorithm="sha256")
            for s, d in zip(sigs, column_digests, strict=True)
        ]

        def shape(results: Any) -> list[tuple[Any, ...]]:
            return [(r.ok, type(r.error), str(r.error), r.scheme, r.encoding) for r in results]

        got = shape(verify_digests(key.public_key(), sigs, column_digests, "sha256"))
        assert got == shape(verify_many(jobs, workers=1))
        assert [ok for ok, *_ in got].count(True) == 9
    bad_key = verify_digests(b"not a key", [b"x"] * 3, digests[:3], "sha256")
    assert [r.ok for r in bad_key] == [False] * 3 and all(isinstance(r.error, InputError) for r in bad_key)
    assert list(verify_digests(rsa_key.public_key(), [], [], "sha256")) == []
    with pytest.raises(InputError, match="digests"):
        verify_digests(rsa_key.public_key(), [b"x"], [], "sha256")
    with pytest.raises(InputError, match=r"signatures\[1\]"):
        verify_digests(rsa_key.public_key(), [b"x", "y"], [b"a", b"b"], "sha256")  # type: ignore[list-item]
    with pytest.raises(InputError, match="algorithm"):
        verify_digests(rsa_key.public_key(), [b"x"], [b"a"], None)  # type: ignore[arg-type]
