"""Shared fixtures. Graph fixtures are session-scoped because parsing is the slow part, and read-only."""

from __future__ import annotations

import pytest
from rdflib import Graph

from andts import paths


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return Graph().parse(paths.ONTOLOGY, format="turtle")
