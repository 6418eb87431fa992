"""`andts validate`: SHACL reports for people (grouped text) and machines (Turtle, JSON).

Without files it validates the published build (the store link: --store, else
$ANDTS_STORE, else var/store), read from the build's N-Quads dump, each programme graph with the build's
own reference data, in the runs and processes `andts build` validates in; runs of programme graphs whose
content, reference data and shapes are those `andts build` (or the last `andts validate`) validated keep
those results (`andts.validation.cache`); when every run is kept, only the names, lines and source
documents the report shows are read from the dump. With files it validates those, each programme graph
(and the default graph) with the project's reference data, unless the files bring their own reference
graphs.
Progress lines go to stderr.

Exit 0: conforms (warnings allowed); 1: violations; 2: could not validate (no such file, a file that
does not parse: the parser's line and message on stderr; no built store).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rdflib import URIRef

from andts import paths, store
from andts.errors import StoreError
from andts.namespaces import ONTOLOGY_GRAPH
from andts.validation import (
    as_json,
    as_text,
    context_of,
    format_of,
    is_reference,
    kept_report,
    parse_rdf,
    read_files,
    validate_dataset,
)
from andts.validation.cache import ResultCache, digests_of_dump, fingerprint


def read_dump(store_path: Path) -> tuple[Path, bytes]:
    """The published build's N-Quads dump."""
    folder = store.current_build_dir(store_path)
    if folder is None:
        raise StoreError(f"no built store at {store_path}: run 'andts build' first, or name the files to validate")
    dump = folder / store.DUMP_NQ
    if not dump.is_file():
        raise StoreError(f"the build at {folder} has no dump.nq")
    return dump, dump.read_bytes()


def cache_of(store_path: Path, digests: dict[URIRef, str]) -> ResultCache:
    """The validation results kept from the build and earlier validations."""
    reference = {name: d for name, d in digests.items() if is_reference(name) and name != ONTOLOGY_GRAPH}
    return ResultCache(store.validation_cache_dir(store_path), fingerprint(reference))


def run(args: argparse.Namespace) -> int:
    processes = os.cpu_count() or 1

    def say(line: str) -> None:
        print(f"andts validate: {line}", file=sys.stderr, flush=True)

    report = None
    if args.files:
        report = validate_dataset(read_files([Path(f) for f in args.files]), with_reference=not args.no_reference,
                                  processes=processes, progress=say)
    else:
        store_path = paths.store_dir(getattr(args, "store", None))
        dump, data = read_dump(store_path)
        digests = digests_of_dump(data)
        cache = cache_of(store_path, digests) if not args.no_reference else None
        if cache is not None:
            # every run as the build (or the last validation) left it: read only what the report shows
            report = kept_report(digests, cache, say)
            if report is not None:
                report.context = context_of(data, {r.focus_node for r in report.results})
        if report is None:
            report = validate_dataset(parse_rdf(data, format_of(dump.name), str(dump)), with_reference=not args.no_reference,
                                      processes=processes, cache=cache, digests=digests, progress=say)
    if args.format == "turtle":
        sys.stdout.write(report.graph.serialize(format="turtle"))
    elif args.format == "json":
        json.dump(as_json(report), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(as_text(report))
    return 0 if report.conforms else 1
