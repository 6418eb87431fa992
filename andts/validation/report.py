"""Validation results and reports: one result flattened from a SHACL report graph, a report with the data it
is about, and several reports merged into one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF

from andts.namespaces import SH
from andts.validation.explain import path_text
from andts.validation.union import UnionView


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, flattened for reports and tests."""

    focus_node: Node
    source_shape: Node
    severity: URIRef
    path: Node | None
    value: Node | None
    messages: tuple[Literal, ...]
    #: sh:sourceConstraintComponent: one value can break two constraints of one shape (datatype and range)
    component: Node | None = None
    #: A path that is a blank node (sh:alternativePath …) as SPARQL path text: the same path has another
    #: blank node in a report of another run, or read back from the cache
    path_text: str | None = None
    #: The result's node in the report graph it was read from (not part of what the result says)
    node: Node | None = field(default=None, compare=False, repr=False)

    @property
    def is_violation(self) -> bool:
        return self.severity == SH.Violation

    @property
    def key(self) -> tuple:
        """What the result says, the same whichever run or report graph it was read from."""
        path = self.path_text if isinstance(self.path, BNode) else self.path
        return (self.focus_node, self.source_shape, self.severity, path, self.value, self.component)

    def message(self, lang: str = "en") -> str:
        for m in self.messages:
            if m.language == lang:
                return str(m)
        return str(self.messages[0]) if self.messages else ""


class Report:
    """The results of a validation, the SHACL report graph, and the data the results are about."""

    def __init__(self, conforms: bool, results: list[Result] | None = None,
                 graph: Graph | Callable[[], Graph] | None = None, context: Graph | None = None) -> None:
        self.conforms = conforms  # no sh:Violation (warnings and infos do not break conformance)
        self.results: list[Result] = results if results is not None else []
        self._graph = graph
        #: The data that was validated with its reference data: labels, lines and sources of focus nodes.
        self.context: Graph = context if context is not None else Graph()

    @property
    def graph(self) -> Graph:
        """The report as RDF (sh:ValidationReport). A merged report makes it at first use, because the
        text and JSON reports never need it and copying every result is not free."""
        if not isinstance(self._graph, Graph):
            self._graph = self._graph() if self._graph is not None else Graph()
        return self._graph

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.is_violation]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == SH.Warning]


@dataclass(frozen=True)
class RunResult:
    """What one validation run of programme graphs gives back, pickled when it ran in another process:
    blank nodes keep their ids, so equal results of two runs are merged as one."""

    conforms: bool
    results: list[Result]
    graph: Graph
    #: The run's key in the result cache (None: the run is not kept)
    key: str | None = None
    #: Read back from the cache rather than validated
    kept: bool = False

    def report(self, context: Graph) -> Report:
        return Report(conforms=self.conforms, results=self.results, graph=self.graph, context=context)


def results_of(report: Graph) -> list[Result]:
    """Every sh:ValidationResult of a SHACL report graph."""
    return [result_of(report, node) for node in report.subjects(RDF.type, SH.ValidationResult)]


def result_of(report: Graph, node: Node) -> Result:
    path = report.value(node, SH.resultPath)
    return Result(
        focus_node=report.value(node, SH.focusNode),
        source_shape=report.value(node, SH.sourceShape),
        severity=report.value(node, SH.resultSeverity),
        path=path,
        value=report.value(node, SH.value),
        messages=tuple(sorted(report.objects(node, SH.resultMessage), key=str)),
        component=report.value(node, SH.sourceConstraintComponent),
        path_text=path_text(report, path) if isinstance(path, BNode) else None,
        node=node,
    )


def merge(reports: list[Report]) -> Report:
    """One report from several: each distinct result once, one sh:ValidationReport."""
    if len(reports) == 1:
        return reports[0]
    seen: dict[tuple, tuple[Result, Report]] = {}
    for rep in reports:
        for r in rep.results:
            seen.setdefault(r.key, (r, rep))
    conforms = not any(r.is_violation for r, _rep in seen.values())

    def graph() -> Graph:
        g = Graph(store="SimpleMemory")  # written once, never queried by graph: no context bookkeeping
        top = BNode()
        g.add((top, RDF.type, SH.ValidationReport))
        for r, rep in seen.values():
            node = r.node if r.node is not None else _node_of(rep.graph, r)
            g.add((top, SH.result, node))
            _copy(rep.graph, node, g)
        g.add((top, SH.conforms, Literal(conforms)))
        return g

    context = UnionView(rep.context for rep in reports)
    return Report(conforms=conforms, results=[r for r, _rep in seen.values()], graph=graph, context=context)


def _copy(src: Graph, node: Node, dst: Graph) -> None:
    """A result's triples and the blank nodes they lead to (sh:resultPath lists, sh:detail)."""
    todo, done = [node], set()
    while todo:
        n = todo.pop()
        if n in done:
            continue
        done.add(n)
        for p, o in src.predicate_objects(n):
            dst.add((n, p, o))
            if isinstance(o, BNode):
                todo.append(o)


def _node_of(report: Graph, result: Result) -> Node:
    """The node of a result made without one (a test's), found again by what it says."""
    return next(n for n in report.subjects(RDF.type, SH.ValidationResult) if result_of(report, n).key == result.key)
