"""What the steps that build the Eskilstuna graph share: the document and its lines, the builder they add
to, the reference data they resolve names through, and the footnote markers met in published text."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from andts.loaders.common import ProgrammeBuilder, SourceInfo
from andts.loaders.dimensions import Dimensions
from andts.loaders.registry import Registry


@dataclass
class Context:
    source: SourceInfo
    reference: Graph
    lines: list[str]
    builder: ProgrammeBuilder
    registry: Registry
    dimensions: Dimensions
    strategy: str | None
    #: footnote mark → the entities whose text carries it, with the line; the footnote bodies are read
    #: apart from the text, so they are matched to their markers once all text is published
    marked: dict[str, list[tuple[URIRef, int]]] = field(default_factory=dict)

    @classmethod
    def of(cls, source: SourceInfo, reference: Graph) -> "Context":
        lines = source.read_lines()
        builder = ProgrammeBuilder(source, reference)
        registry = Registry(reference, source.municipality)
        return cls(source=source, reference=reference, lines=lines, builder=builder, registry=registry,
                   dimensions=Dimensions.of(registry, source.period),
                   strategy=source.meta.get("programme", {}).get("strategy"))

    @property
    def programme(self) -> URIRef:
        return self.source.programme
