"""`andts validate`: SHACL reports for people (grouped text) and machines (Turtle, JSON).

Without files it validates the published build (the store link: --store, else
$ANDTS_STORE, else var/store), read from the build's N-Quads dump, each programme graph with the build's
own reference data, as `andts build` did. With files it validates those, each programme graph (and the
default graph) with the project's reference data, unless the files bring their own reference graphs.

Exit 0: conforms (warnings allowed); 1: violations; 2: could not validate (no such file, a file that
does not parse: the parser's line and message on stderr; no built store).
"""

from __future__ import annotations

import argparse
import os
import json
import sys
from pathlib import Path

from rdflib import Graph, URIRef

from andts import paths, store
from andts.errors import StoreError
from andts.validation import as_json, as_text, format_of, parse_rdf, read_files, validate_dataset


def load_built(store_path: Path) -> dict[URIRef | None, Graph]:
    """The published build's dataset (its N-Quads dump), graph by graph."""
    folder = store.current_build_dir(store_path)
    if folder is None:
        raise StoreError(f"no built store at {store_path}: run 'andts build' first, or name the files to validate")
    dump = folder / store.DUMP_NQ
    if not dump.is_file():
        raise StoreError(f"the build at {folder} has no dump.nq")
    return parse_rdf(dump.read_bytes(), format_of(dump.name), str(dump))


def run(args: argparse.Namespace) -> int:
    if args.files:
        graphs = read_files([Path(f) for f in args.files])
    else:
        graphs = load_built(paths.store_dir(getattr(args, "store", None)))
    report = validate_dataset(graphs, with_reference=not args.no_reference, processes=os.cpu_count() or 1)
    if args.format == "turtle":
        sys.stdout.write(report.graph.serialize(format="turtle"))
    elif args.format == "json":
        json.dump(as_json(report), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(as_text(report))
    return 0 if report.conforms else 1
