"""Pushing a build into a remote store with the SPARQL 1.1 Graph Store HTTP Protocol, so that a
deployment can serve the graph from a clustered store (`andts build --push URL`, `andts serve --store-url`).

Each named graph of the build is sent with `PUT {url}?graph=<name>` as N-Triples: the protocol's PUT
replaces the graph's content as one operation, so the store never shows a graph half old and half new.
Connection errors and 5xx answers are retried with a growing pause; a refusal (4xx) stops at once with the
store's message. No web framework here.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox

from andts.errors import AndtsError

N_TRIPLES = "application/n-triples"


class PushFailed(AndtsError):
    """The remote store refused a graph, or could not be reached after retries."""


def graphs_of(dump: Path) -> dict[str, list[ox.Triple]]:
    """The build's named graphs (from its N-Quads dump), each as its triples."""
    graphs: dict[str, list[ox.Triple]] = defaultdict(list)
    for q in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS):
        if isinstance(q.graph_name, ox.NamedNode):
            graphs[q.graph_name.value].append(ox.Triple(q.subject, q.predicate, q.object))
    return dict(graphs)


def push(dump: Path, url: str, *, retries: int = 3, pause: float = 0.5, timeout: float = 120.0,
         progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Replace every named graph of `dump` in the store whose Graph Store Protocol endpoint is `url`.
    Returns graph → triples sent. Raises PushFailed."""
    if not url.lower().startswith(("http://", "https://")):
        raise PushFailed(f"the Graph Store Protocol endpoint must be an http(s) URL, not {url!r}")
    graphs = graphs_of(dump)
    sent: dict[str, int] = {}
    with httpx.Client(timeout=timeout) as http:
        for i, (graph, triples) in enumerate(sorted(graphs.items()), 1):
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            _put(http, url, graph, body, retries, pause)
            sent[graph] = len(triples)
            if progress:
                progress(f"pushed {i}/{len(graphs)}: {graph} ({len(triples)} triples)")
    return sent


def _put(http: httpx.Client, url: str, graph: str, body: bytes, retries: int, pause: float) -> None:
    last = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(pause * 2 ** (attempt - 1))
        try:
            r = http.put(url, params={"graph": graph}, content=body, headers={"Content-Type": N_TRIPLES})
        except httpx.HTTPError as exc:
            last = f"cannot reach {url}: {exc}"
            continue
        if r.status_code < 300:
            return
        if r.status_code < 500:
            raise PushFailed(f"the store refused graph <{graph}> with {r.status_code}: {r.text.strip()[:1000]}")
        last = f"the store answered {r.status_code} for graph <{graph}>: {r.text.strip()[:1000]}"
    raise PushFailed(f"{last} (gave up after {retries + 1} attempts)")
