"""`cloudtrail-tracker local` over the samples as a real process, serving on a free port: what the
end-to-end tests talk to over HTTP."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "cloudtrail_tracker.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(tmp: Path, *options: str):
    """The local stack with the samples ingested, serving until the block ends; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "local", "--port", str(port), "--log-file", str(tmp / "handlers.log"), *options],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT / "src"), "HOME": str(tmp)},
    )
    url = f"http://127.0.0.1:{port}"
    output = []
    deadline = time.time() + 120  # the samples ingest in 10-20 s; a hang fails well before pytest's patience
    try:
        while time.time() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                raise AssertionError("the local stack exited:\n" + "".join(output))
            output.append(line)
            if "API and dashboard at " + url in line:  # serving now (the summary's dashboard link comes before)
                break
        else:
            raise AssertionError("the local stack did not start serving:\n" + "".join(output))
        # keep reading what it prints: a full pipe would block it (and its exit on SIGINT)
        threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
