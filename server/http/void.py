"""The VoID description of the dataset served (https://www.w3.org/TR/void/), as RDF triples.

What a crawler or an analyst needs before querying: how big the dataset is (triples, entities, classes,
properties), how many entities each class has, one subset per named graph with its size, where the
SPARQL endpoint is and where the whole dataset can be downloaded. The counts are SPARQL aggregates run
like any other query (`Engine.run`), once per build: `Statistics.of(engine)` is cached by the build id
in `StatisticsCache`. No web framework here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pyoxigraph as ox

from andts import store as layout
from andts.server.engine import builds, reader, sparql
from andts.server.http.description import DCTERMS, RDF_TYPE, SD, VOID, XSD
from andts.server.http.description import PREFIXES as SD_PREFIXES

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
FOAF = "http://xmlns.com/foaf/0.1/"
PREFIXES = {**SD_PREFIXES, "rdfs": RDFS, "foaf": FOAF}

#: Where the dumps are served, by the build file they come from, with their media types.
DUMPS: dict[str, tuple[str, str]] = {
    "/dumps/dataset.trig": (layout.DUMP_TRIG, "application/trig"),
    "/dumps/dataset.nq": (layout.DUMP_NQ, "application/n-quads"),
}

TITLE = "ANDTS knowledge graph"
DESCRIPTION = ("Swedish municipal prevention programmes against alcohol, narcotics, doping, tobacco and "
               "gambling (ANDTS) as linked data: goals linked to the national strategy, activities, actors, "
               "methods, laws and substances, and findings about defects of the sources.")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
HOMEPAGE = "https://w3id.org/andts/"

#: The aggregate queries, over the union of the named graphs (the endpoint's default graph).
#: Triples are counted distinct: a triple stated in two named graphs is one triple of the dataset.
COUNTS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?entities) (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?o) AS ?objects)
WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }
"""
CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?entities)
WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class
"""
PROPERTIES = """
SELECT ?property (COUNT(*) AS ?triples)
WHERE { SELECT DISTINCT ?s ?property ?o WHERE { ?s ?property ?o } } GROUP BY ?property ORDER BY ?property
"""
GRAPHS = """
SELECT ?graph (COUNT(*) AS ?triples)
WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ORDER BY ?graph
"""


@dataclass(frozen=True)
class Statistics:
    """The counts of one build."""

    build_id: str
    triples: int
    entities: int  # distinct subjects
    properties: int
    objects: int  # distinct objects
    classes: dict[str, int]  # class IRI → entities (distinct subjects typed with it)
    property_triples: dict[str, int]  # property IRI → triples
    graphs: dict[str, int]  # named graph IRI → triples

    @classmethod
    def of(cls, engine: sparql.Engine) -> Statistics:
        """Count, by SPARQL, in the engine's workers. Raises the engine's errors (e.g. a timeout)."""
        [totals] = _select(engine, COUNTS)
        return cls(
            build_id=engine.build.info.id,
            triples=int(totals["triples"]), entities=int(totals["entities"]),
            properties=int(totals["properties"]), objects=int(totals["objects"]),
            classes={r["class"]: int(r["entities"]) for r in _select(engine, CLASSES) if "class" in r},
            property_triples={r["property"]: int(r["triples"]) for r in _select(engine, PROPERTIES)},
            graphs={r["graph"]: int(r["triples"]) for r in _select(engine, GRAPHS)},
        )


def _select(engine: sparql.Engine, query: str) -> list[dict[str, str]]:
    """The solutions of a SELECT as plain dicts of values (blank-node classes are left out)."""
    return [{k: v.value for k, v in row.items() if not isinstance(v, ox.BlankNode)}
            for row in reader.select(engine, query, max_rows=1_000_000)]


class StatisticsCache:
    """Statistics computed once per build, however many requests ask at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_build: dict[str, Statistics] = {}
        self.computed = 0  # how many times the counts were run (for tests)

    def get(self, engine: sparql.Engine) -> Statistics:
        build_id = engine.build.info.id
        with self._lock:  # one computation; others wait for it rather than run it again
            stats = self._by_build.get(build_id)
            if stats is None:
                stats = Statistics.of(engine)
                self._by_build = {build_id: stats}  # only the build served is kept
                self.computed += 1
            return stats


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))


def _v(name: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + name)


def description(void_url: str, endpoint: str, dumps: list[str], build: builds.Build,
                stats: Statistics) -> list[ox.Triple]:
    """The VoID triples. `void_url` is the URL of the description itself (the dataset is `<void_url#dataset>`,
    its parts fragments of it); `endpoint` and `dumps` are absolute URLs on the host the request came to."""
    dataset = ox.NamedNode(void_url + "#dataset")
    info = build.info
    t = [
        ox.Triple(ox.NamedNode(void_url), RDF_TYPE, _v("DatasetDescription")),
        ox.Triple(ox.NamedNode(void_url), ox.NamedNode(FOAF + "primaryTopic"), dataset),
        ox.Triple(dataset, RDF_TYPE, _v("Dataset")),
        ox.Triple(dataset, ox.NamedNode(DCTERMS + "title"), ox.Literal(TITLE, language="en")),
        ox.Triple(dataset, ox.NamedNode(DCTERMS + "description"), ox.Literal(DESCRIPTION, language="en")),
        ox.Triple(dataset, ox.NamedNode(DCTERMS + "license"), ox.NamedNode(LICENSE)),
        ox.Triple(dataset, ox.NamedNode(FOAF + "homepage"), ox.NamedNode(HOMEPAGE)),
        ox.Triple(dataset, ox.NamedNode(DCTERMS + "identifier"), ox.Literal(info.id)),
        ox.Triple(dataset, ox.NamedNode(DCTERMS + "modified"),
                  ox.Literal(info.created, datatype=ox.NamedNode(XSD + "dateTime"))),
        ox.Triple(dataset, _v("sparqlEndpoint"), ox.NamedNode(endpoint)),
        ox.Triple(dataset, _v("uriSpace"), ox.Literal(HOMEPAGE + "id/")),
        ox.Triple(dataset, _v("vocabulary"), ox.NamedNode(HOMEPAGE + "def/")),
        ox.Triple(dataset, _v("feature"), ox.NamedNode("http://www.w3.org/ns/formats/TriG")),
        ox.Triple(dataset, _v("feature"), ox.NamedNode("http://www.w3.org/ns/formats/N-Quads")),
        ox.Triple(dataset, _v("triples"), _int(stats.triples)),
        ox.Triple(dataset, _v("entities"), _int(stats.entities)),
        ox.Triple(dataset, _v("distinctSubjects"), _int(stats.entities)),
        ox.Triple(dataset, _v("distinctObjects"), _int(stats.objects)),
        ox.Triple(dataset, _v("properties"), _int(stats.properties)),
        ox.Triple(dataset, _v("classes"), _int(len(stats.classes))),
    ]
    t += [ox.Triple(dataset, _v("dataDump"), ox.NamedNode(url)) for url in dumps]
    for i, (cls, n) in enumerate(stats.classes.items()):
        part = ox.NamedNode(f"{void_url}#class-{i + 1}")
        t += [ox.Triple(dataset, _v("classPartition"), part), ox.Triple(part, _v("class"), ox.NamedNode(cls)),
              ox.Triple(part, _v("entities"), _int(n))]
    for i, (prop, n) in enumerate(stats.property_triples.items()):
        part = ox.NamedNode(f"{void_url}#property-{i + 1}")
        t += [ox.Triple(dataset, _v("propertyPartition"), part),
              ox.Triple(part, _v("property"), ox.NamedNode(prop)), ox.Triple(part, _v("triples"), _int(n))]
    for i, (graph, n) in enumerate(stats.graphs.items()):
        subset = ox.NamedNode(f"{void_url}#graph-{i + 1}")
        t += [ox.Triple(dataset, _v("subset"), subset), ox.Triple(subset, RDF_TYPE, _v("Dataset")),
              ox.Triple(subset, ox.NamedNode(SD + "name"), ox.NamedNode(graph)),
              ox.Triple(subset, _v("triples"), _int(n)),
              ox.Triple(subset, _v("sparqlEndpoint"), ox.NamedNode(endpoint))]
    return t
