"""Fixtures for the server tests: a published test store, an in-process client, and real servers.

The store is made from tests/server/data/fixture.trig with the functions `andts build` uses, so the
server opens it exactly as it opens a real build. Everything here is read-only and session-scoped
(starting worker processes is the slow part); no test changes shared state.
"""

from __future__ import annotations

import socket
import sys
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import warnings

import httpx
import pyoxigraph as ox
import pytest
import uvicorn

# Starlette's TestClient warns on import that it wants the `httpx2` package; httpx works, and the
# warning says nothing about this project.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

from bs4 import BeautifulSoup

import chromium
from andts import store as layout
from andts.server.http.app import create_app
from andts.server.settings import Settings

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "fixture.trig"
BUILD_ID = "testbuild0000001"
BUILD_CREATED = "2025-03-01T12:00:00+00:00"


def make_store(store: Path, trig: Path = FIXTURE, build_id: str = BUILD_ID, created: str = BUILD_CREATED) -> Path:
    """Publish `trig` as a build at the store link `store`, the way `andts build` does (the store, the dumps,
    build.json). Returns the link."""
    partial = layout.new_build_dir(store, build_id)
    ox_store = ox.Store(str(partial / layout.OXIGRAPH_DIR))
    ox_store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    ox_store.flush()
    graphs = {g.value: len(list(ox_store.quads_for_pattern(None, None, None, g))) for g in ox_store.named_graphs()}
    ox_store.dump(str(partial / "dump.trig"), format=ox.RdfFormat.TRIG)
    ox_store.dump(str(partial / "dump.nq"), format=ox.RdfFormat.N_QUADS)
    info = layout.BuildInfo(
        id=build_id, created=created, triples=sum(graphs.values()), graphs=graphs,
        sources={trig.name: "test"}, version="test",
    )
    del ox_store
    layout.write_build_info(partial, info)
    layout.publish(store, partial, build_id)
    return store


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("server") / "store")


@pytest.fixture(scope="session")
def settings(store_path: Path) -> Settings:
    return Settings(store=store_path, query_timeout=3.0, max_rows=100, max_body_bytes=20_000, workers=2)


@pytest.fixture(scope="session", params=["in-process", "loopback", "remote"])
def client(request: pytest.FixtureRequest, settings: Settings) -> Iterator[httpx.Client]:
    """Every protocol test runs three times: in-process (TestClient, an httpx.Client), against uvicorn on a
    loopback port with a plain httpx.Client, so what only a socket shows is covered too, and in-process
    over a real Oxigraph server holding the same data as a remote store (`--store-url`)."""
    # tests that check what only one backend has (a build time, worker processes) read `client.backend`
    if request.param == "in-process":
        with TestClient(create_app(settings)) as c:
            c.backend = "embedded"
            yield c
    elif request.param == "loopback":
        with LiveServer(settings) as server:
            server.http.backend = "embedded"
            yield server.http
    else:
        oxigraph = request.getfixturevalue("oxigraph_with_fixture")
        with TestClient(create_app(replace(settings, store_url=oxigraph.query_url))) as c:
            c.backend = "remote"
            yield c


# --- a real Oxigraph server as a remote store ---------------------------------------------------------

OXIGRAPH = Path(sys.executable).parent / "oxigraph"  # installed by the test extra (the `oxigraph` package)


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

    def __enter__(self) -> OxigraphServer:
        deadline = time.monotonic() + 30
        while True:
            assert self.process.poll() is None, self.process.stderr.read().decode()[-2000:]
            try:
                if httpx.post(self.query_url, data={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the Oxigraph server did not start")
            time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def load(self, store: Path) -> None:
        """Push a published build's graphs, as `andts build --push` does."""
        from andts.push import push

        push(layout.current_build_dir(store) / "dump.nq", self.store_url)


@pytest.fixture(scope="session")
def oxigraph_with_fixture(store_path: Path) -> Iterator[OxigraphServer]:
    with OxigraphServer() as server:
        server.load(store_path)
        yield server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
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


@pytest.fixture
def unused_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def live_server() -> type[LiveServer]:
    """The LiveServer class, for tests that need a server with other settings: `with live_server(s) as srv`."""
    return LiveServer


@pytest.fixture(scope="session")
def publish_store() -> Callable[..., Path]:
    """make_store, for tests that need a store of their own: `publish_store(tmp_path / "store", trig)`."""
    return make_store


@pytest.fixture(scope="session")
def live(settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(settings) as server:
        yield server


def utc(ts: str) -> datetime:
    return datetime.fromisoformat(ts).astimezone(timezone.utc)


# --- the project's own data -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def project_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh build of data/sources (what `andts build` publishes), for tests that check facts read off
    the source documents."""
    from andts.build import build

    store = tmp_path_factory.mktemp("project") / "store"
    build(store)
    return store


@pytest.fixture(scope="session")
def project_settings(project_store: Path) -> Settings:
    return Settings(store=project_store, workers=2, query_timeout=30)


@pytest.fixture(scope="session", params=["embedded", "remote"])
def project_client(request: pytest.FixtureRequest, project_settings: Settings) -> Iterator[httpx.Client]:
    """An in-process client of the server over the project's data: on the embedded store, and on a real
    Oxigraph server holding the same build (pushed as `andts build --push` does)."""
    if request.param == "embedded":
        with TestClient(create_app(project_settings)) as c:
            yield c
        return
    with OxigraphServer() as oxigraph:
        oxigraph.load(project_settings.store)
        with TestClient(create_app(replace(project_settings, store_url=oxigraph.query_url))) as c:
            yield c


@pytest.fixture(scope="session")
def project_live(project_settings: Settings) -> Iterator[LiveServer]:
    """uvicorn on loopback over the project's data, for browsers and real clients."""
    with LiveServer(project_settings) as server:
        yield server


# --- headless Chromium (chromium.py) -------------------------------------------------------------------


@pytest.fixture
def browse(tmp_path: Path) -> Callable[[str], BeautifulSoup]:
    """`browse(url)`: the DOM Chromium has for the page after loading it and running its scripts."""
    chromium.require_chromium()

    def run(url: str) -> BeautifulSoup:
        assert url.startswith("http://127.0.0.1:"), "the browser only visits the test server"
        done = subprocess.run([chromium.CHROMIUM, *chromium.flags(tmp_path / "profile"), "--dump-dom", url],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "<html" in done.stdout, done.stderr[-2000:]
        return BeautifulSoup(done.stdout, "html.parser")

    return run


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[chromium.Browser]:
    chromium.require_chromium()
    b = chromium.Browser(chromium.CHROMIUM, chromium.flags(tmp_path / "profile"))
    try:
        b.open()
        yield b
    finally:
        b.close()
