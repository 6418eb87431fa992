"""`andts build`: load every source, validate, publish the store and dumps; print a summary."""

from __future__ import annotations

import argparse
import sys

from andts import paths
from andts.build import build, summary


def run(args: argparse.Namespace) -> int:
    store = paths.store_dir(args.store)
    built = build(store)
    sys.stdout.write(summary(built))
    sys.stdout.write(f"\nPublished at {store} -> {built.folder}\n")
    return 0
