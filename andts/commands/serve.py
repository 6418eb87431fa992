"""`andts serve`: the SPARQL endpoint (and the query form) over the published store, with uvicorn."""

from __future__ import annotations

import argparse
import sys

import pyoxigraph as ox

from andts import paths
from andts.server.settings import Settings

_DEFAULTS = Settings(store=paths.DEFAULT_STORE)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


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
    p.add_argument("--workers", type=_positive_int, default=_DEFAULTS.workers, metavar="N",
                   help=f"query worker processes, i.e. queries run at once (default: {_DEFAULTS.workers})")
    p.add_argument("--store-url", type=_http_url, default=None, metavar="URL",
                   help="serve a remote SPARQL 1.1 query endpoint (Oxigraph, Fuseki, GraphDB, Virtuoso, QLever …) "
                        "instead of the embedded store; its default graph must be the union of its named graphs")


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(store=paths.store_dir(getattr(args, "store", None)), base_iri=args.base_iri,
                    query_timeout=args.timeout, workers=args.workers, store_url=args.store_url)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from andts.server.app import create_app
    from andts.server.sparql import locate_build

    settings = settings_from(args)
    if settings.store_url:
        from andts.server.remote import RemoteEngine

        remote = RemoteEngine(settings.store_url, timeout=settings.query_timeout)  # StoreError when unreachable
        remote.close()
        print(f"andts serve: remote store {settings.store_url} ({remote.build.info.triples} triples, "
              f"{len(remote.build.info.graphs)} graphs)", file=sys.stderr)
    else:
        build = locate_build(settings.store)  # StoreError (a clear message, exit 2) when nothing is published
        print(f"andts serve: build {build.info.id} ({build.info.triples} triples, {len(build.info.graphs)} graphs) "
              f"from {build.folder}", file=sys.stderr)
    print(f"andts serve: SPARQL endpoint at http://{args.host}:{args.port}/sparql "
          f"({settings.workers} query workers, {settings.query_timeout:g} s per query)", file=sys.stderr, flush=True)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0
