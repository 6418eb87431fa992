"""rdflib-endpoint over a dump, for bench/national.py: the nearest Python peer of our server.

    .venv/bin/python bench/rdflib_server.py DUMP.nq --port 8010

The dump is parsed into an rdflib Dataset whose default graph is the union of the named graphs (as ours
and Oxigraph's `--union-default-graph`), served by rdflib-endpoint's SparqlEndpoint at /sparql under uvicorn.
"""

from __future__ import annotations

import argparse
import sys

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dump", help="an N-Quads or TriG dump")
    ap.add_argument("--port", type=int, default=8010)
    args = ap.parse_args()
    ds = Dataset(default_union=True)
    ds.parse(args.dump, format="nquads" if args.dump.endswith(".nq") else "trig")
    app = SparqlEndpoint(graph=ds, path="/sparql", cors_enabled=False)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
