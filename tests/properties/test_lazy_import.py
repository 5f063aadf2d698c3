"""Start-up is structural: what ``import cryptokit`` and ``cryptokit --help`` load, in a fresh process.

No time is asserted (the host is shared); these assert which modules a fresh interpreter holds,
which is what the start-up rows of benchmarks/cases_startup.py measure.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import cryptokit

HEAVY_FOR_IMPORT = (
    "cryptokit.cli",
    "cryptokit.bulk",
    "cryptokit.cms",
    "cryptokit.chain",
    "cryptokit.pkcs12",
    "cryptokit.csr",
    "cryptokit.certificates",
    "cryptokit.protocols",
    "cryptokit.integrations",
    "multiprocessing",
    "concurrent.futures.process",
    "rich",
    "cryptography.x509",
    "asn1crypto",
)


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def _under(loaded: set[str], prefix: str) -> list[str]:
    return sorted(m for m in loaded if m == prefix or m.startswith(prefix + "."))


def test_import_cryptokit_loads_only_the_package_and_its_errors() -> None:
    loaded = _loaded_after("import cryptokit")
    assert _under(loaded, "cryptokit") == ["cryptokit", "cryptokit.errors"]
    for heavy in HEAVY_FOR_IMPORT:
        assert not _under(loaded, heavy), heavy


def test_a_name_loads_its_module_and_not_the_interfaces() -> None:
    loaded = _loaded_after("import cryptokit\ncryptokit.cms_verify")
    assert "cryptokit.cms.verify" in loaded
    for heavy in ("cryptokit.cli", "cryptokit.bulk", "multiprocessing", "rich"):
        assert not _under(loaded, heavy), heavy


def test_bulk_names_load_bulk_on_first_use() -> None:
    loaded = _loaded_after("from cryptokit import verify_many")
    assert "cryptokit.bulk" in loaded


@pytest.mark.parametrize("name", cryptokit.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(cryptokit, name) is not None
    assert name in dir(cryptokit)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        cryptokit.no_such_name  # noqa: B018


def test_lazy_map_is_the_public_api() -> None:
    from cryptokit import errors

    assert set(cryptokit._LAZY) | set(errors.__all__) | {"__version__"} == set(cryptokit.__all__)


def test_help_does_not_load_the_blocks() -> None:
    loaded = _loaded_after(
        "import sys\nfrom cryptokit.cli.main import main\nsys.argv = ['cryptokit', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    for heavy in (
        "cryptokit.bulk",
        "cryptokit.cms",
        "cryptokit.chain",
        "cryptokit.pkcs12",
        "cryptokit.csr",
        "cryptokit.protocols",
        "cryptokit.demo",
        "multiprocessing",
        "rich",
        "asn1crypto",
        "cryptography",  # --help needs no cryptography at all
    ):
        assert not _under(loaded, heavy), heavy


#: What ``cryptokit verify signature`` must not load: other commands, the bulk, chain and CMS blocks,
#: asn1crypto (a plain certificate loads without it), cryptography's serialization package and
#: OpenSSL backend module (an RSA key from a certificate needs neither), and the JSON/CSV/process
#: machinery it does not use.
HEAVY_FOR_VERIFY_SIGNATURE = (
    "cryptokit.cli.cmd_pki",
    "cryptokit.cli.cmd_emca",
    "cryptokit.cli.cmd_bench",
    "cryptokit.cli.cmd_demo",
    "cryptokit.cli.cmd_serve",
    "cryptokit.cli.cmd_pdf",
    "cryptokit.cli.cmd_hash",
    "cryptokit.cli.verify_bulk",
    "cryptokit.bulk",
    "cryptokit.chain",
    "cryptokit.cms",
    "cryptokit.pkcs12",
    "cryptokit.csr",
    "cryptokit.protocols",
    "cryptokit.report",
    "asn1crypto",
    "cryptokit.names",
    "cryptography.hazmat.primitives.serialization",
    "cryptography.hazmat.backends",
    "orjson",
    "csv",
    "multiprocessing",
    "concurrent.futures",
    "traceback",
    "rich",
)


def test_verify_signature_loads_only_its_path(tmp_path: Path) -> None:
    """The start-up row of ``cryptokit verify signature`` (benchmarks/cases_startup.py) is what this
    process loads: the command's module, the signature and certificate blocks, cryptography."""
    from benchmarks.cases_startup import signature_fixture

    argv = signature_fixture(tmp_path)
    loaded = _loaded_after(
        f"import sys\nfrom cryptokit.cli.main import main\nassert main({argv!r}) == 0, 'did not verify'"
    )
    assert {"cryptokit.cli.cmd_verify", "cryptokit.signatures.sign_verify", "cryptokit.certificates"} <= loaded
    # What cryptography itself loads to read a certificate is not cryptokit's to avoid (cryptography
    # 49's x509 package imports the serialization package; 51's does not).
    floor = _loaded_after("import cryptography.x509")
    for heavy in HEAVY_FOR_VERIFY_SIGNATURE:
        if heavy.startswith("cryptography.") and _under(floor, heavy):
            continue
        assert not _under(loaded, heavy), heavy


#: Every cryptokit module ``cryptokit verify bulk MANIFEST --workers 2 --json`` loads (JSON-lines rows
#: with sig_b64 and hash, no --roots): the command, the verify engine and its scheduler, the signature
#: and certificate blocks. A module added to this path is a start-up cost of the command (issue 23
#: point 4: benchmarks/cases_verify_bulk_cli.py), so it must be added here on purpose.
VERIFY_BULK_MODULES = {
    "cryptokit",
    "cryptokit._dsa",
    "cryptokit.algorithms",
    "cryptokit.bulk",
    "cryptokit.bulk.dispatch",
    "cryptokit.bulk.forked",
    "cryptokit.bulk.packed_errors",
    "cryptokit.bulk.results",
    "cryptokit.bulk.verify",
    "cryptokit.bulk.worker",
    "cryptokit.certificates",
    "cryptokit.cli",
    "cryptokit.cli.cmd_verify",
    "cryptokit.cli.common",
    "cryptokit.cli.io",
    "cryptokit.cli.main",
    "cryptokit.cli.verify_bulk",
    "cryptokit.encoding",
    "cryptokit.errors",
    "cryptokit.signatures",
    "cryptokit.signatures.ecdsa_encoding",
    "cryptokit.signatures.prehashed",
    "cryptokit.signatures.pss_params",
    "cryptokit.signatures.public_keys",
    "cryptokit.signatures.rsa_pss",
    "cryptokit.signatures.sign_verify",
}

#: What the bulk command does without: a process pool and its machinery (it forks by itself), the
#: hashing engine (no row names a file), CSV, argparse's terminal-size lookup (shutil and the
#: compression modules it imports), threads, pickle (the children answer in marshal).
HEAVY_FOR_VERIFY_BULK = (
    "multiprocessing",
    "concurrent",
    "threading",
    "logging",
    "csv",
    "shutil",
    "bz2",
    "lzma",
    "pickle",
    "rich",
    "asn1crypto",
)


def test_verify_bulk_loads_only_its_path(tmp_path: Path) -> None:
    from benchmarks.cases_verify_bulk_cli import write_manifest

    manifest = write_manifest(tmp_path, 600, distinct=3)  # 600 rows: this process and one forked child
    loaded = _loaded_after(
        "import contextlib, io, os\nfrom cryptokit.cli.main import main\nforks = []\nfork = os.fork\n"
        "os.fork = lambda: forks.append(1) or fork()\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        f"    code = main(['verify', 'bulk', {str(manifest)!r}, '--workers', '2', '--json'])\n"
        "assert code == 0 and forks == [1], (code, forks, out.getvalue()[-300:])"
    )
    assert _under(loaded, "cryptokit") == sorted(VERIFY_BULK_MODULES)
    floor = _loaded_after("import cryptography.x509, orjson")  # what the dependencies load is theirs
    for heavy in HEAVY_FOR_VERIFY_BULK:
        assert not _under(loaded, heavy) or _under(floor, heavy), heavy
