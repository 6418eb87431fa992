"""A remote store: `andts build --push URL` into a real Oxigraph server, `andts serve --store-url URL` over
it, and what happens when the store refuses, fails or cannot be reached. (The endpoint and page tests run on
the remote backend too: the `client` and `project_client` fixtures.)"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from support.servers import OxigraphServer, free_port

from andts import store as layout
from andts.errors import StoreError
from andts.push import PushFailed, graphs_of, push
from andts.server.engine.remote import RemoteEngine

ANDTS = [sys.executable, "-m", "andts.cli"]


def count(server: OxigraphServer, graph: str | None = None) -> int:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
    r = httpx.post(server.query_url, data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"},
                   headers={"Accept": "application/sparql-results+json"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def oxigraph() -> Iterator[OxigraphServer]:
    with OxigraphServer() as server:
        yield server


@pytest.mark.slow  # `andts build --push` of the real sources in a process of its own
def test_build_push_loads_every_graph_and_shows_progress(tmp_path: Path, oxigraph: OxigraphServer) -> None:
    done = subprocess.run([*ANDTS, "build", "--store", str(tmp_path / "store"), "--push", oxigraph.store_url],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert done.returncode == 0, done.stderr
    info = layout.read_build_info(tmp_path / "store")
    assert f"Pushed {len(info.graphs)} graphs ({info.triples} triples)" in done.stdout
    progress = [line for line in done.stderr.splitlines() if line.startswith("pushed ")]
    assert len(progress) == len(info.graphs) and progress[-1].startswith(f"pushed {len(info.graphs)}/{len(info.graphs)}:")
    assert count(oxigraph) == info.triples
    for graph, triples in info.graphs.items():
        assert count(oxigraph, graph) == triples


def test_push_replaces_a_graph_rather_than_adding_to_it(tmp_path: Path, store_path: Path,
                                                        oxigraph: OxigraphServer) -> None:
    dump = layout.current_build_dir(store_path) / "dump.nq"
    push(dump, oxigraph.store_url)
    graphs = graphs_of(dump)
    graph, triples = max(graphs.items(), key=lambda kv: len(kv[1]))
    smaller = tmp_path / "smaller.nq"
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
             for g, ts in graphs.items() for t in (ts[:2] if g == graph else ts)]
    smaller.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    push(smaller, oxigraph.store_url)
    assert count(oxigraph, graph) == 2 < len(triples)
    assert count(oxigraph) == sum(len(ts) for ts in graphs.values()) - len(triples) + 2


def test_a_refusal_stops_at_once_with_the_stores_message(store_path: Path, oxigraph: OxigraphServer) -> None:
    # the query endpoint is no Graph Store Protocol endpoint: PUT is refused with a 4xx
    with pytest.raises(PushFailed, match=r"refused graph <https://w3id.org/andts/graph/.+> with 4\d\d"):
        push(layout.current_build_dir(store_path) / "dump.nq", oxigraph.query_url, pause=0)


def test_an_unreachable_store_is_retried_then_reported(store_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/store"
    with pytest.raises(PushFailed, match=r"cannot reach .* \(gave up after 3 attempts\)"):
        push(layout.current_build_dir(store_path) / "dump.nq", url, retries=2, pause=0.01)


class Flaky(http.server.BaseHTTPRequestHandler):
    """A store that answers 503 to the first PUT of each graph and 204 to the second."""

    seen: list[str] = []

    def do_PUT(self) -> None:  # noqa: N802 (the handler's API)
        self.rfile.read(int(self.headers["Content-Length"]))
        Flaky.seen.append(self.path)
        first = Flaky.seen.count(self.path) == 1
        self.send_response(503 if first else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_failing_store_is_retried_until_it_takes_the_graph(store_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Flaky.seen = []
    try:
        sent = push(layout.current_build_dir(store_path) / "dump.nq", f"http://127.0.0.1:{server.server_port}/store",
                    pause=0.01)
    finally:
        server.shutdown()
        server.server_close()
    assert len(Flaky.seen) == 2 * len(sent)  # each graph: a 503, then taken


def test_the_server_starts_only_over_a_store_it_can_reach() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(StoreError, match="does not answer SPARQL queries|cannot reach"):
        RemoteEngine(url)
    done = subprocess.run([*ANDTS, "serve", "--store-url", url, "--port", str(free_port())], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "cannot reach the store" in done.stderr
    assert "Traceback" not in done.stderr
    bad = subprocess.run([*ANDTS, "serve", "--store-url", "file:///etc/passwd"], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 2 and "not an http(s) URL" in bad.stderr


def test_a_query_over_the_time_limit_is_503_on_a_remote_store_too(store_path: Path) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from andts.server.http.app import create_app
    from andts.server.settings import Settings

    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }")
    with OxigraphServer(timeout=30) as oxigraph:
        oxigraph.load(store_path)
        settings = replace(Settings(store=store_path), store_url=oxigraph.query_url, query_timeout=1.0)
        with TestClient(create_app(settings)) as client:
            r = client.get("/sparql", params={"query": slow})
            assert r.status_code == 503 and "longer than 1 s" in r.text
            assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
