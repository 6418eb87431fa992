"""`andts build`: load every source, validate, publish the store and dumps; print a summary."""

from __future__ import annotations

import argparse
import sys

from andts import paths
from andts import store as layout
from andts.build import build, summary


def run(args: argparse.Namespace) -> int:
    store = paths.store_dir(args.store)
    built = build(store, progress=lambda line: print(f"andts build: {line}", file=sys.stderr, flush=True))
    sys.stdout.write(summary(built))
    sys.stdout.write(f"\nPublished at {store} -> {built.folder}\n")
    if getattr(args, "push", None):
        from andts.push import push

        sys.stdout.flush()
        sent = push(built.folder / layout.DUMP_NQ, args.push, progress=lambda line: print(line, file=sys.stderr, flush=True))
        sys.stdout.write(f"Pushed {len(sent)} graphs ({sum(sent.values())} triples) to {args.push}\n")
    return 0
