"""The command as a whole: every subcommand has --help with examples and --json; exit codes are stable."""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys
from pathlib import Path

import pytest

from cryptokit.cli.main import build_parser, main


def leaf_commands() -> list[tuple[list[str], argparse.ArgumentParser]]:
    out: list[tuple[list[str], argparse.ArgumentParser]] = []

    def walk(prefix: list[str], parser: argparse.ArgumentParser) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            out.append((prefix, parser))
            return
        for name, child in subs[0].choices.items():
            walk([*prefix, name], child)

    walk([], build_parser())
    return out


EXPECTED = {
    "hash", "verify signature", "verify adss-response", "verify csc-response", "verify bulk", "chain validate",
    "cms sign", "cms verify", "csr new", "csr verify", "pfx inspect", "certs inspect", "emca seal", "emca open",
    "emca auth-key", "emca validity", "emca valid-from", "emca request-ids", "bench", "demo", "serve", "pdf verify",
}  # fmt: skip


def test_every_subcommand_is_there_with_examples_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    commands = leaf_commands()
    assert {" ".join(p) for p, _ in commands} == EXPECTED
    for path, parser in commands:
        assert main([*path, "--help"]) == 0
        text = capsys.readouterr().out
        assert "examples:" in text and "cryptokit " + " ".join(path) in text, path
        assert any("--json" in a.option_strings for a in parser._actions), path
        # No option takes a secret's value itself: secrets come from *-env / *-file or a prompt.
        for action in parser._actions:
            for opt in action.option_strings:
                assert opt in ("--password-env", "--password-file", "--key-password-env", "--key-password-file",
                               "--key-env", "--key-file", "--key", "--key-out") or not any(
                    w in opt for w in ("password", "secret", "pin", "token")
                ), (path, opt)  # fmt: skip


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["no-such-command"]) == 2
    assert main(["verify"]) == 2
    assert main(["emca", "validity"]) == 2
    capsys.readouterr()


def test_command_table_names_every_top_level_command() -> None:
    """``cryptokit COMMAND ...`` registers only COMMAND's module: the table must know every command
    the full parser has, and each partial parser must hold exactly the commands of its module."""
    from cryptokit.cli.main import COMMAND_MODULE

    def top(parser: argparse.ArgumentParser) -> set[str]:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return set(subs[0].choices)

    assert top(build_parser()) == set(COMMAND_MODULE)
    for command, module in COMMAND_MODULE.items():
        assert top(build_parser(command)) == {c for c, m in COMMAND_MODULE.items() if m == module}, command
    assert top(build_parser("--help")) == top(build_parser("no-such-command")) == set(COMMAND_MODULE)


def test_the_process_entry_skips_the_final_collection_and_a_call_does_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``main()`` on the process's own command line freezes what is left for the interpreter's exit
    (it skips the last garbage collection, ~10 ms after ``verify bulk``); ``main([...])`` called as
    a function leaves the caller's garbage collector as it was."""
    from benchmarks.cases_verify_bulk_cli import write_manifest

    manifest = write_manifest(tmp_path, 3)
    before = gc.get_freeze_count()
    assert main(["verify", "bulk", str(manifest), "--json"]) == 0
    assert gc.get_freeze_count() == before
    capsys.readouterr()
    probe = (
        "import gc, sys\nfrom cryptokit.cli.main import main\n"
        f"sys.argv = ['cryptokit', 'verify', 'bulk', {str(manifest)!r}, '--json']\n"
        "code = main()\nprint(code, gc.get_freeze_count() > 1000)"
    )
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    assert out.splitlines()[-1] == "0 True"
