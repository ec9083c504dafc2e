"""Start a real ``geo-app app`` / Streamlit server for a test and stop it after (shared by the
browser and wheel tests): a free port, a log file, a wait on Streamlit's health endpoint."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    """A TCP port on localhost nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(cmd: Sequence[str], port: int, log_path: Path, *, env: dict[str, str] | None = None,
            cwd: Path | None = None, timeout: float = 60.0) -> Iterator[str]:
    """Run ``cmd`` (a server on ``port``) until its health endpoint answers; yield its URL; stop it.

    The output goes to ``log_path`` (a file, not a pipe: a pipe nobody reads fills up and blocks
    the server); the test fails with its tail when the server dies or is not up in ``timeout`` s.
    """
    log = log_path.open("w+b")
    proc = subprocess.Popen(list(cmd), stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"the app did not start: {log.read().decode(errors='replace')[-2000:]}")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
