"""The source documents are kept unchanged and described; every metadata file is usable."""

from __future__ import annotations

import hashlib
import re

import pytest
from rdflib.namespace import RDF

from andts import paths
from andts.build import LOADERS, discover_sources
from andts.namespaces import ANDTS, ID
from andts.validation import reference_graph

SOURCES = discover_sources()


def documented_digests() -> dict[str, str]:
    text = (paths.SOURCES_DIR / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `([^`]+\.txt)` \|.*\| `([0-9a-f]{64})` \|$", text, flags=re.M))


def test_two_programmes_are_sourced():
    assert sorted(s.slug for s in SOURCES) == ["eskilstuna-andt-2019-2023", "stockholm-andts-2023-2026"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_document_is_unchanged(source):
    digests = documented_digests()
    assert source.path.name in digests, "every source document has its digest in data/sources/README.md"
    assert hashlib.sha256(source.path.read_bytes()).hexdigest() == digests[source.path.name]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_metadata_names_known_things(source):
    ref = reference_graph()
    assert source.loader in LOADERS
    assert (source.municipality, RDF.type, ANDTS.Municipality) in ref
    strategy = ID[f"national-strategy/{source.meta['programme']['strategy']}"]
    assert (strategy, RDF.type, ANDTS.NationalStrategy) in ref
    if "adopted_by" in source.meta["programme"]:
        assert (ID[source.meta["programme"]["adopted_by"]], None, None) in ref
    assert source.meta["programme"]["start"] < source.meta["programme"]["end"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.slug)
def test_errata_are_well_formed_and_occur_in_the_document(source):
    text = source.path.read_text(encoding="utf-8")
    for erratum in source.meta.get("errata", []):
        assert {"text", "message"} <= set(erratum), erratum
        assert erratum["text"] in text, f"erratum {erratum['text']!r} does not occur in {source.path.name}"
