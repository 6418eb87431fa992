"""`andts query`: run a named query of the catalogue (queries/) on the published store and print the answer.

Parameters are bound by `andts.catalogue` (validated into pyoxigraph terms, written into the query's
VALUES blocks); unknown names and bad values are AndtsErrors (exit 2) with a message saying what to give.
"""

from __future__ import annotations

import argparse
import sys

import pyoxigraph as ox

from andts import catalogue, paths
from andts.namespaces import BASE, PREFIXES
from andts.store import open_store

FORMATS = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV, "json": ox.QueryResultsFormat.JSON}
#: Longest cell in the table format; longer texts end in "…" (csv, tsv and json are never cut).
CELL_WIDTH = 70
#: The table shows the graph's own instances by their path under this (municipality/stockholm).
INSTANCES = BASE + "id/"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", metavar="NAME", help="the query's name (its file name without .rq); "
                   "without NAME: list the catalogue")
    p.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter value, e.g. --param municipality=stockholm (repeat for more)")
    p.add_argument("--format", choices=["table", *FORMATS], default="table",
                   help="table (readable, default), csv, tsv or json (SPARQL results formats)")


def run(args: argparse.Namespace) -> int:
    queries = catalogue.catalogue(paths.QUERIES_DIR)
    if args.name is None:
        sys.stdout.write(listing(queries))
        return 0
    query = catalogue.find(queries, args.name)
    values = catalogue.parse_assignments(args.param)
    text = query.bind(values)  # BadParameter before the store is even opened
    store = open_store(paths.store_dir(args.store))
    catalogue.check_exist(query, values, lambda ask: bool(store.query(ask, use_default_graph_as_union=True)))
    results = store.query(text, use_default_graph_as_union=True)
    out = sys.stdout
    if args.format == "table":
        out.write(table(results))
    else:
        out.flush()
        sys.stdout.buffer.write(results.serialize(format=FORMATS[args.format]))
        sys.stdout.buffer.flush()
    return 0


def listing(queries: list[catalogue.NamedQuery]) -> str:
    lines = []
    for q in queries:
        lines.append(f"{q.name}: {q.title}" + (f" / {q.titles['sv']}" if "sv" in q.titles else ""))
        for p in q.params:
            lines.append(f"    --param {p.name}=… ({p.type.name}, default {p.default}): {p.description}")
    return "\n".join(lines) + "\n"


def term_text(term: object) -> str:
    """A term for people: the graph's instances by their path (programme/x), prefixed names where a project
    prefix fits, literals by their value."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        if term.value.startswith(INSTANCES):
            return term.value[len(INSTANCES):]
        for prefix, ns in PREFIXES.items():
            local = term.value[len(ns):]
            if term.value.startswith(ns) and local and not any(c in local for c in "/#?"):
                return f"{prefix}:{local}"
        return term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _cut(text: str) -> str:
    text = " ".join(text.split())  # one line per row
    return text if len(text) <= CELL_WIDTH else text[:CELL_WIDTH - 1] + "…"


def table(results: object) -> str:
    """SELECT results as aligned columns with a header and a row count; ASK as true/false."""
    if isinstance(results, ox.QueryBoolean):
        return ("true" if bool(results) else "false") + "\n"
    assert isinstance(results, ox.QuerySolutions), "the catalogue's queries are SELECT or ASK"
    names = [v.value for v in results.variables]
    rows = [[_cut(term_text(s[v])) for v in results.variables] for s in results]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [line(names), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    out.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(out) + "\n"
