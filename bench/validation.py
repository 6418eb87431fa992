"""How long SHACL validation takes in one process, whole or programme graph by programme graph.

Measures, for the two real programmes (with the reference data) and for large synthetic graphs made by
copying the real programme graphs N times under renamed IRIs:
  * strategy "per-graph": each programme graph validated on its own with the reference data, results
    merged (`andts.validation.validate_dataset(strategy="per-graph")`);
  * strategy "whole": every programme graph and the reference data in one graph, validated once (the
    default of `validate_dataset` in one process, hence of the server's /validate).
It also checks that the strategies report the same results (sourceShape, focusNode, severity).

    .venv/bin/python bench/validation.py                      # 1×, 30× and 100×
    .venv/bin/python bench/validation.py --copies 1 30 --whole-limit 30

Writes bench/results/validation.md with the machine it ran on. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from pathlib import Path

from rdflib import Graph, URIRef

from andts.build import discover_sources, reference_graphs, reference_union, run_loader
from andts.namespaces import ONTOLOGY_GRAPH
from andts.validation import Report, validate, validate_dataset

RESULTS = Path(__file__).parent / "results" / "validation.md"


def real_graphs() -> tuple[dict[URIRef, Graph], Graph]:
    """The reference graphs and the two programme graphs, as `andts build` makes them."""
    graphs = reference_graphs()
    reference = reference_union(graphs)
    for source in discover_sources():
        load = run_loader(source, reference)
        graphs[load.source.graph] = load.graph
    return graphs, reference


def programmes(graphs: dict[URIRef, Graph]) -> dict[URIRef, Graph]:
    return {iri: g for iri, g in graphs.items() if "/graph/reference/" not in str(iri) and iri != ONTOLOGY_GRAPH}


def copies(graphs: dict[URIRef, Graph], reference: Graph, n: int) -> dict[URIRef, Graph]:
    """Each programme graph n times; in copy k every IRI the programme graph itself describes (and that
    the reference data does not) gets the suffix -ck, so the copies are distinct programmes."""
    ref_subjects = set(reference.subjects())
    out: dict[URIRef, Graph] = {}
    for iri, g in programmes(graphs).items():
        own = {s for s in g.subjects() if isinstance(s, URIRef) and s not in ref_subjects}
        for k in range(n):
            if n == 1:
                out[iri] = g
                continue
            rename = {s: URIRef(f"{s}-c{k}") for s in own}
            copy = Graph()
            for s, p, o in g:
                copy.add((rename.get(s, s), p, rename.get(o, o)))
            out[URIRef(f"{iri}-c{k}")] = copy
    return out


def run_strategy(strategy: str, data: dict[URIRef, Graph], reference: dict[URIRef, Graph]) -> tuple[float, Report]:
    """One validation of the programme graphs with the reference graphs, in this process."""
    start = time.perf_counter()
    report = validate_dataset({**reference, **data}, strategy=strategy)
    return time.perf_counter() - start, report


def keys(report: Report) -> set[tuple]:
    return {(r.source_shape, r.focus_node, r.severity) for r in report.results}


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}"


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = []
    for name in ("pyshacl", "rdflib", "pyoxigraph"):
        try:
            out.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            out.append(f"{name} (not installed)")
    return ", ".join(out)


Row = tuple[int, int, int, str, float, int, int, float]  # copies, graphs, triples, strategy, s, results, violations, MB


def measure_copies(n: int, graphs: dict[URIRef, Graph], reference: Graph, reference_named: dict[URIRef, Graph],
                   args: argparse.Namespace) -> tuple[list[Row], str]:
    """Every strategy (within the limits) on n copies; the rows, and whether they agree."""
    data = copies(graphs, reference, n)
    triples = sum(len(g) for g in data.values())
    rows: list[Row] = []
    seen: dict[str, set[tuple]] = {}
    for strategy in ("per-graph", "whole"):
        if (strategy == "whole" and n > args.whole_limit) or (strategy == "per-graph" and n > args.per_graph_limit):
            continue
        seconds, report = run_strategy(strategy, data, reference_named)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append((n, len(data), triples, strategy, seconds, len(report.results), len(report.violations), rss))
        seen[strategy] = keys(report)
        print(f"{n:>4}× {triples:>8} triples  {strategy:<9} {seconds:8.2f} s  {len(report.results)} results",
              file=sys.stderr)
    first = next(iter(seen.items()), None)
    if not first:
        return rows, ""
    differ = [s for s, k in seen.items() if k != first[1]]
    return rows, f"- {n}×: " + ("all runs report the same results" if not differ else
                                f"{', '.join(differ)} differ from {first[0]}")


def render(rows: list[Row], agreement: list[str], reference: Graph, argv: list[str] | None) -> str:
    lines = [
        "# SHACL validation: speed of the strategies",
        "",
        f"Machine: {machine()}.  ",
        f"Versions: {versions()}.  ",
        f"Command: `.venv/bin/python bench/validation.py {' '.join(argv if argv is not None else sys.argv[1:])}`",
        "",
        "Data: the two real programme graphs (Stockholm, Eskilstuna) as `andts build` makes them, and synthetic "
        "graphs made of N copies of them under renamed IRIs; always with the reference data "
        f"({len(reference)} triples). Times are wall-clock seconds of one validation (shapes and ontology "
        "already parsed); \"max RSS\" is the process's peak so far.",
        "",
        "| copies | programme graphs | programme triples | strategy | seconds | results | violations | max RSS MB |",
        "| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for n, graphs_n, triples, strategy, seconds, results, violations, rss in rows:
        lines.append(f"| {n} | {graphs_n} | {triples} | {strategy} | {seconds:.2f} | {results} | "
                     f"{violations} | {rss:.0f} |")
    lines += ["", "Agreement (sourceShape, focusNode, severity):", "", *agreement, ""]
    return "\n".join(lines)


def write(out: Path, table: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        old = out.read_text(encoding="utf-8")
        marker = "\n## Choice"
        if marker in old:  # keep the hand-written conclusion below the figures
            table = table + old[old.index(marker):]
    out.write_text(table if table.endswith("\n") else table + "\n", encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 30, 100])
    parser.add_argument("--whole-limit", type=int, default=100, help="largest N validated as one whole graph")
    parser.add_argument("--per-graph-limit", type=int, default=100,
                        help="largest N validated graph by graph (the slower strategy)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    graphs, reference = real_graphs()
    print(f"loaded the sources in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    validate(Graph(), reference=reference)  # parse the shapes and the ontology once (cached), not timed
    reference_named = {iri: g for iri, g in graphs.items() if iri not in programmes(graphs)}

    rows: list[Row] = []
    agreement: list[str] = []
    for n in args.copies:
        more, agrees = measure_copies(n, graphs, reference, reference_named, args)
        rows += more
        if agrees:
            agreement.append(agrees)
    write(args.out, render(rows, agreement, reference, argv))
    return 0

if __name__ == "__main__":
    sys.exit(main())
