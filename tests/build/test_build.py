"""The build: validate, write, publish atomically; a failure leaves the published store as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from andts import paths, store
from andts.build import build
from andts.errors import SourceError, ValidationFailed
from andts.loaders.common import SourceInfo

TEMPLATES = Path(__file__).parents[1] / "loaders" / "fixtures" / "template"


def example() -> SourceInfo:
    return SourceInfo.read(paths.TEMPLATES_DIR / "example.toml")


def count(path: Path) -> int:
    s = store.open_store(path)
    return int(next(iter(s.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "store"
    return path, build(path, sources=[example()])


def test_publishes_a_link_to_a_complete_build(built):
    path, result = built
    assert path.is_symlink()
    folder = store.current_build_dir(path)
    assert folder is not None and folder.name == result.info.id
    assert {p.name for p in folder.iterdir()} == {"oxigraph", "dump.trig", "dump.nq", "build.json"}
    assert json.loads((folder / "build.json").read_text())["id"] == result.info.id
    assert count(path) == result.info.triples


def test_named_graphs_ontology_reference_and_programme(built):
    path, result = built
    graphs = set(result.info.graphs)
    assert "https://w3id.org/andts/graph/ontology" in graphs
    assert {f"https://w3id.org/andts/graph/reference/{f.stem}" for f in paths.reference_files()} <= graphs
    assert "https://w3id.org/andts/graph/template-example-stockholm-goal-4" in graphs


def test_dumps_are_the_same_dataset(built):
    path, _ = built
    folder = store.current_build_dir(path)
    trig, nq = Dataset(), Dataset()
    trig.parse(folder / "dump.trig", format="trig")
    nq.parse(folder / "dump.nq", format="nquads")
    assert len(trig) == len(nq) > 0
    for g in nq.graphs():
        if len(g):
            assert isomorphic(g, trig.graph(g.identifier)), g.identifier


def test_same_sources_give_the_same_build(tmp_path, built):
    _, first = built
    second = build(tmp_path / "store", sources=[example()])
    assert second.info.id == first.info.id
    a = (store.current_build_dir(built[0]) / "dump.nq").read_bytes()
    b = (store.current_build_dir(tmp_path / "store") / "dump.nq").read_bytes()
    assert a == b


def test_a_bad_source_leaves_the_published_store(tmp_path):
    path = tmp_path / "store"
    good = build(path, sources=[example()])
    before = store.current_build_dir(path)
    with pytest.raises(SourceError):
        build(path, sources=[example(), SourceInfo.read(TEMPLATES / "wrong-cells.toml")])
    assert store.current_build_dir(path) == before
    assert count(path) == good.info.triples
    assert not [p for p in store.builds_dir(path).iterdir() if p.name.endswith(".partial")]


def test_violations_stop_publication(tmp_path):
    path = tmp_path / "store"
    build(path, sources=[example()])
    before = store.current_build_dir(path)
    bad = tmp_path / "bad.toml"
    text = (paths.TEMPLATES_DIR / "example.toml").read_text().replace('strategy = "2022-2025"', 'strategy = "1999-2000"')
    bad.write_text(text.replace('file = "example-activities.csv"', f'file = "{paths.TEMPLATES_DIR / "example-activities.csv"}"'))
    with pytest.raises(ValidationFailed) as err:
        build(path, sources=[SourceInfo.read(bad)])
    assert "national-strategy/1999-2000" in str(err.value)
    assert store.current_build_dir(path) == before


def test_a_foreign_folder_is_not_overwritten(tmp_path):
    path = tmp_path / "store"
    path.mkdir()
    (path / "precious.txt").write_text("keep me")
    with pytest.raises(Exception, match="not a store link"):
        build(path, sources=[example()])
    assert (path / "precious.txt").read_text() == "keep me"
    # refused before anything moved: no build folder (a whole store's worth of disk) is left behind; the
    # validation results the build kept are not a build (they serve the next build of the same sources)
    left = list(store.builds_dir(path).iterdir())
    assert left in ([], [store.validation_cache_dir(path)])


def test_store_is_opened_read_only(built):
    path, _ = built
    s = store.open_store(path)
    with pytest.raises((OSError, RuntimeError), match="read-write|read.only|ReadOnly"):
        s.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:c")))


def several() -> list[SourceInfo]:
    """Both real programmes and the template's example: enough sources to load in processes."""
    from andts.build import discover_sources

    return [*discover_sources(), example()]


@pytest.mark.slow  # builds several programmes twice, once in forked processes
def test_processes_build_what_one_process_builds(tmp_path, monkeypatch):
    import andts.build as b

    monkeypatch.setattr(b.os, "cpu_count", lambda: 1)  # loaded and validated in this process
    alone = build(tmp_path / "one", sources=several())
    monkeypatch.setattr(b.os, "cpu_count", lambda: 2)  # loaded and validated in runs in forked processes
    lines: list[str] = []
    forked = build(tmp_path / "two", sources=several(), progress=lines.append)
    assert forked.info.id == alone.info.id
    assert forked.info.warnings == alone.info.warnings
    assert (store.current_build_dir(tmp_path / "one") / "dump.nq").read_bytes() == \
        (store.current_build_dir(tmp_path / "two") / "dump.nq").read_bytes()
    assert f"loaded {len(several())}/{len(several())} " in "\n".join(lines)
    assert any(line.startswith("validated 3/3 programme graphs") for line in lines)
    # the graphs stayed where they were loaded and validated (in forked processes or not), their tallies came back
    assert all(len(load.graph) == 0 and load.tally for load in [*forked.loads, *alone.loads])
    assert [load.tally for load in forked.loads] == [load.tally for load in alone.loads]
    assert b.summary(forked) == b.summary(alone)
    assert forked.info.graphs == alone.info.graphs


def test_a_bad_source_in_a_forked_loader_is_named(tmp_path, monkeypatch):
    import andts.build as b

    monkeypatch.setattr(b.os, "cpu_count", lambda: 2)
    bad = SourceInfo.read(TEMPLATES / "wrong-cells.toml")
    with pytest.raises(SourceError) as forked:
        build(tmp_path / "store", sources=[*several(), bad])
    with pytest.raises(SourceError) as alone:
        b.run_loader(bad, b.reference_union(b.reference_graphs()))
    assert str(forked.value) == str(alone.value) and forked.value.line == alone.value.line
    assert not (tmp_path / "store").exists() or store.current_build_dir(tmp_path / "store") is None


def test_a_store_that_cannot_be_written_fails_the_write(tmp_path):
    """The on-disk store is loaded in a thread beside the dumps: its failure still reaches the build."""
    from andts.build import reference_graphs, write

    (tmp_path / store.OXIGRAPH_DIR).write_text("not a folder")
    with pytest.raises(Exception) as err:
        write(reference_graphs(), tmp_path)
    assert not isinstance(err.value, AssertionError)
    assert (tmp_path / "dump.nq").is_file()  # the dumps were written meanwhile; build() discards the folder
