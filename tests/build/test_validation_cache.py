"""Validation results kept between builds (andts/validation/cache.py): a build validates again only the runs
of programme graphs whose content, reference data, shapes or versions changed, and finds what a build
without the cache finds — a new violation is never hidden by results kept from before."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import andts.build as b
import andts.validation as v
from andts import paths, store
from andts.build import build, discover_sources
from andts.commands.validate import cache_of, read_dump
from andts.errors import ValidationFailed
from andts.loaders.common import SourceInfo
from andts.validation import validate_dataset
from andts.validation.cache import RUN_MARK, digest_nquads, digests_of_dump, fingerprint, stable_batches


def load_built(store_path: Path):
    """The published build's graphs, its validation cache and its graphs' digests, as `andts validate` reads them."""
    dump, data = read_dump(store_path)
    digests = digests_of_dump(data)
    return v.parse_rdf(data, v.format_of(dump.name), str(dump)), cache_of(store_path, digests), digests


@pytest.fixture
def forked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build in forked loaders and validation runs on a machine of any size."""
    monkeypatch.setattr(b.os, "cpu_count", lambda: 2)


def example(folder: Path, strategy: str = "2022-2025") -> SourceInfo:
    """The template's example as a source of its own (a copy that a test may change)."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(paths.TEMPLATES_DIR / "example-activities.csv", folder / "example-activities.csv")
    text = (paths.TEMPLATES_DIR / "example.toml").read_text(encoding="utf-8")
    (folder / "example.toml").write_text(text.replace('strategy = "2022-2025"', f'strategy = "{strategy}"'), encoding="utf-8")
    return SourceInfo.read(folder / "example.toml")


@pytest.mark.slow  # builds the real sources twice, in forked processes
def test_a_second_build_keeps_the_results_of_the_first(tmp_path: Path, forked: None) -> None:
    sources = [*discover_sources(), example(tmp_path / "src")]
    first_lines: list[str] = []
    first = build(tmp_path / "store", sources=sources, progress=first_lines.append)
    assert not any("unchanged" in line for line in first_lines)
    cached = sorted(store.validation_cache_dir(tmp_path / "store").iterdir())
    assert cached and all(f.name.endswith(".conforms.nt") for f in cached)
    lines: list[str] = []
    second = build(tmp_path / "store", sources=sources, progress=lines.append)
    assert "3/3 programme graphs unchanged since the last validation: their results are kept" in lines
    assert not any(line.startswith("validated 3/3 programme graphs") for line in lines)  # nothing validated again
    assert second.info.id == first.info.id and second.info.warnings == first.info.warnings
    assert sorted(store.validation_cache_dir(tmp_path / "store").iterdir()) == cached


@pytest.mark.slow  # builds twice, in forked processes
def test_a_changed_programme_is_validated_again_and_its_violation_stops_the_build(
        tmp_path: Path, forked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import andts.validation.cache as vc

    monkeypatch.setattr(vc, "RUN_MARK", 1)  # a run per programme: the other two are kept
    good = [*discover_sources(), example(tmp_path / "good")]
    build(tmp_path / "store", sources=good)
    before = store.current_build_dir(tmp_path / "store")
    bad = [*discover_sources(), example(tmp_path / "bad", strategy="1999-2000")]  # no such national strategy
    lines: list[str] = []
    with pytest.raises(ValidationFailed) as err:
        build(tmp_path / "store", sources=bad, progress=lines.append)
    assert "national-strategy/1999-2000" in str(err.value)
    assert store.current_build_dir(tmp_path / "store") == before
    # the runs without the changed programme came from the cache, its run was validated again
    assert "2/3 programme graphs unchanged since the last validation: their results are kept" in lines
    assert any(line.startswith("validated 3/3 programme graphs") for line in lines)


@pytest.mark.slow  # builds the real sources twice, in forked processes
def test_a_damaged_entry_is_validated_again(tmp_path: Path, forked: None) -> None:
    sources = [*discover_sources(), example(tmp_path / "src")]
    first = build(tmp_path / "store", sources=sources)
    for f in store.validation_cache_dir(tmp_path / "store").iterdir():
        f.write_bytes(f.read_bytes()[: len(f.read_bytes()) // 2])  # cut short, as a full disk would
    lines: list[str] = []
    second = build(tmp_path / "store", sources=sources, progress=lines.append)
    assert not any("unchanged" in line for line in lines)
    assert second.info.warnings == first.info.warnings


@pytest.mark.slow  # a build in forked processes, then `andts validate`
def test_andts_validate_of_the_build_reads_the_builds_results(tmp_path: Path, forked: None) -> None:
    sources = [*discover_sources(), example(tmp_path / "src")]
    build(tmp_path / "store", sources=sources)
    graphs, cache, digests = load_built(tmp_path / "store")
    lines: list[str] = []
    kept = validate_dataset(graphs, processes=2, cache=cache, digests=digests, progress=lines.append)
    assert lines and lines[-1].startswith("3/3 programme graphs unchanged")
    assert not any(line.startswith("validated") for line in lines)
    fresh = validate_dataset(graphs, processes=2)
    assert {r.key for r in kept.results} == {r.key for r in fresh.results}
    assert v.as_text(kept) == v.as_text(fresh)
    assert v.as_json(kept) == v.as_json(fresh)


def test_the_fingerprint_follows_the_shapes_and_the_reference_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = {"https://w3id.org/andts/graph/reference/laws": "a"}
    base = fingerprint(reference)
    assert fingerprint(reference) == base
    assert fingerprint({**reference, "https://w3id.org/andts/graph/reference/laws": "b"}) != base
    copies = []
    for f in paths.shape_files():
        copies.append(tmp_path / f.name)
        shutil.copy(f, copies[-1])
    monkeypatch.setattr(paths, "shape_files", lambda: copies)
    assert fingerprint(reference) == base
    copies[0].write_text(copies[0].read_text(encoding="utf-8") + "\n# a changed shape\n", encoding="utf-8")
    assert fingerprint(reference) != base


def test_digests_ignore_the_order_of_lines() -> None:
    a = b'<x:a> <x:b> "1" <x:g> .\n<x:c> <x:d> "2" <x:g> .\n'
    assert digest_nquads(a) == digest_nquads(b"\n".join(reversed(a.splitlines())) + b"\n")
    assert digest_nquads(a) != digest_nquads(a.replace(b'"2"', b'"3"'))


def test_runs_are_cut_by_the_graphs_not_their_places() -> None:
    names = sorted(f"https://w3id.org/andts/graph/p{i:04d}" for i in range(200))
    runs = stable_batches(names, v.MAX_BATCH)
    assert [i for r in runs for i in r] == list(range(200)) and all(len(r) <= v.MAX_BATCH for r in runs)
    assert 200 / len(runs) > min(RUN_MARK, v.MAX_BATCH) / 3  # runs of several programmes
    # a new programme changes the run it joins, not the others
    grown = sorted([*names, "https://w3id.org/andts/graph/p0100x"])
    before = {tuple(names[i] for i in r) for r in runs}
    after = {tuple(grown[i] for i in r) for r in stable_batches(grown, v.MAX_BATCH)}
    assert len(before - after) <= 2


@pytest.mark.slow  # a build in forked processes, then `andts validate`
def test_andts_validate_with_every_run_kept_reads_only_what_the_report_shows(
        tmp_path: Path, forked: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """With every run in the cache, `andts validate` of the build converts only the names, lines and sources
    of the data (validation.context_of), not the whole dump; its reports are those of a fresh validation."""
    import argparse

    from andts.commands import validate as command

    build(tmp_path / "store", sources=[*discover_sources(), example(tmp_path / "src")])

    def output(fmt: str) -> tuple[str, str]:
        code = command.run(argparse.Namespace(files=[], store=str(tmp_path / "store"), no_reference=False, format=fmt))
        assert code == 0
        captured = capsys.readouterr()
        return captured.out, captured.err

    converted: list[int] = []
    real_parse = command.parse_rdf
    monkeypatch.setattr(command, "parse_rdf", lambda *a, **k: converted.append(1) or real_parse(*a, **k))
    kept = {fmt: output(fmt) for fmt in ("text", "json", "turtle")}
    assert not converted and all("3/3 programme graphs unchanged" in err for _out, err in kept.values())
    shutil.rmtree(store.validation_cache_dir(tmp_path / "store"))
    fresh = {fmt: output(fmt)[0] for fmt in ("text", "json")}
    assert converted  # nothing kept: the whole dump was read and validated
    assert kept["text"][0] == fresh["text"] and kept["json"][0] == fresh["json"]
    from rdflib import Graph
    from rdflib.namespace import RDF

    from andts.namespaces import SH

    report = Graph().parse(data=kept["turtle"][0], format="turtle")
    assert len(set(report.subjects(RDF.type, SH.ValidationResult))) == len(v.as_json(load_report(tmp_path))["results"])


def load_report(tmp_path: Path) -> v.Report:
    graphs, _cache, _digests = load_built(tmp_path / "store")
    return validate_dataset(graphs, processes=2)


terms = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
iris = st.integers(0, 4).map(lambda i: ox.NamedNode(f"https://example.org/n{i}"))
literals = st.one_of(
    terms.map(ox.Literal),
    st.tuples(terms, st.sampled_from(["sv", "en-GB"])).map(lambda t: ox.Literal(t[0], language=t[1])),
    st.tuples(terms, iris).map(lambda t: ox.Literal(t[0], datatype=t[1])),
    st.just(ox.Literal('ends like a quad "x" <https://example.org/g0> .')))
graph_names = st.one_of(st.just(ox.DefaultGraph()), iris, st.just(ox.BlankNode("g")))


@settings(max_examples=200, deadline=None)
@given(quads=st.lists(st.builds(ox.Quad, st.one_of(iris, st.just(ox.BlankNode("b"))), iris,
                                st.one_of(iris, literals), graph_names), max_size=12))
def test_digests_of_a_dump_read_line_by_line_are_those_of_its_parsed_quads(quads: list[ox.Quad]) -> None:
    from andts.validation.cache import _digests_parsed

    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert digests_of_dump(data) == _digests_parsed(data)
    odd = b"# a comment\n" + data.replace(b" .\n", b"  .\n")  # not as pyoxigraph writes: parsed instead
    assert digests_of_dump(odd) == _digests_parsed(data)
