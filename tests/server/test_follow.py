"""A build published while the server runs is served without a restart, and every answer during the switch
comes from one complete build: the old one or the new one, never a mix or an error."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import httpx

from andts.server.settings import Settings

from conftest import FIXTURE, LiveServer, make_store

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
        time.sleep(0.3)
        make_store(store, bigger, build_id="testbuild0000002")
        deadline = time.monotonic() + 20
        while server.http.get("/health").json()["build"] != "testbuild0000002":
            assert time.monotonic() < deadline, "the new build was not picked up"
            time.sleep(0.1)
        time.sleep(1.5)  # answers go on after the switch, while the old pool is retired
        stop.set()
        for t in askers:
            t.join()
        assert errors == []
        assert set(seen) <= {before, before + 10} and before + 10 in seen and before in seen
        assert count(server.http) == before + 10
        assert server.http.get("/health").json()["workers"]["alive"] == 2


def test_pinned_when_following_is_off(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store")
    with LiveServer(replace(Settings(store=store, workers=1), follow_builds=0)) as server:
        make_store(store, FIXTURE, build_id="testbuild0000009")
        time.sleep(0.5)
        assert server.http.get("/health").json()["build"] == "testbuild0000001"
