"""A store that cannot be opened is a clear error at start-up: `andts serve` (and `export`, `query`) exit 2
with one line on stderr naming what is wrong, never a traceback, and never start serving.

Each case damages a copy of a real published build: no store, a link to nothing, RocksDB files truncated
or overwritten, build.json unreadable or of the wrong shape.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support.servers import free_port

from andts import paths, store
from andts.build import build
from andts.loaders.common import SourceInfo


def andts(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "andts.cli", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published build of the template's example (small and quick), never changed: cases damage copies."""
    link = tmp_path_factory.mktemp("good") / "store"
    build(link, sources=[SourceInfo.read(paths.TEMPLATES_DIR / "example.toml")])
    return link


def copy_store(good: Path, where: Path) -> Path:
    """A copy of the store (its link and builds folder) at `where`/store."""
    where.mkdir(parents=True, exist_ok=True)
    shutil.copytree(store.builds_dir(good), store.builds_dir(where / "store"), symlinks=True)
    (where / "store").symlink_to(store.builds_dir(where / "store").name + "/" + store.current_build_dir(good).name)
    assert store.current_build_dir(where / "store") is not None
    return where / "store"


def folder(link: Path) -> Path:
    d = store.current_build_dir(link)
    assert d is not None
    return d


def sst_files(link: Path) -> list[Path]:
    files = sorted((folder(link) / store.OXIGRAPH_DIR).glob("*.sst"))
    assert files, "the store has no table files to damage"
    return files


def truncate_tables(link: Path) -> None:
    for f in sst_files(link):
        with f.open("r+b") as fh:
            fh.truncate(f.stat().st_size // 2)


def overwrite(name: str) -> Callable[[Path], None]:
    def damage(link: Path) -> None:
        for f in (folder(link) / store.OXIGRAPH_DIR).glob(name):
            f.write_bytes(b"\x00not a rocksdb file\n" * 20)
    return damage


def empty_oxigraph(link: Path) -> None:
    for f in (folder(link) / store.OXIGRAPH_DIR).iterdir():
        f.unlink()


def no_oxigraph(link: Path) -> None:
    shutil.rmtree(folder(link) / store.OXIGRAPH_DIR)


def build_json(text: str | bytes) -> Callable[[Path], None]:
    def damage(link: Path) -> None:
        f = folder(link) / store.BUILD_FILE
        f.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return damage


def edit_build_json(**fields: object) -> Callable[[Path], None]:
    def damage(link: Path) -> None:
        f = folder(link) / store.BUILD_FILE
        info = json.loads(f.read_text(encoding="utf-8"))
        info.update(fields)
        f.write_text(json.dumps(info), encoding="utf-8")
    return damage


def no_build_json(link: Path) -> None:
    (folder(link) / store.BUILD_FILE).unlink()


def dangling_link(link: Path) -> None:
    shutil.rmtree(folder(link))


#: (case, damage, what the message must say)
CASES = [
    pytest.param(dangling_link, "no built store", id="link to a removed build"),
    pytest.param(truncate_tables, "cannot open the store at .*Corruption", id="table files truncated"),
    pytest.param(overwrite("*.sst"), "cannot open the store at .*Corruption", id="table files garbage"),
    pytest.param(overwrite("MANIFEST-*"), "cannot open the store at .*Corruption", id="MANIFEST garbage"),
    pytest.param(overwrite("CURRENT"), "cannot open the store at .*Corruption", id="CURRENT garbage"),
    pytest.param(empty_oxigraph, "cannot open the store at .*CURRENT", id="oxigraph folder emptied"),
    pytest.param(no_oxigraph, "has no oxigraph/", id="no oxigraph folder"),
    pytest.param(build_json(b"\xff\xfe garbage \x00\x01"), "unreadable.*build.json", id="build.json binary garbage"),
    pytest.param(build_json('{"id": "abc", "triples": 12'), "unreadable.*build.json", id="build.json truncated"),
    pytest.param(build_json("[1, 2, 3]"), "unreadable.*JSON object", id="build.json a list"),
    pytest.param(build_json('{"id": "abc"}'), "unreadable.*missing", id="build.json without fields"),
    pytest.param(edit_build_json(triples="many"), "unreadable.*'triples' should be a JSON integer, not 'many'", id="build.json triples text"),
    pytest.param(edit_build_json(graphs=[1, 2]), "unreadable.*'graphs' should be a JSON object", id="build.json graphs a list"),
    pytest.param(edit_build_json(graphs={"urn:g": "x"}), "unreadable.*'graphs' does not give",
                 id="build.json graphs without counts"),
    pytest.param(no_build_json, "unreadable.*No such file", id="no build.json"),
]


def assert_clear_error(r: subprocess.CompletedProcess, command: str, pattern: str) -> None:
    import re

    assert r.returncode == 2, f"exit {r.returncode}:\n{r.stderr[-3000:]}"
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr[-3000:]
    assert lines[0].startswith(f"andts {command}: error: ")
    assert re.search(pattern, lines[0]), lines[0]


def test_serve_without_a_store(tmp_path: Path) -> None:
    r = andts("serve", "--store", str(tmp_path / "none"), "--port", str(free_port()))
    assert_clear_error(r, "serve", "no built store at .*none: run 'andts build' first")


@pytest.mark.slow  # `andts serve` in a process of its own for each of 16 damages
@pytest.mark.parametrize(("damage", "pattern"), CASES)
def test_serve_on_a_damaged_store(good: Path, tmp_path: Path, damage: Callable[[Path], None], pattern: str) -> None:
    link = copy_store(good, tmp_path)
    damage(link)
    # a server that started anyway would run until the timeout: the test fails then, it does not hang
    r = andts("serve", "--store", str(link), "--port", str(free_port()), "--workers", "1")
    assert_clear_error(r, "serve", pattern)
    assert "SPARQL endpoint at" not in r.stderr


@pytest.mark.parametrize("command", [["export"], ["query", "programmes"]])
def test_reading_commands_on_a_corrupted_store(good: Path, tmp_path: Path, command: list[str]) -> None:
    link = copy_store(good, tmp_path)
    truncate_tables(link)
    r = andts(*command, "--store", str(link))
    assert_clear_error(r, command[0], "cannot open the store at .*Corruption")
    assert r.stdout == ""


def test_the_undamaged_copy_serves(good: Path, tmp_path: Path) -> None:
    """The copies themselves are sound: without damage the same commands work."""
    link = copy_store(good, tmp_path)
    r = andts("export", "--format", "nquads", "--store", str(link))
    assert r.returncode == 0 and len(r.stdout.splitlines()) == store.read_build_info(link).triples
