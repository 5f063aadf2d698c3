"""Start-up: ``import cryptokit`` and the command, as whole processes, against their dependencies.

Each row starts fresh interpreters (``sys.executable``, no ``-S``, no ``-X`` options) and times the
whole process with ``subprocess.run``: bare and ours interleaved, best of ``repeat``. The targets
are "at most 1.3x" and "at most 1.5x" the reference's time; ratio = reference time / our time, so
they read as ``>= 0.77x`` and ``>= 0.67x``.

Both sides run from cached bytecode, as an installed package does (pip compiles it at install):
the children run without ``PYTHONDONTWRITEBYTECODE``, so the warm-up launch of each row writes the
``.pyc`` files of a source checkout. (With that variable set in the shell, an editable checkout is
compiled from source at every launch: ``verify signature`` then spent about 75 ms of its 135 ms in
``compile``, while cryptography's side is always compiled; the rows measured 2026-12-07 before
this were partly that.)

The interpreter's own start-up (site, the editable-install finder) is in both sides of each row; it
makes the ratios look better than the import alone would. The ``python -X importtime`` rows are the
import alone (in-process, cumulative microseconds of the top-level imports), informative.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .ratio import Ratio

DEPS = "import cryptography.x509, asn1crypto.cms, orjson, pybase64"
X509 = "import cryptography.x509"


#: The children's environment: this one, but allowed to write (and so to reuse) bytecode.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(argv: Sequence[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_ENV)
    return time.perf_counter() - t0


def measure_processes(name: str, bare: Sequence[str], ours: Sequence[str], *, target: float, repeat: int) -> Ratio:
    """Interleave ``repeat`` launches of each command line; keep the best of each."""
    _run(bare)  # page cache and .pyc files on both sides
    _run(ours)
    best_bare = best_ours = float("inf")
    for _ in range(repeat):
        best_bare = min(best_bare, _run(bare))
        best_ours = min(best_ours, _run(ours))
    return Ratio(name, 1, best_bare, best_ours, target)


def _python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def case_import(quick: bool = False) -> list[Ratio]:
    repeat = 5 if quick else 21
    return [
        measure_processes(
            f"process start-up: import cryptokit, vs {DEPS} (ops = launches; at most 1.3x)",
            _python(DEPS),
            _python("import cryptokit"),
            target=1 / 1.3,
            repeat=repeat,
        ),
        measure_processes(
            "process start-up: import cryptokit and touch every public name (loads every block; informational)",
            _python(DEPS),
            _python("import cryptokit\nfor n in cryptokit.__all__: getattr(cryptokit, n)"),
            target=0.0,
            repeat=repeat,
        ),
    ]


def signature_fixture(directory: Path) -> list[str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "start-up bench")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    document = b"start-up benchmark document\n" * 40
    (directory / "doc.txt").write_bytes(document)
    (directory / "signer.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "doc.sig").write_bytes(key.sign(document, padding.PKCS1v15(), hashes.SHA256()))
    return [
        "verify",
        "signature",
        "--cert",
        str(directory / "signer.pem"),
        "--sig",
        str(directory / "doc.sig"),
        "--file",
        str(directory / "doc.txt"),
    ]


def case_command(quick: bool = False) -> list[Ratio]:
    repeat = 5 if quick else 21
    command = [sys.executable, "-m", "cryptokit"]
    with tempfile.TemporaryDirectory() as tmp:
        verify_args = signature_fixture(Path(tmp))
        # the fixture must verify (exit 0), or the row would time an error path
        subprocess.run([*command, *verify_args], check=True, stdout=subprocess.DEVNULL, env=_ENV)
        return [
            measure_processes(
                f"process start-up: cryptokit --help, vs python -c '{X509}' (ops = launches; at most 1.5x)",
                _python(X509),
                [*command, "--help"],
                target=1 / 1.5,
                repeat=repeat,
            ),
            measure_processes(
                "process start-up: cryptokit verify signature (RSA-2048 PKCS#1 v1.5, 1 KiB file), "
                f"vs python -c '{X509}' (ops = launches; at most 1.5x)",
                _python(X509),
                [*command, *verify_args],
                target=1 / 1.5,
                repeat=repeat,
            ),
        ]


CASES: dict[str, Callable[..., Ratio | list[Ratio]]] = {
    "startup-import": case_import,
    "startup-command": case_command,
}
