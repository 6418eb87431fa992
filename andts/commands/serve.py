"""`andts serve`: the SPARQL endpoint (and the query form) over the published store, with uvicorn."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from andts import paths
from andts.server.settings import Settings

if TYPE_CHECKING:
    from andts.server.engine.builds import Build

_DEFAULTS = Settings(store=paths.DEFAULT_STORE)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value

    return parse


def _iri(text: str) -> str:
    try:
        ox.NamedNode(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an absolute IRI: {text!r} ({exc})") from None
    return text


def _http_url(text: str) -> str:
    if not text.lower().startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    return text


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The options of `andts serve` (the CLI adds --store)."""
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1; 0.0.0.0 for all)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    p.add_argument("--base-iri", type=_iri, default=_DEFAULTS.base_iri, metavar="IRI",
                   help=f"base IRI that relative IRIs in queries resolve against (default: {_DEFAULTS.base_iri})")
    p.add_argument("--timeout", type=_positive_float, default=_DEFAULTS.query_timeout, metavar="SECONDS",
                   help=f"stop a query after this many seconds and answer 503 (default: {_DEFAULTS.query_timeout:g})")
    p.add_argument("--workers", type=_whole_number(1), default=_DEFAULTS.workers, metavar="N",
                   help=f"queries run at once, each in a worker slot (default: {_DEFAULTS.workers}); with the store "
                        "in memory one process serves them all from one copy, with --disk each is a process")
    p.add_argument("--disk", action="store_true",
                   help="query the build's RocksDB store on disk instead of loading its dump into memory "
                        "(slower joins; for graphs larger than memory)")
    p.add_argument("--worker-memory", type=_whole_number(0), default=_DEFAULTS.worker_memory_mb, metavar="MB",
                   help="address space a query worker may use; a query needing more gets 503 "
                        f"(default: {_DEFAULTS.worker_memory_mb}; 0: no limit)")
    p.add_argument("--no-access-log", dest="access_log", action="store_false",
                   help="do not write the access log (one JSON line a request on stderr)")
    p.add_argument("--store-url", type=_http_url, default=None, metavar="URL",
                   help="serve a remote SPARQL 1.1 query endpoint (Oxigraph, Fuseki, GraphDB, Virtuoso, QLever …) "
                        "instead of the embedded store; its default graph must be the union of its named graphs")


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(store=paths.store_dir(getattr(args, "store", None)), base_iri=args.base_iri,
                    query_timeout=args.timeout, workers=args.workers, store_url=args.store_url,
                    in_memory=not args.disk, worker_memory_mb=args.worker_memory)


def _check_opens(build: Build) -> None:
    """Open the build's store once, here, so that a store that does not open (corrupted files, no
    permission) is a one-line StoreError (exit 2). The worker processes open it only once uvicorn's
    start-up has begun, where a failure ends the server with uvicorn's traceback and exit code 3."""
    from andts.server.engine.builds import open_build

    ox_store = open_build(build)
    del ox_store  # the workers open their own; RocksDB lets many read-only openers share the files


def _log_access(on: bool) -> None:
    log = logging.getLogger("andts.access")
    log.propagate = False
    log.setLevel(logging.INFO if on else logging.WARNING)
    if on and not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from andts.server.engine.builds import locate_build
    from andts.server.http.app import create_app

    settings = settings_from(args)
    if settings.store_url:
        from andts.server.engine.remote import RemoteEngine

        remote = RemoteEngine(settings.store_url, timeout=settings.query_timeout)  # StoreError when unreachable
        remote.close()
        print(f"andts serve: remote store {settings.store_url} ({remote.build.info.triples} triples, "
              f"{len(remote.build.info.graphs)} graphs)", file=sys.stderr)
    else:
        build = locate_build(settings.store)  # StoreError (a clear message, exit 2) when nothing is published
        _check_opens(build)
        print(f"andts serve: build {build.info.id} ({build.info.triples} triples, {len(build.info.graphs)} graphs) "
              f"from {build.folder}", file=sys.stderr)
    print(f"andts serve: SPARQL endpoint at http://{args.host}:{args.port}/sparql "
          f"({settings.workers} query workers, {settings.query_timeout:g} s per query)", file=sys.stderr, flush=True)
    _log_access(args.access_log)
    # uvicorn's own access log is off: edge.py writes one JSON line a request, with the time spent in queries
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info", access_log=False)
    return 0
