"""cryptokit.cli.io: secrets from --NAME-env / --NAME-file, as text and as bytes, with typed errors."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from cryptokit.cli.io import read_secret, read_secret_bytes
from cryptokit.errors import InputError

LATIN1 = "pässwörd".encode("latin-1")  # not UTF-8


def _args(**values: str | None) -> argparse.Namespace:
    return argparse.Namespace(key_env=values.get("env"), key_file=values.get("file"))


def test_file_secret_is_its_first_line(tmp_path: Path) -> None:
    (tmp_path / "k").write_bytes("kéy\r\nsecond line\n".encode())
    args = _args(file=str(tmp_path / "k"))
    assert read_secret(args, "key", prompt="") == "kéy"
    assert read_secret_bytes(args, "key", prompt="") == "kéy".encode()
    (tmp_path / "empty").write_bytes(b"")
    assert read_secret(_args(file=str(tmp_path / "empty")), "key", prompt="") == ""


def test_non_utf8_file_is_a_typed_error_as_text_and_exact_bytes_as_bytes(tmp_path: Path) -> None:
    (tmp_path / "k").write_bytes(LATIN1 + b"\n")
    args = _args(file=str(tmp_path / "k"))
    with pytest.raises(InputError) as info:
        read_secret(args, "key", prompt="")
    assert info.value.field == "--key-file" and "UTF-8" in str(info.value)
    assert "0xe4" not in str(info.value) and "\\xe4" not in str(info.value)  # never the secret's bytes
    assert read_secret_bytes(args, "key", prompt="") == LATIN1
    # Only the first line is read as text: bad bytes after it do not matter.
    (tmp_path / "k2").write_bytes(b"fine\n" + LATIN1)
    assert read_secret(_args(file=str(tmp_path / "k2")), "key", prompt="") == "fine"


def test_non_utf8_env_secret_is_a_typed_error_as_text_and_exact_bytes_as_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment hands non-UTF-8 bytes over as lone surrogates: as text that is an InputError
    naming --key-env (it was passed on and failed later as "key: ... neither hex nor base64")."""
    import os

    monkeypatch.setitem(os.environ, "CK_TEST_KEY", os.fsdecode(LATIN1))
    with pytest.raises(InputError) as info:
        read_secret(_args(env="CK_TEST_KEY"), "key", prompt="")
    assert info.value.field == "--key-env" and "UTF-8" in info.value.rule
    assert "\\xe4" not in str(info.value) and "\udce4" not in str(info.value) and "ss" not in str(info.value)
    assert read_secret_bytes(_args(env="CK_TEST_KEY"), "key", prompt="") == LATIN1


def test_env_secret_and_missing_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CK_TEST_KEY", "from-env")
    assert read_secret(_args(env="CK_TEST_KEY"), "key", prompt="") == "from-env"
    assert read_secret_bytes(_args(env="CK_TEST_KEY"), "key", prompt="") == b"from-env"
    monkeypatch.delenv("CK_TEST_KEY")
    with pytest.raises(InputError) as info:
        read_secret_bytes(_args(env="CK_TEST_KEY"), "key", prompt="")
    assert info.value.field == "--key-env"
    with pytest.raises(InputError) as info:
        read_secret(_args(file=str(tmp_path / "absent")), "key", prompt="")
    assert info.value.field == "--key-file"
    assert read_secret(_args(), "key", prompt="", required=False) is None
    assert read_secret_bytes(_args(), "key", prompt="", required=False) is None
