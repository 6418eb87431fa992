"""The embedded store on disk: one folder per build, and a link naming the build that is published.

Layout of a store folder DIR (the --store option):
    DIR                    symbolic link to the published build, swapped atomically by os.replace
    DIR.builds/<id>/       one build: oxigraph/ (the pyoxigraph store), dump.trig, dump.nq, build.json
A build is written completely before the link moves, so readers see the old build or the new one,
never a half-written store; a failed build leaves the link where it was.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from andts.errors import StoreError

OXIGRAPH_DIR = "oxigraph"
BUILD_FILE = "build.json"


@dataclass(frozen=True)
class BuildInfo:
    id: str
    created: str
    triples: int
    graphs: dict[str, int]
    sources: dict[str, str]  # source file → sha256
    version: str
    #: The SHACL warnings (and infos) of this build, as `andts validate --format json` gives each result;
    #: the server's /quality page lists them. Builds made before this field have none recorded.
    warnings: list[dict] = field(default_factory=list)


def builds_dir(store: Path) -> Path:
    return store.with_name(store.name + ".builds")


def new_build_dir(store: Path, build_id: str) -> Path:
    """A fresh folder for a build under construction (removed again if the build fails)."""
    parent = builds_dir(store)
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".{build_id}.{os.getpid()}.partial"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    return tmp


def publish(store: Path, partial: Path, build_id: str) -> Path:
    """Move a finished build into place and point the store link at it, atomically."""
    final = builds_dir(store) / build_id
    previous = current_build_dir(store)
    if final.exists() and final != previous:
        shutil.rmtree(final)
    if final == previous:
        # identical content is already published: keep serving it, drop the duplicate
        shutil.rmtree(partial)
    else:
        os.replace(partial, final)
    if store.exists() and not store.is_symlink():
        raise StoreError(f"{store} exists and is not a store link made by 'andts build'; move it away first")
    link_tmp = store.with_name(f".{store.name}.{os.getpid()}.link")
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    link_tmp.symlink_to(final.relative_to(store.parent) if final.is_relative_to(store.parent) else final)
    os.replace(link_tmp, store)
    _prune(store, keep={final, previous})
    return final


def _prune(store: Path, keep: set[Path | None]) -> None:
    """Keep the published build and the one before it (a server may still be reading it)."""
    for d in builds_dir(store).iterdir():
        if d.is_dir() and not d.name.startswith(".") and d not in keep:
            shutil.rmtree(d, ignore_errors=True)


def current_build_dir(store: Path) -> Path | None:
    if not store.is_symlink():
        return None
    target = store.resolve()
    return target if target.is_dir() else None


def read_build_info(store: Path) -> BuildInfo:
    d = current_build_dir(store)
    if d is None:
        raise StoreError(f"no built store at {store}: run 'andts build' first")
    try:
        return BuildInfo(**json.loads((d / BUILD_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise StoreError(f"the build at {d} is unreadable: {exc}") from exc


def write_build_info(folder: Path, info: BuildInfo) -> None:
    (folder / BUILD_FILE).write_text(json.dumps(asdict(info), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def open_store(store: Path) -> ox.Store:
    """The published build's pyoxigraph store, read-only (many readers may share it)."""
    d = current_build_dir(store)
    if d is None:
        raise StoreError(f"no built store at {store}: run 'andts build' first")
    try:
        return ox.Store.read_only(str(d / OXIGRAPH_DIR))
    except OSError as exc:
        raise StoreError(f"cannot open the store at {d / OXIGRAPH_DIR}: {exc}") from exc
