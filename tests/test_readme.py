"""Every ```python block in README.md runs as written (```py blocks are illustrative fragments)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCKS = re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), flags=re.DOTALL | re.MULTILINE)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index: int, tmp_path: Path) -> None:
    script = tmp_path / f"readme_{index}.py"
    script.write_text(BLOCKS[index])
    r = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"README block {index} failed:\n{BLOCKS[index]}\n--- stderr ---\n{r.stderr[-3000:]}"


CONSOLE = re.findall(r"^```console\n(.*?)^```", (ROOT / "README.md").read_text(), flags=re.DOTALL | re.MULTILINE)


def _commands(block: str) -> list[tuple[str, int | None]]:
    """The ``$`` commands of a console block (continuation lines joined), each with the exit code a
    following ``$ echo $?`` line states (None when the block does not state one)."""
    lines = block.splitlines()
    out: list[tuple[str, int | None]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.startswith("$ "):
            continue
        command = line[2:]
        while command.endswith("\\") and i < len(lines):
            command = command[:-1] + " " + lines[i].strip()
            i += 1
        if command.strip() == "echo $?":
            expected = int(lines[i].strip())
            out[-1] = (out[-1][0], expected)
            i += 1
            continue
        out.append((command, None))
    return out


def test_readme_has_shell_examples() -> None:
    assert len(CONSOLE) >= 4 and sum(len(_commands(b)) for b in CONSOLE) >= 8


def test_readme_shell_examples_run(tmp_path: Path) -> None:
    """Issue 18 point 12: every console example runs, in order (they share the exported folder), and
    ends with the exit code the README states (0 where it states none)."""
    import os
    import shutil

    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    for block in CONSOLE:
        for command, expected in _commands(block):
            r = subprocess.run(
                ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env
            )
            want = 0 if expected is None else expected
            assert r.returncode == want, f"{command!r} exited {r.returncode}, README says {want}:\n{r.stderr[-2000:]}"
