"""/validate (the form and the API) and /quality over the session's build of the project's data.

What reads the served build (its reference data, the entities a report links to, /quality) runs on both
backends (`project_client`: the embedded store and a remote Oxigraph server); what happens in the server
alone (the form, the formats, the refusals) runs on the embedded store (`project_embedded`).

The known defects are those of tests/cli/fixtures/known-defects.ttl (see tests/cli/test_validate.py):
every way of sending it must report exactly them, besides what the reference data reports on its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.namespace import RDF
from support.known_defects import DEFECTS, ID, KNOWN_DEFECTS, PROGRAMME, SHAPES

from andts import store as layout
from andts.namespaces import SH
from andts.server.http.app import create_app
from andts.validation import validate_dataset

CLI_FIXTURES = Path(__file__).parents[1] / "cli" / "fixtures"
UNPARSABLE = CLI_FIXTURES / "unparsable.ttl"  # breaks on line 3


@pytest.fixture(scope="module")
def baseline() -> set[tuple[str, str, str]]:
    report = validate_dataset({None: Graph()})
    return {(str(r.source_shape), str(r.focus_node), str(r.severity).rsplit("#", 1)[-1]) for r in report.results}


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def page_results(page: BeautifulSoup) -> set[tuple[str, str, str]]:
    """(shape, focus node, severity) of every result row of a report page (shapes as shapes:Name)."""
    out = set()
    for table in page.select("table.result-group"):
        shape = SHAPES + table["data-shape"].removeprefix("shapes:")
        for row in table.select("tr.result"):
            out.add((shape, row["data-focus"], table["data-severity"]))
    return out


def turtle_results(text: str) -> set[tuple[str, str, str]]:
    g = Graph().parse(data=text, format="turtle")
    return {(str(g.value(n, SH.sourceShape)), str(g.value(n, SH.focusNode)),
             str(g.value(n, SH.resultSeverity)).rsplit("#", 1)[-1]) for n in g.subjects(RDF.type, SH.ValidationResult)}


# --- the form --------------------------------------------------------------------------------------


def test_the_form(project_embedded):
    r = project_embedded.get("/validate")
    assert r.status_code == 200
    form = soup(r.text).select_one("main form")
    assert form["method"] == "post" and form["enctype"] == "multipart/form-data"
    assert form.select_one("textarea[name=data]") is not None
    assert form.select_one("input[type=file][name=file]") is not None
    assert form.select_one("input[name=reference]").has_attr("checked")


def test_an_uploaded_file_is_reported_with_exactly_its_defects(project_client, baseline):
    r = project_client.post("/validate", files={"file": ("known-defects.ttl", KNOWN_DEFECTS.read_bytes())},
                            data={"format": "auto", "reference": "1"})
    assert r.status_code == 200
    page = soup(r.text)
    assert page_results(page) == DEFECTS | baseline
    assert "fails" in page.select_one(".verdict")["class"]
    # grouped by severity: violations first
    severities = [t["data-severity"] for t in page.select("table.result-group")]
    assert severities == sorted(severities, key=["Violation", "Warning", "Info"].index)


def test_the_report_page_gives_line_source_value_and_links_known_entities(project_client):
    r = project_client.post("/validate", data={"data": KNOWN_DEFECTS.read_text(encoding="utf-8"), "reference": "1"})
    assert r.status_code == 200
    page = soup(r.text)
    row = page.select_one(f'tr.result[data-focus="{PROGRAMME}"]')
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells[0].startswith("Program mot alkohol")
    assert cells[1] == "Testkommuns ANDTS-program 2024–2027 (källdokument)" and cells[2] == "1"
    assert cells[4] == "2024-01-01" and "schema:endDate" in cells[5]
    assert row.select_one("td a") is None  # not in the build: no page to link to
    # a focus node the build has links to its page
    eskilstuna = page.select_one(f'tr.result[data-focus="{ID}municipality/eskilstuna"] td a')
    assert eskilstuna["href"] == "/id/municipality/eskilstuna"


def test_the_report_page_in_english(project_embedded):
    r = project_embedded.post("/validate?lang=en", data={"data": KNOWN_DEFECTS.read_text(encoding="utf-8"),
                                                       "reference": "1"})
    page = soup(r.text)
    assert page.html["lang"] == "en"
    assert page.select_one("table.result-group caption").get_text().startswith("Violation")


# --- the API ---------------------------------------------------------------------------------------


def test_rdf_body_gets_the_shacl_report_in_turtle(project_embedded, baseline):
    r = project_embedded.post("/validate", content=KNOWN_DEFECTS.read_bytes(), headers={"content-type": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    assert turtle_results(r.text) == DEFECTS | baseline


def test_rdf_body_gets_json_by_accept(project_embedded, baseline):
    r = project_embedded.post("/validate", content=KNOWN_DEFECTS.read_bytes(),
                            headers={"content-type": "text/turtle", "accept": "application/json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    report = r.json()
    assert report["conforms"] is False
    assert {(x["sourceShape"], x["focusNode"], x["severity"]) for x in report["results"]} == DEFECTS | baseline


def test_other_rdf_formats(project_embedded, baseline):
    """The same data as N-Triples and JSON-LD gives the same report."""
    g = Graph().parse(KNOWN_DEFECTS, format="turtle")
    for media, fmt in (("application/n-triples", "nt"), ("application/ld+json", "json-ld")):
        r = project_embedded.post("/validate", content=g.serialize(format=fmt).encode("utf-8"),
                                headers={"content-type": media, "accept": "application/json"})
        assert r.status_code == 200, r.text
        assert {(x["sourceShape"], x["focusNode"], x["severity"]) for x in r.json()["results"]} == DEFECTS | baseline


def test_without_reference_data(project_embedded):
    r = project_embedded.post("/validate?reference=0", content=KNOWN_DEFECTS.read_bytes(),
                            headers={"content-type": "text/turtle"})
    assert (SHAPES + "Programme-municipality", PROGRAMME, "Violation") in turtle_results(r.text)


def test_conforming_data(project_embedded):
    valid = Path(__file__).parents[1] / "shapes" / "valid" / "programme.ttl"
    r = project_embedded.post("/validate", content=valid.read_bytes(),
                            headers={"content-type": "text/turtle", "accept": "application/json"})
    assert r.status_code == 200 and r.json()["conforms"] is True and r.json()["violations"] == 0


# --- refusals --------------------------------------------------------------------------------------


def test_an_unparsable_body_is_400_with_the_line(project_embedded):
    r = project_embedded.post("/validate", content=UNPARSABLE.read_bytes(), headers={"content-type": "text/turtle"})
    assert r.status_code == 400
    assert "line 3" in r.text


def test_an_unparsable_upload_is_400_with_the_line_on_the_page(project_embedded):
    r = project_embedded.post("/validate", files={"file": ("unparsable.ttl", UNPARSABLE.read_bytes())},
                            data={"reference": "1"})
    assert r.status_code == 400
    error = soup(r.text).select_one("section.error")
    assert error.select_one(".line").get_text(strip=True) == "Rad 3"
    assert "unparsable.ttl" in error.select_one(".message").get_text()


def test_an_unparsable_json_ld_body_is_400_with_the_line(project_embedded):
    r = project_embedded.post("/validate", content=(CLI_FIXTURES / "unparsable.jsonld").read_bytes(),
                            headers={"content-type": "application/ld+json"})
    assert r.status_code == 400 and "line 3" in r.text


def test_a_body_over_the_limit_is_413(project_embedded, project_settings):
    body = b"#" * (project_settings.max_body_bytes + 1)
    r = project_embedded.post("/validate", content=body, headers={"content-type": "text/turtle"})
    assert r.status_code == 413


@pytest.mark.parametrize("content_type", ["text/csv", "application/octet-stream"])
def test_a_body_that_is_not_rdf_is_415(project_embedded, content_type):
    r = project_embedded.post("/validate", content=b"a,b\n", headers={"content-type": content_type})
    assert r.status_code == 415


def test_an_empty_form_is_400(project_embedded):
    r = project_embedded.post("/validate", data={"data": "  ", "reference": "1"})
    assert r.status_code == 400
    assert soup(r.text).select_one("section.error") is not None


def test_a_bad_reference_flag_is_400(project_embedded):
    r = project_embedded.post("/validate?reference=maybe", content=KNOWN_DEFECTS.read_bytes(),
                            headers={"content-type": "text/turtle"})
    assert r.status_code == 400


# --- /quality --------------------------------------------------------------------------------------


def test_quality_lists_every_finding_linked_to_its_entity(project_client, project_store):
    r = project_client.get("/quality")
    assert r.status_code == 200
    page = soup(r.text)
    rows = page.select("tr.finding-row")
    findings = set()
    for line in (layout.current_build_dir(project_store) / "dump.nq").read_text(encoding="utf-8").splitlines():
        if "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/andts/def/Finding>" in line:
            findings.add(line.split(" ", 1)[0].strip("<>"))
    assert len(rows) == len(findings) > 0
    linked = {row.select_one("td a")["href"] for row in rows}
    assert linked == {"/id/" + f.removeprefix(ID) for f in findings}
    # what a finding is about links to that entity's page
    assert all(a["href"].startswith("/id/") for row in rows for a in row.select("td:nth-of-type(3) a"))


def test_quality_lists_the_builds_warnings(project_client, project_store):
    recorded = layout.read_build_info(project_store).warnings
    page = soup(project_client.get("/quality").text)
    shown = page_results(page)
    assert shown == {(w["sourceShape"], w["focusNode"], w["severity"]) for w in recorded}
    assert len(page.select("tr.result")) == len(recorded) > 0
    goal = page.select_one(f'tr.result[data-focus="{ID}programme/stockholm-andts-2023-2026/goal/1"]')
    assert goal.select_one("td a")["href"] == "/id/programme/stockholm-andts-2023-2026/goal/1"
    assert goal.select("td")[2].get_text(strip=True) == "22"


def _findings_by_graph(store) -> dict[str, set[str]]:
    """Each programme graph's findings, read off the dump."""
    out: dict[str, set[str]] = {}
    for line in (layout.current_build_dir(store) / "dump.nq").read_text(encoding="utf-8").splitlines():
        if "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/andts/def/Finding>" in line:
            parts = line.split(" ")
            out.setdefault(parts[-2].strip("<>"), set()).add(parts[0].strip("<>"))
    return out


def test_many_results_make_quality_a_summary_by_programme(project_client, project_store, monkeypatch):
    """Past FULL_LIST_LIMIT (as at national size) the page counts per programme and lists each programme's
    findings and warnings on its own page; together those pages list everything the one page listed."""
    from andts.server.views import quality

    full = soup(project_client.get("/quality").text)
    monkeypatch.setattr(quality, "FULL_LIST_LIMIT", 0)
    page = soup(project_client.get("/quality").text)
    assert not page.select("tr.finding-row")
    by_graph = _findings_by_graph(project_store)
    rows = page.select("tr.quality-programme")
    assert len(rows) == len(by_graph) == 2
    assert not page.select("tr.result")  # warnings are counted per shape, each shape's listed on its own page
    shown_findings, shown_results, by_shape = set(), set(), set()
    for row in page.select("tr.quality-shape"):
        one = soup(project_client.get(row.select_one("a")["href"]).text)
        assert one.select_one("#quality-shape") is not None and not one.select("tr.finding-row")
        assert int(row.select_one("td.num").get_text(strip=True)) == len(one.select("tr.result")) > 0
        by_shape |= page_results(one)
    assert by_shape == page_results(full)
    for row in rows:
        href = row.select_one("td.num a")["href"]
        assert href.startswith("/quality?programme=")
        one = soup(project_client.get(href).text)
        findings = {a["href"] for a in one.select("tr.finding-row td:first-child a")}
        assert int(row.select("td.num")[0].get_text(strip=True)) == len(findings) > 0
        assert int(row.select("td.num")[1].get_text(strip=True)) == len(one.select("tr.result"))
        assert one.select_one("#quality-programme") is not None
        shown_findings |= findings
        shown_results |= page_results(one)
    assert shown_findings == {a["href"] for a in full.select("tr.finding-row td:first-child a")}
    assert shown_results and shown_results <= page_results(full)  # the reference data's are on no programme's
    # the kinds are counted over every finding, as on the one page
    assert page.select_one("#finding-kinds").get_text() == full.select_one("#finding-kinds").get_text()


def test_quality_of_an_unknown_programme_is_400(project_client):
    assert project_client.get("/quality?programme=nowhere").status_code == 400
    assert project_client.get("/quality?programme=").status_code == 400
    assert project_client.get("/quality?shape=shapes:Nothing").status_code == 400


def test_quality_of_a_build_without_warnings(settings):
    """The small fixture store (made without `andts build`) records no warnings: the page says so."""
    with TestClient(create_app(settings)) as c:
        r = c.get("/quality?lang=en")
    assert r.status_code == 200
    assert "No warnings in this build." in soup(r.text).get_text()


def test_home_links_to_validation_and_quality(project_embedded):
    hrefs = {a["href"] for a in soup(project_embedded.get("/").text).select("ul.links a")}
    assert {"/validate", "/quality"} <= hrefs


def test_the_json_report_is_the_cli_json(project_client):
    """The API's JSON is what `andts validate --format json` prints for the same file."""
    import subprocess
    import sys

    r = project_client.post("/validate", content=KNOWN_DEFECTS.read_bytes(),
                            headers={"content-type": "text/turtle", "accept": "application/json"})
    cli = subprocess.run([sys.executable, "-m", "andts.cli", "validate", "--format", "json", str(KNOWN_DEFECTS)],
                         capture_output=True, text=True, timeout=300)
    assert json.loads(cli.stdout) == r.json()
