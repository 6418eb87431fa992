"""The ontology file: parses, documents itself, labels and defines every term, covers the contract."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

import andts
from andts import paths
from andts.namespaces import ANDTS, ONTOLOGY_IRI

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def terms(g: Graph) -> list[URIRef]:
    found = {s for t in TERM_TYPES for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)}
    return sorted(s for s in found if str(s).startswith(str(ANDTS)))


def langs(g: Graph, s: URIRef, p: URIRef) -> set[str]:
    return {o.language for o in g.objects(s, p) if isinstance(o, Literal) and o.language}


def contract_terms() -> set[str]:
    """andts: names in the tables of the vocabulary contract (first column of the class and property tables)."""
    text = (paths.ROOT / "ontology" / "CONTRACT.md").read_text(encoding="utf-8")
    names: set[str] = set()
    section = None
    for line in text.splitlines():
        if line.startswith("## "):
            section = line
        if section and ("Classes" in section or "Properties" in section) and line.startswith("| `"):
            cell = line.split("|")[1]
            for name in re.findall(r"`([A-Za-z:]+)`", cell):
                if ":" not in name:
                    names.add(name)
    return names


def test_contract_lists_the_expected_number_of_terms():
    # guards the parser above: 15 class names (NationalStrategy and NationalGoal share a row; OverarchingGoal
    # is named in Goal's row and checked by test_contract_subclasses) and 21 properties
    names = contract_terms()
    assert {"Municipality", "Finding", "NationalGoal", "responsibleText", "about", "sourceLine"} <= names
    assert len(names) == 36


def test_every_contract_term_is_defined(ontology: Graph):
    defined = {str(t)[len(str(ANDTS)):] for t in terms(ontology)}
    missing = sorted(contract_terms() - defined)
    assert missing == [], f"contract terms missing from the ontology: {missing}"


def test_ontology_metadata(ontology: Graph):
    o = ONTOLOGY_IRI
    assert (o, RDF.type, OWL.Ontology) in ontology
    assert langs(ontology, o, DCTERMS.title) == {"sv", "en"}
    assert langs(ontology, o, DCTERMS.description) == {"sv", "en"}
    assert ontology.value(o, DCTERMS.license) is not None
    assert ontology.value(o, DCTERMS.creator) is not None
    assert str(ontology.value(o, OWL.versionInfo)) == andts.__version__, "the ontology version follows the package version"


def test_every_term_is_labelled_in_swedish_and_english(ontology: Graph):
    offenders = [t for t in terms(ontology) if langs(ontology, t, RDFS.label) != {"sv", "en"}]
    assert offenders == []


def test_every_term_has_one_label_per_language(ontology: Graph):
    offenders = [t for t in terms(ontology) if len(list(ontology.objects(t, RDFS.label))) != 2]
    assert offenders == []


def test_every_term_is_defined_in_english(ontology: Graph):
    offenders = [t for t in terms(ontology) if "en" not in langs(ontology, t, SKOS.definition)]
    assert offenders == []


def test_every_property_has_domain_and_range(ontology: Graph):
    props = [t for t in terms(ontology) if (t, RDF.type, OWL.Class) not in ontology]
    offenders = [p for p in props if ontology.value(p, RDFS.domain) is None or ontology.value(p, RDFS.range) is None]
    assert props and offenders == []


def test_every_class_but_the_roots_has_a_superclass(ontology: Graph):
    classes = [t for t in terms(ontology) if (t, RDF.type, OWL.Class) in ontology]
    offenders = [c for c in classes if ontology.value(c, RDFS.subClassOf) is None]
    assert offenders == []


def test_actors_are_w3c_org_organisations(ontology: Graph):
    org = URIRef("http://www.w3.org/ns/org#Organization")
    assert (ANDTS.Actor, RDFS.subClassOf, org) in ontology
    assert (ANDTS.Municipality, RDFS.subClassOf, org) in ontology


@pytest.mark.parametrize("sub,sup", [
    (ANDTS.OverarchingGoal, ANDTS.Goal),
    (ANDTS.NationalOverarchingGoal, ANDTS.NationalGoal),
    (ANDTS.ActorGroup, ANDTS.Actor),
])
def test_contract_subclasses(ontology: Graph, sub: URIRef, sup: URIRef):
    assert (sub, RDFS.subClassOf, sup) in ontology


@pytest.mark.parametrize("sub", [ANDTS.coordinator, ANDTS.initiator, ANDTS.participant, ANDTS.supervisor])
def test_roles_are_kinds_of_responsibility(ontology: Graph, sub: URIRef):
    assert (sub, RDFS.subPropertyOf, ANDTS.responsible) in ontology


def test_no_blank_node_subjects_but_class_expressions(ontology: Graph):
    """Blank nodes may only be the owl:unionOf domains, never terms."""
    from rdflib import BNode
    offenders = {s for s in ontology.subjects() if isinstance(s, BNode) and (s, OWL.unionOf, None) not in ontology
                 and (s, RDF.first, None) not in ontology}
    assert offenders == set()
