"""Published stores for the tests: the server tests' small fixture (tests/server/data/fixture.trig), published
with the functions `andts build` uses, so that the server opens it exactly as it opens a real build."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from andts import store as layout

DATA = Path(__file__).parents[1] / "server" / "data"
FIXTURE = DATA / "fixture.trig"
BUILD_ID = "testbuild0000001"
BUILD_CREATED = "2025-03-01T12:00:00+00:00"


def make_store(store: Path, trig: Path = FIXTURE, build_id: str = BUILD_ID, created: str = BUILD_CREATED) -> Path:
    """Publish `trig` as a build at the store link `store`, the way `andts build` does (the store, the dumps,
    build.json). Returns the link."""
    partial = layout.new_build_dir(store, build_id)
    ox_store = ox.Store(str(partial / layout.OXIGRAPH_DIR))
    ox_store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    ox_store.flush()
    graphs = {g.value: len(list(ox_store.quads_for_pattern(None, None, None, g))) for g in ox_store.named_graphs()}
    ox_store.dump(str(partial / "dump.trig"), format=ox.RdfFormat.TRIG)
    ox_store.dump(str(partial / "dump.nq"), format=ox.RdfFormat.N_QUADS)
    info = layout.BuildInfo(
        id=build_id, created=created, triples=sum(graphs.values()), graphs=graphs,
        sources={trig.name: "test"}, version="test",
    )
    del ox_store
    layout.write_build_info(partial, info)
    layout.publish(store, partial, build_id)
    return store
