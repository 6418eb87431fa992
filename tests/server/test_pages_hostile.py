"""Hostile text in the data (markup, quotes, a closing </script>, a javascript: IRI, a very long string)
renders as text: the page parses to the same strings, no element or attribute comes from the data, and the
embedded JSON-LD still parses to the data."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from support.stores import DATA

from andts.server.http.app import create_app
from andts.server.settings import Settings

LONG = "ANDTS " * 2000
B = "https://w3id.org/andts/"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, publish_store) -> Iterator[httpx.Client]:
    folder = tmp_path_factory.mktemp("hostile")
    trig = folder / "hostile.trig"
    text = (DATA / "hostile.trig").read_text(encoding="utf-8")
    # the long string is made here rather than kept as 12 kB of one line in the fixture
    trig.write_text(text.replace('skos:note "<img', f'skos:definition "{LONG}" ;\n        skos:note "<img'),
                    encoding="utf-8")
    settings = Settings(store=publish_store(folder / "store", trig), workers=1)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("path", ["/id/municipality/x", "/id/municipality/x?lang=en", "/id/activity/x/1",
                                  "/search?q=script", "/search?q=%3Cscript%3E", "/def/Municipality", "/graph/hostile",
                                  "/compare", "/"])
def test_nothing_from_the_data_becomes_markup(hostile: httpx.Client, path: str) -> None:
    r = hostile.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200
    soup = BeautifulSoup(r.text, "html.parser")
    scripts = soup.find_all("script")
    assert all(s.get("type") == "application/ld+json" for s in scripts), "only the JSON-LD data block"
    assert soup.find("img") is None and soup.find("b") is None
    assert not any(attr.startswith("on") for tag in soup.find_all(True) for attr in tag.attrs)
    assert not soup.select("a[href^='javascript:']")
    assert "<script>alert" not in r.text and "<img src=x" not in r.text


def test_the_text_comes_back_whole(hostile: httpx.Client) -> None:
    soup = BeautifulSoup(hostile.get("/id/municipality/x", headers={"Accept": "text/html"}).text, "html.parser")
    assert soup.h1.get_text() == "<script>alert('label')</script>"
    assert soup.select_one("p.lead").get_text() == \
        "</script><script>alert(\"description\")</script> & <!-- --> \"quoted\" 'single'"
    cells = [td.get_text() for td in soup.select("table.properties td")]
    assert "<img src=x onerror=alert(1)>" in cells
    assert any(LONG.strip() in c for c in cells), "the long text is shown whole"
    # the javascript: IRI is shown, not linked
    assert "javascript:alert(1)" in soup.select_one("table.properties").get_text()


def test_embedded_json_ld_survives_a_closing_script_tag(hostile: httpx.Client) -> None:
    soup = BeautifulSoup(hostile.get("/id/municipality/x", headers={"Accept": "text/html"}).text, "html.parser")
    [script] = soup.select("script[type='application/ld+json']")
    assert "</script" not in script.string
    json.loads(script.string)
    g = Graph().parse(data=script.string, format="json-ld")
    description = Literal("</script><script>alert(\"description\")</script> & <!-- --> \"quoted\" 'single'", lang="sv")
    assert (URIRef(B + "id/municipality/x"), URIRef("http://purl.org/dc/terms/description"), description) in g
