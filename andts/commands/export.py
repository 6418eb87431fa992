"""`andts export`: the whole published dataset, every named graph, on standard output."""

from __future__ import annotations

import argparse
import json
import sys

import pyoxigraph as ox
from rdflib import Dataset

from andts import paths
from andts.namespaces import PREFIXES
from andts.store import open_store

FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


def run(args: argparse.Namespace) -> int:
    store = open_store(paths.store_dir(args.store))
    out = sys.stdout.buffer
    if args.format in FORMATS:
        out.write(store.dump(format=FORMATS[args.format], prefixes=PREFIXES if args.format == "trig" else None))
    elif args.format == "turtle":
        # Turtle has no named graphs: the union of all of them, as the SPARQL default graph is.
        data = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        out.write(ox.serialize(data, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))
    else:  # JSON-LD with every named graph, and the context inline (never a remote one)
        ds = Dataset()
        ds.parse(data=store.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
        doc = json.loads(ds.serialize(format="json-ld", context=PREFIXES, auto_compact=True))
        out.write(json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
        out.write(b"\n")
    out.flush()
    return 0
