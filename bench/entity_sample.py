"""Which entities the benchmarks look up: a seeded sample of the programmes' entities."""

from __future__ import annotations

import random

import pyoxigraph as ox

ENTITIES = """PREFIX andts: <https://w3id.org/andts/def/>
        SELECT DISTINCT ?e WHERE { VALUES ?c { andts:Activity andts:Goal andts:FocusArea andts:Actor andts:Programme
        andts:Finding andts:Municipality } ?e a ?c }"""


def entity_sample(store: ox.Store, k: int, seed: int) -> list[str]:
    """k entity IRIs of the programmes (activities, goals, focus areas, actors, programmes, findings), seeded."""
    rows = store.query(ENTITIES, use_default_graph_as_union=True)
    iris = sorted(r["e"].value for r in rows)
    return random.Random(seed).sample(iris, min(k, len(iris)))
