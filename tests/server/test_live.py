"""Real-server tests: uvicorn on a loopback port, real clients (httpx, SPARQLWrapper, rdflib), and what
only real processes show: a query stopped at the time limit while other clients keep getting answers,
and a worker pool that heals itself afterwards."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, RDFXML, TURTLE, URLENCODED, SPARQLWrapper
from support.polling import wait_until
from support.processes import kill_and_wait

from andts.server.settings import Settings

ANDTS = "https://w3id.org/andts/"
SKOS_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
SELECT = f"SELECT ?activity WHERE {{ ?activity a <{ANDTS}def/Activity> }} ORDER BY ?activity"
CONSTRUCT = f"CONSTRUCT {{ ?a <{SKOS_LABEL}> ?l }} WHERE {{ ?a a <{ANDTS}def/Activity> ; <{SKOS_LABEL}> ?l }}"
ACTIVITIES = [f"{ANDTS}id/activity/testby-andts-2024-2027/{i}" for i in (1, 2, 3)]
#: Quick, and run by a worker (the FILTER keeps it from being a one-subject lookup, which the server answers itself).
SIMPLE = f"ASK {{ ?m ?p ?o FILTER(?m = <{ANDTS}id/municipality/testby>) }}"
LOOKUP = f"ASK {{ <{ANDTS}id/municipality/testby> ?p ?o }}"
# Six copies of every triple joined with each other: 53^6 ≈ 2·10^10 rows to count. Never finishes in time.
PATHOLOGICAL = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n0 ?o . ?p ?q ?r }"


def expected_construct() -> Graph:
    g = Graph()
    for iri, label in zip(ACTIVITIES, ["Föräldrastöd i grupp", "Tillsyn av serveringstillstånd",
                                       'Drogfria "skolavslutningar"\nmed kvällsaktiviteter']):
        g.add((URIRef(iri), URIRef(SKOS_LABEL), Literal(label, lang="sv")))
    return g


# --- clients --------------------------------------------------------------------------------------


def test_httpx_select_json(live) -> None:
    r = live.get("/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert int(r.headers["content-length"]) == len(r.content)  # complete, not streamed
    assert [b["activity"]["value"] for b in r.json()["results"]["bindings"]] == ACTIVITIES


def test_sparqlwrapper_select_json(live) -> None:
    sw = SPARQLWrapper(live.url + "/sparql")
    sw.setQuery(SELECT)
    sw.setReturnFormat(JSON)
    result = sw.query().convert()
    assert [b["activity"]["value"] for b in result["results"]["bindings"]] == ACTIVITIES


@pytest.mark.parametrize("request_method", [URLENCODED, POSTDIRECTLY], ids=["form POST", "sparql-query POST"])
def test_sparqlwrapper_select_by_post(live, request_method: str) -> None:
    sw = SPARQLWrapper(live.url + "/sparql")
    sw.setMethod(POST)
    sw.setRequestMethod(request_method)
    sw.setQuery(SELECT)
    sw.setReturnFormat(JSON)
    assert [b["activity"]["value"] for b in sw.query().convert()["results"]["bindings"]] == ACTIVITIES


def test_sparqlwrapper_construct_as_rdfxml_graph(live) -> None:
    sw = SPARQLWrapper(live.url + "/sparql")
    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(RDFXML)
    graph = sw.query().convert()
    assert isinstance(graph, Graph)
    assert isomorphic(graph, expected_construct())


def test_sparqlwrapper_construct_as_turtle(live) -> None:
    sw = SPARQLWrapper(live.url + "/sparql")
    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(TURTLE)
    assert isomorphic(Graph().parse(data=sw.query().convert(), format="turtle"), expected_construct())


def test_rdflib_parses_a_construct_response(live) -> None:
    r = live.get("/sparql", params={"query": CONSTRUCT})
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert isomorphic(Graph().parse(data=r.text, format="turtle"), expected_construct())


def test_rdflib_reads_the_service_description(live) -> None:
    g = Graph().parse(data=live.get("/sparql").text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert set(g.objects(None, URIRef(sd + "endpoint"))) == {URIRef(live.url + "/sparql")}


def test_gzip_on_the_wire(live) -> None:
    with httpx.stream("GET", live.url + "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                      headers={"Accept-Encoding": "gzip"}) as r:
        raw = b"".join(r.iter_raw())
        assert r.headers["content-encoding"] == "gzip"
    assert raw[:2] == b"\x1f\x8b"


def test_head_gives_the_headers_without_a_body(live) -> None:
    r = live.http.head("/sparql", params={"query": SELECT})
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-type"] == "application/sparql-results+json" and r.headers["etag"]


def test_browser_gets_the_form(live) -> None:
    r = live.get("/sparql", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "<textarea" in r.text


def test_concurrent_clients(live) -> None:
    with ThreadPoolExecutor(8) as ex:
        results = list(ex.map(lambda _: live.get("/sparql", params={"query": SELECT}), range(16)))
    assert all(r.status_code == 200 for r in results)
    assert len({r.content for r in results}) == 1


# --- the time limit, and the pool afterwards ----------------------------------------------------

TIMEOUT = 2.0
#: What stopping a query and answering may take beyond its time limit on a loaded machine: a query answered
#: later than this was not stopped by the limit (PATHOLOGICAL runs for hours).
SLACK = 10.0


@pytest.fixture(scope="module")
def slow_live(settings: Settings, live_server):
    with live_server(replace(settings, query_timeout=TIMEOUT, workers=2)) as server:
        yield server


def wait_until_idle(server) -> None:
    def workers() -> dict:
        return server.get("/health").json()["workers"]

    wait_until(lambda: (h := workers())["idle"] == h["size"] == h["alive"], every=0.05,
               what=lambda: f"the pool recovers: {workers()}")


@pytest.mark.slow  # a query runs to the time limit and its worker is replaced
def test_timeout_stops_the_query_while_others_are_answered(slow_live) -> None:
    wait_until_idle(slow_live)
    before = slow_live.get("/health").json()["workers"]["restarts"]
    outcome: dict[str, object] = {}

    def slow() -> None:
        t0 = time.monotonic()
        r = slow_live.get("/sparql", params={"query": PATHOLOGICAL})
        outcome.update(status=r.status_code, text=r.text, seconds=time.monotonic() - t0)

    t = threading.Thread(target=slow)
    t.start()
    pool = slow_live.pool
    wait_until(lambda: pool.running() == 1, what=lambda: f"the pathological query runs: {pool.health()}")
    quick = slow_live.get("/sparql", params={"query": SIMPLE})
    # answered by the other worker while the pathological query still held its own (it runs until the limit)
    still_running = pool.running() == 1 and "status" not in outcome
    t.join(timeout=TIMEOUT + SLACK)

    assert quick.status_code == 200 and quick.json()["boolean"] is True
    assert still_running, "the simple query waited for the pathological one"
    assert outcome["status"] == 503, outcome
    assert f"limit of {TIMEOUT:g} s" in str(outcome["text"]) and "stopped" in str(outcome["text"])
    assert TIMEOUT <= outcome["seconds"] < TIMEOUT + SLACK, outcome  # stopped by the limit, not left to run

    wait_until_idle(slow_live)
    assert slow_live.get("/health").json()["workers"]["restarts"] == before + 1


@pytest.mark.slow  # a query runs to the time limit and its worker is replaced
def test_pool_is_healthy_after_a_timeout(slow_live) -> None:
    slow_live.get("/sparql", params={"query": PATHOLOGICAL})  # 503, a worker replaced
    wait_until_idle(slow_live)
    health = slow_live.get("/health").json()
    assert health["status"] == "ok" and health["workers"]["alive"] == 2
    # both workers answer at once, correctly
    with ThreadPoolExecutor(4) as ex:
        results = list(ex.map(lambda _: slow_live.get("/sparql", params={"query": SELECT}), range(8)))
    assert [r.status_code for r in results] == [200] * 8
    assert all([b["activity"]["value"] for b in r.json()["results"]["bindings"]] == ACTIVITIES for r in results)


@pytest.mark.slow  # kills a worker process
def test_a_worker_killed_mid_query_is_replaced_and_the_query_sent_once_more(slow_live) -> None:
    """The store is in memory, so both slots are one process: a query whose process is killed is sent once
    more (it may not be what killed it), within what is left of its time limit."""
    wait_until_idle(slow_live)
    pool = slow_live.pool
    assert pool.slots_per_process == 2 and slow_live.get("/health").json()["workers"]["processes"] == 1
    outcome: dict[str, object] = {}

    def slow() -> None:
        t0 = time.monotonic()
        outcome.update(r=slow_live.get("/sparql", params={"query": PATHOLOGICAL}), seconds=time.monotonic() - t0)

    t = threading.Thread(target=slow)
    t.start()
    (busy,) = wait_until(pool.running_pids, what="the query is taken by the worker, not just sent")
    os.kill(busy, signal.SIGKILL)  # as the kernel's OOM killer would
    t.join(timeout=2 * TIMEOUT + SLACK)
    r = outcome["r"]
    assert isinstance(r, httpx.Response)
    # sent again, it runs into the time limit: a 503, bounded (the query runs for hours)
    assert r.status_code == 503 and f"limit of {TIMEOUT:g} s" in r.text, r.text
    assert outcome["seconds"] < 2 * TIMEOUT + SLACK
    wait_until_idle(slow_live)
    assert busy not in pool.pids()
    assert slow_live.get("/sparql", params={"query": SIMPLE}).json()["boolean"] is True


@pytest.mark.slow  # kills a worker process
def test_a_worker_killed_while_idle_is_replaced_without_an_error(slow_live) -> None:
    wait_until_idle(slow_live)
    pool = slow_live.pool
    victim = pool.pids()[0]
    kill_and_wait(victim)  # dead; the pool notices when it next takes this worker
    statuses = [slow_live.get("/sparql", params={"query": SIMPLE}).status_code for _ in range(4)]
    assert statuses == [200] * 4
    wait_until_idle(slow_live)
    assert victim not in pool.pids() and pool.alive() == 2


@pytest.mark.slow  # two queries run to the time limit
def test_a_lookup_is_answered_while_every_worker_is_busy(slow_live) -> None:
    """A one-subject lookup is read from the store by the server itself: two queries that hold both worker
    slots until their time limit do not keep it waiting, as they keep any other query waiting."""
    wait_until_idle(slow_live)
    pool = slow_live.pool
    outcomes: list[int] = []
    hogs = [threading.Thread(target=lambda: outcomes.append(
        slow_live.get("/sparql", params={"query": PATHOLOGICAL}).status_code)) for _ in range(pool.size)]
    for t in hogs:
        t.start()
    wait_until(lambda: pool.running() == pool.size, what=lambda: f"both slots run a query: {pool.health()}")
    r = slow_live.get("/sparql", params={"query": LOOKUP})
    busy_after = pool.running()
    for t in hogs:
        t.join(timeout=TIMEOUT + SLACK)
    assert r.status_code == 200 and r.json()["boolean"] is True
    assert busy_after == pool.size  # answered while both slots were still taken (they run for the time limit)
    assert outcomes == [503] * pool.size
    wait_until_idle(slow_live)
