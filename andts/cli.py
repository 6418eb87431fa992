"""The `andts` command line. Every subcommand has --help; errors go to stderr with a non-zero exit."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from andts import __version__, paths
from andts.errors import AndtsError

Command = Callable[[argparse.Namespace], int]


def _add_store_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store", metavar="DIR", default=None,
        help=f"the embedded store folder (default: $ANDTS_STORE, else {paths.DEFAULT_STORE.relative_to(paths.ROOT)} in the project folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="andts",
        description="Build, validate and serve the ANDTS knowledge graph of Swedish municipal prevention programmes.",
    )
    parser.add_argument("--version", action="version", version=f"andts-kg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in (_add_build, _add_export, _add_validate, _add_serve, _add_query):
        add(sub)
    return parser


def _add_build(sub: argparse._SubParsersAction) -> None:
    from andts.commands import build as build_cmd

    p = sub.add_parser(
        "build", help="load every source document, validate, and publish the store and dumps",
        description="Parse every source in data/sources/ with its loader, validate the result against the shapes, "
                    "and write the embedded store plus TriG and N-Quads dumps. The new store replaces the old one "
                    "only when everything succeeded.",
    )
    p.add_argument("--push", metavar="URL", default=None,
                   help="then replace each named graph in a remote store through its SPARQL 1.1 Graph Store "
                        "Protocol endpoint (e.g. Oxigraph's http://host:7878/store), retrying on errors")
    _add_store_option(p)
    p.set_defaults(func=build_cmd.run)


def _add_export(sub: argparse._SubParsersAction) -> None:
    from andts.commands import export as export_cmd

    p = sub.add_parser(
        "export", help="write the whole published dataset to standard output",
        description="Write every named graph of the published store to standard output.",
    )
    p.add_argument("--format", choices=["trig", "nquads", "turtle", "jsonld"], default="trig",
                   help="trig or nquads keep the named graphs; turtle is their union; jsonld keeps them (default: trig)")
    _add_store_option(p)
    p.set_defaults(func=export_cmd.run)


def _add_validate(sub: argparse._SubParsersAction) -> None:
    from andts.commands import validate as validate_cmd

    p = sub.add_parser(
        "validate", help="validate the published build, or RDF files, against the SHACL shapes",
        description="Validate RDF files (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML) against the shapes. "
                    "Exit 0: conforms; 1: violations; 2: could not validate.",
    )
    p.add_argument("files", nargs="*", metavar="FILE", help="RDF files to validate (default: the published build)")
    p.add_argument("--format", choices=["text", "turtle", "json"], default="text", help="report format (default: text)")
    p.add_argument("--no-reference", action="store_true", help="do not add the reference data to the files")
    _add_store_option(p)
    p.set_defaults(func=validate_cmd.run)


def _add_serve(sub: argparse._SubParsersAction) -> None:
    from andts.commands import serve as serve_cmd

    p = sub.add_parser(
        "serve", help="serve the published store: SPARQL endpoint and query form",
        description="Serve the published store over HTTP: a read-only SPARQL 1.1 query endpoint at /sparql "
                    "(a query form for browsers, a service description for machines) and /health. Each query "
                    "runs in a worker process and is stopped after --timeout seconds.",
    )
    serve_cmd.add_arguments(p)
    _add_store_option(p)
    p.set_defaults(func=serve_cmd.run)


def _add_query(sub: argparse._SubParsersAction) -> None:
    from andts.commands import query as query_cmd

    p = sub.add_parser(
        "query", help="run a named query of the catalogue (queries/) and print the answer",
        description="Run a named analyst query of queries/ on the published store, with --param values bound "
                    "safely, and print the answer (a table by default). Without NAME: list the catalogue with "
                    "each query's parameters. Exit 2 on an unknown name or a bad parameter.",
    )
    query_cmd.add_arguments(p)
    _add_store_option(p)
    p.set_defaults(func=query_cmd.run)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Command = args.func
    try:
        return func(args)
    except AndtsError as exc:
        print(f"andts {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"andts {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
