"""The named queries in queries/: every file has its header, runs through the endpoint on a fresh build of
the project's own sources, and gives a sensible answer. The header reader is tested on made-up files."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

from andts import paths
from andts.build import build
from andts.server import queries
from andts.server.app import create_app
from andts.server.settings import Settings

FILES = sorted(paths.QUERIES_DIR.glob("*.rq"))
ANDTS = "https://w3id.org/andts/def/"


def test_there_are_named_queries() -> None:
    assert 4 <= len(FILES)
    assert {q.name for q in queries.catalogue(paths.QUERIES_DIR)} == {f.stem for f in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_header(path: Path) -> None:
    q = queries.read(path)
    assert q.title and q.titles.get("sv") and q.description, f"{path.name}: title, title@sv and description"
    assert q.name == path.stem and q.name == q.name.lower() and " " not in q.name
    assert path.stem in (paths.QUERIES_DIR / "README.md").read_text(encoding="utf-8"), "listed in queries/README.md"


# --- on the real data -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The endpoint over a fresh build of data/sources (what `andts build` publishes)."""
    store = tmp_path_factory.mktemp("real") / "store"
    build(store)
    with TestClient(create_app(Settings(store=store, workers=1, query_timeout=20))) as client:
        yield client


def solutions(client: TestClient, text: str) -> list[dict[str, str]]:
    r = client.post("/sparql", data={"query": text}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def count(client: TestClient, where: str) -> int:
    [row] = solutions(client, f"PREFIX andts: <{ANDTS}> SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")
    return int(row["n"])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_runs_on_the_real_data(real: TestClient, path: Path) -> None:
    rows = solutions(real, path.read_text(encoding="utf-8"))
    assert rows, f"{path.name} gives no rows on the project's data"


def test_programmes_count_every_activity(real: TestClient) -> None:
    rows = solutions(real, (paths.QUERIES_DIR / "programmes.rq").read_text(encoding="utf-8"))
    assert len(rows) == count(real, "?x a andts:Programme") >= 2
    assert sum(int(r["activities"]) for r in rows) == count(real, "?x a andts:Activity")
    assert all(int(r["goals"]) > 0 and r["start"] < r["end"] for r in rows)


def test_activities_per_national_goal_are_national_goals(real: TestClient) -> None:
    rows = solutions(real, (paths.QUERIES_DIR / "activities-per-national-goal.rq").read_text(encoding="utf-8"))
    national = {r["x"] for r in solutions(real, f"SELECT ?x WHERE {{ ?x a <{ANDTS}NationalGoal> }}")}
    assert {r["nationalGoal"] for r in rows} <= national
    assert all(r.get("nationalGoalLabel") for r in rows)
    assert len({r["programme"] for r in rows}) >= 2


def test_findings_by_kind_count_every_finding(real: TestClient) -> None:
    rows = solutions(real, (paths.QUERIES_DIR / "findings-by-kind.rq").read_text(encoding="utf-8"))
    assert sum(int(r["findings"]) for r in rows) == count(real, "?x a andts:Finding")
    assert all(r.get("kindLabel") for r in rows)


def test_actors_coordinate_no_more_than_they_are_responsible_for(real: TestClient) -> None:
    rows = solutions(real, (paths.QUERIES_DIR / "actors-by-responsibility.rq").read_text(encoding="utf-8"))
    assert all(int(r["coordinates"]) <= int(r["responsibleFor"]) for r in rows)
    assert [int(r["responsibleFor"]) for r in rows] == sorted((int(r["responsibleFor"]) for r in rows), reverse=True)


def test_methods_per_municipality_covers_both_municipalities(real: TestClient) -> None:
    rows = solutions(real, (paths.QUERIES_DIR / "methods-per-municipality.rq").read_text(encoding="utf-8"))
    assert len({r["municipality"] for r in rows}) == count(real, "?p a andts:Programme ; andts:municipality ?x")


# --- the header reader ------------------------------------------------------------------------------


def test_header_fields_and_languages() -> None:
    q = queries.parse("x", "# title: T\n# title@sv: S\n# description: D: with a colon\n# note\n# by: me\n"
                           "SELECT * { ?s ?p ?o }\n# title: not the header\n")
    assert (q.title, q.title_in("sv"), q.title_in("de"), q.description) == ("T", "S", "T", "D: with a colon")
    assert q.fields == {"title": "T", "title@sv": "S", "description": "D: with a colon", "by": "me"}


@pytest.mark.parametrize("text", ["SELECT * { ?s ?p ?o }", "# title@sv: S\nASK {}", "# description: D\nASK {}",
                                  "SELECT * {}\n# title: after the query"])
def test_a_file_without_a_title_is_refused(text: str) -> None:
    with pytest.raises(queries.QueryFileError, match="no '# title"):
        queries.parse("x", text)


def test_a_header_without_a_query_is_refused() -> None:
    with pytest.raises(queries.QueryFileError, match="no query"):
        queries.parse("x", "# title: T\n# description: D\n")


def test_no_folder_no_queries(tmp_path: Path) -> None:
    assert queries.catalogue(tmp_path / "missing") == []
