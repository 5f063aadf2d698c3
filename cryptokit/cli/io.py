"""Input and output helpers for the command: JSON or human output, secrets, files.

Secrets (PFX passwords, envelope keys) come from an environment variable (``--password-env``),
a file (``--password-file``) or an interactive prompt, never from the argument itself, and are
never printed.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InputError

__all__ = [
    "command_language",
    "emit_json",
    "read_input",
    "read_secret",
    "read_secret_bytes",
    "table",
    "add_secret_options",
]


# The library's errors name its keyword arguments; the command says the flag that sets them.
KEYWORD_FLAGS = {
    "allow_sha1": "--allow-sha1",
    "allow_absent_null": "--allow-absent-null",
}
_KEYWORD_HINT = re.compile(r"`{0,2}\b([a-z][a-z0-9_]*)=(?:True|False)\b`{0,2}")


def command_language(message: str) -> str:
    """``message`` with every library keyword hint that has a flag (``allow_sha1=True``) said as the
    flag (``--allow-sha1``); hints without a flag are left as they are."""
    return _KEYWORD_HINT.sub(lambda m: KEYWORD_FLAGS.get(m.group(1), m.group(0)), message)


def emit_json(doc: Any) -> None:
    """Print ``doc`` as indented JSON on stdout."""
    import orjson  # loaded by the commands that print JSON, not by every start-up

    sys.stdout.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode() + "\n")


def read_input(path: str, field: str, *, max_size: int = 64 * 1024 * 1024) -> bytes:
    """Bytes of a file (``-`` for stdin), bounded; InputError naming ``field`` if it cannot be read."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(max_size + 1)
        else:
            p = Path(path)
            if p.stat().st_size > max_size:
                raise InputError(field, f"file is over the limit of {max_size} bytes")
            data = p.read_bytes()
    except OSError as exc:
        raise InputError(field, f"cannot read {path!r}: {exc.strerror or exc}") from None
    if len(data) > max_size:
        raise InputError(field, f"input is over the limit of {max_size} bytes")
    return data


def add_secret_options(parser: Any, name: str, help_what: str) -> None:
    """Add ``--NAME-env VAR`` and ``--NAME-file PATH``; without either, the command prompts."""
    parser.add_argument(f"--{name}-env", metavar="VAR", help=f"read the {help_what} from environment variable VAR")
    parser.add_argument(f"--{name}-file", metavar="PATH", help=f"read the {help_what} from a file (first line)")


T = TypeVar("T")


def _read_secret(
    args: Any, name: str, prompt: str, required: bool, convert: Callable[[str, str | bytes], T]
) -> T | None:
    """``convert(flag, secret)`` for the secret from ``--NAME-env`` (str), ``--NAME-file`` (its first
    line, bytes) or a prompt (str, flag ``--NAME``), in that order; None when not ``required`` and
    none is given."""
    attr = name.replace("-", "_")
    env = getattr(args, f"{attr}_env", None)
    file = getattr(args, f"{attr}_file", None)
    if env:
        value = os.environ.get(env)
        if value is None:
            raise InputError(f"--{name}-env", f"environment variable {env} is not set")
        return convert(f"--{name}-env", value)
    if file:
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise InputError(f"--{name}-file", f"cannot read {file!r}: {exc.strerror or exc}") from None
        return convert(f"--{name}-file", data.splitlines()[0] if data else b"")
    if not required:
        return None
    if not sys.stdin.isatty():
        raise InputError(f"--{name}-env/--{name}-file", "no secret given and no terminal to prompt on")
    import getpass

    return convert(f"--{name}", getpass.getpass(prompt))


def _as_text(flag: str, value: str | bytes) -> str:
    """The secret as text: a file's first line must be UTF-8, and so must an environment variable or a
    typed secret (Python hands non-UTF-8 bytes over as lone surrogates, which would fail later, in
    another function's words). The error names the flag and never shows the bytes."""
    try:
        if isinstance(value, str):
            value.encode("utf-8")
            return value
        return value.decode("utf-8")
    except UnicodeError:  # its message would show the bytes
        what = "the first line" if flag.endswith("-file") else "the secret"
        raise InputError(flag, f"{what} is not UTF-8 text") from None


def _as_bytes(flag: str, value: str | bytes) -> bytes:
    if isinstance(value, bytes):
        return value
    if flag.endswith("-env"):
        return os.fsencode(value)  # the variable's original bytes (surrogateescape undone)
    try:
        return value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raise InputError(flag, "the typed secret cannot be encoded as UTF-8") from None


def read_secret(args: Any, name: str, *, prompt: str, required: bool = True) -> str | None:
    """The secret named ``name`` as text, from its env var, its file's first line or a prompt (in that
    order). A file whose first line is not UTF-8 is an InputError naming ``--NAME-file`` (never the bytes)."""
    return _read_secret(args, name, prompt, required, _as_text)


def read_secret_bytes(args: Any, name: str, *, prompt: str, required: bool = True) -> bytes | None:
    """The secret named ``name`` as bytes, exactly as given: the environment variable's bytes, the
    file's first line's bytes, or the prompt's text in UTF-8. A password need not be UTF-8 (a
    Latin-1 one from an environment variable is bytes that do not decode); read as bytes, it reaches
    the PKCS#12 loader unchanged and never passes through a str whose encoding errors would show it."""
    return _read_secret(args, name, prompt, required, _as_bytes)


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print a table with rich on a terminal (when rich is installed), else as aligned plain text with
    one row per line and no cell ever wrapped, for scripts, pipes and logs."""
    rows = [[str(c) for c in row] for row in rows]
    try:
        if not sys.stdout.isatty():
            raise ImportError("plain text for pipes and files")
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # not a terminal, or the cli extra is not installed
        if title:
            print(title)
        widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
        print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
        for r in rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
        return
    t = Table(title=title)
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*r)
    Console(soft_wrap=True).print(t)
