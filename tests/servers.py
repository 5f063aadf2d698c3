"""``cryptokit serve --demo`` started by tests: 127.0.0.1, a free port, bounded in time (--max-seconds
and a start-up timeout), always stopped (terminate, then kill) when the ``with`` block ends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def cryptokit_serve(*, tls: bool = False, max_seconds: int = 300, startup: float = 60) -> Iterator[dict[str, Any]]:
    """Run the demo service; yield its announced summary with ``creds`` (credentials.json) added."""
    folder = tempfile.mkdtemp(prefix="ck-serve-")
    args = [sys.executable, "-m", "cryptokit", "serve", "--demo", "--port", "0", "--json"]
    args += ["--folder", folder, "--max-seconds", str(max_seconds)] + (["--tls"] if tls else [])
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(proc.stdout.readline() if proc.stdout else ""))
        reader.start()
        reader.join(startup)
        if not line or not line[0].strip():
            proc.kill()
            raise RuntimeError(f"cryptokit serve did not start: {proc.stderr.read() if proc.stderr else ''}")
        summary: dict[str, Any] = json.loads(line[0])
        with open(summary["credentials"], encoding="utf-8") as handle:
            summary["creds"] = json.load(handle)
        assert summary["url"].startswith(("http://127.0.0.1:", "https://127.0.0.1:"))
        yield summary
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
