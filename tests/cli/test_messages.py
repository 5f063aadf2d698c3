"""Issue 18 point 10: the command's messages speak the command's language (flags, plain rules),
never the library's keywords or a parser's internals."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from cryptokit.cli.io import KEYWORD_FLAGS, command_language
from cryptokit.cli.main import build_parser, main

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


def _sha1_csr(tmp_path: Path) -> Path:
    return VECTORS / "csr" / "rsa_sha1.pem"  # cryptography's vector, a SHA-1 self-signature


# --------------------------------------------------------------------------- (a) flags, not keywords


def test_sha1_csr_refusal_names_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _sha1_csr(tmp_path)
    assert main(["csr", "verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert "--allow-sha1" in out
    assert "allow_sha1" not in out
    assert main(["csr", "verify", str(path), "--json"]) == 1
    doc = orjson.loads(capsys.readouterr().out)
    assert "--allow-sha1" in doc["reason"] and "allow_sha1" not in doc["reason"]
    assert main(["csr", "verify", str(path), "--allow-sha1"]) == 0  # the flag named is the one that works


def test_every_translated_keyword_is_a_real_flag() -> None:
    parser = build_parser()
    help_texts = []
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for sub in action.choices.values():
            stack = [sub]
            while stack:
                p = stack.pop()
                help_texts.append(p.format_help())
                for a in p._actions:
                    if a.choices and isinstance(a.choices, dict):
                        stack.extend(a.choices.values())
    everything = "\n".join(help_texts)
    for keyword, flag in KEYWORD_FLAGS.items():
        assert flag in everything, f"{keyword} -> {flag}: no such flag"
        assert command_language(f"refused (pass {keyword}=True to accept)") == f"refused (pass {flag} to accept)"
        assert command_language(f"refused unless ``{keyword}=True``") == f"refused unless {flag}"
    assert command_language("pass allow_md5=True") == "pass allow_md5=True"  # no flag: left alone
