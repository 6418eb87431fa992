"""Running the project's shapes over one graph: pyshacl, sped up by `andts.pyshacl_speedups`."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph

from andts import pyshacl_speedups
from andts.validation.parse import ontology_graph, reference_graph, shapes_graph
from andts.validation.report import Report, results_of
from andts.validation.union import UnionView


def validate(data: Graph, *, with_reference: bool = True, extra: Iterable[Graph] = (),
             reference: Graph | None = None) -> Report:
    """Validate `data` (plus the reference data it links to) against the shapes.

    `reference` replaces the project's reference files (e.g. the reference graphs of a build). The
    ontology is given to pyshacl as the ontology graph so that `sh:class` sees subclasses (an
    OverarchingGoal is a Goal) without running any inference over the data.
    """
    from pyshacl import validate as run  # imported at the first validation: a server may never need it

    pyshacl_speedups.at_first_use()
    ref = (reference if reference is not None else reference_graph()) if with_reference else None
    sources = [data, *([ref] if ref is not None else []), *extra]
    combined = Graph()
    for g in sources:
        for t in g:
            combined.add(t)
    # `combined` is this call's own copy, so pyshacl may add the ontology's class hierarchy to it in place
    # rather than copy it once more; the report's context is the data as it was given
    conforms, report_graph, _text = run(
        combined,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        advanced=True,
        inplace=True,
    )
    return Report(conforms=bool(conforms), results=results_of(report_graph), graph=report_graph,
                  context=UnionView(sources))
