"""Fixtures for the server tests: a published test store, in-process clients, and real servers.

The store is made from tests/server/data/fixture.trig with the functions `andts build` uses, so the
server opens it exactly as it opens a real build (support/stores.py). Everything here is read-only and
session-scoped (starting worker processes is the slow part); no test changes shared state.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from support import chromium
from support.servers import LiveServer, OxigraphServer, free_port
from support.stores import make_store

from andts.server.http.app import create_app
from andts.server.settings import Settings


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """schemathesis (4.x) gives the test of every operation the one node id of the test function
    (`test_fuzz.py::test_no_server_error`), and pytest-xdist, which tells tests apart by node id, would run
    only one of them. Each gets its own, from its name, which names the operation
    (`test_no_server_error[GET /sparql]`)."""
    for item in items:
        name = item.nodeid.rpartition("::")[2]
        if name != item.name and item.name.startswith(name + "[") and item.parent is not None:
            item._id = item.parent.id.child(item.name)  # what pytest gives any other item (pytest 9's NodeId)


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
        server = request.getfixturevalue("live")
        server.http.backend = "embedded"
        yield server.http
    else:
        oxigraph = request.getfixturevalue("oxigraph_with_fixture")
        with TestClient(create_app(replace(settings, store_url=oxigraph.query_url))) as c:
            c.backend = "remote"
            yield c


@pytest.fixture(scope="session")
def oxigraph_with_fixture(store_path: Path) -> Iterator[OxigraphServer]:
    """A real Oxigraph server holding the test store, as a remote store."""
    with OxigraphServer() as server:
        server.load(store_path)
        yield server


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
    """uvicorn on loopback over the test store (the `client` fixture's loopback backend is this server)."""
    with LiveServer(settings) as server:
        yield server


# --- the project's own data -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def project_store(real_build) -> Path:
    """The session's build of data/sources (tests/conftest.py), for tests that check facts read off the
    source documents."""
    return real_build.store


@pytest.fixture(scope="session")
def project_settings(project_store: Path) -> Settings:
    return Settings(store=project_store, workers=2, query_timeout=30)


@pytest.fixture(scope="session")
def project_embedded(project_settings: Settings) -> Iterator[TestClient]:
    """An in-process client of the server over the project's data on its embedded store."""
    with TestClient(create_app(project_settings)) as c:
        yield c


@pytest.fixture(scope="session")
def project_remote(project_settings: Settings) -> Iterator[TestClient]:
    """An in-process client of the server over a real Oxigraph server holding the same build (pushed as
    `andts build --push` does)."""
    with OxigraphServer() as oxigraph:
        oxigraph.load(project_settings.store)
        with TestClient(create_app(replace(project_settings, store_url=oxigraph.query_url))) as c:
            yield c


@pytest.fixture(scope="session", params=["embedded", "remote"])
def project_client(request: pytest.FixtureRequest) -> httpx.Client:
    """The server over the project's data: on the embedded store, and on a real Oxigraph server."""
    return request.getfixturevalue(f"project_{request.param}")


@pytest.fixture(scope="session")
def project_live(project_settings: Settings) -> Iterator[LiveServer]:
    """uvicorn on loopback over the project's data, for browsers and real clients."""
    with LiveServer(project_settings) as server:
        yield server


# --- headless Chromium (support/chromium.py) -----------------------------------------------------------


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
