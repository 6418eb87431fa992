"""Reading the store for pages: SELECT and CONSTRUCT through the engine, answers as Python values.

Pages (and the VoID counts, and the remote engine's own look at its store) ask the same engine as the SPARQL endpoint (`Engine.run`), so they get its worker processes and time
limit, and work the same over any store behind it. Queries here are the server's own; any term in them
comes from a validated `pyoxigraph` term (`term(node)` gives its N-Triples form), never from request text.
No web framework here.
"""

from __future__ import annotations

import pyoxigraph as ox

from andts.server.engine import sparql

#: The most rows a page query may return. Pages page through anything larger with LIMIT/OFFSET.
PAGE_QUERY_ROWS = 20_000
#: For what is read whole once per build and kept (the comparison, the search index): bounded by the time
#: limit rather than by rows.
WHOLE_READ_ROWS = 10_000_000

Row = dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]


def term(node: ox.NamedNode | ox.Literal) -> str:
    """A term as it is written in SPARQL: pyoxigraph escapes it (N-Triples form)."""
    return str(node)


def select(engine: sparql.Engine, query: str, max_rows: int = PAGE_QUERY_ROWS) -> list[Row]:
    """The solutions of a SELECT query, each a dict of the bound variables (blank nodes included)."""
    job = sparql.Job(query=query, results_format="xml", graph_format=None, max_rows=max_rows)
    result = engine.run(job)
    parsed = ox.parse_query_results(result.body, format=ox.QueryResultsFormat.XML)
    assert isinstance(parsed, ox.QuerySolutions), "select() runs SELECT queries only"
    names = [v.value for v in parsed.variables]
    rows: list[Row] = []
    for solution in parsed:
        row: Row = {}
        for name in names:
            value = solution[name]
            if value is not None:
                row[name] = value
        rows.append(row)
    return rows


def construct(engine: sparql.Engine, query: str) -> list[ox.Triple]:
    """The triples of a CONSTRUCT query."""
    job = sparql.Job(query=query, results_format=None, graph_format="ntriples", max_rows=PAGE_QUERY_ROWS)
    result = engine.run(job)
    return list(ox.parse(result.body, format=ox.RdfFormat.N_TRIPLES))


def text(row: Row, name: str, default: str = "") -> str:
    value = row.get(name)
    return value.value if value is not None else default


def integer(row: Row, name: str, default: int = 0) -> int:
    value = row.get(name)
    try:
        return int(value.value) if value is not None else default
    except ValueError:
        return default
