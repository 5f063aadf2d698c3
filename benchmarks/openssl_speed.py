"""The physical limit: ``openssl speed`` for the primitives the bulk engines run.

``openssl_speed()`` runs short (``-seconds 1``) machine-readable (``-mr``) runs for SHA-256 on
16 KiB blocks, RSA-2048, ECDSA P-256 and Ed25519, and returns bytes/s (SHA-256) or verifications/s.
It returns an empty dict when the ``openssl`` command is not on the machine.
Run ``python3 -m benchmarks.openssl_speed`` to print the numbers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable

__all__ = ["PRIMITIVES", "openssl_speed", "parse_speed"]

#: What we ask ``openssl speed`` for, and the key of the answer in the returned dict.
PRIMITIVES: dict[str, tuple[str, ...]] = {
    "sha256": ("-bytes", "16384", "sha256"),
    "rsa2048_verify": ("rsa2048",),
    "ecdsap256_verify": ("ecdsap256",),
    "ed25519_verify": ("ed25519",),
}

# -mr lines: "+F:6:sha256:1419242886.60" (bytes/s per block size), "+F2:2:2048:<sign/s>:<verify/s>[:...]"
# (RSA), "+F4:3:256:<sign/s>:<verify/s>" (ECDSA), "+F6:0:253:Ed25519:<sign/s>:<verify/s>" (EdDSA).
_MR_DIGEST = re.compile(r"^\+F:\d+:(?P<name>[\w-]+):(?P<rates>[\d.:]+)\s*$", re.M)
_MR_SIGN = re.compile(
    r"^\+F(?P<kind>[246]):\d+:(?P<bits>\d+):(?:[A-Za-z][\w-]*:)?(?P<sign>[\d.]+):(?P<verify>[\d.]+)", re.M
)
# Human-readable fallbacks: "rsa 2048 bits 0.000358s 0.000023s 2794.1 42830.3",
# " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  40348.8  13023.5",
# " 253 bits EdDSA (Ed25519)   0.0000s   0.0001s  24213.8   8629.6",
# "sha256  ... 1419242.89k" (1000s of bytes per second, last column = largest block).
_TXT_RSA = re.compile(r"^rsa\s+2048 bits\s+[\d.]+s\s+[\d.]+s\s+[\d.]+\s+(?P<verify>[\d.]+)", re.M)
_TXT_ECDSA = re.compile(r"^\s*256 bits ecdsa \(nistp256\)\s+[\d.]+s\s+[\d.]+s\s+[\d.]+\s+(?P<verify>[\d.]+)", re.M)
_TXT_ED = re.compile(r"^\s*253 bits EdDSA \(Ed25519\)\s+[\d.]+s\s+[\d.]+s\s+[\d.]+\s+(?P<verify>[\d.]+)", re.M)
_TXT_SHA = re.compile(r"^sha256\s+(?P<rates>(?:[\d.]+k\s*)+)$", re.M)


def parse_speed(key: str, text: str) -> float | None:
    """The rate for ``key`` (see :data:`PRIMITIVES`) in ``openssl speed`` output, -mr or human-readable."""
    if key == "sha256":
        for m in _MR_DIGEST.finditer(text):
            if m.group("name") == "sha256":
                return float(m.group("rates").split(":")[-1])
        found = _TXT_SHA.search(text)
        return float(found.group("rates").split()[-1].rstrip("k")) * 1000 if found else None
    kind, bits, fallback = {
        "rsa2048_verify": ("2", "2048", _TXT_RSA),
        "ecdsap256_verify": ("4", "256", _TXT_ECDSA),
        "ed25519_verify": ("6", "253", _TXT_ED),
    }[key]
    for m in _MR_SIGN.finditer(text):
        if m.group("kind") == kind and m.group("bits") == bits:
            return float(m.group("verify"))
    found = fallback.search(text)
    return float(found.group("verify")) if found else None


def openssl_speed(keys: Iterable[str] = PRIMITIVES, *, seconds: int = 1, timeout: float = 60.0) -> dict[str, float]:
    """Run ``openssl speed`` for each key; missing command or unparsable output leaves the key out."""
    exe = shutil.which("openssl")
    if exe is None:
        return {}
    out: dict[str, float] = {}
    for key in keys:
        args = [exe, "speed", "-seconds", str(seconds), "-mr", *PRIMITIVES[key]]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired):
            continue
        rate = parse_speed(key, done.stdout + done.stderr)
        if rate is not None:
            out[key] = rate
    return out


if __name__ == "__main__":
    for name, rate in openssl_speed().items():
        unit = "MiB/s" if name == "sha256" else "verifications/s"
        print(f"{name}: {rate / (1024 * 1024) if name == 'sha256' else rate:,.1f} {unit}")
