"""Real servers on loopback for the tests: uvicorn serving the app in a thread of the test process
(`LiveServer`), and Oxigraph's own server as a remote store (`OxigraphServer`)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import uvicorn

from andts import store as layout
from andts.server.http.app import create_app
from andts.server.settings import Settings
from support.polling import wait_until

#: The Oxigraph server binary, installed by the test extra (the `oxigraph` package).
OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxigraphServer:
    """`oxigraph serve` on a free loopback port, in memory (the server asks it for the union default graph)."""

    def __init__(self, timeout: float | None = None) -> None:
        assert OXIGRAPH.exists(), f"no Oxigraph server at {OXIGRAPH}: `python3 run.py test` installs the test extra"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.query_url, self.store_url = self.url + "/query", self.url + "/store"
        extra = ["--timeout-s", str(timeout)] if timeout else []
        self.process = subprocess.Popen([str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{self.port}", *extra],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def _answers(self) -> bool:
        assert self.process.poll() is None, self.process.stderr.read().decode()[-2000:]
        try:
            return httpx.post(self.query_url, data={"query": "ASK {}"}, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def __enter__(self) -> OxigraphServer:
        try:
            wait_until(self._answers, what="the Oxigraph server answers", every=0.05)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()

    def load(self, store: Path) -> None:
        """Push a published build's graphs, as `andts build --push` does."""
        from andts.push import push

        push(layout.current_build_dir(store) / "dump.nq", self.store_url)


class LiveServer:
    """uvicorn serving create_app(settings) on a free loopback port, in a thread of this process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)
        self.http = httpx.Client(base_url=self.url, timeout=30)  # one client: no TLS set-up per request

    def _started(self) -> bool:
        assert self.thread.is_alive() or self.server.started, "the test server stopped while starting"
        return self.server.started

    def __enter__(self) -> LiveServer:
        self.thread.start()
        wait_until(self._started, what="the test server starts")
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)

    @property
    def pool(self):  # the app's worker pool, for tests that look at the processes
        return self.app.state.engine

    def get(self, path: str, **kw) -> httpx.Response:
        return self.http.get(path, **kw)
