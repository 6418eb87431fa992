"""SHACL validation of ANDTS graphs against the project's shapes: pyshacl over plain rdflib graphs.

One validation for every caller: `andts validate`, the build's gate and the server's /validate all use
`validate_dataset` (every programme graph together with the reference data). The build and the CLI
validate in runs of programme graphs in forked processes, keeping results between runs (`parallel`,
`cache`); the server, which must not fork, validates in its own process.

Modules, each one concern:
  * `parse`: reading RDF (formats, pyoxigraph → rdflib) and the project's shapes, ontology and reference data;
  * `shapes`: running the shapes over one graph (`validate`);
  * `dataset`: a dataset's programme graphs and reference data, validated in this process or in runs;
  * `parallel`: the runs, the processes they are validated in and the result cache's use;
  * `cache`: results kept between runs, by the content they were validated on;
  * `report`: results, reports and merging them; `union`: several graphs read as one;
  * `explain`: what a result is about (names, lines, source documents, short IRIs, paths);
  * `formats`: reports as grouped text and as JSON.

The names below are the package's interface; the server, the build and the CLI import them from here.
"""

from andts.validation.dataset import REFERENCE_PREFIX, STRATEGIES, is_reference, kept_report, validate_dataset
from andts.validation.explain import (
    CONTEXT_PREDICATES,
    SEVERITY_ORDER,
    SHAPES_NS,
    Where,
    context_of,
    label_of,
    path_text,
    severity_name,
    short,
    where,
)
from andts.validation.formats import as_json, as_text, describe, grouped, result_path, result_record
from andts.validation.parallel import MAX_BATCH, merged, run_key, runs_of, validate_run, validate_runs
from andts.validation.parse import (
    FORMAT_NAMES,
    MEDIA_TYPES,
    SUFFIXES,
    RdfSyntaxError,
    format_of,
    ontology_graph,
    parse_project_files,
    parse_rdf,
    read_files,
    reference_graph,
    shapes_graph,
)
from andts.validation.report import Report, Result, RunResult, merge, result_of, results_of
from andts.validation.shapes import validate
from andts.validation.union import UnionView

__all__ = [
    "CONTEXT_PREDICATES", "FORMAT_NAMES", "MAX_BATCH", "MEDIA_TYPES", "REFERENCE_PREFIX", "SEVERITY_ORDER",
    "SHAPES_NS", "STRATEGIES", "SUFFIXES", "RdfSyntaxError", "Report", "Result", "RunResult", "UnionView", "Where",
    "as_json", "as_text", "context_of", "describe", "format_of", "grouped", "is_reference", "kept_report",
    "label_of", "merge", "merged", "ontology_graph", "parse_project_files", "parse_rdf", "path_text",
    "read_files", "reference_graph", "result_of", "result_path", "result_record", "results_of", "run_key", "runs_of",
    "severity_name", "shapes_graph", "short", "validate", "validate_dataset", "validate_run", "validate_runs",
    "where",
]
