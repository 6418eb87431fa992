"""The embedded store on disk: one folder per build, and a link naming the build that is published.

Layout of a store folder DIR (the --store option):
    DIR                    symbolic link to the published build, swapped atomically by os.replace
    DIR.builds/<id>/       one build: oxigraph/ (the pyoxigraph store), dump.trig, dump.nq, build.json
A build is written completely before the link moves, so readers see the old build or the new one,
never a half-written store; a failed build leaves the link where it was.

A build under construction is DIR.builds/.<id>.<pid>.<random>.partial, and its process holds an flock on that
folder until it is published or discarded. A build killed outright (SIGKILL, the OOM killer) cannot clean
up after itself, but the kernel drops its lock: the next build knows the folder is abandoned and removes
it (`clean_abandoned`), so disk use stays bounded however often builds are killed.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from andts.errors import StoreError

OXIGRAPH_DIR = "oxigraph"
DUMP_NQ = "dump.nq"
DUMP_TRIG = "dump.trig"
BUILD_FILE = "build.json"

_PARTIAL = re.compile(r"\..+\.partial")
#: Seconds a link temporary of a process not seen here is left alone (publishing takes milliseconds).
LINK_TEMPORARY_GRACE = 10.0
#: The flocked folder descriptor of each build this process is writing, by the folder's path.
_held: dict[Path, int] = {}


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


def validation_cache_dir(store: Path) -> Path:
    """Where the validation results of the last build are kept (`validation.cache`): not a build, never pruned."""
    return builds_dir(store) / ".validation-cache"


def new_build_dir(store: Path, build_id: str) -> Path:
    """A fresh folder for a build under construction, locked as in use by this process (release it with
    `publish` or `discard`). Folders left by builds that were killed are removed first."""
    parent = builds_dir(store)
    parent.mkdir(parents=True, exist_ok=True)
    clean_abandoned(store)
    while True:
        # A name of its own: another build may be writing one of the same id and PID (another thread, or
        # a process in another PID namespace sharing the volume); neither may remove the other's folder.
        tmp = parent / f".{build_id}.{os.getpid()}.{secrets.token_hex(4)}.partial"
        tmp.mkdir()
        fd = _lock(tmp, wait=True)
        # Another build's clean_abandoned may have taken the folder between mkdir and the lock (it was
        # unlocked then) and removed it: the descriptor is then of a deleted folder; make a new one.
        if _same_folder(fd, tmp):
            _held[tmp] = fd
            return tmp
        os.close(fd)


def discard(partial: Path) -> None:
    """Remove a build under construction (a failed build) and drop its lock."""
    shutil.rmtree(partial, ignore_errors=True)
    _release(partial)


def clean_abandoned(store: Path) -> list[Path]:
    """Remove the partial folders whose build process is gone (nobody holds their lock), and stale link
    temporaries of publications that were killed. Returns the folders removed."""
    removed = []
    parent = builds_dir(store)
    for d in sorted(parent.iterdir()) if parent.is_dir() else []:
        if not (_PARTIAL.fullmatch(d.name) and d.is_dir() and not d.is_symlink()) or d in _held:
            continue
        try:
            fd = _lock(d, wait=False)
        except (BlockingIOError, FileNotFoundError, NotADirectoryError):
            continue  # a live build is writing it, or it went away meanwhile
        try:
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
        finally:
            os.close(fd)
    _clean_link_temporaries(store)
    return removed


def _lock(folder: Path, wait: bool) -> int:
    """An flock on the folder itself: the kernel releases it when the process ends, however it ends, and
    it follows the folder through os.replace. Raises BlockingIOError when held and not `wait`."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BaseException:
        os.close(fd)
        raise
    return fd


def _same_folder(fd: int, folder: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(folder))
    except FileNotFoundError:
        return False


def _release(partial: Path) -> None:
    fd = _held.pop(partial, None)
    if fd is not None:
        os.close(fd)


def _link_temporary(store: Path, pid: int) -> Path:
    return store.with_name(f".{store.name}.{pid}.link")


def _clean_link_temporaries(store: Path) -> None:
    """The link made just before it replaces the store link is left behind when the build is killed in
    between; remove those of processes that no longer exist. A live one may be publishing right now, and
    one a little while old too if its process is in another PID namespace sharing the volume."""
    pattern = re.compile(rf"\.{re.escape(store.name)}\.(\d+)\.link")
    for p in store.parent.iterdir() if store.parent.is_dir() else []:
        m = pattern.fullmatch(p.name)
        if m and p.is_symlink() and not _process_exists(int(m.group(1))):
            try:
                if time.time() - p.lstat().st_mtime > LINK_TEMPORARY_GRACE:
                    p.unlink()
            except FileNotFoundError:
                pass


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def publish(store: Path, partial: Path, build_id: str) -> Path:
    """Move a finished build into place and point the store link at it, atomically.

    Each step leaves a consistent store if the process is killed right after it: until the link is
    replaced it names the previous build; a build folder moved into place but not linked is not published
    (the next publication of the same id replaces it, or _prune removes it)."""
    # before anything moves: a refusal must not leave a build folder behind
    if store.exists() and not store.is_symlink():
        raise StoreError(f"{store} exists and is not a store link made by 'andts build'; move it away first")
    final = builds_dir(store) / build_id
    previous = current_build_dir(store)
    if final.exists() and final != previous:
        shutil.rmtree(final)
    if final == previous:
        # identical content is already published: keep serving it, drop the duplicate
        shutil.rmtree(partial)
    else:
        os.replace(partial, final)
    _release(partial)
    link_tmp = _link_temporary(store, os.getpid())
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
        raw = json.loads((d / BUILD_FILE).read_text(encoding="utf-8"))
        _check_build_info(raw)
        return BuildInfo(**raw)
    except (OSError, ValueError, TypeError) as exc:
        raise StoreError(f"the build at {d} is unreadable: {d / BUILD_FILE}: {exc}") from exc


#: The type of each field of build.json: its readers format and count them without looking first.
_FIELD_TYPES: dict[str, type] = {"id": str, "created": str, "triples": int, "graphs": dict, "sources": dict,
                                 "version": str, "warnings": list}
_JSON_NAMES = {str: "string", int: "integer", dict: "object", list: "array"}


def _check_build_info(raw: object) -> None:
    """Raise TypeError unless `raw` has the shape BuildInfo needs (a JSON object with typed fields)."""
    if not isinstance(raw, dict):
        raise TypeError(f"a JSON object was expected, not {_JSON_NAMES.get(type(raw), type(raw).__name__)}")
    for name, kind in _FIELD_TYPES.items():
        if name in raw and (not isinstance(raw[name], kind) or isinstance(raw[name], bool)):
            raise TypeError(f"{name!r} should be a JSON {_JSON_NAMES[kind]}, not {raw[name]!r:.60}")
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in raw.get("graphs", {}).values()):
        raise TypeError("'graphs' does not give a triple count for each graph")


def write_build_info(folder: Path, info: BuildInfo) -> None:
    (folder / BUILD_FILE).write_text(json.dumps(asdict(info), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def open_store(store: Path) -> ox.Store:
    """The published build's pyoxigraph store, read-only (many readers may share it)."""
    d = current_build_dir(store)
    if d is None:
        raise StoreError(f"no built store at {store}: run 'andts build' first")
    try:
        return ox.Store.read_only(str(d / OXIGRAPH_DIR))
    except (OSError, RuntimeError, ValueError) as exc:  # RocksDB reports corruption as RuntimeError
        raise StoreError(f"cannot open the store at {d / OXIGRAPH_DIR}: {_one_line(exc)}") from exc


def _one_line(exc: BaseException) -> str:
    """RocksDB's messages may run over lines; the CLI prints an error as one line."""
    return " ".join(str(exc).split())
