"""The server's settings: one frozen object handed to `create_app`, with every limit in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from andts.namespaces import BASE, PREFIXES
from andts.paths import QUERIES_DIR


@dataclass(frozen=True)
class Settings:
    #: The store folder (the link `andts build` publishes); the build it points to at start-up is served.
    store: Path
    #: The base IRI of the graph; relative IRIs in queries are resolved against it.
    base_iri: str = BASE
    #: Seconds a query may run (evaluation and serialisation) before its worker is stopped: 503.
    query_timeout: float = 5.0
    #: Most solutions (SELECT) or triples (CONSTRUCT, DESCRIBE) in one answer; more is refused with 422.
    max_rows: int = 50_000
    #: Largest POST body accepted; more is refused with 413.
    max_body_bytes: int = 1_000_000
    #: Whether queries may call other endpoints with SERVICE; refused with 403 when False.
    allow_service: bool = False
    #: How many queries run at once, each in a worker slot whose process can be stopped. With the store on
    #: disk each slot is a process of its own; with the store in memory one process serves every slot from one
    #: copy of it (`slots_per_process`).
    workers: int = 2
    #: Whether the worker process loads the build's dump.nq into an in-memory store when it starts, instead of
    #: reading the RocksDB store on disk: joins are much faster, for memory in proportion to the graph, held
    #: once for every slot, and a longer start-up (bench/results/national.md).
    #: False for graphs larger than memory.
    in_memory: bool = True
    #: Megabytes of address space a query worker process may use (RLIMIT_AS; with the store in memory its slots
    #: share it): a query that needs more ends its worker
    #: and gets 503, instead of growing until the time limit stops it (a sort of a cartesian product grew
    #: 2–3 GB in 5 s, bench/results/load.md). 0: no limit.
    worker_memory_mb: int = 2048
    #: Seconds a new worker may take to start and open the store.
    worker_start_timeout: float = 30.0
    #: Prefixes offered to serialisers and to the query form (defaults to the project's PREFIXES).
    prefixes: dict[str, str] = field(default_factory=dict)
    #: Seconds between looks at the store link for a newly published build, which is then served without a
    #: restart (follow.py); 0 pins the build the server started with.
    follow_builds: float = 2.0
    #: A remote SPARQL 1.1 query endpoint to serve instead of the embedded store (`--store-url`); its default
    #: graph must be the union of its named graphs. None: the embedded store at `store`.
    store_url: str | None = None
    #: The folder of named queries (`<name>.rq` with a header) offered in the query editor.
    queries_dir: Path = QUERIES_DIR

    @property
    def slots_per_process(self) -> int:
        """Worker slots a process serves: every one when the store is in memory (pyoxigraph runs queries
        without the GIL, and each process would hold a copy of the store),
        else one (a process per slot, each reading the store on disk)."""
        return self.workers if self.in_memory else 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "store", Path(self.store))
        object.__setattr__(self, "queries_dir", Path(self.queries_dir))
        if not self.prefixes:
            object.__setattr__(self, "prefixes", dict(PREFIXES))
        if self.query_timeout <= 0:
            raise ValueError("query_timeout must be positive")
        if self.follow_builds < 0:
            raise ValueError("follow_builds cannot be negative")
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if self.worker_memory_mb < 0:
            raise ValueError("worker_memory_mb cannot be negative")
        if self.max_rows < 0 or self.max_body_bytes < 0:
            raise ValueError("max_rows and max_body_bytes cannot be negative")
