"""Which queries the server answers itself (`QueryShape.one_subject`: one triple pattern with an IRI as
subject, read from the build's store without a worker). The check must never say yes to more: every query
it accepts is compared with rdflib's own parse of it (an independent SPARQL parser), over named cases and
generated ones."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import URIRef, Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from andts.server.engine import checks

PREFIX = "PREFIX ex: <http://e/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
#: Algebra nodes a one-subject lookup may have around its one pattern.
AROUND = {"SelectQuery", "ConstructQuery", "AskQuery", "Project", "Slice", "Distinct", "Reduced", "BGP", "ToMultiSet"}


def _nodes(value: object) -> list[CompValue]:
    if isinstance(value, CompValue):
        return [value, *(n for v in value.values() for n in _nodes(v))]
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _nodes(v)]
    return []


def one_constant_subject_pattern(text: str) -> bool:
    """rdflib's reading: the algebra is one basic graph pattern of one triple with an IRI subject and a
    plain predicate, wrapped in nothing but projection, DISTINCT/REDUCED and LIMIT/OFFSET."""
    algebra = prepareQuery(text).algebra
    nodes = _nodes(algebra)
    if any(n.name not in AROUND for n in nodes):
        return False
    bgps = [n for n in nodes if n.name == "BGP"]
    if len(bgps) != 1 or len(bgps[0]["triples"]) != 1:
        return False
    s, p, _o = bgps[0]["triples"][0]
    return isinstance(s, URIRef) and isinstance(p, (URIRef, Variable))


LOOKUPS = [
    "CONSTRUCT { <http://e/s> ?p ?o } WHERE { <http://e/s> ?p ?o }",
    "SELECT ?p ?o WHERE { <http://e/s> ?p ?o }",
    PREFIX + "SELECT * { ex:s a ?t . } LIMIT 5",
    PREFIX + "SELECT DISTINCT ?o { ex:s ex:p ?o } OFFSET 2 LIMIT 3",
    PREFIX + "ASK { ex:s ex:p \"hej\"@sv }",
    PREFIX + "ASK WHERE { ex:s ex:p \"1\"^^xsd:integer }",
    PREFIX + "CONSTRUCT WHERE { ex:s ?p ?o }",
    PREFIX + "CONSTRUCT { ?o ex:inverse ex:s ; a ex:T , ex:U . } WHERE { ex:s ex:p ?o }",
    "select ?o # a comment with { braces } and SERVICE\n where { <http://e/s> <http://e/p> ?o }",
]
NOT_LOOKUPS = [
    "SELECT ?p ?o WHERE { ?s ?p ?o }",  # any subject
    "SELECT ?p ?o WHERE { _:b ?p ?o }",  # a blank node is a variable
    PREFIX + "SELECT ?o WHERE { ex:s ?p ?o . ?o ?q ?r }",  # two patterns
    PREFIX + "SELECT ?o WHERE { ex:s ex:p/ex:q ?o }",  # a path
    PREFIX + "SELECT ?o WHERE { ex:s ex:p* ?o }",
    PREFIX + "SELECT ?o WHERE { ex:s ?p ?o } ORDER BY ?o",
    PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ex:s ?p ?o }",
    PREFIX + "SELECT ?o WHERE { ex:s ?p ?o FILTER(?o != 1) }",
    PREFIX + "SELECT ?o WHERE { ex:s ?p ?o OPTIONAL { ?o ?q ?r } }",
    PREFIX + "SELECT ?o WHERE { { ex:s ?p ?o } UNION { ?o ?p ex:s } }",
    PREFIX + "SELECT ?o FROM <http://e/g> WHERE { ex:s ?p ?o }",
    PREFIX + "SELECT ?o WHERE { GRAPH ?g { ex:s ?p ?o } }",
    PREFIX + "SELECT ?o WHERE { ex:s ?p ?o } VALUES ?o { 1 }",
    PREFIX + "SELECT ?o WHERE { SERVICE <http://e/x> { ex:s ?p ?o } }",
    PREFIX + "SELECT ?o WHERE { ex:s ?p [ ?q ?o ] }",
    PREFIX + "SELECT ?o WHERE { ex:s ?p ?o } LIMIT 1 LIMIT 2",
    PREFIX + "CONSTRUCT { _:b ex:p ?o } WHERE { ex:s ex:p ?o }",
    PREFIX + "DESCRIBE ex:s",
    "INSERT DATA { <http://e/s> <http://e/p> 1 }",
]


@pytest.mark.parametrize("text", LOOKUPS)
def test_lookups_are_answered_by_the_server(text: str) -> None:
    assert checks.inspect(text).one_subject
    assert one_constant_subject_pattern(text)


@pytest.mark.parametrize("text", NOT_LOOKUPS)
def test_everything_else_goes_to_a_worker(text: str) -> None:
    assert not checks.inspect(text).one_subject


SUBJECTS = ["<http://e/s>", "ex:s", "?s", "_:b", "[]"]
PREDICATES = ["?p", "ex:p", "a", "<http://e/p>", "ex:p/ex:q", "ex:p*", "^ex:p", "!ex:p"]
OBJECTS = ["?o", "ex:o", '"x"', '"x"@sv', '"1"^^xsd:integer', "1", "true", "?s", "[ ex:q ?z ]", "(1 2)"]
FORMS = ["SELECT ?p ?o", "SELECT *", "SELECT DISTINCT ?o", "SELECT REDUCED *", "ASK", "CONSTRUCT { ?o ex:q ex:s }",
         "CONSTRUCT", "SELECT (COUNT(*) AS ?n)"]
EXTRAS = ["", "", "", "FILTER(?o != 1)", "OPTIONAL { ?o ?q ?r }", "BIND(1 AS ?b)", "MINUS { ?o ?q ?r }"]
MODIFIERS = ["", "", "LIMIT 3", "OFFSET 1", "OFFSET 1 LIMIT 3", "ORDER BY ?o", "GROUP BY ?o", "LIMIT 1 OFFSET 2"]


@st.composite
def queries(draw: st.DrawFn) -> tuple[str, bool]:
    """A query text, and whether it is meant as a one-subject lookup that the check should accept."""
    form = draw(st.sampled_from(FORMS))
    triples = draw(st.lists(st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(PREDICATES),
                                      st.sampled_from(OBJECTS)), min_size=1, max_size=2))
    extra, modifier = draw(st.sampled_from(EXTRAS)), draw(st.sampled_from(MODIFIERS))
    dot = draw(st.sampled_from(["", " ."]))
    body = " . ".join(" ".join(t) for t in triples) + dot
    where = draw(st.sampled_from(["WHERE ", ""])) if form != "CONSTRUCT" else "WHERE "
    text = f"{PREFIX}{form} {where}{{ {body} {extra} }} {modifier}"
    s, p, o = triples[0]
    meant = (len(triples) == 1 and s in SUBJECTS[:2] and p in PREDICATES[:4] and o in OBJECTS[:7] and not extra
             and "COUNT" not in form and modifier in ("", "LIMIT 3", "OFFSET 1", "OFFSET 1 LIMIT 3", "LIMIT 1 OFFSET 2")
             and not (form == "CONSTRUCT" and o in OBJECTS[2:7]))  # CONSTRUCT WHERE with a literal: still fine
    return text, meant


@pytest.mark.slow  # property-based: 600 generated queries, each parsed by rdflib too
@settings(max_examples=600, deadline=None)
@given(queries())
def test_the_check_accepts_only_what_rdflib_reads_as_one_subject(case: tuple[str, bool]) -> None:
    text, meant = case
    try:
        rdflib_says = one_constant_subject_pattern(text)
    except Exception:  # noqa: BLE001 - not SPARQL (e.g. `GROUP BY` with `*`): the server must not accept it
        rdflib_says = False
    accepted = checks.inspect(text).one_subject
    if accepted:
        assert rdflib_says, text  # sound: never more than one constant-subject pattern
    if meant and rdflib_says:
        assert accepted, text  # and it knows the lookups it is for
