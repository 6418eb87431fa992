"""The query mix of bench/national.py: point lookups of random entities, and every query of queries/."""

from __future__ import annotations

from dataclasses import dataclass

from andts import paths
from andts.catalogue import catalogue


@dataclass
class Case:
    name: str
    texts: list[str]  # request i sends texts[i % len(texts)]
    graph: bool = False  # CONSTRUCT (N-Triples) rather than SELECT (JSON)
    lookup: bool = False


def the_mix(iris: list[str]) -> list[Case]:
    """Two lookups (a different entity of `iris` each request), then the catalogue as its files stand."""
    cases = [Case("lookup: CONSTRUCT one entity", [f"CONSTRUCT {{ <{i}> ?p ?o }} WHERE {{ <{i}> ?p ?o }}" for i in iris],
                  graph=True, lookup=True),
             Case("lookup: SELECT one entity's triples", [f"SELECT ?p ?o WHERE {{ <{i}> ?p ?o }}" for i in iris],
                  lookup=True)]
    cases += [Case(q.name, [q.text]) for q in catalogue(paths.QUERIES_DIR)]
    return cases
