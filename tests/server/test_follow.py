"""A build published while the server runs is served without a restart, and every answer during the switch
comes from one complete build: the old one or the new one, never a mix or an error."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from support.polling import wait_until
from support.servers import LiveServer
from support.stores import FIXTURE, make_store

from andts.server.settings import Settings

pytestmark = pytest.mark.slow  # real servers that switch builds under a stream of queries

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def count(http: httpx.Client) -> int:
    r = http.get("/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_a_new_build_is_served_without_a_restart(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store")
    bigger = tmp_path / "bigger.trig"
    extra = "\n".join(f'<https://w3id.org/andts/graph/extra> {{ <https://w3id.org/andts/id/x/{i}> '
                      f'<http://www.w3.org/2004/02/skos/core#prefLabel> "x {i}"@sv . }}' for i in range(10))
    bigger.write_text(FIXTURE.read_text(encoding="utf-8") + "\n" + extra + "\n", encoding="utf-8")
    settings = Settings(store=store, workers=2, query_timeout=5, follow_builds=0.2)
    with LiveServer(settings) as server:
        before = count(server.http)
        seen: list[int] = []
        errors: list[str] = []
        stop = threading.Event()

        def ask() -> None:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                while not stop.is_set():
                    try:
                        seen.append(count(http))
                    except AssertionError as exc:
                        errors.append(str(exc))

        askers = [threading.Thread(target=ask) for _ in range(3)]
        for t in askers:
            t.start()
        try:
            wait_until(lambda: seen.count(before) >= 10, what="answers from the first build")
            old = server.pool
            make_store(store, bigger, build_id="testbuild0000002")
            wait_until(lambda: server.http.get("/health").json()["build"] == "testbuild0000002", every=0.05,
                       what="the new build is picked up")
            # answers go on after the switch, while the old pool is retired (closed once its queries are done)
            wait_until(lambda: not old.pids(), what=lambda: f"the old pool is retired: {old.health()}")
            switched = len(seen)
            wait_until(lambda: seen[switched:].count(before + 10) >= 10, what="answers from the new build")
        finally:
            stop.set()
            for t in askers:
                t.join()
        assert errors == []
        assert set(seen) <= {before, before + 10} and before + 10 in seen and before in seen
        assert count(server.http) == before + 10
        assert server.http.get("/health").json()["workers"]["alive"] == 2


def test_pinned_when_following_is_off(tmp_path: Path) -> None:
    """A server that does not follow keeps its build, while one that follows (the witness that the new build
    was there to be picked up) switches."""
    store = make_store(tmp_path / "store")
    with LiveServer(replace(Settings(store=store, workers=1), follow_builds=0)) as pinned, \
            LiveServer(replace(Settings(store=store, workers=1), follow_builds=0.2)) as following:
        make_store(store, FIXTURE, build_id="testbuild0000009")
        wait_until(lambda: following.http.get("/health").json()["build"] == "testbuild0000009", every=0.05,
                   what="the following server picks up the new build")
        assert pinned.http.get("/health").json()["build"] == "testbuild0000001"
