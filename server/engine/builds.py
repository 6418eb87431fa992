"""The build being served: found through the store link, pinned, opened read-only or in memory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from andts import store as layout
from andts.errors import StoreError


@dataclass(frozen=True)
class Build:
    """One published build, pinned: the server keeps serving it even if the store link moves on.
    `folder` is None when the data is in a remote store (remote.py): there are no local files then."""

    folder: Path | None
    info: layout.BuildInfo

    @property
    def oxigraph_dir(self) -> Path:
        assert self.folder is not None, "a remote store has no local folder"
        return self.folder / layout.OXIGRAPH_DIR


def locate_build(store: Path) -> Build:
    """The build the store link points to now. Raises StoreError when there is none or it is unreadable."""
    store = Path(store)
    for _ in range(3):  # the link may move between the two reads; then read again
        folder = layout.current_build_dir(store)
        info = layout.read_build_info(store)
        if folder is not None and layout.current_build_dir(store) == folder:
            if not (folder / layout.OXIGRAPH_DIR).is_dir():
                raise StoreError(f"the build at {folder} has no {layout.OXIGRAPH_DIR}/ store")
            return Build(folder=folder, info=info)
    raise StoreError(f"the store at {store} keeps changing; try again when 'andts build' has finished")


def open_build(build: Build, in_memory: bool = False) -> ox.Store:
    """The build's pyoxigraph store: read-only on disk, or an in-memory copy loaded from its dump.nq."""
    if in_memory:
        return _load_in_memory(build)
    try:
        return ox.Store.read_only(str(build.oxigraph_dir))
    except (OSError, RuntimeError, ValueError) as exc:  # RocksDB reports corruption as RuntimeError
        raise StoreError(f"cannot open the store at {build.oxigraph_dir}: {exc}") from exc


def _load_in_memory(build: Build) -> ox.Store:
    assert build.folder is not None, "a remote store has no local dump"
    dump = build.folder / layout.DUMP_NQ
    store = ox.Store()  # in memory: no files, nothing to lock
    try:
        store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    except (OSError, SyntaxError, ValueError) as exc:
        raise StoreError(f"cannot load the build's dump {dump} into memory: {exc}") from exc
    return store
