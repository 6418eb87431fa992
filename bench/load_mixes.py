"""What bench/load.py sends: the ordinary mix (catalogue queries and pages, entity pages, point lookups), the
pathological mix of the load phase, and the queries of the flood, bomb and crash phases, each kind with the
outcomes server/README.md documents for it."""

from __future__ import annotations

import random
from collections.abc import Sequence
from urllib.parse import urlencode

import httpx

# siblings in bench/ (on sys.path: see bench/README.md)
from load_requests import (
    JSON,
    MAX_BODY,
    MAX_ROWS,
    NTRIPLES,
    OK,
    REFUSED_BY_SIZE_OR_TIME,
    STOPPED,
    Kind,
    Request,
    post_query,
    sparql,
)

from andts import paths
from andts.catalogue import catalogue

BASE = "https://w3id.org/andts/"


def entity_iris(client: httpx.Client, k: int, seed: int) -> list[str]:
    """k entities of the programmes, drawn by a seeded RNG from a SELECT on the endpoint itself."""
    r = client.get("/sparql", headers={"Accept": JSON}, params={"query": """PREFIX andts: <https://w3id.org/andts/def/>
        SELECT DISTINCT ?e WHERE { VALUES ?c { andts:Activity andts:Goal andts:FocusArea andts:Actor andts:Programme
        andts:Finding andts:Municipality } ?e a ?c FILTER(STRSTARTS(STR(?e), "https://w3id.org/andts/id/")) }"""})
    r.raise_for_status()
    iris = sorted(b["e"]["value"] for b in r.json()["results"]["bindings"])
    return random.Random(seed).sample(iris, min(k, len(iris)))


def triple_count(client: httpx.Client) -> int:
    r = client.get("/sparql", headers={"Accept": JSON}, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    r.raise_for_status()
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def ordinary_mix(iris: Sequence[str]) -> list[Kind]:
    named = catalogue(paths.QUERIES_DIR)
    html = {"Accept": "text/html"}
    return [
        Kind("catalogue query via /sparql (queries/*.rq)", tuple(sparql(q.text) for q in named), OK),
        Kind("catalogue page /queries/{name}?run=1", tuple(Request("GET", f"/queries/{q.name}", {"run": "1"}, html)
                                                           for q in named), OK),
        Kind("entity page /id/… (text/html)", tuple(Request("GET", "/" + i.removeprefix(BASE), headers=html)
                                                    for i in iris), OK),
        Kind("lookup: CONSTRUCT one entity", tuple(sparql(f"CONSTRUCT {{ <{i}> ?p ?o }} WHERE {{ <{i}> ?p ?o }}",
                                                          NTRIPLES) for i in iris), OK),
        Kind("lookup: DESCRIBE one entity", tuple(sparql(f"DESCRIBE <{i}>", "text/turtle") for i in iris), OK),
    ]


def nested_groups(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth + " LIMIT 1"


def nested_subqueries(depth: int) -> str:
    return "SELECT * WHERE " + "{ SELECT * WHERE " * depth + "{ ?s ?p ?o }" + " }" * depth + " LIMIT 1"


def values_query(iris: Sequence[str], n: int, pad_to: int = 0) -> str:
    """A VALUES block of n IRIs (the real entities and made-up ones) joined with the graph, padded with a
    comment to pad_to bytes: a big but cheap query."""
    made_up = (f"<{BASE}id/none/{i}>" for i in range(n - len(iris)))
    block = " ".join([*(f"<{i}>" for i in iris), *made_up])
    text = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?s {{ {block} }} ?s ?p ?o }}\n"
    return text + ("#" + "x" * (pad_to - len(text) - 2) + "\n" if pad_to > len(text) + 2 else "")


def hostile_mix(iris: Sequence[str], triples: int) -> list[Kind]:
    """The pathological requests, each with the outcomes server/README.md documents for it."""
    path = "PREFIX : <https://w3id.org/andts/def/> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
    big = b"#" + b"x" * (2 * MAX_BODY) + b"\nASK {}"
    return [
        # streams solutions: refused at the row limit, or at the time limit on a slow or loaded machine
        Kind("cartesian product: SELECT * of 4 unconstrained patterns",
             (sparql("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"),), REFUSED_BY_SIZE_OR_TIME, True),
        Kind("cartesian product: COUNT(*) of 3 unconstrained patterns",  # one row, but triples³ to count
             (sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),), STOPPED, True),
        Kind("property path (rdf:type|!rdf:type)*, SELECT *",
             (sparql(path + "SELECT * WHERE { ?s (rdf:type|!rdf:type)* ?o }"),), REFUSED_BY_SIZE_OR_TIME, True),
        # stopped at the time limit, or answered where the store is small and in memory
        Kind("property paths ?s (:x|!:x)* ?o chained, COUNT",
             (sparql(path + "SELECT (COUNT(*) AS ?n) WHERE { ?s (:x|!:x)* ?o . ?o (:x|^:x|!:x)* ?z }"),),
             STOPPED | OK, True),
        Kind("every triple × 8, no LIMIT", (sparql("SELECT * WHERE { ?s ?p ?o VALUES ?copy { 1 2 3 4 5 6 7 8 } }"),),
             frozenset({"422"}), True),
        Kind(f"SELECT * {{ ?s ?p ?o }}, no LIMIT ({triples} triples)", (sparql("SELECT * WHERE { ?s ?p ?o }"),),
             frozenset({"422"}) if triples > MAX_ROWS else OK, True),
        Kind("CONSTRUCT of every pair of typed things",
             (sparql("CONSTRUCT { ?a <urn:x:pair> ?d } WHERE { ?a a ?t . ?d a ?u }", NTRIPLES),),
             REFUSED_BY_SIZE_OR_TIME, True),
        # deeper than the endpoint's nesting limit (128): refused before any worker (QueryTooComplex)
        Kind("nested groups, 1000 levels", (sparql(nested_groups(1000)),), frozenset({"400"}), True),
        Kind("nested subqueries, 300 levels", (sparql(nested_subqueries(300)),), frozenset({"400"}), True),
        # Oxigraph's regex engine (Rust's regex crate) is linear-time: no catastrophic backtracking
        Kind("regex ^(a+)+$ over every literal",
             (sparql('SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "^(a+)+$")) }'),), OK, True),
        Kind("regex (a|aa)+$ over a cartesian product",
             (sparql('SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f '
                     'FILTER(REGEX(CONCAT(STR(?c), STR(?f)), "(a|aa)+$")) }'),), STOPPED, True),
        Kind("VALUES block of 10,000 IRIs (form POST)",
             (Request("POST", "/sparql", headers={"Accept": JSON, "Content-Type": "application/x-www-form-urlencoded"},
                      body=urlencode({"query": values_query(iris, 10_000)}).encode()),), OK, True),
        Kind("900 kB query body (VALUES + comment)", (post_query(values_query(iris, 20_000, pad_to=900_000)),), OK, True),
        Kind("2 MB body with Content-Length", (post_query(big.decode()),), frozenset({"413"}), True),
        Kind("2 MB body chunked (no Content-Length)", (post_query(big.decode(), chunked=True),), frozenset({"413"}), True),
    ]


def flood_mix() -> list[Kind]:
    """Queries that only end at the time limit (or meet every worker busy)."""
    return [Kind("flood: COUNT of a cartesian product",
                 (sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),),
                 frozenset({"503 timeout", "503 busy"}), True)]


def bomb_mix() -> list[Kind]:
    # sorting a cartesian product materialises it: memory grows until a limit stops it
    return [Kind("memory: ORDER BY over a cartesian product",
                 (sparql("SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?f ?c LIMIT 1"),), STOPPED, True)]


def crash_mix() -> list[Kind]:
    # Small queries that overflow the stack of pyoxigraph's recursive parser (a segfault of the process parsing
    # them; bench/results/load.md, Findings): deep nesting, and long flat chains that parse recursively too.
    # The server refuses them from the text (400, QueryTooComplex) before any worker parses them.
    # Sent as POST bodies, so that no URL length limit stops them before the parser.
    crashed = frozenset({"400"})
    parens = "(" * 5000 + "1" + ")" * 5000
    plus = "+".join(["1"] * 20_000)
    steps = "/".join(["<urn:x:p>"] * 20_000)
    return [
        Kind("nested groups, 5000 levels (10 kB)", (post_query(nested_groups(5000)),), crashed, True),
        Kind("nested parentheses in a FILTER, 5000 levels (10 kB)",
             (post_query(f"SELECT * WHERE {{ ?s ?p ?o FILTER({parens}) }} LIMIT 1"),), crashed, True),
        Kind("1+1+… of 20,000 terms (40 kB)",
             (post_query(f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o = {plus}) }} LIMIT 1"),), crashed, True),
        Kind("property path of 20,000 steps (160 kB)",
             (post_query(f"SELECT * WHERE {{ ?s {steps} ?o }} LIMIT 1"),), crashed, True),
    ]

