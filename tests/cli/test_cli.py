"""The `andts` command as a user runs it: help everywhere, documented, errors on stderr with exit codes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import URIRef

from andts import paths
from andts.cli import build_parser

FIXTURES = Path(__file__).parent / "fixtures"


def andts(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "andts.cli", *args], capture_output=True, text=True, env=env, timeout=300)


def commands() -> list[str]:
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    return sorted(sub.choices)


def test_top_level_help():
    r = andts("--help")
    assert r.returncode == 0 and "usage: andts" in r.stdout
    for name in commands():
        assert name in r.stdout


@pytest.mark.parametrize("name", commands())
def test_every_command_has_help(name: str):
    r = andts(name, "--help")
    assert r.returncode == 0
    assert r.stdout.startswith(f"usage: andts {name}")


@pytest.mark.parametrize("name", commands())
def test_every_command_is_documented_in_the_readme(name: str):
    assert f"andts {name}" in (paths.ROOT / "README.md").read_text(encoding="utf-8")


def test_unknown_command_fails_on_stderr():
    r = andts("frobnicate")
    assert r.returncode == 2 and "invalid choice" in r.stderr and r.stdout == ""


def test_validate_reference_data_conforms():
    r = andts("validate", *map(str, paths.reference_files()))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Conforms" in r.stdout


def test_validate_reports_violations_with_exit_1():
    r = andts("validate", str(FIXTURES / "broken-activity.ttl"))
    assert r.returncode == 1
    assert "Violation" in r.stdout and "broken-activity" in r.stdout


def test_validate_json_report():
    import json
    r = andts("validate", "--format", "json", str(FIXTURES / "broken-activity.ttl"))
    report = json.loads(r.stdout)
    assert report["conforms"] is False
    assert any(x["focusNode"].endswith("/broken-activity") and x["severity"] == "Violation" for x in report["results"])


def test_validate_unparsable_file_exit_2_names_the_line():
    r = andts("validate", str(FIXTURES / "unparsable.ttl"))
    assert r.returncode == 2
    assert "unparsable.ttl" in r.stderr and "line 3" in r.stderr
    assert r.stdout == ""


def test_missing_store_is_a_clear_error(tmp_path):
    r = andts("export", "--store", str(tmp_path / "none"))
    assert r.returncode == 2
    assert "no built store" in r.stderr and "Traceback" not in r.stderr


def test_store_from_the_environment(tmp_path):
    import os
    env = dict(os.environ, ANDTS_STORE=str(tmp_path / "from-env"))
    r = andts("export", env=env)
    assert r.returncode == 2 and str(tmp_path / "from-env") in r.stderr


@pytest.mark.slow  # `andts build` of the real sources in a process of its own
def test_build_then_export_the_real_sources(tmp_path):
    """The whole pipeline as a user runs it: build both programmes, export every format."""
    import json

    from rdflib import Dataset, Graph

    store_dir = str(tmp_path / "store")
    r = andts("build", "--store", store_dir)
    assert r.returncode == 0, r.stderr
    assert "stockholm-andts-2023-2026" in r.stdout and "eskilstuna-andt-2019-2023" in r.stdout
    assert "findings" in r.stdout
    # progress on stderr, one line a step, so that a long (national) build shows where it is
    steps = [line.removeprefix("andts build: ") for line in r.stderr.splitlines() if line.startswith("andts build: ")]
    assert [s.split(" ")[0] for s in steps] == ["validating", "loaded", "loaded", "validated", "writing"]
    loaded = re.match(r"loaded 1/2 eskilstuna-andt-2019-2023.txt: (\d+) triples", steps[1])
    assert loaded, steps[1]
    nq = andts("export", "--format", "nquads", "--store", store_dir)
    ds = Dataset()
    ds.parse(data=nq.stdout, format="nquads")
    # the count reported is the programme graph's, as published
    assert int(loaded.group(1)) == len(ds.graph(URIRef("https://w3id.org/andts/graph/eskilstuna-andt-2019-2023")))
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert {"https://w3id.org/andts/graph/stockholm-andts-2023-2026", "https://w3id.org/andts/graph/eskilstuna-andt-2019-2023",
            "https://w3id.org/andts/graph/ontology"} <= names
    ttl = andts("export", "--format", "turtle", "--store", store_dir)
    assert len(Graph().parse(data=ttl.stdout, format="turtle")) > 0
    jl = andts("export", "--format", "jsonld", "--store", store_dir)
    doc = json.loads(jl.stdout)
    assert "@context" in doc and all(not str(v).startswith("http") or k != "@context" for k, v in doc.items())
    again = Dataset()
    again.parse(data=jl.stdout, format="json-ld")
    assert len(again) == len(ds)


@pytest.mark.slow  # two builds in processes of their own
def test_build_with_a_malformed_source_keeps_the_published_store(tmp_path):
    """`andts build` on a project whose Stockholm document was truncated mid-table: exit 2, the file and
    line on stderr, and the store published before still answers with all its data."""
    import os
    import shutil

    home = tmp_path / "project"
    (home / "data" / "sources").mkdir(parents=True)
    for part in ("ontology", "shapes"):
        (home / part).symlink_to(paths.ROOT / part)
    (home / "data" / "reference").symlink_to(paths.REFERENCE_DIR)
    for f in paths.SOURCES_DIR.glob("stockholm-*"):
        shutil.copy(f, home / "data" / "sources" / f.name)
    env = dict(os.environ, ANDTS_HOME=str(home), ANDTS_STORE=str(tmp_path / "store"))
    assert andts("build", env=env).returncode == 0
    before = andts("export", "--format", "nquads", env=env).stdout

    doc = home / "data" / "sources" / "stockholm-andts-2023-2026.txt"
    lines = doc.read_text(encoding="utf-8").split("\n")
    doc.write_text("\n".join(lines[:40]) + "\n\nInsatsområden mål 9\tAktivitet\tUtförare\n", encoding="utf-8")
    r = andts("build", env=env)
    assert r.returncode == 2
    assert "stockholm-andts-2023-2026.txt:42" in r.stderr and "Traceback" not in r.stderr
    assert andts("export", "--format", "nquads", env=env).stdout == before


@pytest.mark.slow  # two builds of the real sources, each in a process of its own
def test_two_build_processes_give_the_same_build(tmp_path):
    """Same sources, separate processes (fresh blank-node labels in each parse, another hash seed): same id,
    same bytes in both dumps."""
    import json

    ids, dumps = [], []
    for name in ("one", "two"):
        store_dir = tmp_path / name
        assert andts("build", "--store", str(store_dir)).returncode == 0
        folder = store_dir.resolve()
        ids.append(json.loads((folder / "build.json").read_text())["id"])
        dumps.append(((folder / "dump.nq").read_bytes(), (folder / "dump.trig").read_bytes()))
    assert ids[0] == ids[1]
    assert dumps[0] == dumps[1]
