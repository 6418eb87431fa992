"""A server under measurement, started as a subprocess on a free loopback port and stopped with its children."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`argv` started in its own session (so that stopping it stops its worker processes too), ready once
    `health` answers below 500; its output goes to `log`."""

    def __init__(self, argv: list[str], health: str, log: Path, start_timeout: float = 600) -> None:
        self.url = health
        with log.open("w") as out:  # a file, not a pipe: an unread pipe would block a logging server
            self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if httpx.get(health, timeout=5).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                err = log.read_text(errors="replace")[-500:]
                self.stop()
                raise RuntimeError(f"{argv[0]} did not start: {err}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def oxigraph_on_a_copy(store_dir: Path, copy: Path, log: Path) -> tuple[Server, str]:
    """`oxigraph serve-read-only --union-default-graph` on a copy of a build's Oxigraph folder (the server
    locks what it opens), and its base URL. The binary is the `oxigraph` package's, beside this Python."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store_dir, copy)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server([str(Path(sys.executable).parent / "oxigraph"), "serve-read-only", "--location", str(copy),
                     "--bind", f"127.0.0.1:{port}", "--union-default-graph"], base + "/query?query=ASK%7B%7D", log)
    return server, base
