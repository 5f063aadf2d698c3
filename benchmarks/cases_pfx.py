"""PKCS#12 benchmarks: a wrong password against a right one, in the same run.

- ``pfx-wrong-vs-right-password``: :func:`cryptokit.load_pfx` with a wrong password (the typed
  error, with its explanation) against the same call with the right password, on a file written by
  the ``openssl`` command with 2,000,000 iterations for the MAC and each encrypted part (the per-KDF
  bound). "bare" is the right password, "ours" the wrong one: ratio = right time / wrong time, and
  the target >= 0.67x is the issue's "a wrong password costs at most 1.5x a right one".
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from cryptokit.errors import InputError
from cryptokit.pkcs12 import load_pfx
from cryptokit.testing import make_pki

from .ratio import Ratio, measure


def openssl_pfx(iterations: int, password: str = "right") -> bytes:
    """A PFX (P-256 key, self-signed certificate) written by ``openssl pkcs12 -export -iter``."""
    pki = make_pki("p256", label="bench-pfx")
    key, cert = pki.leaf_key, pki.leaf
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "k.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        (d / "c.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        subprocess.run(
            ["openssl", "pkcs12", "-export", "-iter", str(iterations), "-inkey", str(d / "k.pem"),
             "-in", str(d / "c.pem"), "-passout", f"pass:{password}", "-out", str(d / "out.pfx")],
            check=True, capture_output=True,
        )  # fmt: skip
        return (d / "out.pfx").read_bytes()


def case_pfx_wrong_vs_right(quick: bool = False) -> Ratio:
    iterations = 200_000 if quick else 2_000_000
    data = openssl_pfx(iterations)

    def right() -> None:
        load_pfx(data, b"right")

    def wrong() -> None:
        try:
            load_pfx(data, b"wrong")
        except InputError:
            return
        raise AssertionError("a wrong password loaded")

    return measure("pfx-wrong-vs-right-password", right, wrong, ops=1, target=1 / 1.5, repeat=2 if quick else 3)


CASES: dict[str, Callable[..., Ratio]] = {"pfx-wrong-vs-right-password": case_pfx_wrong_vs_right}
