"""A remote SPARQL 1.1 store as the server's engine: the same endpoint, pages and catalogue over Oxigraph
server, Fuseki, GraphDB, Virtuoso, QLever … instead of the embedded store (`andts serve --store-url URL`).

`RemoteEngine` has the interface of the worker pool (`sparql.Engine`): `build`, `run(job)`, `health()`,
`close()`, and `dump(fmt)` for the dumps. Each job is checked as for the embedded store (updates and
SERVICE refused from the text), sent to the store's query URL as a form POST, asked for SPARQL XML results
or N-Triples, and answered by parsing that and serialising it with pyoxigraph exactly as the embedded
store's answers are (`sparql.serialize`): the same formats, prefixes and row limit. The HTTP client's time
limit is the query timeout (503, as for the embedded store).

Where neither the request nor the query names a dataset, the default graph must be the union of the named
graphs, as on the embedded store: the engine asks Oxigraph for it with its `union-default-graph` parameter;
other stores must be configured so (Fuseki: `tdb2:unionDefaultGraph true`; Virtuoso does by default). What the
server would read from a build folder is read from the store when the engine starts: the named graphs and
their sizes; the build id is a digest of them, so ETags change when the data changes (after a restart).
No web framework here.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from andts import __version__
from andts import store as layout
from andts.errors import StoreError
from andts.server.engine import builds, checks, clock, reader, sparql
from andts.server.errors import MalformedQuery, QueryFailed, QueryTimeout

XML_RESULTS = "application/sparql-results+xml"
N_TRIPLES = "application/n-triples"

#: Oxigraph server's parameter for "the default graph is the union of the named graphs", sent when neither
#: the protocol nor the query names a dataset (as the embedded store does); other stores ignore it and must
#: be configured to do the same.
UNION_PARAMETER = "union-default-graph"

GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
#: The most quads a dump read from the remote store may hold (it is built in memory).
DUMP_MAX = 20_000_000
ALL_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


class RemoteEngine:
    def __init__(self, url: str, timeout: float = 5.0, connect_timeout: float = 10.0) -> None:
        if not url.lower().startswith(("http://", "https://")):
            raise StoreError(f"the store URL must be an http(s) URL of a SPARQL query endpoint, not {url!r}")
        self.url = url
        self.timeout = timeout
        self.http = httpx.Client(timeout=httpx.Timeout(timeout, connect=connect_timeout))
        self.build = builds.Build(folder=None, info=self._info())
        self.since = datetime.now(timezone.utc).isoformat(timespec="seconds")

    def _info(self) -> layout.BuildInfo:
        """The store's graphs and sizes; StoreError when it cannot be reached or does not answer SPARQL."""
        try:
            rows = reader.select(self, GRAPH_SIZES, max_rows=1_000_000)
        except (QueryFailed, QueryTimeout, MalformedQuery) as exc:
            raise StoreError(f"the store at {self.url} does not answer SPARQL queries: {exc}") from None
        graphs = {r["g"].value: int(r["n"].value) for r in rows if isinstance(r.get("g"), ox.NamedNode)}
        digest = hashlib.sha256(json.dumps(sorted(graphs.items())).encode()).hexdigest()[:16]
        # no build time is known: pages and answers carry an ETag but no Last-Modified
        return layout.BuildInfo(id=f"remote-{digest}", created="", triples=sum(graphs.values()), graphs=graphs,
                                sources={}, version=__version__)

    # --- the engine interface -----------------------------------------------------------------------

    def run(self, job: sparql.Job) -> sparql.Result:
        started = time.perf_counter()
        try:
            return self._run(job)
        finally:
            clock.clock_query(started)

    def _run(self, job: sparql.Job) -> sparql.Result:
        shape = checks.check(job)
        # parsed here first, so that a malformed query gets the same message (line and column) as on the
        # embedded store; parsing an unevaluated query over an empty store costs nothing
        try:
            ox.Store().query(job.query, base_iri=job.base_iri)
        except SyntaxError as exc:
            raise MalformedQuery(f"the query does not parse: {exc}") from None
        except (OSError, ValueError):
            pass  # a valid query that the empty store cannot start: the remote store answers for it
        text = job.query
        if job.base_iri and not shape.has_base:
            text = f"BASE <{job.base_iri}>\n{text}"  # relative IRIs resolve against our base, as locally
        params = [("query", text), *(("default-graph-uri", g) for g in job.default_graphs),
                  *(("named-graph-uri", g) for g in job.named_graphs)]
        if not (job.default_graphs or job.named_graphs or shape.has_dataset_clause):
            params.append((UNION_PARAMETER, ""))
        accept = {"solutions": XML_RESULTS, "boolean": XML_RESULTS, "graph": N_TRIPLES}.get(
            shape.kind or "", f"{XML_RESULTS}, {N_TRIPLES};q=0.9")
        body, media_type = self._post(params, accept)
        return _serialize_here(body, media_type, job)

    def health(self) -> dict[str, int]:
        try:
            self._post([("query", "ASK {}")], XML_RESULTS)
            alive = 1
        except (StoreError, QueryFailed, QueryTimeout, MalformedQuery):
            alive = 0
        return {"size": 1, "alive": alive, "ready": alive, "busy": 0, "remote": 1}

    def close(self) -> None:
        self.http.close()

    def dump(self, fmt: ox.RdfFormat) -> bytes:
        """The whole dataset (every named graph) in `fmt` (TriG or N-Quads), read from the store."""
        rows = reader.select(self, ALL_QUADS, max_rows=DUMP_MAX)
        quads = [ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows]
        return ox.serialize(quads, format=fmt)

    # --- HTTP -------------------------------------------------------------------------------------------

    def _post(self, params: list[tuple[str, str]], accept: str) -> tuple[bytes, str]:
        try:
            r = self.http.post(self.url, content=urlencode(params).encode("ascii"),
                               headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        except httpx.TimeoutException:
            raise QueryTimeout(f"the query took longer than {self.timeout:g} s, this endpoint's limit") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the store at {self.url}: {exc}") from None
        media_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
        if r.status_code == 400:
            raise MalformedQuery(f"the store refused the query: {r.text.strip()[:2000]}")
        if r.status_code >= 400:
            raise QueryFailed(f"the store answered {r.status_code}: {r.text.strip()[:2000]}")
        return r.content, media_type


def _serialize_here(body: bytes, media_type: str, job: sparql.Job) -> sparql.Result:
    """Parse the store's answer and serialise it for the client. The row limit is checked on the answer's
    bytes first (in SPARQL XML, "<result>" can only be a result element: '<' in text is escaped), so that no
    pyoxigraph result object is ever left in an exception: they must be dropped on the thread that made them."""
    if media_type == N_TRIPLES or media_type in ("text/plain", "text/turtle"):
        fmt = ox.RdfFormat.N_TRIPLES if media_type != "text/turtle" else ox.RdfFormat.TURTLE
        triples = list(ox.parse(body, format=fmt))
        if len(triples) > job.max_rows:
            raise sparql.too_many(job.max_rows, "triples")
        return sparql.serialize(triples, job)
    if body.count(b"<result>") > job.max_rows:
        raise sparql.too_many(job.max_rows, "solutions")
    try:
        results = ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)
    except (SyntaxError, ValueError) as exc:
        raise QueryFailed(f"the store's answer could not be read ({media_type}): {exc}") from None
    return sparql.serialize(results, job)
