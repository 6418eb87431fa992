"""The SPARQL 1.1 Service Description of the endpoint, as RDF triples (serialised by pyoxigraph).

https://www.w3.org/TR/sparql11-service-description/ — what a machine needs to use the endpoint: where it
is, the language, the result formats, that the default graph is the union of the named graphs, and the
dataset with its named graphs and their sizes.
"""

from __future__ import annotations

import pyoxigraph as ox

from andts.server.engine.builds import Build
from andts.server.engine.sparql import GRAPH_FORMATS, RESULTS_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

FORMATS = "http://www.w3.org/ns/formats/"
PREFIXES = {"sd": SD, "void": VOID, "dcterms": DCTERMS, "formats": FORMATS, "xsd": XSD}

#: The W3C format IRIs (https://www.w3.org/ns/formats/) of every format the endpoint answers in.
FORMAT_IRIS: dict[str, str] = {
    "json": FORMATS + "SPARQL_Results_JSON",
    "xml": FORMATS + "SPARQL_Results_XML",
    "csv": FORMATS + "SPARQL_Results_CSV",
    "tsv": FORMATS + "SPARQL_Results_TSV",
    "turtle": FORMATS + "Turtle",
    "ntriples": FORMATS + "N-Triples",
    "rdfxml": FORMATS + "RDF_XML",
    "jsonld": FORMATS + "JSON-LD",
}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def service_description(endpoint: str, build: Build, allow_service: bool = False,
                        void_url: str | None = None) -> list[ox.Triple]:
    """The description of the endpoint reached at `endpoint` (the URL the request came to); `void_url`,
    when given, is the VoID description of the dataset (linked with rdfs:seeAlso)."""
    service = ox.BlankNode("service")
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("defaultGraph")
    info = build.info
    t = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
    ]
    if allow_service:
        t.append(ox.Triple(service, _sd("feature"), _sd("BasicFederatedQuery")))
    for key in (*RESULTS_FORMATS, *GRAPH_FORMATS):
        t.append(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMAT_IRIS[key])))
    t += [
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, ox.NamedNode(DCTERMS + "identifier"), ox.Literal(info.id)),
        ox.Triple(dataset, ox.NamedNode(DCTERMS + "modified"),
                  ox.Literal(info.created, datatype=ox.NamedNode(XSD + "dateTime"))),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(default_graph, ox.NamedNode(VOID + "triples"), ox.Literal(str(info.triples), datatype=ox.NamedNode(XSD + "integer"))),
    ]
    if void_url is not None:
        t.append(ox.Triple(dataset, ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
                           ox.NamedNode(void_url)))
    for i, (name, count) in enumerate(sorted(info.graphs.items())):
        named, graph = ox.BlankNode(f"namedGraph{i}"), ox.BlankNode(f"graph{i}")
        t += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(name)),
            ox.Triple(named, _sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, _sd("Graph")),
            ox.Triple(graph, ox.NamedNode(VOID + "triples"), ox.Literal(str(count), datatype=ox.NamedNode(XSD + "integer"))),
        ]
    return t
