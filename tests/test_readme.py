"""Every ```python block in README.md runs as written (```py blocks are illustrative fragments)."""

from __future__ import annotations

import ast
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


# --- the layer picture ---------------------------------------------------------------------------

PACKAGE = ROOT / "cryptokit"
LAYERS_BLOCK = re.search(r"^Layers, top to bottom.*?^```\n(.*?)^```", (ROOT / "README.md").read_text(), re.S | re.M)


def _outside_parentheses(text: str) -> str:
    out, depth = [], 0
    for ch in text:
        depth += ch == "("
        if depth == 0:
            out.append(ch)
        depth -= ch == ")" and depth > 0
    return "".join(out)


def _layers() -> list[tuple[str, str]]:
    """(layer, its text) from the README's picture, top to bottom (continuation lines joined)."""
    assert LAYERS_BLOCK is not None, "README.md lost its layer picture"
    layers: list[tuple[str, str]] = []
    for line in LAYERS_BLOCK.group(1).splitlines():
        label, text = line[:13].strip(), line[13:]
        if label:
            layers.append((label, text))
        else:
            layers[-1] = (layers[-1][0], layers[-1][1] + " " + text)
    return layers


def _root_entries() -> set[str]:
    files = {p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("__")}
    return files | {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}


def _placed() -> dict[str, int]:
    """Root module or package -> the rank of the README layer naming it (0 = top), outside any
    parenthesised comment; a package is written ``name/``."""
    entries = _root_entries()
    rank: dict[str, int] = {}
    for index, (_label, text) in enumerate(_layers()):
        for name in re.findall(r"(?<![\w/.{,])([A-Za-z_]\w*)(?![\w(])", _outside_parentheses(text)):
            if name in entries:
                assert name not in rank, f"README names {name} in two layers"
                rank[name] = index
    return rank


def _imports(path: Path) -> set[str]:
    """The root modules/packages of cryptokit that ``path`` imports (anywhere in it, lazy ones too)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    package = parts[:-1]  # a module's package; an __init__'s is its own
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(package[: len(package) - node.level + 1])
            names = [node.module] if node.module else [a.name for a in node.names]
            targets = [".".join([*base, name]) for name in names]
        elif isinstance(node, ast.ImportFrom):
            targets = [node.module or ""]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        found |= {t.split(".")[1] for t in targets if t.startswith("cryptokit.")}
    return found


def test_readme_layers_name_every_root_module_once() -> None:
    assert set(_placed()) == _root_entries(), "README's layer picture and `ls cryptokit` differ"


def test_readme_layer_lists_name_every_module_of_a_package() -> None:
    text = " ".join(t for _, t in _layers())
    listed = dict(re.findall(r"(\w+)/ \(([^()]*)\)", text))
    checked = 0
    for package, items in listed.items():
        names = [item.strip() for item in items.split(",")]
        if not all(re.fullmatch(r"\w+", n) for n in names):
            continue  # a comment, not a module list
        modules = {p.stem for p in (PACKAGE / package).glob("*.py") if not p.stem.startswith("_")}
        assert sorted(names) == sorted(modules), f"README's {package}/ list and the package differ"
        checked += 1
    assert checked >= 2  # signatures/ and chain/
    vendors = re.search(r"protocols/\{([^}]*)\}/", text)
    assert vendors is not None
    on_disk = {p.name for p in (PACKAGE / "protocols").iterdir() if (p / "__init__.py").exists()}
    assert set(vendors.group(1).split(",")) == on_disk


def test_imports_point_down_the_readme_layers() -> None:
    rank = _placed()
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        source = parts[0]
        if source not in rank:
            continue  # __init__ / __main__: the package's own front door
        for target in _imports(path):
            if target in rank and rank[target] < rank[source]:
                wrong.append(f"{'/'.join(parts)} imports {target}")
    assert not wrong, "imports pointing up the README's layers: " + "; ".join(sorted(wrong))
