"""`andts validate` as a maintainer runs it: the built graph by default or the files named, each exit code,
a report that lists exactly the known defects of a file (text, JSON, Turtle), parse errors with the line.

Fixtures (tests/cli/fixtures/): known-defects.ttl is the valid programme of tests/shapes/valid with three
marked defects; unparsable.{ttl,nt,jsonld,trig} each break at a known line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF
from support.known_defects import DEFECTS, ID, KNOWN_DEFECTS, PROGRAMME, SHAPES

from andts import paths
from andts.namespaces import SH
from andts.validation import validate_dataset

FIXTURES = Path(__file__).parent / "fixtures"


def andts(*args: str, store: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if store is not None:
        env["ANDTS_STORE"] = str(store)
    return subprocess.run([sys.executable, "-m", "andts.cli", "validate", *args], capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.fixture(scope="module")
def baseline() -> set[tuple[str, str, str]]:
    """What the reference data reports on its own (the tests expect it besides a file's defects)."""
    report = validate_dataset({None: Graph()})
    return {(str(r.source_shape), str(r.focus_node), str(r.severity).rsplit("#", 1)[-1]) for r in report.results}


@pytest.fixture(scope="module")
def built(real_build):
    """The session's build of the project's sources (tests/conftest.py), and what build() returned."""
    return real_build.store, real_build.built


def triples_of(records: list[dict]) -> set[tuple[str, str, str]]:
    return {(r["sourceShape"], r["focusNode"], r["severity"]) for r in records}


# --- exit codes -------------------------------------------------------------------------------------


def test_a_conforming_file_exits_0():
    r = andts(str(paths.ROOT / "tests" / "shapes" / "valid" / "programme.ttl"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.rstrip().splitlines()[-1].startswith("Conforms: 0 violation(s)")


def test_violations_exit_1():
    r = andts(str(KNOWN_DEFECTS))
    assert r.returncode == 1, r.stderr
    assert "Does not conform: 2 violation(s)" in r.stdout


@pytest.mark.parametrize("name, line", [("unparsable.ttl", 3), ("unparsable.nt", 2), ("unparsable.jsonld", 3),
                                        ("unparsable.trig", 5)])
def test_an_unparsable_file_exits_2_with_the_parsers_line(name: str, line: int):
    r = andts(str(KNOWN_DEFECTS), str(FIXTURES / name))
    assert r.returncode == 2
    assert r.stdout == ""
    assert name in r.stderr and f"line {line}" in r.stderr and "Traceback" not in r.stderr


def test_a_missing_file_exits_2():
    r = andts(str(FIXTURES / "no-such-file.ttl"))
    assert r.returncode == 2 and "no-such-file.ttl: no such file" in r.stderr


def test_no_built_store_exits_2(tmp_path: Path):
    r = andts(store=tmp_path / "none")
    assert r.returncode == 2 and "no built store" in r.stderr and "Traceback" not in r.stderr


# --- the report lists exactly the defects ----------------------------------------------------------------


def test_json_report_lists_exactly_the_known_defects(baseline):
    r = andts("--format", "json", str(KNOWN_DEFECTS))
    assert r.returncode == 1
    report = json.loads(r.stdout)
    assert report["conforms"] is False
    assert triples_of(report["results"]) == DEFECTS | baseline
    assert DEFECTS.isdisjoint(baseline)


def test_json_report_gives_label_source_line_value_and_message():
    report = json.loads(andts("--format", "json", str(KNOWN_DEFECTS)).stdout)
    period = next(x for x in report["results"] if x["sourceShape"] == SHAPES + "Programme-period")
    assert period["focusLabel"].startswith("Program mot alkohol")
    assert period["sourceDocument"] == ID + "source/testkommun-andts-2024-2027"
    assert period["sourceLine"] == 1
    assert period["value"] == "2024-01-01"
    assert "startDate" in period["message"] and period["messages"]["sv"]


def test_turtle_report_is_the_standard_shacl_report(baseline):
    r = andts("--format", "turtle", str(KNOWN_DEFECTS))
    assert r.returncode == 1
    g = Graph().parse(data=r.stdout, format="turtle")
    reports = list(g.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert g.value(reports[0], SH.conforms).toPython() is False
    got = {(str(g.value(n, SH.sourceShape)), str(g.value(n, SH.focusNode)),
            str(g.value(n, SH.resultSeverity)).rsplit("#", 1)[-1]) for n in g.objects(reports[0], SH.result)}
    assert got == DEFECTS | baseline


def test_text_report_is_grouped_by_severity_and_shape():
    out = andts(str(KNOWN_DEFECTS)).stdout
    heads = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert heads[:3] == ["Violation: shapes:Activity-focusArea (1)", "Violation: shapes:Programme-period (1)",
                         "Warning: shapes:Goal-description (1)"]
    assert heads[-1] == "Does not conform: 2 violation(s), 2 warning(s)."
    block = out[out.index("Violation: shapes:Programme-period"):].split("\n\n")[0]
    assert f"<{PROGRAMME}>" in block and "Program mot alkohol" in block          # label and IRI
    assert "source: Testkommuns ANDTS-program 2024–2027 (källdokument), line 1" in block
    assert "value: '2024-01-01'" in block
    assert "must not be after its schema:endDate" in block                      # the message


def test_without_reference_data_links_to_it_are_violations():
    report = json.loads(andts("--format", "json", "--no-reference", str(KNOWN_DEFECTS)).stdout)
    assert (SHAPES + "Programme-municipality", PROGRAMME, "Violation") in triples_of(report["results"])


# --- the built graph --------------------------------------------------------------------------------


@pytest.mark.slow  # `andts validate` of the whole real build in a process of its own
def test_default_is_the_built_graph_with_its_warnings(built):
    store, result = built
    r = andts("--format", "json", store=store)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["conforms"] is True and report["violations"] == 0
    # the build's programme graphs were validated: their warnings carry source line and document
    goal = next(x for x in report["results"] if x["focusNode"] == ID + "programme/stockholm-andts-2023-2026/goal/1")
    assert goal["sourceLine"] == 22 and goal["sourceDocument"] == ID + "source/stockholm-andts-2023-2026"
    # the same validation as the build's gate, which recorded the same warnings in build.json
    assert triples_of(report["results"]) == triples_of(result.info.warnings)
    assert triples_of(report["results"]) == {(str(w.source_shape), str(w.focus_node), "Warning")
                                             for w in result.warnings}


def test_the_build_records_its_warnings_and_lists_them(built):
    store, result = built
    recorded = json.loads((store.resolve() / "build.json").read_text(encoding="utf-8"))["warnings"]
    assert recorded and recorded == result.info.warnings
    assert all(w["severity"] == "Warning" and w["message"] for w in recorded)
    from andts.build import summary

    text = summary(result)
    assert f"{len(recorded)} SHACL warning(s)" in text
    assert "shapes:Goal-description" in text


@pytest.mark.slow  # `andts validate` of the whole real build's dump in a process of its own
def test_a_dump_validates_like_the_build(built):
    """The build's own TriG dump named as a file: its reference graphs are used, the same results."""
    store, result = built
    r = andts("--format", "json", str(store.resolve() / "dump.trig"))
    assert r.returncode == 0, r.stderr
    assert triples_of(json.loads(r.stdout)["results"]) == triples_of(result.info.warnings)

