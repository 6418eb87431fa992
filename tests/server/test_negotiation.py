"""Content negotiation and query-text inspection as plain functions: one named case each."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from andts.server.engine import checks, sparql
from andts.server.errors import BadRequest, NotAcceptable, ServiceRefused, UpdateRefused
from andts.server.http import negotiation as neg

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

# (Accept, expected results media type, expected graph media type); None = not acceptable
CHOICES = {
    "no header": (None, "application/sparql-results+json", "text/turtle"),
    "empty header": ("", "application/sparql-results+json", "text/turtle"),
    "*/*": ("*/*", "application/sparql-results+json", "text/turtle"),
    "bare * (sent by some clients)": ("*", "application/sparql-results+json", "text/turtle"),
    "browser": (BROWSER, "text/html", "text/html"),
    "SPARQLWrapper-style list": ("application/sparql-results+json,application/json,text/javascript,application/javascript",
                                 "application/sparql-results+json", "application/json"),
    "only results types": ("application/sparql-results+xml", "application/sparql-results+xml", None),
    "only graph types": ("application/n-triples", None, "application/n-triples"),
    "q-values decide": ("text/turtle;q=0.1, application/rdf+xml;q=0.5, text/csv;q=0.3", "text/csv", "application/rdf+xml"),
    "more specific range wins over */*": ("*/*;q=0.9, text/csv;q=0.1", "application/sparql-results+json", "text/turtle"),
    "type/* ": ("application/*", "application/sparql-results+json", "application/n-triples"),
    "case-insensitive": ("Text/CSV", "text/csv", None),
    "unreadable q counts as 0": ("text/csv;q=abc, application/sparql-results+xml;q=0.2",
                                 "application/sparql-results+xml", None),
    "q above 1 is 1": ("text/csv;q=7, application/sparql-results+json;q=0.9", "text/csv", None),
    "ties go to the server's order": ("text/tab-separated-values, text/csv", "text/csv", None),
    "garbage entries are skipped": ("nonsense, ;q=1, text/csv", "text/csv", None),
}


@pytest.mark.parametrize("accept,results,graph", CHOICES.values(), ids=CHOICES.keys())
def test_choose(accept: str | None, results: str | None, graph: str | None) -> None:
    choice = neg.choose(accept)
    assert (choice.results and choice.results.media_type) == results
    assert (choice.graph and choice.graph.media_type) == graph


def test_nothing_acceptable() -> None:
    with pytest.raises(NotAcceptable, match="image/png"):
        neg.choose("image/png, text/javascript")


@pytest.mark.parametrize("name", sorted(neg.FORMAT_NAMES))
def test_every_format_name_reaches_a_serialiser(name: str) -> None:
    choice = neg.choose(None, name)
    for offer in (choice.results, choice.graph):
        if offer is not None:
            assert offer.key == "html" or offer.key in sparql.RESULTS_FORMATS or offer.key in sparql.GRAPH_FORMATS


def test_unknown_format_name() -> None:
    with pytest.raises(BadRequest, match="unknown format"):
        neg.choose(None, "yaml")


def test_every_serialiser_is_offered() -> None:
    assert {o.key for o in neg.RESULTS_OFFERS} == set(sparql.RESULTS_FORMATS) | {"html"}
    assert {o.key for o in neg.GRAPH_OFFERS} == set(sparql.GRAPH_FORMATS) | {"html"}


# --- what the query text shows ------------------------------------------------------------------

SHAPES = {
    "select": ("SELECT * { ?s ?p ?o }", "SELECT", False, False),
    "prologue first": ("BASE <http://x/>\nPREFIX ex: <http://x/>\n# CONSTRUCT\nask { ex:a ?p ?o }", "ASK", False, False),
    "construct": ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", False, False),
    "describe": ("DESCRIBE <http://x/a>", "DESCRIBE", False, False),
    "from": ("SELECT * FROM <http://x/g> { ?s ?p ?o }", "SELECT", False, True),
    "from named": ("SELECT * FROM NAMED <http://x/g> { GRAPH ?g { ?s ?p ?o } }", "SELECT", False, True),
    "service": ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", "SELECT", True, False),
    "service with a variable": ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", "SELECT", True, False),
    "service, lower case, no space": ("select * { service<http://x/sparql>{ ?s ?p ?o } }", "SELECT", True, False),
    "SERVICE in a string": ('SELECT * { ?s ?p "SERVICE <http://x/> { }" }', "SELECT", False, False),
    "SERVICE in a long string": ("SELECT * { ?s ?p '''a\n' SERVICE ''' }", "SELECT", False, False),
    "SERVICE in an IRI": ("SELECT * { <http://x/SERVICE> ?p ?o }", "SELECT", False, False),
    "SERVICE in a comment": ("SELECT * { ?s ?p ?o } # SERVICE <http://x/>", "SELECT", False, False),
    "SERVICE as a local name": ("PREFIX ex: <http://x/> SELECT * { ex:SERVICE ?p ?o }", "SELECT", False, False),
    "?service variable": ("SELECT ?service { ?service ?p ?o }", "SELECT", False, False),
    "FROM in a string": ('SELECT * { ?s ?p "from" }', "SELECT", False, False),
    "escaped quote in a string": ('SELECT * { ?s ?p "a \\" SERVICE" . SERVICE <http://x/> {} }', "SELECT", True, False),
    "insert data": ("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", "INSERT", False, False),
    "with … delete": ("WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", False, False),
    "load": ("LOAD <http://x/data.ttl>", "LOAD", False, False),
    "not a query": ("hello", None, False, False),
}


@pytest.mark.parametrize("text,form,service,dataset", SHAPES.values(), ids=SHAPES.keys())
def test_inspect(text: str, form: str | None, service: bool, dataset: bool) -> None:
    shape = checks.inspect(text)
    assert (shape.form, shape.uses_service, shape.has_dataset_clause) == (form, service, dataset)


@pytest.mark.parametrize("text", ["CLEAR ALL", "DROP GRAPH <http://x/g>", "ADD DEFAULT TO <http://x/g>",
                                  "PREFIX ex: <http://x/> DELETE DATA { ex:a ex:b ex:c }"])
def test_check_refuses_updates(text: str) -> None:
    with pytest.raises(UpdateRefused, match="read-only"):
        checks.check(sparql.Job(query=text))


def test_check_refuses_service_unless_allowed() -> None:
    q = "SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }"
    with pytest.raises(ServiceRefused):
        checks.check(sparql.Job(query=q))
    assert checks.check(sparql.Job(query=q, allow_service=True)).uses_service


MEDIA_RANGE = st.builds(
    lambda t, s, q: f"{t}/{s}" + (f";q={q}" if q is not None else ""),
    st.sampled_from(["*", "text", "application", "image", "Text"]),
    st.sampled_from(["*", "html", "csv", "turtle", "n-triples", "sparql-results+json", "json", "xml", "png"]),
    st.one_of(st.none(), st.sampled_from(["0", "0.1", "0.5", "1", "abc", "7"])),
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), st.lists(MEDIA_RANGE, max_size=6).map(", ".join)),
       st.sampled_from([neg.RESULTS_OFFERS, neg.GRAPH_OFFERS]))
def test_cached_negotiation_answers_as_negotiating_afresh(accept: str | None, offers: tuple[neg.Offer, ...]) -> None:
    assert neg.best_offer(accept, offers) is neg._best_offer.__wrapped__(accept, offers)
    assert neg.best_offer(accept, list(offers)) is neg._best_offer.__wrapped__(accept, offers)  # any sequence


def test_a_long_accept_header_is_negotiated_but_not_cached() -> None:
    """The header is the client's to choose: only short ones are kept, so the cache stays small."""
    long = ", ".join(["text/x-unknown;q=0.1"] * 40 + ["text/csv"])
    assert len(long) > neg.CACHED_ACCEPT_CHARS
    before = neg._best_offer.cache_info()
    assert neg.best_offer(long, neg.RESULTS_OFFERS).media_type == "text/csv"
    after = neg._best_offer.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)
    neg.best_offer("text/csv", neg.RESULTS_OFFERS)
    assert neg._best_offer.cache_info().misses + neg._best_offer.cache_info().hits == after.misses + after.hits + 1


def test_a_job_checked_by_the_server_runs_as_one_checked_by_the_worker() -> None:
    """The server sends its `check` with the job (`Job.shape`); the worker then uses it as its own."""
    import pyoxigraph as ox

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o"), ox.NamedNode("http://e/g")))
    for text in ("SELECT ?o WHERE { ?s ?p ?o }", "SELECT ?o FROM <http://e/g> WHERE { ?s ?p ?o }",
                 "SELECT ?o FROM <http://e/none> WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"):
        job = sparql.Job(query=text, results_format="json", graph_format="ntriples")
        checked = sparql.Job(query=text, results_format="json", graph_format="ntriples", shape=checks.check(job))
        assert sparql.execute(store, checked) == sparql.execute(store, job)
