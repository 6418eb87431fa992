"""The query editor at /sparql (in-process, parsed with BeautifulSoup): named queries one click away,
download links per format, the query and dataset kept in the URL, local assets only."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from andts import catalogue as queries
from andts import paths
from andts.server.settings import Settings

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ANDTS = "https://w3id.org/andts/"
SELECT = f"SELECT ?a WHERE {{ ?a a <{ANDTS}def/Activity> }} ORDER BY ?a"
CONSTRUCT = f"CONSTRUCT {{ ?a a <{ANDTS}def/Activity> }} WHERE {{ ?a a <{ANDTS}def/Activity> }}"
PROGRAMME_GRAPH = f"{ANDTS}graph/programme/testby-andts-2024-2027"


def soup_of(client: TestClient, url: str = "/sparql", **params: str) -> BeautifulSoup:
    r = client.get(url, params=params or None, headers={"Accept": BROWSER})
    assert r.headers["content-type"] == "text/html; charset=utf-8", r.text
    return BeautifulSoup(r.text, "html.parser")


def test_every_named_query_is_one_click_away(client: TestClient) -> None:
    links = soup_of(client).select("#named-queries a.named-query")
    named = queries.catalogue(paths.QUERIES_DIR)
    assert [a.get_text(strip=True) for a in links] == [q.title for q in named]
    for a, q in zip(links, named):
        assert a["data-name"] == q.name and a["title"] == q.description
        assert parse_qs(urlsplit(a["href"]).query)["query"] == [q.text]


def test_a_named_query_link_runs_it_and_keeps_it_in_the_editor(client: TestClient) -> None:
    link = soup_of(client).select_one('a.named-query[data-name="programmes"]')
    page = soup_of(client, link["href"])
    assert page.select_one("textarea[name=query]").get_text() == (paths.QUERIES_DIR / "programmes.rq").read_text()
    assert page.select_one("#error") is None
    rows = page.select("table.results tbody tr")
    assert len(rows) == 1 and page.select_one("table.results td a")["href"] == f"{ANDTS}id/programme/testby-andts-2024-2027"


def test_the_editor_uses_its_script_and_it_is_served(client: TestClient) -> None:
    page = soup_of(client)
    [script] = page.select("script[src]")
    r = client.get(script["src"])
    assert script["src"].startswith("/static/") and r.status_code == 200
    assert r.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert page.select_one("#editor textarea#query") and page.select_one("#editor pre code#highlight")


def test_the_form_is_a_get_form_so_the_url_keeps_the_query(client: TestClient) -> None:
    form = soup_of(client).select_one("form#query-form")
    assert form["method"] == "get"
    assert {el["name"] for el in form.select("[name]")} == {"query", "format"}


@pytest.mark.parametrize(("query", "formats"), [
    (SELECT, {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
              "csv": "text/csv", "tsv": "text/tab-separated-values"}),
    (CONSTRUCT, {"turtle": "text/turtle", "ntriples": "application/n-triples", "jsonld": "application/ld+json",
                 "rdfxml": "application/rdf+xml"}),
], ids=["SELECT", "CONSTRUCT"])
def test_download_links_for_each_format(client: TestClient, query: str, formats: dict[str, str]) -> None:
    links = soup_of(client, query=query).select("#downloads a.download")
    assert [parse_qs(urlsplit(a["href"]).query)["format"] for a in links] == [[f] for f in formats]
    for a in links:
        params = parse_qs(urlsplit(a["href"]).query)
        assert params["query"] == [query]
        r = client.get(a["href"], headers={"Accept": BROWSER})
        assert r.status_code == 200
        assert r.headers["content-type"].split(";")[0] == formats[params["format"][0]]


def test_the_dataset_is_kept_in_the_form_and_the_links(client: TestClient) -> None:
    page = soup_of(client, query=SELECT, **{"default-graph-uri": PROGRAMME_GRAPH})
    hidden = page.select("form#query-form input[type=hidden]")
    assert [(i["name"], i["value"]) for i in hidden] == [("default-graph-uri", PROGRAMME_GRAPH)]
    for a in page.select("#downloads a.download"):
        assert parse_qs(urlsplit(a["href"]).query)["default-graph-uri"] == [PROGRAMME_GRAPH]
    assert len(page.select("table.results tbody tr")) == 3


def test_no_downloads_for_an_error(client: TestClient) -> None:
    page = soup_of(client, query="SELECT WHERE {")
    assert page.select_one("#error") and page.select_one("#downloads") is None
    assert page.select("#named-queries a.named-query"), "the named queries stay on an error page"


def test_editor_without_named_queries(tmp_path, store_path) -> None:
    from andts.server.http.app import create_app

    with TestClient(create_app(Settings(store=store_path, workers=1, queries_dir=tmp_path))) as c:
        page = soup_of(c)
        assert page.select_one("#named-queries") is None and page.select_one("textarea#query")
