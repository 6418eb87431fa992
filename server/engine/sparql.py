"""SPARQL over the published store: which build is served, what a query job is, and how one is run.

No web framework here. `execute(store, job)` parses, evaluates and serialises one query completely (it is
what a worker process runs, see `pool.py`); `check(job)` refuses what the endpoint never runs (updates,
SERVICE) from the query text alone, before any worker is involved. All serialisation is pyoxigraph's.
"""

from __future__ import annotations

import re
import time
from contextvars import ContextVar
from dataclasses import dataclass
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from andts import store as layout
from andts.errors import StoreError
from andts.server.errors import (
    BadRequest,
    MalformedQuery,
    NotAcceptable,
    QueryFailed,
    QueryTooComplex,
    ServiceRefused,
    TooManyRows,
    UpdateRefused,
)

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


# --- time spent in queries, per request ------------------------------------------------------------

#: Seconds spent running queries for the current request (edge.py logs it). A one-item list, shared with
#: the thread a route runs in: that thread gets a copy of the context, whose value is this same list.
query_clock: ContextVar[list[float] | None] = ContextVar("query_clock", default=None)


def start_query_clock() -> list[float]:
    spent = [0.0]
    query_clock.set(spent)
    return spent


def clock_query(started: float) -> None:
    """Add the time since `started` (time.perf_counter()) to the current request's query time."""
    spent = query_clock.get()
    if spent is not None:
        spent[0] += time.perf_counter() - started


# --- the build being served ---------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    """One published build, pinned: the server keeps serving it even if the store link moves on.
    `folder` is None when the data is in a remote store (remote.py): there are no local files then."""

    folder: Path | None
    info: layout.BuildInfo

    @property
    def oxigraph_dir(self) -> Path:
        assert self.folder is not None, "a remote store has no local folder"
        return self.folder / layout.OXIGRAPH_DIR


def locate_build(store: Path) -> Build:
    """The build the store link points to now. Raises StoreError when there is none or it is unreadable."""
    store = Path(store)
    for _ in range(3):  # the link may move between the two reads; then read again
        folder = layout.current_build_dir(store)
        info = layout.read_build_info(store)
        if folder is not None and layout.current_build_dir(store) == folder:
            if not (folder / layout.OXIGRAPH_DIR).is_dir():
                raise StoreError(f"the build at {folder} has no {layout.OXIGRAPH_DIR}/ store")
            return Build(folder=folder, info=info)
    raise StoreError(f"the store at {store} keeps changing; try again when 'andts build' has finished")


def open_build(build: Build, in_memory: bool = False) -> ox.Store:
    """The build's pyoxigraph store: read-only on disk, or an in-memory copy loaded from its dump.nq."""
    if in_memory:
        return _load_in_memory(build)
    try:
        return ox.Store.read_only(str(build.oxigraph_dir))
    except (OSError, RuntimeError, ValueError) as exc:  # RocksDB reports corruption as RuntimeError
        raise StoreError(f"cannot open the store at {build.oxigraph_dir}: {exc}") from exc


def _load_in_memory(build: Build) -> ox.Store:
    assert build.folder is not None, "a remote store has no local dump"
    dump = build.folder / layout.DUMP_NQ
    store = ox.Store()  # in memory: no files, nothing to lock
    try:
        store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    except (OSError, SyntaxError, ValueError) as exc:
        raise StoreError(f"cannot load the build's dump {dump} into memory: {exc}") from exc
    return store


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


# --- what the query text says, before parsing --------------------------------------------------

_STRING = (
    r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
    r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
)
_TOKEN = re.compile(
    rf"(?P<string>{_STRING})"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r"|(?P<comment>#[^\n\r]*)"
    r"|(?P<var>[?$]\w+)"
    r"|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)"
    r"|(?P<name>[\w:](?:[\w.:%\\-]*[\w:%-])?)"
    r"|(?P<other>.)",
    re.DOTALL,
)
_KEYWORD = re.compile(r"[A-Za-z]+")

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


@dataclass(frozen=True)
class QueryShape:
    """What the query text shows without parsing it: its form and the keywords the server cares about."""

    form: str | None  # SELECT, CONSTRUCT, DESCRIBE, ASK, an update keyword, or None
    uses_service: bool
    has_dataset_clause: bool  # FROM or FROM NAMED
    has_base: bool = False  # a BASE declaration
    depth: int = 0  # the deepest nesting of brackets
    operators: int = 0  # path and expression operators, UNION, OPTIONAL and MINUS
    #: One triple pattern whose subject is an IRI (`_one_subject`): its cost is bounded by that subject's triples.
    one_subject: bool = False

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_KEYWORDS

    @property
    def kind(self) -> str | None:
        """The Result.kind the query will give, when the form is known."""
        return {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}.get(self.form or "")


#: How deeply brackets may nest, and how many operators (path and expression operators, UNION, OPTIONAL,
#: MINUS) a query may have. pyoxigraph's parser recurses on both and overflows its stack, killing the
#: process, a little beyond: 5,000 nested groups, 1,000 path steps, 20,000 `+` terms (bench/load.py).
MAX_DEPTH = 128
MAX_OPERATORS = 400
_OPEN, _CLOSE = "({[", ")}]"
_OPERATORS = set("/|^*+!&")
_NESTING_KEYWORDS = {"UNION", "OPTIONAL", "MINUS"}


def keywords(text: str) -> list[str]:
    """The bare words of a query, upper-cased, outside strings, IRIs and comments; no variables or
    prefixed names (`ex:SERVICE`, `?service` and "SERVICE" are not the keyword SERVICE)."""
    return _scan(text)[0]


#: A query of more tokens than this is never a one-subject lookup (`_one_subject` is not asked).
_LOOKUP_TOKENS = 64


def _scan(text: str) -> tuple[list[str], int, int, list[tuple[str, str]] | None]:
    """The keywords, the deepest bracket nesting, the number of operators, and the tokens but for space and
    comments (keywords upper-cased; None past _LOOKUP_TOKENS), in one pass."""
    words: list[str] = []
    tokens: list[tuple[str, str]] | None = []
    depth = deepest = operators = 0
    for m in _TOKEN.finditer(text):
        kind, token = m.lastgroup, m.group()
        if kind == "name" and _KEYWORD.fullmatch(token):
            word = token = token.upper()
            kind = "keyword"
            words.append(word)
            operators += word in _NESTING_KEYWORDS
        elif kind == "other":
            if token.isspace():
                continue
            if token in _OPEN:
                depth += 1
                deepest = max(deepest, depth)
            elif token in _CLOSE:
                depth -= 1
            elif token in _OPERATORS:
                operators += 1
        elif kind == "comment":
            continue
        if tokens is not None:
            tokens.append((kind or "", token))
            if len(tokens) > _LOOKUP_TOKENS:
                tokens = None
    return words, deepest, operators, tokens


def inspect(text: str) -> QueryShape:
    words, depth, operators, tokens = _scan(text)
    form = next((w for w in words if w not in ("BASE", "PREFIX")), None)
    if form not in QUERY_FORMS and form not in UPDATE_KEYWORDS:
        form = None
    return QueryShape(form=form, uses_service="SERVICE" in words, has_dataset_clause="FROM" in words,
                      has_base="BASE" in words, depth=depth, operators=operators,
                      one_subject=tokens is not None and _one_subject(tokens))


def _one_subject(tokens: list[tuple[str, str]]) -> bool:
    """Whether the tokens are a query whose pattern is one triple with an IRI as subject, and nothing else:

        (PREFIX p: <iri> | BASE <iri>)*
        ( SELECT [DISTINCT | REDUCED] (?v … | *) [WHERE] P | ASK [WHERE] P
        | CONSTRUCT { template } [WHERE] P | CONSTRUCT WHERE P )
        [LIMIT n] [OFFSET n] (either order)        where P = { subject predicate object [.] }

    The subject is an IRI or a prefixed name (not a variable, nor a blank node, which would match anything);
    the predicate an IRI, a prefixed name, `a` or a variable; the object a variable, an IRI, a prefixed name
    or a literal; a template has terms and `. ; ,` only. Such a query reads one subject's triples and cannot
    run long: the server answers it itself (pool.WorkerPool) instead of sending it to a worker. A query this
    does not recognise is answered as every query is; the check must never say yes to more."""
    t, i, n = tokens, 0, len(tokens)

    def at(*wanted: str) -> bool:
        return i < n and (t[i][1] in wanted)

    def kind(*kinds: str) -> bool:
        return i < n and t[i][0] in kinds

    def take(*wanted: str) -> bool:
        """Step over the next token if it is one of `wanted`."""
        nonlocal i
        if at(*wanted):
            i += 1
            return True
        return False

    def term(ok: bool) -> bool:
        """Step over the next token if `ok` (said of it)."""
        nonlocal i
        i += ok
        return ok

    def iri_or_prefixed() -> bool:
        return kind("iri") or (kind("name") and ":" in t[i][1] and not t[i][1].startswith("_:"))

    def object_term() -> bool:
        nonlocal i
        if not term(kind("string")):
            return term(kind("var") or iri_or_prefixed() or (kind("name") and t[i][1].isdigit())
                        or at("TRUE", "FALSE"))
        if term(kind("lang")) or not (at("^") and i + 1 < n and t[i + 1][1] == "^"):
            return True
        i += 2  # ^^
        return term(iri_or_prefixed())  # the datatype

    def group() -> bool:
        return (take("{") and term(iri_or_prefixed())  # the subject
                and term(iri_or_prefixed() or kind("var") or at("A"))  # `a` is upper-cased as a keyword
                and object_term() and (take(".") or True) and take("}"))

    while at("PREFIX", "BASE"):
        if take("PREFIX"):
            if not (term(kind("name") and t[i][1].endswith(":")) and term(kind("iri"))):
                return False
        elif not (take("BASE") and term(kind("iri"))):
            return False
    if take("SELECT"):
        take("DISTINCT", "REDUCED")
        if not take("*"):
            if not kind("var"):
                return False
            while term(kind("var")):
                pass
    elif take("CONSTRUCT"):
        if take("{"):
            while (kind("iri", "var", "string", "lang") or (kind("name") and not t[i][1].startswith("_:"))
                   or at(".", ";", ",", "^", "A", "TRUE", "FALSE")):
                i += 1
            if not take("}"):
                return False
        elif not at("WHERE"):  # the short form, CONSTRUCT WHERE { … }
            return False
    elif not take("ASK"):
        return False
    take("WHERE")
    if not group():
        return False
    seen: set[str] = set()
    while at("LIMIT", "OFFSET") and t[i][1] not in seen:  # each at most once, in either order
        seen.add(t[i][1])
        i += 1
        if not term(kind("name") and t[i][1].isdigit()):
            return False
    return i == n


def check(job: Job) -> QueryShape:
    """Refuse what the endpoint never runs. Cheap: reads the text only."""
    if not job.query.strip():
        raise BadRequest("the query is empty")
    shape = inspect(job.query)
    if shape.is_update:
        raise UpdateRefused(
            f"this endpoint is read-only: SPARQL Update ({shape.form} …) is not accepted. "
            "Send a SELECT, ASK, CONSTRUCT or DESCRIBE query."
        )
    if shape.uses_service and not job.allow_service:
        raise ServiceRefused("federated queries (SERVICE) are not allowed on this endpoint")
    if shape.depth > MAX_DEPTH:
        raise QueryTooComplex(f"the query nests brackets {shape.depth} levels deep; this endpoint allows at most "
                              f"{MAX_DEPTH}")
    if shape.operators > MAX_OPERATORS:
        raise QueryTooComplex(f"the query has {shape.operators} operators (path steps, expression operators, UNION, "
                              f"OPTIONAL, MINUS); this endpoint allows at most {MAX_OPERATORS}")
    for iri in (*job.default_graphs, *job.named_graphs):
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise BadRequest(f"graph IRI {iri!r} is not a valid IRI: {exc}") from exc
    return shape


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
