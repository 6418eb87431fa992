"""JSON-LD with an inline `@context`: compact, readable, and usable offline.

pyoxigraph writes expanded JSON-LD (full IRIs, no context); rdflib's JSON-LD serialiser compacts against a
context we give it, so that is what serialises here. The context is the project's prefixes, inline: a
remote context would make every consumer fetch it (and fail offline). No web framework here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph


def context(prefixes: dict[str, str]) -> dict[str, str]:
    return dict(sorted(prefixes.items()))


def compact(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> str:
    """The triples as compact JSON-LD with the prefixes as inline context."""
    graph = Graph()
    data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
    if data:
        graph.parse(data=data.decode("utf-8"), format="nt")
    return graph.serialize(format="json-ld", context=context(prefixes), auto_compact=True)


def for_script(document: str) -> str:
    """JSON-LD to embed in <script type="application/ld+json">: the same JSON with '<', '>' and '&' escaped
    as \\u00XX, so no text from the data can close the element or open a comment."""
    value = json.loads(document)
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
