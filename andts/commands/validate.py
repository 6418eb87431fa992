"""`andts validate`: SHACL reports for people (grouped text) and machines (Turtle, JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from andts.errors import RdfParseError
from andts.namespaces import ANDTS, SH
from andts.validation import Report, Result, parse_rdf_file, validate


def load_files(files: list[str]) -> Graph:
    g = Graph()
    for name in files:
        path = Path(name)
        if not path.is_file():
            raise RdfParseError(f"{name}: no such file")
        try:
            parse_rdf_file(path, into=g)
        except Exception as exc:  # rdflib raises many parser-specific types; all mean "does not parse"
            raise RdfParseError(f"{name}: does not parse: {exc}") from exc
    return g


def run(args: argparse.Namespace) -> int:
    data = load_files(args.files) if args.files else Graph()
    report = validate(data, with_reference=not args.no_reference or not args.files)
    context = Graph()
    for t in data:
        context.add(t)
    from andts.validation import reference_graph
    for t in reference_graph():
        context.add(t)
    if args.format == "turtle":
        sys.stdout.write(report.graph.serialize(format="turtle"))
    elif args.format == "json":
        json.dump(as_json(report, context), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(as_text(report, context))
    return 0 if report.conforms else 1


def _label(g: Graph, node: object) -> str:
    if not isinstance(node, URIRef):
        return str(node)
    for p in (SKOS.prefLabel, RDFS.label):
        labels = list(g.objects(node, p))
        for lit in labels:
            if isinstance(lit, Literal) and lit.language == "sv":
                return str(lit)
        if labels:
            return str(labels[0])
    return str(node)


def _where(g: Graph, node: object) -> str:
    line = g.value(node, ANDTS.sourceLine) if isinstance(node, URIRef) else None
    return f" (line {line})" if line is not None else ""


def as_json(report: Report, g: Graph) -> dict:
    return {
        "conforms": report.conforms,
        "results": [
            {
                "severity": str(r.severity).rsplit("#", 1)[-1],
                "sourceShape": str(r.source_shape),
                "focusNode": str(r.focus_node),
                "focusLabel": _label(g, r.focus_node),
                "sourceLine": int(g.value(r.focus_node, ANDTS.sourceLine)) if g.value(r.focus_node, ANDTS.sourceLine) is not None else None,
                "path": str(r.path) if r.path is not None else None,
                "value": str(r.value) if r.value is not None else None,
                "message": r.message("en"),
            }
            for r in report.results
        ],
    }


def as_text(report: Report, g: Graph) -> str:
    if not report.results:
        return "Conforms: no violations, no warnings.\n"
    groups: dict[tuple[str, str], list[Result]] = defaultdict(list)
    for r in report.results:
        groups[(str(r.severity).rsplit("#", 1)[-1], str(r.source_shape))].append(r)
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    out: list[str] = []
    for (severity, shape), results in sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 3), kv[0][1])):
        out.append(f"{severity}: {shape} ({len(results)})")
        out.append(f"  {results[0].message('en')}")
        for r in sorted(results, key=lambda r: str(r.focus_node)):
            value = f" value: {r.value}" if r.value is not None else ""
            out.append(f"  - {_label(g, r.focus_node)} <{r.focus_node}>{_where(g, r.focus_node)}{value}")
    n_v, n_w = len(report.violations), len(report.warnings)
    out.append(f"{'Does not conform' if not report.conforms else 'Conforms'}: {n_v} violation(s), {n_w} warning(s).")
    return "\n".join(out) + "\n"
