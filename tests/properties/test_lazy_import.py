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
