"""`andts query` as a user runs it, on a build of the project's sources: the catalogue, each output
format, and clear errors (exit 2) for unknown names, bad parameters and injection attempts."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from andts import paths


@pytest.fixture(scope="module")
def store(real_build) -> Path:
    """The session's build of the project's sources (tests/conftest.py): `andts query` only reads it."""
    return real_build.store


def andts(*args: str, store: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("ANDTS_STORE", None)
    if store is not None:
        env["ANDTS_STORE"] = str(store)
    return subprocess.run([sys.executable, "-m", "andts.cli", "query", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_without_a_name_it_lists_the_catalogue() -> None:
    r = andts()
    assert r.returncode == 0, r.stderr
    names = [line.split(":")[0] for line in r.stdout.splitlines() if not line.startswith(" ")]
    assert names == sorted(f.stem for f in paths.QUERIES_DIR.glob("*.rq"))
    assert "--param municipality=… (municipality, default *)" in r.stdout


def test_a_readable_table_by_default(store: Path) -> None:
    r = andts("activities-per-goal", "--param", "municipality=eskilstuna", store=store)
    assert r.returncode == 0, r.stderr
    header, rule, *rows, count = r.stdout.splitlines()
    assert header.split() == ["municipality", "programme", "section", "notation", "activities"]
    assert set(rule.replace(" ", "")) == {"-"}
    # ESK mål 1-5 have 7, 11, 5, 3 and 2 activity rows
    assert [row.split()[-2:] for row in rows] == [["1", "7"], ["2", "11"], ["3", "5"], ["4", "3"], ["5", "2"]]
    assert rows[0].split()[0] == "municipality/eskilstuna"  # the graph's instances by their path
    assert count == "(5 rows)"


def test_csv(store: Path) -> None:
    r = andts("programmes-in-force", "-p", "date=2021-03-01", "--format", "csv", store=store)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(row["programme"], row["start"], row["end"]) for row in rows] == [
        ("https://w3id.org/andts/id/programme/eskilstuna-andt-2019-2023", "2019-01-01", "2023-12-31")]


def test_tsv(store: Path) -> None:
    r = andts("focus-areas-without-activities", "--format", "tsv", store=store)
    assert r.returncode == 0, r.stderr
    header, *rows = r.stdout.strip().split("\n")
    assert header.split("\t")[:2] == ["?focusArea", "?notation"]
    assert [row.split("\t")[1] for row in rows] == ['"O.2"', '"O.3"']  # STH l.106, 107


def test_json(store: Path) -> None:
    r = andts("search-activities", "--param", "text=cannabis", "--format", "json", store=store)
    assert r.returncode == 0, r.stderr
    bindings = json.loads(r.stdout)["results"]["bindings"]
    assert sorted(int(b["line"]["value"]) for b in bindings) == [123, 170, 171]


def test_unknown_query_is_exit_2_with_suggestions(store: Path) -> None:
    r = andts("activities-per-goals", store=store)
    assert r.returncode == 2 and r.stdout == ""
    assert "no query named 'activities-per-goals'; did you mean activities-per-goal" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(("args", "says"), [
    (["activities-per-goal", "--param", "kommun=stockholm"], "has no parameter 'kommun' (its parameters: municipality)"),
    (["activities-per-goal", "--param", "municipality"], "a parameter is written NAME=VALUE"),
    (["activities-per-goal", "-p", "municipality=stockholm", "-p", "municipality=eskilstuna"], "given twice"),
    (["programmes-in-force", "--param", "date=2024-02-30"], "parameter 'date' (date): '2024-02-30' is not valid"),
    (["sourced-from-line", "--param", "line=seventy"], "parameter 'line' (integer): 'seventy' is not valid"),
    (["activities-per-goal", "--param", "municipality=goteborg"], "'goteborg' names nothing in the graph"),
    (["activities-per-goal", "--param", "municipality=x> } ; DROP ALL ; <y"], "is not valid: give the name as in the IRI (e.g. stockholm, eskilstuna)"),
    (["responsibilities-of-actor", "--param", "actor=<http://example.org/x>"], "is not valid: the IRI does not start with https://w3id.org/andts/id/actor/"),
])
def test_bad_parameters_are_exit_2_and_say_why(store: Path, args: list[str], says: str) -> None:
    r = andts(*args, store=store)
    assert r.returncode == 2 and r.stdout == ""
    assert says in r.stderr and r.stderr.startswith("andts query: error:")
    assert "Traceback" not in r.stderr


def test_a_string_injection_attempt_is_searched_for_literally(store: Path) -> None:
    attack = 'x" ) } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o FILTER("\nnext line'
    r = andts("search-activities", "--param", f"text={attack}", "--format", "json", store=store)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    # the query's own variables, no rows: the text was one literal and the query kept its structure
    assert doc["head"]["vars"] == ["activity", "programme", "focusArea", "line", "description"]
    assert doc["results"]["bindings"] == []
    assert andts("programmes", "--format", "csv", store=store).stdout.count("\n") == 3  # the store is intact


def test_no_store_is_a_clear_error(tmp_path: Path) -> None:
    r = andts("programmes", store=tmp_path / "none")
    assert r.returncode == 2 and "no built store" in r.stderr
