"""The build's SHACL gate is `andts validate`'s validation: violations stop publication with the report as
`andts validate` prints it, the previous store keeps serving; warnings are published and recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import URIRef

from andts import paths, store
from andts.build import build, gate, reference_graphs
from andts.errors import ValidationFailed
from andts.loaders.common import SourceInfo
from andts.validation import read_files, validate_dataset

KNOWN_DEFECTS = Path(__file__).parents[1] / "cli" / "fixtures" / "known-defects.ttl"


def example() -> SourceInfo:
    return SourceInfo.read(paths.TEMPLATES_DIR / "example.toml")


def test_gate_names_each_violation_like_andts_validate():
    graphs = reference_graphs()
    graphs[URIRef("https://w3id.org/andts/graph/testkommun-andts-2024-2027")] = read_files([KNOWN_DEFECTS])[None]
    with pytest.raises(ValidationFailed) as err:
        gate(validate_dataset(graphs, processes=2))
    text = str(err.value)
    assert text.startswith("2 SHACL violation(s); nothing was published")
    assert "Violation: shapes:Activity-focusArea (1)" in text and "Violation: shapes:Programme-period (1)" in text
    assert "line 44" in text and "value: '2024-01-01'" in text
    assert "Warning:" not in text  # the gate lists the violations only


def test_a_violating_build_keeps_the_old_store_and_its_build_json(tmp_path: Path):
    path = tmp_path / "store"
    build(path, sources=[example()])
    before = store.current_build_dir(path)
    info = (before / "build.json").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    text = (paths.TEMPLATES_DIR / "example.toml").read_text().replace('strategy = "2022-2025"', 'strategy = "1999-2000"')
    bad.write_text(text.replace('file = "example-activities.csv"', f'file = "{paths.TEMPLATES_DIR / "example-activities.csv"}"'))
    with pytest.raises(ValidationFailed, match="Violation: shapes:"):
        build(path, sources=[SourceInfo.read(bad)])
    assert store.current_build_dir(path) == before
    assert (before / "build.json").read_text(encoding="utf-8") == info


def test_the_published_warnings_are_the_gates(tmp_path: Path):
    path = tmp_path / "store"
    built = build(path, sources=[example()])
    recorded = json.loads((store.current_build_dir(path) / "build.json").read_text(encoding="utf-8"))["warnings"]
    again = validate_dataset(read_files([store.current_build_dir(path) / "dump.trig"]))
    assert {(w["sourceShape"], w["focusNode"]) for w in recorded} == \
        {(str(r.source_shape), str(r.focus_node)) for r in again.results} == \
        {(str(r.source_shape), str(r.focus_node)) for r in built.warnings}
