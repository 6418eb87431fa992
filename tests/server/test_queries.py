"""The named queries in queries/: every file has its header, runs through the endpoint on the session's build of
the project's own sources, and gives a sensible answer; the catalogue pages (/queries, /queries/{name})
list, run, download and link them. The answers themselves are checked against the sources in
tests/queries/test_catalogue.py; the header reader and binding in tests/queries/test_binding.py."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from andts import catalogue as queries
from andts import paths

FILES = sorted(paths.QUERIES_DIR.glob("*.rq"))
ANDTS = "https://w3id.org/andts/def/"


def test_there_are_named_queries() -> None:
    assert 4 <= len(FILES)
    assert {q.name for q in queries.catalogue(paths.QUERIES_DIR)} == {f.stem for f in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_header(path: Path) -> None:
    q = queries.read(path)
    assert q.title and q.titles.get("sv") and q.description and q.question, \
        f"{path.name}: title, title@sv, description and question"
    assert all(p.description for p in q.params), f"{path.name}: every parameter is described"
    assert q.name == path.stem and q.name == q.name.lower() and " " not in q.name
    assert path.stem in (paths.QUERIES_DIR / "README.md").read_text(encoding="utf-8"), "listed in queries/README.md"


# --- on the real data -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(project_embedded: TestClient) -> TestClient:
    """The endpoint over the session's build of data/sources (what `andts build` publishes)."""
    return project_embedded


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


# --- the catalogue pages: /queries and /queries/{name} ------------------------------------------------

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ID = "https://w3id.org/andts/id/"


def page(client: TestClient, url: str, status: int = 200, **params: str) -> BeautifulSoup:
    r = client.get(url, params=params or None, headers={"Accept": BROWSER})
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    return BeautifulSoup(r.text, "html.parser")


def result_rows(soup: BeautifulSoup) -> list[dict[str, str]]:
    """The results table, each cell's text without its datatype or language note."""
    columns = [th.get_text(strip=True) for th in soup.select("#results table.results thead th")]
    for note in soup.select("#results td .note"):
        note.extract()
    return [dict(zip(columns, (td.get_text(" ", strip=True) for td in tr.select("td"))))
            for tr in soup.select("#results table.results tbody tr")]


def test_the_catalogue_lists_every_query(real: TestClient) -> None:
    soup = page(real, "/queries")
    links = soup.select("#catalogue a.query")
    named = queries.catalogue(paths.QUERIES_DIR)
    assert [a["href"] for a in links] == [f"/queries/{q.name}" for q in named]
    assert [a.get_text(strip=True) for a in links] == [q.title for q in named]
    row = soup.select_one('#catalogue tr[data-name="programmes-in-force"]')
    assert row.select_one(".sv").get_text(strip=True) == "Program som gäller ett visst datum"
    assert [c.get_text() for c in row.select("code.param")] == ["date"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_query_has_a_page_with_a_form(real: TestClient, path: Path) -> None:
    q = queries.read(path)
    soup = page(real, f"/queries/{q.name}")
    assert soup.select_one("h1").get_text(strip=True) == q.title
    assert soup.select_one("#title-sv").get_text(strip=True) == q.titles["sv"]
    form = soup.select_one("form#parameters")
    assert form["method"] == "get" and form["action"] == f"/queries/{q.name}"
    assert [i["name"] for i in form.select("input")] == [p.name for p in q.params]
    assert soup.select_one("#results") is None  # shown, not run: nothing was submitted
    assert soup.select_one("#query-text code").get_text() == q.text


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_query_runs_from_its_page_with_its_defaults(real: TestClient, path: Path) -> None:
    soup = page(real, f"/queries/{path.stem}", run="1")
    assert soup.select_one("#error") is None
    assert result_rows(soup), f"{path.name} gives no rows with its defaults"


def test_submitted_parameters_run_the_query_and_show_a_table(real: TestClient) -> None:
    soup = page(real, "/queries/activities-per-goal", municipality="eskilstuna", run="1")
    rows = result_rows(soup)
    # ESK mål 1-5: 7, 11, 5, 3 and 2 activity rows
    assert [(r["notation"], r["activities"]) for r in rows] == [("1", "7"), ("2", "11"), ("3", "5"), ("4", "3"), ("5", "2")]
    assert soup.select_one("input[name=municipality]")["value"] == "eskilstuna"  # the form keeps the value
    assert f"<{ID}municipality/eskilstuna>" in soup.select_one("#query-text code").get_text()


def test_the_permalink_reproduces_the_run(real: TestClient) -> None:
    soup = page(real, "/queries/programmes-in-force", date="2021-03-01")
    href = soup.select_one("#permalink")["href"]
    assert href == "/queries/programmes-in-force?date=2021-03-01&run=1"
    again = result_rows(page(real, href))
    assert [r["programme"] for r in again] == [r["programme"] for r in result_rows(soup)]
    assert [r["start"] for r in again] == ["2019-01-01"]  # only Eskilstuna's plan was in force


def test_downloads_give_csv_and_json(real: TestClient) -> None:
    soup = page(real, "/queries/focus-areas-without-activities", run="1")
    downloads = {a.get_text(strip=True): a["href"] for a in soup.select("#links a.download")}
    assert set(downloads) == {"CSV", "JSON", "TSV", "XML"}
    r = real.get(downloads["CSV"])
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="focus-areas-without-activities.csv"' in r.headers["content-disposition"]
    assert [row["notation"] for row in csv.DictReader(io.StringIO(r.text))] == ["O.2", "O.3"]  # STH l.106, 107
    r = real.get(downloads["JSON"])
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert [b["notation"]["value"] for b in r.json()["results"]["bindings"]] == ["O.2", "O.3"]


def test_accept_gives_raw_results_without_format(real: TestClient) -> None:
    r = real.get("/queries/search-activities", params={"text": "cannabis"}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert sorted(int(row["line"]) for row in csv.DictReader(io.StringIO(r.text))) == [123, 170, 171]


def test_open_in_the_editor_hands_over_the_bound_query(real: TestClient) -> None:
    soup = page(real, "/queries/activities-per-goal", municipality="eskilstuna")
    href = soup.select_one("#open-in-editor")["href"]
    assert href.startswith("/sparql?")
    [text] = parse_qs(urlsplit(href).query)["query"]
    assert text == queries.read(paths.QUERIES_DIR / "activities-per-goal.rq").bind({"municipality": "eskilstuna"})
    editor = page(real, href)
    assert editor.select_one("textarea[name=query]").get_text() == text
    assert len(editor.select("table.results tbody tr")) == 5


def test_an_unknown_query_is_404(real: TestClient) -> None:
    r = real.get("/queries/activities-per-goals")
    assert r.status_code == 404 and "did you mean activities-per-goal" in r.text
    soup = page(real, "/queries/nope", status=404)
    assert "no query named 'nope'" in soup.select_one("#error").get_text()


@pytest.mark.parametrize(("params", "says"), [
    ({"kommun": "stockholm"}, "has no parameter 'kommun'"),
    ({"municipality": "goteborg"}, "names nothing in the graph"),
    ({"municipality": "x> } ; DROP ALL ; <y"}, "give the name as in the IRI"),
])
def test_a_bad_parameter_is_400_with_the_reason(real: TestClient, params: dict[str, str], says: str) -> None:
    r = real.get("/queries/activities-per-goal", params={**params, "format": "json"})
    assert r.status_code == 400 and says in r.text
    assert r.headers["content-type"].startswith("text/plain")


def test_a_bad_parameter_in_the_browser_keeps_the_form_and_escapes_the_value(real: TestClient) -> None:
    attack = '"><script>alert(1)</script>'
    soup = page(real, "/queries/activities-per-goal", status=400, municipality=attack, run="1")
    assert "give the name as in the IRI" in soup.select_one("#error").get_text()
    assert soup.select_one("input[name=municipality]")["value"] == attack  # shown as typed, as text
    assert not any("alert(1)" in s.get_text() for s in soup.select("script"))
    assert soup.select_one("#results") is None


def test_a_string_injection_attempt_is_one_literal(real: TestClient) -> None:
    attack = 'x" ) } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o FILTER("\nnext'
    r = real.get("/queries/search-activities", params={"text": attack, "format": "json"})
    assert r.status_code == 200
    assert r.json()["head"]["vars"] == ["activity", "programme", "focusArea", "line", "description"]
    assert r.json()["results"]["bindings"] == []
    quoted = real.get("/queries/search-activities", params={"text": '"Berusning på schemat"', "format": "json"})
    assert [b["line"]["value"] for b in quoted.json()["results"]["bindings"]] == ["153"]  # ESK l.153, quotes included
