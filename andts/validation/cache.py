"""Validation results kept between runs, so that a build (and `andts validate` of it) validates again only
the programme graphs that changed since the last one.

A run of programme graphs is validated together (`parallel.runs_of`); its results are kept under a key
made of everything they depend on: each graph's content (the digest of its sorted N-Quads), the reference
data's content, the shapes and the ontology (their files' bytes), the versions of andts and pyshacl, and
the source of `andts.pyshacl_speedups`.
Runs are cut where a graph's IRI says (`stable_batches`), not by position, so that a new, changed or
removed programme changes only its own run's key. An entry is the run's SHACL report graph as N-Triples;
a missing, unreadable, partial or unparsable entry is validated again. Nothing else is trusted from the folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from andts import __version__, paths, pyshacl_speedups
from andts.errors import RdfParseError
from andts.validation.parse import parse_rdf
from andts.validation.report import RunResult, results_of

#: A run ends before a graph whose IRI hashes to 0 modulo this, or at `parallel.MAX_BATCH` programmes: runs
#: of several programmes, because each run validates the reference data once more.
RUN_MARK = 32


def digest_nquads(data: bytes) -> str:
    """The digest of N-Quads as pyoxigraph writes them, whatever the order of their lines."""
    lines = sorted(line for line in data.splitlines() if line.strip())
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


#: A line of N-Quads as pyoxigraph writes it: (the line, its graph name or b""). Possessive, so that long
#: literals are not backtracked through.
_QUAD_LINE = re.compile(
    rb'^((?:<[^>]*>|_:\S+) <[^>]*> (?:<[^>]*>|_:\S+|"(?:[^"\\\n]++|\\.)*+"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?)'
    rb'(?: (<[^>]*>|_:\S+))? \.)$', re.MULTILINE)


def digests_of_dump(data: bytes) -> dict[URIRef, str]:
    """The digest of each named graph of an N-Quads dump, as `digest_nquads` gives it for that graph alone.

    A dump the build wrote has its lines as pyoxigraph writes them, so they are grouped as they are rather
    than parsed and written again. A dump with any other line is parsed and written again; either way a
    graph's digest is that of lines that say exactly its quads."""
    found = _QUAD_LINE.findall(data)
    lines = data.splitlines()
    if len(found) != len(lines) - lines.count(b""):
        return _digests_parsed(data)  # a line that is not one quad as pyoxigraph writes it
    by_graph: dict[bytes, list[bytes]] = {}
    for line, graph in found:
        if graph.startswith(b"<"):
            by_graph.setdefault(graph, []).append(line)
    return {URIRef(g[1:-1].decode("utf-8")): digest_nquads(b"\n".join(of_graph)) for g, of_graph in by_graph.items()}


def _digests_parsed(data: bytes) -> dict[URIRef, str]:
    by_graph: dict[str, list[ox.Quad]] = {}
    for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
        if isinstance(q.graph_name, ox.NamedNode):
            by_graph.setdefault(q.graph_name.value, []).append(q)
    return {URIRef(g): digest_nquads(ox.serialize(quads, format=ox.RdfFormat.N_QUADS)) for g, quads in by_graph.items()}


def fingerprint(reference: Mapping[URIRef, str]) -> str:
    """What every result depends on besides its programmes: the reference data (graph → digest), the
    shapes, the ontology, andts, pyshacl and how andts changes pyshacl's working."""
    h = hashlib.sha256(f"andts {__version__} pyshacl {version('pyshacl')}\n".encode())
    for f in [*paths.shape_files(), paths.ONTOLOGY, Path(pyshacl_speedups.__file__)]:
        h.update(f.name.encode() + b"\n" + f.read_bytes() + b"\n")
    for name in sorted(reference, key=str):
        h.update(f"{name} {reference[name]}\n".encode())
    return h.hexdigest()


def stable_batches(names: list[str], most: int) -> list[range]:
    """Runs of consecutive indices of `names` (sorted), cut before each marked IRI and at `most`."""
    runs: list[range] = []
    start = 0
    for i in range(1, len(names) + 1):
        if i == len(names) or i - start >= most or _marked(names[i]):
            runs.append(range(start, i))
            start = i
    return runs


def _marked(name: str) -> bool:
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % RUN_MARK == 0


@dataclass(frozen=True)
class ResultCache:
    folder: Path
    fingerprint: str

    def key(self, graphs: Iterable[tuple[str, str]]) -> str:
        """The key of a run of (graph IRI, digest)."""
        h = hashlib.sha256(self.fingerprint.encode())
        for name, digest in graphs:
            h.update(f"\n{name} {digest}".encode())
        return h.hexdigest()

    def get(self, key: str) -> tuple[bool, bytes] | None:
        """(conforms, report graph as N-Triples) of a run validated before, or None."""
        for conforms in (True, False):
            f = self.folder / f"{key}.{'conforms' if conforms else 'violations'}.nt"
            try:
                data = f.read_bytes()
            except OSError:
                continue
            if not data.endswith(b"# end\n"):  # written whole or not at all, but a disk can lie
                return None
            return conforms, data
        return None

    def kept(self, key: str) -> RunResult | None:
        """A run's results read back, or None. Parsed by pyoxigraph, which reads N-Triples several times
        faster than rdflib."""
        got = self.get(key)
        if got is None:
            return None
        conforms, data = got
        graph = Graph(store="SimpleMemory")  # only read back: no context bookkeeping
        try:
            parse_rdf(data, ox.RdfFormat.N_TRIPLES, key, into={None: graph}, bnode_prefix=key[:16])
        except RdfParseError:
            return None
        return RunResult(conforms, results_of(graph), graph, key=key, kept=True)

    def put(self, key: str, conforms: bool, report: Graph) -> None:
        """Keep a run's results; a cache that cannot be written is only slower, never an error."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            data = report.serialize(format="nt", encoding="utf-8") + b"# end\n"
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, self.folder / f"{key}.{'conforms' if conforms else 'violations'}.nt")
        except OSError:
            pass

    def keep_only(self, keys: set[str]) -> None:
        """Forget every run but these (those of the last build): the folder holds one build's worth."""
        try:
            for f in self.folder.iterdir():
                if f.name.split(".", 1)[0] not in keys:
                    f.unlink(missing_ok=True)
        except OSError:
            pass
