"""Several graphs read as one, without copying them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import Graph, Node
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.paths import Path as PropertyPath

Pattern = tuple[Node | None, Node | PropertyPath | None, Node | None]


class UnionView(ReadOnlyGraphAggregate):
    """Graphs read as one: a report's data is every validated graph, and copying a national build's
    programme graphs into one graph costs more than validating them.

    A pattern with a subject asks only the graphs that have that subject, because a report looks up the
    label and line of each focus node and asking every graph each time grows with graphs × results. The
    graphs must not change while the view is read (they are a finished validation's data)."""

    def __init__(self, graphs: Iterable[Graph]) -> None:
        flat: list[Graph] = []
        for g in graphs:
            flat.extend(g.graphs if isinstance(g, UnionView) else [g])
        super().__init__(flat)
        self._owners: dict[Node, list[Graph]] | None = None

    def triples(self, triple: Pattern) -> Iterator:  # type: ignore[override]
        s, p, _o = triple
        if s is None or isinstance(p, PropertyPath):
            yield from super().triples(triple)
            return
        if self._owners is None:
            self._owners = {}
            for g in self.graphs:
                for subject in g.subjects(unique=True):
                    self._owners.setdefault(subject, []).append(g)
        for g in self._owners.get(s, ()):
            yield from g.triples(triple)
