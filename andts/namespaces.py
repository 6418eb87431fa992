"""The IRIs of the vocabulary contract, in one place."""

from __future__ import annotations

from rdflib import Namespace, URIRef

BASE = "https://w3id.org/andts/"
ANDTS = Namespace(BASE + "def/")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
ONTOLOGY_IRI = URIRef(BASE + "def")
ONTOLOGY_GRAPH = GRAPH["ontology"]

ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")

#: Prefixes offered to every serialiser and to the query editor. Instances (…/id/…) get no prefix: their
#: paths contain '/', which a prefixed name can only carry escaped (id:programme\/x), unreadable to people.
PREFIXES: dict[str, str] = {
    "andts": str(ANDTS),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": str(ORG),
    "schema": str(SCHEMA),
    "eli": str(ELI),
    "sh": str(SH),
}


def reference_graph(stem: str) -> URIRef:
    """The named graph of one reference data file."""
    return GRAPH[f"reference/{stem}"]
