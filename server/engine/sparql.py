"""What a query job is, what an engine does with one, and how one is run.

No web framework here. `execute(store, job)` parses, evaluates and serialises one query completely (it is
what a worker process runs, see `pool.py`); `checks.check(job)` has refused what the endpoint never runs
before. All serialisation is pyoxigraph's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

import pyoxigraph as ox

from andts.server.engine.builds import Build
from andts.server.engine.checks import QueryShape, check
from andts.server.errors import MalformedQuery, NotAcceptable, QueryFailed, TooManyRows

#: Result formats for SELECT and ASK, by the short name the rest of the server uses.
RESULTS_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}

#: RDF formats for CONSTRUCT and DESCRIBE. Turtle first: the default.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}

#: Formats that can use prefixes to shorten IRIs.
_PREFIXED = {"turtle", "rdfxml"}


# --- jobs and results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One query to run, with everything needed to run it in another process."""

    query: str
    #: The protocol's default-graph-uri and named-graph-uri values. Both empty: the default graph is
    #: the union of all named graphs (unless the query names its own dataset with FROM / FROM NAMED).
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: A RESULTS_FORMATS key for SELECT and ASK, or None when the client accepts none of them.
    results_format: str | None = "json"
    #: A GRAPH_FORMATS key for CONSTRUCT and DESCRIBE, or None when the client accepts none of them.
    graph_format: str | None = "turtle"
    max_rows: int = 50_000
    base_iri: str | None = None
    prefixes: tuple[tuple[str, str], ...] = ()
    allow_service: bool = False
    #: `check(job)` done already, by the server before it sent the job: the worker need not scan it again.
    shape: QueryShape | None = None


@dataclass(frozen=True)
class Result:
    """A complete, serialised answer."""

    kind: str  # "boolean" (ASK), "solutions" (SELECT) or "graph" (CONSTRUCT, DESCRIBE)
    format: str  # the RESULTS_FORMATS or GRAPH_FORMATS key the body is in
    body: bytes
    rows: int | None = None  # solutions or triples; None for a boolean


class Engine(Protocol):
    """What the routes need from the query side: the build served, and a way to run jobs.
    The real one is pool.WorkerPool; tests may put another in its place."""

    build: Build
    since: str  # when it began serving `build` (ISO 8601, UTC)

    def run(self, job: Job) -> Result: ...

    def health(self) -> dict[str, int]: ...




def _dataset(job: Job, shape: QueryShape) -> dict[str, object]:
    """pyoxigraph's query arguments for the dataset the protocol asks for."""
    if job.default_graphs or job.named_graphs:
        # "the RDF dataset consists of exactly those graphs": no union, no named graphs not listed
        return {
            "default_graph": [ox.NamedNode(i) for i in job.default_graphs],
            "named_graphs": [ox.NamedNode(i) for i in job.named_graphs],
        }
    if shape.has_dataset_clause:
        return {}  # the query's own FROM / FROM NAMED
    return {"use_default_graph_as_union": True}


# --- running a query -------------------------------------------------------------------------


class _Overflow(Exception):
    pass


class _RowCounter:
    """A write-only binary file that keeps what pyoxigraph writes as SPARQL XML results and counts the
    <result> elements; it stops the serialisation (by raising) as soon as there are too many.
    Literal text cannot contain "<result>" in XML: '<' is always escaped."""

    TAG = b"<result>"

    def __init__(self, limit: int) -> None:
        self.limit, self.rows = limit, 0
        self.buffer = bytearray()
        self._tail = b""

    def write(self, data: bytes) -> int:
        data = bytes(data)
        # a tag split across two writes is counted once: the tail is shorter than the tag
        self.rows += (self._tail + data).count(self.TAG)
        self._tail = (self._tail + data)[-(len(self.TAG) - 1):]
        self.buffer += data
        if self.rows > self.limit:
            raise _Overflow
        return len(data)

    def flush(self) -> None:
        pass


def too_many(limit: int, what: str) -> TooManyRows:
    return TooManyRows(
        f"the result has more than {limit} {what}, the most this endpoint returns; "
        "narrow the query or add a LIMIT (and OFFSET to page through it)"
    )


def _not_acceptable(form: str, offered: dict[str, object]) -> NotAcceptable:
    return NotAcceptable(f"none of the accepted media types can carry {form} results; "
                         f"this endpoint gives them as {', '.join(offered)}")


def execute(store: ox.Store, job: Job) -> Result:
    """Parse, evaluate and serialise one query completely. Raises the server's typed errors."""
    shape = job.shape or check(job)
    try:
        results = store.query(job.query, base_iri=job.base_iri, **_dataset(job, shape))
    except SyntaxError as exc:
        raise MalformedQuery(f"the query does not parse: {exc}") from exc
    except (OSError, ValueError) as exc:
        raise QueryFailed(f"the query failed: {exc}") from exc
    return serialize(results, job)


def serialize(results: ox.QueryBoolean | ox.QuerySolutions | ox.QueryTriples | Iterable[ox.Triple], job: Job) -> Result:
    """Serialise query results in the job's format, refusing more than `job.max_rows`. The results may come
    from a local store or be parsed from a remote store's answer (remote.py)."""
    try:
        if isinstance(results, ox.QueryBoolean):
            if job.results_format is None:
                raise _not_acceptable("ASK", RESULTS_FORMATS)
            return Result("boolean", job.results_format, results.serialize(format=RESULTS_FORMATS[job.results_format]))
        if isinstance(results, ox.QuerySolutions):
            if job.results_format is None:
                raise _not_acceptable("SELECT", RESULTS_FORMATS)
            return _solutions(results, job.results_format, job.max_rows)
        if job.graph_format is None:
            raise _not_acceptable("CONSTRUCT and DESCRIBE", GRAPH_FORMATS)
        triples = list(islice(results, job.max_rows + 1))
        if len(triples) > job.max_rows:
            raise too_many(job.max_rows, "triples")
        prefixes = dict(job.prefixes) if job.graph_format in _PREFIXED and job.prefixes else None
        body = ox.serialize(triples, format=GRAPH_FORMATS[job.graph_format], prefixes=prefixes)
        return Result("graph", job.graph_format, body, len(triples))
    except OSError as exc:  # evaluation is lazy: store and SERVICE errors surface while reading results
        raise QueryFailed(f"the query failed: {exc}") from exc


def _solutions(results: ox.QuerySolutions, fmt: str, limit: int) -> Result:
    """Serialise solutions, refusing more than `limit`. They are written as XML once (counted as they
    are written, so an oversized result stops early) and converted by pyoxigraph to the format asked for."""
    counter = _RowCounter(limit)
    try:
        results.serialize(counter, format=ox.QueryResultsFormat.XML)
    except _Overflow:
        raise too_many(limit, "solutions") from None
    xml = bytes(counter.buffer)
    if fmt == "xml":
        return Result("solutions", fmt, xml, counter.rows)
    parsed = ox.parse_query_results(xml, format=ox.QueryResultsFormat.XML)
    return Result("solutions", fmt, parsed.serialize(format=RESULTS_FORMATS[fmt]), counter.rows)
