"""What the steps that build the Stockholm graph share: the document, the builder they add to, and the
reference data they resolve names through."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph

from andts.loaders.common import ProgrammeBuilder, SourceInfo
from andts.loaders.dimensions import Dimensions
from andts.loaders.registry import Registry

#: The national strategy the appendix's goals follow when the metadata file names none.
DEFAULT_STRATEGY = "2022-2025"


@dataclass
class Context:
    source: SourceInfo
    builder: ProgrammeBuilder
    registry: Registry
    dimensions: Dimensions
    strategy: str

    @classmethod
    def of(cls, source: SourceInfo, reference: Graph) -> "Context":
        registry = Registry(reference, source.municipality)
        return cls(source=source, builder=ProgrammeBuilder(source, reference), registry=registry,
                   dimensions=Dimensions.of(registry, source.period),
                   strategy=source.meta.get("programme", {}).get("strategy", DEFAULT_STRATEGY))
