"""Session fixtures shared by every folder of tests. Graph fixtures and the build are session-scoped because
parsing and building are the slow parts, and they are read-only: no test changes them.

Helpers that test modules import live in tests/support/; conftest.py files hold fixtures only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from andts import paths
from andts.build import Built
from andts.loaders.common import LoadResult


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return Graph().parse(paths.ONTOLOGY, format="turtle")


@dataclass(frozen=True)
class RealBuild:
    """The project's own sources (data/sources) built once, as `andts build` publishes them."""

    store: Path  #: the store link, as `--store` or ANDTS_STORE name it
    built: Built  #: what build() returned: build.json's info, the loads (without their graphs), the warnings
    loads: list[LoadResult]  #: each source loaded again in this process, with its graph (loaders are pure)

    @property
    def graphs(self) -> dict[URIRef, Graph]:
        """Each programme graph as its loader made it, by graph IRI."""
        return {load.source.graph: load.graph for load in self.loads}


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> RealBuild:
    """One build of data/sources for the whole session: the store (the server, `andts query`, `andts validate`
    and the catalogue read it), and the programme graphs the loaders made. Read-only: a test that changes a
    build or tests the build itself makes its own."""
    from andts.build import build, discover_sources, reference_graphs, reference_union, run_loader

    store = tmp_path_factory.mktemp("real-build") / "store"
    built = build(store)
    # the build loads and validates in forked processes, which keep the graphs: the loads are made again here
    reference = reference_union(reference_graphs())
    loads = [run_loader(source, reference) for source in discover_sources()]
    assert [load.source.graph for load in loads] == [load.source.graph for load in built.loads]
    return RealBuild(store=store, built=built, loads=loads)
