"""The shared atheris entry point behind every ``fuzz/fuzz_<name>.py``.

``main(name)`` instruments the ``cryptokit`` package, writes the target's seeds into the first
corpus directory given on the command line (when it is empty) and hands the rest of ``sys.argv``
to libFuzzer (``-max_total_time=``, ``-timeout=``, ``-runs=``...). Any exception other than a
:class:`~cryptokit.errors.CryptokitError` is a finding: libFuzzer saves the input as ``crash-<sha1>``
(under ``-artifact_prefix=``) and exits non-zero.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
for _p in (_HERE, _HERE.parent):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

_MODULES = (
    "cryptokit.encoding",
    "cryptokit.algorithms",
    "cryptokit.hashing",
    "cryptokit.hashing",
    "cryptokit.bulk.hash",
    "cryptokit.bulk.verify",
    "cryptokit.bulk.worker",
    "cryptokit.bulk.results",
    "cryptokit.signatures.pss_params",
    "cryptokit.signatures.sign_verify",
    "cryptokit.signatures.prehashed",
    "cryptokit.signatures.public_keys",
    "cryptokit.signatures.ecdsa_encoding",
    "cryptokit.signatures.rsa_pss",
    "cryptokit.cms",
    "cryptokit.integrations.pdf_verify",
    "cryptokit.pkcs12",
    "cryptokit.certificates",
    "cryptokit.csr",
    "cryptokit.names",
    "cryptokit.chain",
    "cryptokit.envelope",
    "cryptokit.hazmat.ciphers",
    "cryptokit.protocols.emca",
    "cryptokit.protocols.adss",
    "cryptokit.protocols.csc",
    "cryptokit.protocols.onespan",
    "cryptokit.protocols.signer_digital",
)


def _seed_corpus(name: str, argv: list[str]) -> None:
    from fuzz.targets import seeds

    dirs = [Path(a) for a in argv[1:] if not a.startswith("-")]
    if not dirs:
        return
    first = dirs[0]
    first.mkdir(parents=True, exist_ok=True)
    if any(first.iterdir()):
        return
    for seed in seeds(name):
        (first / hashlib.sha1(seed).hexdigest()).write_bytes(seed)


def main(name: str) -> None:
    import importlib

    import atheris  # type: ignore[import-untyped]

    with atheris.instrument_imports(include=["cryptokit"]):
        for module in _MODULES:
            try:
                importlib.import_module(module)
            except Exception as exc:  # a module mid-edit must not stop the other harnesses
                sys.stderr.write(f"fuzz: cannot import {module}: {exc!r}\n")
        from fuzz import targets

    targets.context()  # build keys and seeds before fuzzing starts (not timed per input)
    _seed_corpus(name, sys.argv)
    run_one = targets.run_one

    def test_one_input(data: bytes) -> None:
        run_one(name, data)

    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
